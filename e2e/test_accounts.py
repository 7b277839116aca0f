"""Accounts and roles, as a customer, a staff member and an admin see them."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from .conftest import App
from .helpers import log_in, log_in_as, log_out, open_page


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def test_register_log_out_and_log_in_again(page: Page, app: App) -> None:
    email = unique_email("ana")
    open_page(page, "/register")
    page.get_by_label("Name").fill("Ana Customer")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct-horse-1")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text("Ana Customer")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "sid")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("sid=") == -1  # not readable by scripts

    log_out(page)
    assert not [c for c in page.context.cookies() if c["name"] == "sid"]
    open_page(page, "/account")
    expect(page).to_have_url(re.compile(r"/login"))

    log_in(page, email, "correct-horse-1")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text("Ana Customer")).to_be_visible()
    # The welcome email was written to the outbox with the account.
    assert app.query("SELECT count(*) FROM outbox_messages WHERE to_email = ? AND kind = ?",
                     email, "welcome") == [(1,)]


def test_wrong_password_shows_a_message(page: Page) -> None:
    log_in(page, "customer@example.com", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_register_rejects_bad_input_with_field_messages(page: Page, app: App) -> None:
    before = app.query("SELECT count(*) FROM users")
    open_page(page, "/register")
    page.get_by_label("Name").fill("Bo")
    page.get_by_label("Email").fill("customer@example.com")  # taken
    page.get_by_label("Password").fill("short")
    # The browser's own checks would stop the submit; test the server's.
    page.locator("form").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("The password must have at least 8 characters.")).to_be_visible()
    page.get_by_label("Password").fill("long-enough-1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("An account with this email already exists.")).to_be_visible()
    assert app.query("SELECT count(*) FROM users") == before


def test_customer_opening_a_staff_page_lands_on_login(page: Page) -> None:
    open_page(page, "/staff")
    expect(page).to_have_url(re.compile(r"/login\?next=/staff"))
    log_in_as(page, "customer")
    open_page(page, "/staff/accounts")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_admin_creates_a_staff_account_who_can_then_log_in(page: Page, browser: Browser,
                                                            app: App) -> None:
    email = unique_email("sam")
    log_in_as(page, "admin")
    open_page(page, "/staff/accounts")
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    page.get_by_label("Name").fill("Sam Staff")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Temporary password").fill("temporary-pass-1")
    page.get_by_label("Role", exact=True).select_option("staff")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("cell", name=email)).to_be_visible()

    other = browser.new_context(base_url=app.url)
    staff_page = other.new_page()
    log_in(staff_page, email, "temporary-pass-1", next_path="/staff")
    expect(staff_page.get_by_role("heading", name="Today")).to_be_visible()
    expect(staff_page.get_by_text("Sam Staff")).to_be_visible()
    # Not an admin: the staff accounts page is not theirs.
    expect(staff_page.get_by_role("link", name="Staff accounts")).to_have_count(0)
    open_page(staff_page, "/staff/accounts")
    expect(staff_page).to_have_url(re.compile(r"/staff/?$"))
    expect(staff_page.get_by_text("You are not allowed to do that.")).to_be_visible()

    # The admin disables the account: the open staff tab loses access on its next event.
    page.get_by_role("button", name="Disable Sam Staff").click()
    expect(page.get_by_role("button", name="Enable Sam Staff")).to_be_visible()
    open_page(staff_page, "/staff/outbox")
    expect(staff_page).to_have_url(re.compile(r"/login"))
    other.close()


def test_admin_changes_a_role_and_cannot_demote_themselves(page: Page, app: App) -> None:
    log_in_as(page, "admin")
    open_page(page, "/staff/accounts")
    page.get_by_label("Role of Demo Admin").select_option("staff")
    expect(page.get_by_text("You cannot disable or demote your own account.")).to_be_visible()
    assert app.query("SELECT role FROM users WHERE email = 'admin@example.com'") == [("admin",)]


def test_arabic_flips_the_page_and_persists_for_the_account(page: Page, browser: Browser,
                                                             app: App) -> None:
    email = unique_email("layla")
    open_page(page, "/register")
    page.get_by_label("Name").fill("Layla")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct-horse-2")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()

    page.get_by_label("Language").first.select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="حسابي")).to_be_visible()
    # The header's logical spacing mirrors: the brand is now at the right edge.
    brand = page.get_by_role("link", name="reserve_app").bounding_box()
    assert brand and brand["x"] > page.viewport_size["width"] / 2

    # A new browser (no language cookie) logs in: the account's language wins.
    other = browser.new_context(base_url=app.url)
    fresh = other.new_page()
    log_in(fresh, email, "correct-horse-2")
    expect(fresh.locator("html")).to_have_attribute("dir", "rtl")
    expect(fresh.get_by_role("heading", name="حسابي")).to_be_visible()
    other.close()


def test_outbox_shows_the_welcome_email_to_staff(page: Page) -> None:
    log_in_as(page, "staff")
    open_page(page, "/staff/outbox")
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    expect(page.get_by_text("Welcome to Demo Rentals").first).to_be_visible()


def test_phone_width_has_no_horizontal_scroll(browser: Browser, app: App) -> None:
    context = browser.new_context(base_url=app.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ("/", "/login", "/register"):
        open_page(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    log_in_as(page, "admin")
    for path in ("/staff", "/staff/outbox"):
        open_page(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
