"""Registration, login (throttled), login tickets, sessions, the caller's account.

Login is two steps so the session cookie can be HttpOnly and set by an HTTP route:
`start_login` checks the password and returns a one-time ticket (60 s); the page posts it to
`/api/session`, which calls `redeem_ticket` and sets the cookie. Only SHA-256 hashes of
tickets and session tokens are stored.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from reserve_app.domain import accounts, throttle
from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import InvalidCredentials, TooManyAttempts, ValidationFailed
from reserve_app.models import AuthSession, LoginAttempt, LoginTicket, User
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.platform import audit, db, outbox
from reserve_app.settings import get_settings

T = TypeVar("T")

TICKET_TTL = timedelta(seconds=60)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class AccountView:
    user_id: int
    name: str
    email: str
    role: str
    language: str
    created_at: datetime


def _view(user: User) -> AccountView:
    return AccountView(user.id or 0, user.name, user.email, user.role, user.language,
                       user.created_at)


def create_user(session: Session, data: accounts.NewAccount) -> User:
    """Insert a user (no commit). Raises ValidationFailed if the email is taken."""
    if session.exec(select(User.id).where(User.email == data.email)).first() is not None:
        raise ValidationFailed({"email": "field.email_taken"})
    user = User(name=data.name, email=data.email, password_hash=hash_password(data.password),
                role=data.role.value, language=data.language)
    session.add(user)
    session.flush()
    return user


def register(
    session: Session, *, name: object, email: object, password: object, language: object,
    next_path: object = "/account", now: datetime | None = None,
) -> str:
    """Create a customer account, queue the welcome email, return a login ticket."""
    data = accounts.check_new_account(name=name, email=email, password=password,
                                      language=language)
    try:
        user = create_user(session, data)
        outbox.record_email(session, to=user.email, kind="welcome", language=user.language,
                            name=user.name)
        audit.record(session, actor_id=user.id, entity="user", entity_id=user.id or 0,
                     action="registered", new=Role.CUSTOMER.value)
        ticket = _new_ticket(session, user, next_path, now or utcnow())
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed({"email": "field.email_taken"}) from None
    return ticket


def _new_ticket(session: Session, user: User, next_path: object, now: datetime) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(LoginTicket(user_id=user.id or 0, ticket_hash=hash_token(raw),
                            next_path=accounts.safe_next_path(next_path),
                            expires_at=now + TICKET_TTL))
    return raw


def start_login(
    session: Session, *, email: object, password: object, next_path: object = "/account",
    now: datetime | None = None,
) -> str:
    """Check credentials under the throttle; return a one-time login ticket."""
    settings = get_settings()
    now = now or utcnow()
    key = accounts.normalize_email(email) or (email.strip().lower()[:254]
                                              if isinstance(email, str) else "")
    if not key or not isinstance(password, str) or not password or len(password) > 1024:
        raise InvalidCredentials()
    db.serialize_on(session, f"login:{key}")
    window = timedelta(minutes=settings.login_window_minutes)
    last_ok = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.email == key, LoginAttempt.succeeded)
        .order_by(col(LoginAttempt.at).desc()).limit(1)
    ).first()
    since = max(now - window, last_ok) if last_ok else now - window
    failures = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.email == key, ~col(LoginAttempt.succeeded),
                                      col(LoginAttempt.at) > since)
    ).all()
    until = throttle.locked_until(failures, now=now, max_failures=settings.login_max_failures,
                                  window=window)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        raise TooManyAttempts(minutes=minutes)

    user = session.exec(select(User).where(User.email == key)).first()
    ok = _verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    if not ok or user is None or not user.active:
        session.add(LoginAttempt(email=key, at=now, succeeded=False))
        # The failed attempt must count (rate limit) although the login is refused: the
        # refusal below rolls back, so commit the attempt first.
        uow.checkpoint(session)
        raise InvalidCredentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(LoginAttempt(email=key, at=now, succeeded=True))
    ticket = _new_ticket(session, user, next_path, now)
    session.flush()
    return ticket


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: datetime
    next_path: str


def redeem_ticket(session: Session, *, ticket: object, now: datetime | None = None
                  ) -> NewSession | None:
    """Exchange a fresh, unused ticket for a new session token (the cookie value)."""
    now = now or utcnow()
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    row = session.exec(select(LoginTicket).where(LoginTicket.ticket_hash == hash_token(ticket))
                       ).first()
    if row is None or row.used or row.expires_at <= now:
        return None
    row.used = True
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        session.flush()
        return None
    token = secrets.token_urlsafe(32)  # 256 random bits
    expires = now + timedelta(hours=get_settings().session_ttl_hours)
    session.add(AuthSession(user_id=user.id or 0, token_hash=hash_token(token), created_at=now,
                            expires_at=expires))
    session.flush()
    return NewSession(token, expires, row.next_path)


def resolve_actor(session: Session, *, token: str | None, now: datetime | None = None
                  ) -> Actor | None:
    """The user behind a session cookie, if the session is live and the account active."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = session.exec(
        select(User).join(AuthSession, col(AuthSession.user_id) == User.id)
        .where(AuthSession.token_hash == hash_token(token), col(AuthSession.expires_at) > now,
               col(User.active))
    ).first()
    if row is None:
        return None
    return Actor(row.id or 0, Role(row.role), row.name, row.email, row.language)


def resolve_actors(session: Session, *, tokens: list[str], now: datetime | None = None
                   ) -> dict[str, Actor]:
    """`resolve_actor` for many session cookies in one query (the live dispatcher's check
    that every subscribed tab still belongs to a live session); dead ones are left out."""
    wanted = {hash_token(t): t for t in tokens if t and len(t) <= 100}
    if not wanted:
        return {}
    now = now or utcnow()
    rows = session.exec(
        select(AuthSession.token_hash, User).join(User, col(AuthSession.user_id) == User.id)
        .where(col(AuthSession.token_hash).in_(list(wanted)), col(AuthSession.expires_at) > now,
               col(User.active))
    ).all()
    return {wanted[h]: Actor(u.id or 0, Role(u.role), u.name, u.email, u.language)
            for h, u in rows}


def live_round(session: Session, *, tokens: list[str], actors: list[Actor],
               loaders: dict[str, Callable[..., object]]) -> tuple[dict[str, Actor],
                                                                   dict[str, object]]:
    """The live push's one read for a round: which of the subscribed tabs' session cookies
    are still live (`resolve_actors`), and what the pages' shared loaders read (each
    `loader(session, actor=<a staff caller among actors>)`, e.g. the open orders every staff
    panel shows; none without a staff caller)."""
    staff = next((a for a in actors if a.is_staff), None)
    shared = {} if staff is None else {
        key: load(session, actor=staff) for key, load in loaders.items()}
    return resolve_actors(session, tokens=tokens), shared


def logout(session: Session, *, token: str | None) -> None:
    if token:
        session.exec(delete(AuthSession).where(col(AuthSession.token_hash) == hash_token(token)))
        session.flush()


def end_sessions_of(session: Session, user_id: int) -> None:
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user_id))


def account(session: Session, *, actor: Actor | None) -> AccountView:
    actor = accounts.require_login(actor)
    user = session.get(User, actor.user_id)
    assert user is not None
    return _view(user)


def set_language(session: Session, *, actor: Actor | None, language: object) -> str:
    actor = accounts.require_login(actor)
    if language not in accounts.LANGUAGES:
        raise ValidationFailed({"language": "field.choice_invalid"})
    user = session.get(User, actor.user_id)
    assert user is not None
    user.language = str(language)
    session.flush()
    return user.language


def remember_language(session: Session, *, actor: Actor | None, language: object) -> None:
    """The language switcher: saved on the caller's account when logged in; a visitor
    keeps only the cookie."""
    if actor is not None:
        set_language(session, actor=actor, language=language)


def run_as_caller(fn: Callable[..., T], /, *, token: str | None, write: bool = True,
                  **kwargs: Any) -> T:
    """`fn(session, actor=<caller>, **kwargs)` in one transaction, the caller resolved from
    the session cookie's `token` inside it (None for a visitor or a dead session)."""
    with (uow.writing() if write else uow.reading()) as session:
        return fn(session, actor=resolve_actor(session, token=token), **kwargs)
