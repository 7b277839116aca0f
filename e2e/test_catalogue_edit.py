"""Admins edit what they created: a service (name, duration, price, both approval switches,
staff), a staff member's working hours (the form shows those in force), a unit type, a unit,
a rental menu entry and a promotion's variant; each edit form opens with the values in force,
and the storefront then shows the new values.

The records are made for this test (through the app's services on its database), so the
demo catalogue the other e2e files use stays as seeded."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from reserve_app.models import User
from reserve_app.services import appointments, vouchers
from reserve_app.services.rentals import catalog as rental_catalog

from .conftest import App
from .helpers import log_in_as, open_page
from .test_tickets import app_session
from .test_vouchers import page_actor


def _day(days_ahead: int) -> str:
    return (date.today() + timedelta(days=days_ahead)).isoformat()


def _make_records(app: App, page: Page) -> dict[str, int]:
    """A Book Now service delivered by Demo Staff, a unit type with one unit under its own
    menu entry, and a promotion with one variant: what the admin then edits."""
    with app_session(app) as session:
        admin = page_actor(session, page)
        staff = session.exec(select(User).where(User.email == "staff@example.com")).one()
        service = appointments.save_service(
            session, actor=admin, name="Wheel check", duration_minutes=30, price="20.00",
            requires_approval=False, multiple_clients=False, staff_ids=[staff.id])
    with app_session(app) as session:
        camper = rental_catalog.save_unit_type(
            session, actor=admin, name="Camper van", description="Sleeps four",
            photo_url="", price_per_day="100.00", tax_rate="10")
    with app_session(app) as session:
        rental_catalog.add_unit(session, actor=admin, unit_type_id=camper, name="Camper 1")
    with app_session(app) as session:
        entry = rental_catalog.save_rental_entry(session, actor=admin, title="Rent a camper",
                                                 unit_type_ids=[camper])
    with app_session(app) as session:
        promotion = vouchers.save_promotion(session, actor=admin, promotion_id=0,
                                            title="Lake cabin")
    with app_session(app) as session:
        variant = vouchers.save_variant(session, actor=admin, promotion_id=promotion,
                                        variant_id=0, name="3 nights", price="300.00",
                                        tax_rate="10")
    return {"service": service, "camper": camper, "entry": entry, "promotion": promotion,
            "variant": variant}


def _audit(app: App, entity: str, entity_id: int) -> list[tuple[str, str, str]]:
    return app.query("SELECT action, old_value, new_value FROM audit_entries "
                     "WHERE entity = ? AND entity_id = ? ORDER BY id", entity, entity_id)


def test_admin_edits_the_catalogue_and_the_storefront_shows_it(page: Page, browser: Browser,
                                                               app: App) -> None:
    log_in_as(page, "admin")
    made = _make_records(app, page)

    # --- the service ---------------------------------------------------------------------
    open_page(page, "/staff/services")
    page.get_by_role("button", name="Edit Wheel check").click()
    form = page.get_by_role("form", name="Edit service")
    expect(form.get_by_label("Name")).to_have_value("Wheel check")
    expect(form.get_by_label("Duration (minutes)")).to_have_value("30")
    expect(form.get_by_label("Total")).to_have_value("20.00")
    approval = form.get_by_label("Manually approve or decline booking requests")
    multiple = form.get_by_label("Multiple clients can request the same time slot")
    expect(approval).not_to_be_checked()
    expect(multiple).not_to_be_checked()
    team = form.get_by_role("group", name="Staff who deliver it")
    expect(team.get_by_label("Demo Staff")).to_be_checked()
    expect(team.get_by_label("Demo Admin")).not_to_be_checked()

    form.get_by_label("Name").fill("Wheel and tyre check")
    form.get_by_label("Duration (minutes)").fill("45")
    form.get_by_label("Total").fill("35.50")
    approval.check()
    multiple.check()
    team.get_by_label("Demo Admin").check()
    team.get_by_label("Demo Staff").uncheck()
    form.get_by_role("button", name="Save changes").click()

    expect(form).to_have_count(0)
    row = page.get_by_role("row").filter(has=page.get_by_role(
        "cell", name="Wheel and tyre check", exact=True))
    expect(row).to_contain_text("45")
    expect(row).to_contain_text("€35.50")
    expect(row.get_by_role("cell", name="Demo Admin", exact=True)).to_be_visible()
    # Opened again, the form shows the values now in force (not the ones it showed before).
    page.get_by_role("button", name="Edit Wheel and tyre check").click()
    expect(form.get_by_label("Name")).to_have_value("Wheel and tyre check")
    expect(form.get_by_label("Duration (minutes)")).to_have_value("45")
    expect(form.get_by_label("Total")).to_have_value("35.50")
    expect(approval).to_be_checked()
    expect(multiple).to_be_checked()
    expect(team.get_by_label("Demo Staff")).not_to_be_checked()
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)
    assert _audit(app, "service", made["service"])[-1] == (
        "service_updated",
        "name: Wheel check; minutes: 30; price: 20.00; approval: no; multiple clients: no; "
        "staff: Demo Staff",
        "name: Wheel and tyre check; minutes: 45; price: 35.50; approval: yes; "
        "multiple clients: yes; staff: Demo Admin")

    # --- working hours: the form shows the chosen staff member's hours in force ------------
    staff_select = page.get_by_label("Staff member").first
    staff_select.select_option(label="Demo Staff")
    expect(page.get_by_label("Monday from", exact=True)).to_have_value("09:00")
    expect(page.get_by_label("Saturday until", exact=True)).to_have_value("17:00")
    expect(page.get_by_label("Sunday from", exact=True)).to_have_value("")
    staff_select.select_option(label="Demo Admin")
    expect(page.get_by_label("Monday from", exact=True)).to_have_value("")
    for weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday"):
        page.get_by_label(f"{weekday} from", exact=True).fill("08:00")
        page.get_by_label(f"{weekday} until", exact=True).fill("12:00")
        page.get_by_label(f"{weekday} second shift from", exact=True).fill("13:00")
        page.get_by_label(f"{weekday} second shift until", exact=True).fill("15:00")
    page.get_by_role("button", name="Save working hours").click()
    expect(page.get_by_text("Saved.").first).to_be_visible()
    staff_select.select_option(label="Demo Staff")
    expect(page.get_by_label("Monday from", exact=True)).to_have_value("09:00")
    staff_select.select_option(label="Demo Admin")
    expect(page.get_by_label("Monday from", exact=True)).to_have_value("08:00")
    expect(page.get_by_label("Sunday second shift until", exact=True)).to_have_value("15:00")

    # --- the unit type, its unit, its menu entry -------------------------------------------
    open_page(page, "/staff/rentals")
    page.get_by_role("button", name="Edit Camper van").click()
    form = page.get_by_role("form", name="Edit unit type")
    expect(form.get_by_label("Name")).to_have_value("Camper van")
    expect(form.get_by_label("Description")).to_have_value("Sleeps four")
    expect(form.get_by_label("Price per day")).to_have_value("100.00")
    expect(form.get_by_label("Tax rate (%)")).to_have_value("10")
    form.get_by_label("Name").fill("Camper XL")
    form.get_by_label("Price per day").fill("120")
    form.get_by_label("Tax rate (%)").fill("5")
    form.get_by_role("button", name="Save changes").click()
    expect(form).to_have_count(0)
    types, entries = page.get_by_role("table").first, page.get_by_role("table").nth(1)
    expect(types.get_by_role("cell", name="Camper XL", exact=True)).to_be_visible()
    expect(entries.get_by_role("cell", name="Camper XL", exact=True)).to_be_visible()

    page.get_by_role("button", name="Rename unit Camper 1").click()
    form = page.get_by_role("form", name="Rename unit")
    expect(form.get_by_label("Unit name")).to_have_value("Camper 1")
    form.get_by_label("Unit name").fill("Camper KR-01")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("button", name="Take out of service Camper KR-01")).to_be_visible()

    page.get_by_role("button", name="Edit Rent a camper").click()
    form = page.get_by_role("form", name="Edit menu entry")
    expect(form.get_by_label("Menu title")).to_have_value("Rent a camper")
    offered = form.get_by_role("group", name="Unit types offered")
    expect(offered.get_by_label("Camper XL")).to_be_checked()
    expect(offered.get_by_label("4x4 SUV")).not_to_be_checked()
    form.get_by_label("Menu title").fill("Rent a camper van")
    form.get_by_role("button", name="Save changes").click()
    expect(entries.get_by_role("cell", name="Rent a camper van", exact=True)).to_be_visible()

    # --- the variant --------------------------------------------------------------------------
    open_page(page, "/staff/promotions")
    page.get_by_role("button", name="Edit variant: 3 nights").click()
    form = page.get_by_role("form", name="Edit variant")
    expect(form.get_by_label("Variant (e.g. 2 nights)")).to_have_value("3 nights")
    expect(form.get_by_label("Price before tax")).to_have_value("300.00")
    expect(form.get_by_label("Tax rate (%)")).to_have_value("10")
    form.get_by_label("Variant (e.g. 2 nights)").fill("3 nights, lake view")
    form.get_by_label("Price before tax").fill("330")
    form.get_by_role("button", name="Save changes").click()
    expect(form).to_have_count(0)
    expect(page.get_by_text("3 nights, lake view · 330.00 (10%)")).to_be_visible()
    assert _audit(app, "promotion_variant", made["variant"])[-1] == (
        "variant_changed", "name: 3 nights; price: 300.00",
        "name: 3 nights, lake view; price: 330.00")

    page.get_by_role("button", name="Edit promotion: Lake cabin").click()
    form = page.get_by_role("form", name="Edit promotion")
    expect(form.get_by_label("Title")).to_have_value("Lake cabin")
    form.get_by_label("Title").fill("Lake cabin retreat")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Lake cabin retreat")).to_be_visible()
    expect(page.get_by_role("form", name="New promotion")).to_be_visible()

    # --- the storefront, for a visitor ------------------------------------------------------------
    visitor_ctx = browser.new_context(base_url=app.url, timezone_id="Europe/Warsaw")
    visitor = visitor_ctx.new_page()
    try:
        open_page(visitor, "/services")
        card = visitor.locator(".rt-Card").filter(has_text="Wheel and tyre check")
        expect(card).to_contain_text("45 min · €35.50")
        card.get_by_role("button", name="Request to Book Wheel and tyre check").click()
        expect(visitor.get_by_role("heading", name="Wheel and tyre check")).to_be_visible()
        visitor.get_by_label("Date").fill(_day(30))
        visitor.get_by_role("button", name="Show free times").click()
        expect(visitor.get_by_role("button", name="08:00 · Demo Admin")).to_be_visible()
        expect(visitor.get_by_role("button", name="13:00 · Demo Admin")).to_be_visible()
        expect(visitor.get_by_role("button", name=re.compile("Demo Staff"))).to_have_count(0)

        open_page(visitor, "/")
        visitor.get_by_role("navigation", name="Main menu").get_by_role(
            "link", name="Rent a camper van").click()
        expect(visitor.get_by_role("heading", name="Rent a camper van")).to_be_visible()
        visitor.get_by_label("Start date").fill(_day(400))
        visitor.get_by_label("End date").fill(_day(402))
        visitor.get_by_role("button", name="Search available units").click()
        expect(visitor.get_by_role("heading", name="Camper XL")).to_be_visible()
        expect(visitor.get_by_text("€240.00")).to_be_visible()  # 2 days x 120.00
        expect(visitor.get_by_text("€12.00")).to_be_visible()   # 5 % tax

        open_page(visitor, f"/promotion?id={made['promotion']}")
        expect(visitor.get_by_role("heading", name="Lake cabin retreat")).to_be_visible()
        expect(visitor.get_by_role("heading", name="3 nights, lake view")).to_be_visible()
        expect(visitor.get_by_text("€363.00")).to_be_visible()  # 330.00 + 10 %
    finally:
        visitor_ctx.close()
