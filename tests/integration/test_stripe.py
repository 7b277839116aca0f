"""Stripe payments on a real database, with the real `stripe` library talking to a local fake
of Stripe's API (tests/stripe_fake.py) and webhooks signed with Stripe's real scheme.

Covers: the Checkout Session a booking's payment makes (manual capture, amount, metadata,
return URLs, idempotency), Stripe's errors, and the webhook route: each event applied once,
never backwards, only when genuine, fresh and for the right amount and payment.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from reserve_app import api
from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError, NotFound, Unauthenticated
from reserve_app.models import AuditEntry, Invoice, InvoiceCounter, Payment, StripeEvent
from reserve_app.services import rentals, uow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.billing.payments import stripe_provider, webhooks
from tests.stripe_fake import FakeStripe, make_event, signature_header, signed

from .helpers import (
    add_admin,
    add_rental_entry,
    add_unit_type,
    add_user,
    book,
    configure,
    count,
    day,
    rows,
    run_together,
)

KEY = "sk_test_reserve0123456789"
WHSEC = "whsec_reservetestsecret"
APP_URL = "https://shop.example.test"
CENTS = 10858   # a van for two days: 2 × 50.50 + 7.5 % tax = 108.58 EUR


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        yield server


@pytest.fixture
def stripe_on(settings_env: pytest.MonkeyPatch, fake: FakeStripe) -> FakeStripe:
    configure(settings_env, STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=WHSEC,
              STRIPE_API_BASE=fake.url, APP_URL=APP_URL)
    return fake


@dataclass(frozen=True)
class Shop:
    admin: Actor
    cleo: Actor
    dan: Actor
    entry: int
    van: int


@pytest.fixture
def shop(stripe_on: FakeStripe) -> Shop:
    admin = add_admin()
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    dan = add_user("Dan Driver", "dan@example.com", Role.CUSTOMER)
    van, _ = add_unit_type(admin, "Van", "50.50", "7.5", units=3)
    entry = add_rental_entry(admin, [van])
    return Shop(admin, cleo, dan, entry, van)


@dataclass(frozen=True)
class Started:
    customer: Actor
    order: int
    invoice: int
    payment: int


def pay(customer: Actor, order_id: int) -> None:
    with uow.write_session() as session:
        rentals.pay_booking(session, actor=customer, order_id=order_id)


def start(shop: Shop, customer: Actor | None = None, offset: int = 1) -> Started:
    """A booking of the van and its payment started (no Stripe call yet)."""
    customer = customer or shop.cleo
    order = book(customer, shop.entry, shop.van, day(offset), day(offset + 2))
    pay(customer, order.id)
    [invoice] = rows(Invoice, Invoice.order_id == order.id)
    payment = rows(Payment, Payment.invoice_id == invoice.id)[-1]
    return Started(customer, order.id, invoice.id, payment.id)


def checkout(started: Started) -> str:
    return payments.checkout_url(actor=started.customer, order_kind=rentals.ORDER,
                                 order_id=started.order)


def paid_by_card(shop: Shop, **kwargs: object) -> tuple[Started, str]:
    """Started and sent to Checkout: (the start, the Checkout Session id)."""
    started = start(shop, **kwargs)
    checkout(started)
    return started, payment_of(started).provider_ref


def payment_of(started: Started) -> Payment:
    return rows(Payment, Payment.id == started.payment)[0]


def invoice_of(started: Started) -> Invoice:
    return rows(Invoice, Invoice.id == started.invoice)[0]


def post(body: bytes, headers: dict[str, str] | None = None):  # noqa: ANN201
    client = TestClient(api.routes)
    return client.post("/api/stripe/webhook", content=body,
                       headers={"Content-Type": "application/json", **(headers or {})})


def deliver(event: dict, *, secret: str = WHSEC, timestamp: int | None = None):  # noqa: ANN201
    body, header = signed(event, secret, timestamp)
    return post(body, {"Stripe-Signature": header})


def sessions_created(fake: FakeStripe) -> list:
    return fake.calls("POST", "/v1/checkout/sessions")


def state(started: Started) -> dict[str, object]:
    """Everything a webhook may change."""
    p, i = payment_of(started), invoice_of(started)
    return {"payment": (p.status, p.held_at, p.approved_at, p.intent_id, p.provider_ref),
            "invoice": (i.status, i.number, i.issued_at, i.paid_at),
            "events": count(StripeEvent), "audit": count(AuditEntry),
            "counters": count(InvoiceCounter)}


def stripe_audit(started: Started) -> list[tuple[str, str, str]]:
    """The payment's audit rows as (event type, old status, new status)."""
    return [(a.note if a.action == "stripe_event" else a.action.removeprefix("stripe_"),
             a.old_value, a.new_value)
            for a in rows(AuditEntry, AuditEntry.entity == "payment",
                          AuditEntry.entity_id == started.payment)]


def last_invoice_number() -> int:
    with uow.read_session() as session:
        [counter] = session.exec(select(InvoiceCounter)).all()
        return counter.last


# --- the Checkout Session ------------------------------------------------------------------


def test_checkout_makes_one_manual_capture_session_for_the_invoice(shop: Shop,
                                                                   fake: FakeStripe) -> None:
    started = start(shop)
    [payment] = rows(Payment)
    assert (payment.provider, payment.method, payment.status, payment.amount) == (
        "stripe", "card", "pending", Decimal("108.58"))
    assert fake.requests == []           # starting the payment calls nobody

    url = checkout(started)

    [call] = sessions_created(fake)
    p = call.params
    assert p["mode"] == "payment"
    assert p["payment_intent_data[capture_method]"] == "manual"
    assert p["line_items[0][quantity]"] == "1"
    assert p["line_items[0][price_data][unit_amount]"] == str(CENTS)
    assert p["line_items[0][price_data][currency]"] == "eur"
    assert p["metadata[payment_id]"] == str(started.payment)
    assert p["metadata[invoice_id]"] == str(started.invoice)
    assert p["payment_intent_data[metadata][payment_id]"] == str(started.payment)
    assert p["client_reference_id"] == str(started.payment)
    back = f"{APP_URL}/payment/return?payment={started.payment}"
    assert p["success_url"] == back
    assert p["cancel_url"] == f"{back}&cancelled=1"
    assert call.headers["authorization"] == f"Bearer {KEY}"
    key = call.idempotency_key
    assert key == stripe_provider.idempotency_key(started.invoice, started.payment)
    assert str(started.invoice) in key and str(started.payment) in key

    [session] = fake.sessions.values()
    assert url == session["url"] and url.startswith(fake.url)
    assert session["amount_total"] == CENTS
    payment = payment_of(started)
    assert (payment.provider_ref, payment.checkout_url, payment.status) == (
        session["id"], url, "pending")

    # Asked again (a reload, a second click): the same page, no second session.
    assert checkout(started) == url
    assert len(sessions_created(fake)) == 1
    assert len(fake.sessions) == 1


def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_session(
        shop: Shop, fake: FakeStripe) -> None:
    started = start(shop)
    fake.drop_next()      # Stripe made the session, but its answer never arrived

    url = checkout(started)

    calls = sessions_created(fake)
    assert len(calls) == 2 and calls[1].replayed
    assert calls[0].idempotency_key == calls[1].idempotency_key
    assert len(fake.sessions) == 1
    assert payment_of(started).checkout_url == url == next(iter(fake.sessions.values()))["url"]


def test_checkout_asked_five_times_at_once_makes_one_session(shop: Shop,
                                                             fake: FakeStripe) -> None:
    started = start(shop)

    results = run_together(5, lambda i: checkout(started))

    assert all(isinstance(r, str) and r for r in results), results
    assert len(set(results)) == 1
    assert len(fake.sessions) == 1
    assert {c.idempotency_key for c in sessions_created(fake)} == {
        stripe_provider.idempotency_key(started.invoice, started.payment)}
    assert payment_of(started).checkout_url == results[0]


def test_checkout_only_for_the_customers_own_pending_payment(shop: Shop,
                                                             fake: FakeStripe) -> None:
    started = start(shop)
    for actor in (shop.dan, shop.admin, None):
        assert payments.checkout_url(actor=actor, order_kind=rentals.ORDER,
                                     order_id=started.order) == ""
    assert fake.requests == []


@pytest.mark.parametrize(("status", "key"), [
    (402, "payment.card_declined"),
    (500, "payment.provider_unavailable"),
    (401, "payment.provider_unavailable"),
    (400, "payment.provider_unavailable"),
])
def test_stripe_errors_become_domain_errors_and_end_that_attempt(
        shop: Shop, fake: FakeStripe, status: int, key: str) -> None:
    """No session exists at Stripe after an error (the library already retried a lost
    answer with the same key), so the attempt is voided: the next "Pay" starts afresh."""
    started = start(shop)
    fake.fail_next(status)

    with pytest.raises(DomainError) as err:
        checkout(started)

    assert err.value.key == key
    assert len(sessions_created(fake)) == 1          # no retry storm, no second attempt
    assert fake.sessions == {}
    payment = payment_of(started)
    assert (payment.status, payment.provider_ref, payment.checkout_url) == ("void", "", "")
    assert invoice_of(started).status == "draft"


def test_after_a_stripe_outage_the_customer_can_still_pay(shop: Shop, fake: FakeStripe) -> None:
    """Stripe stores the first answer to an idempotency key, errors included, and replays it
    for 24 h (the fake does the same). After a failed Checkout the customer clicks "Pay"
    again, the way the page does it (start the payment, then go to Checkout): a new payment
    with a new key reaches Checkout."""
    started = start(shop)
    fake.fail_next(500)
    with pytest.raises(DomainError):
        checkout(started)
    pay(started.customer, started.order)
    url = checkout(started)
    assert url and url in {s["url"] for s in fake.sessions.values()}
    assert len(fake.sessions) == 1
    keys = [r.idempotency_key for r in sessions_created(fake)]
    assert len(keys) == 2 and keys[0] != keys[1]


def test_an_abandoned_checkout_is_resumed_by_paying_again(shop: Shop, fake: FakeStripe) -> None:
    """The customer left the Checkout page and clicks "Pay" again: the same session, no
    second payment."""
    started = start(shop)
    first = checkout(started)
    pay(started.customer, started.order)
    assert checkout(started) == first
    assert len(fake.sessions) == 1
    with uow.read_session() as session:
        assert len(session.exec(select(Payment)).all()) == 1


def test_with_stripe_off_payments_are_manual_and_stripe_is_never_called(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe) -> None:
    configure(settings_env, STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    started = start(shop)
    assert checkout(started) == ""
    assert payment_of(started).provider == "manual"
    assert fake.requests == []


# --- webhooks: the happy paths -------------------------------------------------------------


@pytest.mark.parametrize("authorising", ["checkout.session.completed",
                                         "payment_intent.amount_capturable_updated"])
def test_hold_then_capture_authorises_then_approves_and_pays_the_invoice(
        shop: Shop, fake: FakeStripe, authorising: str) -> None:
    started, session_id = paid_by_card(shop)
    fake.complete(session_id)

    answer = deliver(fake.event_for(authorising, session_id))

    assert (answer.status_code, answer.text) == (200, "applied")
    payment = payment_of(started)
    intent_id = fake.sessions[session_id]["payment_intent"]
    assert (payment.status, payment.intent_id) == ("authorised", intent_id)
    assert payment.held_at is not None and payment.approved_at is None
    invoice = invoice_of(started)
    assert (invoice.status, invoice.number) == ("draft", None)
    with uow.read_session() as session:
        assert billing.my_payment_status(session, actor=shop.cleo,
                                         payment_id=started.payment) == "authorised"

    answer = deliver(fake.event_for("payment_intent.succeeded", session_id))

    assert (answer.status_code, answer.text) == (200, "applied")
    payment = payment_of(started)
    assert payment.status == "approved" and payment.approved_at is not None
    invoice = invoice_of(started)
    assert invoice.status == "paid"
    assert invoice.number == f"{invoice.issued_at.year}-000001"
    assert invoice.paid_at is not None
    assert stripe_audit(started) == [
        (authorising, "pending", "authorised"),
        ("payment_intent.succeeded", "authorised", "approved")]
    recorded = rows(StripeEvent)
    assert [(e.outcome, e.payment_id) for e in recorded] == [("applied", started.payment)] * 2
    with uow.read_session() as session:
        assert billing.my_payment_status(session, actor=shop.cleo,
                                         payment_id=started.payment) == "approved"


def test_a_released_hold_voids_the_authorised_payment(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.completed", session_id))

    answer = deliver(fake.event_for("payment_intent.canceled", session_id))

    assert (answer.status_code, answer.text) == (200, "applied")
    assert payment_of(started).status == "void"
    assert (invoice_of(started).status, invoice_of(started).number) == ("draft", None)
    assert stripe_audit(started)[-1] == ("payment_intent.canceled", "authorised", "void")


def test_an_expired_checkout_voids_the_pending_payment_and_the_customer_may_pay_again(
        shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)

    answer = deliver(fake.event_for("checkout.session.expired", session_id))

    assert (answer.status_code, answer.text) == (200, "applied")
    assert payment_of(started).status == "void"

    pay(started.customer, started.order)          # a new attempt: a new payment and key
    again = Started(started.customer, started.order, started.invoice,
                    rows(Payment, Payment.invoice_id == started.invoice)[-1].id)
    assert again.payment != started.payment
    url = checkout(again)
    assert url and len(fake.sessions) == 2
    keys = [c.idempotency_key for c in sessions_created(fake)]
    assert keys == [stripe_provider.idempotency_key(started.invoice, started.payment),
                    stripe_provider.idempotency_key(started.invoice, again.payment)]


def test_a_refund_after_capture_marks_the_payment_refunded(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.completed", session_id))
    deliver(fake.event_for("payment_intent.succeeded", session_id))

    # The charge carries no metadata of ours: it is found through its PaymentIntent.
    event = fake.event_for("charge.refunded", session_id)
    assert event["data"]["object"]["metadata"] == {}
    answer = deliver(event)

    assert (answer.status_code, answer.text) == (200, "applied")
    assert payment_of(started).status == "refunded"
    assert stripe_audit(started)[-1] == ("charge.refunded", "approved", "refunded")


def test_success_before_completion_ends_approved(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    completed = fake.event_for("checkout.session.completed", session_id)
    succeeded = fake.event_for("payment_intent.succeeded", session_id)

    assert deliver(succeeded).text == "applied"
    assert deliver(completed).text == "ignored"       # late: never backwards

    payment = payment_of(started)
    assert payment.status == "approved"
    assert payment.intent_id == fake.sessions[session_id]["payment_intent"]
    assert invoice_of(started).status == "paid"
    assert stripe_audit(started) == [("payment_intent.succeeded", "pending", "approved")]
    outcomes = {e.id: e.outcome for e in rows(StripeEvent)}
    assert outcomes == {succeeded["id"]: "applied", completed["id"]: "ignored"}


@pytest.mark.parametrize("late", ["payment_intent.canceled", "checkout.session.expired"])
def test_a_captured_payment_is_never_voided_by_a_webhook(shop: Shop, fake: FakeStripe,
                                                         late: str) -> None:
    """The invoice is paid and the money taken: a cancel or an expiry naming the same
    PaymentIntent or session moves nothing, and says so in stripe_events."""
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.completed", session_id))
    deliver(fake.event_for("payment_intent.succeeded", session_id))
    before = state(started)
    source = (fake.sessions[session_id]["payment_intent"] if late.startswith("payment_intent")
              else session_id)
    status = "canceled" if late.startswith("payment_intent") else "expired"

    event = fake.event_about(late, source, status=status)
    answer = deliver(event)

    assert (answer.status_code, answer.text) == (200, "ignored_transition")
    after = state(started)
    assert after["payment"] == before["payment"] and after["payment"][0] == "approved"
    assert after["invoice"] == before["invoice"] and invoice_of(started).status == "paid"
    assert after["audit"] == before["audit"]
    [recorded] = rows(StripeEvent, StripeEvent.id == event["id"])
    assert (recorded.outcome, recorded.payment_id) == ("ignored_transition", started.payment)
    # Only a refund moves it now.
    assert deliver(fake.event_for("charge.refunded", session_id)).text == "applied"
    assert payment_of(started).status == "refunded"


# How each status is reached by webhooks (after the customer completed Checkout at Stripe).
REACH = {
    "pending": [],
    "authorised": ["checkout.session.completed"],
    "approved": ["checkout.session.completed", "payment_intent.succeeded"],
    "void": ["checkout.session.completed", "payment_intent.canceled"],
    "refunded": ["checkout.session.completed", "payment_intent.succeeded", "charge.refunded"],
}
KINDS = ["checkout.session.completed", "payment_intent.amount_capturable_updated",
         "payment_intent.succeeded", "payment_intent.canceled", "checkout.session.expired",
         "charge.refunded"]
# (status, event) -> (answer, status after); written out, not read from the domain table.
DELIVERED = {
    **{("pending", k): ("applied", s) for k, s in zip(KINDS, [
        "authorised", "authorised", "approved", "void", "void"], strict=False)},
    ("pending", "charge.refunded"): ("kept", "pending"),   # its intent not known yet
    ("authorised", KINDS[0]): ("ignored", "authorised"),
    ("authorised", KINDS[1]): ("ignored", "authorised"),
    ("authorised", KINDS[2]): ("applied", "approved"),
    ("authorised", KINDS[3]): ("applied", "void"),
    ("authorised", KINDS[4]): ("applied", "void"),
    ("authorised", KINDS[5]): ("ignored_transition", "authorised"),
    ("approved", KINDS[0]): ("ignored", "approved"),
    ("approved", KINDS[1]): ("ignored", "approved"),
    ("approved", KINDS[2]): ("ignored", "approved"),
    ("approved", KINDS[3]): ("ignored_transition", "approved"),
    ("approved", KINDS[4]): ("ignored_transition", "approved"),
    ("approved", KINDS[5]): ("applied", "refunded"),
    **{(final, k): ("ignored", final) for final in ("void", "refunded") for k in KINDS},
}


def snapshot(fake: FakeStripe, session_id: str, kind: str) -> dict:
    """The event `kind` as Stripe would send it about this payment, changing nothing at the
    fake (what Stripe says is not checked against what it did: only the status machine)."""
    session = fake.sessions[session_id]
    intent = session["payment_intent"]
    if kind.startswith("checkout"):
        return fake.event_about(kind, session_id, status=kind.rsplit(".", 1)[1]
                                .replace("completed", "complete"))
    if kind.startswith("payment_intent"):
        return fake.event_about(kind, intent, amount_received=CENTS)
    return make_event(kind, {"id": f"ch_test_{session_id[-8:]}", "object": "charge",
                             "amount": CENTS, "amount_captured": CENTS,
                             "amount_refunded": CENTS, "currency": "eur", "metadata": {},
                             "payment_intent": intent, "refunded": True})


def test_the_delivery_table_covers_every_status_and_event() -> None:
    assert set(DELIVERED) == {(s, k) for s in REACH for k in KINDS}


@pytest.mark.parametrize(("status", "kind"), list(DELIVERED))
def test_every_event_delivered_in_every_status(shop: Shop, fake: FakeStripe, status: str,
                                               kind: str) -> None:
    started, session_id = paid_by_card(shop)
    fake.complete(session_id)
    for step in REACH[status]:
        assert deliver(snapshot(fake, session_id, step)).text == "applied", step
    assert payment_of(started).status == status
    before = state(started)

    event = snapshot(fake, session_id, kind)
    answer = deliver(event)

    outcome, after = DELIVERED[(status, kind)]
    assert (answer.status_code, answer.text, payment_of(started).status) == (
        200, outcome, after)
    [recorded] = rows(StripeEvent, StripeEvent.id == event["id"])
    assert recorded.outcome == outcome
    if outcome != "applied":
        now = state(started)
        assert (now["payment"], now["invoice"], now["audit"]) == (
            before["payment"], before["invoice"], before["audit"])
    paid = after in ("approved", "refunded")
    assert (invoice_of(started).status == "paid") is paid


def test_a_refund_before_the_completion_is_kept_and_applied_once_the_payment_is_known(
        shop: Shop, fake: FakeStripe) -> None:
    """Webhooks arrive in any order: the refund of a payment whose PaymentIntent we have not
    learnt yet is kept (answered "kept": Stripe will not send it again), waits while the card
    is only held, and is applied right after the capture."""
    started, session_id = paid_by_card(shop)
    completed = fake.event_for("checkout.session.completed", session_id)
    succeeded = fake.event_for("payment_intent.succeeded", session_id)
    refunded = fake.event_for("charge.refunded", session_id)

    assert deliver(refunded).text == "kept"
    [kept] = rows(StripeEvent)
    assert (kept.outcome, kept.payment_id, kept.intent_id) == (
        "kept", None, fake.sessions[session_id]["payment_intent"])
    assert payment_of(started).status == "pending"

    assert deliver(completed).text == "applied"
    assert payment_of(started).status == "authorised"          # not captured: still kept
    assert rows(StripeEvent, StripeEvent.id == refunded["id"])[0].outcome == "kept"

    assert deliver(succeeded).text == "applied"
    assert payment_of(started).status == "refunded"
    assert invoice_of(started).status == "paid"
    [done] = rows(StripeEvent, StripeEvent.id == refunded["id"])
    assert (done.outcome, done.payment_id, done.kept) == ("applied", started.payment, None)
    assert stripe_audit(started) == [
        ("checkout.session.completed", "pending", "authorised"),
        ("payment_intent.succeeded", "authorised", "approved"),
        ("charge.refunded", "approved", "refunded")]
    assert deliver(refunded).text == "duplicate"                # and only once


def test_reconcile_applies_a_kept_refund_in_the_same_run(shop: Shop, fake: FakeStripe) -> None:
    """The completion and the capture webhooks were lost, the refund's arrived: one run of
    reconcile learns the PaymentIntent, approves the payment and applies the kept refund."""
    from reserve_app.services.billing.payments import actions

    started, session_id = paid_by_card(shop)
    fake.complete(session_id)
    fake.capture_now(fake.sessions[session_id]["payment_intent"])
    assert deliver(fake.event_for("charge.refunded", session_id)).text == "kept"

    counts = actions.reconcile()

    assert payment_of(started).status == "refunded", counts
    assert [a[0] for a in stripe_audit(started)] == [
        "checkout.session.completed", "payment_intent.succeeded", "charge.refunded"]
    assert [e.outcome for e in rows(StripeEvent)].count("kept") == 0
    assert "applied" not in actions.reconcile()


def test_a_charge_of_a_payment_intent_never_ours_is_kept_and_moves_nothing(
        shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.completed", session_id))
    before = state(started)
    charge = {"id": "ch_test_elsewhere", "object": "charge", "amount": CENTS,
              "amount_captured": CENTS, "currency": "eur", "metadata": {},
              "payment_intent": "pi_test_elsewhere", "refunded": True}
    assert deliver(make_event("charge.refunded", charge)).text == "kept"
    assert deliver(fake.event_for("payment_intent.succeeded", session_id)).text == "applied"
    assert payment_of(started).status == "approved"
    after = state(started)
    assert after["invoice"] != before["invoice"] and invoice_of(started).status == "paid"
    assert [e.outcome for e in rows(StripeEvent)].count("kept") == 1


def test_nothing_moves_a_final_payment(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.expired", session_id))
    before = state(started)
    late = make_event("checkout.session.completed",
                      {**fake.sessions[session_id], "status": "complete"})
    assert deliver(late).text == "ignored"
    after = state(started)
    assert after["payment"] == before["payment"] and after["invoice"] == before["invoice"]
    assert after["audit"] == before["audit"]


# --- webhooks: once, genuine, fresh, right amount, right payment ---------------------------


def test_the_same_event_delivered_ten_times_is_applied_once(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    event = fake.event_for("checkout.session.completed", session_id)

    answers = [deliver(event) for _ in range(10)]

    assert [a.status_code for a in answers] == [200] * 10
    assert [a.text for a in answers] == ["applied"] + ["duplicate"] * 9
    assert count(StripeEvent) == 1
    assert stripe_audit(started) == [("checkout.session.completed", "pending",
                                      "authorised")]
    assert payment_of(started).status == "authorised"


def test_twenty_concurrent_deliveries_of_one_event_apply_it_once(shop: Shop,
                                                                 fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    deliver(fake.event_for("checkout.session.completed", session_id))
    body, header = signed(fake.event_for("payment_intent.succeeded", session_id), WHSEC)

    results = run_together(20, lambda i: webhooks.handle(body, header))

    assert not [r for r in results if isinstance(r, Exception)], results
    outcomes = sorted(r.result for r in results)
    assert outcomes == ["applied"] + ["duplicate"] * 19
    assert count(StripeEvent) == 2
    assert payment_of(started).status == "approved"
    invoice = invoice_of(started)
    assert invoice.status == "paid" and invoice.number.endswith("-000001")
    assert last_invoice_number() == 1
    assert [a[0] for a in stripe_audit(started)].count("payment_intent.succeeded") == 1


def test_completion_and_capture_racing_end_approved_with_one_invoice_number(
        shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    completed = signed(fake.event_for("checkout.session.completed", session_id), WHSEC)
    succeeded = signed(fake.event_for("payment_intent.succeeded", session_id), WHSEC)

    results = run_together(10, lambda i: webhooks.handle(*(completed if i % 2 else succeeded)))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.result for r in results).count("duplicate") == 8
    assert payment_of(started).status == "approved"
    assert invoice_of(started).status == "paid"
    assert last_invoice_number() == 1
    assert count(StripeEvent) == 2


def _bad_deliveries(fake: FakeStripe, session_id: str) -> dict[str, tuple[bytes, dict]]:
    event = fake.event_for("checkout.session.completed", session_id)
    body, header = signed(event, WHSEC)
    tampered = body.replace(b'"payment_status":"unpaid"', b'"payment_status":"paid"')
    assert tampered != body
    stale_body, stale = signed(event, WHSEC, timestamp=int(time.time()) - 301)
    not_json = b"this is not json"
    t = int(time.time())
    forged_body, forged = signed(event, "whsec_someoneelse")
    return {
        "forged (another secret)": (forged_body, {"Stripe-Signature": forged}),
        "tampered body": (tampered, {"Stripe-Signature": header}),
        "stale timestamp": (stale_body, {"Stripe-Signature": stale}),
        "no header": (body, {}),
        "empty header": (body, {"Stripe-Signature": ""}),
        "garbage header": (body, {"Stripe-Signature": "nonsense"}),
        "wrong scheme": (body, {"Stripe-Signature": header.replace("v1=", "v0=")}),
        "signature of another body": (body, {"Stripe-Signature": signature_header(b"{}",
                                                                                  WHSEC, t)}),
        "signed, but not JSON": (not_json, {"Stripe-Signature": signature_header(not_json,
                                                                                 WHSEC, t)}),
        "not UTF-8": (b"\xff\xfe" + body, {"Stripe-Signature": header}),
        "timestamp an hour ahead": signed_at(event, t + 3600),
        "timestamp beyond the tolerance ahead": signed_at(event, t + 310),
    }


def signed_at(event: dict, timestamp: int) -> tuple[bytes, dict[str, str]]:
    body, header = signed(event, WHSEC, timestamp=timestamp)
    return body, {"Stripe-Signature": header}


def test_anything_not_genuine_and_fresh_is_refused_with_400_and_changes_nothing(
        shop: Shop, fake: FakeStripe, subtests: pytest.Subtests) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)

    for name, (body, headers) in _bad_deliveries(fake, session_id).items():
        with subtests.test(name):
            answer = post(body, headers)
            assert answer.status_code == 400, answer.text
            assert state(started) == before
    assert count(StripeEvent) == 0


def test_a_recent_timestamp_and_a_rolled_secret_are_accepted(shop: Shop,
                                                             fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    event = fake.event_for("checkout.session.completed", session_id)
    body, header = signed(event, WHSEC, timestamp=int(time.time()) - 200)
    # While a secret is being rolled Stripe signs with both: one match is enough.
    old = signature_header(body, "whsec_oldsecret", int(header.split(",")[0][2:]))
    two = f"{header},v1={old.split('v1=')[1]}"
    assert post(body, {"Stripe-Signature": two}).text == "applied"
    assert payment_of(started).status == "authorised"


def test_a_timestamp_a_little_ahead_is_accepted(shop: Shop, fake: FakeStripe) -> None:
    """Clocks differ: ahead by less than the tolerance is fine, beyond it is refused
    (_bad_deliveries)."""
    started, session_id = paid_by_card(shop)
    event = fake.event_for("checkout.session.completed", session_id)
    assert post(*signed_at(event, int(time.time()) + 200)).text == "applied"
    assert payment_of(started).status == "authorised"


def test_an_oversized_body_is_refused_before_it_is_read(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)
    event = fake.event_for("checkout.session.completed", session_id)
    event["padding"] = "x" * (api.MAX_WEBHOOK_BYTES + 1)
    body, header = signed(event, WHSEC)
    assert post(body, {"Stripe-Signature": header}).status_code == 413
    assert state(started) == before


@pytest.mark.parametrize(("kind", "change"), [
    ("checkout.session.completed", {"amount_total": CENTS - 1}),
    ("checkout.session.completed", {"amount_total": CENTS * 100}),
    ("payment_intent.succeeded", {"amount_received": 100, "amount": 100}),
])
def test_an_event_for_another_amount_is_not_applied(shop: Shop, fake: FakeStripe, kind: str,
                                                    change: dict) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)

    answer = deliver(fake.event_for(kind, session_id, **change))

    assert (answer.status_code, answer.text) == (200, "amount_mismatch")
    after = state(started)
    assert after["payment"][0] == "pending" and after["invoice"] == before["invoice"]
    assert after["audit"] == before["audit"]
    [recorded] = rows(StripeEvent)
    assert recorded.outcome == "amount_mismatch"


@pytest.mark.parametrize(("kind", "change", "drop"), [
    ("checkout.session.completed", {"currency": "usd"}, None),      # EUR invoice
    ("checkout.session.completed", {"currency": "USD"}, None),
    ("checkout.session.completed", {}, "currency"),
    ("checkout.session.completed", {}, "amount_total"),
    ("checkout.session.completed", {"amount_total": None}, None),
    ("checkout.session.completed", {"amount_total": str(CENTS)}, None),
    ("payment_intent.succeeded", {"currency": "gbp"}, None),
    ("payment_intent.succeeded", {"amount_received": None, "amount": None}, None),
])
def test_an_event_in_another_currency_or_without_an_amount_is_not_applied(
        shop: Shop, fake: FakeStripe, kind: str, change: dict, drop: str | None) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)
    event = fake.event_for(kind, session_id, **change)
    if drop:
        del event["data"]["object"][drop]

    answer = deliver(event)

    assert (answer.status_code, answer.text) == (200, "amount_mismatch")
    after = state(started)
    assert after["payment"][0] == "pending" and after["invoice"] == before["invoice"]
    assert after["audit"] == before["audit"]
    [recorded] = rows(StripeEvent)
    assert recorded.outcome == "amount_mismatch"


def test_the_invoice_currency_in_any_case_is_applied(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    answer = deliver(fake.event_for("checkout.session.completed", session_id, currency="EUR"))
    assert answer.text == "applied"
    assert payment_of(started).status == "authorised"


def test_validly_signed_bodies_that_are_not_events_are_refused_with_400(
        shop: Shop, fake: FakeStripe, caplog: pytest.LogCaptureFixture) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)
    event = fake.event_for("checkout.session.completed", session_id)
    bodies = [[1, 2, 3], "an event", 42, None,
              {**event, "data": {"object": "cs_test_x"}},
              {**event, "data": {"object": [1, 2]}},
              {**event, "data": "cs_test_x"},
              {**event, "data": [event["data"]]}]
    caplog.set_level("WARNING")

    for body in bodies:
        raw = json.dumps(body).encode()
        answer = post(raw, {"Stripe-Signature": signature_header(raw, WHSEC)})
        assert (answer.status_code, answer.text) == (400, "Bad event."), body

    assert state(started) == before and count(StripeEvent) == 0
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_an_event_for_an_unknown_payment_is_recorded_and_changes_nothing(
        shop: Shop, fake: FakeStripe) -> None:
    started, _ = paid_by_card(shop)
    before = state(started)
    stranger = {"id": "cs_test_notours", "object": "checkout.session", "amount_total": CENTS,
                "currency": "eur", "metadata": {"payment_id": "987654"},
                "payment_intent": "pi_test_notours", "status": "complete"}
    no_metadata = {**stranger, "id": "cs_test_notours2", "metadata": {}}
    odd_metadata = {**stranger, "id": "cs_test_notours3", "metadata": {"payment_id": "1; --"}}

    for obj in (stranger, no_metadata, odd_metadata):
        answer = deliver(make_event("checkout.session.completed", obj))
        assert (answer.status_code, answer.text) == (200, "unknown_payment")

    assert [(e.outcome, e.payment_id) for e in rows(StripeEvent)] == [
        ("unknown_payment", None)] * 3
    after = state(started)
    assert (after["payment"], after["invoice"], after["audit"]) == (
        before["payment"], before["invoice"], before["audit"])


def test_events_of_other_kinds_are_answered_and_change_nothing(shop: Shop,
                                                               fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    before = state(started)
    answer = deliver(make_event("customer.created", {"id": "cus_test_1", "object": "customer"}))
    assert (answer.status_code, answer.text) == (200, "other")
    after = state(started)
    assert (after["payment"], after["invoice"], after["audit"]) == (
        before["payment"], before["invoice"], before["audit"])


@pytest.mark.parametrize("kind", ["checkout.session.completed", "payment_intent.succeeded"])
def test_an_event_about_a_session_we_did_not_make_does_not_move_our_payment(
        shop: Shop, fake: FakeStripe, kind: str) -> None:
    """Stripe sends every event of the account to every endpoint. Another install on the same
    account (a colleague's machine, staging) numbers its payments from 1 too and puts the same
    `payment_id` into its metadata; its session or PaymentIntent must not pay ours."""
    started, session_id = paid_by_card(shop)
    if kind == "payment_intent.succeeded":   # ours is held: its PaymentIntent is known
        deliver(fake.event_for("checkout.session.completed", session_id))
    before = state(started)
    theirs = fake.sessions[session_id]
    obj = ({**theirs, "id": "cs_test_elsewhere", "status": "complete",
            "payment_intent": "pi_test_elsewhere"}
           if kind.startswith("checkout") else
           {"id": "pi_test_elsewhere", "object": "payment_intent", "amount": CENTS,
            "amount_received": CENTS, "currency": "eur", "status": "succeeded",
            "metadata": {"payment_id": str(started.payment)}})

    answer = deliver(make_event(kind, obj))

    assert answer.status_code == 200 and answer.text != "applied"
    after = state(started)
    assert (after["payment"], after["invoice"], after["audit"]) == (
        before["payment"], before["invoice"], before["audit"])


def test_a_stripe_event_never_moves_a_manual_payment(settings_env: pytest.MonkeyPatch,
                                                     shop: Shop, fake: FakeStripe) -> None:
    """A payment made before Stripe was switched on (provider "manual", waiting for staff)
    is not Stripe's to approve, even if an event names its id."""
    configure(settings_env, STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    started = start(shop)
    assert payment_of(started).provider == "manual"
    configure(settings_env, STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=WHSEC,
              STRIPE_API_BASE=fake.url, APP_URL=APP_URL)
    before = state(started)
    obj = {"id": "pi_test_elsewhere", "object": "payment_intent", "amount": CENTS,
           "amount_received": CENTS, "currency": "eur", "status": "succeeded",
           "metadata": {"payment_id": str(started.payment)}}

    answer = deliver(make_event("payment_intent.succeeded", obj))

    assert answer.status_code == 200 and answer.text != "applied"
    after = state(started)
    assert (after["payment"], after["invoice"]) == (before["payment"], before["invoice"])


def test_with_stripe_off_the_webhook_route_is_not_found(settings_env: pytest.MonkeyPatch,
                                                        shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    event = fake.event_for("checkout.session.completed", session_id)
    configure(settings_env, STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")

    answer = deliver(event)

    assert answer.status_code == 404
    assert count(StripeEvent) == 0
    assert payment_of(started).status == "pending"


def test_only_post_is_routed(shop: Shop) -> None:
    assert TestClient(api.routes).get("/api/stripe/webhook").status_code == 405


# --- the return page's status ---------------------------------------------------------------


def test_only_the_owner_reads_the_payment_status(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    with uow.read_session() as session:
        assert billing.my_payment_status(session, actor=shop.cleo,
                                         payment_id=started.payment) == "pending"
    deliver(fake.event_for("checkout.session.completed", session_id))
    with uow.read_session() as session:
        assert billing.my_payment_status(session, actor=shop.cleo,
                                         payment_id=started.payment) == "authorised"
        with pytest.raises(NotFound):
            billing.my_payment_status(session, actor=shop.dan, payment_id=started.payment)
        with pytest.raises(Unauthenticated):
            billing.my_payment_status(session, actor=None, payment_id=started.payment)
        for bad in (started.payment + 1000, str(started.payment), True, None, -1, 0):
            with pytest.raises(NotFound):
                billing.my_payment_status(session, actor=shop.cleo, payment_id=bad)
            with pytest.raises(NotFound):
                billing.payment_return(session, actor=shop.cleo, payment_id=bad)
        with pytest.raises(NotFound):
            billing.payment_return(session, actor=shop.dan, payment_id=started.payment)


def test_the_return_page_says_unpaid_only_while_pending(shop: Shop, fake: FakeStripe) -> None:
    started, session_id = paid_by_card(shop)
    with uow.read_session() as session:
        assert billing.payment_return(session, actor=shop.cleo, payment_id=started.payment) \
            == billing.PaymentReturnView("pending", True, "payment.return_pending")
    deliver(fake.event_for("checkout.session.completed", session_id))
    with uow.read_session() as session:
        assert billing.payment_return(session, actor=shop.cleo, payment_id=started.payment) \
            == billing.PaymentReturnView("authorised", False, "payment.status.authorised")


# --- the fake itself ------------------------------------------------------------------------


def test_the_fakes_signature_is_stripes() -> None:
    import stripe

    body = json.dumps({"id": "evt_1", "object": "event"})
    assert signature_header(body, WHSEC, 1700000000) == \
        stripe.WebhookSignature.generate_signature_header(body, WHSEC, timestamp=1700000000)
