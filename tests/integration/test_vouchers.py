"""Promotions, vouchers and reservations on a real database: buying (reservation, code, draft
invoice, pending payment), who sees a voucher, the staff list (filters and pages), the
required action and its undo, cancellation, staff-only functions, and the CSV export: its
rows, that it reads in batches while it streams, and the HTTP route in front of it."""

from __future__ import annotations

import codecs
import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from sqlalchemy import insert
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from reserve_app import api
from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from reserve_app.domain.vouchers import (
    BOM,
    CODE_ALPHABET,
    PAGE_SIZE,
    ActionFilter,
    ReservationFacts,
    ReservationFilter,
    matches,
    new_code,
    parse_code,
)
from reserve_app.models import AuditEntry, Invoice, OutboxMessage, Payment, Reservation
from reserve_app.services import uow, vouchers
from reserve_app.services.platform import db

from .helpers import add_admin, add_user, count, login, rows, selects_on

TODAY = date(2030, 6, 1)                               # services take `today`
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
ORIGIN = "http://localhost:3000"                       # APP_URL in the test settings
EXPORT_ROWS = 10_000
HEADER_EN = ["Voucher code", "Customer", "Email", "Promotion", "Variant", "Status",
             "Action done at", "Created at"]
DONE, NOT_DONE = ActionFilter.DONE, ActionFilter.NOT_DONE


# --- fixtures and small helpers ---------------------------------------------------------------


@dataclass(frozen=True)
class Offers:
    admin: Actor
    staff: Actor
    cleo: Actor
    dan: Actor
    summer: int      # promotion with a required action, valid 2030-05-01 .. 2030-08-31
    weekend: int     # its variant: 200.00 + 10 % tax
    week: int        # its variant: 500.00 + 10 % tax
    spa: int         # promotion without a required action or dates
    spa_day: int     # its variant: 80.00, no tax
    withdrawn: int   # a summer variant, removed
    paused: int      # the variant of an inactive promotion
    expired: int     # the variant of a promotion that ended on 2030-05-31
    upcoming: int    # the variant of a promotion that starts on 2030-06-02


def save_promotion(admin: Actor, title: str, **fields: object) -> int:
    with uow.write_session() as session:
        return vouchers.save_promotion(session, actor=admin, promotion_id=0, title=title,
                                       **fields)


def save_variant(admin: Actor, promotion_id: int, name: str, price: str,
                 tax_rate: str = "0") -> int:
    with uow.write_session() as session:
        return vouchers.save_variant(session, actor=admin, promotion_id=promotion_id,
                                     variant_id=0, name=name, price=price, tax_rate=tax_rate)


@pytest.fixture
def o() -> Offers:
    admin = add_admin()
    staff = add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    dan = add_user("Dan Customer", "dan@example.com", Role.CUSTOMER)
    summer = save_promotion(admin, "Summer stay", description="Two nights by the lake",
                            required_action="Show your ID at check-in",
                            instructions="Bring the voucher code to the front desk.",
                            valid_from="2030-05-01", valid_until="2030-08-31")
    weekend = save_variant(admin, summer, "Weekend", "200.00", "10")
    week = save_variant(admin, summer, "Full week", "500.00", "10")
    withdrawn = save_variant(admin, summer, "Old offer", "150.00", "10")
    with uow.write_session() as session:
        vouchers.remove_variant(session, actor=admin, variant_id=withdrawn)
    spa = save_promotion(admin, "Spa day")
    spa_day = save_variant(admin, spa, "Day pass", "80.00")
    paused = save_variant(admin, save_promotion(admin, "Paused", active=False), "P", "10.00")
    expired = save_variant(admin, save_promotion(admin, "Spring", valid_until="2030-05-31"),
                           "S", "10.00")
    upcoming = save_variant(admin, save_promotion(admin, "Autumn", valid_from="2030-06-02"),
                            "A", "10.00")
    return Offers(admin, staff, cleo, dan, summer, weekend, week, spa, spa_day, withdrawn,
                  paused, expired, upcoming)


def buy(actor: Actor | None, variant_id: object, today: date = TODAY,
        now: datetime | None = None) -> str:
    with uow.write_session() as session:
        return vouchers.buy(session, actor=actor, variant_id=variant_id, today=today, now=now)


def voucher(actor: Actor | None, code: object) -> vouchers.VoucherView:
    with uow.read_session() as session:
        return vouchers.voucher(session, actor=actor, code=code)


def reservation_of(code: str) -> Reservation:
    [found] = rows(Reservation, Reservation.code == code)
    return found


def listing(actor: Actor | None, f: ReservationFilter = ReservationFilter(),
            page: int = 1) -> tuple[list[vouchers.ReservationRow], int]:
    with uow.read_session() as session:
        return vouchers.reservations(session, actor=actor, f=f, page=page)


def mark(actor: Actor | None, reservation_id: object, done: object,
         now: datetime = NOW) -> vouchers.VoucherView:
    with uow.write_session() as session:
        return vouchers.set_action_done(session, actor=actor, reservation_id=reservation_id,
                                        done=done, now=now)


def cancel(actor: Actor | None, reservation_id: object) -> vouchers.VoucherView:
    with uow.write_session() as session:
        return vouchers.cancel(session, actor=actor, reservation_id=reservation_id)


def save_notes(actor: Actor | None, reservation_id: object,
               notes: object) -> vouchers.VoucherView:
    with uow.write_session() as session:
        return vouchers.save_notes(session, actor=actor, reservation_id=reservation_id,
                                   notes=notes)


def invoice_of(reservation_id: int) -> Invoice:
    [found] = rows(Invoice, Invoice.order_kind == "reservation",
                   Invoice.order_id == reservation_id)
    return found


def payments_of(invoice_id: int) -> list[Payment]:
    return rows(Payment, Payment.invoice_id == invoice_id)


def audit_of(reservation_id: int) -> list[AuditEntry]:
    return rows(AuditEntry, AuditEntry.entity == "reservation",
                AuditEntry.entity_id == reservation_id)


TABLES: tuple[type[SQLModel], ...] = (Reservation, Invoice, Payment, AuditEntry, OutboxMessage)


def written() -> dict[str, int]:
    """Rows in every table a purchase or a staff action writes to."""
    return {model.__tablename__: count(model) for model in TABLES}


def refused(call: Callable[[], object], error: type[DomainError] = DomainError,
            key: str | None = None) -> DomainError:
    """`call` raises `error` (with message `key`) and writes nothing."""
    before = written()
    snapshot = [(r.id, r.status, r.action_done_at, r.notes) for r in rows(Reservation)]
    with pytest.raises(error) as caught:
        call()
    if key is not None:
        assert caught.value.key == key
    assert written() == before
    assert [(r.id, r.status, r.action_done_at, r.notes) for r in rows(Reservation)] == snapshot
    return caught.value


# --- the storefront ---------------------------------------------------------------------------


def test_offers_are_the_active_promotions_valid_today_with_their_active_variants(
        o: Offers) -> None:
    with uow.read_session() as session:
        shown = vouchers.offers(session, today=TODAY)
    assert [(p.title, [v.name for v in p.variants]) for p in shown] == [
        ("Summer stay", ["Weekend", "Full week"]), ("Spa day", ["Day pass"])]
    weekend = shown[0].variants[0]
    assert (weekend.price, weekend.tax, weekend.gross, weekend.currency) == (
        Decimal("200.00"), Decimal("20.00"), Decimal("220.00"), "EUR")


def test_an_offer_that_is_not_on_sale_today_is_not_found(o: Offers) -> None:
    with uow.read_session() as session:
        assert vouchers.offer(session, promotion_id=o.summer, today=TODAY).title == "Summer stay"
        for day in (date(2030, 4, 30), date(2030, 9, 1)):
            with pytest.raises(NotFound):
                vouchers.offer(session, promotion_id=o.summer, today=day)
        for bad in (999_999, "1", True, None):
            with pytest.raises(NotFound):
                vouchers.offer(session, promotion_id=bad, today=TODAY)


# --- buying -----------------------------------------------------------------------------------


def test_buying_creates_a_reservation_with_a_code_a_draft_invoice_and_a_pending_payment(
        o: Offers) -> None:
    before = written()
    code = buy(o.cleo, o.weekend, now=NOW)
    assert parse_code(code) == code
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)

    r = reservation_of(code)
    assert (r.customer_id, r.promotion_id, r.variant_id, r.status) == (
        o.cleo.user_id, o.summer, o.weekend, "active")
    assert (r.subtotal, r.tax, r.total, r.currency) == (
        Decimal("200.00"), Decimal("20.00"), Decimal("220.00"), "EUR")
    assert r.action_done_at is None and r.action_done_by is None and r.notes == ""
    assert r.created_at == NOW

    invoice = invoice_of(r.id)
    assert (invoice.customer_id, invoice.status, invoice.number) == (o.cleo.user_id, "draft",
                                                                     None)
    assert (invoice.subtotal, invoice.tax, invoice.total, invoice.currency) == (
        Decimal("200.00"), Decimal("20.00"), Decimal("220.00"), "EUR")
    [payment] = payments_of(invoice.id)
    assert (payment.status, payment.provider, payment.amount) == (
        "pending", "manual", Decimal("220.00"))

    [entry] = audit_of(r.id)
    assert (entry.actor_id, entry.action, entry.new_value) == (
        o.cleo.user_id, "reservation_bought", "Summer stay / Weekend")
    assert written() == {"reservations": before["reservations"] + 1,
                         "invoices": before["invoices"] + 1,
                         "payments": before["payments"] + 1,
                         "audit_entries": before["audit_entries"] + 1,
                         "outbox_messages": before["outbox_messages"]}


def test_every_purchase_gets_its_own_code(o: Offers) -> None:
    codes = [buy(o.cleo, o.weekend) for _ in range(5)] + [buy(o.dan, o.spa_day)]
    assert len(set(codes)) == 6
    assert count(Invoice) == count(Payment) == count(Reservation) == 6


def test_a_variant_can_be_bought_on_the_first_and_the_last_day_of_its_promotion(
        o: Offers) -> None:
    buy(o.cleo, o.week, today=date(2030, 5, 1))
    buy(o.cleo, o.week, today=date(2030, 8, 31))
    assert count(Reservation) == 2


@pytest.mark.parametrize("variant", [999_999, 0, -1, "1", "abc", None, True, 1.0, 2**62])
def test_buying_an_unknown_variant_is_refused(o: Offers, variant: object) -> None:
    refused(lambda: buy(o.cleo, variant), NotFound)


@pytest.mark.parametrize("which", ["withdrawn", "paused", "expired", "upcoming"])
def test_buying_what_is_not_on_sale_is_refused(o: Offers, which: str) -> None:
    refused(lambda: buy(o.cleo, getattr(o, which)), NotFound)


@pytest.mark.parametrize("day", [date(2030, 4, 30), date(2030, 9, 1)])
def test_buying_outside_the_promotions_dates_is_refused(o: Offers, day: date) -> None:
    refused(lambda: buy(o.cleo, o.weekend, today=day), NotFound)


def test_a_promotion_switched_off_later_sells_nothing(o: Offers) -> None:
    with uow.write_session() as session:
        vouchers.save_promotion(session, actor=o.admin, promotion_id=o.spa, title="Spa day",
                                active=False)
    refused(lambda: buy(o.cleo, o.spa_day), NotFound)


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_cannot_buy(o: Offers, who: str) -> None:
    refused(lambda: buy(getattr(o, who), o.weekend), DomainError, "voucher.customers_only")


def test_a_visitor_must_log_in_to_buy(o: Offers) -> None:
    refused(lambda: buy(None, o.weekend), Unauthenticated)


# --- seeing a voucher -------------------------------------------------------------------------


def test_the_customer_sees_their_voucher(o: Offers) -> None:
    code = buy(o.cleo, o.weekend, now=NOW)
    v = voucher(o.cleo, code)
    assert (v.code, v.customer, v.customer_email, v.promotion, v.variant, v.status) == (
        code, "Cleo Customer", "cleo@example.com", "Summer stay", "Weekend", "active")
    assert v.required_action == "Show your ID at check-in"
    assert v.instructions == "Bring the voucher code to the front desk."
    assert (v.total, v.currency, v.invoice_status, v.payment_status, v.invoice_number) == (
        Decimal("220.00"), "EUR", "draft", "pending", "")
    assert v.action_done_at is None and v.created_at == NOW


def test_the_code_may_be_typed_in_lower_case_with_spaces(o: Offers) -> None:
    code = buy(o.cleo, o.weekend)
    assert voucher(o.cleo, f"  {code.lower().replace('-', ' - ')} ").code == code


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_see_any_voucher(o: Offers, who: str) -> None:
    code = buy(o.cleo, o.weekend)
    assert voucher(getattr(o, who), code).customer == "Cleo Customer"


def test_another_customers_code_and_a_guessed_code_get_the_same_not_found(o: Offers) -> None:
    code = buy(o.cleo, o.weekend)
    with pytest.raises(NotFound) as someone_elses:
        voucher(o.dan, code)
    guessed = new_code()
    assert guessed != code
    with pytest.raises(NotFound) as made_up:
        voucher(o.dan, guessed)
    with pytest.raises(NotFound):
        voucher(o.staff, guessed)
    assert someone_elses.value.key == made_up.value.key == "error.not_found"
    assert someone_elses.value.params == made_up.value.params == {}


@pytest.mark.parametrize("typed", ["", "abc", None, 123, True, ["ABCD-EFGH-JKMN"],
                                   "ABCD-EFGH-JKM0", "ABCDEFGHJKMN", "x" * 100,
                                   "' OR '1'='1", "%"])
def test_what_cannot_be_a_code_is_not_found(o: Offers, typed: object) -> None:
    buy(o.cleo, o.weekend)
    with pytest.raises(NotFound):
        voucher(o.cleo, typed)


def test_a_visitor_must_log_in_to_see_a_voucher(o: Offers) -> None:
    code = buy(o.cleo, o.weekend)
    with pytest.raises(Unauthenticated):
        voucher(None, code)


def test_my_vouchers_are_mine_only_newest_first(o: Offers) -> None:
    first = buy(o.cleo, o.weekend)
    buy(o.dan, o.week)
    second = buy(o.cleo, o.spa_day)
    with uow.read_session() as session:
        assert [v.code for v in vouchers.my_vouchers(session, actor=o.cleo)] == [second, first]
        assert vouchers.my_vouchers(session, actor=o.staff) == []
        with pytest.raises(Unauthenticated):
            vouchers.my_vouchers(session, actor=None)


# --- the staff list: filters and pages --------------------------------------------------------


@pytest.fixture
def bought(o: Offers) -> list[Reservation]:
    """Eleven reservations over both promotions and three variants; some actions done."""
    plan = [(o.cleo, o.weekend), (o.dan, o.weekend), (o.cleo, o.week), (o.dan, o.week),
            (o.cleo, o.spa_day), (o.dan, o.spa_day), (o.cleo, o.weekend), (o.dan, o.week),
            (o.cleo, o.week), (o.dan, o.weekend), (o.cleo, o.spa_day)]
    codes = [buy(who, variant) for who, variant in plan]
    for n in (1, 2, 6, 9):                                   # summer reservations only
        mark(o.staff, reservation_of(codes[n]).id, True)
    return [reservation_of(c) for c in codes]


def test_staff_filters_agree_with_the_rule_for_every_combination(
        o: Offers, bought: list[Reservation]) -> None:
    facts = {r.id: ReservationFacts(r.promotion_id, r.variant_id, r.action_done_at is not None)
             for r in bought}
    promotions = [None, o.summer, o.spa, 999_999]
    variants = [None, o.weekend, o.week, o.spa_day, o.withdrawn]
    actions = [None, DONE, NOT_DONE]
    seen_sizes = set()
    for p, v, a in product(promotions, variants, actions):
        f = ReservationFilter(p, v, a)
        found, total = listing(o.staff, f)
        expected = sorted((i for i, fact in facts.items() if matches(f, fact)), reverse=True)
        assert [r.id for r in found] == expected, f
        assert total == len(expected), f
        seen_sizes.add(len(expected))
    assert len(seen_sizes) > 4            # the combinations really narrow differently


@pytest.mark.parametrize(("choice", "expected"), [
    (("summer", None, None), [9, 8, 7, 6, 3, 2, 1, 0]),
    (("spa", None, None), [10, 5, 4]),
    ((None, "week", None), [8, 7, 3, 2]),
    ((None, None, DONE), [9, 6, 2, 1]),
    ((None, None, NOT_DONE), [10, 8, 7, 5, 4, 3, 0]),
    (("summer", "weekend", DONE), [9, 6, 1]),
    (("summer", "weekend", NOT_DONE), [0]),
    (("summer", "spa_day", None), []),
    (("spa", None, DONE), []),
])
def test_staff_filters_by_hand(o: Offers, bought: list[Reservation], choice: tuple,
                               expected: list[int]) -> None:
    p, v, a = choice
    f = ReservationFilter(getattr(o, p) if p else None, getattr(o, v) if v else None, a)
    found, total = listing(o.staff, f)
    assert [r.id for r in found] == [bought[n].id for n in expected]
    assert total == len(expected)


def test_a_row_of_the_list_shows_what_staff_need(o: Offers, bought: list[Reservation]) -> None:
    found, _ = listing(o.staff, ReservationFilter(None, o.weekend, DONE))
    row = found[-1]
    assert (row.code, row.customer, row.email, row.promotion, row.variant, row.status) == (
        bought[1].code, "Dan Customer", "dan@example.com", "Summer stay", "Weekend", "active")
    assert row.action_done_at == NOW


def test_filter_choices_list_every_promotion_with_all_its_variants(o: Offers) -> None:
    with uow.read_session() as session:
        choices = vouchers.filter_choices(session, actor=o.staff)
    by_id = {p: (title, [v for v, _ in variants]) for p, title, variants in choices}
    assert by_id[o.summer] == ("Summer stay", [o.weekend, o.week, o.withdrawn])
    assert by_id[o.spa] == ("Spa day", [o.spa_day])
    assert len(by_id) == 5


def bulk_reservations(o: Offers, n: int, *, start: datetime = NOW,
                      customers: list[Actor] | None = None) -> list[dict]:
    """`n` reservations inserted in one statement (no invoices: the list and the export do not
    read them). Variants in turn weekend, week, spa day; every third summer one done, every
    seventh not-done one cancelled. Returns the rows as inserted."""
    people = customers or [o.cleo, o.dan]
    plan = [(o.summer, o.weekend, Decimal("200.00")), (o.summer, o.week, Decimal("500.00")),
            (o.spa, o.spa_day, Decimal("80.00"))]
    codes: set[str] = set()
    values = []
    for i in range(n):
        promotion, variant, price = plan[i % 3]
        done = promotion == o.summer and i % 4 == 0
        code = new_code()
        while code in codes:   # practically never
            code = new_code()
        codes.add(code)
        values.append({
            "code": code, "customer_id": people[i % len(people)].user_id,
            "promotion_id": promotion, "variant_id": variant,
            "status": "cancelled" if not done and i % 7 == 0 else "active",
            "subtotal": price, "tax": Decimal("0.00"), "total": price, "currency": "EUR",
            "notes": "", "action_done_at": start + timedelta(hours=1, seconds=i) if done else None,
            "action_done_by": o.staff.user_id if done else None,
            "created_at": start + timedelta(seconds=i)})
    with uow.write_session() as session:
        session.connection().execute(insert(Reservation.__table__), values)
        session.commit()
    return values


def test_pages_of_page_size_newest_first(o: Offers) -> None:
    bulk_reservations(o, 2 * PAGE_SIZE + 3)
    all_ids = [r.id for r in rows(Reservation)][::-1]
    pages = [listing(o.staff, page=n) for n in (1, 2, 3)]
    assert [total for _, total in pages] == [2 * PAGE_SIZE + 3] * 3
    assert [len(found) for found, _ in pages] == [PAGE_SIZE, PAGE_SIZE, 3]
    assert [r.id for found, _ in pages for r in found] == all_ids
    # Out-of-range pages show the nearest page.
    assert [r.id for r in listing(o.staff, page=99)[0]] == all_ids[2 * PAGE_SIZE:]
    assert [r.id for r in listing(o.staff, page=0)[0]] == all_ids[:PAGE_SIZE]
    assert [r.id for r in listing(o.staff, page=-5)[0]] == all_ids[:PAGE_SIZE]


def test_pages_of_a_filtered_list(o: Offers) -> None:
    inserted = bulk_reservations(o, 6 * PAGE_SIZE)
    f = ReservationFilter(o.summer, None, NOT_DONE)
    expected_codes = [v["code"] for v in inserted
                      if v["promotion_id"] == o.summer and v["action_done_at"] is None][::-1]
    assert len(expected_codes) > 2 * PAGE_SIZE
    seen, n = [], 1
    while True:
        found, total = listing(o.staff, f, page=n)
        assert total == len(expected_codes)
        assert len(found) <= PAGE_SIZE
        seen += [r.code for r in found]
        if n * PAGE_SIZE >= total:
            break
        n += 1
    assert seen == expected_codes


def test_an_empty_list_is_one_empty_page(o: Offers) -> None:
    assert listing(o.staff, page=3) == ([], 0)


# --- the required action ----------------------------------------------------------------------


def test_staff_mark_the_action_done_and_undo_it_both_audited(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    done = mark(o.staff, r.id, True, now=NOW)
    assert done.action_done_at == NOW
    stored = reservation_of(r.code)
    assert (stored.action_done_at, stored.action_done_by) == (NOW, o.staff.user_id)
    assert voucher(o.cleo, r.code).action_done_at == NOW      # the customer sees it too

    later = NOW + timedelta(minutes=5)
    undone = mark(o.staff, r.id, False, now=later)
    assert undone.action_done_at is None
    stored = reservation_of(r.code)
    assert (stored.action_done_at, stored.action_done_by) == (None, None)

    trail = [(e.actor_id, e.action, e.old_value, e.new_value) for e in audit_of(r.id)][1:]
    assert trail == [(o.staff.user_id, "action_done", "", NOW.isoformat()),
                     (o.staff.user_id, "action_undone", NOW.isoformat(), "")]


def test_marking_what_is_already_so_changes_nothing(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    mark(o.staff, r.id, False)                         # not done yet: nothing to undo
    mark(o.staff, r.id, True, now=NOW)
    mark(o.admin, r.id, True, now=NOW + timedelta(hours=1))
    stored = reservation_of(r.code)
    assert (stored.action_done_at, stored.action_done_by) == (NOW, o.staff.user_id)
    assert [e.action for e in audit_of(r.id)] == ["reservation_bought", "action_done"]


@pytest.mark.parametrize("done", ["true", "1", 1, 0, None, "yes"])
def test_done_must_be_true_or_false(o: Offers, done: object) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    refused(lambda: mark(o.staff, r.id, done), ValidationFailed)


def test_a_promotion_without_a_required_action_has_nothing_to_mark(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.spa_day))
    refused(lambda: mark(o.staff, r.id, True), DomainError, "voucher.no_action")


@pytest.mark.parametrize("rid", [999_999, "1", True, None, -1])
def test_marking_an_unknown_reservation_is_not_found(o: Offers, rid: object) -> None:
    buy(o.cleo, o.weekend)
    refused(lambda: mark(o.staff, rid, True), NotFound)


# --- staff-only functions ---------------------------------------------------------------------


def staff_calls(o: Offers, rid: int) -> dict[str, Callable[[Actor | None], object]]:
    def read(fn: Callable) -> Callable[[Actor | None], object]:
        def call(actor: Actor | None) -> object:
            with uow.read_session() as session:
                return fn(session, actor)
        return call

    return {
        "reservations": lambda a: listing(a),
        "reservations filtered": lambda a: listing(a, ReservationFilter(o.summer)),
        "reservation": read(lambda s, a: vouchers.reservation(s, actor=a, reservation_id=rid)),
        "filter_choices": read(lambda s, a: vouchers.filter_choices(s, actor=a)),
        "set_action_done": lambda a: mark(a, rid, True),
        "undo action": lambda a: mark(a, rid, False),
        "cancel": lambda a: cancel(a, rid),
        "save_notes": lambda a: save_notes(a, rid, "call back"),
        "check_export": read(lambda s, a: vouchers.check_export(s, actor=a)),
    }


@pytest.mark.parametrize("function", ["reservations", "reservations filtered", "reservation",
                                      "filter_choices", "set_action_done", "undo action",
                                      "cancel", "save_notes", "check_export"])
def test_customers_and_visitors_cannot_use_staff_functions(o: Offers, function: str) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    call = staff_calls(o, r.id)[function]
    refused(lambda: call(o.cleo), Forbidden)     # even about their own voucher
    refused(lambda: call(o.dan), Forbidden)
    refused(lambda: call(None), Unauthenticated)
    if function == "undo action":                # staff may: then the undo has something to do
        mark(o.staff, r.id, True)
        refused(lambda: call(o.cleo), Forbidden)
        assert reservation_of(r.code).action_done_at == NOW


def test_staff_may_use_them(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    calls = staff_calls(o, r.id)
    for name in ("reservations", "reservation", "filter_choices", "set_action_done",
                 "undo action", "save_notes", "check_export", "cancel"):
        calls[name](o.staff)
    assert reservation_of(r.code).status == "cancelled"


def test_only_admins_change_promotions(o: Offers) -> None:
    for who in (o.staff, o.cleo):
        with uow.write_session() as session, pytest.raises(Forbidden):
            vouchers.save_promotion(session, actor=who, promotion_id=0, title="Mine")
        with uow.write_session() as session, pytest.raises(Forbidden):
            vouchers.save_variant(session, actor=who, promotion_id=o.summer, variant_id=0,
                                  name="Cheap", price="1.00")
        with uow.write_session() as session, pytest.raises(Forbidden):
            vouchers.remove_variant(session, actor=who, variant_id=o.weekend)


# --- editing promotions and variants (admin) -------------------------------------------------


def edit_variant(actor: Actor | None, promotion_id: object, variant_id: object,
                 **changes: object) -> int:
    values: dict[str, object] = {"name": "Weekend", "price": "200.00", "tax_rate": "10",
                                 **changes}
    with uow.write_session() as session:
        return vouchers.save_variant(session, actor=actor, promotion_id=promotion_id,
                                     variant_id=variant_id, **values)


def _promotion_rows() -> list[object]:
    """Everything editing a promotion or a variant may change."""
    from reserve_app.models import Promotion, PromotionVariant

    return [[tuple(r.model_dump().values()) for r in rows(model)]
            for model in (Promotion, PromotionVariant, AuditEntry, Reservation, Invoice)]


def _audit_rows(entity: str, entity_id: int) -> list[tuple[int | None, str, str, str, str]]:
    return [(a.actor_id, a.action, a.old_value, a.new_value, a.note)
            for a in rows(AuditEntry, AuditEntry.entity == entity,
                          AuditEntry.entity_id == entity_id)]


def test_admin_edits_a_variant_and_bought_reservations_keep_their_amounts(o: Offers) -> None:
    bought = reservation_of(buy(o.cleo, o.weekend))           # 200.00 + 10 %

    same = edit_variant(o.admin, o.summer, o.weekend, name=" Long weekend ", price="260,00",
                        tax_rate="5")

    assert same == o.weekend
    with uow.read_session() as session:
        [summer] = [p for p in vouchers.offers(session, today=TODAY) if p.id == o.summer]
    weekend = summer.variants[0]
    assert (weekend.name, weekend.price, weekend.tax_rate, weekend.tax, weekend.gross) == (
        "Long weekend", Decimal("260.00"), Decimal("5"), Decimal("13.00"), Decimal("273.00"))
    assert _audit_rows("promotion_variant", o.weekend)[-1] == (
        o.admin.user_id, "variant_changed", "name: Weekend; price: 200.00; tax rate: 10.00",
        "name: Long weekend; price: 260.00; tax rate: 5.00", "name, price, tax rate")
    kept = reservation_of(bought.code)
    assert (kept.subtotal, kept.tax, kept.total) == (
        Decimal("200.00"), Decimal("20.00"), Decimal("220.00"))
    assert rows(Invoice)[-1].total == Decimal("220.00")
    assert rows(Payment)[-1].amount == Decimal("220.00")
    # A new purchase pays the new price.
    assert reservation_of(buy(o.dan, o.weekend)).total == Decimal("273.00")


def test_bad_variant_edits_are_refused_and_nothing_changes(o: Offers,
                                                           subtests: pytest.Subtests) -> None:
    before = _promotion_rows()
    for case, (promotion_id, variant_id, changes, expected) in {
        "blank_name": (o.summer, o.weekend, {"name": " "}, {"name": "field.required"}),
        "zero_price": (o.summer, o.weekend, {"price": "0"}, {"price": "field.amount_invalid"}),
        "bad_price": (o.summer, o.weekend, {"price": "-5"}, {"price": "field.amount_invalid"}),
        "bad_rate": (o.summer, o.weekend, {"tax_rate": "101"}, {"tax_rate": "field.rate_invalid"}),
        "unknown_variant": (o.summer, 10**9, {}, NotFound),
        "variant_as_text": (o.summer, str(o.weekend), {}, NotFound),
        "another_promotions_variant": (o.spa, o.weekend, {}, NotFound),
        "unknown_promotion": (10**9, o.weekend, {}, NotFound),
        "removed_variant": (o.summer, o.withdrawn, {}, NotFound),
    }.items():
        with subtests.test(case=case):
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                edit_variant(o.admin, promotion_id, variant_id, **changes)
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert _promotion_rows() == before


def test_only_admins_edit_variants(o: Offers) -> None:
    before = _promotion_rows()
    for who, error in [(None, Unauthenticated), (o.cleo, Forbidden), (o.staff, Forbidden)]:
        with pytest.raises(error):
            edit_variant(who, o.summer, o.weekend, price="1.00")
        assert _promotion_rows() == before


def test_an_edited_promotion_is_audited_with_what_changed(o: Offers) -> None:
    with uow.write_session() as session:
        vouchers.save_promotion(session, actor=o.admin, promotion_id=o.spa, title="Spa day",
                                required_action="Book a time by phone",
                                valid_until="2030-12-31")
    assert _audit_rows("promotion", o.spa)[-1] == (
        o.admin.user_id, "promotion_changed", "required action: ; valid until: -",
        "required action: Book a time by phone; valid until: 2030-12-31",
        "required action, valid until")
    before = _promotion_rows()
    with uow.write_session() as session:  # saved again unchanged: no row
        vouchers.save_promotion(session, actor=o.admin, promotion_id=o.spa, title="Spa day",
                                required_action="Book a time by phone",
                                valid_until="2030-12-31")
    assert _promotion_rows() == before


def test_staff_notes_are_saved_and_audited(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    assert save_notes(o.staff, r.id, "  Late arrival, ~22:00  ").notes == "Late arrival, ~22:00"
    assert reservation_of(r.code).notes == "Late arrival, ~22:00"
    last = audit_of(r.id)[-1]
    assert (last.action, last.old_value, last.new_value) == (
        "notes_changed", "", "Late arrival, ~22:00")
    refused(lambda: save_notes(o.staff, r.id, "x" * 2001), ValidationFailed)


# --- cancellation -----------------------------------------------------------------------------


def test_customer_service_cancels_before_the_action_is_done(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    view = cancel(o.staff, r.id)
    assert (view.status, view.invoice_status, view.payment_status) == (
        "cancelled", "void", "void")
    assert reservation_of(r.code).status == "cancelled"
    invoice = invoice_of(r.id)
    assert invoice.status == "void"
    assert [p.status for p in payments_of(invoice.id)] == ["void"]
    last = audit_of(r.id)[-1]
    assert (last.actor_id, last.action, last.old_value, last.new_value) == (
        o.staff.user_id, "reservation_cancelled", "active", "cancelled")
    assert voucher(o.cleo, r.code).status == "cancelled"
    # Twice is refused, and changes nothing; nor can its action be marked done any more.
    refused(lambda: cancel(o.staff, r.id), DomainError, "voucher.already_cancelled")
    refused(lambda: mark(o.staff, r.id, True), DomainError, "voucher.already_cancelled")
    assert reservation_of(r.code).action_done_at is None


def test_cancelling_after_the_action_is_done_is_refused_and_changes_nothing(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    mark(o.staff, r.id, True)
    refused(lambda: cancel(o.staff, r.id), DomainError, "voucher.cancel_contact_business")
    refused(lambda: cancel(o.admin, r.id), DomainError, "voucher.cancel_contact_business")
    stored = reservation_of(r.code)
    assert (stored.status, stored.action_done_at) == ("active", NOW)
    invoice = invoice_of(r.id)
    assert invoice.status == "draft"
    assert [p.status for p in payments_of(invoice.id)] == ["pending"]


def test_after_an_undo_the_voucher_may_be_cancelled_again(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    mark(o.staff, r.id, True)
    mark(o.staff, r.id, False)
    assert cancel(o.staff, r.id).status == "cancelled"


def approve(actor: Actor | None, reservation_id: object,
            payment_id: object) -> vouchers.VoucherView:
    with uow.write_session() as session:
        return vouchers.approve_payment(session, actor=actor, reservation_id=reservation_id,
                                        payment_id=payment_id, now=NOW)


def test_a_paid_invoice_stays_paid_when_the_voucher_is_cancelled(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    approve(o.admin, r.id, voucher(o.cleo, r.code).payment_id)
    view = cancel(o.staff, r.id)
    assert (view.status, view.invoice_status, view.payment_status) == (
        "cancelled", "paid", "approved")
    assert invoice_of(r.id).status == "paid"


# --- approving the payment (manual provider) --------------------------------------------------


def test_an_admin_approves_the_pending_payment_and_the_customer_is_emailed(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    pending = voucher(o.staff, r.code)
    assert pending.payment_status == "pending" and pending.payment_id
    view = approve(o.admin, r.id, pending.payment_id)
    assert (view.invoice_status, view.payment_status) == ("paid", "approved")
    assert view.invoice_number
    invoice = invoice_of(r.id)
    assert (invoice.status, invoice.number, invoice.paid_at) == ("paid", view.invoice_number, NOW)
    [mail] = rows(OutboxMessage)
    assert mail.to_email == "cleo@example.com" and mail.kind == "voucher_payment_approved"
    assert r.code in mail.subject and view.invoice_number in mail.body
    assert voucher(o.cleo, r.code).payment_status == "approved"
    # Approving again is refused and writes nothing.
    refused(lambda: approve(o.admin, r.id, pending.payment_id), DomainError)


def test_only_an_admin_approves_a_payment(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    payment_id = voucher(o.cleo, r.code).payment_id
    refused(lambda: approve(o.staff, r.id, payment_id), Forbidden)
    refused(lambda: approve(o.cleo, r.id, payment_id), Forbidden)
    refused(lambda: approve(None, r.id, payment_id), Unauthenticated)


def test_a_payment_of_another_reservation_is_not_found(o: Offers) -> None:
    mine = reservation_of(buy(o.cleo, o.weekend))
    other = reservation_of(buy(o.dan, o.week))
    others_payment = voucher(o.dan, other.code).payment_id
    for payment_id in (others_payment, 999_999, str(others_payment), None):
        refused(lambda p=payment_id: approve(o.admin, mine.id, p), NotFound)
    refused(lambda: approve(o.admin, 999_999, others_payment), NotFound)
    assert voucher(o.dan, other.code).payment_status == "pending"


def test_the_voided_payment_of_a_cancelled_voucher_cannot_be_approved(o: Offers) -> None:
    r = reservation_of(buy(o.cleo, o.weekend))
    payment_id = voucher(o.cleo, r.code).payment_id
    cancel(o.staff, r.id)
    refused(lambda: approve(o.admin, r.id, payment_id), DomainError)
    assert invoice_of(r.id).status == "void"


def test_cancelling_an_unknown_reservation_is_not_found(o: Offers) -> None:
    buy(o.cleo, o.weekend)
    for rid in (999_999, "1", True, None):
        refused(lambda rid=rid: cancel(o.staff, rid), NotFound)


# --- the CSV export ---------------------------------------------------------------------------

EXPORT_PEOPLE = [
    ("سارة العلي", "sara@example.com"),                                # Arabic
    ("יעל כהן", "yael@example.com"),                                   # Hebrew
    ("Łukasz Żółćkiewicz", "lukasz@example.com"),                      # Polish
    ("Анна Смирнова", "anna@example.com"),                             # Russian
    ('=HYPERLINK("http://evil.example","Click me")', "eve@example.com"),
    ('Dana "DJ" O\'Brien, Jr.', "dana@example.com"),
]


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def expected_row(o: Offers, v: dict, people: dict[int, tuple[str, str]]) -> list[str]:
    name, email = people[v["customer_id"]]
    titles = {o.summer: "Summer stay", o.spa: "Spa day"}
    names = {o.weekend: "Weekend", o.week: "Full week", o.spa_day: "Day pass"}
    done = v["action_done_at"]
    return [v["code"], "'" + name if name.startswith("=") else name, email,
            titles[v["promotion_id"]], names[v["variant_id"]],
            {"active": "Active", "cancelled": "Cancelled"}[v["status"]],
            done.isoformat(timespec="seconds") if done else "",
            v["created_at"].isoformat(timespec="seconds")]


@dataclass
class Export:
    inserted: list[dict]                        # in id order
    people: dict[int, tuple[str, str]]          # customer id -> (name, email)
    ids: list[int]


@pytest.fixture
def big(o: Offers) -> Export:
    customers = [add_user(name, email, Role.CUSTOMER) for name, email in EXPORT_PEOPLE]
    values = bulk_reservations(o, EXPORT_ROWS, customers=customers)
    stored = rows(Reservation)
    by_code = {v["code"]: v for v in values}
    return Export([by_code[r.code] for r in stored],
                  {c.user_id: (c.name, c.email) for c in customers}, [r.id for r in stored])


def test_the_export_has_every_row_in_id_order_with_formulas_neutralised(
        o: Offers, big: Export) -> None:
    with selects_on("reservations") as reads:
        text = "".join(vouchers.export_csv(ReservationFilter(), None, "en"))
    parsed = parse_csv(text)
    assert parsed[0] == HEADER_EN
    assert len(parsed) == EXPORT_ROWS + 1
    assert [r[0] for r in parsed[1:]] == [v["code"] for v in big.inserted]
    assert parsed[1:] == [expected_row(o, v, big.people) for v in big.inserted]
    names = {r[1] for r in parsed[1:]}
    assert names == {"سارة العلي", "יעל כהן", "Łukasz Żółćkiewicz", "Анна Смирнова",
                     '\'=HYPERLINK("http://evil.example","Click me")', 'Dana "DJ" O\'Brien, Jr.'}
    assert {r[5] for r in parsed[1:]} == {"Active", "Cancelled"}
    assert any(r[6] for r in parsed[1:]) and not all(r[6] for r in parsed[1:])
    # Read in batches: ceil(rows / batch) full or partial batches, and one that finds no more.
    assert len(reads) == math.ceil(EXPORT_ROWS / vouchers.EXPORT_BATCH) + 1
    # Each line is one record ending in CRLF.
    assert text.count("\r\n") == EXPORT_ROWS + 1


def test_the_export_streams_reading_one_batch_at_a_time(o: Offers, big: Export) -> None:
    batch = vouchers.EXPORT_BATCH
    pool = db.engine().pool
    with selects_on("reservations") as reads:
        lines = vouchers.export_csv(ReservationFilter(), None, "en")
        assert reads == []                            # nothing read before it is asked for
        header = next(lines)
        assert header.startswith(BOM + "Voucher code,") and reads == []
        first = next(lines)
        assert first.startswith(big.inserted[0]["code"] + ",")
        assert len(reads) == 1                        # the first line before the second batch
        assert pool.checkedout() == 0                 # no connection held between batches
        for _ in range(batch - 1):                    # the rest of the first batch
            next(lines)
        assert len(reads) == 1
        assert next(lines).startswith(big.inserted[batch]["code"] + ",")
        assert len(reads) == 2
        assert pool.checkedout() == 0
        rest = list(lines)
    assert len(rest) == EXPORT_ROWS - batch - 1
    assert len(reads) == math.ceil(EXPORT_ROWS / batch) + 1


def test_the_batch_size_sets_the_number_of_reads(o: Offers, big: Export) -> None:
    with selects_on("reservations") as reads:
        lines = list(vouchers.export_csv(ReservationFilter(), None, "en", batch=3000))
    assert len(lines) == EXPORT_ROWS + 1
    assert len(reads) == math.ceil(EXPORT_ROWS / 3000) + 1


def test_a_filtered_export_has_exactly_the_matching_rows(o: Offers, big: Export) -> None:
    for f in (ReservationFilter(o.summer, None, DONE), ReservationFilter(None, o.spa_day),
              ReservationFilter(o.summer, o.week, NOT_DONE), ReservationFilter(o.spa, None, DONE)):
        parsed = parse_csv("".join(vouchers.export_csv(f, None, "en")))
        expected = [expected_row(o, v, big.people) for v in big.inserted
                    if matches(f, ReservationFacts(v["promotion_id"], v["variant_id"],
                                                   v["action_done_at"] is not None))]
        assert parsed[1:] == expected, f


def test_an_export_of_chosen_ids_has_only_those(o: Offers, big: Export) -> None:
    chosen = [big.ids[0], big.ids[1], big.ids[777], big.ids[5000], big.ids[-1]]
    parsed = parse_csv("".join(vouchers.export_csv(ReservationFilter(), chosen + [10**9],
                                                   "en")))
    assert [r[0] for r in parsed[1:]] == [big.inserted[i]["code"] for i in (0, 1, 777, 5000, -1)]
    # Across several batches, and narrowed further by a filter.
    with selects_on("reservations") as reads:
        parsed = parse_csv("".join(vouchers.export_csv(ReservationFilter(None, o.weekend),
                                                       big.ids[:30], "en", batch=4)))
    weekend = [v["code"] for v in big.inserted[:30] if v["variant_id"] == o.weekend]
    assert [r[0] for r in parsed[1:]] == weekend
    assert len(reads) == math.ceil(len(weekend) / 4) + 1


def test_an_export_of_many_chosen_ids(o: Offers, big: Export) -> None:
    chosen = big.ids[::2][:api.MAX_EXPORT_IDS]
    parsed = parse_csv("".join(vouchers.export_csv(ReservationFilter(), chosen, "en")))
    assert [r[0] for r in parsed[1:]] == [v["code"] for v in big.inserted[::2]]


def test_the_header_is_in_the_staff_members_language(o: Offers) -> None:
    buy(o.cleo, o.weekend)
    header = parse_csv(next(vouchers.export_csv(ReservationFilter(), None, "ar")))[0]
    assert header[0] == "رمز القسيمة" and len(header) == 8
    row = parse_csv("".join(vouchers.export_csv(ReservationFilter(), None, "ar")))[1]
    assert row[5] == "نشطة"


def test_an_export_with_nothing_matching_is_the_header_alone(o: Offers) -> None:
    assert parse_csv("".join(vouchers.export_csv(ReservationFilter(), None, "en"))) == [
        HEADER_EN]


# --- the export route -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    o: Offers
    bought: list[Reservation]
    staff: str          # session cookies
    cleo: str
    admin: str


@pytest.fixture
def route(o: Offers, bought: list[Reservation]) -> Route:
    return Route(o, bought, login("stan@example.com"), login("cleo@example.com"),
                 login("ada@example.com"))


def post_export(cookie: str | None, data: dict[str, str], *, origin: str | None = ORIGIN,
                headers: dict[str, str] | None = None):  # noqa: ANN201
    client = TestClient(api.routes)
    if cookie:
        client.cookies.set("sid", cookie)
    sent = {"Origin": origin} if origin else {}
    return client.post("/api/reservations/export", data=data,
                       headers={**sent, **(headers or {})})


def codes_in(response) -> list[str]:  # noqa: ANN001
    assert response.content.startswith(codecs.BOM_UTF8)
    parsed = parse_csv(response.content.decode("utf-8"))
    assert parsed[0] == HEADER_EN
    return [r[0] for r in parsed[1:]]


def test_staff_export_all_rows_matching_the_filter(route: Route) -> None:
    o, b = route.o, route.bought
    response = post_export(route.staff, {"ids": "all", "promotion": str(o.summer),
                                         "variant": "", "action": "done"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "charset=utf-8" in response.headers["content-type"]
    assert response.headers["content-disposition"] == 'attachment; filename="reservations.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert codes_in(response) == [b[n].code for n in (1, 2, 6, 9)]


def test_staff_export_everything_without_a_filter(route: Route) -> None:
    response = post_export(route.admin, {"ids": "all"})
    assert response.status_code == 200
    assert codes_in(response) == [r.code for r in route.bought]


def test_staff_export_the_chosen_rows(route: Route) -> None:
    o, b = route.o, route.bought
    chosen = f"{b[4].id},{b[0].id},{b[2].id},{b[0].id},999999"
    assert codes_in(post_export(route.staff, {"ids": chosen})) == [
        b[0].code, b[2].code, b[4].code]
    # The filter narrows the chosen rows too.
    assert codes_in(post_export(route.staff, {"ids": chosen, "variant": str(o.spa_day)})) == [
        b[4].code]


def test_a_same_origin_referer_is_enough(route: Route) -> None:
    response = post_export(route.staff, {"ids": "all"}, origin=None,
                           headers={"Referer": f"{ORIGIN}/staff/reservations"})
    assert response.status_code == 200 and len(codes_in(response)) == 11


def assert_refused(response) -> None:  # noqa: ANN001
    assert response.status_code == 403
    assert "text/csv" not in response.headers.get("content-type", "")
    assert "Voucher code" not in response.text


@pytest.mark.parametrize("who", ["cleo", None, "forged"])
def test_customers_and_visitors_get_403(route: Route, who: str | None) -> None:
    cookie = {"cleo": route.cleo, "forged": "x" * 43}.get(who) if who else None
    response = post_export(cookie, {"ids": "all"})
    assert_refused(response)
    assert not any(r.code in response.text for r in route.bought)


@pytest.mark.parametrize(("origin", "referer"), [
    ("http://evil.example", None), ("http://localhost:3001", None),
    ("https://localhost:3000", None), ("null", None), (None, None),
    (None, "http://evil.example/staff"),
])
def test_a_request_from_another_origin_gets_403(route: Route, origin: str | None,
                                                referer: str | None) -> None:
    response = post_export(route.staff, {"ids": "all"}, origin=origin,
                           headers={"Referer": referer} if referer else None)
    assert_refused(response)
    assert not any(r.code in response.text for r in route.bought)


@pytest.mark.parametrize("ids", ["", "1,,2", "abc", "1;2", "-1", "1.5", " 1", "1 ", "ALL",
                                 "all,1", "1,all", "١", "1e3", "999999999999",
                                 ",".join(["1"] * (api.MAX_EXPORT_IDS + 1))])
def test_malformed_ids_get_403(route: Route, ids: str) -> None:
    assert_refused(post_export(route.staff, {"ids": ids}))


def test_missing_ids_get_403(route: Route) -> None:
    assert_refused(post_export(route.staff, {"promotion": str(route.o.summer)}))


@pytest.mark.parametrize("field", [{"promotion": "abc"}, {"variant": "-1"},
                                   {"action": "finished"}, {"promotion": "1.5"}])
def test_a_malformed_filter_gets_403(route: Route, field: dict[str, str]) -> None:
    assert_refused(post_export(route.staff, {"ids": "all", **field}))


def test_only_post_is_answered(route: Route) -> None:
    client = TestClient(api.routes)
    client.cookies.set("sid", route.staff)
    assert client.get("/api/reservations/export?ids=all",
                      headers={"Origin": ORIGIN}).status_code == 405


def test_a_declared_body_over_the_limit_gets_413(route: Route) -> None:
    response = post_export(route.staff, {"ids": "all", "pad": "x" * 200_001})
    assert response.status_code == 413
    assert "text/csv" not in response.headers.get("content-type", "")


async def test_a_body_without_a_declared_length_is_not_read_past_the_limit(
        route: Route) -> None:
    """Chunked (no Content-Length) from a visitor with a copied Origin header, as any script
    outside a browser can send: refused without reading more than the route's 200,000-byte
    limit (plus the chunk in hand), as with a declared length."""
    chunk, limit = 64 * 1024, 200_000
    fields = [b"ids=all"] + [b"pad=" + b"x" * 900_000] * 9        # ~8 MB, no field over 1 MB
    body = b"&".join(fields)
    read = 0

    async def receive() -> dict:
        nonlocal read
        piece = body[read:read + chunk]
        read += len(piece)
        return {"type": "http.request", "body": piece, "more_body": read < len(body)}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/reservations/export",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("localhost", 3000), "client": ("127.0.0.1", 50000),
             "headers": [(b"origin", ORIGIN.encode()), (b"transfer-encoding", b"chunked"),
                         (b"content-type", b"application/x-www-form-urlencoded")]}
    await api.routes(scope, receive, send)
    assert sent[0]["status"] in (400, 403, 411, 413)
    assert read <= limit + chunk, f"read {read:,} bytes of an anonymous request"
