"""Rentals end to end: search, book (with the login detour), pay, staff approve and confirm."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from .conftest import App
from .helpers import log_in, log_in_as, open_page
from .test_accounts import unique_email
from .test_direct_calls import Tab, handler, sid_cookie


def days_ahead(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def search(page: Page, start: str, end: str) -> None:
    open_page(page, "/")
    page.get_by_role("link", name="Rent a car").click()
    expect(page.get_by_role("heading", name="Rent a car")).to_be_visible()
    page.get_by_label("Start date").fill(start)
    page.get_by_label("End date").fill(end)
    page.get_by_role("button", name="Search available units").click()


def register(page: Page, name: str) -> str:
    email = unique_email(name.lower())
    open_page(page, "/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("rental-pass-1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    return email


def test_book_pay_approve_confirm_and_sold_out(page: Page, browser: Browser, app: App) -> None:
    start, end = days_ahead(200), days_ahead(203)
    # An anonymous visitor searches and picks the only luxury car.
    search(page, start, end)
    card = page.get_by_role("heading", name="Luxury car")
    expect(card).to_be_visible()
    expect(page.get_by_text("€450.00")).to_be_visible()  # 3 days x 150.00
    expect(page.get_by_text("€103.50")).to_be_visible()  # 23 % tax
    expect(page.get_by_text("€553.50")).to_be_visible()
    page.get_by_role("button", name="Book Luxury car").click()
    expect(page.get_by_role("heading", name="Booking summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Luxury car")).to_be_visible()
    # Log in first; the chosen booking survives the detour.
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("customer@example.com")
    page.get_by_label("Password").fill("customer-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Booking summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Luxury car")).to_be_visible()
    page.get_by_label("Driver licence number").fill("PL-1234567")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Luxury car")
    expect(row.get_by_text("Pending")).to_be_visible()
    order_id = app.query("SELECT id FROM booking_orders WHERE start_date = ? AND unit_type_id"
                         " = (SELECT id FROM unit_types WHERE name = 'Luxury car')", start)[0][0]
    invoice = "SELECT status, number FROM invoices WHERE order_kind = 'booking' AND order_id = ?"
    assert app.query(invoice, order_id) == []  # booking without payment: no invoice
    row.get_by_role("button", name=re.compile("Pay invoice")).click()
    expect(page.get_by_text("The payment waits for approval by our staff.")).to_be_visible()
    expect(row.get_by_text("Waiting for approval")).to_be_visible()
    assert app.query(invoice, order_id) == [("draft", None)]

    # Staff (an admin) sees the order, approves the payment, confirms the order.
    staff_ctx = browser.new_context(base_url=app.url)
    staff = staff_ctx.new_page()
    log_in(staff, "admin@example.com", "admin-pass-1", next_path="/staff/bookings")
    expect(staff.get_by_role("heading", name="Booking orders")).to_be_visible()
    staff.get_by_role("link", name=f"Open booking order {order_id}", exact=True).click()
    expect(staff.get_by_text("PL-1234567")).to_be_visible()
    staff.get_by_role("button", name="Approve payment").click()
    expect(staff.get_by_text("Payment approved").first).to_be_visible()
    expect(staff.get_by_text(re.compile(r"^\d{4}-\d{6}$"))).to_be_visible()  # invoice number
    staff.get_by_label("New status").select_option("confirmed")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.get_by_text("Status changed: pending → confirmed")).to_be_visible()
    staff_ctx.close()
    assert app.query(invoice, order_id)[0][0] == "paid"

    # The customer sees the new status and the approved payment.
    open_page(page, "/bookings")
    row = page.get_by_role("row").filter(has_text="Luxury car")
    expect(row.get_by_text("Confirmed")).to_be_visible()
    expect(row.get_by_text("Payment approved")).to_be_visible()

    # A second customer searching the same period no longer sees the luxury car.
    other_ctx = browser.new_context(base_url=app.url)
    other = other_ctx.new_page()
    register(other, "Olek")
    search(other, start, end)
    expect(other.get_by_role("heading", name="4x4 SUV")).to_be_visible()
    expect(other.get_by_role("heading", name="Luxury car")).to_have_count(0)
    other_ctx.close()


def test_bad_periods_and_missing_fields_are_refused(page: Page, app: App) -> None:
    search(page, days_ahead(220), days_ahead(218))
    expect(page.get_by_text("The end date must be after the start date.")).to_be_visible()
    search(page, days_ahead(-3), days_ahead(2))
    expect(page.get_by_text("The start date is in the past.")).to_be_visible()
    search(page, days_ahead(230), days_ahead(230 + 61))
    expect(page.get_by_text("This period is longer than bookings allow.")).to_be_visible()

    before = app.query("SELECT count(*) FROM booking_orders")
    log_in_as(page, "customer")
    search(page, days_ahead(240), days_ahead(241))
    page.get_by_role("button", name="Book 4x4 SUV").click()
    expect(page.get_by_role("button", name="Confirm booking")).to_be_visible()
    page.locator("form").last.evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert app.query("SELECT count(*) FROM booking_orders") == before


def test_paying_another_customers_booking_is_refused(page: Page, browser: Browser,
                                                      app: App) -> None:
    from reserve_app.state.rentals.booking import RentalBookingState
    from reserve_app.state.rentals.my_bookings import MyBookingsState

    log_in_as(page, "customer")
    search(page, days_ahead(250), days_ahead(252))
    page.get_by_role("button", name="Book 4x4 SUV").click()
    page.get_by_label("Driver licence number").fill("X1")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    order_id = app.query("SELECT max(id) FROM booking_orders")[0][0]

    intruder_ctx = browser.new_context(base_url=app.url)
    intruder = intruder_ctx.new_page()
    register(intruder, "Ivo")
    tab = Tab(app, sid_cookie(intruder))
    payments = app.query("SELECT count(*) FROM payments")
    orders = app.query("SELECT count(*) FROM booking_orders")
    try:
        reply = tab.call(handler(MyBookingsState, "pay"), "/bookings", order_id=order_id)
        assert "Not found." in reply
        # A booking for an unknown unit type or entry, sent straight to the handler.
        path = f"/rent/book?entry=1&type=999&start={days_ahead(260)}&end={days_ahead(261)}"
        reply = tab.call(handler(RentalBookingState, "confirm"), path, form={"x1": "Z"})
        assert "Not found." in reply
    finally:
        tab.close()
        intruder_ctx.close()
    assert app.query("SELECT count(*) FROM payments") == payments
    assert app.query("SELECT count(*) FROM booking_orders") == orders


def test_admin_builds_a_rental_the_storefront_offers(page: Page, browser: Browser,
                                                      app: App) -> None:
    log_in_as(page, "admin")
    open_page(page, "/staff/rentals")
    page.get_by_label("Name", exact=True).fill("Single room")
    page.get_by_label("Price per day").fill("55.50")
    page.get_by_label("Tax rate (%)").fill("8")
    page.get_by_role("button", name="Add unit type").click()
    expect(page.get_by_role("cell", name="Single room", exact=True)).to_be_visible()
    page.get_by_label("Unit type", exact=True).select_option(label="Single room")
    page.get_by_label("Unit name").fill("Room 101")
    page.get_by_role("button", name="Add unit", exact=True).click()
    expect(page.get_by_role("button", name="Take out of service Room 101")).to_be_visible()
    page.get_by_label("Menu title").fill("Book a room")
    page.get_by_role("group", name="Unit types offered").get_by_label("Single room").check()
    page.get_by_role("button", name="Add menu entry").click()
    expect(page.get_by_role("cell", name="Book a room", exact=True)).to_be_visible()
    menu_rows = page.get_by_role("table").nth(1).get_by_role("row")
    # Entries of all kinds are listed (the seed's rentals, appointments, shop); a new one last.
    expect(menu_rows.filter(has_text="Book an appointment")).to_have_count(1)
    expect(menu_rows.last).to_contain_text("Book a room")
    for row in range(menu_rows.count() - 2, 0, -1):  # row 0 is the header
        page.get_by_role("button", name="Move up Book a room").click()
        expect(menu_rows.nth(row)).to_contain_text("Book a room")
    expect(menu_rows.nth(1)).to_contain_text("Book a room")  # now the first entry

    # The storefront menu now starts with the new entry, which offers the room.
    visitor_ctx = browser.new_context(base_url=app.url)
    visitor = visitor_ctx.new_page()
    open_page(visitor, "/")
    nav = visitor.get_by_role("navigation", name="Main menu").get_by_role("link")
    expect(nav.nth(1)).to_have_text("Book a room")
    nav.nth(1).click()
    expect(visitor.get_by_role("heading", name="Book a room")).to_be_visible()
    visitor.get_by_label("Start date").fill(days_ahead(300))
    visitor.get_by_label("End date").fill(days_ahead(302))
    visitor.get_by_role("button", name="Search available units").click()
    expect(visitor.get_by_role("heading", name="Single room")).to_be_visible()
    expect(visitor.get_by_text("€111.00")).to_be_visible()  # 2 x 55.50
    expect(visitor.get_by_text("€8.88")).to_be_visible()  # 8 % tax

    # Out of service: the room is no longer offered.
    page.get_by_role("button", name="Take out of service Room 101").click()
    expect(page.get_by_role("button", name="Put back in service Room 101")).to_be_visible()
    visitor.get_by_role("button", name="Search available units").click()
    expect(visitor.get_by_text("Nothing is free for the whole period.")).to_be_visible()
    visitor_ctx.close()
