"""Proposals: staff suggest a new time (and staff member) for a pending request; the
customer accepts or rejects it in one click, from their bookings or from the email's link
(the link's token is the only credential)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from reserve_app.domain import appointments as rules
from reserve_app.domain.accounts import Actor, require_login, require_staff
from reserve_app.domain.appointments import AppointmentStatus, Slot
from reserve_app.domain.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    SlotTaken,
    ValidationFailed,
)
from reserve_app.models import Appointment, User
from reserve_app.models.base import utcnow
from reserve_app.services.accounts.auth import hash_token
from reserve_app.services.platform import audit, db, outbox
from reserve_app.settings import get_settings

from .common import (
    ENTITY,
    AppointmentView,
    active_service,
    business_tz,
    delivering_staff,
    local_time,
    locked_request,
    service_name,
    view_of,
)
from .slots import confirm_at, free_slot_at, requested_start, slots_for


def propose_time(session: Session, *, actor: Actor | None, appointment_id: object,
                 staff_id: object, start: object, message: object = "",
                 now: datetime | None = None) -> AppointmentView:
    """Send the customer a new time (and staff member) for a pending request."""
    staff = require_staff(actor)
    a = locked_request(session, appointment_id)
    if not rules.awaits_decision(AppointmentStatus(a.status)):
        raise InvalidTransition(a.status, "proposed")
    service = active_service(session, a.service_id)
    new_staff = delivering_staff(session, service, staff_id)
    when = requested_start(start)
    slot = free_slot_at(session, service, new_staff.id or 0, when, start, now or utcnow(),
                        exclude=a.id)
    token = secrets.token_urlsafe(24)
    a.proposed_start, a.proposed_end = slot.start, slot.end
    a.proposed_staff_id, a.proposal_token_hash = new_staff.id, hash_token(token)
    text = message.strip()[:1000] if isinstance(message, str) else ""
    audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                 action="appointment_proposed", new=slot.start.isoformat(), note=text)
    customer = session.get(User, a.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="appointment_proposal",
                            language=customer.language, name=customer.name,
                            service=service_name(session, service.id, customer.language,
                                                 service.name),
                            staff=new_staff.name,
                            when=local_time(slot.start, customer.language),
                            link=f"{get_settings().app_url}/proposal?token={token}",
                            message=f"\n\n{text}" if text else "")
    session.flush()
    return view_of(session, a)


def _respond(session: Session, a: Appointment, customer_id: int, accept: bool,
             now: datetime) -> AppointmentView:
    if a.proposed_start is None or not rules.awaits_decision(AppointmentStatus(a.status)):
        raise DomainError("appointment.no_proposal")
    service = active_service(session, a.service_id)
    staff_id = a.proposed_staff_id or a.staff_id
    proposed = Slot(a.proposed_start, a.proposed_end or a.proposed_start)
    a.proposed_start = a.proposed_end = a.proposal_token_hash = None
    a.proposed_staff_id = None
    if accept:
        db.serialize_on(session, f"staff-time:{staff_id}")
        day = proposed.start.astimezone(business_tz()).date()
        if proposed not in slots_for(session, service, staff_id, day, now, exclude=a.id):
            raise SlotTaken("appointment.proposal_taken")  # the unit of work rolls back
        confirm_at(session, a, staff_id, proposed)
    audit.record(session, actor_id=customer_id, entity=ENTITY, entity_id=a.id or 0,
                 action="proposal_accepted" if accept else "proposal_rejected",
                 new=proposed.start.isoformat())
    staff = session.get(User, staff_id)
    customer = session.get(User, customer_id)
    if staff is not None and customer is not None:
        outbox.record_email(session, to=staff.email,
                            kind="proposal_accepted" if accept else "proposal_rejected",
                            language=staff.language, name=staff.name, customer=customer.name,
                            service=service_name(session, service.id, staff.language,
                                                 service.name),
                            when=local_time(a.start_at, staff.language))
    session.flush()
    return view_of(session, a)


def respond_to_proposal(session: Session, *, actor: Actor | None, appointment_id: object,
                        accept: object, now: datetime | None = None) -> AppointmentView:
    """The customer accepts (re-checking the time is still free) or rejects a proposal."""
    customer = require_login(actor)
    if not isinstance(accept, bool):
        raise ValidationFailed({"accept": "field.choice_invalid"})
    a = locked_request(session, appointment_id)
    if a.customer_id != customer.user_id:
        raise NotFound()
    return _respond(session, a, customer.user_id, accept, now or utcnow())


def proposal_by_token(session: Session, *, token: object, lang: str = "") -> AppointmentView:
    """The proposal behind an email link (the link's token is the only credential)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise NotFound()
    a = session.exec(select(Appointment).where(
        Appointment.proposal_token_hash == hash_token(token))).first()
    if a is None:
        raise NotFound()
    view = view_of(session, a)
    return replace(view, service=service_name(session, a.service_id, lang, view.service))


def respond_by_token(session: Session, *, token: object, accept: object,
                     now: datetime | None = None) -> AppointmentView:
    """One click from the email: accept or reject; the link works once."""
    if not isinstance(accept, bool):
        raise ValidationFailed({"accept": "field.choice_invalid"})
    view = proposal_by_token(session, token=token)
    a = locked_request(session, view.id)
    if a.proposal_token_hash != hash_token(str(token)):
        raise NotFound()
    return _respond(session, a, a.customer_id, accept, now or utcnow())
