"""Files on a ticket: uploaded first (kept for the caller's next message), taken back while
not sent, and opened by the download route for those who may see them.

The files live in the private attachments folder under random names. A file is written
before its row is committed, so the unit of work removes it again if the transaction does
not commit (`uow.on_rollback`); a file taken back is removed once its row is gone for good
(`uow.on_commit`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlmodel import Session, col, func, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.tickets import TicketStatus
from reserve_app.models import TicketAttachment
from reserve_app.services import uow
from reserve_app.settings import get_settings

from .common import ticket_for
from .views import AttachmentView, FileToSend


def attach(session: Session, *, actor: Actor | None, ticket_id: object, filename: object,
           data: bytes) -> AttachmentView:
    """Keep an uploaded file for the caller's next message on the ticket. The type comes from
    the file's first bytes (PNG, JPEG, PDF); the name is cleaned; the file is written under a
    random name in the private attachments folder."""
    who = require_login(actor)
    ticket = ticket_for(session, who, ticket_id)
    if not rules.can_reply(TicketStatus(ticket.status)):
        raise DomainError("ticket.closed")
    rules.check_size(len(data))
    kind = rules.sniff(data[:16])
    waiting = session.exec(select(func.count()).select_from(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id, col(TicketAttachment.entry_id).is_(None),
        TicketAttachment.uploader_id == who.user_id)).one()
    if waiting >= rules.MAX_FILES_PER_MESSAGE:
        raise ValidationFailed({"file": "ticket.too_many_files"})
    stored = f"{secrets.token_hex(16)}.{kind.extension}"
    path = _folder() / stored
    temp = path.with_suffix(".part")

    def remove() -> None:       # the row never lands: neither does the file
        temp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    uow.on_rollback(session, remove)
    with open(temp, "xb") as out:
        out.write(data)
    os.replace(temp, path)
    row = TicketAttachment(ticket_id=ticket.id or 0, uploader_id=who.user_id,
                           stored_name=stored, filename=rules.safe_filename(filename, kind),
                           content_type=kind.mime, size=len(data))
    session.add(row)
    session.flush()
    return AttachmentView(row.id or 0, row.filename, row.content_type, row.size)


def drop_pending(session: Session, *, actor: Actor | None, attachment_id: object) -> None:
    """Take back a file not sent yet (only one's own)."""
    who = require_login(actor)
    row = session.get(TicketAttachment, record_id(attachment_id))
    if row is None or row.uploader_id != who.user_id or row.entry_id is not None:
        raise NotFound()
    stored = row.stored_name
    session.delete(row)
    path = _folder() / stored
    uow.on_commit(session, lambda: path.unlink(missing_ok=True))   # the row is gone for good


def open_attachment(session: Session, *, actor: Actor | None, attachment_id: object
                    ) -> FileToSend:
    """For the download route: staff any file; a customer only files of their own tickets that
    were not sent with an internal note (and not others' unsent files)."""
    who = require_login(actor)
    row = session.get(TicketAttachment, record_id(attachment_id))
    if row is None:
        raise NotFound()
    ticket = ticket_for(session, who, row.ticket_id)
    if not who.is_staff and (row.internal or ticket.customer_id != who.user_id
                             or (row.entry_id is None and row.uploader_id != who.user_id)):
        raise NotFound()
    path = _folder() / row.stored_name
    if not path.is_file():
        raise NotFound()
    return FileToSend(path, row.filename, row.content_type)


def _folder() -> Path:
    folder = Path(get_settings().attachments_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
