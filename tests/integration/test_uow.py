"""The unit of work: commits when the use case returns, rolls back when it raises, runs the
after-commit hooks only after a commit, resolves the caller inside its own transaction."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError
from reserve_app.models import AuditEntry, LoginAttempt
from reserve_app.services import uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import audit

from .helpers import PASSWORD, add_user, count, login, start_login


def _write_note(session: Session, *, fail: bool = False, hook: list | None = None) -> int:
    audit.record(session, actor_id=None, entity="test", entity_id=1, action="note")
    session.flush()
    if hook is not None:
        uow.on_commit(session, lambda: hook.append(count(AuditEntry, AuditEntry.entity == "test")))
    if fail:
        raise DomainError("error.validation")
    return 1


def test_a_use_case_that_returns_is_committed_and_its_hooks_run_after() -> None:
    seen: list[int] = []
    assert uow.run_write(_write_note, hook=seen) == 1
    assert count(AuditEntry, AuditEntry.entity == "test") == 1
    assert seen == [1]          # the hook saw the committed row


def test_a_domain_error_rolls_back_everything_the_use_case_wrote() -> None:
    seen: list[int] = []
    with pytest.raises(DomainError):
        uow.run_write(_write_note, fail=True, hook=seen)
    assert count(AuditEntry, AuditEntry.entity == "test") == 0
    assert seen == []           # no commit, no hook


def test_a_read_commits_nothing() -> None:
    uow.run_read(_write_note)
    assert count(AuditEntry, AuditEntry.entity == "test") == 0


def test_the_caller_is_resolved_inside_the_transaction() -> None:
    add_user("Cleo", "cleo@example.com", Role.CUSTOMER)
    token = login("cleo@example.com")

    def who(_session: Session, *, actor: Actor | None) -> str | None:
        return actor.email if actor else None

    assert auth.run_as_caller(who, token=token) == "cleo@example.com"
    assert auth.run_as_caller(who, token=token, write=False) == "cleo@example.com"
    assert auth.run_as_caller(who, token="forged") is None
    assert auth.run_as_caller(who, token=None) is None


def test_a_refused_login_still_counts_its_failed_attempt() -> None:
    """The one checkpoint: the attempt is committed before the refusal rolls back."""
    add_user("Cleo", "cleo@example.com", Role.CUSTOMER)
    with pytest.raises(DomainError):
        start_login("cleo@example.com", PASSWORD + "x")
    assert count(LoginAttempt, LoginAttempt.succeeded == False) == 1  # noqa: E712
