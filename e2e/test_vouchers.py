"""Offers, vouchers and reservations end to end.

A customer buys "Mountain weekend · 2 nights" in the storefront and sees the red "Action
required" box on the voucher; staff find it with the filters (promotion + variant + not
done), mark the action completed; the customer's voucher then shows the green confirmation;
staff export the filtered rows (all matching, then two ticked ones) and the downloaded CSV
holds exactly those reservations. Around it: other customers see "Not found." for a code
that is not theirs, customers cannot reach the staff handlers or the export route, the
voucher page mirrors in Arabic, and a voucher whose action is done cannot be cancelled by
customer service.

Reservations other than the ones bought in the browser are made in the test process through
the app's services (services.vouchers.buy / set_action_done) on the e2e app's database. What
a filter should match is always computed from that database at the moment of the check, so
the tests do not depend on their order.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import date

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlmodel import Session, select

from reserve_app.domain import vouchers as voucher_rules
from reserve_app.domain.accounts import Actor, NewAccount, Role
from reserve_app.i18n import fmt_datetime
from reserve_app.models import Promotion, PromotionVariant, Reservation, User
from reserve_app.services import vouchers
from reserve_app.services.accounts import auth
from reserve_app.state.vouchers.staff_reservations import ReservationState, StaffReservationsState

from .conftest import App
from .helpers import log_in_as, open_page
from .test_direct_calls import Tab, handler, sid_cookie
from .test_rentals import register
from .test_shop import Watch
from .test_tickets import app_session

NewContext = Callable[..., BrowserContext]

PROMOTION = "Mountain weekend"
ACTION = "Sign the travel contract"
INSTRUCTIONS_START = "Print the contract we email you, sign it and bring it to the front desk"
TZ = "Europe/Warsaw"  # the browser contexts' time zone (conftest)
CSV_HEADER = ["Voucher code", "Customer", "Email", "Promotion", "Variant", "Status",
              "Action done at", "Created at"]
CODE_RE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
CANCEL_REFUSED = ("This voucher cannot be cancelled by customer service: its required action"
                  " is done. The customer must contact the business.")
FORBIDDEN = "You are not allowed to do that."
STATUS_LABEL = {"active": "Active", "cancelled": "Cancelled"}


# ---- the database, through the app's services (test process) --------------------------------

def actor_of(user: User) -> Actor:
    return Actor(user.id or 0, Role(user.role), user.name, user.email, user.language)


def user_actor(session: Session, email: str) -> Actor:
    return actor_of(session.exec(select(User).where(User.email == email)).one())


def page_actor(session: Session, page: Page) -> Actor:
    actor = auth.resolve_actor(session, token=sid_cookie(page).split("=", 1)[1])
    assert actor is not None, "the page is not logged in"
    return actor


def ids(app: App) -> tuple[int, dict[str, int]]:
    """The promotion "Mountain weekend" and its variants' ids by name."""
    (promotion_id,), = app.query("SELECT id FROM promotions WHERE title = ?", PROMOTION)
    variants = dict(app.query("SELECT name, id FROM promotion_variants WHERE promotion_id = ?",
                              promotion_id))
    assert {"2 nights", "4 nights"} <= variants.keys(), variants
    return promotion_id, variants


def new_db_customer(app: App, name: str) -> Actor:
    """A customer account made directly in the database (no browser needed for it)."""
    with app_session(app) as session:
        user = auth.create_user(session, NewAccount(
            name=name, email=f"{uuid.uuid4().hex[:10]}@example.org",
            password="voucher-pass-1", language="en"))
        session.commit()
        return actor_of(user)


def buy(app: App, customer: Actor, variant_id: int, *, done: bool = False) -> str:
    """services.vouchers.buy as `customer`; with `done`, the demo staff member then marks
    the required action completed (services.vouchers.set_action_done)."""
    with app_session(app) as session:
        code = vouchers.buy(session, actor=customer, variant_id=variant_id, today=date.today())
        if done:
            # The purchase is not committed yet: read it in the same transaction.
            rid = session.exec(select(Reservation.id).where(Reservation.code == code)).one()
            vouchers.set_action_done(session, actor=user_actor(session, "staff@example.com"),
                                     reservation_id=rid, done=True)
    return code


def matching_codes(app: App, promotion_id: int | None = None, variant_id: int | None = None,
                   done: bool | None = None) -> set[str]:
    """What the staff filter must find, straight from the database."""
    sql, args = "SELECT code FROM reservations WHERE 1 = 1", []
    if promotion_id is not None:
        sql, args = sql + " AND promotion_id = ?", [*args, promotion_id]
    if variant_id is not None:
        sql, args = sql + " AND variant_id = ?", [*args, variant_id]
    if done is not None:
        sql += " AND action_done_at IS NOT NULL" if done else " AND action_done_at IS NULL"
    return {code for (code,) in app.query(sql, *args)}


def reservation_of(app: App, code: str) -> Reservation:
    with app_session(app) as session:
        return session.exec(select(Reservation).where(Reservation.code == code)).one()


def expected_csv_rows(app: App, codes: set[str]) -> dict[str, list[str]]:
    """The CSV row each reservation must have (English, formula-safe), by code."""
    rows: dict[str, list[str]] = {}
    with app_session(app) as session:
        found = session.exec(
            select(Reservation, User, Promotion, PromotionVariant)
            .join(User, User.id == Reservation.customer_id)
            .join(Promotion, Promotion.id == Reservation.promotion_id)
            .join(PromotionVariant, PromotionVariant.id == Reservation.variant_id)
            .where(Reservation.code.in_(codes))).all()  # type: ignore[attr-defined]
        for r, user, promotion, variant in found:
            rows[r.code] = [voucher_rules.safe_cell(cell) for cell in (
                r.code, user.name, user.email, promotion.title, variant.name,
                STATUS_LABEL[r.status],
                r.action_done_at.isoformat(timespec="seconds") if r.action_done_at else "",
                r.created_at.isoformat(timespec="seconds"))]
    assert rows.keys() == codes
    return rows


# ---- small steps -----------------------------------------------------------------------------

def new_page(new_context: NewContext) -> Page:
    return new_context().new_page()


def new_customer(new_context: NewContext, name: str) -> tuple[Page, str]:
    """A customer registered in the browser (own context), logged in."""
    page = new_page(new_context)
    return page, register(page, name)


def staff_page(new_context: NewContext, path: str = "/staff/reservations") -> Page:
    page = new_page(new_context)
    log_in_as(page, "staff")
    open_page(page, path)
    return page


def open_voucher(page: Page, code: str) -> None:
    open_page(page, f"/voucher?code={code}")


def red_box(page: Page) -> Locator:
    return page.locator(".action-required")


def green_box(page: Page) -> Locator:
    return page.locator(".action-done")


def error_toast(page: Page) -> Locator:
    return page.locator("[data-sonner-toast][data-type=error]")


def filter_reservations(page: Page, promotion: str = "", variant: str = "",
                        action: str = "") -> None:
    """The filter form on /staff/reservations ("" = Any), then "Filter"."""
    page.get_by_label("Promotion", exact=True).select_option(label=promotion or "Any")
    page.get_by_label("Variant", exact=True).select_option(
        label=f"{PROMOTION} · {variant}" if variant else "Any")
    page.get_by_label("Required action", exact=True).select_option(action)
    page.get_by_role("button", name="Filter", exact=True).click()


def select_all(page: Page) -> Locator:
    return page.get_by_role("checkbox", name=re.compile(r"^Select all matching the filter"))


def expect_total(page: Page, total: int) -> None:
    """"Select all matching the filter (N)" says how many match."""
    expect(page.locator("label").filter(has=select_all(page))).to_have_text(
        re.compile(rf"Select all matching the filter\s*\(\s*{total}\s*\)"))


def row_checkbox(page: Page, code: str) -> Locator:
    return page.get_by_role("checkbox", name=f"Select {code}", exact=True)


def listed_codes(page: Page) -> list[str]:
    """The voucher codes in the table's body on the current page."""
    return [m for text in page.locator("tbody tr").all_inner_texts()
            for m in CODE_RE.findall(text)]


def expect_page_label(page: Page, number: int, pages: int) -> None:
    expect(page.get_by_text(re.compile(rf"^Page\s*{number}\s*/\s*{pages}$"))).to_be_visible()


def export_csv(page: Page) -> tuple[list[str], list[list[str]]]:
    """"Export CSV" → the browser downloads reservations.csv; returns its header and rows
    (after checking the byte order mark)."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Export CSV").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "reservations.csv"
    raw = open(download.path(), "rb").read()  # noqa: PTH123, SIM115
    text = raw.decode("utf-8")
    assert text.startswith("\ufeff"), f"no byte order mark: {raw[:20]!r}"
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    return header, rows


def check_export(header: list[str], rows: list[list[str]], app: App, codes: set[str]) -> None:
    """The file holds exactly `codes`, one row each, each row as in the database."""
    assert header == CSV_HEADER
    got = [row[0] for row in rows]
    assert len(got) == len(set(got)), f"a reservation exported twice: {got}"
    assert set(got) == codes, (f"missing {sorted(codes - set(got))},"
                               f" not matching {sorted(set(got) - codes)}")
    expected = expected_csv_rows(app, codes)
    for row in rows:
        assert row == expected[row[0]], f"{row} != {expected[row[0]]}"


# ---- 1. buy → red box → staff mark it done → green box → export exactly the filtered rows -----

def test_buy_red_box_staff_confirm_and_export_exactly_the_filtered_rows(
        new_context: NewContext, app: App) -> None:
    promotion_id, variant = ids(app)
    two, four = variant["2 nights"], variant["4 nights"]

    # Other reservations first: enough "2 nights, not done" for two pages, some done, some of
    # the other variant; customers whose names a spreadsheet could misread.
    formula = new_db_customer(app, "=HYPERLINK(\"http://evil.example\")")
    arabic = new_db_customer(app, "ليلى حداد")
    with app_session(app) as session:
        demo = user_actor(session, "customer@example.com")
    others = {
        "2n not done": [buy(app, (demo, formula, arabic)[i % 3], two) for i in range(22)],
        "2n done": [buy(app, who, two, done=True) for who in (demo, formula, arabic)],
        "4n not done": [buy(app, who, four) for who in (demo, arabic)],
        "4n done": [buy(app, formula, four, done=True)],
    }
    assert all(CODE_RE.fullmatch(c) for codes in others.values() for c in codes)

    # The customer: menu "Offers" → the promotion → "Buy: 2 nights".
    customer, customer_email = new_customer(new_context, "Marta")
    open_page(customer, "/")
    customer.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Offers", exact=True).click()
    expect(customer).to_have_url(re.compile(r"/promotions$"))
    customer.get_by_role("link", name=PROMOTION, exact=True).click()
    expect(customer).to_have_url(re.compile(rf"/promotion\?id={promotion_id}$"))
    expect(customer.get_by_role("heading", name=PROMOTION, exact=True)).to_be_visible()
    expect(customer.get_by_text(f"Required action: {ACTION}")).to_be_visible()
    expect(customer.get_by_role("button", name="Buy: 4 nights")).to_be_visible()
    customer.get_by_role("button", name="Buy: 2 nights").click()

    # The voucher page: code, QR code, and the red box with the action and the instructions.
    expect(customer).to_have_url(re.compile(r"/voucher\?code=[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    code = customer.url.rsplit("code=", 1)[1]
    expect(customer.get_by_role("heading", name="Your voucher")).to_be_visible()
    expect(customer.locator(".voucher-code")).to_have_text(code)
    expect(customer.get_by_role("img", name="QR code of the voucher code")).to_be_visible()
    box = red_box(customer)
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "alert")
    expect(box.get_by_role("heading", name="Action required")).to_be_visible()
    expect(box.get_by_text(ACTION, exact=True)).to_be_visible()
    expect(box.get_by_role("heading", name="How to redeem the voucher")).to_be_visible()
    expect(box.get_by_text(re.compile("^" + re.escape(INSTRUCTIONS_START)))).to_be_visible()
    expect(green_box(customer)).to_have_count(0)
    expect(customer.get_by_text("Required action completed")).to_have_count(0)
    bought = reservation_of(app, code)
    (owner,), = app.query("SELECT email FROM users WHERE id = ?", bought.customer_id)
    assert (owner, bought.promotion_id, bought.variant_id, bought.status,
            bought.action_done_at) == (customer_email, promotion_id, two, "active", None)

    # "My vouchers" lists it, the action not done.
    open_page(customer, "/vouchers")
    mine = customer.get_by_role("row").filter(has=customer.get_by_role("link", name=code))
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(f"{PROMOTION} · 2 nights")
    expect(mine).to_contain_text("Not done")

    # Staff: Mountain weekend + 2 nights + not done.
    staff = staff_page(new_context)
    expect(staff.get_by_role("heading", name="Reservations", exact=True)).to_be_visible()
    filter_reservations(staff, PROMOTION, "2 nights", "not_done")
    not_done = matching_codes(app, promotion_id, two, done=False)
    assert code in not_done and set(others["2n not done"]) <= not_done
    assert not not_done & {*others["2n done"], *others["4n not done"], *others["4n done"]}
    expect_total(staff, len(not_done))
    expect(row_checkbox(staff, code)).to_be_visible()  # newest first: on page 1
    expect(staff.locator("tbody tr")).to_have_count(20)
    assert set(listed_codes(staff)) <= not_done

    # …"Edit reservation" → "Required action completed".
    staff.get_by_role("link", name=f"Edit reservation {code}", exact=True).click()
    expect(staff.get_by_role("heading", name=f"Reservation {code}")).to_be_visible()
    expect(staff.get_by_text("Status: Active")).to_be_visible()
    done_box = staff.get_by_role("checkbox", name="Required action completed")
    expect(done_box).not_to_be_checked()
    done_box.click()
    expect(done_box).to_be_checked()
    expect(staff.get_by_text("Saved.")).to_be_visible()
    done_at = reservation_of(app, code).action_done_at
    assert done_at is not None
    confirmed = f"Confirmed on {fmt_datetime(done_at, 'en', TZ)}"
    expect(staff.get_by_text(confirmed)).to_be_visible()

    # The customer's voucher: the green confirmation with the date, no red box.
    open_voucher(customer, code)
    expect(customer.get_by_role("heading", name="Your voucher")).to_be_visible()
    green = green_box(customer)
    expect(green).to_be_visible()
    expect(green).to_have_attribute("role", "status")
    expect(green).to_contain_text(f"Required action completed: {ACTION}")
    expect(green).to_contain_text(confirmed)
    expect(red_box(customer)).to_have_count(0)
    expect(customer.get_by_role("heading", name="Action required")).to_have_count(0)
    open_page(customer, "/vouchers")
    expect(customer.get_by_role("row").filter(has=customer.get_by_role("link", name=code))
           ).to_contain_text("Required action completed")

    # Staff: the same filter no longer finds it; the "done" filter does.
    staff.get_by_role("main").get_by_role("link", name="Reservations", exact=True).click()
    expect(staff.get_by_role("heading", name="Reservations", exact=True)).to_be_visible()
    filter_reservations(staff, PROMOTION, "2 nights", "done")
    done = matching_codes(app, promotion_id, two, done=True)
    assert code in done and set(others["2n done"]) <= done
    expect_total(staff, len(done))
    expect(row_checkbox(staff, code)).to_be_visible()
    filter_reservations(staff, PROMOTION, "2 nights", "not_done")
    not_done = matching_codes(app, promotion_id, two, done=False)
    assert code not in not_done and len(not_done) > 20
    expect_total(staff, len(not_done))
    expect(row_checkbox(staff, code)).to_have_count(0)

    # Both pages together list exactly the matching reservations.
    pages = -(-len(not_done) // 20)
    seen: list[str] = []
    for number in range(1, pages + 1):
        expect_page_label(staff, number, pages)
        expect(staff.locator("tbody tr")).to_have_count(min(20, len(not_done) - 20 * (number - 1)))
        seen += listed_codes(staff)
        if number < pages:
            staff.get_by_role("button", name="Next page").click()
    expect(staff.get_by_role("button", name="Next page")).to_be_disabled()
    assert sorted(seen) == sorted(not_done)

    # "Select all matching the filter" → "Export CSV": exactly the filtered reservations.
    select_all(staff).click()
    expect(select_all(staff)).to_be_checked()
    header, rows = export_csv(staff)
    check_export(header, rows, app, matching_codes(app, promotion_id, two, done=False))
    formula_rows = [r for r in rows if r[2] == formula.email]
    assert formula_rows and all(r[1] == "'=HYPERLINK(\"http://evil.example\")"
                                for r in formula_rows)
    assert any(r[1] == "ليلى حداد" for r in rows)
    assert all(r[6] == "" for r in rows)  # none has the action done

    # Only two ticked rows → exactly those two (on a freshly opened list: see
    # test_export_leaves_the_list_as_it_was for what an export does to the open page).
    open_page(staff, "/staff/reservations")
    filter_reservations(staff, PROMOTION, "2 nights", "not_done")
    expect_total(staff, len(not_done))
    expect_page_label(staff, 1, pages)
    expect(select_all(staff)).not_to_be_checked()
    first, second = listed_codes(staff)[3], listed_codes(staff)[7]
    for picked in (first, second):
        row_checkbox(staff, picked).click()
        expect(row_checkbox(staff, picked)).to_be_checked()
    header, rows = export_csv(staff)
    check_export(header, rows, app, {first, second})


def test_export_leaves_the_list_as_it_was(new_context: NewContext, app: App) -> None:
    """After "Export CSV" the list stays as the staff member left it, connected: the same
    page, the same ticks, so ticking one more row and exporting again gives all three."""
    promotion_id, variant = ids(app)
    with app_session(app) as session:
        demo = user_actor(session, "customer@example.com")
    while len(matching_codes(app, promotion_id, variant["4 nights"])) < 23:
        buy(app, demo, variant["4 nights"])
    staff = staff_page(new_context)
    filter_reservations(staff, PROMOTION, "4 nights")
    matching = matching_codes(app, promotion_id, variant["4 nights"])
    pages = -(-len(matching) // 20)
    expect_total(staff, len(matching))
    staff.get_by_role("button", name="Next page").click()
    expect_page_label(staff, 2, pages)
    first, second, third = listed_codes(staff)[:3]
    for picked in (first, second):
        row_checkbox(staff, picked).click()
        expect(row_checkbox(staff, picked)).to_be_checked()
    watch = Watch(staff=staff)
    console: list[str] = []
    staff.on("console", lambda message: console.append(message.text))
    header, rows = export_csv(staff)
    check_export(header, rows, app, {first, second})

    # Still page 2 with both ticks, still connected; one more tick, export again.
    row_checkbox(staff, third).click()
    expect(row_checkbox(staff, third)).to_be_checked()
    expect_page_label(staff, 2, pages)
    for picked in (first, second):
        expect(row_checkbox(staff, picked)).to_be_checked()
    header, rows = export_csv(staff)
    check_export(header, rows, app, {first, second, third})
    watch.assert_quiet()
    assert not [line for line in console if "Disconnect websocket" in line], console


# ---- 2. a voucher is its customer's only --------------------------------------------------------

def test_other_customers_and_guessed_codes_get_not_found(new_context: NewContext,
                                                         app: App) -> None:
    _, variant = ids(app)
    owner, _ = new_customer(new_context, "Olga")
    with app_session(app) as session:
        owner_actor = page_actor(session, owner)
    code = buy(app, owner_actor, variant["4 nights"])
    open_voucher(owner, code)
    expect(owner.locator(".voucher-code")).to_have_text(code)  # the owner sees it

    other, _ = new_customer(new_context, "Piotr")
    guessed = voucher_rules.new_code()
    assert not app.query("SELECT id FROM reservations WHERE code = ?", guessed)
    for wanted in (code, code.lower(), guessed, "AAAA-BBBB", "' OR 1=1 --"):
        open_voucher(other, wanted)
        expect(other.get_by_text("Not found.", exact=True)).to_be_visible()
        expect(other.get_by_role("heading", name="Your voucher")).to_have_count(0)
        expect(other.get_by_text(code)).to_have_count(0)
        expect(red_box(other)).to_have_count(0)
    open_page(other, "/vouchers")
    expect(other.get_by_text("You have no vouchers yet.")).to_be_visible()
    expect(other.get_by_text(code)).to_have_count(0)

    # A visitor who is not logged in is sent to log in first.
    visitor = new_page(new_context)
    visitor.goto(f"/voucher?code={code}")
    expect(visitor).to_have_url(re.compile(r"/login\?next=/voucher"))
    expect(visitor.get_by_text(code)).to_have_count(0)


# ---- 3. customers cannot reach staff handlers or the export ------------------------------------

def test_customer_cannot_export_reservations(new_context: NewContext, app: App) -> None:
    """POST /api/reservations/export, same origin: only a staff session gets the file."""
    form = {"promotion": "", "variant": "", "action": "", "ids": "all"}
    headers = {"Origin": app.url}
    total = len(matching_codes(app))
    assert total > 0

    customer = new_page(new_context)
    log_in_as(customer, "customer")
    refused = customer.request.post("/api/reservations/export", form=form, headers=headers)
    assert refused.status == 403
    assert not CODE_RE.search(refused.text())
    ids_form = {**form, "ids": ",".join(str(i) for (i,) in
                                        app.query("SELECT id FROM reservations LIMIT 5"))}
    refused = customer.request.post("/api/reservations/export", form=ids_form, headers=headers)
    assert refused.status == 403
    assert not CODE_RE.search(refused.text())

    anonymous = new_context()
    assert anonymous.request.post("/api/reservations/export", form=form,
                                  headers=headers).status == 403

    staff = staff_page(new_context)
    foreign = staff.request.post("/api/reservations/export", form=form,
                                 headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    assert not CODE_RE.search(foreign.text())

    # The same request from a staff session on the app's origin gets the whole file (so the
    # refusals above came from who asked, not from a malformed request).
    allowed = staff.request.post("/api/reservations/export", form=form, headers=headers)
    assert allowed.status == 200
    assert allowed.headers["content-disposition"] == 'attachment; filename="reservations.csv"'
    body = allowed.body().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline="")))
    assert rows[0] == CSV_HEADER
    assert {r[0] for r in rows[1:]} == matching_codes(app)


def call(tab: Tab, name: str, path: str, *, reply_within: float = 1.5,
         **payload: object) -> str:
    """One event over the raw websocket and its replies, collected until none has come for
    a second. A handler that changed nothing gets no reply at all (Reflex sends no empty
    delta), so the first reply is awaited only `reply_within` seconds."""
    tab.replies.clear()
    tab.got.clear()
    tab.sio.emit("event", {"name": name, "payload": payload,
                           "router_data": {"pathname": path.split("?")[0], "asPath": path}},
                 namespace="/_event")
    waited = tab.got.wait(reply_within)
    while waited:
        tab.got.clear()
        waited = tab.got.wait(1.0)
    return json.dumps(tab.replies, ensure_ascii=False)


def staff_handler_replies(page: Page, app: App) -> dict[str, str]:
    """The demo customer's session calls every staff reservation handler directly."""
    _, variant = ids(app)
    with app_session(app) as session:
        demo = user_actor(session, "customer@example.com")
    target = reservation_of(app, buy(app, demo, variant["2 nights"]))
    log_in_as(page, "customer")
    tab = Tab(app, sid_cookie(page))
    replies: dict[str, str] = {}
    list_path, detail = "/staff/reservations", f"/staff/reservation?id={target.id}"
    try:
        for name, state, path, payload in (
                ("load", StaffReservationsState, list_path, {}),
                ("apply", StaffReservationsState, list_path,
                 {"form": {"promotion": "", "variant": "", "action": ""}}),
                ("go", StaffReservationsState, list_path, {"page": 1}),
                ("toggle_all", StaffReservationsState, list_path, {"on": True}),
                ("export", StaffReservationsState, list_path, {}),
                ("detail load", ReservationState, detail, {}),
                ("set_done", ReservationState, detail, {"done": True}),
                ("save_notes", ReservationState, detail, {"form": {"notes": "planted"}}),
                ("cancel", ReservationState, detail, {})):
            # Only the three detail actions may stay unanswered (they find no reservation
            # loaded in this tab and change nothing).
            silent = name in ("set_done", "save_notes", "cancel")
            replies[name] = call(tab, handler(state, name.split()[-1]), path,
                                 reply_within=1.5 if silent else 15, **payload)
        # A tab's events run one after another: this answer comes after all of the above.
        replies["load again"] = call(tab, handler(StaffReservationsState, "load"), list_path,
                                     reply_within=15)
        assert "/login?next=/staff/reservations" in replies["load again"]
    finally:
        tab.close()
    return replies


def test_customer_calling_staff_reservation_handlers_gets_nothing(page: Page,
                                                                  app: App) -> None:
    """Raw websocket calls of the staff handlers with a customer's session: no reservation
    leaks and nothing changes."""
    before = app.query("SELECT id, status, action_done_at, notes FROM reservations ORDER BY id")
    replies = staff_handler_replies(page, app)
    for name, reply in replies.items():
        assert not CODE_RE.search(reply), f"{name} leaked a voucher code: {reply[:500]}"
        assert "example.org" not in reply, f"{name} leaked an email: {reply[:500]}"
    after = app.query("SELECT id, status, action_done_at, notes FROM reservations ORDER BY id")
    assert after[:len(before)] == before
    assert len(after) == len(before) + 1 and after[-1][1:] == ("active", None, "")
    # The page loads send the customer to log in.
    assert "/login?next=/staff/reservations" in replies["load"]
    assert "/login?next=/staff/reservation" in replies["detail load"]


def test_customer_calling_staff_list_handlers_is_told_not_allowed(page: Page,
                                                                   app: App) -> None:
    """As on the other staff pages (OutboxState.go), a customer's direct call of a staff
    list handler is answered "You are not allowed to do that.", and is no server error."""
    log_before = app.log_path.read_text(errors="replace")
    replies = staff_handler_replies(page, app)
    new_log = app.log_path.read_text(errors="replace")[len(log_before):]
    for name in ("apply", "go"):
        assert FORBIDDEN in replies[name], f"{name}: {replies[name][:500]}"
        assert "Something went wrong" not in replies[name], name
    assert "unhandled error in event handler" not in new_log, new_log[-3000:]


# ---- 4. Arabic: the voucher page mirrors and still shows the red box ---------------------------

def test_voucher_page_in_arabic_mirrors_and_keeps_the_red_box(new_context: NewContext,
                                                             app: App) -> None:
    _, variant = ids(app)
    customer, _ = new_customer(new_context, "Samir")
    with app_session(app) as session:
        actor = page_actor(session, customer)
    code = buy(app, actor, variant["2 nights"])
    open_voucher(customer, code)
    expect(red_box(customer)).to_be_visible()
    expect(customer.locator("html")).to_have_attribute("dir", "ltr")

    customer.locator("#language-switcher").select_option("ar")
    for attempt in ("switched", "reloaded"):
        expect(customer.locator("html")).to_have_attribute("dir", "rtl")
        expect(customer.locator("html")).to_have_attribute("lang", "ar")
        expect(customer.get_by_role("heading", name="قسيمتك")).to_be_visible()
        box = red_box(customer)
        expect(box).to_be_visible()
        expect(box).to_have_attribute("role", "alert")
        expect(box.get_by_role("heading", name="إجراء مطلوب")).to_be_visible()
        expect(box.get_by_role("heading", name="كيفية استخدام القسيمة")).to_be_visible()
        expect(box.get_by_text(ACTION, exact=True)).to_be_visible()
        assert box.evaluate("e => getComputedStyle(e).direction") == "rtl", attempt
        expect(customer.locator(".voucher-code")).to_have_text(code)
        expect(customer.get_by_role("img", name="رمز QR لرمز القسيمة")).to_be_visible()
        if attempt == "switched":
            open_voucher(customer, code)  # the account keeps Arabic
    # The page's main column starts on the right.
    heading = customer.get_by_role("heading", name="قسيمتك").bounding_box()
    width = customer.viewport_size["width"]  # type: ignore[index]
    assert heading and heading["x"] + heading["width"] > width / 2


# ---- 5. customer service cannot cancel once the action is done ---------------------------------

def test_cancel_refused_after_the_action_is_done(new_context: NewContext, app: App) -> None:
    _, variant = ids(app)
    customer, _ = new_customer(new_context, "Zofia")
    with app_session(app) as session:
        actor = page_actor(session, customer)
    code = buy(app, actor, variant["4 nights"])
    reservation = reservation_of(app, code)
    invoice = app.query("SELECT id, status FROM invoices WHERE order_kind = 'reservation'"
                        " AND order_id = ?", reservation.id)
    assert len(invoice) == 1 and invoice[0][1] != "void"

    staff = staff_page(new_context, f"/staff/reservation?id={reservation.id}")
    expect(staff.get_by_role("heading", name=f"Reservation {code}")).to_be_visible()
    done_box = staff.get_by_role("checkbox", name="Required action completed")
    done_box.click()
    expect(done_box).to_be_checked()
    expect(staff.get_by_text(re.compile(r"^Confirmed on "))).to_be_visible()
    assert reservation_of(app, code).action_done_at is not None

    staff.get_by_role("button", name="Cancel voucher").click()
    toast = error_toast(staff)
    expect(toast).to_be_visible()
    expect(toast).to_contain_text(CANCEL_REFUSED)
    expect(staff.get_by_text("Status: Active")).to_be_visible()
    expect(staff.get_by_role("button", name="Cancel voucher")).to_be_visible()
    assert app.query("SELECT status FROM reservations WHERE code = ?", code) == [("active",)]
    assert app.query("SELECT id, status FROM invoices WHERE id = ?", invoice[0][0]) == invoice
    open_voucher(customer, code)
    expect(green_box(customer)).to_be_visible()
    expect(customer.get_by_text("This voucher has been cancelled.")).to_have_count(0)

    # Unticking undoes the action; then customer service may cancel.
    open_page(staff, f"/staff/reservation?id={reservation.id}")
    done_box = staff.get_by_role("checkbox", name="Required action completed")
    expect(done_box).to_be_checked()
    done_box.click()
    expect(done_box).not_to_be_checked()
    expect(staff.get_by_text(re.compile(r"^Confirmed on "))).to_have_count(0)
    assert reservation_of(app, code).action_done_at is None
    staff.get_by_role("button", name="Cancel voucher").click()
    expect(staff.get_by_text("Status: Cancelled")).to_be_visible()
    expect(staff.get_by_role("button", name="Cancel voucher")).to_have_count(0)
    assert app.query("SELECT status FROM reservations WHERE code = ?", code) == [("cancelled",)]
    assert app.query("SELECT status FROM invoices WHERE id = ?", invoice[0][0]) == [("void",)]
    actions = [a for (a,) in app.query(
        "SELECT action FROM audit_entries WHERE entity = 'reservation' AND entity_id = ?"
        " ORDER BY id", reservation.id)]
    assert actions == ["reservation_bought", "action_done", "action_undone",
                       "reservation_cancelled"]
    open_voucher(customer, code)
    expect(customer.get_by_text("This voucher has been cancelled.")).to_be_visible()
