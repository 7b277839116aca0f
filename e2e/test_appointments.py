"""Appointments with "Request to Book": request, staff approve with reschedule or decline,
emails at a real SMTP server, and slots hidden by pending requests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from .conftest import App, Mailbox
from .helpers import log_in, open_page
from .test_direct_calls import Tab, handler, sid_cookie
from .test_rentals import register


def workday(days_ahead: int) -> str:
    """A Monday-to-Saturday date (the demo staff member's working days)."""
    day = date.today() + timedelta(days=days_ahead)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day.isoformat()


def request_slot(page: Page, day: str, at: str) -> None:
    open_page(page, "/services")
    page.get_by_role("button", name="Request to Book Guided test drive").click()
    expect(page.get_by_role("heading", name="Guided test drive")).to_be_visible()
    page.get_by_label("Date").fill(day)
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("button", name=f"{at} · Demo Staff").click()
    page.get_by_role("button", name="Request to Book", exact=True).click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()


def staff_calendar(browser: Browser, app: App, day: str) -> Page:
    staff = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw").new_page()
    log_in(staff, "staff@example.com", "staff-pass-1", next_path=f"/staff/calendar?day={day}")
    expect(staff.get_by_role("heading", name="Booking calendar")).to_be_visible()
    return staff


def test_calendar_view_select_shows_the_view_in_force(browser: Browser, app: App) -> None:
    first, other = workday(70), workday(72)
    staff = staff_calendar(browser, app, first)
    view = staff.get_by_label("View", exact=True)
    date_field = staff.get_by_label("Date", exact=True)
    expect(date_field).to_have_value(first)  # the page has loaded its day
    expect(view).to_have_value("week")
    view.select_option("day")
    date_field.fill(other)
    staff.get_by_role("button", name="Show").click()
    expect(date_field).to_have_value(other)
    expect(view).to_have_value("day")
    # Back to the week of the same day: the select follows again.
    view.select_option("week")
    staff.get_by_role("button", name="Show").click()
    expect(view).to_have_value("week")
    staff.context.close()


def test_request_approved_with_reschedule_and_emailed(page: Page, browser: Browser, app: App,
                                                      mailbox: Mailbox) -> None:
    day = workday(40)
    email = register(page, "Rita")
    request_slot(page, day, "10:00")
    row = page.get_by_role("row").filter(has_text="Guided test drive")
    expect(row.get_by_text("Waiting for approval")).to_be_visible()
    mailbox.wait_for(email, "Request received: Guided test drive")
    mailbox.wait_for("staff@example.com", "New booking request: Guided test drive")

    staff = staff_calendar(browser, app, day)
    staff.get_by_role("link", name="Home").click()
    expect(staff.get_by_text("Requests waiting for approval")).to_be_visible()
    open_page(staff, f"/staff/calendar?day={day}")
    card = staff.locator(".rt-Card").filter(has_text="Rita")
    expect(card.get_by_text("Waiting for approval")).to_be_visible()
    card.get_by_role("button", name="Approve with reschedule").click()
    staff.get_by_label("New time").fill("11:00")
    staff.get_by_label("Private note (never shown to the client)").fill("VIP, wash the car")
    staff.get_by_label("Message to the client (optional)").fill("Please come at 11, not 10.")
    staff.get_by_role("button", name="Save changes").click()
    expect(card.get_by_text("Confirmed")).to_be_visible()
    expect(card.get_by_text(re.compile("11:00"))).to_be_visible()

    open_page(page, "/bookings")
    row = page.get_by_role("row").filter(has_text="Guided test drive")
    expect(row.get_by_text("Confirmed")).to_be_visible()
    expect(row.get_by_text(re.compile(r"11:00"))).to_be_visible()
    with page.expect_download() as download:
        row.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics and "Guided test drive" in ics
    assert re.search(r"DTSTART[^:]*:\d{8}T\d{4}00Z", ics)  # UTC start time
    mail = mailbox.wait_for(email, "Request approved at a new time")
    body = mail.get_content()
    assert "Please come at 11, not 10." in body
    assert "VIP" not in body  # the private note never reaches the customer


def test_request_declined_with_a_message(page: Page, browser: Browser, app: App,
                                         mailbox: Mailbox) -> None:
    day = workday(41)
    email = register(page, "Dora")
    request_slot(page, day, "13:00")
    staff = staff_calendar(browser, app, day)
    card = staff.locator(".rt-Card").filter(has_text="Dora")
    card.get_by_role("button", name="Decline").click()
    staff.get_by_label("Message to the client (optional)").fill("The car is in service.")
    staff.get_by_role("button", name="Yes, decline").click()
    expect(card).to_have_count(0)  # declined requests leave the calendar
    open_page(page, "/bookings")
    expect(page.get_by_role("row").filter(has_text="Guided test drive")
           .get_by_text("Declined")).to_be_visible()
    mail = mailbox.wait_for(email, "Request declined: Guided test drive")
    assert "The car is in service." in mail.get_content()


def test_pending_request_hides_the_slot_when_one_client_per_slot(page: Page, browser: Browser,
                                                                 app: App) -> None:
    day = workday(42)
    register(page, "Pia")
    request_slot(page, day, "15:00")

    other = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw").new_page()
    register(other, "Ugo")
    open_page(other, "/services/book?service=2")
    other.get_by_label("Date").fill(day)
    other.get_by_role("button", name="Show free times").click()
    expect(other.get_by_role("button", name="14:00 · Demo Staff")).to_be_visible()
    expect(other.get_by_role("button", name="15:00 · Demo Staff")).to_have_count(0)


def test_customer_cannot_approve_their_own_request(page: Page, app: App) -> None:
    from reserve_app.state.appointments.calendar import StaffCalendarState

    day = workday(43)
    register(page, "Max")
    request_slot(page, day, "09:00")
    request_id = app.query("SELECT max(id) FROM appointments")[0][0]
    tab = Tab(app, sid_cookie(page))
    try:
        reply = tab.call(handler(StaffCalendarState, "approve"), "/staff/calendar",
                         appointment_id=request_id)
    finally:
        tab.close()
    assert "You are not allowed to do that." in reply
    assert app.query("SELECT status FROM appointments WHERE id = ?", request_id) == [
        ("pending",)]


def test_customer_accepts_a_proposed_time_in_one_click(page: Page, browser: Browser, app: App,
                                                       mailbox: Mailbox) -> None:
    day = workday(44)
    email = register(page, "Nina")
    request_slot(page, day, "10:00")
    staff = staff_calendar(browser, app, day)
    card = staff.locator(".rt-Card").filter(has_text="Nina")
    card.get_by_role("button", name="Propose a new time").click()
    staff.get_by_label("New time").fill("12:00")
    staff.get_by_label("Message to the client (optional)").fill("Noon suits us better.")
    staff.get_by_role("button", name="Send proposal").click()
    expect(card.get_by_text(re.compile("Proposed new time: .*12:00"))).to_be_visible()
    mail = mailbox.wait_for(email, "A new time for Guided test drive")
    assert "Noon suits us better." in mail.get_content()
    link = re.search(r"http://\S+/proposal\?token=[\w-]+", mail.get_content()).group(0)

    # The link from the email: one click, no login needed.
    visitor = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw").new_page()
    visitor.goto(link)
    expect(visitor.get_by_text(re.compile("Proposed new time: .*12:00"))).to_be_visible()
    visitor.get_by_role("button", name="Accept").click()
    expect(visitor.get_by_text("Thank you, your answer is recorded.")).to_be_visible()

    open_page(page, "/bookings")
    row = page.get_by_role("row").filter(has_text="Guided test drive")
    expect(row.get_by_text("Confirmed")).to_be_visible()
    expect(row.get_by_text(re.compile(r"12:00"))).to_be_visible()
    mailbox.wait_for("staff@example.com", "Proposal accepted: Guided test drive")
