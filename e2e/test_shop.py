"""Shop end to end: a customer orders, staff panels follow live, staff act on the order.

Every browser context here is a new context of the session browser. The live parts never
reload or navigate a page after its first load: what a panel shows then came by a push.
Runs on one worker (`make e2e`) and on Redis with two workers (`make e2e-redis`), where the
tabs usually sit on different workers.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, WebSocketRoute, expect

from reserve_app.state.shop.my_orders import MyOrdersState
from reserve_app.state.shop.staff_orders import StaffOrdersState
from reserve_app.state.shop.storefront import ShopState

from .conftest import App, note_workers, worker_pids
from .helpers import log_in_as, open_page
from .test_direct_calls import Tab, handler, sid_cookie

log = logging.getLogger("e2e.shop")
NewContext = Callable[..., BrowserContext]
CUSTOMER_EMAIL = "customer@example.com"
FORBIDDEN = "You are not allowed to do that."
QUANTITY_INVALID = "Quantity must be a whole number from 1 to 99."


# ---- small steps ---------------------------------------------------------------------------

def order_name(order_id: int) -> str:
    return f"Order # {order_id}"


def new_page(new_context: NewContext) -> Page:
    return new_context().new_page()


def open_orders_panel(page: Page, who: str = "staff") -> None:
    log_in_as(page, who)
    open_page(page, "/staff/orders")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()


def open_shop(page: Page) -> None:
    log_in_as(page, "customer")
    open_page(page, "/shop")
    expect(page.get_by_role("heading", name="Shop", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Add to order: Cola")).to_be_visible()


def send_order(page: Page) -> int:
    """Click "Send order" on /shop; returns the order number from the confirmation (the
    newest one: an earlier order's confirmation may still be on screen)."""
    confirmations = page.get_by_text(re.compile(r"^Order #\d+ sent\."))

    def numbers() -> set[int]:
        return {int(n) for text in confirmations.all_inner_texts()
                for n in re.findall(r"#(\d+)", text)}

    before = numbers()
    page.get_by_role("button", name="Send order").click()
    expect(confirmations.first).to_be_visible()
    for _ in range(100):
        if new := numbers() - before:
            return max(new)
        page.wait_for_timeout(100)
    raise AssertionError(f"no new confirmation; saw {sorted(numbers())}")


def order_one_cola(page: Page, note: str = "") -> int:
    """On an open /shop page: one Cola paid with money (cash), optional note; sends it."""
    page.get_by_role("button", name="Add to order: Cola").click()
    expect(page.get_by_label("Quantity of Cola")).to_have_value("1")
    page.get_by_label("Payment method").select_option("cash")
    if note:
        page.get_by_label("Note for staff").fill(note)
    return send_order(page)


def close_order(panel: Page, app: App, order_id: int) -> None:
    """Cleanup on an open staff panel: cancel (new) or void (accepted) the order."""
    (status,), = app.query("SELECT status FROM shop_orders WHERE id = ?", order_id)
    action = {"pending": "Cancel order", "accepted": "Void"}.get(status)
    if action:
        card = open_list(panel).get_by_role("article", name=order_name(order_id), exact=True)
        card.get_by_role("button", name=f"{action} #{order_id}").click()
        expect(card).to_have_count(0)


def open_list(page: Page) -> Locator:
    return page.get_by_role("region", name="Open orders", exact=True)


def closed_list(page: Page) -> Locator:
    return page.get_by_role("region", name="Recently closed", exact=True)


def my_orders(page: Page) -> Locator:
    return page.get_by_role("region", name="Your orders", exact=True)


def customer_id(app: App, email: str = CUSTOMER_EMAIL) -> int:
    return app.query("SELECT id FROM users WHERE email = ?", email)[0][0]


def points_of(app: App, user_id: int) -> int:
    return app.query("SELECT coalesce(sum(points), 0) FROM points_entries WHERE customer_id = ?",
                     user_id)[0][0]


def shop_rows(app: App) -> dict[str, list[tuple]]:
    """Everything a shop handler could write, to compare before and after."""
    return {
        "orders": app.query("SELECT id, status, method, note, paid, in_debt, points_spent"
                            " FROM shop_orders ORDER BY id"),
        "items": app.query("SELECT id, order_id, quantity, delivered FROM shop_order_items"
                           " ORDER BY id"),
        "stock": app.query("SELECT id, stock FROM shop_products ORDER BY id"),
        "points": app.query("SELECT id FROM points_entries ORDER BY id"),
        "balance": app.query("SELECT id FROM balance_entries ORDER BY id"),
        "invoices": app.query("SELECT id, status FROM invoices ORDER BY id"),
        "payments": app.query("SELECT id, status FROM payments ORDER BY id"),
        # max(id): live events get pruned, ids only grow with new rows
        "audit": app.query("SELECT coalesce(max(id), 0) FROM audit_entries"),
        "live": app.query("SELECT coalesce(max(id), 0) FROM live_events"),
        "sound": app.query("SELECT id, order_sound FROM users ORDER BY id"),
    }


def product_id(app: App, name: str) -> int:
    return app.query("SELECT id FROM shop_products WHERE name = ?", name)[0][0]


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def order_cards(data: object) -> Iterator[dict]:
    """Every order card (a dict with "id", "customer" and "status") in a websocket reply."""
    if isinstance(data, dict):
        if {"id", "customer", "status"} <= data.keys():
            yield data
        for value in data.values():
            yield from order_cards(value)
    elif isinstance(data, list):
        for value in data:
            yield from order_cards(value)


class Watch:
    """Records navigations and new websockets of pages after their first load.

    The live part of a test asserts both stayed empty: what the page shows then came by a
    push over its one websocket, not by a reload or a reconnect (which reloads the lists).
    """

    def __init__(self, **pages: Page) -> None:
        self.events: list[str] = []
        for label, page in pages.items():
            page.on("framenavigated", lambda frame, label=label, page=page: (
                self.events.append(f"{label} navigated to {frame.url}")
                if frame == page.main_frame else None))
            page.on("websocket", lambda ws, label=label: self.events.append(
                f"{label} opened a new websocket {ws.url}"))

    def assert_quiet(self) -> None:
        assert self.events == [], self.events


def log_workers(app: App, **pages: Page) -> None:
    """Multi-worker mode: which worker holds each tab's websocket (not asserted)."""
    if not app.redis_url:
        return
    import redis  # the app's dependency

    def say(line: str) -> None:
        log.warning(line)
        note_workers(app.log_path, line)

    say(f"-- {os.environ.get('PYTEST_CURRENT_TEST', '').split(' ')[0]}")

    client = redis.Redis.from_url(app.redis_url)
    try:
        for label, page in pages.items():
            token = page.evaluate("window.sessionStorage.getItem('token')")
            raw = client.get(f"token_manager_socket_record_{token}")
            instance = pickle.loads(raw).instance_id[:8] if raw else "?"
            say(f"tab {label}: client token {token[:8]} on worker instance {instance}")
    finally:
        client.close()
    port = int(app.url.rsplit(":", 1)[1])
    for pid in worker_pids(app.pid):
        try:
            conns = [c for c in psutil.Process(pid).net_connections("tcp")
                     if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port]
        except psutil.Error as err:
            say(f"worker pid {pid}: {err}")
            continue
        say(f"worker pid {pid} holds {len(conns)} TCP connections from the browser"
            " (websockets and keep-alive HTTP)")


@contextmanager
def held_websocket(page: Page) -> Iterator[Callable[[bool], None]]:
    """Route the page's websocket through Playwright so its incoming messages can be held.

    Yields `hold(on)`: while on, what the server sends (except engine.io pings) waits;
    turning it off delivers the waiting messages in order. Install before the page loads.
    """
    state: dict = {"on": False, "queue": []}

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if state["on"] and message != "2":  # "2": engine.io ping, keep the socket alive
                state["queue"].append((ws, message))
            else:
                ws.send(message)

        server.on_message(from_server)

    def hold(on: bool) -> None:
        state["on"] = on
        if not on:
            queue, state["queue"] = state["queue"], []
            for ws, message in queue:
                ws.send(message)

    page.route_web_socket(re.compile(r"/_event"), route)
    try:
        yield hold
    finally:
        hold(False)


# ---- 1. the live order: customer, staff A and staff B ---------------------------------------

def test_order_flows_live_between_customer_and_two_staff_panels(new_context: NewContext,
                                                                 app: App) -> None:
    staff_a, staff_b, customer = (new_page(new_context) for _ in range(3))
    for panel in (staff_a, staff_b):
        open_orders_panel(panel)
    open_shop(customer)
    cid = customer_id(app)
    points_before = points_of(app, cid)
    stock_before = app.query("SELECT stock FROM shop_products WHERE name = 'Cola'")[0][0]
    note = f"no ice please {uuid.uuid4().hex[:6]}"
    watch = Watch(staff_a=staff_a, staff_b=staff_b, customer=customer)

    # The customer: Cola with money and Cola with points, card, a note.
    customer.get_by_role("button", name="Add to order: Cola").click()
    expect(customer.get_by_label("Quantity of Cola")).to_have_count(1)
    customer.get_by_role("button", name="Add to order (points): Cola").click()
    expect(customer.get_by_label("Quantity of Cola")).to_have_count(2)
    cart = customer.get_by_role("region", name="Your order", exact=True)
    expect(cart.get_by_text("paid with points")).to_be_visible()
    expect(cart).to_contain_text("Total: €2.70 + 25 points")
    customer.get_by_label("Payment method").select_option("card")
    customer.get_by_label("Note for staff").fill(note)
    order_id = send_order(customer)
    assert app.query("SELECT customer_id, status, method, note, total, points FROM shop_orders"
                     " WHERE id = ?", order_id) == [(cid, "pending", "card", note, 2.7, 25)]
    mine = my_orders(customer).get_by_role("article", name=order_name(order_id), exact=True)
    expect(mine.get_by_text("New", exact=True)).to_be_visible()
    expect(customer.get_by_text("Your order is empty.")).to_be_visible()

    # Both staff panels show it at once, at the bottom of "Open orders", without a reload.
    cards = {}
    for label, panel in (("A", staff_a), ("B", staff_b)):
        card = open_list(panel).get_by_role("article", name=order_name(order_id), exact=True)
        expect(card).to_be_visible()
        expect(open_list(panel).get_by_role("article").last).to_have_accessible_name(
            order_name(order_id))
        expect(card).to_contain_text("Demo Customer", ignore_case=True)
        expect(card).to_contain_text("Total: €2.70 + 25 points")
        expect(card).to_contain_text("Payment method: Card")
        expect(card.get_by_text(note)).to_be_visible()
        expect(card.get_by_text("New", exact=True)).to_be_visible()
        cards[label] = card
    log_workers(app, staff_a=staff_a, staff_b=staff_b, customer=customer)

    # "View" shows the lines.
    staff_b.get_by_role("button", name=f"View #{order_id}").click()
    expect(cards["B"].get_by_text("1 × Cola").first).to_be_visible()
    expect(cards["B"].get_by_text(re.compile(r"1 × Cola · 25 points"))).to_be_visible()

    # Staff A accepts: both panels and the customer's page say "Accepted".
    staff_a.get_by_role("button", name=f"Accept #{order_id}").click()
    for card in cards.values():
        expect(card.get_by_text("Accepted", exact=True)).to_be_visible()
        expect(card.get_by_text("Not paid", exact=True)).to_be_visible()
    expect(mine.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(mine.get_by_text("Not paid", exact=True)).to_be_visible()
    expect(cards["B"].get_by_role("button", name=f"Cancel order #{order_id}")).to_have_count(0)

    # Staff B records the payment and changes the method to cash.
    cards["B"].get_by_role("button", name=f"Pay #{order_id}").click()
    dialog = staff_b.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Record payment for order #{order_id}")
    expect(dialog.get_by_label("Payment method")).to_have_value("card")
    dialog.get_by_label("Payment method").select_option("cash")
    dialog.get_by_role("button", name="Record payment").click()
    expect(staff_b.get_by_text("Payment recorded.")).to_be_visible()
    expect(dialog).to_have_count(0)
    expect(mine.get_by_text("Paid", exact=True)).to_be_visible()
    expect(mine).to_contain_text("Payment method: Cash")
    for card in cards.values():
        expect(card.get_by_text("Paid", exact=True)).to_be_visible()
        expect(card).to_contain_text("Payment method: Cash")
        expect(card.get_by_role("button", name=f"Pay #{order_id}")).to_have_count(0)

    # Staff A completes: the customer sees "Completed"; it leaves both open lists.
    cards["A"].get_by_role("button", name=f"Complete #{order_id}").click()
    expect(mine.get_by_text("Completed", exact=True)).to_be_visible()
    expect(mine.get_by_text("Delivered", exact=True)).to_have_count(2)
    for panel in (staff_a, staff_b):
        expect(open_list(panel).get_by_role("article", name=order_name(order_id),
                                            exact=True)).to_have_count(0)
        closed = closed_list(panel).get_by_role("article", name=order_name(order_id),
                                                exact=True)
        expect(closed.get_by_text("Completed", exact=True)).to_be_visible()
    watch.assert_quiet()  # everything above came by push: no reload, no reconnect

    # The database: paid by cash, an issued and paid invoice, 25 points spent, stock taken.
    assert app.query("SELECT status, method, paid, in_debt, points_spent FROM shop_orders"
                     " WHERE id = ?", order_id) == [("completed", "cash", 1, 0, 25)]
    invoice = app.query("SELECT id, status, number, total FROM invoices WHERE order_kind ="
                        " 'shop' AND order_id = ?", order_id)
    assert len(invoice) == 1 and invoice[0][1] == "paid"
    assert re.fullmatch(r"\d{4}-\d{6}", invoice[0][2]), invoice
    assert app.query("SELECT method, status, amount FROM payments WHERE invoice_id = ?",
                     invoice[0][0]) == [("cash", "approved", 2.7)]
    assert points_of(app, cid) == points_before - 25
    assert app.query("SELECT stock FROM shop_products WHERE name = 'Cola'")[0][0] \
        == stock_before - 2
    actions = app.query("SELECT action FROM audit_entries WHERE entity = 'shop_order' AND"
                        " entity_id = ? ORDER BY id", order_id)
    assert [a for (a,) in actions] == ["order_sent", "order_accept", "order_paid",
                                       "order_complete"]

    # My account (a reload is fine here): points dropped by 25, the ledgers are shown.
    open_page(customer, "/account")
    account = customer.get_by_role("region", name="Balance and points", exact=True)
    expect(account.get_by_text(f"{points_before - 25} points", exact=True)).to_be_visible()
    assert app.query("SELECT coalesce(sum(amount), 0) FROM balance_entries WHERE customer_id"
                     " = ?", cid) == [(0,)]  # paid in cash: no debt, no balance entry
    expect(account.get_by_text("€0.00", exact=True)).to_be_visible()
    points_ledger = account.get_by_role("region", name="Points history", exact=True)
    spent = points_ledger.get_by_role("row").filter(has_text=f"#{order_id}")
    expect(spent).to_contain_text("-25 points")
    expect(spent).to_contain_text("Points spent on an order")
    expect(points_ledger.get_by_role("row").filter(has_text="Welcome points")).to_contain_text(
        "+100 points")
    expect(account.get_by_role("region", name="Balance history", exact=True)).to_be_visible()


def test_customer_sees_the_invoice_of_an_accepted_order(new_context: NewContext,
                                                        app: App) -> None:
    """Accept "creates an unpaid invoice on the customer's account" (PRODUCT.md, 5); the
    customer finds its number with the order (Shop) or on My account."""
    staff, customer = new_page(new_context), new_page(new_context)
    open_orders_panel(staff)
    open_shop(customer)
    order_id = order_one_cola(customer)
    try:
        staff.get_by_role("button", name=f"Accept #{order_id}").click()
        mine = my_orders(customer).get_by_role("article", name=order_name(order_id),
                                               exact=True)
        expect(mine.get_by_text("Accepted", exact=True)).to_be_visible()
        (status, number), = app.query("SELECT status, number FROM invoices WHERE order_kind ="
                                      " 'shop' AND order_id = ?", order_id)
        assert status == "issued" and re.fullmatch(r"\d{4}-\d{6}", number)
        on_shop = customer.get_by_text(number).count()
        open_page(customer, "/account")
        expect(customer.get_by_role("region", name="Points history", exact=True)
               ).to_be_visible()
        on_account = customer.get_by_text(number).count()
        assert on_shop or on_account, (
            f"invoice {number} of order #{order_id} is shown neither with the order on /shop"
            " nor on /account")
    finally:
        close_order(staff, app, order_id)


def test_menu_table_names_the_kind_of_the_shop_entry(page: Page) -> None:
    """The seeded "Shop" storefront menu entry, in the admin's menu table (Rental
    catalogue), says what kind of entry it is like the others do, not a message key."""
    log_in_as(page, "admin")
    open_page(page, "/staff/rentals")
    menu_rows = page.get_by_role("table").nth(1).get_by_role("row")
    appointments = menu_rows.filter(has_text="Book an appointment")
    expect(appointments).to_contain_text("Appointments page")  # how the other kinds look
    shop_row = menu_rows.filter(has=page.get_by_role("cell", name="Shop", exact=True))
    expect(shop_row).to_have_count(1)
    expect(shop_row).not_to_contain_text("menu.kind.")


# ---- 2. two staff members act on the same order at once ------------------------------------

def test_second_staff_acting_on_a_stale_view_gets_a_clear_message(new_context: NewContext,
                                                                   app: App) -> None:
    staff_a, staff_b, customer = (new_page(new_context) for _ in range(3))
    with held_websocket(staff_b) as hold:
        open_orders_panel(staff_a)
        open_orders_panel(staff_b)
        open_shop(customer)
        stock_before = app.query("SELECT stock FROM shop_products WHERE name = 'Cola'")[0][0]
        order_id = order_one_cola(customer)
        cards = [open_list(p).get_by_role("article", name=order_name(order_id), exact=True)
                 for p in (staff_a, staff_b)]
        for card in cards:
            expect(card.get_by_role("button", name=f"Cancel order #{order_id}")).to_be_visible()
        log_workers(app, staff_a=staff_a, staff_b=staff_b, customer=customer)

        # B's screen lags behind (its incoming messages wait) while A accepts.
        hold(True)
        staff_a.get_by_role("button", name=f"Accept #{order_id}").click()
        expect(cards[0].get_by_text("Accepted", exact=True)).to_be_visible()
        assert app.query("SELECT status FROM shop_orders WHERE id = ?",
                         order_id) == [("accepted",)]
        expect(cards[1].get_by_text("New", exact=True)).to_be_visible()  # still stale
        staff_b.get_by_role("button", name=f"Cancel order #{order_id}").click()
        hold(False)

    expect(staff_b.get_by_text(re.compile(
        r"^This order was changed meanwhile: it is now accepted\."))).to_be_visible()
    expect(cards[1].get_by_text("Accepted", exact=True)).to_be_visible()
    expect(cards[1].get_by_role("button", name=f"Cancel order #{order_id}")).to_have_count(0)
    mine = my_orders(customer).get_by_role("article", name=order_name(order_id), exact=True)
    expect(mine.get_by_text("Accepted", exact=True)).to_be_visible()

    # Exactly one status change: A's accept. Nothing was cancelled or given back.
    assert app.query("SELECT status FROM shop_orders WHERE id = ?", order_id) == [("accepted",)]
    changes = app.query("SELECT action, old_value, new_value FROM audit_entries WHERE entity ="
                        " 'shop_order' AND entity_id = ? AND action != 'order_sent'", order_id)
    assert changes == [("order_accept", "pending", "accepted")]
    assert app.query("SELECT stock FROM shop_products WHERE name = 'Cola'")[0][0] \
        == stock_before - 1

    # B, now up to date, can go on: voiding works (and leaves no debt behind).
    cards[1].get_by_role("button", name=f"Void #{order_id}").click()
    for panel in (staff_a, staff_b):
        expect(open_list(panel).get_by_role("article", name=order_name(order_id),
                                            exact=True)).to_have_count(0)


def test_second_staff_on_a_live_view_cannot_cancel_an_accepted_order(
        new_context: NewContext, app: App) -> None:
    """No held messages: A accepts; right after, B tries "Cancel order" on whatever B's
    screen shows by then: either the card is already updated (no such button) or the click
    lands on a stale card and B is told what happened."""
    staff_a, staff_b, customer = (new_page(new_context) for _ in range(3))
    open_orders_panel(staff_a)
    open_orders_panel(staff_b, "admin")
    open_shop(customer)
    order_id = order_one_cola(customer)
    cancel_name = f"Cancel order #{order_id}"
    expect(staff_b.get_by_role("button", name=cancel_name)).to_be_visible()

    staff_a.get_by_role("button", name=f"Accept #{order_id}").click()
    card_a = open_list(staff_a).get_by_role("article", name=order_name(order_id), exact=True)
    expect(card_a.get_by_text("Accepted", exact=True)).to_be_visible()
    # One look-and-click in B's page, so the button cannot vanish in between.
    clicked = staff_b.evaluate(
        """name => {
            const b = document.querySelector(`button[aria-label="${name}"]`);
            if (b) { b.click(); }
            return Boolean(b);
        }""", cancel_name)
    log.warning("B's cancel click landed on a %s card", "stale" if clicked else "live")
    if clicked:
        expect(staff_b.get_by_text(re.compile(
            r"^This order was changed meanwhile: it is now accepted\."))).to_be_visible()
    card_b = open_list(staff_b).get_by_role("article", name=order_name(order_id), exact=True)
    expect(card_b.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(staff_b.get_by_role("button", name=cancel_name)).to_have_count(0)
    assert app.query("SELECT status FROM shop_orders WHERE id = ?", order_id) == [("accepted",)]
    changes = app.query("SELECT action FROM audit_entries WHERE entity = 'shop_order' AND"
                        " entity_id = ? AND action != 'order_sent'", order_id)
    assert changes == [("order_accept",)]
    # Leave nothing open for the other tests.
    card_b.get_by_role("button", name=f"Void #{order_id}").click()
    expect(card_b).to_have_count(0)


# ---- 3. the sound for new orders ------------------------------------------------------------

SOUND = "Play a sound for new orders"


def turn_sound(page: Page, on: bool) -> None:
    """A controlled checkbox shows the server's answer: click, then wait for it."""
    box = page.get_by_label(SOUND)
    if box.is_checked() != on:
        box.click()
    expect(box).to_be_checked(checked=on)


def mark_chime(page: Page) -> None:
    """Tag the mounted audio element; a new order mounts a new one (without the tag)."""
    page.get_by_test_id("order-chime").evaluate("a => { a.dataset.e2eSeen = 'yes'; }")


def test_sound_for_new_orders_per_staff_member(new_context: NewContext, app: App) -> None:
    with_sound, without_sound, customer = (new_page(new_context) for _ in range(3))
    open_orders_panel(with_sound, "staff")
    open_orders_panel(without_sound, "admin")
    expect(with_sound.get_by_label(SOUND)).not_to_be_checked()
    expect(without_sound.get_by_label(SOUND)).not_to_be_checked()
    staff_id = app.query("SELECT id FROM users WHERE email = 'staff@example.com'")[0][0]
    orders: list[int] = []
    turn_sound(with_sound, True)
    try:
        assert app.query("SELECT order_sound FROM users WHERE id = ?", staff_id) == [(1,)]
        expect(with_sound.get_by_test_id("order-chime")).to_have_count(0)  # nothing new yet
        open_shop(customer)
        chime = with_sound.get_by_test_id("order-chime")
        for round_ in range(2):
            orders.append(order_one_cola(customer))
            for panel in (with_sound, without_sound):
                expect(open_list(panel).get_by_role("article", name=order_name(orders[-1]),
                                                    exact=True)).to_be_visible()
            # A new order mounts a fresh <audio autoplay> in the ticked panel only.
            expect(chime).to_have_count(1)
            expect(chime).not_to_have_attribute("data-e2e-seen", "yes")
            expect(chime).to_have_attribute("src", re.compile(r"new-order\.wav$"))
            expect(chime).to_have_attribute("autoplay", "")
            expect(without_sound.get_by_test_id("order-chime")).to_have_count(0)
            mark_chime(with_sound)
            log.info("round %d: chime mounted for order %d", round_, orders[-1])

        # A change to an order is not a new order: the same element stays, no new sound.
        without_sound.get_by_role("button", name=f"Accept #{orders[0]}").click()
        card = open_list(with_sound).get_by_role("article", name=order_name(orders[0]),
                                                 exact=True)
        expect(card.get_by_text("Accepted", exact=True)).to_be_visible()
        expect(chime).to_have_attribute("data-e2e-seen", "yes")

        # The setting belongs to the staff member: still on after a reload.
        open_page(with_sound, "/staff/orders")
        expect(with_sound.get_by_label(SOUND)).to_be_checked()
        open_page(without_sound, "/staff/orders")
        expect(without_sound.get_by_label(SOUND)).not_to_be_checked()
    finally:
        turn_sound(with_sound, False)
        for order_id in orders:
            close_order(with_sound, app, order_id)
    assert app.query("SELECT order_sound FROM users WHERE id = ?", staff_id) == [(0,)]
    open_page(with_sound, "/staff/orders")
    expect(with_sound.get_by_label(SOUND)).not_to_be_checked()


def test_reopening_the_panel_does_not_replay_an_old_chime(new_context: NewContext,
                                                          app: App) -> None:
    """Only a new order may mount the chime; reopening the panel is no new order."""
    staff, customer = new_page(new_context), new_page(new_context)
    open_orders_panel(staff)
    turn_sound(staff, True)
    order_id = 0
    try:
        open_shop(customer)
        order_id = order_one_cola(customer)
        expect(staff.get_by_test_id("order-chime")).to_have_count(1)
        # Away to Home and back to Orders with the staff menu (no reload) ...
        nav = staff.get_by_role("navigation", name="Staff navigation")
        nav.get_by_role("link", name="Home", exact=True).click()
        expect(staff.get_by_test_id("order-chime")).to_have_count(0)
        nav.get_by_role("link", name="Orders", exact=True).click()
        expect(open_list(staff).get_by_role("article", name=order_name(order_id),
                                            exact=True)).to_be_visible()
        expect(staff.get_by_label(SOUND)).to_be_checked()
        replayed = f"the chime for old order #{order_id} is mounted again (it autoplays)"
        expect(staff.get_by_test_id("order-chime"),
               f"{replayed} after returning by the menu").to_have_count(0)
        # ... and a reload of the tab (same client token).
        open_page(staff, "/staff/orders")
        expect(open_list(staff).get_by_role("article", name=order_name(order_id),
                                            exact=True)).to_be_visible()
        expect(staff.get_by_test_id("order-chime"),
               f"{replayed} after a reload").to_have_count(0)
    finally:
        open_page(staff, "/staff/orders")
        turn_sound(staff, False)
        if order_id:
            close_order(staff, app, order_id)


# ---- 4. bad input through direct handler calls ----------------------------------------------

@pytest.fixture
def customer_tab(page: Page, app: App) -> Iterator[Tab]:
    log_in_as(page, "customer")
    tab = Tab(app, sid_cookie(page))
    yield tab
    tab.close()


def test_add_refuses_unknown_products_and_ways_to_pay(customer_tab: Tab, app: App) -> None:
    before = shop_rows(app)
    add = handler(ShopState, "add")
    for product in (999999, 0, -1, "abc", None, True, 10**12, [1]):
        reply = customer_tab.call(add, "/shop", product_id=product, pay_with="money")
        assert "This product does not exist (any more)." in reply, (product, reply)
    cola = product_id(app, "Cola")
    for pay_with in ("bitcoin", "", None, 1, ["money"]):
        reply = customer_tab.call(add, "/shop", product_id=cola, pay_with=pay_with)
        assert ("Please correct the highlighted fields." in reply
                or "Choose one of the offered options." in reply), (pay_with, reply)
    # Chips have no points price.
    reply = customer_tab.call(add, "/shop", product_id=product_id(app, "Chips"),
                              pay_with="points")
    assert "This product cannot be paid with points." in reply
    # Nothing reached the cart, so "Send order" has nothing to send.
    reply = customer_tab.call(handler(ShopState, "send"), "/shop",
                              form={"method": "cash", "note": ""})
    assert "Your order is empty. Add something from the list above." in reply, reply
    assert shop_rows(app) == before


@pytest.mark.parametrize("quantity", [0, -1, 100, 10**12, "0", "-1", "100", "1e3", "٣", 2.5,
                                      None, "", True])
def test_set_quantity_refuses_out_of_range(customer_tab: Tab, app: App,
                                           quantity: object) -> None:
    cola = product_id(app, "Cola")
    before = shop_rows(app)
    reply = customer_tab.call(handler(ShopState, "add"), "/shop", product_id=cola,
                              pay_with="money")
    assert "€2.70" in reply
    reply = customer_tab.call(handler(ShopState, "set_quantity"), "/shop", product_id=cola,
                              pay_with="money", quantity=quantity)
    assert QUANTITY_INVALID in reply, reply
    # The cart kept one Cola: a valid change still works from there.
    reply = customer_tab.call(handler(ShopState, "set_quantity"), "/shop", product_id=cola,
                              pay_with="money", quantity="3")
    assert "€8.10" in reply, reply
    assert shop_rows(app) == before


def test_send_refuses_points_the_customer_does_not_have(customer_tab: Tab, app: App) -> None:
    cid = customer_id(app)
    available = points_of(app, cid)
    assert available < 150
    before = shop_rows(app)
    reply = customer_tab.call(handler(ShopState, "add"), "/shop",
                              product_id=product_id(app, "3 hours of play"), pay_with="points")
    assert "150 points" in reply
    reply = customer_tab.call(handler(ShopState, "send"), "/shop",
                              form={"method": "", "note": "all my points"})
    assert f"Not enough points: 150 needed, {available} available." in reply, reply
    assert shop_rows(app) == before
    assert points_of(app, cid) == available


@pytest.mark.parametrize("form", [
    {"method": "bitcoin", "note": ""},
    {"method": "", "note": ""},
    {"method": ["cash"], "note": ""},
    {"method": "cash", "note": "x" * 501},
    {"method": "cash", "note": "x" * 2500},
    {"method": "cash", "note": {"a": 1}},
])
def test_send_refuses_bad_methods_and_notes(customer_tab: Tab, app: App, form: dict) -> None:
    before = shop_rows(app)
    reply = customer_tab.call(handler(ShopState, "add"), "/shop",
                              product_id=product_id(app, "Cola"), pay_with="money")
    assert "€2.70" in reply
    reply = customer_tab.call(handler(ShopState, "send"), "/shop", form=form)
    placed = re.search(r"Order #(\d+) sent", reply)
    assert placed is None, (
        f"order #{placed[1]} was placed for {short(form)}; stored note: "
        f"{app.query('SELECT note FROM shop_orders WHERE id = ?', int(placed[1]))}")
    assert "Please correct the highlighted fields." in reply, reply
    assert ("Choose one of the offered payment methods." in reply
            or "The note is too long (500 characters at most)." in reply), reply
    assert shop_rows(app) == before


def test_customer_cannot_call_staff_order_actions(new_context: NewContext,
                                                  customer_tab: Tab, app: App) -> None:
    customer = new_page(new_context)
    open_shop(customer)
    order_id = order_one_cola(customer, note="please no staff tricks")
    item_id = app.query("SELECT id FROM shop_order_items WHERE order_id = ?", order_id)[0][0]
    before = shop_rows(app)
    try:
        for action in ("accept", "cancel", "complete", "void"):
            reply = customer_tab.call(handler(StaffOrdersState, "act"), "/staff/orders",
                                      order_id=order_id, action=action)
            assert FORBIDDEN in reply, (action, reply)
            assert "please no staff tricks" not in reply  # no staff panel data leaked
        customer_tab.call(handler(StaffOrdersState, "open_pay"), "/staff/orders",
                          order_id=order_id, method="cash")
        reply = customer_tab.call(handler(StaffOrdersState, "pay"), "/staff/orders",
                                  form={"method": "cash"})
        assert FORBIDDEN in reply, reply
        reply = customer_tab.call(handler(StaffOrdersState, "deliver"), "/staff/orders",
                                  order_id=order_id, item_id=item_id, delivered=True)
        assert FORBIDDEN in reply, reply
        reply = customer_tab.call(handler(StaffOrdersState, "set_sound"), "/staff/orders",
                                  on=True)
        assert FORBIDDEN in reply, reply
        reply = customer_tab.call(handler(StaffOrdersState, "load"), "/staff/orders")
        assert "/login?next=/staff/orders" in reply
        assert "please no staff tricks" not in reply
        assert shop_rows(app) == before
    finally:
        mine = my_orders(customer).get_by_role("article", name=order_name(order_id),
                                               exact=True)
        expect(mine.get_by_text("New", exact=True)).to_be_visible()  # still untouched
        staff = new_page(new_context)  # leave nothing open for the other tests
        open_orders_panel(staff)
        staff.get_by_role("button", name=f"Cancel order #{order_id}").click()
        expect(mine.get_by_text("Cancelled", exact=True)).to_be_visible()


def test_customers_see_only_their_own_orders(new_context: NewContext, app: App) -> None:
    first = new_page(new_context)
    open_shop(first)
    secret = f"first customer's secret {uuid.uuid4().hex[:8]}"
    first_order = order_one_cola(first, note=secret)

    other = new_page(new_context)
    email = f"olga-{uuid.uuid4().hex[:8]}@example.org"
    open_page(other, "/register")
    other.get_by_label("Name").fill("Olga Shopper")
    other.get_by_label("Email").fill(email)
    other.get_by_label("Password").fill("olga-pass-12")
    other.get_by_role("button", name="Create account").click()
    expect(other.get_by_role("heading", name="My account")).to_be_visible()
    open_page(other, "/shop")
    expect(my_orders(other).get_by_text("You have no orders yet.")).to_be_visible()
    own_order = order_one_cola(other, note="olga's own")
    expect(my_orders(other).get_by_role("article")).to_have_count(1)
    expect(my_orders(other).get_by_role("article", name=order_name(own_order),
                                        exact=True)).to_be_visible()

    # The handler itself only ever answers with the caller's own orders.
    tab = Tab(app, sid_cookie(other))
    try:
        reply = tab.call(handler(MyOrdersState, "load"), "/shop")
    finally:
        tab.close()
    assert "olga's own" in reply
    assert secret not in reply and "Demo Customer" not in reply
    cards = list(order_cards(json.loads(reply)))
    assert cards and {c["customer"] for c in cards} == {"Olga Shopper"}, cards
    assert first_order not in {c["id"] for c in cards}

    # A change to the first customer's order does not reach the other customer's page.
    staff = new_page(new_context)
    open_orders_panel(staff)
    staff.get_by_role("button", name=f"Cancel order #{first_order}").click()
    mine = my_orders(first).get_by_role("article", name=order_name(first_order), exact=True)
    expect(mine.get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(my_orders(other).get_by_role("article")).to_have_count(1)
    staff.get_by_role("button", name=f"Cancel order #{own_order}").click()
    expect(my_orders(other).get_by_text("Cancelled", exact=True)).to_be_visible()
