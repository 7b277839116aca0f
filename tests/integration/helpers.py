"""Small helpers for integration tests: they call the real services on the test database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel, func, select

from reserve_app.domain.accounts import Actor, NewAccount, Role
from reserve_app.models import User
from reserve_app.models.base import utcnow
from reserve_app.services import appointments, rentals, uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import db
from reserve_app.services.rentals import catalog as rental_catalog
from reserve_app.settings import reset_settings

PASSWORD = "correct horse battery"


def run_together(n: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in n threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def target(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def configure(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Change settings for the rest of the test (the app reads them again at once)."""
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    reset_settings()
    db.dispose()


def count(model: type[SQLModel], *where: object) -> int:
    with uow.read_session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def rows(model: type[SQLModel], *where: object) -> list:
    with uow.read_session() as session:
        return list(session.exec(select(model).where(*where).order_by(model.id)).all())


def user_by_email(email: str) -> User | None:
    with uow.read_session() as session:
        return session.exec(select(User).where(User.email == email)).first()


def register(name: str = "Alice Example", email: str = "alice@example.com",
             password: str = PASSWORD, language: str = "en", **kwargs: object) -> str:
    with uow.write_session() as session:
        return auth.register(session, name=name, email=email, password=password,
                             language=language, **kwargs)


def start_login(email: object, password: object, now: datetime | None = None) -> str:
    with uow.write_session() as session:
        return auth.start_login(session, email=email, password=password, now=now)


def redeem(ticket: object, now: datetime | None = None) -> auth.NewSession | None:
    with uow.write_session() as session:
        return auth.redeem_ticket(session, ticket=ticket, now=now)


def login(email: str, password: str = PASSWORD, now: datetime | None = None) -> str:
    """Log in the way the app does (password → ticket → session); return the cookie token."""
    new = redeem(start_login(email, password, now=now), now=now)
    assert new is not None
    return new.token


def resolve(token: str | None, now: datetime | None = None) -> Actor | None:
    with uow.read_session() as session:
        return auth.resolve_actor(session, token=token, now=now)


@cache
def _password_hash(password: str) -> str:
    return auth.hash_password(password)  # argon2 is slow on purpose: hash each password once


def add_user(name: str, email: str, role: Role, password: str = PASSWORD,
             language: str = "en") -> Actor:
    """Insert an account row directly (no registration side effects); return its Actor."""
    data = NewAccount(name, email, password, language, role)
    with uow.write_session() as session:
        user = User(name=data.name, email=data.email, password_hash=_password_hash(password),
                    role=data.role.value, language=data.language)
        session.add(user)
        session.commit()
        return Actor(user.id or 0, role, user.name, user.email, user.language)


def add_admin(name: str = "Ada Admin", email: str = "ada@example.com") -> Actor:
    return add_user(name, email, Role.ADMIN)


# --- rentals ---------------------------------------------------------------------------------

TODAY = date(2030, 6, 1)  # rental services take `today`, so tests never depend on the calendar


def day(offset: int) -> str:
    """The ISO date `offset` days after TODAY, as the storefront form sends it."""
    return (TODAY + timedelta(days=offset)).isoformat()


def add_unit_type(admin: Actor, name: str = "4x4 SUV", price: str = "80.00",
                  tax_rate: str = "10", units: int = 1) -> tuple[int, list[int]]:
    """A unit type with `units` units, made by the admin services; its id and unit ids."""
    with uow.write_session() as session:
        type_id = rental_catalog.save_unit_type(session, actor=admin, name=name,
                                                description="", photo_url="",
                                                price_per_day=price, tax_rate=tax_rate)
    unit_ids = []
    for n in range(1, units + 1):
        with uow.write_session() as session:
            unit_ids.append(rental_catalog.add_unit(session, actor=admin, unit_type_id=type_id,
                                                    name=f"{name} #{n}"))
    return type_id, unit_ids


def add_rental_entry(admin: Actor, unit_type_ids: list[int], title: str = "Book a car") -> int:
    with uow.write_session() as session:
        return rental_catalog.save_rental_entry(session, actor=admin, title=title,
                                                unit_type_ids=unit_type_ids)


def rental_settings(admin: Actor, **changes: object) -> rental_catalog.SettingsView:
    """Save the rental settings with some values changed (the others stay as they are)."""
    with uow.write_session() as session:
        current = rental_catalog.settings_view(session)
        values = {**asdict(current), **changes}
        return rental_catalog.save_settings(session, actor=admin, **values)


def book(actor: Actor | None, entry_id: object, unit_type_id: object, start: object,
         end: object, answers: object = None, today: date = TODAY) -> rentals.BookingView:
    with uow.write_session() as session:
        return rentals.place_booking(session, actor=actor, entry_id=entry_id,
                                     unit_type_id=unit_type_id, start=start, end=end,
                                     answers={} if answers is None else answers, today=today)


def change_booking_status(actor: Actor | None, order_id: object, status: object,
                          note: object = "") -> rentals.OrderDetail:
    with uow.write_session() as session:
        return rentals.change_status(session, actor=actor, order_id=order_id, status=status,
                                     note=note)


# --- appointments ----------------------------------------------------------------------------

BUSINESS_TZ = "Europe/Warsaw"  # appointment tests set it: slots are local wall-clock times


def monday_ahead(weeks: int = 2) -> date:
    """A Monday at least `weeks - 1` weeks after today (UTC): bookable, and in the future."""
    today = utcnow().date()
    return today + timedelta(days=7 * weeks - today.weekday())


def local_start(day: date, hh_mm: str, tz: str = BUSINESS_TZ) -> str:
    """A local wall-clock time as the page sends it: ISO text with the UTC offset."""
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=ZoneInfo(tz)).isoformat()


def add_service(admin: Actor, name: str, staff_ids: list[int], *, minutes: int = 60,
                price: str = "30.00", approval: bool = False, multiple: bool = False) -> int:
    with uow.write_session() as session:
        return appointments.save_service(session, actor=admin, name=name,
                                         duration_minutes=minutes, price=price,
                                         requires_approval=approval, multiple_clients=multiple,
                                         staff_ids=staff_ids)


def set_hours(admin: Actor, staff_id: int, hours: object) -> None:
    with uow.write_session() as session:
        appointments.set_hours(session, actor=admin, staff_id=staff_id, hours=hours)


def weekly_hours(*shifts: tuple[str, str], weekdays: range = range(7)) -> dict[str, list]:
    """The same shifts on every given weekday, as the admin form sends them."""
    return {str(w): [list(s) for s in shifts] for w in weekdays}


def add_day_off(admin: Actor, staff_id: int, day: object) -> None:
    with uow.write_session() as session:
        appointments.add_day_off(session, actor=admin, staff_id=staff_id, day=day)


def free_starts(service_id: object, day: object, now: datetime | None = None,
                tz: str = BUSINESS_TZ) -> dict[int, list[str]]:
    """The free slots per staff member, as local "HH:MM" start times."""
    with uow.read_session() as session:
        found = appointments.free_slots(session, service_id=service_id, day=day, now=now)
    return {s.staff_id: [slot.start.astimezone(ZoneInfo(tz)).strftime("%H:%M")
                         for slot in s.slots] for s in found}


def book_appointment(actor: Actor | None, service_id: object, staff_id: object, start: object,
                     now: datetime | None = None) -> appointments.AppointmentView:
    """Book Now or Request to Book, whichever the service uses."""
    with uow.write_session() as session:
        return appointments.book(session, actor=actor, service_id=service_id,
                                 staff_id=staff_id, start=start, now=now)


def approve_appointment(actor: Actor | None,
                        appointment_id: object) -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.approve(session, actor=actor, appointment_id=appointment_id)


@contextmanager
def selects_on(table: str) -> Iterator[list[str]]:
    """The SELECT statements naming `table` sent to the database while the block runs."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        text = statement.lstrip().upper()
        if text.startswith("SELECT") and table.upper() in text:
            seen.append(statement)

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
