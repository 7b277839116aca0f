"""Stripe without a database: the payment moves webhooks may make, and the settings that
switch Stripe on."""

from __future__ import annotations

from pathlib import Path

import pytest

from reserve_app.domain.billing import (
    OPEN_PAYMENTS,
    PAYMENT_ALLOWED,
    STRIPE_EVENT_TARGET,
    STRIPE_MOVES,
    Ignored,
    PaymentStatus,
    stripe_move,
    unpaid_at_checkout,
)
from reserve_app.settings import SettingsError, load_settings, reset_settings

P = PaymentStatus
LATE, REFUSED = "ignored", "ignored_transition"

# --- the moves ------------------------------------------------------------------------------

EVENTS = {
    "checkout.session.completed": P.AUTHORISED,
    "payment_intent.amount_capturable_updated": P.AUTHORISED,
    "payment_intent.succeeded": P.APPROVED,
    "payment_intent.canceled": P.VOID,
    "checkout.session.expired": P.VOID,
    "charge.refunded": P.REFUNDED,
}

# What each Stripe event does to a payment in each status, written out (not derived from the
# table under test): the new status, "ignored" (already there or past it, or final) or
# "ignored_transition" (a move the payment machine forbids: never void once captured, never
# refunded before).
BY_EVENT: dict[tuple[PaymentStatus, str], PaymentStatus | str] = {
    (P.PENDING, "checkout.session.completed"): P.AUTHORISED,
    (P.PENDING, "payment_intent.amount_capturable_updated"): P.AUTHORISED,
    (P.PENDING, "payment_intent.succeeded"): P.APPROVED,     # success before completion
    (P.PENDING, "payment_intent.canceled"): P.VOID,
    (P.PENDING, "checkout.session.expired"): P.VOID,
    (P.PENDING, "charge.refunded"): REFUSED,                 # nothing taken yet
    (P.AUTHORISED, "checkout.session.completed"): LATE,      # already held
    (P.AUTHORISED, "payment_intent.amount_capturable_updated"): LATE,
    (P.AUTHORISED, "payment_intent.succeeded"): P.APPROVED,
    (P.AUTHORISED, "payment_intent.canceled"): P.VOID,       # hold released
    (P.AUTHORISED, "checkout.session.expired"): P.VOID,
    (P.AUTHORISED, "charge.refunded"): REFUSED,              # not captured
    (P.APPROVED, "checkout.session.completed"): LATE,        # late completion
    (P.APPROVED, "payment_intent.amount_capturable_updated"): LATE,
    (P.APPROVED, "payment_intent.succeeded"): LATE,
    # Captured: the invoice is paid and the money taken. Only a refund moves it; staff may
    # still void it by hand (PAYMENT_ALLOWED), an event never does.
    (P.APPROVED, "payment_intent.canceled"): REFUSED,
    (P.APPROVED, "checkout.session.expired"): REFUSED,
    (P.APPROVED, "charge.refunded"): P.REFUNDED,
    **{(final, event): LATE for final in (P.VOID, P.REFUNDED) for event in EVENTS},
}


def test_stripe_events_map_to_their_targets() -> None:
    assert STRIPE_EVENT_TARGET == EVENTS


def test_the_machine_has_every_status_and_every_event() -> None:
    assert set(STRIPE_MOVES) == set(P)
    assert all(set(moves) == set(EVENTS) for moves in STRIPE_MOVES.values())
    assert set(BY_EVENT) == {(s, e) for s in P for e in EVENTS}


@pytest.mark.parametrize(("current", "event"), list(BY_EVENT))
def test_every_event_in_every_status(current: PaymentStatus, event: str) -> None:
    got = stripe_move(current, event)
    expected = BY_EVENT[(current, event)]
    assert got == expected and type(got) is (P if isinstance(expected, P) else Ignored)
    if isinstance(got, P):   # a move goes where the event says, along the payment table
        assert got is EVENTS[event]
        assert got in PAYMENT_ALLOWED[current]


def test_a_captured_payment_moves_only_to_refunded() -> None:
    assert {m for m in STRIPE_MOVES[P.APPROVED].values() if isinstance(m, P)} == {P.REFUNDED}
    assert all(isinstance(m, Ignored) for final in (P.VOID, P.REFUNDED)
               for m in STRIPE_MOVES[final].values())


def test_the_payment_table_has_every_status_and_final_ones_go_nowhere() -> None:
    assert set(PAYMENT_ALLOWED) == set(P)
    assert PAYMENT_ALLOWED[P.VOID] == frozenset()
    assert PAYMENT_ALLOWED[P.REFUNDED] == frozenset()
    assert all(s not in PAYMENT_ALLOWED[s] for s in P)      # no move to itself


def test_any_order_of_events_never_goes_backwards_nor_voids_a_capture() -> None:
    """Whatever order the events of a captured payment arrive in (twice over, with a cancel
    and an expiry), it ends approved, never authorised, pending or void."""
    import itertools

    rank = {P.PENDING: 0, P.AUTHORISED: 1, P.APPROVED: 2, P.VOID: 3, P.REFUNDED: 3}
    happy = ["checkout.session.completed", "payment_intent.amount_capturable_updated",
             "payment_intent.succeeded"]
    for order in itertools.permutations(happy * 2):
        status = P.PENDING
        for event in order:
            new = stripe_move(status, event)
            if isinstance(new, P):
                assert rank[new] > rank[status]
                status = new
        assert status is P.APPROVED
        for late in ("payment_intent.canceled", "checkout.session.expired"):
            assert stripe_move(status, late) == Ignored.TRANSITION


def test_open_payments_block_a_second_one() -> None:
    assert {P(s) for s in OPEN_PAYMENTS} == {P.PENDING, P.AUTHORISED, P.APPROVED}
    assert P.VOID.value not in OPEN_PAYMENTS and P.REFUNDED.value not in OPEN_PAYMENTS
    assert all(isinstance(s, str) for s in OPEN_PAYMENTS)


@pytest.mark.parametrize("status", list(PaymentStatus))
def test_back_from_checkout_only_a_pending_payment_is_unpaid(status: PaymentStatus) -> None:
    assert unpaid_at_checkout(status) is (status is P.PENDING)


# --- settings -------------------------------------------------------------------------------

KEY, HOOK = "sk_test_abc123XYZ", "whsec_abc123"


@pytest.fixture
def env(settings_env: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN201
    def load(**values: str):  # noqa: ANN202
        for name, value in values.items():
            settings_env.setenv(name, value)
        return load_settings(env_file=tmp_path / "missing.env")
    return load


def test_neither_key_means_the_manual_provider(env, settings_env: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    settings = env()
    assert settings.stripe_enabled is False
    assert (settings.stripe_secret_key, settings.stripe_webhook_secret) == ("", "")
    from reserve_app.services.billing import payments

    reset_settings()
    assert payments.provider().name == "manual"


def test_both_keys_switch_stripe_on(env, settings_env: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    settings = env(STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=HOOK,
                   STRIPE_API_BASE="http://127.0.0.1:12345/")
    assert settings.stripe_enabled
    assert settings.stripe_api_base == "http://127.0.0.1:12345"
    from reserve_app.services.billing import payments

    reset_settings()
    assert payments.provider().name == "stripe"


@pytest.mark.parametrize("values", [
    {"STRIPE_SECRET_KEY": KEY},
    {"STRIPE_WEBHOOK_SECRET": HOOK},
    {"STRIPE_SECRET_KEY": KEY, "STRIPE_WEBHOOK_SECRET": "   "},
])
def test_one_key_without_the_other_is_refused(env, values: dict[str, str]) -> None:  # noqa: ANN001
    with pytest.raises(SettingsError, match="STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"):
        env(**values)


@pytest.mark.parametrize(("name", "value"), [
    ("STRIPE_SECRET_KEY", "pk_test_abc123"),        # a publishable key
    ("STRIPE_SECRET_KEY", "sk_abc123"),
    ("STRIPE_SECRET_KEY", "sk_test_"),
    ("STRIPE_SECRET_KEY", "sk_test_abc 123"),
    ("STRIPE_SECRET_KEY", "sk_demo_abc123"),
    ("STRIPE_SECRET_KEY", "whsec_abc123"),
    ("STRIPE_WEBHOOK_SECRET", "abc123"),
    ("STRIPE_WEBHOOK_SECRET", "sk_test_abc123"),
    ("STRIPE_API_BASE", "127.0.0.1:12111"),
    ("STRIPE_API_BASE", "ftp://stripe.example"),
])
def test_bad_formats_are_refused_naming_the_setting(env, name: str, value: str) -> None:  # noqa: ANN001
    values = {"STRIPE_SECRET_KEY": KEY, "STRIPE_WEBHOOK_SECRET": HOOK, name: value}
    with pytest.raises(SettingsError, match=name):
        env(**values)


@pytest.mark.parametrize("key", ["sk_test_abc123", "rk_test_abc123", "sk_live_abc123",
                                 "rk_live_abc123"])
def test_key_kinds_accepted_in_production(env, key: str) -> None:  # noqa: ANN001
    settings = env(APP_ENV="prod", STRIPE_SECRET_KEY=key, STRIPE_WEBHOOK_SECRET=HOOK)
    assert settings.stripe_enabled and settings.stripe_secret_key == key


@pytest.mark.parametrize("key", ["sk_live_abc123", "rk_live_abc123"])
def test_a_live_key_is_refused_outside_production(env, key: str) -> None:  # noqa: ANN001
    with pytest.raises(SettingsError, match="APP_ENV=prod"):
        env(APP_ENV="dev", STRIPE_SECRET_KEY=key, STRIPE_WEBHOOK_SECRET=HOOK)


def test_a_test_key_is_fine_in_development(env) -> None:  # noqa: ANN001
    assert env(APP_ENV="dev", STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=HOOK).stripe_enabled
