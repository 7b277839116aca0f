"""Registration, login tickets, sessions and the login throttle on a real database."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import InvalidCredentials, TooManyAttempts, ValidationFailed
from reserve_app.i18n import translate
from reserve_app.models import (
    AuditEntry,
    AuthSession,
    LoginAttempt,
    LoginTicket,
    OutboxMessage,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.accounts import auth, staff
from reserve_app.services.platform import audit

from .helpers import (
    PASSWORD,
    add_admin,
    add_user,
    count,
    login,
    redeem,
    register,
    resolve,
    rows,
    start_login,
    user_by_email,
)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32): 256 random bits


def _snapshot() -> tuple[int, ...]:
    return tuple(count(m) for m in (User, OutboxMessage, AuditEntry, LoginTicket, AuthSession))


# --- register --------------------------------------------------------------------------


def test_register_creates_customer_with_argon2_hash_welcome_email_and_audit() -> None:
    ticket = register(name="  Alice Example ", email=" Alice@Example.COM ", language="en")

    user = user_by_email("alice@example.com")
    assert user is not None
    assert (user.name, user.role, user.language, user.active) == (
        "Alice Example", "customer", "en", True)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)

    messages = rows(OutboxMessage)
    assert len(messages) == 1
    (welcome,) = messages
    assert (welcome.kind, welcome.to_email, welcome.status, welcome.attempts) == (
        "welcome", "alice@example.com", "pending", 0)
    assert welcome.subject == "Welcome to Test Shop"
    assert "Alice Example" in welcome.body
    assert "http://localhost:3000/login" in welcome.body

    with uow.read_session() as session:
        history = audit.history(session, entity="user", entity_id=user.id)
    assert [(h.action, h.new_value, h.actor_name) for h in history] == [
        ("registered", "customer", "Alice Example")]

    assert TOKEN_RE.match(ticket)
    new = redeem(ticket)
    assert new is not None and new.next_path == "/account"
    actor = resolve(new.token)
    assert actor == Actor(user.id, Role.CUSTOMER, "Alice Example", "alice@example.com", "en")


def test_register_welcome_email_is_in_the_users_language() -> None:
    register(email="arabic@example.com", language="ar")
    (message,) = rows(OutboxMessage)
    assert message.subject == translate("ar", "email.welcome.subject", business="Test Shop")
    assert message.subject != "Welcome to Test Shop"


def test_register_keeps_the_next_path_only_when_it_is_safe() -> None:
    good = redeem(register(email="a@example.com", next_path="/account?tab=orders"))
    evil = redeem(register(email="b@example.com", next_path="//evil.example/phish"))
    assert good is not None and good.next_path == "/account?tab=orders"
    assert evil is not None and evil.next_path == "/account"


VALID = {"name": "Bob", "email": "bob@example.com", "password": "long enough", "language": "en"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, {"name": "field.required"}),
        ({"name": "   "}, {"name": "field.required"}),
        ({"name": "x" * 101}, {"name": "field.too_long"}),
        ({"email": ""}, {"email": "field.required"}),
        ({"email": "not-an-email"}, {"email": "field.email_invalid"}),
        ({"email": "bob@"}, {"email": "field.email_invalid"}),
        ({"password": ""}, {"password": "field.required"}),
        ({"password": "1234567"}, {"password": "field.password_short"}),
        ({"language": "xx"}, {"language": "field.choice_invalid"}),
        ({"language": ""}, {"language": "field.choice_invalid"}),
        ({"name": "", "email": "nope", "password": "short", "language": "de"},
         {"name": "field.required", "email": "field.email_invalid",
          "password": "field.password_short", "language": "field.choice_invalid"}),
    ],
)
def test_register_rejects_bad_input_and_changes_nothing(changes: dict, expected: dict) -> None:
    before = _snapshot()
    with pytest.raises(ValidationFailed) as err:
        register(**{**VALID, **changes})
    assert err.value.fields == expected
    assert _snapshot() == before


@pytest.mark.parametrize("field", ["name", "email", "password", "language"])
@pytest.mark.parametrize("value", [1, ["en"], None, {"en": "en"}], ids=["int", "list", "none",
                                                                          "dict"])
def test_register_rejects_non_string_values(field: str, value: object) -> None:
    before = _snapshot()
    with pytest.raises(ValidationFailed) as err:
        register(**{**VALID, field: value})
    assert set(err.value.fields) == {field}
    assert _snapshot() == before


def test_name_of_exactly_100_characters_is_accepted() -> None:
    register(**{**VALID, "name": "n" * 100})
    assert count(User) == 1


@pytest.mark.parametrize("email", ["bob@example.com", "BOB@EXAMPLE.COM", "  Bob@Example.com  "])
def test_register_refuses_a_taken_email_whatever_its_case(email: str) -> None:
    register(**VALID)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as err:
        register(**{**VALID, "name": "Other Bob", "email": email})
    assert err.value.fields == {"email": "field.email_taken"}
    assert _snapshot() == before


# --- login, tickets, sessions ------------------------------------------------------------


@pytest.fixture
def alice() -> str:
    add_user("Alice", "alice@example.com", Role.CUSTOMER)
    return "alice@example.com"


def test_login_ticket_is_redeemed_once_for_a_strong_token(alice: str) -> None:
    ticket = start_login(alice, PASSWORD)
    assert TOKEN_RE.match(ticket)

    new = redeem(ticket)
    assert new is not None
    assert TOKEN_RE.match(new.token)
    assert new.next_path == "/account"
    assert redeem(ticket) is None  # one time only

    sessions = rows(AuthSession)
    assert len(sessions) == 1
    assert sessions[0].token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in sessions[0].token_hash
    tickets = rows(LoginTicket)
    assert ticket not in {t.ticket_hash for t in tickets}
    assert hashlib.sha256(ticket.encode()).hexdigest() in {t.ticket_hash for t in tickets}


def test_login_accepts_the_email_in_any_case(alice: str) -> None:
    assert resolve(login("  ALICE@example.com ")) is not None


def test_expired_ticket_is_refused(alice: str) -> None:
    now = utcnow()
    ticket = start_login(alice, PASSWORD, now=now)
    assert redeem(ticket, now=now + auth.TICKET_TTL) is None
    assert count(AuthSession) == 0


def test_ticket_is_valid_until_just_before_it_expires(alice: str) -> None:
    now = utcnow()
    ticket = start_login(alice, PASSWORD, now=now)
    assert redeem(ticket, now=now + auth.TICKET_TTL - timedelta(seconds=1)) is not None


@pytest.mark.parametrize("ticket", [None, 42, "", "short", "x" * 43, "x" * 101, ["x" * 43]])
def test_bogus_tickets_are_refused(alice: str, ticket: object) -> None:
    assert redeem(ticket) is None
    assert count(AuthSession) == 0


def test_each_login_gets_a_new_token_and_resolves_to_the_actor(alice: str) -> None:
    first, second = login(alice), login(alice)
    assert first != second
    assert count(AuthSession) == 2
    user = user_by_email(alice)
    expected = Actor(user.id, Role.CUSTOMER, "Alice", alice, "en")
    assert resolve(first) == expected
    assert resolve(second) == expected


def test_logout_ends_only_that_session(alice: str) -> None:
    first, second = login(alice), login(alice)
    with uow.write_session() as session:
        auth.logout(session, token=first)
    assert resolve(first) is None
    assert resolve(second) is not None
    assert count(AuthSession) == 1


def test_resolve_actors_answers_for_many_sessions_at_once(alice: str) -> None:
    """The live dispatcher checks every subscribed tab's cookie in one query per round."""
    live_one, logged_out, expired = login(alice), login(alice), login(alice)
    with uow.write_session() as session:
        auth.logout(session, token=logged_out)
    later = utcnow() + timedelta(hours=336, seconds=1)
    with uow.read_session() as session:
        found = auth.resolve_actors(session, tokens=[live_one, logged_out, "unknown",
                                                     "x" * 101, ""])
        after_expiry = auth.resolve_actors(session, tokens=[expired], now=later)
    assert found == {live_one: resolve(live_one)}
    assert after_expiry == {}


@pytest.mark.parametrize("token", [None, "", "unknown-token", "x" * 101])
def test_unknown_tokens_resolve_to_nobody(alice: str, token: str | None) -> None:
    login(alice)
    assert resolve(token) is None


def test_session_expires_after_its_lifetime(alice: str) -> None:
    now = utcnow()
    token = login(alice, now=now)
    (row,) = rows(AuthSession)
    assert row.expires_at == now + timedelta(hours=336)  # SESSION_TTL_HOURS
    assert resolve(token, now=row.expires_at - timedelta(seconds=1)) is not None
    assert resolve(token, now=row.expires_at) is None


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD),
     ("alice@example.com", ""), ("", PASSWORD), (None, PASSWORD), ("alice@example.com", None),
     (["alice@example.com"], PASSWORD), ("alice@example.com", 12345678),
     ("alice@example.com", "x" * 2000)],
)
def test_wrong_credentials_are_refused(alice: str, email: object, password: object) -> None:
    with pytest.raises(InvalidCredentials):
        start_login(email, password)
    assert count(LoginTicket) == 0
    assert count(AuthSession) == 0


def test_disabled_staff_account_loses_sessions_tickets_and_login() -> None:
    admin = add_admin()
    add_user("Sam", "sam@example.com", Role.CUSTOMER)  # another user: their session survives
    with uow.write_session() as session:
        target = staff.create_staff(session, actor=admin, name="Sam Staff",
                                    email="sam.staff@example.com", password=PASSWORD,
                                    role="staff")
    token = login("sam.staff@example.com")
    pending_ticket = start_login("sam.staff@example.com", PASSWORD)
    other = login("sam@example.com")

    with uow.write_session() as session:
        staff.set_active(session, actor=admin, user_id=target.user_id, active=False)

    assert resolve(token) is None
    assert count(AuthSession, AuthSession.user_id == target.user_id) == 0
    assert redeem(pending_ticket) is None
    with pytest.raises(InvalidCredentials):
        start_login("sam.staff@example.com", PASSWORD)
    assert resolve(other) is not None

    with uow.write_session() as session:
        staff.set_active(session, actor=admin, user_id=target.user_id, active=True)
    assert resolve(login("sam.staff@example.com")).role is Role.STAFF


# --- throttle ------------------------------------------------------------------------------


def _attempt(email: str, password: str, now) -> type[Exception] | None:  # noqa: ANN001
    try:
        start_login(email, password, now=now)
    except (InvalidCredentials, TooManyAttempts) as exc:
        return type(exc)
    return None


def test_five_failures_lock_the_account_even_for_the_right_password(alice: str) -> None:
    t0 = utcnow()
    for i in range(5):
        with pytest.raises(InvalidCredentials):
            start_login(alice, "wrong password", now=t0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts) as err:
        start_login(alice, PASSWORD, now=t0 + timedelta(seconds=5))
    assert err.value.params == {"minutes": 15}
    assert count(LoginTicket) == 0  # no ticket issued while locked
    # A refused attempt while locked is not recorded as another failure.
    assert count(LoginAttempt) == 5


def test_unknown_email_is_throttled_exactly_like_a_known_one(alice: str) -> None:
    t0 = utcnow()

    def run(email: str) -> list:
        results = [_attempt(email, "wrong password", t0 + timedelta(seconds=i))
                   for i in range(5)]
        results.append(_attempt(email, PASSWORD, t0 + timedelta(seconds=5)))
        return results

    known, unknown = run(alice), run("nobody@example.com")
    assert known == unknown == [InvalidCredentials] * 5 + [TooManyAttempts]


def test_throttle_is_per_email(alice: str) -> None:
    add_user("Bob", "bob@example.com", Role.CUSTOMER)
    t0 = utcnow()
    for i in range(5):
        _attempt(alice, "wrong password", t0 + timedelta(seconds=i))
    assert _attempt("bob@example.com", PASSWORD, t0 + timedelta(seconds=6)) is None
    # The throttle key is the normalised email: another spelling is still locked.
    assert _attempt("  ALICE@EXAMPLE.COM ", PASSWORD, t0 + timedelta(seconds=7)) is TooManyAttempts


def test_login_works_again_once_the_window_has_passed(alice: str) -> None:
    t0 = utcnow()
    for i in range(5):
        _attempt(alice, "wrong password", t0 + timedelta(seconds=i))
    window = timedelta(minutes=15)
    assert _attempt(alice, PASSWORD, t0 + window - timedelta(seconds=1)) is TooManyAttempts
    assert _attempt(alice, PASSWORD, t0 + window + timedelta(seconds=1)) is None


def test_failures_spread_over_more_than_the_window_do_not_lock(alice: str) -> None:
    t0 = utcnow()
    for i in range(5):
        _attempt(alice, "wrong password", t0 + timedelta(minutes=4 * i))  # 0..16 min
    assert _attempt(alice, PASSWORD, t0 + timedelta(minutes=16, seconds=1)) is None


def test_a_successful_login_resets_the_count(alice: str) -> None:
    t0 = utcnow()
    at = iter(t0 + timedelta(seconds=i) for i in range(100))
    for _ in range(4):
        assert _attempt(alice, "wrong password", next(at)) is InvalidCredentials
    assert _attempt(alice, PASSWORD, next(at)) is None
    for _ in range(4):
        assert _attempt(alice, "wrong password", next(at)) is InvalidCredentials
    assert _attempt(alice, PASSWORD, next(at)) is None  # 8 failures in window, 4 since success
    for _ in range(5):
        assert _attempt(alice, "wrong password", next(at)) is InvalidCredentials
    assert _attempt(alice, PASSWORD, next(at)) is TooManyAttempts

