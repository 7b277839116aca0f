"""Staff actions on Stripe payments and the reconciliation of lost webhooks, on a real
database, with the real `stripe` library talking to the local fake of Stripe's API
(tests/stripe_fake.py) and webhooks signed with Stripe's scheme.

Covers: capture ("Approve payment" of a card hold), release (expire the Checkout Session,
cancel the hold, refund), each asked of Stripe with an idempotency key and changing nothing
here until Stripe's webhook says so; who may do them; the database never approving a Stripe
payment itself; the flows the staff pages run (billing.settle): "Approve payment" (capture or
approve), "Paid in cash" (holds released first), cancelling a voucher paid by card, giving a
payment up (release or void); Stripe's errors; `reconcile` for webhooks that never arrived
(and its command); the staff home's count of old card holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from reserve_app.models import (
    AuditEntry,
    Invoice,
    InvoiceCounter,
    OutboxMessage,
    Payment,
    Reservation,
    StripeEvent,
)
from reserve_app.models.base import utcnow
from reserve_app.services import rentals, uow, vouchers
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments as payments_service
from reserve_app.services.billing import settle
from reserve_app.services.billing.payments import actions, reconcile, stripe_provider, webhooks
from reserve_app.services.billing.settle import Settled
from reserve_app.services.site import dashboard
from tests.stripe_fake import FakeStripe, signed

from . import test_stripe as stripe_tests
from .helpers import (
    add_user,
    book,
    change_booking_status,
    configure,
    count,
    day,
    login,
    rows,
    run_together,
)
from .test_stripe import (
    APP_URL,
    CENTS,
    KEY,
    WHSEC,
    Shop,
    Started,
    checkout,
    deliver,
    invoice_of,
    paid_by_card,
    payment_of,
    start,
    stripe_audit,
)

# test_stripe's fixtures (the fake Stripe server, the settings pointing at it, a shop with a
# van for rent and its customers), used here by name.
fake = stripe_tests.fake
stripe_on = stripe_tests.stripe_on
shop = stripe_tests.shop

CAPTURE = "/v1/payment_intents/{id}/capture"
CANCEL = "/v1/payment_intents/{id}/cancel"
EXPIRE = "/v1/checkout/sessions/{id}/expire"
REFUNDS = "/v1/refunds"


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def staff(shop: Shop) -> Actor:
    return add_user("Stan Staff", "stan@example.com", Role.STAFF)


@dataclass(frozen=True)
class Card:
    """A booking paid by card: its start, its Checkout Session and (once confirmed) its
    PaymentIntent at the fake."""

    started: Started
    session_id: str

    def intent(self, fake: FakeStripe) -> str:
        return fake.sessions[self.session_id]["payment_intent"]


def held(shop: Shop, fake: FakeStripe, offset: int = 1) -> Card:
    """The card is authorised (held, not captured) and the webhook said so."""
    started, session_id = paid_by_card(shop, offset=offset)
    assert deliver(fake.event_for("checkout.session.completed", session_id)).text == "applied"
    assert payment_of(started).status == "authorised"
    return Card(started, session_id)


def captured(shop: Shop, fake: FakeStripe, offset: int = 1) -> Card:
    """Captured at Stripe and approved here by the webhook: the invoice is paid."""
    card = held(shop, fake, offset)
    assert deliver(fake.event_for("payment_intent.succeeded", card.session_id)).text == \
        "applied"
    assert payment_of(card.started).status == "approved"
    return card


def expired(shop: Shop, fake: FakeStripe, offset: int = 1) -> Card:
    started, session_id = paid_by_card(shop, offset=offset)
    assert deliver(fake.event_for("checkout.session.expired", session_id)).text == "applied"
    return Card(started, session_id)


def manual_payment(settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe,
                   offset: int = 1) -> Started:
    """A payment started while Stripe was off (provider "manual"); Stripe is on again."""
    configure(settings_env, STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    started = start(shop, offset=offset)
    configure(settings_env, STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=WHSEC,
              STRIPE_API_BASE=fake.url, APP_URL=APP_URL)
    assert payment_of(started).provider == "manual"
    return started


def stripe_posts(fake: FakeStripe) -> list:
    """Every POST the app sent to Stripe except making Checkout Sessions."""
    return [r for r in fake.requests
            if r.method == "POST" and r.path != "/v1/checkout/sessions"]


def everything() -> dict[str, object]:
    """Every row a payment action or a webhook may change, in all payments and invoices."""
    return {
        "payments": [(p.id, p.provider, p.method, p.status, p.intent_id, p.provider_ref,
                      p.held_at, p.approved_at, p.approved_by) for p in rows(Payment)],
        "invoices": [(i.id, i.status, i.number, i.issued_at, i.paid_at)
                     for i in rows(Invoice)],
        "audit": count(AuditEntry), "events": count(StripeEvent),
        "counters": count(InvoiceCounter), "outbox": count(OutboxMessage),
    }


def but_audit(snapshot: dict[str, object]) -> dict[str, object]:
    """A snapshot without the audit trail (noting a failed call there is fine)."""
    return {k: v for k, v in snapshot.items() if k != "audit"}


def cash(actor: Actor | None, order_id: object) -> rentals.OrderDetail:
    with uow.write_session() as session:
        return rentals.record_cash_payment(session, actor=actor, order_id=order_id)


def token_of(actor: Actor | None) -> str | None:
    """The session cookie the staff page passes to a settle flow (None: a visitor)."""
    return login(actor.email) if actor is not None else None


def paid_in_cash(actor: Actor | None, order_id: int) -> Settled:
    """The booking page's "Paid in cash", as its handler runs it."""
    return settle.release_then_record(rentals.record_cash_payment, token=token_of(actor),
                                      order_kind=rentals.ORDER, order_id=order_id)


RELEASED = Settled(said=(settle.RELEASE_REQUESTED,), recorded=True)


# --- capture --------------------------------------------------------------------------------


def test_capture_asks_stripe_and_only_the_webhook_approves_the_payment(
        shop: Shop, fake: FakeStripe) -> None:
    card = held(shop, fake)
    intent = card.intent(fake)
    before = everything()

    assert actions.capture(actor=shop.admin, payment_id=card.started.payment) is True

    [call] = fake.calls("POST", CAPTURE)
    assert call.path == f"/v1/payment_intents/{intent}/capture"
    assert call.status == 200
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.idempotency_key and str(card.started.payment) in call.idempotency_key
    assert fake.intents[intent]["status"] == "succeeded"
    assert everything() == before              # nothing here until Stripe says so
    assert payment_of(card.started).status == "authorised"
    assert invoice_of(card.started).status == "draft"

    # A second click before the webhook: no error, no second charge.
    assert actions.capture(actor=shop.admin, payment_id=card.started.payment) is True
    assert len(fake.charges) == 1
    assert everything() == before

    answer = deliver(fake.event_about("payment_intent.succeeded", intent))

    assert (answer.status_code, answer.text) == (200, "applied")
    payment = payment_of(card.started)
    assert (payment.status, payment.intent_id) == ("approved", intent)
    assert payment.approved_at is not None
    invoice = invoice_of(card.started)
    assert invoice.status == "paid" and invoice.paid_at is not None
    assert invoice.number == f"{invoice.issued_at.year}-000001"
    assert stripe_audit(card.started)[-1] == ("payment_intent.succeeded", "authorised",
                                              "approved")

    # Captured: capturing again is refused before Stripe is asked.
    asked = len(fake.requests)
    with pytest.raises(DomainError) as err:
        actions.capture(actor=shop.admin, payment_id=card.started.payment)
    assert err.value.key == "payment.not_authorised"
    assert len(fake.requests) == asked


@pytest.mark.parametrize("make", [
    pytest.param(lambda shop, fake: Card(*paid_by_card(shop)), id="pending"),
    pytest.param(captured, id="approved"),
    pytest.param(expired, id="void"),
    pytest.param(lambda shop, fake: Card(start(shop), ""), id="pending-no-session"),
])
def test_capture_is_refused_unless_the_card_is_held(
        shop: Shop, fake: FakeStripe, make: Callable[[Shop, FakeStripe], Card]) -> None:
    card = make(shop, fake)
    before, asked = everything(), len(fake.requests)

    with pytest.raises(DomainError) as err:
        actions.capture(actor=shop.admin, payment_id=card.started.payment)

    assert err.value.key == "payment.not_authorised"
    assert fake.calls("POST", CAPTURE) == []
    assert len(fake.requests) == asked
    assert everything() == before


def test_capture_leaves_a_manual_payment_to_the_database(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe) -> None:
    started = manual_payment(settings_env, shop, fake)
    before = everything()

    assert actions.capture(actor=shop.admin, payment_id=started.payment) is False
    assert actions.capture(actor=shop.admin, payment_id=started.payment + 1000) is False

    assert fake.requests == []
    assert everything() == before
    # ... where the admin approves it as before.
    with uow.write_session() as session:
        rentals.approve_booking_payment(session, actor=shop.admin, order_id=started.order,
                                        payment_id=started.payment)
    assert payment_of(started).status == "approved"
    assert invoice_of(started).status == "paid"


@pytest.mark.parametrize("bad", ["1", None, True, -1, 0, 2**70, 1.0])
def test_capture_and_release_of_a_bad_id_are_not_found(shop: Shop, fake: FakeStripe,
                                                       bad: object) -> None:
    with pytest.raises(NotFound):
        actions.capture(actor=shop.admin, payment_id=bad)
    with pytest.raises(NotFound):
        actions.release(actor=shop.admin, payment_id=bad)
    assert fake.requests == []


def test_only_admins_capture_and_only_staff_release(shop: Shop, fake: FakeStripe,
                                                    staff: Actor) -> None:
    card = held(shop, fake)
    before, asked = everything(), len(fake.requests)

    for actor, refused in ((staff, Forbidden), (shop.cleo, Forbidden), (shop.dan, Forbidden),
                           (None, Unauthenticated)):
        with pytest.raises(refused):
            actions.capture(actor=actor, payment_id=card.started.payment)
    for actor, refused in ((shop.cleo, Forbidden), (shop.dan, Forbidden),
                           (None, Unauthenticated)):
        with pytest.raises(refused):
            actions.release(actor=actor, payment_id=card.started.payment)
        with pytest.raises(refused):
            actions.release_open_for_invoice(actor=actor, invoice_id=card.started.invoice)

    assert len(fake.requests) == asked
    assert everything() == before
    assert fake.intents[card.intent(fake)]["status"] == "requires_capture"

    # Staff may release (a likely payment on a ticket, a cancelled voucher).
    assert actions.release(actor=staff, payment_id=card.started.payment) == "cancel"
    assert fake.intents[card.intent(fake)]["status"] == "canceled"


@pytest.mark.parametrize("make", [
    pytest.param(lambda shop, fake: Card(*paid_by_card(shop)), id="pending"),
    pytest.param(held, id="authorised"),
])
def test_the_database_never_approves_a_stripe_payment(
        shop: Shop, fake: FakeStripe, make: Callable[[Shop, FakeStripe], Card]) -> None:
    card = make(shop, fake)
    before, asked = everything(), len(fake.requests)

    with uow.write_session() as session, pytest.raises(DomainError) as err:
        billing.approve_payment(session, actor=shop.admin, payment_id=card.started.payment)
    assert err.value.key == "payment.capture_at_provider"
    with uow.write_session() as session, pytest.raises(DomainError) as err:
        rentals.approve_booking_payment(session, actor=shop.admin, order_id=card.started.order,
                                        payment_id=card.started.payment)
    assert err.value.key == "payment.capture_at_provider"

    assert everything() == before      # no status, invoice number, audit row or email
    assert len(fake.requests) == asked


# --- release --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    make: Callable[[Shop, FakeStripe], Card]
    asked: str             # what release() returns
    path: str              # the call at Stripe
    webhook: str           # the event Stripe then sends
    before: str            # the payment's status until then
    after: str             # and after it


RELEASES = {
    "pending": Release(lambda shop, fake: Card(*paid_by_card(shop)), "expire", EXPIRE,
                       "checkout.session.expired", "pending", "void"),
    "authorised": Release(held, "cancel", CANCEL, "payment_intent.canceled", "authorised",
                          "void"),
    "approved": Release(captured, "refund", REFUNDS, "charge.refunded", "approved",
                        "refunded"),
}


def _webhook_for(fake: FakeStripe, card: Card, kind: str) -> dict:
    if kind == "checkout.session.expired":
        return fake.event_about(kind, card.session_id)
    intent = card.intent(fake)
    if kind == "charge.refunded":
        return fake.event_about(kind, fake.intents[intent]["latest_charge"])
    return fake.event_about(kind, intent)


@pytest.mark.parametrize("case", list(RELEASES.values()), ids=list(RELEASES))
def test_release_asks_stripe_and_only_the_webhook_changes_the_payment(
        shop: Shop, fake: FakeStripe, staff: Actor, case: Release) -> None:
    card = case.make(shop, fake)
    invoice_before = invoice_of(card.started)
    before, posts = everything(), len(stripe_posts(fake))

    assert actions.release(actor=staff, payment_id=card.started.payment) == case.asked

    [call] = stripe_posts(fake)[posts:]
    assert fake.calls("POST", case.path) == [call]
    assert call.status == 200
    assert call.idempotency_key and str(card.started.payment) in call.idempotency_key
    if case.asked == "expire":
        assert call.path == f"/v1/checkout/sessions/{card.session_id}/expire"
        assert fake.sessions[card.session_id]["status"] == "expired"
    elif case.asked == "cancel":
        assert call.path == f"/v1/payment_intents/{card.intent(fake)}/cancel"
        assert fake.intents[card.intent(fake)]["status"] == "canceled"
    else:
        assert call.params["payment_intent"] == card.intent(fake)
        assert "amount" not in call.params                    # the whole amount
        [refund] = fake.refunds.values()
        assert (refund["amount"], refund["payment_intent"]) == (CENTS, card.intent(fake))
    assert everything() == before
    assert payment_of(card.started).status == case.before

    # Clicked again before the webhook: no error, done once (an expired session is seen
    # as such and left alone; the others are answered again under the same key).
    again = actions.release(actor=staff, payment_id=card.started.payment)
    assert again == ("" if case.asked == "expire" else case.asked)
    assert len(fake.refunds) == (1 if case.asked == "refund" else 0)
    assert everything() == before

    answer = deliver(_webhook_for(fake, card, case.webhook))

    assert (answer.status_code, answer.text) == (200, "applied")
    assert payment_of(card.started).status == case.after
    assert stripe_audit(card.started)[-1] == (case.webhook, case.before, case.after)
    invoice = invoice_of(card.started)
    assert (invoice.status, invoice.number) == (invoice_before.status, invoice_before.number)
    # Given up: nothing more to ask of Stripe.
    posts = len(stripe_posts(fake))
    assert actions.release(actor=staff, payment_id=card.started.payment) == ""
    assert len(stripe_posts(fake)) == posts


def test_release_of_a_manual_payment_or_one_without_a_session_asks_nothing(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    manual = manual_payment(settings_env, shop, fake)
    not_sent = start(shop, offset=4)                  # Stripe, but never sent to Checkout
    gone = expired(shop, fake, offset=7)
    before, asked = everything(), len(fake.requests)

    for payment_id in (manual.payment, not_sent.payment, gone.started.payment,
                       gone.started.payment + 1000):
        assert actions.release(actor=staff, payment_id=payment_id) == ""
    assert actions.release_open_for_invoice(actor=staff, invoice_id=manual.invoice) == []
    assert actions.release_open_for_invoice(actor=staff, invoice_id=gone.started.invoice) == []

    assert len(fake.requests) == asked
    assert everything() == before


def test_release_open_for_invoice_releases_every_open_stripe_payment_of_that_invoice(
        shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    card = expired(shop, fake)                   # an old attempt, already void
    with uow.write_session() as session:          # the customer paid again: now held
        rentals.pay_booking(session, actor=shop.cleo, order_id=card.started.order)
    hold = Started(shop.cleo, card.started.order, card.started.invoice,
                   rows(Payment, Payment.invoice_id == card.started.invoice)[-1].id)
    checkout(hold)
    hold_session = payment_of(hold).provider_ref
    deliver(fake.event_for("checkout.session.completed", hold_session))
    assert payment_of(hold).status == "authorised"
    # A second attempt under way on the same invoice (written directly: the app starts one
    # at a time, but releasing an invoice must not rely on that).
    with uow.write_session() as session:
        extra = Payment(invoice_id=card.started.invoice, provider="stripe", method="card",
                        amount=Decimal("108.58"), status="pending")
        session.add(extra)
        session.commit()
        extra_id = extra.id
    stripe_provider.StripeProvider().checkout(extra_id)
    extra_session = rows(Payment, Payment.id == extra_id)[0].provider_ref
    other = held(shop, fake, offset=4)           # another booking's hold: not touched
    other_intent = other.intent(fake)
    before, posts = everything(), len(stripe_posts(fake))

    done = actions.release_open_for_invoice(actor=staff, invoice_id=card.started.invoice)

    assert sorted(done) == ["cancel", "expire"]
    calls = stripe_posts(fake)[posts:]
    assert sorted(c.path for c in calls) == sorted([
        f"/v1/checkout/sessions/{extra_session}/expire",
        f"/v1/payment_intents/{fake.sessions[hold_session]['payment_intent']}/cancel"])
    assert all(c.status == 200 and c.idempotency_key for c in calls)
    assert len({c.idempotency_key for c in calls}) == 2
    assert fake.intents[other_intent]["status"] == "requires_capture"
    assert everything() == before

    deliver(fake.event_about("checkout.session.expired", extra_session))
    deliver(fake.event_about("payment_intent.canceled",
                             fake.sessions[hold_session]["payment_intent"]))
    statuses = {p.id: p.status for p in rows(Payment)}
    assert (statuses[card.started.payment], statuses[hold.payment], statuses[extra_id],
            statuses[other.started.payment]) == ("void", "void", "void", "authorised")


def test_release_open_for_invoice_leaves_a_captured_payment_alone(
        shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    """Before an invoice is paid another way or voided only what is under way or held is
    given up; taking back captured money is a refund, asked for on its own (release)."""
    card = captured(shop, fake)
    before = everything()

    assert actions.release_open_for_invoice(actor=staff, invoice_id=card.started.invoice) == []

    assert fake.calls("POST", REFUNDS) == []
    assert everything() == before
    assert payment_of(card.started).status == "approved"

    # "Paid in cash" for it: nothing asked of Stripe, the cash refused (paid by card).
    with pytest.raises(DomainError) as err:
        paid_in_cash(shop.admin, card.started.order)
    assert err.value.key == "rental.already_paid"
    assert stripe_posts(fake) == [] and everything() == before


def test_invoice_of_finds_the_orders_invoice(shop: Shop, fake: FakeStripe) -> None:
    started = start(shop)
    assert actions.invoice_of(order_kind=rentals.ORDER, order_id=started.order) == \
        started.invoice
    assert actions.invoice_of(order_kind=vouchers.ORDER_KIND, order_id=started.order) is None
    assert actions.invoice_of(order_kind=rentals.ORDER, order_id=started.order + 1000) is None


# --- Stripe's errors ------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "key"), [
    (402, "payment.card_declined"),
    (500, "payment.provider_unavailable"),
    (401, "payment.provider_unavailable"),
    (400, "payment.provider_unavailable"),
])
def test_a_stripe_error_on_capture_is_a_domain_error_and_changes_nothing(
        shop: Shop, fake: FakeStripe, status: int, key: str) -> None:
    card = held(shop, fake)
    before = everything()
    fake.fail_next(status)

    with pytest.raises(DomainError) as err:
        actions.capture(actor=shop.admin, payment_id=card.started.payment)

    assert err.value.key == key
    assert len(fake.calls("POST", CAPTURE)) == 1          # no retry storm
    assert fake.intents[card.intent(fake)]["status"] == "requires_capture"
    assert fake.charges == {}
    assert but_audit(everything()) == but_audit(before)


def test_capture_refused_by_stripe_for_a_hold_no_longer_capturable(
        shop: Shop, fake: FakeStripe) -> None:
    """The hold lapsed or was released in the Dashboard (its webhook not here yet)."""
    card = held(shop, fake)
    fake.cancel_now(card.intent(fake))
    before = everything()

    with pytest.raises(DomainError) as err:
        actions.capture(actor=shop.admin, payment_id=card.started.payment)

    assert err.value.key == "payment.provider_unavailable"
    assert but_audit(everything()) == but_audit(before)


def test_after_a_stripe_outage_the_admin_can_still_capture(shop: Shop,
                                                           fake: FakeStripe) -> None:
    """Stripe stores the first answer to an idempotency key, errors included (a 500 too),
    and replays it for 24 h; the fake does the same. An admin who clicks "Approve payment"
    again once Stripe is back must get the card captured, not the stored error replayed
    (the hold lapses after about a week)."""
    card = held(shop, fake)
    fake.fail_next(500)
    with pytest.raises(DomainError):
        actions.capture(actor=shop.admin, payment_id=card.started.payment)

    assert actions.capture(actor=shop.admin, payment_id=card.started.payment) is True

    assert fake.intents[card.intent(fake)]["status"] == "succeeded"
    deliver(fake.event_about("payment_intent.succeeded", card.intent(fake)))
    assert payment_of(card.started).status == "approved"


@pytest.mark.parametrize("case", list(RELEASES.values()), ids=list(RELEASES))
def test_a_stripe_error_on_release_is_a_domain_error_and_changes_nothing(
        shop: Shop, fake: FakeStripe, staff: Actor, case: Release) -> None:
    card = case.make(shop, fake)
    before = everything()
    fake.fail_next(500)

    with pytest.raises(DomainError) as err:
        actions.release(actor=staff, payment_id=card.started.payment)

    assert err.value.key == "payment.provider_unavailable"
    assert but_audit(everything()) == but_audit(before)
    assert fake.refunds == {}
    assert fake.sessions[card.session_id]["status"] in ("open", "complete")
    if case.asked != "expire":
        assert fake.intents[card.intent(fake)]["status"] in ("requires_capture", "succeeded")


@pytest.mark.parametrize("case", list(RELEASES.values()), ids=list(RELEASES))
def test_after_a_stripe_outage_staff_can_still_release(shop: Shop, fake: FakeStripe,
                                                       staff: Actor, case: Release) -> None:
    """As for capture: the second click, once Stripe is back, must release the payment."""
    card = case.make(shop, fake)
    fake.fail_next(500)
    with pytest.raises(DomainError):
        actions.release(actor=staff, payment_id=card.started.payment)

    assert actions.release(actor=staff, payment_id=card.started.payment) == case.asked

    assert fake.calls("POST", case.path)[-1].status == 200
    assert deliver(_webhook_for(fake, card, case.webhook)).text == "applied"
    assert payment_of(card.started).status == case.after


def test_a_lost_answer_on_capture_is_retried_with_the_same_key_and_captures_once(
        shop: Shop, fake: FakeStripe) -> None:
    card = held(shop, fake)
    # Stripe captured, but its answer never arrived.
    fake.drop_next_to("POST", f"/v1/payment_intents/{card.intent(fake)}/capture")

    assert actions.capture(actor=shop.admin, payment_id=card.started.payment) is True

    calls = fake.calls("POST", CAPTURE)
    assert len(calls) == 2 and calls[1].replayed
    assert calls[0].idempotency_key == calls[1].idempotency_key
    assert len(fake.charges) == 1
    assert payment_of(card.started).status == "authorised"


@pytest.mark.parametrize("case", list(RELEASES.values()), ids=list(RELEASES))
def test_a_lost_answer_on_release_is_retried_with_the_same_key_and_done_once(
        shop: Shop, fake: FakeStripe, staff: Actor, case: Release) -> None:
    card = case.make(shop, fake)
    fake.drop_next_to("POST", {
        "expire": f"/v1/checkout/sessions/{card.session_id}/expire",
        "cancel": f"/v1/payment_intents/{card.intent(fake)}/cancel",
        "refund": REFUNDS}[case.asked])

    assert actions.release(actor=staff, payment_id=card.started.payment) == case.asked

    calls = fake.calls("POST", case.path)
    assert len(calls) == 2 and calls[1].replayed and calls[1].status == 200
    assert calls[0].idempotency_key == calls[1].idempotency_key
    assert len(fake.refunds) == (1 if case.asked == "refund" else 0)


def test_two_admins_capturing_at_once_capture_once(shop: Shop, fake: FakeStripe) -> None:
    card = held(shop, fake)

    results = run_together(5, lambda i: actions.capture(actor=shop.admin,
                                                        payment_id=card.started.payment))

    assert results == [True] * 5, results
    assert len(fake.charges) == 1
    assert fake.intents[card.intent(fake)]["amount_received"] == CENTS


def test_release_of_a_checkout_completed_at_stripe_releases_the_hold(
        shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    """The customer finished Checkout a moment ago (or its webhook was lost): here the
    payment is still pending, at Stripe the card is held. Giving the payment up (a cancelled
    voucher, "Paid in cash") must release that hold, not leave it on the card."""
    started, session_id = paid_by_card(shop)
    fake.complete(session_id)
    intent = fake.sessions[session_id]["payment_intent"]
    assert payment_of(started).status == "pending"

    try:
        actions.release(actor=staff, payment_id=started.payment)
    except DomainError as err:
        pytest.fail(f"release refused ({err.key}); the card stays held at Stripe")

    assert fake.intents[intent]["status"] == "canceled"
    deliver(fake.event_for("checkout.session.completed", session_id))
    deliver(fake.event_about("payment_intent.canceled", intent))
    assert payment_of(started).status == "void"


# --- paid in cash ----------------------------------------------------------------------------


def test_an_admin_records_a_cash_payment(shop: Shop, fake: FakeStripe) -> None:
    started = start(shop)                        # a Stripe payment started, never sent

    detail = cash(shop.admin, started.order)

    assert detail.invoice is not None and detail.invoice.status == "paid"
    invoice = invoice_of(started)
    assert (invoice.status, invoice.number) == ("paid", f"{invoice.issued_at.year}-000001")
    assert invoice.paid_at is not None
    [cash_payment] = rows(Payment, Payment.invoice_id == started.invoice,
                          Payment.method == "cash")
    assert (cash_payment.provider, cash_payment.status, cash_payment.amount) == (
        "manual", "approved", invoice.total)
    assert cash_payment.approved_by == shop.admin.user_id
    assert [p.id for p in detail.payments] == [started.payment, cash_payment.id]
    assert [(a.action, a.new_value) for a in rows(AuditEntry, AuditEntry.entity == "booking",
                                                  AuditEntry.action == "paid_in_cash")] == [
        ("paid_in_cash", str(invoice.total))]
    assert fake.requests == []

    # Paid: a second cash payment is refused.
    before = everything()
    with pytest.raises(DomainError) as err:
        cash(shop.admin, started.order)
    assert err.value.key == "rental.already_paid"
    assert everything() == before


def test_a_cash_payment_for_a_booking_without_an_invoice_makes_one(shop: Shop,
                                                                   fake: FakeStripe) -> None:
    order = book(shop.cleo, shop.entry, shop.van, day(1), day(3))

    detail = cash(shop.admin, order.id)

    assert detail.invoice is not None
    assert (detail.invoice.status, detail.invoice.total) == ("paid", Decimal("108.58"))
    assert [(p.provider, p.method, p.status) for p in detail.payments] == [
        ("manual", "cash", "approved")]


def test_only_admins_record_cash(shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    started = start(shop)
    before = everything()
    for actor, refused in ((staff, Forbidden), (shop.cleo, Forbidden),
                           (None, Unauthenticated)):
        with pytest.raises(refused):
            cash(actor, started.order)
    with pytest.raises(NotFound):
        cash(shop.admin, started.order + 1000)
    assert everything() == before


def test_cash_is_refused_for_a_booking_paid_by_card(shop: Shop, fake: FakeStripe) -> None:
    card = captured(shop, fake)
    before = everything()
    with pytest.raises(DomainError) as err:
        cash(shop.admin, card.started.order)
    assert err.value.key == "rental.already_paid"
    assert everything() == before


def test_cash_is_refused_for_a_cancelled_booking(shop: Shop, fake: FakeStripe) -> None:
    started = start(shop)
    change_booking_status(shop.admin, started.order, "cancelled")
    before = everything()
    with pytest.raises(DomainError) as err:
        cash(shop.admin, started.order)
    assert err.value.key == "rental.not_payable"
    assert everything() == before


@pytest.mark.parametrize("case", [RELEASES["pending"], RELEASES["authorised"]],
                         ids=["pending", "authorised"])
def test_paid_in_cash_releases_the_card_at_stripe_first(shop: Shop, fake: FakeStripe,
                                                        case: Release,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The staff page's "Paid in cash" (settle.release_then_record): release the invoice's
    Stripe payments, then record the cash. The hold is cancelled (or the Checkout closed) at
    Stripe before the invoice is paid here; the card payment is voided when Stripe's webhook
    arrives."""
    card = case.make(shop, fake)
    invoice_when_released: list[str] = []
    release = actions.release_open_for_invoice

    def watched(**kwargs: object) -> list[str]:
        invoice_when_released.append(invoice_of(card.started).status)
        return release(**kwargs)

    monkeypatch.setattr(actions, "release_open_for_invoice", watched)

    assert paid_in_cash(shop.admin, card.started.order) == RELEASED

    [call] = fake.calls("POST", case.path)
    assert call.status == 200
    assert invoice_when_released == ["draft"]        # Stripe first, the cash after
    if case.asked == "cancel":
        assert fake.intents[card.intent(fake)]["status"] == "canceled"
    else:
        assert fake.sessions[card.session_id]["status"] == "expired"
    assert [c.path for c in stripe_posts(fake)] == [call.path]   # recording cash asks nothing
    assert invoice_of(card.started).status == "paid"
    assert payment_of(card.started).status == case.before      # until the webhook
    assert deliver(_webhook_for(fake, card, case.webhook)).text == "applied"
    statuses = [(p.provider, p.method, p.status)
                for p in rows(Payment, Payment.invoice_id == card.started.invoice)]
    assert statuses == [("stripe", "card", "void"), ("manual", "cash", "approved")]
    invoice = invoice_of(card.started)
    assert invoice.status == "paid" and invoice.number.endswith("-000001")
    # The customer cannot pay this invoice by card any more.
    with uow.write_session() as session, pytest.raises(DomainError) as err:
        rentals.pay_booking(session, actor=shop.cleo, order_id=card.started.order)
    assert err.value.key == "rental.already_paid"


# --- vouchers paid by card ------------------------------------------------------------------


@dataclass(frozen=True)
class Bought:
    reservation: int
    invoice: int
    payment: int
    session_id: str


def buy_by_card(shop: Shop, fake: FakeStripe) -> Bought:
    with uow.write_session() as session:
        promotion = vouchers.save_promotion(session, actor=shop.admin, promotion_id=0,
                                            title="Spa day")
    with uow.write_session() as session:
        variant = vouchers.save_variant(session, actor=shop.admin, promotion_id=promotion,
                                        variant_id=0, name="Day pass", price="80.00",
                                        tax_rate="0")
    with uow.write_session() as session:
        code = vouchers.buy(session, actor=shop.cleo, variant_id=variant, today=date.today())
    with uow.read_session() as session:
        view = vouchers.voucher(session, actor=shop.cleo, code=code)
    url = payments_service.checkout_url(actor=shop.cleo, order_kind=vouchers.ORDER_KIND,
                                        order_id=view.id)
    assert url
    invoice = actions.invoice_of(order_kind=vouchers.ORDER_KIND, order_id=view.id)
    assert invoice is not None
    [payment] = rows(Payment, Payment.invoice_id == invoice)
    assert (payment.provider, payment.status, payment.amount) == ("stripe", "pending",
                                                                  Decimal("80.00"))
    return Bought(view.id, invoice, payment.id, payment.provider_ref)


def bought_by_card(shop: Shop, fake: FakeStripe, held_first: bool) -> Bought:
    bought = buy_by_card(shop, fake)
    if held_first:
        deliver(fake.event_for("checkout.session.completed", bought.session_id))
    status = rows(Payment, Payment.id == bought.payment)[0].status
    assert status == ("authorised" if held_first else "pending")
    return bought


def cancel_voucher(actor: Actor | None, bought: Bought) -> Settled:
    """The staff reservation page's "Cancel voucher", as its handler runs it."""
    return settle.cancel_and_release(vouchers.cancel, token=token_of(actor),
                                     order_kind=vouchers.ORDER_KIND,
                                     order_id=bought.reservation,
                                     reservation_id=bought.reservation)


def released_at_stripe(fake: FakeStripe, bought: Bought, held_first: bool) -> dict:
    """The one release the app asked for (hold cancelled, or Checkout expired), and the
    webhook Stripe sends for it."""
    intent = fake.sessions[bought.session_id]["payment_intent"]
    if held_first:
        assert [c.path for c in stripe_posts(fake)] == [f"/v1/payment_intents/{intent}/cancel"]
        assert fake.intents[intent]["status"] == "canceled"
        return fake.event_about("payment_intent.canceled", intent)
    assert [c.path for c in stripe_posts(fake)] == [
        f"/v1/checkout/sessions/{bought.session_id}/expire"]
    assert fake.sessions[bought.session_id]["status"] == "expired"
    return fake.event_about("checkout.session.expired", bought.session_id)


@pytest.mark.parametrize("held_first", [False, True], ids=["pending", "authorised"])
def test_cancelling_a_voucher_leaves_its_card_payment_to_stripes_webhook(
        shop: Shop, fake: FakeStripe, staff: Actor, held_first: bool) -> None:
    bought = bought_by_card(shop, fake, held_first)
    status = rows(Payment, Payment.id == bought.payment)[0].status
    asked = len(fake.requests)

    with uow.write_session() as session:
        view = vouchers.cancel(session, actor=staff, reservation_id=bought.reservation)

    assert view.status == "cancelled" and view.invoice_status == "void"
    assert rows(Payment, Payment.id == bought.payment)[0].status == status  # not voided here
    assert len(fake.requests) == asked


@pytest.mark.parametrize("held_first", [False, True], ids=["pending", "authorised"])
def test_the_cancel_flow_cancels_then_releases_the_card_at_stripe(
        shop: Shop, fake: FakeStripe, staff: Actor, held_first: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bought = bought_by_card(shop, fake, held_first)
    status = rows(Payment, Payment.id == bought.payment)[0].status
    voucher_when_released: list[str] = []
    release = actions.release_open_for_invoice

    def watched(**kwargs: object) -> list[str]:
        voucher_when_released.append(rows(Reservation, Reservation.id == bought.reservation)
                                     [0].status)
        return release(**kwargs)

    monkeypatch.setattr(actions, "release_open_for_invoice", watched)

    assert cancel_voucher(staff, bought) == RELEASED

    assert voucher_when_released == ["cancelled"]     # the cancel first, then Stripe
    event = released_at_stripe(fake, bought, held_first)
    assert rows(Invoice, Invoice.id == bought.invoice)[0].status == "void"
    assert rows(Payment, Payment.id == bought.payment)[0].status == status
    assert deliver(event).text == "applied"           # the webhook voids it
    assert rows(Payment, Payment.id == bought.payment)[0].status == "void"
    assert rows(Invoice, Invoice.id == bought.invoice)[0].status == "void"


def test_cancelling_a_cancelled_voucher_again_asks_stripe_again(
        shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    """Cancelled meanwhile (another tab; its release at Stripe may have failed): refused as
    already cancelled, and its card payments are given up again."""
    bought = bought_by_card(shop, fake, held_first=True)
    with uow.write_session() as session:
        vouchers.cancel(session, actor=staff, reservation_id=bought.reservation)
    assert stripe_posts(fake) == []

    done = cancel_voucher(staff, bought)

    assert (done.said, done.recorded) == ((settle.RELEASE_REQUESTED,), False)
    assert done.failed is not None and done.failed.key == "voucher.already_cancelled"
    released_at_stripe(fake, bought, held_first=True)

    # Asked again (the webhook not here yet): answered under the same idempotency key.
    again = cancel_voucher(staff, bought)
    assert again.said == (settle.RELEASE_REQUESTED,)
    [first, second] = fake.calls("POST", CANCEL)
    assert first.idempotency_key == second.idempotency_key


def test_a_refused_cancel_asks_stripe_nothing(shop: Shop, fake: FakeStripe) -> None:
    bought = bought_by_card(shop, fake, held_first=True)
    before = everything()

    for actor, refused in ((shop.cleo, Forbidden), (None, Unauthenticated)):
        with pytest.raises(refused):
            cancel_voucher(actor, bought)

    assert stripe_posts(fake) == []
    assert everything() == before
    assert rows(Reservation, Reservation.id == bought.reservation)[0].status == "active"


def test_a_voucher_cancelled_while_stripe_is_down_says_so(shop: Shop, fake: FakeStripe,
                                                         staff: Actor) -> None:
    bought = bought_by_card(shop, fake, held_first=True)
    fake.fail_next(500)

    done = cancel_voucher(staff, bought)

    assert (done.said, done.recorded) == ((), True)      # cancelled here ...
    assert done.failed is not None and done.failed.key == "payment.provider_unavailable"
    assert rows(Reservation, Reservation.id == bought.reservation)[0].status == "cancelled"
    intent = fake.sessions[bought.session_id]["payment_intent"]
    assert fake.intents[intent]["status"] == "requires_capture"   # ... the card still held


# --- the staff pages' other flows (billing.settle) -------------------------------------------


def approve(actor: Actor | None, started: Started) -> Settled:
    """The booking page's "Approve payment", as its handler runs it."""
    return settle.capture_or_approve(rentals.approve_booking_payment, token=token_of(actor),
                                     payment_id=started.payment, order_id=started.order)


def test_approve_captures_a_held_card_at_stripe_and_changes_nothing_here(
        shop: Shop, fake: FakeStripe) -> None:
    card = held(shop, fake)
    before = everything()

    assert approve(shop.admin, card.started) == Settled(said=(settle.CAPTURE_REQUESTED,))

    assert [c.status for c in fake.calls("POST", CAPTURE)] == [200]
    assert everything() == before
    assert payment_of(card.started).status == "authorised"      # until the webhook


def test_approve_of_a_manual_payment_approves_it_here(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe) -> None:
    started = manual_payment(settings_env, shop, fake)

    assert approve(shop.admin, started) == Settled(recorded=True)

    assert fake.requests == []
    assert payment_of(started).status == "approved"
    assert invoice_of(started).status == "paid"


def test_approve_refused_before_anything_is_done(shop: Shop, fake: FakeStripe,
                                                 staff: Actor) -> None:
    card = held(shop, fake)
    before = everything()
    for actor, refused in ((staff, Forbidden), (shop.cleo, Forbidden),
                           (None, Unauthenticated)):
        with pytest.raises(refused):
            approve(actor, card.started)
    fake.fail_next(402)
    with pytest.raises(DomainError) as err:
        approve(shop.admin, card.started)
    assert err.value.key == "payment.card_declined"
    assert but_audit(everything()) == but_audit(before)
    assert fake.intents[card.intent(fake)]["status"] == "requires_capture"


def test_approve_captures_a_card_held_for_a_voucher(shop: Shop, fake: FakeStripe) -> None:
    bought = bought_by_card(shop, fake, held_first=True)
    before = everything()

    done = settle.capture_or_approve(vouchers.approve_payment, token=token_of(shop.admin),
                                     payment_id=bought.payment,
                                     reservation_id=bought.reservation)

    assert done == Settled(said=(settle.CAPTURE_REQUESTED,))
    assert len(fake.calls("POST", CAPTURE)) == 1
    assert everything() == before


def test_paid_in_cash_with_stripe_down_records_no_cash(shop: Shop, fake: FakeStripe) -> None:
    card = held(shop, fake)
    before = everything()
    fake.fail_next(500)

    with pytest.raises(DomainError) as err:
        paid_in_cash(shop.admin, card.started.order)

    assert err.value.key == "payment.provider_unavailable"
    assert but_audit(everything()) == but_audit(before)     # no cash beside the held card
    assert fake.intents[card.intent(fake)]["status"] == "requires_capture"


def test_paid_in_cash_refused_after_the_release_says_both(shop: Shop, fake: FakeStripe,
                                                          staff: Actor) -> None:
    """Staff may release a card, only admins record cash: the release is asked, then the
    cash refused, and the page says both."""
    card = held(shop, fake)

    done = paid_in_cash(staff, card.started.order)

    assert (done.said, done.recorded) == ((settle.RELEASE_REQUESTED,), False)
    assert isinstance(done.failed, Forbidden)
    assert fake.intents[card.intent(fake)]["status"] == "canceled"
    assert rows(Payment, Payment.invoice_id == card.started.invoice,
                Payment.method == "cash") == []


def test_paid_in_cash_without_a_card_just_records_the_cash(shop: Shop, fake: FakeStripe) -> None:
    order = book(shop.cleo, shop.entry, shop.van, day(1), day(3))

    assert paid_in_cash(shop.admin, order.id) == Settled(recorded=True)

    assert fake.requests == []
    [payment] = rows(Payment, Payment.method == "cash")
    assert payment.status == "approved"


@dataclass
class Voided:
    """A stand-in for the database step of `void_or_refund` (tickets.void_payment)."""

    calls: list[tuple[Actor | None, dict[str, object]]]

    def __call__(self, session: object, *, actor: Actor | None, **ids: object) -> None:
        self.calls.append((actor, ids))


@pytest.mark.parametrize("case", list(RELEASES.values()), ids=list(RELEASES))
def test_void_or_refund_gives_a_stripe_payment_up_there(shop: Shop, fake: FakeStripe,
                                                        staff: Actor, case: Release) -> None:
    card = case.make(shop, fake)
    void = Voided([])
    before = everything()

    done = settle.void_or_refund(void, token=token_of(staff), payment_id=card.started.payment,
                                 ticket_id=7)

    assert done == Settled(said=(settle.RELEASE_REQUESTED,))
    assert void.calls == []
    assert [c.status for c in fake.calls("POST", case.path)] == [200]
    assert everything() == before


def test_void_or_refund_leaves_any_other_payment_to_the_database(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe, staff: Actor) -> None:
    started = manual_payment(settings_env, shop, fake)
    void = Voided([])

    done = settle.void_or_refund(void, token=token_of(staff), payment_id=started.payment,
                                 ticket_id=7)

    assert done == Settled(recorded=True)
    assert void.calls == [(staff, {"payment_id": started.payment, "ticket_id": 7})]
    assert fake.requests == []
    with pytest.raises(Forbidden):
        settle.void_or_refund(void, token=token_of(shop.cleo), payment_id=started.payment)
    assert len(void.calls) == 1


# --- reconciliation -------------------------------------------------------------------------


@dataclass
class Lost:
    completed: Card       # completed at Stripe; the webhook lost: held
    captured: Card        # held here, captured at Stripe; "succeeded" lost: approved
    both: Card            # completed and captured at Stripe; both webhooks lost: approved
    cancelled: Card       # held here, released at Stripe; "canceled" lost: void
    expired: Card         # the Checkout Session expired; the webhook lost: void
    open: Card            # the customer is still on the Checkout page: nothing
    unreadable: Card      # Stripe does not know the session (404): counted, left alone
    not_sent: Started     # never sent to Checkout: nothing to read
    done: Card            # approved long ago: not read


def lost_webhooks(shop: Shop, fake: FakeStripe) -> Lost:
    """One booking per situation (three days apart: the van has three units)."""
    offsets = iter(range(1, 100, 3))

    def card() -> Card:
        return Card(*paid_by_card(shop, offset=next(offsets)))

    completed = card()
    fake.complete(completed.session_id)
    captured_ = held(shop, fake, next(offsets))
    assert actions.capture(actor=shop.admin, payment_id=captured_.started.payment)
    both = card()
    fake.complete(both.session_id)
    fake.capture_now(both.intent(fake))
    cancelled = held(shop, fake, next(offsets))
    assert actions.release(actor=shop.admin, payment_id=cancelled.started.payment) == "cancel"
    expired_ = card()
    fake.expire_now(expired_.session_id)
    open_ = card()
    unreadable = card()
    fake.forget(unreadable.session_id)
    not_sent = start(shop, offset=next(offsets))
    done = captured(shop, fake, next(offsets))
    return Lost(completed, captured_, both, cancelled, expired_, open_, unreadable, not_sent,
                done)


def test_reconcile_applies_what_lost_webhooks_would_have_once(shop: Shop,
                                                              fake: FakeStripe) -> None:
    lost = lost_webhooks(shop, fake)
    status = {p.id: p.status for p in rows(Payment)}
    assert [status[c.started.payment] for c in (
        lost.completed, lost.captured, lost.both, lost.cancelled, lost.expired, lost.open,
        lost.unreadable)] == ["pending", "authorised", "pending", "authorised", "pending",
                              "pending", "pending"]
    reads_before = len(fake.requests)
    posts_before = len(stripe_posts(fake))
    before = everything()

    counts = actions.reconcile()

    # Six moves: held (completed), approved (captured), held then approved (both), void
    # (cancelled), void (expired). The unreadable one is counted; no event was refused.
    assert counts.get("applied") == 6, counts
    assert counts.get("unreadable") == 1, counts
    assert set(counts) <= {"applied", "ignored", "duplicate", "unreadable"}, counts
    assert len(stripe_posts(fake)) == posts_before            # reconcile only reads
    assert {r.method for r in fake.requests[reads_before:]} == {"GET"}

    def now(c: Card | Started) -> Payment:
        return payment_of(c.started if isinstance(c, Card) else c)

    assert (now(lost.completed).status, now(lost.completed).intent_id) == (
        "authorised", lost.completed.intent(fake))
    assert now(lost.completed).held_at is not None
    assert invoice_of(lost.completed.started).status == "draft"
    for c in (lost.captured, lost.both):
        assert (now(c).status, now(c).intent_id) == ("approved", c.intent(fake))
        assert now(c).approved_at is not None
        invoice = invoice_of(c.started)
        assert invoice.status == "paid" and invoice.number and invoice.paid_at is not None
    assert stripe_audit(lost.both.started) == [
        ("checkout.session.completed", "pending", "authorised"),
        ("payment_intent.succeeded", "authorised", "approved")]
    assert now(lost.cancelled).status == "void"
    assert now(lost.expired).status == "void"
    for c in (lost.open, lost.unreadable):
        assert now(c).status == "pending"
        assert stripe_audit(c.started) == []
    assert now(lost.not_sent).status == "pending"
    assert now(lost.done).status == "approved"
    numbers = sorted(i.number for i in rows(Invoice) if i.number)
    year = invoice_of(lost.done.started).issued_at.year
    assert numbers == [f"{year}-00000{n}" for n in (1, 2, 3)]   # done, captured, both
    assert count(AuditEntry) == before["audit"] + 6

    # Run again (cron every hour): nothing more changes.
    after = everything()
    again = actions.reconcile()
    assert "applied" not in again, again
    assert again.get("unreadable") == 1
    assert everything() == after

    # The lost webhooks arrive after all: nothing moves.
    for c, kind in ((lost.captured, "payment_intent.succeeded"),
                    (lost.both, "payment_intent.succeeded"),
                    (lost.cancelled, "payment_intent.canceled")):
        assert deliver(fake.event_about(kind, c.intent(fake))).text == "ignored"
    assert deliver(fake.event_about("checkout.session.completed",
                                    lost.completed.session_id)).text == "ignored"
    assert deliver(fake.event_about("checkout.session.expired",
                                    lost.expired.session_id)).text == "ignored"
    final = everything()
    assert (final["payments"], final["invoices"], final["audit"]) == (
        after["payments"], after["invoices"], after["audit"])


def test_reconcile_after_an_outage_reads_again_next_time(shop: Shop, fake: FakeStripe) -> None:
    card = Card(*paid_by_card(shop))
    fake.complete(card.session_id)
    fake.fail_next(500, path=f"/v1/checkout/sessions/{card.session_id}")
    before = everything()

    assert actions.reconcile() == {"unreadable": 1}
    assert everything() == before

    assert actions.reconcile().get("applied") == 1
    assert payment_of(card.started).status == "authorised"


def test_reconcile_reads_nothing_for_manual_final_or_unsent_payments(
        settings_env: pytest.MonkeyPatch, shop: Shop, fake: FakeStripe) -> None:
    manual_payment(settings_env, shop, fake)
    expired(shop, fake, offset=4)
    start(shop, offset=7)                      # a Stripe payment never sent to Checkout
    asked, before = len(fake.requests), everything()

    assert actions.reconcile() == {}
    assert len(fake.requests) == asked
    assert everything() == before


def test_reconcile_marks_a_refund_whose_webhook_was_lost(shop: Shop, fake: FakeStripe,
                                                        staff: Actor) -> None:
    """actions.py: the status of a released payment "follows from the webhook Stripe sends
    for the change, or from `reconcile` if that webhook never arrives" - a refund too."""
    card = captured(shop, fake)
    assert actions.release(actor=staff, payment_id=card.started.payment) == "refund"
    assert fake.charges[fake.intents[card.intent(fake)]["latest_charge"]]["refunded"]
    assert payment_of(card.started).status == "approved"      # charge.refunded lost

    actions.reconcile()

    assert payment_of(card.started).status == "refunded"
    after = everything()
    actions.reconcile()
    assert everything() == after


def test_reconcile_command_prints_a_summary(shop: Shop, fake: FakeStripe,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert reconcile.main() == 0
    assert capsys.readouterr().out.strip() == "reconciled: nothing"

    card = Card(*paid_by_card(shop))
    fake.complete(card.session_id)
    gone = Card(*paid_by_card(shop, offset=4))
    fake.forget(gone.session_id)

    assert reconcile.main() == 0

    out = capsys.readouterr().out.strip()
    assert out.startswith("reconciled: ")
    assert "applied 1" in out and "unreadable 1" in out
    assert payment_of(card.started).status == "authorised"


def test_reconcile_command_with_stripe_off_says_so(settings_env: pytest.MonkeyPatch,
                                                   shop: Shop, fake: FakeStripe,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    card = Card(*paid_by_card(shop))
    fake.complete(card.session_id)
    configure(settings_env, STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    asked = len(fake.requests)

    assert reconcile.main() == 0

    out = capsys.readouterr().out.strip()
    assert "not configured" in out and "nothing to reconcile" in out
    assert len(out.splitlines()) == 1
    assert len(fake.requests) == asked
    assert payment_of(card.started).status == "pending"


# --- the staff home: old card holds ---------------------------------------------------------


def hold_at(card: Card, fake: FakeStripe, when: timedelta) -> None:
    """The authorisation webhook for this card, arriving `when` ago."""
    body, header = signed(fake.event_for("checkout.session.completed", card.session_id), WHSEC)
    assert webhooks.handle(body, header, now=utcnow() - when).result == "applied"


def test_the_staff_home_counts_card_holds_older_than_six_days(shop: Shop, fake: FakeStripe,
                                                              staff: Actor) -> None:
    offsets = iter(range(1, 100, 3))

    def card() -> Card:
        return Card(*paid_by_card(shop, offset=next(offsets)))

    old = card()
    hold_at(old, fake, timedelta(days=6, hours=1))
    older = card()
    hold_at(older, fake, timedelta(days=9))
    recent = card()
    hold_at(recent, fake, timedelta(days=5, hours=23))
    fresh = card()
    hold_at(fresh, fake, timedelta(0))
    captured_old = card()          # held long ago, then captured: no longer a hold
    hold_at(captured_old, fake, timedelta(days=10))
    deliver(fake.event_for("payment_intent.succeeded", captured_old.session_id))
    released_old = card()          # held long ago, then released
    hold_at(released_old, fake, timedelta(days=10))
    deliver(fake.event_for("payment_intent.canceled", released_old.session_id))
    card()                         # pending (no hold)

    with uow.read_session() as session:
        summary = dashboard.home_summary(session, actor=staff)

    assert summary.holds_old == 2
    assert summary.payments_waiting == 1

    # Capturing the old ones clears the warning (once Stripe's webhooks arrive).
    for c in (old, older):
        assert actions.capture(actor=shop.admin, payment_id=c.started.payment)
        deliver(fake.event_about("payment_intent.succeeded", c.intent(fake)))
    with uow.read_session() as session:
        assert dashboard.home_summary(session, actor=staff).holds_old == 0


# --- the fake's read endpoints ----------------------------------------------------------------


def test_the_fake_answers_reads_of_charges_and_refunds_like_stripe(
        shop: Shop, fake: FakeStripe) -> None:
    card = captured(shop, fake)
    intent = card.intent(fake)
    actions.release(actor=shop.admin, payment_id=card.started.payment)
    api = stripe_provider.client().v1
    charge_id = fake.intents[intent]["latest_charge"]

    expanded = api.payment_intents.retrieve(intent, {"expand": ["latest_charge"]})
    assert expanded.latest_charge.id == charge_id and expanded.latest_charge.refunded
    assert api.payment_intents.retrieve(intent).latest_charge == charge_id
    charge = api.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.payment_intent) == (CENTS, intent)
    [refund] = api.refunds.list({"payment_intent": intent}).data
    assert (refund.amount, refund.charge) == (CENTS, charge_id)
    assert api.refunds.retrieve(refund.id).id == refund.id
    assert api.refunds.list({"payment_intent": "pi_test_other"}).data == []
    assert [c.id for c in api.charges.list({"payment_intent": intent}).data] == [charge_id]


def test_a_card_is_never_captured_for_an_invoice_paid_another_way(
        shop: Shop, fake: FakeStripe) -> None:
    """E.g. cash was recorded while Stripe could not be reached to release the hold: the
    held card must not be charged as well."""
    card = held(shop, fake)
    with uow.write_session() as session:
        invoice = session.get(Invoice, card.started.invoice)
        invoice.status = "paid"
        session.commit()
    before = everything()

    with pytest.raises(DomainError) as err:
        actions.capture(actor=shop.admin, payment_id=card.started.payment)

    assert err.value.key == "rental.already_paid"
    assert fake.calls("POST", CAPTURE.format(id=card.intent(fake))) == []
    assert everything() == before


def test_a_partial_refund_does_not_end_the_payment(shop: Shop, fake: FakeStripe) -> None:
    card = captured(shop, fake)
    event = _webhook_for(fake, card, "charge.refunded")
    event["data"]["object"]["refunded"] = False          # part of the amount only
    event["data"]["object"]["amount_refunded"] = 100
    answer = deliver(event)
    assert (answer.status_code, answer.text) == (200, "partial_refund")
    assert payment_of(card.started).status == "approved"
