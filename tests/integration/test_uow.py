"""The unit of work: commits when the use case returns, rolls back when it raises, runs the
after-commit hooks only after a commit, resolves the caller inside its own transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError
from reserve_app.models import AuditEntry, LoginAttempt, User
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


# --- after-rollback hooks: undo what a use case did outside the database --------------------


def _write_and_undo(session: Session, *, undone: list[str], fail: bool = False,
                    fail_commit: bool = False) -> int:
    audit.record(session, actor_id=None, entity="test", entity_id=1, action="note")
    session.flush()
    uow.on_rollback(session, lambda: undone.append("first"))
    uow.on_rollback(session, lambda: undone.append("second"))
    if fail_commit:
        def refuse(_session: object) -> None:
            raise RuntimeError("the commit failed")
        event.listen(session, "before_commit", refuse)
    if fail:
        raise DomainError("error.validation")
    return 1


def test_rollback_hooks_are_dropped_when_the_unit_of_work_commits() -> None:
    undone: list[str] = []
    assert uow.run_write(_write_and_undo, undone=undone) == 1
    assert count(AuditEntry, AuditEntry.entity == "test") == 1
    assert undone == []


def test_rollback_hooks_run_newest_first_when_the_use_case_raises() -> None:
    undone: list[str] = []
    with pytest.raises(DomainError):
        uow.run_write(_write_and_undo, undone=undone, fail=True)
    assert count(AuditEntry, AuditEntry.entity == "test") == 0
    assert undone == ["second", "first"]


def test_rollback_hooks_run_when_the_commit_itself_fails() -> None:
    undone: list[str] = []
    seen: list[int] = []

    def work(session: Session) -> int:
        uow.on_commit(session, lambda: seen.append(1))
        return _write_and_undo(session, undone=undone, fail_commit=True)

    with pytest.raises(RuntimeError, match="the commit failed"):
        uow.run_write(work)
    assert count(AuditEntry, AuditEntry.entity == "test") == 0
    assert undone == ["second", "first"]
    assert seen == []           # no commit, no after-commit hook


def test_rollback_hooks_run_when_a_caught_flush_error_ended_the_transaction() -> None:
    add_user("Cleo", "cleo@example.com", Role.CUSTOMER)
    undone: list[str] = []
    with uow.write_session() as session:
        uow.on_rollback(session, lambda: undone.append("undo"))
        session.add(User(name="Twin", email="cleo@example.com", role=Role.CUSTOMER.value,
                         password_hash="x"))
        with pytest.raises(IntegrityError):
            session.flush()
    assert undone == ["undo"]
    assert count(User) == 1


def test_a_failing_rollback_hook_does_not_hide_the_error_nor_stop_the_others(
        caplog: pytest.LogCaptureFixture) -> None:
    undone: list[str] = []

    def broken() -> None:
        raise OSError("the disk is gone")

    def work(session: Session) -> None:
        uow.on_rollback(session, lambda: undone.append("still run"))
        uow.on_rollback(session, broken)
        raise DomainError("error.validation")

    with pytest.raises(DomainError):
        uow.run_write(work)
    assert undone == ["still run"]
    assert "after-rollback hook failed" in caplog.text


def test_a_checkpoint_keeps_what_it_committed() -> None:
    undone: list[str] = []

    def work(session: Session) -> None:
        _write_and_undo(session, undone=undone)
        uow.checkpoint(session)             # the first part stays, so nothing to undo
        uow.on_rollback(session, lambda: undone.append("after the checkpoint"))
        raise DomainError("error.validation")

    with pytest.raises(DomainError):
        uow.run_write(work)
    assert count(AuditEntry, AuditEntry.entity == "test") == 1
    assert undone == ["after the checkpoint"]
