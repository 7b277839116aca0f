"""Catalogue names per language: the demo storefront in Arabic, and an admin translating a
product on the Translations page."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import BrowserContext, Page, expect

from reserve_app.i18n.ar import AR

from .conftest import App
from .helpers import log_in_as, open_page

NewContext = Callable[..., BrowserContext]
CHIPS_AR = "رقائق البطاطس"        # the demo seed's Arabic name
NEW_CHIPS_AR = "شيبس مقرمشة"


def to_arabic(page: Page) -> None:
    page.locator("#language-switcher").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_the_demo_storefront_in_arabic_shows_arabic_menu_titles_and_unit_types(
        new_context: NewContext) -> None:
    visitor = new_context().new_page()
    open_page(visitor, "/")
    nav = visitor.get_by_role("navigation", name="Main menu")
    expect(nav.get_by_role("link", name="Rent a car")).to_be_visible()
    to_arabic(visitor)
    nav = visitor.get_by_role("navigation", name=AR["nav.main"])
    expect(nav.get_by_role("link", name="استئجار سيارة")).to_be_visible()
    expect(nav.get_by_role("link", name="المتجر")).to_be_visible()
    expect(nav.get_by_role("link", name="Rent a car")).to_have_count(0)

    nav.get_by_role("link", name="استئجار سيارة").click()
    expect(visitor.get_by_role("heading", name="استئجار سيارة", level=1)).to_be_visible()
    start = date.today() + timedelta(days=30)
    visitor.get_by_label(AR["rental.start"]).fill(start.isoformat())
    visitor.get_by_label(AR["rental.end"]).fill((start + timedelta(days=2)).isoformat())
    visitor.get_by_role("button", name=AR["rental.search"]).click()
    expect(visitor.get_by_role("heading", name="سيارة دفع رباعي")).to_be_visible()
    expect(visitor.get_by_text("دفع رباعي، خمسة مقاعد.")).to_be_visible()
    expect(visitor.get_by_role("heading", name="4x4 SUV")).to_have_count(0)


def test_an_admin_names_a_product_in_arabic_and_only_the_arabic_shop_shows_it(
        page: Page, new_context: NewContext, app: App) -> None:
    try:
        log_in_as(page, "admin")
        open_page(page, "/staff")
        page.get_by_role("navigation", name="Staff navigation").get_by_role(
            "link", name="Translations").click()
        expect(page.get_by_role("heading", name="Translations", level=1)).to_be_visible()
        page.get_by_label("Records").select_option(label="Products")
        form = page.get_by_role("form", name="Chips")
        name = form.get_by_label("Name (العربية)")
        expect(name).to_have_value(CHIPS_AR)
        name.fill(NEW_CHIPS_AR)
        form.get_by_role("button", name="Save translations").click()
        expect(page.get_by_text("Saved.")).to_be_visible()
        expect(page.get_by_role("form", name="Chips").get_by_label("Name (العربية)")
               ).to_have_value(NEW_CHIPS_AR)

        # A name that is too long is refused with a message; the stored one stays.
        name = page.get_by_role("form", name="Chips").get_by_label("Name (العربية)")
        name.fill("ش" * 101)
        page.get_by_role("form", name="Chips").get_by_role(
            "button", name="Save translations").click()
        expect(page.get_by_role("form", name="Chips").get_by_role("alert")).to_have_text(
            "This is too long.")

        shopper = new_context().new_page()
        open_page(shopper, "/shop")
        expect(shopper.get_by_role("heading", name="Chips", exact=True)).to_be_visible()
        to_arabic(shopper)
        expect(shopper.get_by_role("heading", name=NEW_CHIPS_AR)).to_be_visible()
        expect(shopper.get_by_role("heading", name="Chips", exact=True)).to_have_count(0)
        expect(shopper.get_by_role("heading", name="كولا")).to_be_visible()
    finally:   # other tests of the session see the demo seed's name again
        con = sqlite3.connect(app.db_path, timeout=30)
        try:
            con.execute("UPDATE localized_texts SET text = ? WHERE entity = 'product' AND "
                        "lang = 'ar' AND text = ?", (CHIPS_AR, NEW_CHIPS_AR))
            con.commit()
        finally:
            con.close()
