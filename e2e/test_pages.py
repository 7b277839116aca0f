"""Every page and every panel one click away, as visitor, customer, staff and admin, in English
and Arabic: no console error, no uncaught page error (the console guard in conftest.py fails the
test otherwise). Also the favicon, and the calendar's view select."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.i18n import translate
from reserve_app.models import User
from reserve_app.services import shop

from .conftest import App, ConsoleErrors
from .helpers import log_in, log_in_as, open_page
from .test_appointments import request_slot, workday
from .test_rentals import register
from .test_shop import order_one_cola
from .test_tickets import app_session, create_charged_ticket

STOREFRONT = ["/", "/login", "/register", "/rent", "/rent/book", "/services", "/services/book",
              "/proposal", "/shop", "/help", "/promotions", "/promotion", "/voucher",
              "/payment/return"]
CUSTOMER = ["/account", "/bookings", "/vouchers", "/help/tickets"]
STAFF = ["/staff", "/staff/outbox", "/staff/accounts", "/staff/bookings", "/staff/bookings/view",
         "/staff/rentals", "/staff/rental-settings", "/staff/calendar", "/staff/services",
         "/staff/orders", "/staff/shop", "/staff/customers", "/staff/tickets",
         "/staff/support", "/staff/reservations", "/staff/reservation", "/staff/promotions"]
PASSWORD = "rental-pass-1"  # test_rentals.register's


@dataclass
class World:
    """What the pages show: one open order, one request to book, one ticket, one promotion."""
    customer_email: str
    order_id: int
    day: str
    ticket_id: int
    promotion_id: int


@pytest.fixture(scope="module")
def world(browser: Browser, app: App) -> Iterator[World]:
    context = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw")
    page = context.new_page()
    email = register(page, "Pagewalker")
    day = workday(55)
    request_slot(page, day, "11:00")
    ticket_id = create_charged_ticket(page, "Paid at the counter, no order came.")
    open_page(page, "/shop")
    order_id = order_one_cola(page)
    context.close()
    _staff_acts(app, order_id, "accept")  # accepted and not paid: staff are offered "Pay"
    (promotion_id,), = app.query("SELECT id FROM promotions ORDER BY id LIMIT 1")
    yield World(email, order_id, day, ticket_id, promotion_id)
    _staff_acts(app, order_id, "void")


def _staff_acts(app: App, order_id: int, action: str) -> None:
    with app_session(app) as session:
        staff = session.exec(select(User).where(User.email == "staff@example.com")).one()
        actor = Actor(staff.id or 0, Role(staff.role), staff.name, staff.email, staff.language)
        shop.act(session, actor=actor, order_id=order_id, action=action)


def _lang_switcher(page: Page, lang_shown: str) -> None:
    open_page(page, "/")
    page.get_by_label(translate(lang_shown, "nav.language"), exact=True).select_option(
        "ar" if lang_shown == "en" else "en")
    expect(page.locator("html")).to_have_attribute("lang", "ar" if lang_shown == "en" else "en")


def _visit(page: Page, path: str) -> None:
    open_page(page, path)
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", re.compile("ltr|rtl"))


def _say(lang: str, key: str) -> str:
    return translate(lang, key)


def _walk(page: Page, who: str, lang: str, world: World) -> None:
    paths = list(STOREFRONT) + [f"/promotion?id={world.promotion_id}"]
    if who != "visitor":
        paths += CUSTOMER
    if who == "customer":
        paths += [f"/help/ticket?id={world.ticket_id}"]
    if who in ("staff", "admin"):
        paths += STAFF + [f"/staff/ticket?id={world.ticket_id}"]
    for path in paths:
        _visit(page, path)

    # The help widget's dialog, on a storefront page.
    _visit(page, "/")
    page.get_by_role("button", name=_say(lang, "help.open")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")

    if who not in ("staff", "admin"):
        return
    # Staff Orders: "View" (lines and the fulfilment form) and "Pay" (a dialog).
    _visit(page, "/staff/orders")
    order = f" #{world.order_id}"
    page.get_by_role("button", name=_say(lang, "shop.action.view") + order, exact=True).click()
    expect(page.get_by_role("button", name=_say(lang, "ticket.save_fulfilment") + order,
                            exact=True)).to_be_visible()
    page.get_by_role("button", name=_say(lang, "shop.action.pay") + order, exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Calendar: each action panel of the request.
    _visit(page, f"/staff/calendar?day={world.day}")
    card = page.locator(".rt-Card").filter(has_text="Pagewalker")
    for key in ("appointment.approve_reschedule", "appointment.propose", "appointment.decline"):
        card.get_by_role("button", name=_say(lang, key), exact=True).click()
        page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("who", ["visitor", "customer", "staff", "admin"])
def test_every_page_and_panel_logs_no_console_error(browser: Browser, app: App, world: World,
                                                      who: str, lang: str) -> None:
    context = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw",
                                  locale="en-US")
    page = context.new_page()
    try:
        if who == "customer":
            log_in(page, world.customer_email, PASSWORD)
            expect(page.get_by_role("heading", name="My account")).to_be_visible()
        elif who != "visitor":
            log_in_as(page, who)
        else:
            open_page(page, "/")
        if lang == "ar":
            _lang_switcher(page, "en")
        _walk(page, who, lang, world)
    finally:
        if lang == "ar" and who in ("staff", "admin"):  # the demo accounts speak English again
            _lang_switcher(page, "ar")
        context.close()


def test_favicon_is_served(page: Page, app: App) -> None:
    open_page(page, "/")
    response = page.request.get("/favicon.ico")
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_and_routes_carry_the_security_headers(page: Page, app: App) -> None:
    """The page itself renders and connects under its Content-Security-Policy (the console
    guard fails the test on any CSP violation), and every response carries the headers."""
    response = page.goto("/shop")
    assert response is not None
    expect(page.get_by_role("heading", name="Shop", level=1)).to_be_visible()
    for got in (response, page.request.get("/api/attachments/1"), page.request.get("/ping")):
        headers = got.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "object-src 'none'" in headers["content-security-policy"]
        assert (headers["x-frame-options"], headers["x-content-type-options"]) == (
            "DENY", "nosniff")
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert "strict-transport-security" not in headers  # http, not production https


def test_staff_saves_the_fulfilment_of_an_order(page: Page, world: World) -> None:
    log_in_as(page, "staff")
    _visit(page, "/staff/orders")
    order = f" #{world.order_id}"
    card = page.get_by_role("article", name=f"Order # {world.order_id}", exact=True)
    page.get_by_role("button", name="View" + order, exact=True).click()
    card.get_by_label("Fulfilment", exact=True).select_option("shipping")
    card.get_by_label("Tracking link", exact=True).fill("https://track.example.com/e2e-1")
    page.get_by_role("button", name="Save fulfilment" + order, exact=True).click()
    expect(card.get_by_text("Fulfilment: Shipping")).to_be_visible()
    expect(card.get_by_role("link", name="Track the order")).to_have_attribute(
        "href", "https://track.example.com/e2e-1")


def test_admin_adds_and_removes_a_promotion_variant(page: Page, app: App) -> None:
    (title,), = app.query("SELECT title FROM promotions ORDER BY id LIMIT 1")
    log_in_as(page, "admin")
    _visit(page, "/staff/promotions")
    page.get_by_label(f"Variant (e.g. 2 nights) ({title})").fill("9 nights e2e")
    page.get_by_label(f"Price before tax ({title})").fill("800")
    page.get_by_label(f"Tax rate (%) ({title})").fill("8")
    card = page.locator(".rt-Card").filter(has=page.get_by_role("heading", name=title))
    card.get_by_role("button", name="Add variant").click()
    expect(page.get_by_text(re.compile(r"^9 nights e2e · "))).to_be_visible()
    page.get_by_role("button", name="Remove: 9 nights e2e").click()
    expect(page.get_by_text(re.compile(r"^9 nights e2e · "))).to_have_count(0)


def test_an_expected_error_can_be_declared(page: Page, console_errors: ConsoleErrors) -> None:
    """console_errors.allow: a test that provokes an error on purpose says which one."""
    console_errors.allow(r"status of 404 \(Not Found\) \S+/no-such-image-e2e\.png")
    open_page(page, "/")
    page.evaluate("""() => new Promise(done => { const img = new Image();
        img.onerror = done; img.src = '/no-such-image-e2e.png'; })""")
