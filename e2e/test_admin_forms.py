"""Admin forms show what is in force, and the per-row forms of staff pages save (issue 13).

- Settings forms (rental, shop) show the saved values on every new screen and after every
  save; a save from a screen filled before another change is refused instead of undoing it.
- An open shop must offer a payment method.
- "Save fulfilment" on the staff Orders panel and "Add variant" on an existing promotion work
  (both were per-row forms whose handler never ran: a browser ReferenceError).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from decimal import Decimal

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from reserve_app.services import shop
from reserve_app.services.rentals import catalog as rental_catalog

from .conftest import App
from .helpers import log_in_as, open_page
from .test_shop import order_name
from .test_tickets import app_session, cancel_order, new_customer, place_old_order
from .test_vouchers import user_actor

NewContext = Callable[..., BrowserContext]


def admin_on(new_context: NewContext, path: str) -> Page:
    """A new screen: a fresh browser context, logged in as the demo admin."""
    page = new_context().new_page()
    log_in_as(page, "admin")
    open_page(page, path)
    return page


def rental_settings(app: App) -> tuple:
    return app.query("SELECT booking_enabled, initial_status, payments_enabled"
                     " FROM rental_settings WHERE id = 1")[0]


def shop_settings(app: App) -> tuple:
    return app.query("SELECT enabled, methods FROM shop_settings WHERE id = 1")[0]


@pytest.fixture()
def restore_settings(app: App) -> Iterator[None]:
    """Other tests expect the demo settings: put them back, as they were, afterwards, with
    the app's own use cases (as the demo admin) on the app's database, whichever it is."""
    with app_session(app) as session:
        rental, shop_now = rental_catalog.settings_view(session), shop.settings_view(session)
    yield
    with app_session(app) as session:
        admin = user_actor(session, "admin@example.com")
        rental_catalog.save_settings(session, actor=admin, **asdict(rental))
        shop.save_settings(session, actor=admin, enabled=shop_now.enabled,
                           methods=shop_now.methods)
    with app_session(app) as session:
        assert rental_catalog.settings_view(session) == rental
        assert shop.settings_view(session) == shop_now


def test_rental_settings_show_what_is_in_force_on_a_new_screen(
        new_context: NewContext, app: App, restore_settings: None) -> None:
    first = admin_on(new_context, "/staff/rental-settings")
    payments = first.get_by_role("checkbox", name="Customer payments")
    expect(payments).to_be_checked()
    payments.uncheck()
    first.get_by_label("Initial status of customer booking orders").select_option("confirmed")
    first.get_by_role("button", name="Save settings").click()
    expect(first.get_by_text("Saved.")).to_be_visible()
    # After the save the same screen still shows the new values.
    expect(payments).not_to_be_checked()
    expect(first.get_by_label("Initial status of customer booking orders")).to_have_value(
        "confirmed")
    assert rental_settings(app)[1:] == ("confirmed", 0)

    # A new screen (new browser, new login) shows them too ...
    second = admin_on(new_context, "/staff/rental-settings")
    expect(second.get_by_role("checkbox", name="Customer payments")).not_to_be_checked()
    expect(second.get_by_role("checkbox", name="Enable customer booking")).to_be_checked()
    expect(second.get_by_label("Initial status of customer booking orders")).to_have_value(
        "confirmed")
    # ... and only pressing "Save settings" there changes nothing.
    second.get_by_role("button", name="Save settings").click()
    expect(second.get_by_text("Saved.")).to_be_visible()
    assert rental_settings(app)[1:] == ("confirmed", 0)

    # Navigating away and back in the first tab shows the values in force as well.
    first.get_by_role("link", name="Shop").first.click()
    expect(first.get_by_role("heading", name="Shop", exact=True)).to_be_visible()
    first.get_by_role("link", name="Rental settings").click()
    expect(first.get_by_role("checkbox", name="Customer payments")).not_to_be_checked()


def test_a_stale_settings_screen_cannot_undo_a_newer_save(
        new_context: NewContext, app: App, restore_settings: None) -> None:
    stale = admin_on(new_context, "/staff/rental-settings")
    expect(stale.get_by_role("checkbox", name="Customer payments")).to_be_checked()

    other = admin_on(new_context, "/staff/rental-settings")
    other.get_by_role("checkbox", name="Enable customer booking").uncheck()
    other.get_by_role("button", name="Save settings").click()
    expect(other.get_by_text("Saved.")).to_be_visible()
    assert rental_settings(app)[0] == 0

    # The first screen still shows "booking on"; saving it would switch booking back on.
    stale.get_by_role("checkbox", name="Customer payments").uncheck()
    stale.get_by_role("button", name="Save settings").click()
    expect(stale.get_by_text(re.compile(r"These settings were changed meanwhile"))).to_be_visible()
    assert rental_settings(app)[0] == 0 and rental_settings(app)[2] == 1  # nothing undone
    # It now shows what is in force.
    expect(stale.get_by_role("checkbox", name="Enable customer booking")).not_to_be_checked()
    expect(stale.get_by_role("checkbox", name="Customer payments")).to_be_checked()


def test_shop_settings_show_the_methods_in_force_and_keep_one(
        new_context: NewContext, app: App, restore_settings: None) -> None:
    assert shop_settings(app) == (1, "cash,card,balance")
    page = admin_on(new_context, "/staff/shop")
    for method in ("Cash", "Card", "Account balance"):
        expect(page.get_by_role("checkbox", name=method, exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Shop is open")).to_be_checked()

    page.get_by_role("checkbox", name="Account balance", exact=True).uncheck()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert shop_settings(app) == (1, "cash,card")

    again = admin_on(new_context, "/staff/shop")
    expect(again.get_by_role("checkbox", name="Cash", exact=True)).to_be_checked()
    expect(again.get_by_role("checkbox", name="Card", exact=True)).to_be_checked()
    expect(again.get_by_role("checkbox", name="Account balance", exact=True)).not_to_be_checked()

    # An open shop with no method would leave customers unable to order: refused.
    again.get_by_role("checkbox", name="Cash", exact=True).uncheck()
    again.get_by_role("checkbox", name="Card", exact=True).uncheck()
    again.get_by_role("button", name="Save").first.click()
    expect(again.get_by_role("alert").filter(has_text=re.compile(
        "At least one payment method must be offered"))).to_be_visible()
    assert shop_settings(app) == (1, "cash,card")


def test_staff_save_fulfilment_and_the_customer_sees_the_tracking_link(
        new_context: NewContext, app: App) -> None:
    customer, _ = new_customer(new_context, "Fulfilia")
    order_id = place_old_order(app, customer, days=3)
    link = f"https://track.example.com/{uuid.uuid4().hex[:8]}"
    try:
        staff = new_context().new_page()
        log_in_as(staff, "staff")
        open_page(staff, "/staff/orders")
        card = staff.get_by_role("article", name=order_name(order_id), exact=True)
        card.get_by_role("button", name=f"View #{order_id}").click()
        card.get_by_label("Fulfilment", exact=True).select_option("shipping")
        card.get_by_label("Tracking link").fill(link)
        card.get_by_role("button", name=f"Save fulfilment #{order_id}").click()
        expect(card.get_by_role("link", name="Track the order")).to_have_attribute("href", link)
        assert app.query("SELECT fulfilment, tracking_url FROM shop_orders WHERE id = ?",
                         order_id) == [("shipping", link)]

        # The customer: "My order is late" on a 3-day-old shipping order shows the link
        # and opens a ticket by itself.
        open_page(customer, "/help?type=late")
        customer.get_by_label("Which order?").select_option(str(order_id))
        customer.get_by_role("button", name="Next").click()
        expect(customer.get_by_role("link", name="Track the order")).to_have_attribute(
            "href", link)
        assert app.query("SELECT count(*) FROM tickets WHERE order_id = ?", order_id) == [(1,)]
    finally:
        cancel_order(app, order_id)


def test_add_variant_to_an_existing_promotion(new_context: NewContext, app: App) -> None:
    page = admin_on(new_context, "/staff/promotions")
    name = f"{uuid.uuid4().hex[:4]} nights"
    page.get_by_label("Variant (e.g. 2 nights) (Mountain weekend)").fill(name)
    page.get_by_label("Price before tax (Mountain weekend)").fill("321.50")
    page.get_by_label("Tax rate (%) (Mountain weekend)").fill("8")
    page.get_by_role("button", name="Add variant (Mountain weekend)").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{name} · "))).to_be_visible()
    rows = app.query("SELECT v.price, v.tax_rate FROM promotion_variants v JOIN promotions p"
                     " ON p.id = v.promotion_id WHERE p.title = ? AND v.name = ?",
                     "Mountain weekend", name)
    assert [(Decimal(str(p)), Decimal(str(r))) for p, r in rows] == [
        (Decimal("321.50"), Decimal("8"))]
