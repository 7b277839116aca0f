"""The caller's own account, the staff home figures, the menu and the demo seed."""

from __future__ import annotations

import pytest

from reserve_app.domain.accounts import Role
from reserve_app.domain.errors import Forbidden, Unauthenticated, ValidationFailed
from reserve_app.models import AuditEntry, MenuEntry, User
from reserve_app.services import shop, uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import outbox, seed
from reserve_app.services.site import dashboard, menu

from .helpers import add_user, count, login, register, resolve, user_by_email


def test_account_view_of_the_logged_in_user() -> None:
    actor = add_user("Alice", "alice@example.com", Role.CUSTOMER, language="ar")
    with uow.read_session() as session:
        view = auth.account(session, actor=actor)
    assert (view.user_id, view.name, view.email, view.role, view.language) == (
        actor.user_id, "Alice", "alice@example.com", "customer", "ar")
    with uow.read_session() as session, pytest.raises(Unauthenticated):
        auth.account(session, actor=None)


def test_home_summary_counts_new_and_open_shop_orders() -> None:
    admin = add_user("Ada", "ada@example.com", Role.ADMIN)
    customer = add_user("Cy", "cy@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        product = shop.save_product(session, actor=admin, name="Tea", kind="product",
                                    price="2.00")
    orders = []
    for _ in range(3):
        with uow.write_session() as session:
            orders.append(shop.place_order(session, actor=customer, method="cash", items=[
                {"product_id": product, "pay_with": "money", "quantity": 1}]))
    for order_id, action in ((orders[0], "accept"), (orders[1], "cancel")):
        with uow.write_session() as session:
            shop.act(session, actor=admin, order_id=order_id, action=action)
    with uow.read_session() as session:
        summary = dashboard.home_summary(session, actor=admin)
    assert (summary.orders_new, summary.orders_open) == (1, 2)


def test_set_language_is_saved_for_the_next_login() -> None:
    actor = add_user("Alice", "alice@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        assert auth.set_language(session, actor=actor, language="ar") == "ar"
    assert resolve(login("alice@example.com")).language == "ar"


@pytest.mark.parametrize("language", ["xx", "", None, 1, ["ar"]])
def test_set_language_refuses_unknown_languages(language: object) -> None:
    actor = add_user("Alice", "alice@example.com", Role.CUSTOMER)
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        auth.set_language(session, actor=actor, language=language)
    assert err.value.fields == {"language": "field.choice_invalid"}
    assert user_by_email("alice@example.com").language == "en"


def test_set_language_needs_a_login() -> None:
    with uow.write_session() as session, pytest.raises(Unauthenticated):
        auth.set_language(session, actor=None, language="ar")


def test_home_summary_counts_for_staff_only() -> None:
    stan = add_user("Stan", "stan@example.com", Role.STAFF)
    add_user("Ada", "ada@example.com", Role.ADMIN)
    register(name="Cleo", email="cleo@example.com")
    customer = add_user("Carl", "carl@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        outbox.record_email(session, to="x@example.com", kind="welcome", language="en",
                            name="X")
        session.commit()

    with uow.read_session() as session:
        summary = dashboard.home_summary(session, actor=stan)
    assert summary == dashboard.HomeSummary(customers=2, staff=2, emails_pending=2,
                                            emails_failed=0, bookings_today=0,
                                            bookings_pending=0, payments_waiting=0,
                                            requests_waiting=0, orders_open=0,
                                            orders_new=0)
    for actor, error in ((None, Unauthenticated), (customer, Forbidden)):
        with uow.read_session() as session, pytest.raises(error):
            dashboard.home_summary(session, actor=actor)


def test_storefront_menu_lists_active_entries_in_order() -> None:
    with uow.write_session() as session:
        session.add_all([
            MenuEntry(kind="page", title="Second", path="/b", position=2),
            MenuEntry(kind="page", title="Hidden", path="/h", position=0, active=False),
            MenuEntry(kind="page", title="First", path="/a", position=1),
        ])
        session.commit()
    with uow.read_session() as session:
        assert menu.storefront_menu(session) == [menu.MenuItem("First", "/a"),
                                                 menu.MenuItem("Second", "/b")]


def test_demo_seed_runs_once_and_its_logins_work() -> None:
    with uow.write_session() as session:
        assert seed.seed_if_empty(session) is True
    with uow.write_session() as session:
        assert seed.seed_if_empty(session) is False
    assert count(User) == len(seed.DEMO_USERS)
    assert count(AuditEntry, AuditEntry.action == "seeded") == len(seed.DEMO_USERS)
    admin = next(u for u in seed.DEMO_USERS if u.role is Role.ADMIN)
    actor = resolve(login(admin.email, admin.password))
    assert actor is not None and actor.role is Role.ADMIN


def test_seed_leaves_a_database_with_users_alone() -> None:
    add_user("Alice", "alice@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        assert seed.seed_if_empty(session) is False
    assert count(User) == 1


def test_home_summary_flags_card_holds_older_than_six_days_and_counts_open_tickets() -> None:
    from datetime import timedelta
    from decimal import Decimal

    from reserve_app.models import Invoice, Payment
    from reserve_app.models.base import utcnow
    from reserve_app.services import tickets

    admin = add_user("Ada", "ada@example.com", Role.ADMIN)
    customer = add_user("Cy", "cy@example.com", Role.CUSTOMER)
    now = utcnow()
    with uow.write_session() as session:
        invoice = Invoice(order_kind="booking", order_id=1, customer_id=customer.user_id,
                          subtotal=Decimal("10"), tax=Decimal("0"), total=Decimal("10"),
                          currency="EUR")
        session.add(invoice)
        session.flush()
        for status, held in (("authorised", now - timedelta(days=6, minutes=1)),
                             ("authorised", now - timedelta(days=5, hours=23)),
                             ("approved", now - timedelta(days=9)),
                             ("void", now - timedelta(days=9))):
            session.add(Payment(invoice_id=invoice.id, provider="stripe", method="card",
                                amount=Decimal("10"), status=status, held_at=held))
        session.commit()
    with uow.write_session() as session:
        tickets.create_charged_ticket(session, actor=customer, method="cash", last4="",
                                      details="Charged at the counter, no order.")
    with uow.read_session() as session:
        summary = dashboard.home_summary(session, actor=admin)
    assert (summary.holds_old, summary.tickets_open) == (1, 1)
