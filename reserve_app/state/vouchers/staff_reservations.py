"""Staff "Reservations" (/staff/reservations): filters, pages, selection, CSV export; and
"Edit reservation" (/staff/reservation?id=…)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain import vouchers as rules
from reserve_app.domain.errors import DomainError, ValidationFailed
from reserve_app.i18n import translate
from reserve_app.presenters.vouchers import (
    ReservationLine,
    VoucherCard,
    reservation_line,
    voucher_card,
)
from reserve_app.services import vouchers
from reserve_app.services.billing import settle
from reserve_app.state import kit


class StaffReservationsState(rx.State):
    rows: list[ReservationLine] = []
    promotions: list[dict[str, str]] = []     # {"id", "title"}
    variants: list[dict[str, str]] = []       # {"id", "label"} (all promotions')
    promotion: str = ""
    variant: str = ""
    action: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    selected: list[int] = []
    all_matching: bool = False

    def _filter(self) -> rules.ReservationFilter:
        return rules.parse_filter(self.promotion, self.variant, self.action)

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        choices = await kit.read(vouchers.filter_choices, actor=actor)
        self.promotions = [{"id": str(pid), "title": title} for pid, title, _ in choices]
        self.variants = [{"id": str(vid), "label": f"{title} · {name}"}
                         for _, title, vs in choices for vid, name in vs]
        try:
            found, self.total = await kit.read(vouchers.reservations, actor=actor,
                                                f=self._filter(), page=self.page)
        except ValidationFailed:
            self.promotion = self.variant = self.action = ""
            found, self.total = await kit.read(vouchers.reservations, actor=actor,
                                                f=rules.ReservationFilter(), page=1)
        self.pages = rules.page_count(self.total)
        self.page = min(self.page, self.pages)
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        self.rows = [reservation_line(r, lang, tz) for r in found]

    @rx.event
    async def load(self):
        self.page, self.selected, self.all_matching = 1, [], False
        return await kit.open_page(self, "staff")

    @rx.event
    async def apply(self, form: dict):
        self.promotion = kit.text_field(form, "promotion", 12)
        self.variant = kit.text_field(form, "variant", 12)
        self.action = kit.text_field(form, "action", 12)
        self.page, self.selected, self.all_matching = 1, [], False
        return await self._refresh()

    @rx.event
    async def go(self, page: int):
        if isinstance(page, int) and not isinstance(page, bool):
            self.page = max(1, page)
            return await self._refresh()
        return None

    async def _refresh(self) -> rx.event.EventSpec | None:
        try:
            await self._reload()
        except DomainError as err:   # e.g. not staff: told so, nothing shown
            self.rows = []
            return await kit.error_toast(self, err)
        return None

    @rx.event
    def toggle(self, reservation_id: int, on: bool):
        if not isinstance(reservation_id, int) or isinstance(reservation_id, bool):
            return
        rest = [i for i in self.selected if i != reservation_id]
        self.selected = ([*rest, reservation_id] if on else rest)[-1000:]

    @rx.event
    def toggle_all(self, on: bool):
        self.all_matching = bool(on)

    @rx.event
    async def export(self):
        """The file comes from POST /api/reservations/export (a real download): the chosen
        rows, or every row matching the filter."""
        if not self.all_matching and not self.selected:
            return rx.toast.error(translate(await kit.language_of(self),
                                            "voucher.export_none"))
        fields = {"promotion": self.promotion, "variant": self.variant, "action": self.action}
        fields["ids"] = "all" if self.all_matching else ",".join(map(str, self.selected))
        return kit.download_by_post("/api/reservations/export", fields)


class ReservationState(rx.State):
    reservation: list[VoucherCard] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    async def _reload(self) -> None:
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        try:
            view = await kit.read_as_caller(self, vouchers.reservation,
                                            reservation_id=kit.int_param(self, "id"))
        except DomainError:
            self.reservation = []
            return
        self.reservation = [voucher_card(view, lang, tz)]

    @rx.event
    async def load(self):
        return await kit.open_page(self, "staff")

    def _shown(self) -> int:
        """The reservation this tab shows (0: none loaded, and then no action runs)."""
        return self.reservation[0].id if self.reservation else 0

    @rx.event
    async def set_done(self, done: bool):
        if not self._shown():
            return None
        return await kit.save_and_reload(self, vouchers.set_action_done,
                                          reservation_id=self._shown(), done=done)

    @rx.event
    async def save_notes(self, form: dict):
        if not self._shown():
            return None
        return await kit.save_and_reload(
            self, vouchers.save_notes, reservation_id=self._shown(),
            notes=form.get("notes") if isinstance(form, dict) else None)

    @rx.event
    async def cancel(self):
        """Cancelled here, then its card payments given up at Stripe (billing.settle)."""
        if not self._shown():
            return None
        return await kit.settle(self, settle.cancel_and_release, vouchers.cancel,
                                order_kind=vouchers.ORDER_KIND, order_id=self._shown(),
                                reservation_id=self._shown(), success="staff.saved")

    @rx.event
    async def approve_payment(self):
        """Captured at Stripe if the card is held there, else approved here."""
        if not self.reservation or not self.reservation[0].pending_payment:
            return None
        return await kit.settle(self, settle.capture_or_approve, vouchers.approve_payment,
                                payment_id=self.reservation[0].pending_payment,
                                reservation_id=self._shown(), success="staff.saved")
