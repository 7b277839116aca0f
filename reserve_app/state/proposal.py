"""The one-click page behind the link in a proposal email (the token is the credential)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_datetime, translate
from reserve_app.services import appointments

from . import base


class ProposalState(rx.State):
    service: str = ""
    when: str = ""
    done: str = ""
    _token: str = ""  # backend only: never sent back to the browser

    @rx.event
    async def load(self):
        self._token = base.query_param(self, "token", 64)
        self.service, self.when, self.done = "", "", ""
        try:
            view = await base.read(appointments.proposal_by_token, token=self._token,
                                   lang=await base.language_of(self))
        except DomainError:
            return
        if view.proposed_start is None or view.status != "pending":
            return
        lang = await base.language_of(self)
        self.service = view.service
        self.when = (f"{fmt_datetime(view.proposed_start, lang, base.viewer_timezone(self))}"
                     f" · {view.proposed_staff}")

    @rx.event
    async def respond(self, accept: bool):
        try:
            await base.write(appointments.respond_by_token, token=self._token, accept=accept)
        except DomainError as err:
            self.service = ""
            return await base.error_toast(self, err)
        self.done = translate(await base.language_of(self), "appointment.proposal_done")
