"""Check-then-write use cases under real concurrent threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import delete

from reserve_app.domain.errors import InvalidCredentials, TooManyAttempts, ValidationFailed
from reserve_app.models import AuditEntry, LoginAttempt, OutboxMessage, User
from reserve_app.models.base import utcnow
from reserve_app.services import uow

from .helpers import PASSWORD, configure, count, register, run_together, start_login


def test_same_email_registered_twice_at_once_makes_one_account() -> None:
    results = run_together(2, lambda i: register(name=f"Twin {i}", email="twin@example.com"))

    tickets = [r for r in results if isinstance(r, str)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(tickets) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], ValidationFailed), results
    assert errors[0].fields == {"email": "field.email_taken"}
    assert count(User) == 1
    assert count(OutboxMessage) == 1
    assert count(AuditEntry) == 1


def test_concurrent_failed_logins_are_all_recorded_and_then_lock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, LOGIN_MAX_FAILURES=10)
    register(name="Vic", email="vic@example.com")
    now = utcnow()

    results = run_together(10, lambda i: start_login("vic@example.com", "wrong password",
                                                     now=now))

    assert all(isinstance(r, InvalidCredentials) for r in results), results
    assert count(LoginAttempt, LoginAttempt.email == "vic@example.com") == 10
    with pytest.raises(TooManyAttempts):
        start_login("vic@example.com", PASSWORD, now=now + timedelta(seconds=1))


def test_parallel_guesses_cannot_exceed_the_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, LOGIN_MAX_FAILURES=5)
    register(name="Val", email="val@example.com")
    now = utcnow()

    results = run_together(10, lambda i: start_login("val@example.com", "wrong password",
                                                     now=now))

    assert sum(isinstance(r, InvalidCredentials) for r in results) == 5, results
    assert sum(isinstance(r, TooManyAttempts) for r in results) == 5, results
    assert count(LoginAttempt, LoginAttempt.email == "val@example.com") == 5


def test_two_admins_disabling_each_other_at_once_leave_one_admin() -> None:
    from reserve_app.domain.accounts import Role
    from reserve_app.domain.errors import Forbidden
    from reserve_app.services.accounts import staff

    from .helpers import add_user

    for _ in range(5):
        with uow.write_session() as session:
            session.exec(delete(AuditEntry))
            session.exec(delete(User))
            session.commit()
        ada = add_user("Ada", "ada@example.com", Role.ADMIN)
        bea = add_user("Bea", "bea@example.com", Role.ADMIN)
        pairs = [(ada, bea), (bea, ada)]

        def disable(i: int) -> object:
            actor, target = pairs[i]
            with uow.write_session() as session:
                return staff.set_active(session, actor=actor, user_id=target.user_id,
                                        active=False)

        results = run_together(2, disable)

        assert sum(isinstance(r, Forbidden) for r in results) == 1, results
        assert count(User, User.role == "admin", User.active) == 1
