"""Screenshots of the main pages, to look at: `python -m e2e.screenshots URL OUT_DIR`.

Against a running app with the demo data (e.g. `make run`): every storefront page as the demo
customer and every staff page as the demo admin, in English and Arabic, at 1280 and 390 px,
full page. Console errors are printed with their page. Not a test; the e2e suite checks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM
from .helpers import DEMO

STOREFRONT = ["/", "/rent?entry=1", "/services", "/shop", "/promotions", "/bookings",
              "/vouchers", "/account", "/help", "/help/tickets"]
STAFF = ["/staff", "/staff/orders", "/staff/tickets", "/staff/reservations", "/staff/bookings",
         "/staff/calendar", "/staff/customers", "/staff/outbox", "/staff/rentals",
         "/staff/rental-settings", "/staff/services", "/staff/shop", "/staff/support",
         "/staff/promotions", "/staff/accounts", "/staff/translations"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(url: str, out: Path, only: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for who, paths in (("customer", STOREFRONT), ("admin", STAFF)):
            for lang in ("en", "ar"):
                for width in (1280, 390):
                    context = browser.new_context(base_url=url, locale="en-US",
                                                  viewport={"width": width, "height": 900},
                                                  timezone_id="Europe/Warsaw")
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("console", lambda m: errors.append(m.text)
                            if m.type == "error" else None)
                    page.goto("/login")
                    page.wait_for_selector("html[dir]")
                    page.locator("#field-email").fill(DEMO[who][0])
                    page.locator("#field-password").fill(DEMO[who][1])
                    page.locator("form button[type=submit]").click()
                    page.wait_for_url("**/account**")
                    page.wait_for_selector("html[dir]")
                    if lang != "en":  # the account's saved language wins over the cookie
                        page.locator("#language-switcher").select_option(lang)
                        page.wait_for_selector(f"html[lang={lang}]")
                    for path in paths:
                        if only and only not in path:
                            continue
                        page.goto(path)
                        page.wait_for_selector("html[dir]")
                        page.wait_for_timeout(1200)
                        name = (path.strip("/").replace("/", "_").split("?")[0] or "home")
                        page.screenshot(path=str(out / f"{name}-{lang}-{width}.png"),
                                        full_page=True)
                        for e in errors:
                            print(f"console error on {path} ({lang}, {width}): {e}")
                        errors.clear()
                    if lang != "en":  # the demo accounts speak English again
                        page.locator("#language-switcher").select_option("en")
                        page.wait_for_selector("html[lang=en]")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
