"""A fake Stripe for the browser tests: the API fake of `tests/stripe_fake.py`, plus what a
customer's browser and the app's webhook endpoint see of Stripe.

`CheckoutFake` (a subclass; `tests/stripe_fake.py` is not changed) adds:

- a hosted Checkout page per session: each Checkout Session's `url` is
  `<fake>/pay/<cs_id>`, a small HTML page titled "Stripe Checkout (test)" with the amount, a
  "Pay" button (a form POST) and a "Cancel" link to the session's `cancel_url`;
- POST `/pay/<cs_id>`: the customer pays. The session completes (its PaymentIntent waits
  for capture: manual capture), the signed events `checkout.session.completed` and
  `payment_intent.amount_capturable_updated` are POSTed to the app's webhook endpoint (real
  HTTP, raw JSON, `Stripe-Signature` made with the webhook secret) and the browser is sent
  to the session's `success_url` (303);
- after a successful capture (`POST /v1/payment_intents/{id}/capture`, which the app makes
  when staff click "Approve payment") it answers as Stripe does, then sends
  `payment_intent.succeeded` shortly after, from a background thread.

Every delivery is recorded (`fake.deliveries`) with the app's answer; `deliver(event)` sends
any event again (a redelivery). `webhook_url` is set once the app's address is known.
"""

from __future__ import annotations

import html
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.stripe_fake import FakeStripe, make_event, signed

TITLE = "Stripe Checkout (test)"
PAY_PREFIX = "/pay/"


@dataclass
class Delivery:
    """One webhook POST to the app and its answer (status 0: no answer at all)."""

    event: dict[str, Any]
    status: int
    body: str

    @property
    def type(self) -> str:
        return str(self.event.get("type"))

    @property
    def event_id(self) -> str:
        return str(self.event.get("id"))

    @property
    def payment_id(self) -> str | None:
        """Our payment id from the object's metadata (sessions and PaymentIntents carry it)."""
        obj = (self.event.get("data") or {}).get("object") or {}
        return (obj.get("metadata") or {}).get("payment_id")


def post_webhook(url: str, body: bytes, signature: str | None,
                 timeout: float = 30) -> tuple[int, str]:
    """POST a raw webhook body as Stripe does; (status, answer text)."""
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """An object as the API shows it (the fake keeps private fields with a leading _)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def money(amount: int, currency: str) -> str:
    return f"{currency.upper()} {amount // 100}.{amount % 100:02d}"


@dataclass
class CheckoutFake(FakeStripe):
    webhook_secret: str = ""
    webhook_url: str = ""                # <app>/api/stripe/webhook, set once the app is up
    succeeded_delay: float = 0.5         # seconds between a capture and its event
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._senders: list[threading.Thread] = []

    # -- lifecycle: the API server also serves the Checkout pages --

    def start(self) -> CheckoutFake:
        super().start()
        server = self._server
        assert server is not None
        api_handler = server.RequestHandlerClass
        server.RequestHandlerClass = type(  # type: ignore[assignment]
            "CheckoutHandler", (_CheckoutPages, api_handler), {"owner": self})
        return self

    def stop(self) -> None:
        for sender in list(self._senders):
            sender.join(timeout=10)
        super().stop()

    def __enter__(self) -> CheckoutFake:
        return self.start()

    # -- the API: hosted page addresses, and the event after a capture --

    def _route(self, method: str, path: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = super()._route(method, path, p)
        parts = path.strip("/").split("/")
        if status != 200 or method != "POST":
            return status, body
        if parts == ["v1", "checkout", "sessions"]:
            url = f"{self.url}{PAY_PREFIX}{body['id']}"
            self.sessions[body["id"]]["url"] = url
            body = {**body, "url": url}
        elif parts[:2] == ["v1", "payment_intents"] and parts[3:] == ["capture"]:
            self.send_later(make_event("payment_intent.succeeded", body))
        return status, body

    # -- webhooks --

    def deliver(self, event: dict[str, Any]) -> Delivery:
        """POST `event` to the app, signed with the webhook secret; the answer is recorded."""
        assert self.webhook_url, "the app's webhook address is not known yet"
        body, signature = signed(event, self.webhook_secret)
        try:
            status, text = post_webhook(self.webhook_url, body, signature)
        except OSError as err:
            status, text = 0, f"{type(err).__name__}: {err}"
        delivery = Delivery(json.loads(body), status, text)
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def send_later(self, event: dict[str, Any]) -> None:
        def send() -> None:
            time.sleep(self.succeeded_delay)
            self.deliver(event)

        sender = threading.Thread(target=send, name=f"webhook {event['type']}", daemon=True)
        with self._lock:
            self._senders = [s for s in self._senders if s.is_alive()] + [sender]
        sender.start()

    def delivered(self, payment_id: int, kind: str | None = None) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.payment_id == str(payment_id)
                    and (kind is None or d.type == kind)]

    def wait_for_delivery(self, payment_id: int, kind: str, timeout: float = 15) -> Delivery:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := self.delivered(payment_id, kind):
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no {kind} delivered for payment {payment_id} in {timeout}s; "
                             f"delivered: {[(d.type, d.status) for d in self.deliveries]}")

    def session_of(self, payment_id: int) -> dict[str, Any]:
        """The one Checkout Session made for our payment (fails if none or several)."""
        with self._lock:
            found = [s for s in self.sessions.values()
                     if s["metadata"].get("payment_id") == str(payment_id)]
        assert len(found) == 1, f"{len(found)} Checkout Sessions for payment {payment_id}"
        return found[0]

    # -- the customer at the Checkout page --

    def pay(self, session_id: str) -> tuple[int, str]:
        """The customer pays: (status, where the browser goes next or an error text)."""
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None:
                return 404, "No such Checkout Session."
            if session["status"] != "open":
                return 409, f"This Checkout Session is {session['status']}."
            self.complete(session_id)
            events = [
                make_event("checkout.session.completed", public(session)),
                make_event("payment_intent.amount_capturable_updated",
                           self.intents[session["payment_intent"]]),
            ]
        for event in events:
            self.deliver(event)
        return 303, str(session["success_url"])

    def page(self, session_id: str) -> tuple[int, str]:
        with self._lock:
            session = self.sessions.get(session_id)
            session = dict(session) if session is not None else None
        if session is None:
            return 404, _html("<p>No such Checkout Session.</p>")
        names = [((item.get("price_data") or {}).get("product_data") or {}).get("name", "")
                 for item in session.get("_line_items") or []]
        amount = money(int(session["amount_total"]), str(session["currency"]))
        rows = "".join(f"<li>{html.escape(str(n))}</li>" for n in names if n)
        if session["status"] != "open":
            action = f"<p>This Checkout Session is {html.escape(session['status'])}.</p>"
        else:
            action = (f'<form method="post" action="{PAY_PREFIX}{html.escape(session["id"])}">'
                      '<button type="submit">Pay</button></form>'
                      f'<p><a href="{html.escape(str(session["cancel_url"] or ""))}">Cancel</a>'
                      "</p>")
        return 200, _html(f"<ul>{rows}</ul><p>Amount: <strong>{amount}</strong></p>{action}")


def _html(content: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            # No icon: the browser would otherwise ask the fake for /favicon.ico (a 401).
            "<link rel=\"icon\" href=\"data:,\">"
            f"<title>{TITLE}</title></head><body><main><h1>{TITLE}</h1>{content}</main>"
            "</body></html>")


class _CheckoutPages(BaseHTTPRequestHandler):
    """GET/POST /pay/<cs_id>; everything else goes on to the API handler."""

    owner: CheckoutFake

    def _session_id(self) -> str | None:
        path = urlsplit(self.path).path
        return path[len(PAY_PREFIX):] if path.startswith(PAY_PREFIX) else None

    def do_GET(self) -> None:  # noqa: N802
        if (sid := self._session_id()) is None:
            super().do_GET()  # type: ignore[misc]
            return
        self._answer(*self.owner.page(sid))

    def do_POST(self) -> None:  # noqa: N802
        if (sid := self._session_id()) is None:
            super().do_POST()  # type: ignore[misc]
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, where = self.owner.pay(sid)
        if status == 303:
            self.send_response(303)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer(status, _html(f"<p>{html.escape(where)}</p>"))

    def _answer(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)
