"""Help tickets end to end: the help icon, "My order is late" and "Charged but no order
created", the live exchange between a customer and staff (canned responses, attachments,
internal notes), closing and rating, the emails at a real SMTP server, and the guards around
attachments (type sniffing, the download route, the upload endpoint).

Each test registers its own customer, so tickets, unread flags and emails never mix. The
live parts never reload a page after its first load (checked with `Watch`): what a page shows
then came by a push.
"""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.models import Product, ShopOrder, User
from reserve_app.models.base import utcnow
from reserve_app.services import shop
from reserve_app.services.accounts import auth
from reserve_app.services.platform import db
from reserve_app.state.tickets.my_tickets import TicketState

from .conftest import App, Mailbox
from .helpers import log_in_as, open_page
from .test_direct_calls import handler, sid_cookie
from .test_rentals import register
from .test_shop import Watch

NewContext = Callable[..., BrowserContext]

CREATED = "Your ticket has been created. Our team will be in touch with you within a few days."
FILE_TYPE_ERROR = "Only PNG, JPEG and PDF files can be attached."
INTERNAL = "Internal note (never shown to the customer)"
RATING = "Rating (1 = poor, 5 = excellent)"


# ---- files ---------------------------------------------------------------------------------

def png_bytes(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 4) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_png(folder: Path, name: str, rgb: tuple[int, int, int] = (200, 30, 30)) -> Path:
    path = folder / name
    path.write_bytes(png_bytes(rgb))
    return path


# ---- the database, through the app's own services (test process) --------------------------

@contextmanager
def app_session(app: App) -> Iterator[Session]:
    """A session on the e2e app's database (its own engine: the test process's settings and
    default database are never touched). Its transactions take the write lock at once, as
    the app's own writes do: the app writes the same file meanwhile. Like the app's unit
    of work (use cases never commit), it commits at a clean exit."""
    engine = db.make_engine(app.db_url or f"sqlite:///{app.db_path}")
    try:
        with Session(db.writing(engine), expire_on_commit=False) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def place_old_order(app: App, page: Page, days: int = 3) -> int:
    """One Cola ordered by the page's logged-in customer (services.shop.place_order as that
    customer), then dated `days` back; its fulfilment stays "awaiting review"."""
    with app_session(app) as session:
        actor = auth.resolve_actor(session, token=sid_cookie(page).split("=", 1)[1])
        assert actor is not None, "the page is not logged in"
        cola = session.exec(select(Product).where(Product.name == "Cola")).one()
        order_id = shop.place_order(session, actor=actor, method="cash", items=[
            {"product_id": cola.id, "pay_with": "money", "quantity": 1}])
    with app_session(app) as session:
        order = session.get(ShopOrder, order_id)
        assert order is not None and order.fulfilment == "awaiting_review"
        order.created_at = utcnow() - timedelta(days=days)
        session.add(order)
        session.commit()
    return order_id


def cancel_order(app: App, order_id: int) -> None:
    """Cleanup: the demo staff member cancels the order (leaves no open order behind)."""
    with app_session(app) as session:
        staff = session.exec(select(User).where(User.email == "staff@example.com")).one()
        actor = Actor(staff.id or 0, Role(staff.role), staff.name, staff.email,
                      staff.language)
        if session.get(ShopOrder, order_id).status == "pending":  # type: ignore[union-attr]
            shop.act(session, actor=actor, order_id=order_id, action="cancel")


def attachments_of(app: App, ticket_id: int) -> list[tuple]:
    return app.query("SELECT id, filename, content_type, entry_id, internal FROM"
                     " ticket_attachments WHERE ticket_id = ? ORDER BY id", ticket_id)


# ---- small steps ---------------------------------------------------------------------------

def new_page(new_context: NewContext) -> Page:
    return new_context().new_page()


def new_customer(new_context: NewContext, name: str) -> tuple[Page, str]:
    """A fresh customer account (one-word name), logged in, in its own browser context."""
    page = new_page(new_context)
    return page, register(page, name)


def staff_page(new_context: NewContext, path: str, who: str = "staff") -> Page:
    page = new_page(new_context)
    log_in_as(page, who)
    open_page(page, path)
    return page


def ticket_id_from_link(page: Page) -> int:
    link = page.get_by_role("link", name="Open the ticket")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"/help/ticket\?id=\d+$"))
    return int(re.search(r"id=(\d+)", link.get_attribute("href") or "").group(1))


def create_charged_ticket(page: Page, details: str, method: str = "cash",
                          last4: str = "") -> int:
    """"Charged but no order created" on /help; returns the new ticket's id."""
    open_page(page, "/help?type=charged")
    expect(page.get_by_role("heading", name="Charged but no order created")).to_be_visible()
    page.get_by_label("Payment method").select_option(method)
    if last4:
        page.get_by_label("Last 4 card digits").fill(last4)
    page.get_by_label("Details").fill(details)
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_text(CREATED)).to_be_visible()
    return ticket_id_from_link(page)


def open_customer_ticket(page: Page, ticket_id: int) -> None:
    open_page(page, f"/help/ticket?id={ticket_id}")
    expect(page.get_by_role("heading", name=re.compile(rf"^Ticket #{ticket_id}:"))
           ).to_be_visible()


def open_staff_ticket(page: Page, ticket_id: int) -> None:
    open_page(page, f"/staff/ticket?id={ticket_id}")
    expect(page.get_by_role("heading", name=re.compile(rf"^Ticket #{ticket_id}:"))
           ).to_be_visible()


def history(page: Page):  # noqa: ANN201
    return page.get_by_role("log", name="History")


def attach(page: Page, path: Path) -> None:
    """"Attach a file": the file goes to the hidden input of the drop zone; it is uploaded at
    once and listed as waiting for the next message."""
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("button", name=f"Remove: {path.name}")).to_be_visible()


def file_link(page: Page, name: str):  # noqa: ANN201
    return page.get_by_role("link", name=re.compile(rf"{re.escape(name)} \("))


def help_button_center(page: Page) -> float:
    box = page.locator(".help-fab").bounding_box()
    assert box, "the help button has no box"
    return box["x"] + box["width"] / 2


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


# ---- 1. the whole exchange, live, in two contexts --------------------------------------------

def test_late_order_ticket_live_between_customer_and_staff(
        new_context: NewContext, app: App, mailbox: Mailbox, tmp_path: Path) -> None:
    # The admin adds the canned response staff will use.
    canned_title = unique("Order delayed")
    canned_text = unique("Sorry for the delay, your order is being prepared.")
    admin = staff_page(new_context, "/staff/support", "admin")
    expect(admin.get_by_role("heading", name="Help & tickets")).to_be_visible()
    expect(admin.get_by_role("checkbox", name=re.compile(r"^Enable self-service"))).to_be_checked()
    admin.get_by_label("Title").fill(canned_title)
    admin.get_by_label("Text").fill(canned_text)
    admin.get_by_role("button", name="Save canned response").click()
    expect(admin.get_by_role("cell", name=canned_title, exact=True)).to_be_visible()
    admin.context.close()

    # Staff keep the inbox open before anything happens.
    staff = staff_page(new_context, "/staff/tickets")
    expect(staff.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
    inbox = staff.get_by_role("region", name="Tickets", exact=True)

    customer, email = new_customer(new_context, "Tomasz")
    order_id = place_old_order(app, customer)
    try:
        watch = Watch(staff=staff)

        # The customer: help icon → "My order is late" → the order → Next.
        open_page(customer, "/")
        customer.get_by_role("button", name="Open help").click()
        customer.get_by_role("dialog").get_by_role("link", name="My order is late").click()
        expect(customer.get_by_role("heading", name="My order is late")).to_be_visible()
        customer.get_by_label("Which order?").select_option(str(order_id))
        customer.get_by_role("button", name="Next").click()
        expect(customer.get_by_text("Your order is still being reviewed after 48 hours."
                                    " Tell us more and create a ticket; the merchant will"
                                    " verify it.")).to_be_visible()
        details = unique("Ordered three days ago, still nothing.")
        customer.get_by_label("Details").fill(details)
        customer.get_by_role("button", name="Create ticket").click()
        expect(customer.get_by_text(CREATED)).to_be_visible()
        ticket_id = ticket_id_from_link(customer)
        assert app.query("SELECT type, status, order_id, details FROM tickets WHERE id = ?",
                         ticket_id) == [("order_late", "verifying", order_id, details)]

        # Staff: it arrives in the open inbox, no reload.
        row_link = inbox.get_by_role("link", name=re.compile(rf"^Ticket #{ticket_id}:"))
        expect(row_link).to_be_visible()
        expect(row_link).to_contain_text(f"order #{order_id}")
        row = inbox.get_by_role("row").filter(
            has=staff.get_by_role("link", name=re.compile(rf"^Ticket #{ticket_id}:")))
        expect(row).to_contain_text("Tomasz")
        expect(row).to_contain_text("Under merchant verification")
        watch.assert_quiet()
        mailbox.wait_for("staff@example.com", f"New ticket #{ticket_id} from Tomasz")

        # The customer opens the ticket.
        customer.get_by_role("link", name="Open the ticket").click()
        expect(customer.get_by_role("heading", name=re.compile(rf"^Ticket #{ticket_id}:"))
               ).to_be_visible()
        expect(customer.get_by_text("Under merchant verification").first).to_be_visible()
        expect(history(customer).get_by_text(details)).to_be_visible()

        # Staff answer with the canned response and a PNG.
        row_link.click()
        expect(staff.get_by_role("heading", name=re.compile(rf"^Ticket #{ticket_id}:"))
               ).to_be_visible()
        expect(history(staff).get_by_text(details)).to_be_visible()
        watch = Watch(staff=staff, customer=customer)
        staff.get_by_label("Canned response").select_option(label=canned_title)
        attach(staff, write_png(tmp_path, "reply-photo.png", (10, 120, 200)))
        staff.get_by_role("button", name="Send", exact=True).click()
        expect(staff.get_by_text("Reply sent.")).to_be_visible()
        expect(history(staff).get_by_text(canned_text)).to_be_visible()
        expect(file_link(history(staff), "reply-photo.png")).to_be_visible()

        # The customer sees it at once on the open ticket page.
        expect(history(customer).get_by_text(canned_text)).to_be_visible()
        reply_file = file_link(history(customer), "reply-photo.png")
        expect(reply_file).to_be_visible()
        expect(reply_file).to_have_attribute("href", re.compile(r"^/api/attachments/\d+$"))
        download = customer.request.get(reply_file.get_attribute("href") or "")
        assert download.status == 200 and download.body() == png_bytes((10, 120, 200))

        # The customer replies with an image; staff see it live.
        answer = unique("Here is my receipt.")
        attach(customer, write_png(tmp_path, "receipt.png", (0, 160, 0)))
        customer.get_by_label("Reply to merchant").fill(answer)
        customer.get_by_role("button", name="Send reply").click()
        expect(history(customer).get_by_text(answer)).to_be_visible()
        expect(file_link(history(customer), "receipt.png")).to_be_visible()
        expect(history(staff).get_by_text(answer)).to_be_visible()
        expect(file_link(history(staff), "receipt.png")).to_be_visible()

        # The customer closes and rates; staff see the rating live.
        customer.get_by_role("button", name="Close ticket").click()
        expect(customer.get_by_role("heading", name="How did we do?")).to_be_visible()
        expect(customer.get_by_label("Reply to merchant")).to_have_count(0)
        customer.get_by_role("group", name=RATING).get_by_label("4").check()
        customer.get_by_label("Comment").fill("Quick and kind.")
        customer.get_by_role("button", name="Submit rating").click()
        expect(customer.get_by_text(re.compile(r"Your rating: 4 / 5"))).to_be_visible()
        expect(staff.get_by_text("Customer's rating: 4 / 5")).to_be_visible()
        watch.assert_quiet()
        assert app.query("SELECT status, rating, rating_comment FROM tickets WHERE id = ?",
                         ticket_id) == [("closed", 4, "Quick and kind.")]
        files = attachments_of(app, ticket_id)
        assert [(f[1], f[2], f[4]) for f in files] == [
            ("reply-photo.png", "image/png", 0), ("receipt.png", "image/png", 0)]
        assert all(f[3] for f in files)  # both sent with a message

        # The reply reached the customer by email, with the canned text and a link.
        mail = mailbox.wait_for(email, f"New reply on your ticket #{ticket_id}")
        body = mail.get_content()
        assert canned_text in body
        assert f"/help/ticket?id={ticket_id}" in body

        # The help icon: bottom right in English, bottom left in Arabic.
        open_page(customer, "/")
        expect(customer.get_by_role("button", name="Open help")).to_be_visible()
        width = customer.viewport_size["width"]
        assert help_button_center(customer) > width / 2
        customer.locator("#language-switcher").select_option("ar")
        expect(customer.locator("html")).to_have_attribute("dir", "rtl")
        expect(customer.get_by_role("button", name="فتح المساعدة")).to_be_visible()
        customer.wait_for_function(
            """() => { const r = document.querySelector('.help-fab').getBoundingClientRect();
                       return r.right < window.innerWidth / 2; }""")
        assert help_button_center(customer) < width / 2
    finally:
        cancel_order(app, order_id)


# ---- 2. the help icon -------------------------------------------------------------------------

def test_help_icon_asks_visitors_to_log_in_and_offers_customers_the_ticket_types(
        new_context: NewContext) -> None:
    visitor = new_page(new_context)
    open_page(visitor, "/")
    visitor.get_by_role("button", name="Open help").click()
    popover = visitor.get_by_role("dialog")
    expect(popover.get_by_text("Please log in to ask for help or follow your tickets.")
           ).to_be_visible()
    expect(popover.get_by_role("link", name="Log in")).to_have_attribute(
        "href", "/login?next=/help")
    expect(popover.get_by_role("link", name="My tickets")).to_have_count(0)

    customer, _ = new_customer(new_context, "Hana")
    open_page(customer, "/shop")
    customer.get_by_role("button", name="Open help").click()
    popover = customer.get_by_role("dialog")
    for name, href in (("Charged but no order created", "/help?type=charged"),
                       ("My order is late", "/help?type=late"),
                       ("My tickets", "/help/tickets")):
        expect(popover.get_by_role("link", name=name)).to_have_attribute("href", href)
    popover.get_by_role("link", name="My tickets").click()
    expect(customer.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(customer.get_by_text("You have no tickets.")).to_be_visible()


# ---- 3. "Charged but no order created" -----------------------------------------------------------

def test_charged_form_wants_exactly_four_digits(new_context: NewContext, app: App) -> None:
    customer, _ = new_customer(new_context, "Karol")
    open_page(customer, "/help?type=charged")
    customer.get_by_label("Payment method").select_option("card")
    customer.get_by_label("Last 4 card digits").fill("123")
    details = unique("Charged 12.50 on Monday, no order.")
    customer.get_by_label("Details").fill(details)
    customer.get_by_role("button", name="Create ticket").click()
    error = customer.locator("#field-last4-error")
    expect(error).to_have_text("Enter exactly 4 digits.")
    expect(customer.get_by_text(CREATED)).to_have_count(0)
    assert app.query("SELECT count(*) FROM tickets WHERE details = ?", details) == [(0,)]

    customer.get_by_label("Last 4 card digits").fill("1234")
    customer.get_by_role("button", name="Create ticket").click()
    expect(customer.get_by_text(CREATED)).to_be_visible()
    expect(error).to_have_count(0)
    ticket_id = ticket_id_from_link(customer)
    assert app.query("SELECT type, status, method, last4, details FROM tickets WHERE id = ?",
                     ticket_id) == [("charged_no_order", "open", "card", "1234", details)]


# ---- 4. internal notes stay with staff ----------------------------------------------------------

def test_internal_note_is_shown_to_staff_only(new_context: NewContext, app: App,
                                              tmp_path: Path) -> None:
    customer, _ = new_customer(new_context, "Iga")
    ticket_id = create_charged_ticket(customer, unique("Charged twice."))
    open_customer_ticket(customer, ticket_id)
    staff = staff_page(new_context, "/staff/tickets")
    open_staff_ticket(staff, ticket_id)
    watch = Watch(customer=customer)

    note = unique("Customer called twice, check the card terminal.")
    staff.get_by_label("Message").fill(note)
    staff.get_by_label(INTERNAL).check()
    attach(staff, write_png(tmp_path, "terminal-log.png"))
    staff.get_by_role("button", name="Send", exact=True).click()
    expect(staff.get_by_text("Internal note saved.")).to_be_visible()
    note_entry = history(staff).get_by_role("article").filter(has_text=note)
    expect(note_entry).to_be_visible()
    expect(note_entry.get_by_text("Internal note", exact=True)).to_be_visible()
    expect(file_link(note_entry, "terminal-log.png")).to_be_visible()

    public = unique("We are checking your payment.")
    staff.get_by_label("Message").fill(public)
    staff.get_by_role("button", name="Send", exact=True).click()
    expect(history(staff).get_by_text(public)).to_be_visible()

    # The customer's page got the public reply live, and nothing of the note.
    expect(history(customer).get_by_text(public)).to_be_visible()
    expect(customer.get_by_text(note)).to_have_count(0)
    expect(customer.get_by_text("Internal note")).to_have_count(0)
    expect(file_link(customer, "terminal-log.png")).to_have_count(0)
    watch.assert_quiet()
    open_customer_ticket(customer, ticket_id)  # and not after a reload either
    expect(history(customer).get_by_text(public)).to_be_visible()
    expect(customer.get_by_text(note)).to_have_count(0)
    expect(file_link(customer, "terminal-log.png")).to_have_count(0)

    # The note's file: staff may download it, the customer may not.
    (file_id, _, _, _, internal), = attachments_of(app, ticket_id)
    assert internal == 1
    assert staff.request.get(f"/api/attachments/{file_id}").status == 200
    assert customer.request.get(f"/api/attachments/{file_id}").status == 404


# ---- 5. a customer's message is text, never markup ----------------------------------------------

def test_html_in_a_customer_message_is_shown_as_text_to_staff(new_context: NewContext) -> None:
    payload = "<img src=x onerror=alert(1)><b>bold</b>"
    customer, _ = new_customer(new_context, "Hugo")
    ticket_id = create_charged_ticket(customer, unique("Markup in the next message."))
    open_customer_ticket(customer, ticket_id)
    customer.get_by_label("Reply to merchant").fill(payload)
    customer.get_by_role("button", name="Send reply").click()
    expect(history(customer).get_by_text(payload, exact=True)).to_be_visible()

    staff = new_page(new_context)
    dialogs: list[str] = []
    staff.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in_as(staff, "staff")
    open_staff_ticket(staff, ticket_id)
    message = history(staff).get_by_text(payload, exact=True)
    expect(message).to_be_visible()
    expect(message).to_have_class(re.compile("ticket-message"))
    expect(history(staff).locator("b")).to_have_count(0)
    expect(history(staff).locator("img")).to_have_count(0)
    staff.wait_for_load_state("load")
    assert dialogs == []


# ---- 6. attachments: type from the content, download for the owner and staff only ------------

def test_disguised_file_is_refused(new_context: NewContext, app: App, tmp_path: Path) -> None:
    customer, _ = new_customer(new_context, "Eryk")
    ticket_id = create_charged_ticket(customer, unique("A file that is no picture."))
    open_customer_ticket(customer, ticket_id)
    evil = tmp_path / "evil.png"
    evil.write_bytes(b"MZ" + b"\x00" * 510)  # a Windows executable's start, named .png
    customer.locator("input[type=file]").set_input_files(str(evil))
    toast = customer.locator("[data-sonner-toast][data-type=error]")
    expect(toast).to_be_visible()
    said = [toast.inner_text(), *customer.get_by_role("alert").all_inner_texts()]
    expect(customer.get_by_role("button", name="Remove: evil.png")).to_have_count(0)
    expect(file_link(customer, "evil")).to_have_count(0)
    assert attachments_of(app, ticket_id) == []

    # A real picture right after is taken (the refusal left the page working).
    attach(customer, write_png(tmp_path, "fine.png"))
    assert [f[1] for f in attachments_of(app, ticket_id)] == ["fine.png"]

    # The refusal told the customer why.
    assert any(FILE_TYPE_ERROR in text for text in said), (
        f"expected {FILE_TYPE_ERROR!r} in an error toast (or next to the picker); the page"
        f" said {said}")


def test_attachment_downloads_only_for_its_customer_and_staff(
        new_context: NewContext, app: App, tmp_path: Path) -> None:
    owner, _ = new_customer(new_context, "Olek")
    ticket_id = create_charged_ticket(owner, unique("Photo of the bank statement."))
    open_customer_ticket(owner, ticket_id)
    attach(owner, write_png(tmp_path, "statement.png", (1, 2, 3)))
    owner.get_by_label("Reply to merchant").fill("The statement.")
    owner.get_by_role("button", name="Send reply").click()
    link = file_link(history(owner), "statement.png")
    expect(link).to_be_visible()
    url = link.get_attribute("href") or ""
    (file_id, *_), = attachments_of(app, ticket_id)
    assert url == f"/api/attachments/{file_id}"

    mine = owner.request.get(url)
    assert mine.status == 200
    assert mine.body() == png_bytes((1, 2, 3))
    assert mine.headers["content-type"] == "image/png"
    assert mine.headers["content-disposition"].startswith("attachment")

    other, _ = new_customer(new_context, "Paula")
    refused = other.request.get(url)
    assert refused.status == 404
    assert png_bytes((1, 2, 3)) not in refused.body()
    open_page(other, f"/help/ticket?id={ticket_id}")  # the ticket page does not show it either
    expect(other.get_by_text("The statement.")).to_have_count(0)

    anonymous = new_context()
    assert anonymous.request.get(url).status == 404
    staff = new_page(new_context)
    log_in_as(staff, "staff")
    assert staff.request.get(url).status == 200


def test_upload_with_another_users_cookie_is_refused(new_context: NewContext, app: App) -> None:
    """Reflex's POST /_upload runs the upload handler in the state of the tab named by the
    Reflex-Client-Token header; the app lets it through only for that tab's own user."""
    victim, _ = new_customer(new_context, "Vera")
    ticket_id = create_charged_ticket(victim, unique("My ticket."))
    open_customer_ticket(victim, ticket_id)
    token = victim.evaluate("window.sessionStorage.getItem('token')")
    assert token
    headers = {"Reflex-Client-Token": token,
               "Reflex-Event-Handler": handler(TicketState, "upload")}

    def post(context_page: Page | BrowserContext, name: str) -> int:
        return context_page.request.post("/_upload", headers=headers, multipart={
            "files": {"name": name, "mimeType": "image/png", "buffer": png_bytes()}}).status

    attacker, _ = new_customer(new_context, "Mallory")
    assert post(attacker, "planted.png") == 403
    assert post(new_context(), "anonymous.png") == 403
    assert attachments_of(app, ticket_id) == []

    # The same request with the tab owner's own cookie goes through (so the 403 above came
    # from the cookie, not from a malformed request).
    assert post(victim, "own.png") == 200
    assert [f[1] for f in attachments_of(app, ticket_id)] == ["own.png"]

