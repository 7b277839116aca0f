"""A browser can call any handler with any payload: the server must refuse, not the page.

These tests speak Reflex's websocket protocol directly (python-socketio), with the session
cookie of a real login, and check both the reply and that the database did not change.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
import socketio
from playwright.sync_api import Page

from reserve_app.state.accounts.auth import LoginState, RegisterState
from reserve_app.state.accounts.customers import CustomersState
from reserve_app.state.accounts.staff_accounts import StaffAccountsState
from reserve_app.state.appointments.services_admin import ServicesAdminState
from reserve_app.state.rentals.admin import RentalAdminState
from reserve_app.state.shop.admin import ShopAdminState
from reserve_app.state.staff.outbox import OutboxState

from .conftest import App
from .helpers import log_in_as

NAMESPACE = "/_event"


class Tab:
    """A raw websocket client posing as a browser tab."""

    def __init__(self, app: App, cookie: str = "", origin: str | None = None) -> None:
        self.app = app
        self.replies: list[Any] = []
        self.got = threading.Event()
        # websocket-client sends Origin itself; the option replaces it (a header would
        # duplicate it).
        self.sio = socketio.Client(reconnection=False,
                                   websocket_extra_options={"origin": origin or app.url})
        self.sio.on("event", self._on_event, namespace=NAMESPACE)
        headers = {"Cookie": cookie} if cookie else {}
        self.sio.connect(f"{app.url}?token={uuid.uuid4()}", headers=headers,
                         transports=["websocket"], socketio_path="/_event",
                         namespaces=[NAMESPACE], wait_timeout=10)

    def _on_event(self, data: Any) -> None:
        self.replies.append(data)
        self.got.set()

    def call(self, handler: str, path: str, **payload: Any) -> str:
        """Send one event; collect replies until none has come for a second."""
        self.replies.clear()
        self.got.clear()
        self.sio.emit("event", {"name": handler, "payload": payload,
                                "router_data": {"pathname": path, "asPath": path}},
                      namespace=NAMESPACE)
        assert self.got.wait(15), f"no reply to {handler}"
        while True:
            self.got.clear()
            if not self.got.wait(1.0):
                break
        return json.dumps(self.replies, ensure_ascii=False)

    def close(self) -> None:
        self.sio.disconnect()


def handler(state: type, name: str) -> str:
    return f"{state.get_full_name()}.{name}"


def sid_cookie(page: Page) -> str:
    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "sid")
    return f"sid={sid}"


def test_customer_calling_admin_handlers_is_refused(page: Page, app: App) -> None:
    log_in_as(page, "customer")
    tab = Tab(app, sid_cookie(page))
    users = app.query("SELECT id, role, active FROM users ORDER BY id")
    try:
        reply = tab.call(handler(StaffAccountsState, "create"), "/staff/accounts",
                         form={"name": "Mallory", "email": "mallory@example.org",
                               "password": "mallory-pass-1", "role": "admin"})
        assert "You are not allowed to do that." in reply
        customer_id = app.query("SELECT id FROM users WHERE email='customer@example.com'")[0][0]
        reply = tab.call(handler(StaffAccountsState, "change_role"), "/staff/accounts",
                         user_id=customer_id, role="admin")
        assert "You are not allowed to do that." in reply
        reply = tab.call(handler(StaffAccountsState, "set_active"), "/staff/accounts",
                         user_id=1, active=False)
        assert "You are not allowed to do that." in reply
        reply = tab.call(handler(OutboxState, "go"), "/staff/outbox", page=1)
        assert "You are not allowed to do that." in reply
        assert "Welcome to" not in reply  # no outbox rows leaked
        reply = tab.call(handler(OutboxState, "load"), "/staff/outbox")
        assert "/login?next=/staff/outbox" in reply
        assert "Welcome to" not in reply
    finally:
        tab.close()
    assert app.query("SELECT id, role, active FROM users ORDER BY id") == users


# Admin handlers whose refusal used to end in the generic error (the page's refresh after
# the refusal raised it again): each must say why, and change nothing.
ADMIN_CALLS = [
    (RentalAdminState, "add_type", "/staff/rentals", {"form": {"name": "Van"}}),
    (RentalAdminState, "add_unit", "/staff/rentals", {"form": {"unit_type": "1",
                                                               "unit_name": "X"}}),
    (RentalAdminState, "add_entry", "/staff/rentals", {"form": {"title": "T"}}),
    (RentalAdminState, "move", "/staff/rentals", {"entry_id": 1, "step": 1}),
    (RentalAdminState, "toggle_unit", "/staff/rentals", {"unit_id": 1, "active": False}),
    (RentalAdminState, "toggle_type", "/staff/rentals", {"unit_type_id": 1, "active": False}),
    (CustomersState, "find", "/staff/customers", {"form": {"search": "a"}}),
    (CustomersState, "adjust", "/staff/customers", {"form": {"ledger": "points",
                                                             "amount": "5", "note": "x"}}),
    (ServicesAdminState, "add_service", "/staff/services", {"form": {"name": "S"}}),
    (ServicesAdminState, "save_hours", "/staff/services", {"form": {"staff": "1"}}),
    (ServicesAdminState, "day_off", "/staff/services", {"form": {"staff": "1",
                                                                 "day": "2030-01-01"}}),
    (ShopAdminState, "save_product", "/staff/shop", {"form": {"name": "P"}}),
    (ShopAdminState, "save_settings", "/staff/shop", {"form": {}}),
    (ShopAdminState, "set_orderable", "/staff/shop", {"product_id": 1, "orderable": False}),
]


def test_admin_handlers_say_why_they_refuse(page: Page, app: App) -> None:
    log_in_as(page, "customer")
    as_customer, as_visitor = Tab(app, sid_cookie(page)), Tab(app)
    tables = ("unit_types", "units", "menu_entries", "menu_entry_unit_types", "services",
              "working_hours", "days_off", "shop_products", "shop_settings", "points_entries")
    before = {t: app.query(f"SELECT * FROM {t} ORDER BY 1") for t in tables}  # noqa: S608
    try:
        for state, name, path, payload in ADMIN_CALLS:
            reply = as_customer.call(handler(state, name), path, **payload)
            assert "You are not allowed to do that." in reply, (name, reply)
            assert "Something went wrong" not in reply, name
            reply = as_visitor.call(handler(state, name), path, **payload)
            assert "Please log in first." in reply, (name, reply)
            assert "Something went wrong" not in reply, name
    finally:
        as_customer.close()
        as_visitor.close()
    assert {t: app.query(f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before  # noqa: S608


def test_anonymous_tab_gets_login_required(app: App) -> None:
    tab = Tab(app)
    try:
        reply = tab.call(handler(OutboxState, "go"), "/staff/outbox", page=2)
        assert "Please log in first." in reply
        reply = tab.call(handler(StaffAccountsState, "set_active"), "/staff/accounts",
                         user_id=1, active=False)
        assert "Please log in first." in reply
    finally:
        tab.close()
    assert app.query("SELECT active FROM users WHERE id = 1") == [(1,)]


@pytest.mark.parametrize("payload", [
    {"user_id": "abc", "active": False},
    {"user_id": 2, "active": "no"},
    {"user_id": None, "active": None},
    {"user_id": [2], "active": {"x": 1}},
    {"user_id": 10**12, "active": False},
])
def test_admin_handlers_refuse_wrong_types(page: Page, app: App, payload: dict) -> None:
    log_in_as(page, "admin")
    tab = Tab(app, sid_cookie(page))
    users = app.query("SELECT id, role, active FROM users ORDER BY id")
    try:
        reply = tab.call(handler(StaffAccountsState, "set_active"), "/staff/accounts",
                         **payload)
        assert ("Not found." in reply or "Choose one of the offered options." in reply
                or "Please correct" in reply), reply
        reply = tab.call(handler(StaffAccountsState, "create"), "/staff/accounts",
                         form={"name": ["x"], "email": 5, "password": None, "role": "root"})
        assert "This field is required." in reply, reply
    finally:
        tab.close()
    assert app.query("SELECT id, role, active FROM users ORDER BY id") == users


@pytest.mark.parametrize("form", [
    None, "text", ["a", "b"], 42,
    {"name": "", "email": "", "password": "", "language": ""},
    {"name": "x" * 101, "email": "x" * 300, "password": "p" * 2000, "language": "xx"},
    {"name": {"a": 1}, "email": ["e@example.org"], "password": 12345678, "language": None},
])
def test_register_refuses_bad_payloads(app: App, form: object) -> None:
    users = app.query("SELECT count(*) FROM users")
    outbox = app.query("SELECT count(*) FROM outbox_messages")
    tab = Tab(app)
    try:
        reply = tab.call(handler(RegisterState, "register"), "/register", form=form)
    finally:
        tab.close()
    assert "Please correct the highlighted fields." in reply
    assert "/api/session" not in reply  # no login ticket handed out
    assert app.query("SELECT count(*) FROM users") == users
    assert app.query("SELECT count(*) FROM outbox_messages") == outbox


def test_login_handler_with_garbage_says_credentials_are_wrong(app: App) -> None:
    tab = Tab(app)
    try:
        for form in (None, [], {"email": ["x"], "password": {"a": 1}},
                     {"email": "customer@example.com", "password": "x" * 5000}):
            reply = tab.call(handler(LoginState, "login"), "/login", form=form)
            assert "Email or password is incorrect." in reply
            assert "/api/session" not in reply
    finally:
        tab.close()


def test_foreign_origin_cannot_open_the_websocket(app: App) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        Tab(app, origin="http://evil.example")


def test_login_routes_refuse_foreign_origins(app: App) -> None:
    for path in ("/api/session", "/api/logout"):
        request = urllib.request.Request(
            f"{app.url}{path}", data=b"ticket=x" * 3, method="POST",
            headers={"Origin": "http://evil.example",
                     "Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        assert err.value.code == 403
