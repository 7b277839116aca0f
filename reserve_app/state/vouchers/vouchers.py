"""Storefront offers (/promotions, /promotion?id=…), buying a variant, and the customer's
vouchers (/voucher?code=…, /vouchers)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError, Unauthenticated
from reserve_app.presenters.vouchers import OfferCard, VoucherCard, offer_card, voucher_card
from reserve_app.services import vouchers
from reserve_app.services.rentals import business_today
from reserve_app.state import kit


class OffersState(rx.State):
    offers: list[OfferCard] = []
    offer: list[OfferCard] = []       # the one promotion on /promotion (empty: not found)

    @rx.event
    async def load_all(self):
        lang = await kit.language_of(self)
        self.offers = [offer_card(p, lang)
                       for p in await kit.read(vouchers.offers, today=business_today(),
                                                lang=lang)]

    @rx.event
    async def load_one(self):
        lang = await kit.language_of(self)
        try:
            view = await kit.read(vouchers.offer, promotion_id=kit.int_param(self, "id"),
                                   today=business_today(), lang=lang)
        except DomainError:
            self.offer = []
            return
        self.offer = [offer_card(view, lang)]

    @rx.event
    async def buy(self, variant_id: int):
        """"Buy": the reservation and its voucher, then the voucher page."""
        try:
            code = await kit.write_as_caller(self, vouchers.buy, variant_id=variant_id,
                                              today=business_today())
        except Unauthenticated:
            return await kit.page_access(self, None, "login")
        except DomainError as err:
            return await kit.fail(self, err)
        view = await kit.read_as_caller(self, vouchers.voucher, code=code)
        if (go := await kit.pay_online(self, vouchers.ORDER_KIND, view.id)) is not None:
            return go   # with Stripe: pay first; Checkout returns to /payment/return
        return rx.redirect(f"/voucher?code={code}")


class VoucherState(rx.State):
    voucher: list[VoucherCard] = []   # empty: not found (or not theirs)
    vouchers: list[VoucherCard] = []

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        try:
            view = await kit.read(vouchers.voucher, actor=actor,
                                   code=kit.query_param(self, "code", 40), lang=lang)
        except DomainError:
            self.voucher = []
            return None
        self.voucher = [voucher_card(view, lang, tz)]
        return None

    @rx.event
    async def load_mine(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        self.vouchers = [voucher_card(v, lang, tz)
                         for v in await kit.read(vouchers.my_vouchers, actor=actor,
                                                  lang=lang)]
        return None
