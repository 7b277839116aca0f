"""A small fake of Stripe's HTTP API, for tests that run the real `stripe` library offline.

`FakeStripe` is a real HTTP server on 127.0.0.1 in a background thread. Point the app at it
with `STRIPE_API_BASE=fake.url`: the app's `stripe.StripeClient(key, base_addresses=...)`
then talks to it exactly as it would to api.stripe.com (form-encoded bodies, Bearer key,
`Idempotency-Key` header, JSON answers and error bodies shaped like Stripe's).

What it implements (only what the app uses):

- POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id},
  POST /v1/checkout/sessions/{id}/expire
- GET /v1/payment_intents/{id}, POST /v1/payment_intents/{id}/capture and /cancel
- POST /v1/refunds (with `payment_intent`)
- GET /v1/payment_intents/{id} with `expand[]=latest_charge`, GET /v1/charges/{id},
  GET /v1/refunds/{id}, and the lists GET /v1/charges and GET /v1/refunds (optionally
  `?payment_intent=`), for reading what happened to a payment

Idempotency as Stripe documents it: the first answer (status and body, errors included) to a
POST with a given `Idempotency-Key` is stored; a later POST with that key gets the same answer
again (header `Idempotent-Replayed: true`) and changes nothing; the same key with other
parameters is refused with a 400 `idempotency_error`.

Every request is recorded (`fake.requests`, `fake.calls(method, path)`) with its decoded
form parameters, both flat (`"line_items[0][price_data][unit_amount]": "10858"`) and nested.

Switchable failures: `fail_next(402)` (card_declined), `fail_next(500)` (api_error), any
status; `drop_next()` closes the connection without an answer *after* doing the work (a lost
response: the library retries with the same idempotency key); `drop_next_to(method, path)`
does that to one request to that path only.

Webhooks: `fake.event_for(kind, session_id)` moves the fake's objects the way Stripe would
(customer completes Checkout, staff capture, hold released, session expired, refund) and
returns the event Stripe would send; `fake.event_about(kind, object_id)` is the event for
what already happened at the fake (a capture, cancel, expiry or refund the app asked for),
changing nothing. `capture_now` / `cancel_now` / `expire_now` make a change at "Stripe"
without any event (a lost webhook); `forget(object_id)` makes an object unknown (404).
`signed(event, secret)` gives the raw body and the `Stripe-Signature` header made with
Stripe's scheme:
`t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2025-01-27.acacia"  # only echoed in events; the app does not read it


# --- signing -------------------------------------------------------------------------------


def signature_header(payload: str | bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header for exactly this body."""
    body = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode("utf-8"), f"{t}.{body}".encode(), hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


def signed(event: dict[str, Any], secret: str,
           timestamp: int | None = None) -> tuple[bytes, str]:
    """The raw JSON body of `event` and its signature header."""
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, signature_header(body, secret, timestamp)


def make_event(kind: str, obj: dict[str, Any], *, event_id: str | None = None,
               created: int | None = None) -> dict[str, Any]:
    """A snapshot event as Stripe sends it to a webhook endpoint."""
    return {
        "id": event_id or new_id("evt_test_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": {"object": json.loads(json.dumps(obj))},   # a snapshot, not a live reference
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


# --- form decoding -------------------------------------------------------------------------

_KEY = re.compile(r"[^\[\]]+|\[([^\[\]]*)\]")


def nest(flat: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs as nested dicts (list indices stay dict keys "0", "1", ...)."""
    out: dict[str, Any] = {}
    for key, value in flat:
        parts = [m.group(1) if m.group(1) is not None else m.group(0)
                 for m in _KEY.finditer(key)]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(out)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


# --- the fake ------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]            # lower-case names
    params: dict[str, str]             # flat form fields (or query parameters)
    nested: dict[str, Any]
    status: int = 0                    # what the fake answered (0 = connection dropped)
    replayed: bool = False

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class _Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    path: str | None


ERRORS: dict[int, dict[str, Any]] = {
    400: {"type": "invalid_request_error", "code": "parameter_invalid",
          "message": "Invalid request (fake)."},
    401: {"type": "invalid_request_error", "message": "Invalid API Key provided (fake)."},
    402: {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
          "message": "Your card was declined."},
    429: {"type": "invalid_request_error", "code": "rate_limit",
          "message": "Too many requests (fake)."},
    500: {"type": "api_error", "message": "Something went wrong on Stripe's end (fake)."},
}


@dataclass
class FakeStripe:
    """Start with `with FakeStripe() as fake:` (or start()/stop())."""

    host: str = "127.0.0.1"
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._idempotent: dict[str, tuple[str, str, list[tuple[str, str]], int, dict]] = {}
        self._failures: list[_Failure] = []
        self._drops = 0
        self._path_drops: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --

    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- switches --

    def fail_next(self, status: int, *, times: int = 1, path: str | None = None,
                  error: dict[str, Any] | None = None, should_retry: bool | None = None) -> None:
        """The next `times` requests (to `path` if given, e.g. "/v1/checkout/sessions")
        answer `status` with a Stripe error body. A 500 says `Stripe-Should-Retry: false`
        unless `should_retry` is given, as Stripe's own 500s usually do."""
        body = {"error": {**ERRORS.get(status, ERRORS[500]), **(error or {})}}
        headers: dict[str, str] = {}
        if should_retry is None and status >= 500:
            should_retry = False
        if should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        with self._lock:
            self._failures.extend(_Failure(status, body, headers, path) for _ in range(times))

    def drop_next(self, times: int = 1) -> None:
        """The next `times` requests are carried out, but the connection is closed instead of
        answering (the caller sees a network error; Stripe has done the work)."""
        with self._lock:
            self._drops += times

    def drop_next_to(self, method: str, path: str) -> None:
        """Like `drop_next()`, for the next request with this method to this exact path
        (other requests are answered as usual)."""
        with self._lock:
            self._path_drops.append((method, path))

    def reset_failures(self) -> None:
        with self._lock:
            self._failures.clear()
            self._drops = 0
            self._path_drops.clear()

    # -- what was asked --

    def calls(self, method: str, path: str) -> list[Recorded]:
        """Recorded requests with this method to this path ("{id}" matches any id)."""
        pattern = re.compile("^" + re.escape(path).replace(r"\{id\}", "[^/]+") + "$")
        with self._lock:
            return [r for r in self.requests if r.method == method and pattern.match(r.path)]

    # -- simulating what happens at Stripe (and the event Stripe then sends) --

    def event_for(self, kind: str, session_id: str, **changes: Any) -> dict[str, Any]:
        """Make `kind` happen to the Checkout Session (and its PaymentIntent/charge) and
        return the event Stripe sends for it. `changes` are merged into the event's object
        (e.g. amount_total=1 to fake a mismatch) without changing the fake's own state."""
        with self._lock:
            session = self.sessions[session_id]
            if kind == "checkout.session.completed":
                obj = self.complete(session_id)
            elif kind == "checkout.session.expired":
                obj = self._expire(session)
            elif kind == "payment_intent.amount_capturable_updated":
                obj = self.intents[self._intent_of(session)]
            elif kind == "payment_intent.succeeded":
                obj = self._capture(self.intents[self._intent_of(session)])
            elif kind == "payment_intent.canceled":
                obj = self._cancel(self.intents[self._intent_of(session)])
            elif kind == "charge.refunded":
                intent = self.intents[self._intent_of(session)]
                if intent["status"] != "succeeded":
                    self._capture(intent)
                obj = self._refund(intent)[1]
            else:
                raise ValueError(f"no simulation for {kind}")
            return make_event(kind, {**obj, **changes})

    def event_about(self, kind: str, object_id: str, **changes: Any) -> dict[str, Any]:
        """The event Stripe sends about something that already happened at the fake (the app
        asked it to capture, cancel, expire or refund): a snapshot of the session,
        PaymentIntent, charge or refund `object_id` as it is now. Changes nothing."""
        with self._lock:
            for store in (self.sessions, self.intents, self.charges, self.refunds):
                if object_id in store:
                    return make_event(kind, {**self._public(store[object_id]), **changes})
        raise KeyError(object_id)

    def capture_now(self, intent_id: str) -> dict[str, Any]:
        """The hold is captured at Stripe (e.g. from the Dashboard), no event sent."""
        with self._lock:
            return self._capture(self.intents[intent_id])

    def cancel_now(self, intent_id: str) -> dict[str, Any]:
        """The hold is released at Stripe (e.g. from the Dashboard), no event sent."""
        with self._lock:
            return self._cancel(self.intents[intent_id])

    def expire_now(self, session_id: str) -> dict[str, Any]:
        """The Checkout Session expires at Stripe (after 24 h), no event sent."""
        with self._lock:
            return self._expire(self.sessions[session_id])

    def forget(self, object_id: str) -> None:
        """Stripe no longer knows the object (another account, deleted test data): reading
        it answers 404 resource_missing."""
        with self._lock:
            for store in (self.sessions, self.intents, self.charges, self.refunds):
                store.pop(object_id, None)

    def complete(self, session_id: str) -> dict[str, Any]:
        """The customer finishes Checkout: the card is authorised (manual capture) or, with
        automatic capture, charged."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                self._intent_of(session)
                session["status"] = "complete"
                intent = self.intents[session["payment_intent"]]
                if intent["capture_method"] == "automatic":
                    self._capture(intent)
                    session["payment_status"] = "paid"
            return session

    def _intent_of(self, session: dict[str, Any]) -> str:
        """The session's PaymentIntent, made when the customer confirms (as in API versions
        since 2022-08-01, a payment-mode session has none before that)."""
        if session["payment_intent"] is None:
            pi = new_id("pi_test_")
            data = session["_payment_intent_data"]
            self.intents[pi] = {
                "id": pi, "object": "payment_intent", "amount": session["amount_total"],
                "amount_capturable": session["amount_total"], "amount_received": 0,
                "capture_method": data.get("capture_method", "automatic"),
                "currency": session["currency"], "created": int(time.time()),
                "latest_charge": None, "livemode": False,
                "metadata": dict(data.get("metadata") or {}),
                "status": "requires_capture",
            }
            session["payment_intent"] = pi
        return session["payment_intent"]

    def _capture(self, intent: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] == "requires_capture":
            charge_id = new_id("ch_test_")
            self.charges[charge_id] = {
                "id": charge_id, "object": "charge", "amount": intent["amount"],
                "amount_captured": intent["amount"], "amount_refunded": 0, "captured": True,
                "currency": intent["currency"], "livemode": False, "metadata": {},
                "paid": True, "payment_intent": intent["id"], "refunded": False,
                "status": "succeeded",
            }
            intent.update(status="succeeded", amount_received=intent["amount"],
                          amount_capturable=0, latest_charge=charge_id)
        return intent

    def _cancel(self, intent: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] in {"requires_capture", "requires_payment_method",
                                "requires_confirmation", "requires_action"}:
            intent.update(status="canceled", amount_capturable=0,
                          cancellation_reason="requested_by_customer")
        return intent

    def _expire(self, session: dict[str, Any]) -> dict[str, Any]:
        if session["status"] == "open":
            session["status"] = "expired"
            session["url"] = None
        return session

    def _refund(self, intent: dict[str, Any],
                amount: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        charge = self.charges[intent["latest_charge"]]
        refund_id = new_id("re_test_")
        amount = charge["amount_captured"] - charge["amount_refunded"] if amount is None \
            else amount
        refund = {"id": refund_id, "object": "refund", "amount": amount,
                  "charge": charge["id"], "currency": charge["currency"],
                  "payment_intent": intent["id"], "status": "succeeded", "metadata": {}}
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        return refund, charge

    # -- the API --

    def _public(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _create_session(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        items = p.get("line_items") or []
        if p.get("mode") != "payment" or not items:
            return _error(400, "mode and line_items are required", param="line_items")
        total, currency = 0, None
        for item in items:
            price = item.get("price_data") or {}
            try:
                total += int(price["unit_amount"]) * int(item.get("quantity", "1"))
            except (KeyError, ValueError):
                return _error(400, "line_items[][price_data][unit_amount] is required",
                              param="line_items")
            currency = price.get("currency")
        if not p.get("success_url"):
            return _error(400, "success_url is required", param="success_url")
        sid = new_id("cs_test_")
        now = int(time.time())
        session = {
            "id": sid, "object": "checkout.session", "amount_subtotal": total,
            "amount_total": total, "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"), "created": now,
            "currency": currency, "customer": None, "expires_at": now + 24 * 3600,
            "livemode": False, "metadata": dict(p.get("metadata") or {}), "mode": "payment",
            "payment_intent": None, "payment_status": "unpaid", "status": "open",
            "success_url": p.get("success_url"),
            "url": f"{self.url}/c/pay/{sid}",
            "_payment_intent_data": p.get("payment_intent_data") or {},
            "_line_items": items,
        }
        self.sessions[sid] = session
        return 200, self._public(session)

    def _route(self, method: str, path: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "checkout", "sessions"]:
            return self._create_session(p)
        if parts[:3] == ["v1", "checkout", "sessions"] and len(parts) >= 4:
            session = self.sessions.get(parts[3])
            if session is None:
                return _missing(parts[3])
            if method == "GET" and len(parts) == 4:
                return 200, self._public(session)
            if method == "POST" and parts[4:] == ["expire"]:
                if session["status"] != "open":
                    return _error(400, "Only open sessions can be expired.")
                return 200, self._public(self._expire(session))
        if parts[:2] == ["v1", "payment_intents"] and len(parts) >= 3:
            intent = self.intents.get(parts[2])
            if intent is None:
                return _missing(parts[2])
            if method == "GET" and len(parts) == 3:
                if "latest_charge" in (p.get("expand") or []) and intent["latest_charge"]:
                    return 200, {**intent,
                                 "latest_charge": self.charges[intent["latest_charge"]]}
                return 200, intent
            if method == "POST" and parts[3:] == ["capture"]:
                if intent["status"] != "requires_capture":
                    return _error(400, "This PaymentIntent could not be captured.",
                                  code="payment_intent_unexpected_state")
                return 200, self._capture(intent)
            if method == "POST" and parts[3:] == ["cancel"]:
                if intent["status"] in {"succeeded", "canceled"}:
                    return _error(400, "This PaymentIntent could not be canceled.",
                                  code="payment_intent_unexpected_state")
                return 200, self._cancel(intent)
        if method == "GET" and parts[:2] in (["v1", "charges"], ["v1", "refunds"]):
            store = self.charges if parts[1] == "charges" else self.refunds
            if len(parts) == 3:
                found = store.get(parts[2])
                return (200, found) if found is not None else _missing(parts[2])
            if len(parts) == 2:
                data = [o for o in store.values()
                        if p.get("payment_intent") in (None, o["payment_intent"])]
                return 200, {"object": "list", "data": data, "has_more": False,
                             "url": path}
        if method == "POST" and parts == ["v1", "refunds"]:
            intent = self.intents.get(p.get("payment_intent") or "")
            if intent is None or intent["status"] != "succeeded":
                return _error(400, "This PaymentIntent has no charge to refund.",
                              code="charge_not_refundable")
            amount = int(p["amount"]) if p.get("amount") else None
            return 200, self._refund(intent, amount)[0]
        return _error(404, f"Unrecognized request URL ({method}: {path}).")

    def handle(self, method: str, path: str, headers: dict[str, str],
               pairs: list[tuple[str, str]]) -> tuple[int, dict[str, Any], dict[str, str], bool]:
        """(status, body, extra headers, drop the connection) for one request."""
        record = Recorded(method, path, headers, dict(pairs), nest(pairs))
        with self._lock:
            self.requests.append(record)
            auth = headers.get("authorization", "")
            if not re.fullmatch(r"Bearer (sk|rk)_test_[A-Za-z0-9]+", auth):
                record.status = 401
                return 401, {"error": ERRORS[401]}, {}, False
            key = headers.get("idempotency-key") if method == "POST" else None
            if key is not None and key in self._idempotent:
                was_method, was_path, was_pairs, status, body = self._idempotent[key]
                if (was_method, was_path, sorted(was_pairs)) != (method, path, sorted(pairs)):
                    status, body = _error(400, "Keys for idempotent requests can only be used "
                                          "with the same parameters they were first used "
                                          "with.", type_="idempotency_error")
                    record.status = status
                    return status, body, {}, False
                drop = self._take_drop(method, path)
                record.status, record.replayed = (0 if drop else status), True
                return status, body, {"Idempotent-Replayed": "true"}, drop
            failure = next((f for f in self._failures if f.path in (None, path)), None)
            if failure is not None:
                self._failures.remove(failure)
                status, body, extra = failure.status, failure.body, failure.headers
            else:
                status, body = self._route(method, path, record.nested)
                extra = {}
            if key is not None and status != 429:    # Stripe stores what the endpoint did
                self._idempotent[key] = (method, path, list(pairs), status, body)
            drop = self._take_drop(method, path)
            record.status = 0 if drop else status
            return status, body, extra, drop

    def _take_drop(self, method: str = "", path: str = "") -> bool:
        if (method, path) in self._path_drops:
            self._path_drops.remove((method, path))
            return True
        if self._drops > 0:
            self._drops -= 1
            return True
        return False


def _error(status: int, message: str, *, type_: str = "invalid_request_error",
           code: str | None = None, param: str | None = None) -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"type": type_, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return status, {"error": error}


def _missing(object_id: str) -> tuple[int, dict[str, Any]]:
    return _error(404, f"No such object: '{object_id}'", code="resource_missing", param="id")


class _Handler(BaseHTTPRequestHandler):
    owner: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        pairs = parse_qsl(raw if method == "POST" else parts.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body, extra, drop = self.owner.handle(method, parts.path, headers, pairs)
        if drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req_"))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

