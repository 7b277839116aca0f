"""Small steps shared by the browser tests; each acts like a user would."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page, expect

DEMO = {
    "admin": ("admin@example.com", "admin-pass-1"),
    "staff": ("staff@example.com", "staff-pass-1"),
    "customer": ("customer@example.com", "customer-pass-1"),
}


# With several backend workers (make e2e-redis) a first page load now and then never gets
# its hydrate answered (seen in 2 of about 8 runs of the shop file, one test each time; not
# yet explained, see the note on issue 5). There, and only there, a page gets one reload.
MULTI_WORKER = int(os.environ.get("E2E_WORKERS") or "1") > 1


def open_page(page: Page, path: str) -> None:
    """Open a page and wait until the app has connected and run its on_load."""
    page.goto(path)
    ready = expect(page.locator("html"))
    if not MULTI_WORKER:
        ready.to_have_attribute("dir", re.compile("ltr|rtl"))
        return
    try:
        ready.to_have_attribute("dir", re.compile("ltr|rtl"))
    except AssertionError:
        print(f"multi-worker: {path} got no hydrate answer in time; reloading once")
        page.reload()
        ready.to_have_attribute("dir", re.compile("ltr|rtl"))


def log_in(page: Page, email: str, password: str, next_path: str | None = None) -> None:
    open_page(page, "/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_as(page: Page, who: str) -> None:
    log_in(page, *DEMO[who])
    expect(page.get_by_role("heading", name="My account")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
