"""A staff member's time is held by one appointment at a time, even when requests race:
two approvals of conflicting requests, fifty customers booking one slot, and rows written
behind the services' back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import SlotTaken, ValidationFailed
from reserve_app.models import Appointment, AuditEntry, OutboxMessage
from reserve_app.services import uow
from reserve_app.services.appointments import AppointmentView

from .helpers import (
    BUSINESS_TZ,
    add_admin,
    add_service,
    add_user,
    approve_appointment,
    book_appointment,
    configure,
    count,
    local_start,
    monday_ahead,
    rows,
    run_together,
    set_hours,
    weekly_hours,
)

THREADS = 50
TZ = ZoneInfo(BUSINESS_TZ)
MON = monday_ahead()
NOW = datetime.combine(MON, time(8), tzinfo=TZ).astimezone(UTC)
# Every weekday 09-12 and 13-16: six one-hour slots a day.
SLOTS = [(MON + timedelta(days=d), f"{h:02d}:00") for d in range(5)
         for h in (9, 10, 11, 13, 14, 15)]


@pytest.fixture(autouse=True)
def business_time_zone(settings_env: pytest.MonkeyPatch) -> None:
    configure(settings_env, DEFAULT_TIMEZONE=BUSINESS_TZ)


@pytest.fixture
def team() -> dict[str, Actor]:
    admin = add_admin()
    people = {"admin": admin,
              "stan": add_user("Stan Staff", "stan@example.com", Role.STAFF),
              "sue": add_user("Sue Stylist", "sue@example.com", Role.STAFF)}
    for member in (people["stan"], people["sue"]):
        set_hours(admin, member.user_id,
                  weekly_hours(("09:00", "12:00"), ("13:00", "16:00"), weekdays=range(5)))
    return people


def _customers(n: int) -> list[Actor]:
    return [add_user(f"Customer {i}", f"c{i}@example.com", Role.CUSTOMER) for i in range(n)]


def _split(results: list[object]) -> tuple[list[AppointmentView], list[object]]:
    won = [r for r in results if isinstance(r, AppointmentView)]
    return won, [r for r in results if not isinstance(r, AppointmentView)]


def _utc(day: date, hh_mm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=TZ).astimezone(UTC)


def test_two_staff_approving_conflicting_requests_at_once_approve_one(
        team: dict[str, Actor]) -> None:
    stan, sue = team["stan"], team["sue"]
    coaching = add_service(team["admin"], "Coaching", [stan.user_id], approval=True,
                           multiple=True)
    cleo, dan = _customers(2)

    for day, hh_mm in SLOTS[:10]:
        requests = [book_appointment(who, coaching, stan.user_id, local_start(day, hh_mm),
                                     now=NOW) for who in (cleo, dan)]
        emails = count(OutboxMessage)

        results = run_together(2, lambda i, r=requests: approve_appointment((stan, sue)[i],
                                                                            r[i].id))

        won, lost = _split(results)
        assert len(won) == 1, (day, hh_mm, lost)
        [refused] = lost
        assert isinstance(refused, SlotTaken), refused
        assert (refused.key, refused.params) == ("appointment.conflict", {"other": won[0].id})
        statuses = {a.id: (a.status, a.holds_slot) for a in rows(
            Appointment, col(Appointment.id).in_([r.id for r in requests]))}
        loser = next(r.id for r in requests if r.id != won[0].id)
        assert statuses == {won[0].id: ("confirmed", True), loser: ("pending", False)}
        assert count(OutboxMessage) == emails + 1
    assert count(Appointment, Appointment.status == "confirmed") == 10
    assert count(AuditEntry, AuditEntry.action == "appointment_approved") == 10


@pytest.mark.parametrize(("approval", "status"), [(False, "confirmed"), (True, "pending")])
def test_fifty_customers_booking_one_slot_get_one_appointment(
        team: dict[str, Actor], approval: bool, status: str) -> None:
    """Book Now, and Request to Book on a one-client-per-slot service."""
    stan = team["stan"]
    service = add_service(team["admin"], "Haircut", [stan.user_id, team["sue"].user_id],
                          approval=approval)
    customers = _customers(THREADS)

    for day, hh_mm in SLOTS[:3]:
        when = local_start(day, hh_mm)
        results = run_together(THREADS, lambda i, w=when: book_appointment(
            customers[i], service, stan.user_id, w, now=NOW))

        won, lost = _split(results)
        assert len(won) == 1, (day, hh_mm)
        assert won[0].status == status
        for refused in lost:  # the check sees the winner, or the database refuses the row
            assert isinstance(refused, ValidationFailed | SlotTaken), refused
            if isinstance(refused, ValidationFailed):
                assert refused.fields == {"start": "appointment.slot_unavailable"}
        assert [(a.id, a.start_at) for a in rows(Appointment, Appointment.start_at
                                                 == _utc(day, hh_mm))] == [
            (won[0].id, _utc(day, hh_mm))]

    assert count(Appointment) == 3
    assert count(OutboxMessage) == 3 * (2 if approval else 1)
    assert count(AuditEntry, AuditEntry.entity == "appointment") == 3


def _appointment(service: int, staff: Actor, customer: Actor, day: date, start: str, end: str,
                 status: str, holds: bool) -> Appointment:
    return Appointment(service_id=service, staff_id=staff.user_id, customer_id=customer.user_id,
                       start_at=_utc(day, start), end_at=_utc(day, end), status=status,
                       holds_slot=holds, price=Decimal("30.00"), currency="EUR")


def _insert(appointment: Appointment) -> None:
    with uow.write_session() as session:
        session.add(appointment)
        session.commit()


def test_the_database_refuses_overlapping_holding_rows(team: dict[str, Actor],
                                                       db_url: str) -> None:
    """PostgreSQL: the exclusion constraint; SQLite: the triggers. Same name, same error."""
    stan, sue = team["stan"], team["sue"]
    service = add_service(team["admin"], "Haircut", [stan.user_id, sue.user_id])
    [cleo] = _customers(1)
    day = MON + timedelta(days=1)

    def row(start: str, end: str, status: str = "confirmed", holds: bool = True,
            staff: Actor = stan) -> Appointment:
        return _appointment(service, staff, cleo, day, start, end, status, holds)

    _insert(row("10:00", "11:00"))
    for start, end, status in [("10:00", "11:00", "confirmed"), ("10:30", "11:30", "confirmed"),
                               ("09:30", "10:30", "pending"), ("10:15", "10:45", "pending"),
                               ("09:00", "12:00", "confirmed"), ("10:59", "11:00", "pending")]:
        with pytest.raises(IntegrityError, match="appointments_no_overlap"):
            _insert(row(start, end, status))
    assert count(Appointment) == 1

    # Rows that hold nothing may overlap; touching [start, end) ends and other staff are fine.
    for start, end, status, holds, staff in [
            ("10:00", "11:00", "pending", False, stan),
            ("10:30", "11:30", "declined", False, stan),
            ("09:00", "12:00", "cancelled", False, stan),
            ("10:00", "11:00", "pending", False, stan),
            ("09:00", "10:00", "confirmed", True, stan),    # touches the held 10:00 from before
            ("11:00", "12:00", "pending", True, stan),      # and from after
            ("10:00", "11:00", "confirmed", True, sue)]:    # another staff member's time
        _insert(row(start, end, status, holds, staff))
    assert count(Appointment) == 8
    assert count(Appointment, col(Appointment.holds_slot)) == 4

    # Making an overlapping row hold its slot, or moving a holding row onto another, is
    # refused by the database too.
    with uow.write_session() as session:
        waiting = session.exec(select(Appointment).where(
            Appointment.status == "declined")).one()
        waiting.holds_slot = True
        with pytest.raises(IntegrityError, match="appointments_no_overlap"):
            session.commit()
    with uow.write_session() as session:
        sues = session.exec(select(Appointment).where(Appointment.staff_id == sue.user_id)).one()
        sues.staff_id = stan.user_id
        with pytest.raises(IntegrityError, match="appointments_no_overlap"):
            session.commit()
    with uow.write_session() as session:
        early = session.exec(select(Appointment).where(
            Appointment.staff_id == stan.user_id, col(Appointment.holds_slot),
            Appointment.start_at == _utc(day, "09:00"))).one()
        early_id = early.id
        early.end_at = _utc(day, "10:01")
        with pytest.raises(IntegrityError, match="appointments_no_overlap"):
            session.commit()
    with uow.write_session() as session:  # moving it to a free time is fine
        early = session.get(Appointment, early_id)
        assert early is not None
        early.start_at, early.end_at = _utc(day, "08:00"), _utc(day, "09:00")
        session.commit()
    assert count(Appointment, col(Appointment.holds_slot)) == 4


def test_a_row_the_database_refuses_is_slot_taken_and_the_transaction_goes_on(
        team: dict[str, Actor], monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the services' own check ever to miss a row holding the time (here it is made
    blind), the database's refusal at the flush is SlotTaken, raised from a savepoint: the
    unit of work around it stays usable (no rollback inside a use case)."""
    from reserve_app.services import appointments
    from reserve_app.services.appointments import slots

    stan = team["stan"]
    haircut = add_service(team["admin"], "Haircut", [stan.user_id])
    coaching = add_service(team["admin"], "Coaching", [stan.user_id], approval=True,
                           multiple=True)
    cleo, max_ = _customers(2)
    when = local_start(MON, "10:00")
    request = book_appointment(cleo, coaching, stan.user_id, when, now=NOW)  # holds nothing
    book_appointment(max_, haircut, stan.user_id, when, now=NOW)  # confirmed: holds 10:00
    monkeypatch.setattr(slots, "busy", lambda *args, **kwargs: [])

    with uow.write_session() as session:
        with pytest.raises(SlotTaken) as booked:
            appointments.book(session, actor=cleo, service_id=haircut, staff_id=stan.user_id,
                              start=when, now=NOW)
        with pytest.raises(SlotTaken) as approved:
            appointments.approve(session, actor=stan, appointment_id=request.id)
        assert (booked.value.key, approved.value.key) == ("appointment.slot_unavailable",
                                                          "appointment.slot_unavailable")
        # Still usable (PostgreSQL would refuse any statement after a failed flush).
        statuses = session.exec(select(Appointment.status).order_by(col(Appointment.id))).all()
        assert list(statuses) == ["pending", "confirmed"]

    assert [(a.id, a.status, a.holds_slot) for a in rows(Appointment)][0] == (
        request.id, "pending", False)
    assert count(Appointment) == 2


def test_two_staff_deciding_one_request_at_once_one_decision_wins(
        team: dict[str, Actor]) -> None:
    """Approve racing Decline, and Approve racing a reschedule to another staff member."""
    from reserve_app.domain.errors import InvalidTransition
    from reserve_app.services import appointments

    stan, sue = team["stan"], team["sue"]
    service = add_service(team["admin"], "Coaching", [stan.user_id, sue.user_id],
                          approval=True, multiple=True)
    [cleo] = _customers(1)

    def decline(actor: Actor, request_id: int) -> AppointmentView:
        with uow.write_session() as session:
            return appointments.decline(session, actor=actor, appointment_id=request_id)

    def reschedule(actor: Actor, request_id: int, when: str) -> AppointmentView:
        with uow.write_session() as session:
            return appointments.approve_with_reschedule(
                session, actor=actor, appointment_id=request_id, staff_id=sue.user_id,
                start=when, now=NOW)

    for n, (day, hh_mm) in enumerate(SLOTS[:8]):
        request = book_appointment(cleo, service, stan.user_id, local_start(day, hh_mm),
                                   now=NOW)
        emails = count(OutboxMessage)
        other = (lambda: decline(sue, request.id)) if n % 2 == 0 else (
            lambda: reschedule(sue, request.id, local_start(day, hh_mm)))
        results = run_together(2, lambda i: approve_appointment(stan, request.id) if i == 0
                               else other())

        won, lost = _split(results)
        assert len(won) == 1, results
        assert isinstance(lost[0], InvalidTransition), lost
        assert count(OutboxMessage) == emails + 1  # the customer hears one decision
        [final] = rows(Appointment, Appointment.id == request.id)
        assert final.status == won[0].status
