"""Appointments on a real database: catalogue, free slots, Book Now and Request to Book,
payment, approve, approve with reschedule, decline, the booking calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    SlotTaken,
    Unauthenticated,
    ValidationFailed,
)
from reserve_app.models import (
    Appointment,
    AuditEntry,
    DayOff,
    Invoice,
    OutboxMessage,
    Payment,
    Service,
    ServiceStaff,
    WorkingHours,
)
from reserve_app.services import appointments, uow

from .helpers import (
    BUSINESS_TZ,
    add_admin,
    add_day_off,
    add_service,
    add_user,
    approve_appointment,
    book_appointment,
    configure,
    count,
    free_starts,
    local_start,
    monday_ahead,
    rows,
    run_together,
    set_hours,
    weekly_hours,
)

TZ = ZoneInfo(BUSINESS_TZ)
MON = monday_ahead()                                                 # "today" in these tests
NOW = datetime.combine(MON, time(10, 30), tzinfo=TZ).astimezone(UTC)  # Monday 10:30 local
STAN_HOURS = weekly_hours(("09:00", "12:00"), ("13:00", "16:00"), weekdays=range(5))
SUE_HOURS = weekly_hours(("10:00", "13:00"))
FAR = 10**9  # an id nothing has


def on(offset: int) -> date:
    return MON + timedelta(days=offset)


def start(offset: int, hh_mm: str) -> str:
    """The ISO start the page sends for a local time `offset` days after MON."""
    return local_start(on(offset), hh_mm)


def utc(offset: int, hh_mm: str) -> datetime:
    return datetime.combine(on(offset), time.fromisoformat(hh_mm), tzinfo=TZ).astimezone(UTC)


@pytest.fixture(autouse=True)
def business_time_zone(settings_env: pytest.MonkeyPatch) -> None:
    configure(settings_env, DEFAULT_TIMEZONE=BUSINESS_TZ, CURRENCY="EUR")


@dataclass(frozen=True)
class Clinic:
    admin: Actor
    stan: Actor      # staff: Monday to Friday 09-12 and 13-16
    sue: Actor       # staff: every day 10-13
    cleo: Actor
    dan: Actor
    haircut: int     # Book Now, 60 min, 30.00, Stan and Sue
    consult: int     # Request to Book, one client per slot, 60 min, 50.00, Stan only
    coaching: int    # Request to Book, several clients per slot, 60 min, 40.00, Stan and Sue


@pytest.fixture
def people() -> dict[str, Actor]:
    return {
        "admin": add_admin(),
        "stan": add_user("Stan Staff", "stan@example.com", Role.STAFF),
        "sue": add_user("Sue Stylist", "sue@example.com", Role.STAFF),
        "cleo": add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER),
        "dan": add_user("Dan Driver", "dan@example.com", Role.CUSTOMER),
    }


@pytest.fixture
def clinic(people: dict[str, Actor]) -> Clinic:
    admin, stan, sue = people["admin"], people["stan"], people["sue"]
    set_hours(admin, stan.user_id, STAN_HOURS)
    set_hours(admin, sue.user_id, SUE_HOURS)
    both = [stan.user_id, sue.user_id]
    return Clinic(
        admin, stan, sue, people["cleo"], people["dan"],
        haircut=add_service(admin, "Haircut", both, price="30.00"),
        consult=add_service(admin, "Consultation", [stan.user_id], price="50.00", approval=True),
        coaching=add_service(admin, "Coaching", both, price="40.00", approval=True,
                             multiple=True),
    )


WRITTEN = (Appointment, OutboxMessage, AuditEntry, Invoice, Payment)


def _written() -> dict[str, int]:
    """How many rows every table an appointment use case may write holds."""
    return {model.__name__: count(model) for model in WRITTEN}


def _appointments() -> list[tuple]:
    return [(a.id, a.status, a.staff_id, a.start_at, a.end_at, a.holds_slot, a.private_note)
            for a in rows(Appointment)]


def _links() -> list[tuple[int, int]]:
    with uow.read_session() as session:
        return sorted((r.service_id, r.staff_id) for r in session.exec(select(ServiceStaff)))


def _catalogue() -> list[object]:
    """Everything the catalogue services may change."""
    return [[tuple(r.model_dump().values()) for r in rows(model)]
            for model in (Service, WorkingHours, AuditEntry)] + [
        _links(), sorted((d.staff_id, d.day) for d in _all(DayOff))]


def _all(model: type) -> list:
    with uow.read_session() as session:
        return list(session.exec(select(model)).all())


def _emails(kind: str) -> list[tuple[str, str, str]]:
    return [(m.to_email, m.subject, m.body)
            for m in rows(OutboxMessage, OutboxMessage.kind == kind)]


def _audit(appointment_id: int) -> list[tuple[int | None, str, str, str, str]]:
    return [(a.actor_id, a.action, a.old_value, a.new_value, a.note)
            for a in rows(AuditEntry, AuditEntry.entity == "appointment",
                          AuditEntry.entity_id == appointment_id)]


def _book(actor: Actor | None, service_id: object, staff_id: object,
          when: object) -> appointments.AppointmentView:
    return book_appointment(actor, service_id, staff_id, when, now=NOW)


def _reschedule(actor: Actor | None, appointment_id: object, staff_id: object, when: object,
                **options: object) -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.approve_with_reschedule(
            session, actor=actor, appointment_id=appointment_id, staff_id=staff_id, start=when,
            now=NOW, **options)


def _decline(actor: Actor | None, appointment_id: object,
             **options: object) -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.decline(session, actor=actor, appointment_id=appointment_id,
                                    **options)


def _pay(actor: Actor | None, appointment_id: object) -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.pay_appointment(session, actor=actor, appointment_id=appointment_id)


def _calendar(actor: Actor | None, first_day: object,
              days: object) -> list[appointments.AppointmentView]:
    with uow.read_session() as session:
        return appointments.calendar(session, actor=actor, first_day=first_day, days=days)


def _mine(actor: Actor) -> list[int]:
    with uow.read_session() as session:
        return [v.id for v in appointments.my_appointments(session, actor=actor)]


def _save_service(actor: Actor | None, **changes: object) -> int:
    values: dict[str, object] = {"name": "Massage", "duration_minutes": 60, "price": "40.00",
                                 "requires_approval": False, "multiple_clients": False,
                                 "staff_ids": [], **changes}
    with uow.write_session() as session:
        return appointments.save_service(session, actor=actor, **values)


# --- catalogue (admin) ----------------------------------------------------------------------------


def test_admin_builds_the_appointment_catalogue(people: dict[str, Actor]) -> None:
    admin, stan, sue = people["admin"], people["stan"], people["sue"]
    service = _save_service(admin, name=" Haircut ", duration_minutes=45, price="30,50",
                            staff_ids=[sue.user_id, stan.user_id, stan.user_id])
    with uow.read_session() as session:
        assert appointments.list_services(session) == [appointments.ServiceView(
            service, "Haircut", 45, Decimal("30.50"), False, False,
            [(stan.user_id, "Stan Staff"), (sue.user_id, "Sue Stylist")])]

    # Edit: new values, another team; an admin may deliver services too.
    same = _save_service(admin, service_id=service, name="Long haircut", duration_minutes=90,
                         price="45", requires_approval=True, multiple_clients=True,
                         staff_ids=[sue.user_id, admin.user_id])
    other = _save_service(admin, name="Beard trim", duration_minutes=5, price=0,
                          staff_ids=[stan.user_id])
    assert same == service
    with uow.read_session() as session:
        assert appointments.list_services(session) == [
            appointments.ServiceView(other, "Beard trim", 5, Decimal("0"), False, False,
                                     [(stan.user_id, "Stan Staff")]),
            appointments.ServiceView(service, "Long haircut", 90, Decimal("45.00"), True, True,
                                     [(admin.user_id, "Ada Admin"), (sue.user_id, "Sue Stylist")]),
        ]
    assert _links() == sorted([(service, sue.user_id), (service, admin.user_id),
                               (other, stan.user_id)])

    def hours() -> list[tuple[int, int, str, str]]:
        return sorted((h.staff_id, h.weekday, h.start, h.end) for h in rows(WorkingHours))

    set_hours(admin, stan.user_id, {"0": [["13:00", "17:00"], ["09:00", "12:00"]],
                                    4: [("10:00", "11:30")]})
    set_hours(admin, sue.user_id, {"6": [["08:00", "09:00"]]})
    assert hours() == [(stan.user_id, 0, "09:00", "12:00"), (stan.user_id, 0, "13:00", "17:00"),
                       (stan.user_id, 4, "10:00", "11:30"), (sue.user_id, 6, "08:00", "09:00")]
    set_hours(admin, stan.user_id, {"2": [["08:00", "09:00"]]})  # replaces the week
    assert hours() == [(stan.user_id, 2, "08:00", "09:00"), (sue.user_id, 6, "08:00", "09:00")]
    set_hours(admin, sue.user_id, {})  # no hours at all
    assert hours() == [(stan.user_id, 2, "08:00", "09:00")]

    add_day_off(admin, stan.user_id, on(3).isoformat())
    add_day_off(admin, stan.user_id, on(3))  # the same day again: still one
    add_day_off(admin, sue.user_id, on(3))
    assert sorted((d.staff_id, d.day) for d in _all(DayOff)) == sorted(
        [(stan.user_id, on(3)), (sue.user_id, on(3))])

    assert [(a.actor_id, a.entity, a.action, a.new_value) for a in rows(AuditEntry)] == [
        (admin.user_id, "service", "service_saved", "Haircut 45 min 30.50"),
        (admin.user_id, "service", "service_updated",
         "name: Long haircut; minutes: 90; price: 45.00; approval: yes; multiple clients: yes; "
         "staff: Ada Admin, Sue Stylist"),
        (admin.user_id, "service", "service_saved", "Beard trim 5 min 0"),
        (admin.user_id, "user", "hours_changed", "3"),
        (admin.user_id, "user", "hours_changed", "1"),
        (admin.user_id, "user", "hours_changed", "1"),
        (admin.user_id, "user", "hours_changed", "0"),
        (admin.user_id, "user", "day_off_added", on(3).isoformat()),
        (admin.user_id, "user", "day_off_added", on(3).isoformat()),
    ]


DURATION = {"duration_minutes": "appointment.duration_invalid"}
PRICE = {"price": "field.amount_invalid"}
CHOICE = {"requires_approval": "field.choice_invalid"}
STAFF = {"staff": "appointment.pick_staff"}

BAD_SERVICES: dict[str, Callable[[Clinic], tuple[dict, object]]] = {
    "blank_name": lambda c: ({"name": "   "}, {"name": "field.required"}),
    "no_name": lambda c: ({"name": None}, {"name": "field.required"}),
    "long_name": lambda c: ({"name": "x" * 101}, {"name": "field.too_long"}),
    **{f"duration_{v!r}": (lambda c, v=v: ({"duration_minutes": v}, DURATION))
       for v in [4, 721, 0, -60, "60", 60.0, True, None]},
    **{f"price_{v!r}": (lambda c, v=v: ({"price": v}, PRICE))
       for v in ["-1", "abc", "1.234", "", None, 1.5, "1e3", "NaN"]},
    **{f"approval_{v!r}": (lambda c, v=v: ({"requires_approval": v}, CHOICE))
       for v in ["yes", None, 1]},
    **{f"multiple_{v!r}": (lambda c, v=v: ({"multiple_clients": v}, CHOICE))
       for v in ["no", 0]},
    "no_staff": lambda c: ({"staff_ids": []}, STAFF),
    "staff_not_a_list": lambda c: ({"staff_ids": c.stan.user_id}, STAFF),
    "staff_as_text": lambda c: ({"staff_ids": [str(c.stan.user_id)]}, STAFF),
    "staff_one_as_text": lambda c: ({"staff_ids": [c.stan.user_id, str(c.sue.user_id)]}, STAFF),
    "customer_as_staff": lambda c: ({"staff_ids": [c.cleo.user_id]}, STAFF),
    "staff_and_a_customer": lambda c: ({"staff_ids": [c.stan.user_id, c.cleo.user_id]}, STAFF),
    "unknown_staff": lambda c: ({"staff_ids": [FAR]}, STAFF),
    "bool_staff": lambda c: ({"staff_ids": [True]}, STAFF),
    "all_at_once": lambda c: ({"name": "", "duration_minutes": 1, "price": "x",
                               "staff_ids": []},
                              {"name": "field.required", **DURATION, **PRICE, **STAFF}),
    "unknown_service": lambda c: ({"service_id": FAR}, NotFound),
    "service_id_as_text": lambda c: ({"service_id": str(c.haircut)}, NotFound),
    "bool_service_id": lambda c: ({"service_id": True}, NotFound),
}


def test_invalid_services_are_refused_and_nothing_is_saved(clinic: Clinic,
                                                           subtests: pytest.Subtests) -> None:
    before = _catalogue()
    for case, make in BAD_SERVICES.items():
        with subtests.test(case=case):
            changes, expected = make(clinic)
            changes = {"staff_ids": [clinic.stan.user_id], **changes}
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                _save_service(clinic.admin, **changes)
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert _catalogue() == before


HOURS = {"hours": "appointment.hours_invalid"}
WEEKDAY = {"weekday": "field.choice_invalid"}

BAD_HOURS: dict[str, Callable[[Clinic], tuple[object, object, object]]] = {
    # (staff_id, hours, expected)
    "customer": lambda c: (c.cleo.user_id, {"0": [["09:00", "12:00"]]}, NotFound),
    "unknown_staff": lambda c: (FAR, {"0": [["09:00", "12:00"]]}, NotFound),
    "staff_id_as_text": lambda c: (str(c.stan.user_id), {"0": [["09:00", "12:00"]]}, NotFound),
    "not_a_dict": lambda c: (c.stan.user_id, "09:00-17:00", HOURS),
    "none": lambda c: (c.stan.user_id, None, HOURS),
    "a_list": lambda c: (c.stan.user_id, [["09:00", "12:00"]], HOURS),
    "day_not_a_list": lambda c: (c.stan.user_id, {"0": "09:00-12:00"}, HOURS),
    "pair_of_one": lambda c: (c.stan.user_id, {"0": [["09:00"]]}, HOURS),
    "pair_of_three": lambda c: (c.stan.user_id, {"0": [["09:00", "10:00", "11:00"]]}, HOURS),
    "flat_pair": lambda c: (c.stan.user_id, {"0": ["09:00", "12:00"]}, HOURS),
    "weekday_7": lambda c: (c.stan.user_id, {"7": [["09:00", "12:00"]]}, WEEKDAY),
    "weekday_negative": lambda c: (c.stan.user_id, {"-1": [["09:00", "12:00"]]}, WEEKDAY),
    "weekday_name": lambda c: (c.stan.user_id, {"monday": [["09:00", "12:00"]]}, WEEKDAY),
    "reversed": lambda c: (c.stan.user_id, {"0": [["12:00", "09:00"]]},
                           {"hours_0": "appointment.hours_invalid"}),
    "numbers": lambda c: (c.stan.user_id, {"2": [[9, 12]]},
                          {"hours_2": "appointment.hours_invalid"}),
    "one_bad_day": lambda c: (c.stan.user_id, {"0": [["09:00", "12:00"]],
                                               "3": [["25:00", "26:00"]]},
                              {"hours_3": "appointment.hours_invalid"}),
}

BAD_DAYS_OFF: dict[str, Callable[[Clinic], tuple[object, object, object]]] = {
    **{f"day_{v!r}": (lambda c, v=v: (c.stan.user_id, v, {"day": "field.date_invalid"}))
       for v in ["2030-02-30", "tomorrow", None, "2030-6-1", "", datetime(2030, 6, 1),
                 20300601]},
    "unknown_staff": lambda c: (FAR, on(3).isoformat(), NotFound),
    "staff_id_as_text": lambda c: (str(c.stan.user_id), on(3).isoformat(), NotFound),
}


def test_invalid_hours_and_days_off_are_refused_and_nothing_is_saved(
        clinic: Clinic, subtests: pytest.Subtests) -> None:
    add_day_off(clinic.admin, clinic.stan.user_id, on(4))
    before = _catalogue()
    for cases, call in [(BAD_HOURS, appointments.set_hours),
                        (BAD_DAYS_OFF, appointments.add_day_off)]:
        for case, make in cases.items():
            with subtests.test(call=call.__name__, case=case):
                staff_id, value, expected = make(clinic)
                argument = {"hours": value} if call is appointments.set_hours else {"day": value}
                error = expected if isinstance(expected, type) else ValidationFailed
                with uow.write_session() as session, pytest.raises(error) as err:
                    call(session, actor=clinic.admin, staff_id=staff_id, **argument)
                if isinstance(expected, dict):
                    assert err.value.fields == expected
                assert _catalogue() == before


def _set_hours_as(actor: Actor | None, staff_id: int, hours: object) -> None:
    with uow.write_session() as session:
        appointments.set_hours(session, actor=actor, staff_id=staff_id, hours=hours)


def _day_off_as(actor: Actor | None, staff_id: int, day: object) -> None:
    with uow.write_session() as session:
        appointments.add_day_off(session, actor=actor, staff_id=staff_id, day=day)


CATALOGUE_CALLS: dict[str, Callable[[Actor | None, Clinic], object]] = {
    "create_service": lambda actor, c: _save_service(actor, staff_ids=[c.stan.user_id]),
    "edit_service": lambda actor, c: _save_service(actor, service_id=c.haircut,
                                                   staff_ids=[c.stan.user_id]),
    "set_hours": lambda actor, c: _set_hours_as(actor, c.stan.user_id, {"0": [["07:00", "08:00"]]}),
    "add_day_off": lambda actor, c: _day_off_as(actor, c.stan.user_id, on(3)),
}


def test_only_admins_may_change_the_catalogue(clinic: Clinic, subtests: pytest.Subtests) -> None:
    before = _catalogue()
    for call in CATALOGUE_CALLS:
        for who, error in [(None, Unauthenticated), (clinic.cleo, Forbidden),
                           (clinic.stan, Forbidden)]:
            with subtests.test(call=call, who=who and who.name):
                with pytest.raises(error):
                    CATALOGUE_CALLS[call](who, clinic)
                assert _catalogue() == before


# --- editing a service (admin) --------------------------------------------------------------------


def _service_audit(service_id: int) -> list[tuple[int | None, str, str, str, str]]:
    return [(a.actor_id, a.action, a.old_value, a.new_value, a.note)
            for a in rows(AuditEntry, AuditEntry.entity == "service",
                          AuditEntry.entity_id == service_id)]


def test_admin_edits_a_service_and_booked_appointments_keep_their_terms(clinic: Clinic) -> None:
    stan, sue = clinic.stan.user_id, clinic.sue.user_id
    booked = _book(clinic.cleo, clinic.haircut, stan, start(1, "09:00"))  # Book Now, 60 min

    same = _save_service(clinic.admin, service_id=clinic.haircut, name=" Long haircut ",
                         duration_minutes=90, price="45,50", requires_approval=True,
                         multiple_clients=True, staff_ids=[sue])

    assert same == clinic.haircut
    with uow.read_session() as session:
        [view] = [v for v in appointments.list_services(session) if v.id == clinic.haircut]
    assert view == appointments.ServiceView(clinic.haircut, "Long haircut", 90, Decimal("45.50"),
                                            True, True, [(sue, "Sue Stylist")])
    assert _links() == sorted([(clinic.haircut, sue), (clinic.consult, stan),
                               (clinic.coaching, stan), (clinic.coaching, sue)])
    assert _service_audit(clinic.haircut)[-1] == (
        clinic.admin.user_id, "service_updated",
        "name: Haircut; minutes: 60; price: 30.00; approval: no; multiple clients: no; "
        "staff: Stan Staff, Sue Stylist",
        "name: Long haircut; minutes: 90; price: 45.50; approval: yes; multiple clients: yes; "
        "staff: Sue Stylist",
        "name, minutes, price, approval, multiple clients, staff")
    # The appointment booked before keeps its price, times, staff member and Book Now terms:
    # it is still confirmed and may be paid online, at the old price.
    a = rows(Appointment, Appointment.id == booked.id)[0]
    assert (a.status, a.staff_id, a.start_at, a.end_at, a.price, a.requires_approval) == (
        "confirmed", stan, utc(1, "09:00"), utc(1, "10:00"), Decimal("30.00"), False)
    assert _pay(clinic.cleo, booked.id).payment_status == "pending"
    assert rows(Payment)[-1].amount == Decimal("30.00")
    # New bookings follow the edit: a 90-minute request with Sue, at the new price.
    request = _book(clinic.dan, clinic.haircut, sue, start(1, "10:00"))
    assert (request.status, request.price, request.end_at - request.start_at) == (
        "pending", Decimal("45.50"), timedelta(minutes=90))
    with pytest.raises(NotFound):
        _book(clinic.dan, clinic.haircut, stan, start(1, "13:00"))  # Stan no longer does it


def test_a_request_stays_unpayable_after_approval_is_switched_off(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    approve_appointment(clinic.stan, request.id)
    _save_service(clinic.admin, service_id=clinic.consult, name="Consultation", price="50.00",
                  requires_approval=False, staff_ids=[stan])
    before = _written()

    with pytest.raises(DomainError) as err:
        _pay(clinic.cleo, request.id)

    assert err.value.key == "appointment.request_not_payable"
    assert _written() == before
    # A Book Now appointment of the same service, booked after the switch, is payable.
    booked = _book(clinic.cleo, clinic.consult, stan, start(1, "11:00"))
    assert (booked.status, booked.requires_approval) == ("confirmed", False)
    assert _pay(clinic.cleo, booked.id).payment_status == "pending"


def test_bad_service_edits_are_refused_and_nothing_changes(clinic: Clinic,
                                                           subtests: pytest.Subtests) -> None:
    before = _catalogue()
    for case, make in BAD_SERVICES.items():
        with subtests.test(case=case):
            changes, expected = make(clinic)
            changes = {"service_id": clinic.haircut, "staff_ids": [clinic.stan.user_id],
                       **changes}
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                _save_service(clinic.admin, **changes)
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert _catalogue() == before


def test_saving_an_unchanged_service_writes_no_audit_row(clinic: Clinic) -> None:
    before = _catalogue()
    _save_service(clinic.admin, service_id=clinic.haircut, name="Haircut", price="30",
                  staff_ids=[clinic.sue.user_id, clinic.stan.user_id])
    assert _catalogue() == before


def test_two_admins_editing_a_service_at_once_are_audited_in_turn(clinic: Clinic) -> None:
    ann = add_user("Ann Admin", "ann@example.com", Role.ADMIN)
    admins, prices = [clinic.admin, ann], ["31.00", "32.00"]
    team = [clinic.stan.user_id, clinic.sue.user_id]

    results = run_together(2, lambda i: _save_service(
        admins[i], service_id=clinic.haircut, name="Haircut", price=prices[i], staff_ids=team))

    assert results == [clinic.haircut, clinic.haircut]
    first, second = _service_audit(clinic.haircut)[-2:]
    assert first[2] == "price: 30.00"
    assert second[2] == first[3]  # the later edit saw the earlier one: no lost "old" value
    final = rows(Service, Service.id == clinic.haircut)[0].price
    assert second[3] == f"price: {final}"


def test_the_hours_form_reads_the_hours_in_force(clinic: Clinic) -> None:
    def hours_of(actor: Actor | None, staff_id: object) -> dict[int, list[tuple[str, str]]]:
        with uow.read_session() as session:
            return appointments.hours_of(session, actor=actor, staff_id=staff_id)

    assert hours_of(clinic.admin, clinic.stan.user_id) == {
        d: [("09:00", "12:00"), ("13:00", "16:00")] for d in range(5)}
    assert hours_of(clinic.admin, clinic.sue.user_id) == {
        d: [("10:00", "13:00")] for d in range(7)}
    assert hours_of(clinic.admin, clinic.admin.user_id) == {}  # an admin without hours
    for actor, staff_id, error in [(clinic.admin, clinic.cleo.user_id, NotFound),
                                   (clinic.admin, FAR, NotFound),
                                   (clinic.admin, str(clinic.stan.user_id), NotFound),
                                   (clinic.stan, clinic.stan.user_id, Forbidden),
                                   (clinic.cleo, clinic.stan.user_id, Forbidden),
                                   (None, clinic.stan.user_id, Unauthenticated)]:
        with pytest.raises(error):
            hours_of(actor, staff_id)


# --- free slots -----------------------------------------------------------------------------------


def test_free_slots_follow_hours_days_off_and_the_clock(clinic: Clinic) -> None:
    stan, sue = clinic.stan.user_id, clinic.sue.user_id
    tuesday = {stan: ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00"],
               sue: ["10:00", "11:00", "12:00"]}
    assert free_starts(clinic.haircut, on(1).isoformat(), NOW) == tuesday
    assert free_starts(clinic.haircut, on(1), NOW) == tuesday  # a date works as well
    assert free_starts(clinic.haircut, MON, NOW) == {  # today: 10:30 has passed
        stan: ["11:00", "13:00", "14:00", "15:00"], sue: ["11:00", "12:00"]}
    assert free_starts(clinic.haircut, on(5), NOW) == {stan: [], sue: tuesday[sue]}  # Saturday
    assert free_starts(clinic.consult, on(1), NOW) == {stan: tuesday[stan]}  # Stan only

    with uow.read_session() as session:
        [first, second] = appointments.free_slots(session, service_id=clinic.haircut,
                                                  day=on(1), now=NOW)
    assert (first.staff_id, first.staff_name, second.staff_id, second.staff_name) == (
        stan, "Stan Staff", sue, "Sue Stylist")
    assert (first.slots[0].start, first.slots[0].end) == (utc(1, "09:00"), utc(1, "10:00"))

    add_day_off(clinic.admin, stan, on(2))
    assert free_starts(clinic.haircut, on(2), NOW) == {stan: [], sue: tuesday[sue]}

    massage = add_service(clinic.admin, "Long massage", [stan], minutes=90)
    assert free_starts(massage, on(1), NOW) == {stan: ["09:00", "10:30", "13:00", "14:30"]}

    # One staff member's time is shared by all the services they deliver.
    _book(clinic.dan, clinic.haircut, stan, start(1, "10:00"))
    assert free_starts(massage, on(1), NOW) == {stan: ["13:00", "14:30"]}
    assert free_starts(clinic.consult, on(1), NOW) == {
        stan: ["09:00", "11:00", "13:00", "14:00", "15:00"]}
    assert free_starts(clinic.haircut, on(1), NOW)[sue] == tuesday[sue]


def test_free_slots_reach_six_months_ahead(clinic: Clinic) -> None:
    last = MON + timedelta(days=appointments.MAX_DAYS_AHEAD)
    assert free_starts(clinic.haircut, last, NOW)[clinic.sue.user_id] == [
        "10:00", "11:00", "12:00"]


BAD_SLOT_QUERIES: dict[str, Callable[[Clinic], tuple[dict, object]]] = {
    "yesterday": lambda c: ({"day": on(-1)}, {"day": "appointment.day_out_of_range"}),
    "too_far": lambda c: ({"day": MON + timedelta(days=appointments.MAX_DAYS_AHEAD + 1)},
                          {"day": "appointment.day_out_of_range"}),
    **{f"day_{v!r}": (lambda c, v=v: ({"day": v}, {"day": "field.date_invalid"}))
       for v in ["junk", None, "2030-02-30", "", datetime(2030, 6, 1, tzinfo=UTC)]},
    "unknown_service": lambda c: ({"service_id": FAR}, NotFound),
    "service_id_as_text": lambda c: ({"service_id": str(c.haircut)}, NotFound),
    "no_service": lambda c: ({"service_id": None}, NotFound),
}


def test_free_slots_refuse_bad_days_and_unknown_services(clinic: Clinic,
                                                         subtests: pytest.Subtests) -> None:
    for case, make in BAD_SLOT_QUERIES.items():
        with subtests.test(case=case):
            changes, expected = make(clinic)
            query = {"service_id": clinic.haircut, "day": on(1), **changes}
            error = expected if isinstance(expected, type) else ValidationFailed
            with uow.read_session() as session, pytest.raises(error) as err:
                appointments.free_slots(session, now=NOW, **query)
            if isinstance(expected, dict):
                assert err.value.fields == expected


# --- Book Now and Request to Book -----------------------------------------------------------------


def test_book_now_confirms_at_once_and_holds_the_slot(clinic: Clinic) -> None:
    stan, sue = clinic.stan.user_id, clinic.sue.user_id
    view = _book(clinic.cleo, clinic.haircut, stan, start(1, "09:00"))

    assert (view.service, view.staff, view.customer, view.start_at, view.end_at, view.status,
            view.requires_approval, view.price, view.currency, view.payment_status) == (
        "Haircut", "Stan Staff", "Cleo Customer", utc(1, "09:00"), utc(1, "10:00"),
        "confirmed", False, Decimal("30.00"), "EUR", "")
    [row] = rows(Appointment)
    assert (row.id, row.service_id, row.staff_id, row.customer_id, row.status, row.holds_slot,
            row.price, row.private_note) == (
        view.id, clinic.haircut, stan, clinic.cleo.user_id, "confirmed", True,
        Decimal("30.00"), "")
    [(to, subject, body)] = _emails("appointment_confirmed")
    assert (to, subject) == ("cleo@example.com", "Appointment confirmed: Haircut")
    assert "Cleo Customer" in body and "Stan Staff" in body and "9:00" in body
    assert count(OutboxMessage) == 1  # Book Now is not a request: no email to the staff
    assert _audit(view.id) == [(clinic.cleo.user_id, "appointment_booked", "", "confirmed", "")]

    free = free_starts(clinic.haircut, on(1), NOW)
    assert free[stan] == ["10:00", "11:00", "13:00", "14:00", "15:00"]
    assert free[sue] == ["10:00", "11:00", "12:00"]

    before = _written()
    with pytest.raises(ValidationFailed) as err:
        _book(clinic.dan, clinic.haircut, stan, start(1, "09:00"))
    assert err.value.fields == {"start": "appointment.slot_unavailable"}
    assert _written() == before

    other = _book(clinic.dan, clinic.haircut, sue, start(1, "10:00"))
    assert _mine(clinic.cleo) == [view.id]
    assert _mine(clinic.dan) == [other.id]


def test_request_to_book_is_pending_and_emails_customer_and_staff(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    view = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))

    assert (view.service, view.staff, view.start_at, view.status, view.requires_approval,
            view.price, view.payment_status) == (
        "Consultation", "Stan Staff", utc(1, "10:00"), "pending", True, Decimal("50.00"), "")
    [row] = rows(Appointment)
    assert (row.status, row.holds_slot) == ("pending", True)
    [(to, subject, body)] = _emails("appointment_requested")
    assert (to, subject) == ("cleo@example.com", "Request received: Consultation")
    assert "Stan Staff" in body
    [(to, subject, body)] = _emails("appointment_new_request")
    assert (to, subject) == ("stan@example.com", "New booking request: Consultation")
    assert "Cleo Customer" in body and "/staff/calendar" in body
    assert count(OutboxMessage) == 2
    assert _audit(view.id) == [(clinic.cleo.user_id, "appointment_requested", "", "pending", "")]
    assert _mine(clinic.cleo) == [view.id]


def test_a_pending_request_hides_the_slot_only_for_one_client_services(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    all_day = ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00"]
    without_ten = ["09:00", "11:00", "13:00", "14:00", "15:00"]

    # One client per slot: the request makes the time unavailable, for every service of Stan.
    _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    assert free_starts(clinic.consult, on(1), NOW) == {stan: without_ten}
    assert free_starts(clinic.haircut, on(1), NOW)[stan] == without_ten
    before = _written()
    with pytest.raises(ValidationFailed) as err:
        _book(clinic.dan, clinic.consult, stan, start(1, "10:00"))
    assert err.value.fields == {"start": "appointment.slot_unavailable"}
    assert _written() == before

    # Several clients per slot: the time stays free until staff approve one request.
    first = _book(clinic.cleo, clinic.coaching, stan, start(2, "10:00"))
    assert free_starts(clinic.coaching, on(2), NOW)[stan] == all_day
    second = _book(clinic.dan, clinic.coaching, stan, start(2, "10:00"))
    assert (first.status, second.status) == ("pending", "pending")
    assert [(a.start_at, a.status, a.holds_slot) for a in rows(Appointment)][1:] == [
        (utc(2, "10:00"), "pending", False), (utc(2, "10:00"), "pending", False)]
    assert free_starts(clinic.coaching, on(2), NOW)[stan] == all_day
    assert len(_emails("appointment_new_request")) == 3


# --- paying ---------------------------------------------------------------------------------------


def test_requests_are_never_payable(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    consult = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    coaching = _book(clinic.cleo, clinic.coaching, stan, start(1, "11:00"))
    approved = _book(clinic.cleo, clinic.consult, stan, start(1, "13:00"))
    approve_appointment(clinic.stan, approved.id)
    declined = _book(clinic.cleo, clinic.consult, stan, start(1, "14:00"))
    _decline(clinic.stan, declined.id)
    before, state = _written(), _appointments()

    for request in (consult, coaching, approved, declined):
        with pytest.raises(DomainError) as err:
            _pay(clinic.cleo, request.id)
        assert err.value.key == "appointment.request_not_payable", request
    assert _written() == before
    assert _appointments() == state
    assert count(Invoice) == count(Payment) == 0


def test_a_confirmed_book_now_appointment_is_paid_once(clinic: Clinic) -> None:
    booked = _book(clinic.cleo, clinic.haircut, clinic.stan.user_id, start(1, "09:00"))

    paid = _pay(clinic.cleo, booked.id)

    assert (paid.id, paid.status, paid.payment_status) == (booked.id, "confirmed", "pending")
    [invoice] = rows(Invoice)
    assert (invoice.order_kind, invoice.order_id, invoice.customer_id, invoice.number,
            invoice.status, invoice.subtotal, invoice.tax, invoice.total, invoice.currency) == (
        "appointment", booked.id, clinic.cleo.user_id, None, "draft", Decimal("30.00"),
        Decimal("0.00"), Decimal("30.00"), "EUR")
    [payment] = rows(Payment)
    assert (payment.invoice_id, payment.provider, payment.amount, payment.status) == (
        invoice.id, "manual", Decimal("30.00"), "pending")

    before = _written()
    for actor, appointment_id, error, key in [
        (clinic.cleo, booked.id, DomainError, "rental.already_paid"),  # a double click
        (clinic.dan, booked.id, NotFound, None),                       # not his
        (clinic.cleo, FAR, NotFound, None),
        (clinic.cleo, str(booked.id), NotFound, None),
        (None, booked.id, Unauthenticated, None),
    ]:
        with pytest.raises(error) as err:
            _pay(actor, appointment_id)
        if key:
            assert err.value.key == key
        assert _written() == before


# --- approve, reschedule, decline -----------------------------------------------------------------


def test_approve_confirms_the_request_and_emails_the_customer(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))

    view = approve_appointment(clinic.stan, request.id)

    assert (view.id, view.status, view.start_at, view.staff) == (
        request.id, "confirmed", utc(1, "10:00"), "Stan Staff")
    [row] = rows(Appointment)
    assert (row.status, row.holds_slot) == ("confirmed", True)
    [(to, subject, body)] = _emails("appointment_approved")
    assert (to, subject) == ("cleo@example.com", "Request approved: Consultation")
    assert "Stan Staff" in body
    assert _audit(request.id) == [
        (clinic.cleo.user_id, "appointment_requested", "", "pending", ""),
        (stan, "appointment_approved", "pending", f"confirmed {utc(1, '10:00').isoformat()}", ""),
    ]

    # Several clients per slot: approving makes the time unavailable.
    coaching = _book(clinic.dan, clinic.coaching, stan, start(1, "11:00"))
    assert "11:00" in free_starts(clinic.coaching, on(1), NOW)[stan]
    approve_appointment(clinic.admin, coaching.id)  # an admin is staff too
    assert "11:00" not in free_starts(clinic.coaching, on(1), NOW)[stan]
    assert [(a.status, a.holds_slot) for a in rows(Appointment)] == [
        ("confirmed", True), ("confirmed", True)]

    before, state = _written(), _appointments()
    for done in (request.id, coaching.id):
        with pytest.raises(InvalidTransition):
            approve_appointment(clinic.sue, done)
    assert (_written(), _appointments()) == (before, state)


def test_approving_a_conflicting_request_fails_and_changes_nothing(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    first = _book(clinic.cleo, clinic.coaching, stan, start(1, "10:00"))
    second = _book(clinic.dan, clinic.coaching, stan, start(1, "10:00"))
    approve_appointment(clinic.sue, first.id)
    before, state = _written(), _appointments()

    with pytest.raises(SlotTaken) as err:
        approve_appointment(clinic.stan, second.id)

    assert (err.value.key, err.value.params) == ("appointment.conflict", {"other": first.id})
    assert (_written(), _appointments()) == (before, state)
    assert [a.status for a in rows(Appointment)] == ["confirmed", "pending"]

    # Staff can still offer the other client another time.
    moved = _reschedule(clinic.stan, second.id, stan, start(1, "11:00"))
    assert (moved.status, moved.start_at) == ("confirmed", utc(1, "11:00"))


def test_approving_fails_when_book_now_took_the_time_meanwhile(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.coaching, stan, start(1, "13:00"))
    booked = _book(clinic.dan, clinic.haircut, stan, start(1, "13:00"))  # the request holds none
    before, state = _written(), _appointments()

    with pytest.raises(SlotTaken) as err:
        approve_appointment(clinic.stan, request.id)

    assert (err.value.key, err.value.params) == ("appointment.conflict", {"other": booked.id})
    assert (_written(), _appointments()) == (before, state)


def test_approve_with_reschedule_moves_the_request_and_emails_the_message(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    message = "Sorry, the morning is full. See you at two!"

    view = _reschedule(clinic.stan, request.id, stan, start(1, "14:00"),
                       private_note="  Stan is at a course in the morning  ",
                       notify=True, message=f"  {message} ")

    assert (view.id, view.status, view.staff, view.start_at, view.end_at) == (
        request.id, "confirmed", "Stan Staff", utc(1, "14:00"), utc(1, "15:00"))
    assert "private_note" not in {f.name for f in fields(view)}  # never shown to the customer
    [row] = rows(Appointment)
    assert (row.status, row.holds_slot, row.staff_id, row.start_at, row.private_note) == (
        "confirmed", True, stan, utc(1, "14:00"), "Stan is at a course in the morning")
    [(to, subject, body)] = _emails("appointment_rescheduled")
    assert (to, subject) == ("cleo@example.com", "Request approved at a new time: Consultation")
    assert message in body and "2:00" in body
    assert "course" not in body
    assert _audit(request.id)[1:] == [
        (stan, "appointment_rescheduled", f"pending {utc(1, '10:00').isoformat()}",
         f"confirmed {utc(1, '14:00').isoformat()}", message)]
    assert free_starts(clinic.consult, on(1), NOW) == {  # 10:00 is free again
        stan: ["09:00", "10:00", "11:00", "13:00", "15:00"]}


def test_approve_with_reschedule_to_another_staff_member_without_email(clinic: Clinic) -> None:
    stan, sue = clinic.stan.user_id, clinic.sue.user_id
    request = _book(clinic.cleo, clinic.coaching, stan, start(1, "10:00"))
    emails = count(OutboxMessage)

    view = _reschedule(clinic.stan, request.id, sue, start(2, "11:00"), notify=False,
                       message="not sent")

    assert (view.status, view.staff, view.start_at) == ("confirmed", "Sue Stylist",
                                                         utc(2, "11:00"))
    [row] = rows(Appointment)
    assert (row.staff_id, row.holds_slot, row.private_note) == (sue, True, "")
    assert count(OutboxMessage) == emails
    assert [entry[1] for entry in _audit(request.id)] == [
        "appointment_requested", "appointment_rescheduled"]
    assert free_starts(clinic.coaching, on(2), NOW)[sue] == ["10:00", "12:00"]


def test_approve_with_reschedule_may_keep_the_requested_time(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "09:00"))  # holds that time
    view = _reschedule(clinic.sue, request.id, stan, start(1, "09:00"), private_note="ok")
    assert (view.status, view.start_at) == ("confirmed", utc(1, "09:00"))
    assert len(_emails("appointment_rescheduled")) == 1


UNAVAILABLE = {"start": "appointment.slot_unavailable"}
OUT_OF_RANGE = {"day": "appointment.day_out_of_range"}
TIME_INVALID = {"start": "appointment.time_invalid"}

BAD_RESCHEDULES: dict[str, Callable[[dict], tuple[dict, object]]] = {
    "staff_not_delivering": lambda c: ({"staff_id": c["sue"]}, NotFound),
    "customer_as_staff": lambda c: ({"staff_id": c["cleo"]}, NotFound),
    "unknown_staff": lambda c: ({"staff_id": FAR}, NotFound),
    "taken": lambda c: ({"when": start(1, "14:00")}, UNAVAILABLE),
    "lunch_break": lambda c: ({"when": start(1, "12:00")}, UNAVAILABLE),
    "before_hours": lambda c: ({"when": start(1, "08:00")}, UNAVAILABLE),
    "saturday": lambda c: ({"when": start(5, "10:00")}, UNAVAILABLE),
    "off_grid": lambda c: ({"when": start(1, "09:30")}, UNAVAILABLE),
    "past": lambda c: ({"when": start(0, "09:00")}, UNAVAILABLE),
    "day_off": lambda c: ({"when": start(2, "09:00")}, UNAVAILABLE),
    "naive": lambda c: ({"when": f"{on(1).isoformat()}T13:00:00"}, TIME_INVALID),
    "junk": lambda c: ({"when": "later"}, TIME_INVALID),
    "unknown_request": lambda c: ({"appointment_id": FAR}, NotFound),
    "already_confirmed": lambda c: ({"appointment_id": c["confirmed"]}, InvalidTransition),
    "declined": lambda c: ({"appointment_id": c["declined"]}, InvalidTransition),
    "customer": lambda c: ({"actor": c["cleo_actor"]}, Forbidden),
    "anonymous": lambda c: ({"actor": None}, Unauthenticated),
}


def test_bad_reschedules_are_refused_and_write_nothing(clinic: Clinic,
                                                       subtests: pytest.Subtests) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    _book(clinic.dan, clinic.haircut, stan, start(1, "14:00"))
    confirmed = _book(clinic.dan, clinic.consult, stan, start(1, "15:00"))
    approve_appointment(clinic.stan, confirmed.id)
    declined = _book(clinic.dan, clinic.consult, stan, start(3, "15:00"))
    _decline(clinic.stan, declined.id)
    add_day_off(clinic.admin, stan, on(2))
    context = {"sue": clinic.sue.user_id, "cleo": clinic.cleo.user_id,
               "confirmed": confirmed.id, "declined": declined.id, "cleo_actor": clinic.cleo}
    before, state = _written(), _appointments()
    for case, make in BAD_RESCHEDULES.items():
        with subtests.test(case=case):
            changes, expected = make(context)
            call = {"actor": clinic.stan, "appointment_id": request.id, "staff_id": stan,
                    "when": start(1, "13:00"), **changes}
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                _reschedule(call.pop("actor"), call.pop("appointment_id"), call.pop("staff_id"),
                            call.pop("when"), private_note="note", message="message")
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert (_written(), _appointments()) == (before, state)


def test_decline_frees_the_slot_and_emails_the_message(clinic: Clinic) -> None:
    stan = clinic.stan.user_id
    request = _book(clinic.cleo, clinic.consult, stan, start(1, "10:00"))
    assert "10:00" not in free_starts(clinic.consult, on(1), NOW)[stan]

    view = _decline(clinic.sue, request.id, notify=True, message="  We are closed that week. ")

    assert (view.id, view.status) == (request.id, "declined")
    [row] = rows(Appointment)
    assert (row.status, row.holds_slot) == ("declined", False)
    [(to, subject, body)] = _emails("appointment_declined")
    assert (to, subject) == ("cleo@example.com", "Request declined: Consultation")
    assert "We are closed that week." in body
    assert _audit(request.id)[1:] == [
        (clinic.sue.user_id, "appointment_declined", "pending",
         f"declined {utc(1, '10:00').isoformat()}", "We are closed that week.")]
    assert "10:00" in free_starts(clinic.consult, on(1), NOW)[stan]

    # Without an email: only the audit row.
    quiet = _book(clinic.dan, clinic.coaching, stan, start(1, "11:00"))
    emails = count(OutboxMessage)
    assert _decline(clinic.stan, quiet.id, notify=False, message="unsent").status == "declined"
    assert count(OutboxMessage) == emails
    assert _audit(quiet.id)[1:] == [
        (clinic.stan.user_id, "appointment_declined", "pending", "declined", "")]

    # Declined stays declined; a confirmed appointment cannot be declined.
    booked = _book(clinic.dan, clinic.haircut, stan, start(1, "13:00"))
    before, state = _written(), _appointments()
    for done in (request.id, quiet.id, booked.id):
        with pytest.raises(InvalidTransition):
            _decline(clinic.stan, done)
    with pytest.raises(NotFound):
        _decline(clinic.stan, FAR)
    assert (_written(), _appointments()) == (before, state)


# --- refused bookings -----------------------------------------------------------------------------

BAD_BOOKINGS: dict[str, Callable[[Clinic], tuple[dict, object]]] = {
    "before_hours": lambda c: ({"when": start(1, "08:00")}, UNAVAILABLE),
    "lunch_break": lambda c: ({"when": start(1, "12:00")}, UNAVAILABLE),
    "at_closing": lambda c: ({"when": start(1, "16:00")}, UNAVAILABLE),
    "saturday": lambda c: ({"when": start(5, "10:00")}, UNAVAILABLE),
    "off_grid": lambda c: ({"when": start(1, "09:30")}, UNAVAILABLE),
    "earlier_today": lambda c: ({"when": start(0, "09:00")}, UNAVAILABLE),
    "started_today": lambda c: ({"when": start(0, "10:00")}, UNAVAILABLE),
    "last_week": lambda c: ({"when": start(-7, "09:00")}, OUT_OF_RANGE),
    "next_year": lambda c: ({"when": start(400, "09:00")}, OUT_OF_RANGE),
    "day_off": lambda c: ({"when": start(2, "09:00")}, UNAVAILABLE),
    "taken": lambda c: ({"when": start(1, "11:00")}, UNAVAILABLE),
    "taken_by_a_request": lambda c: ({"when": start(1, "13:00")}, UNAVAILABLE),
    "same_time_other_offset": lambda c: (
        {"when": datetime.fromisoformat(start(1, "11:00")).astimezone(UTC).isoformat()},
        UNAVAILABLE),
    "unknown_service": lambda c: ({"service_id": FAR}, NotFound),
    "service_id_as_text": lambda c: ({"service_id": str(c.haircut)}, NotFound),
    "no_service": lambda c: ({"service_id": None}, NotFound),
    "staff_not_delivering": lambda c: ({"service_id": c.consult, "staff_id": c.sue.user_id},
                                       NotFound),
    "customer_as_staff": lambda c: ({"staff_id": c.dan.user_id}, NotFound),
    "unknown_staff": lambda c: ({"staff_id": FAR}, NotFound),
    "staff_id_as_text": lambda c: ({"staff_id": str(c.stan.user_id)}, NotFound),
    "naive_time": lambda c: ({"when": f"{on(1).isoformat()}T09:00:00"}, TIME_INVALID),
    "a_day": lambda c: ({"when": on(1).isoformat()}, TIME_INVALID),
    "junk_time": lambda c: ({"when": "soon"}, TIME_INVALID),
    "no_time": lambda c: ({"when": None}, TIME_INVALID),
    "datetime_object": lambda c: ({"when": utc(1, "09:00")}, TIME_INVALID),
    "anonymous": lambda c: ({"actor": None}, Unauthenticated),
}


def test_bad_bookings_are_refused_and_write_nothing(clinic: Clinic,
                                                    subtests: pytest.Subtests) -> None:
    stan = clinic.stan.user_id
    add_day_off(clinic.admin, stan, on(2))
    _book(clinic.dan, clinic.haircut, stan, start(1, "11:00"))
    _book(clinic.dan, clinic.consult, stan, start(1, "13:00"))
    before, state = _written(), _appointments()
    for case, make in BAD_BOOKINGS.items():
        with subtests.test(case=case):
            changes, expected = make(clinic)
            call = {"actor": clinic.cleo, "service_id": clinic.haircut, "staff_id": stan,
                    "when": start(1, "09:00"), **changes}
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                _book(**call)
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert (_written(), _appointments()) == (before, state)
    # The default call itself is fine: the refusals above came from what each case changed.
    assert _book(clinic.cleo, clinic.haircut, stan, start(1, "09:00")).status == "confirmed"


STAFF_CALLS: dict[str, Callable[[Actor | None, Clinic, int], object]] = {
    "approve": lambda actor, c, a: approve_appointment(actor, a),
    "approve_with_reschedule": lambda actor, c, a: _reschedule(actor, a, c.stan.user_id,
                                                               start(1, "13:00")),
    "decline": lambda actor, c, a: _decline(actor, a, message="no"),
    "calendar": lambda actor, c, a: _calendar(actor, on(1), 7),
}


def test_customers_cannot_act_as_staff(clinic: Clinic, subtests: pytest.Subtests) -> None:
    request = _book(clinic.cleo, clinic.consult, clinic.stan.user_id, start(1, "10:00"))
    before, state = _written(), _appointments()
    for call in STAFF_CALLS:
        for who, error in [(None, Unauthenticated), (clinic.cleo, Forbidden),
                           (clinic.dan, Forbidden)]:
            with subtests.test(call=call, who=who and who.name):
                with pytest.raises(error):
                    STAFF_CALLS[call](who, clinic, request.id)
                assert (_written(), _appointments()) == (before, state)


# --- booking calendar -----------------------------------------------------------------------------


def test_calendar_shows_confirmed_and_pending_in_the_window(clinic: Clinic) -> None:
    stan, sue = clinic.stan.user_id, clinic.sue.user_id
    set_hours(clinic.admin, sue, weekly_hours(("00:00", "01:00"), ("10:00", "13:00")))
    today = _book(clinic.cleo, clinic.haircut, sue, start(0, "11:00"))
    booked = _book(clinic.cleo, clinic.haircut, stan, start(1, "09:00"))
    pending = _book(clinic.dan, clinic.consult, stan, start(1, "10:00"))
    declined = _book(clinic.dan, clinic.consult, stan, start(1, "13:00"))
    _decline(clinic.stan, declined.id)
    both = [_book(who, clinic.coaching, sue, start(2, "11:00")) for who in (clinic.cleo,
                                                                           clinic.dan)]
    midnight = _book(clinic.cleo, clinic.haircut, sue, start(6, "00:00"))  # Sunday, local
    next_week = _book(clinic.dan, clinic.haircut, stan, start(7, "09:00"))

    def ids(first_day: object, days: object, actor: Actor = clinic.stan) -> list[int]:
        return [v.id for v in _calendar(actor, first_day, days)]

    assert ids(on(1), 1) == [booked.id, pending.id]
    assert ids(on(1).isoformat(), 1, clinic.admin) == [booked.id, pending.id]
    assert sorted(ids(on(2), 1)) == sorted(b.id for b in both)  # conflicts are visible
    assert ids(on(5), 1) == []   # Saturday ends at local midnight
    assert ids(on(6), 1) == [midnight.id]
    assert ids(MON, 7)[:3] == [today.id, booked.id, pending.id]
    assert sorted(ids(MON, 7)) == sorted([today.id, booked.id, pending.id, midnight.id]
                                         + [b.id for b in both])
    assert ids(on(7), 7) == [next_week.id]
    assert ids(on(8), 1) == []

    [first, second] = _calendar(clinic.sue, on(1), 1)
    assert (first.service, first.staff, first.customer, first.status, first.start_at) == (
        "Haircut", "Stan Staff", "Cleo Customer", "confirmed", utc(1, "09:00"))
    assert (second.service, second.customer, second.status, second.requires_approval) == (
        "Consultation", "Dan Driver", "pending", True)


@pytest.mark.parametrize(("first_day", "days"), [
    ("MON", 0), ("MON", 2), ("MON", 14), ("MON", -7), ("MON", "7"), ("MON", None),
    ("junk", 7), (None, 1), ("2030-02-30", 1),
])
def test_calendar_refuses_bad_windows(clinic: Clinic, first_day: object, days: object) -> None:
    day = MON if first_day == "MON" else first_day
    with pytest.raises(ValidationFailed) as err:
        _calendar(clinic.stan, day, days)
    assert err.value.fields == {"day": "field.date_invalid"}
