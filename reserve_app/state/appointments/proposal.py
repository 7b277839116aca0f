"""The one-click page behind the link in a proposal email (the token is the credential)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_datetime, translate
from reserve_app.services import appointments
from reserve_app.state import kit


class ProposalState(rx.State):
    service: str = ""
    when: str = ""
    done: str = ""
    _token: str = ""  # backend only: never sent back to the browser

    @rx.event
    async def load(self):
        self._token = kit.query_param(self, "token", 64)
        self.service, self.when, self.done = "", "", ""
        try:
            view = await kit.read(appointments.proposal_by_token, token=self._token,
                                   lang=await kit.language_of(self))
        except DomainError:
            return
        if view.proposed_start is None or not view.proposal_open:
            return
        lang = await kit.language_of(self)
        self.service = view.service
        self.when = (f"{fmt_datetime(view.proposed_start, lang, kit.viewer_timezone(self))}"
                     f" · {view.proposed_staff}")

    @rx.event
    async def respond(self, accept: bool):
        try:
            await kit.write(appointments.respond_by_token, token=self._token, accept=accept)
        except DomainError as err:
            self.service = ""
            return await kit.error_toast(self, err)
        self.done = translate(await kit.language_of(self), "appointment.proposal_done")
