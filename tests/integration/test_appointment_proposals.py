"""Staff propose a new time; the customer accepts or rejects it in one click (My bookings or
the link in the email), and accepting re-checks that the time is still free."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from sqlmodel import select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError, Forbidden, NotFound, SlotTaken
from reserve_app.models import Appointment, AuditEntry, OutboxMessage
from reserve_app.services import appointments, uow

from .helpers import (
    BUSINESS_TZ,
    add_admin,
    add_service,
    add_user,
    book_appointment,
    configure,
    count,
    local_start,
    monday_ahead,
    rows,
    set_hours,
    weekly_hours,
)

MON = monday_ahead()
NOW = datetime.combine(MON, time(7), tzinfo=UTC)


@pytest.fixture(autouse=True)
def business_time_zone(settings_env: pytest.MonkeyPatch) -> None:
    configure(settings_env, DEFAULT_TIMEZONE=BUSINESS_TZ)


@pytest.fixture
def world() -> dict:
    admin = add_admin()
    stan = add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo", "cleo@example.com", Role.CUSTOMER)
    dan = add_user("Dan", "dan@example.com", Role.CUSTOMER)
    set_hours(admin, stan.user_id, weekly_hours(("09:00", "12:00"), weekdays=range(5)))
    service = add_service(admin, "Consultation", [stan.user_id], approval=True, multiple=True)
    request = book_appointment(cleo, service, stan.user_id, local_start(MON, "09:00"), now=NOW)
    return {"admin": admin, "stan": stan, "cleo": cleo, "dan": dan, "service": service,
            "request": request}


def propose(actor: Actor | None, request_id: int, stan: Actor, hh_mm: str = "11:00",
            message: str = "") -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.propose_time(session, actor=actor, appointment_id=request_id,
                                         staff_id=stan.user_id, start=local_start(MON, hh_mm),
                                         message=message, now=NOW)


def respond(actor: Actor | None, request_id: int, accept: object) -> appointments.AppointmentView:
    with uow.write_session() as session:
        return appointments.respond_to_proposal(session, actor=actor, appointment_id=request_id,
                                                accept=accept, now=NOW)


def link_token() -> str:
    [mail] = rows(OutboxMessage, OutboxMessage.kind == "appointment_proposal")
    return re.search(r"/proposal\?token=([\w-]+)", mail.body).group(1)


def test_proposal_is_emailed_and_accepted_from_my_bookings(world: dict) -> None:
    view = propose(world["stan"], world["request"].id, world["stan"], message="Later is calmer")
    assert view.status == "pending" and view.proposed_start is not None
    [mail] = rows(OutboxMessage, OutboxMessage.kind == "appointment_proposal")
    assert mail.to_email == "cleo@example.com" and "Later is calmer" in mail.body

    accepted = respond(world["cleo"], world["request"].id, True)
    assert accepted.status == "confirmed" and accepted.proposed_start is None
    assert accepted.start_at.astimezone(UTC) == datetime.fromisoformat(
        local_start(MON, "11:00")).astimezone(UTC)
    assert count(OutboxMessage, OutboxMessage.kind == "proposal_accepted") == 1
    assert [a.action for a in rows(AuditEntry, AuditEntry.entity == "appointment")][-2:] == [
        "appointment_proposed", "proposal_accepted"]


def test_email_link_works_once_and_rejecting_keeps_the_request(world: dict) -> None:
    propose(world["stan"], world["request"].id, world["stan"])
    token = link_token()
    with uow.read_session() as session:
        assert appointments.proposal_by_token(session, token=token).id == world["request"].id
    with uow.write_session() as session:
        view = appointments.respond_by_token(session, token=token, accept=False, now=NOW)
    assert view.status == "pending" and view.proposed_start is None
    assert count(OutboxMessage, OutboxMessage.kind == "proposal_rejected") == 1
    with uow.write_session() as session, pytest.raises(NotFound):
        appointments.respond_by_token(session, token=token, accept=True, now=NOW)


def test_accepting_rechecks_that_the_time_is_still_free(world: dict) -> None:
    propose(world["stan"], world["request"].id, world["stan"], "11:00")
    other = book_appointment(world["dan"], world["service"], world["stan"].user_id,
                             local_start(MON, "11:00"), now=NOW)
    with uow.write_session() as session:
        appointments.approve(session, actor=world["stan"], appointment_id=other.id)
    with pytest.raises(SlotTaken):
        respond(world["cleo"], world["request"].id, True)
    [mine] = rows(Appointment, Appointment.id == world["request"].id)
    assert mine.status == "pending" and not mine.holds_slot


def test_only_staff_propose_and_only_the_customer_answers(world: dict) -> None:
    request_id = world["request"].id
    emails = count(OutboxMessage)
    for actor, error in ((world["cleo"], Forbidden), (None, DomainError)):
        with pytest.raises(error):
            propose(actor, request_id, world["stan"])
    propose(world["stan"], request_id, world["stan"])
    with pytest.raises(NotFound):
        respond(world["dan"], request_id, True)  # another customer's request
    with pytest.raises(DomainError):
        respond(world["cleo"], request_id, "yes")  # not a boolean
    with pytest.raises(NotFound), uow.write_session() as session:
        appointments.respond_by_token(session, token="x" * 32, accept=True, now=NOW)
    assert count(OutboxMessage) == emails + 1
    with uow.read_session() as session:
        mine = session.exec(select(Appointment).where(Appointment.id == request_id)).one()
    assert mine.status == "pending" and mine.proposed_start is not None
