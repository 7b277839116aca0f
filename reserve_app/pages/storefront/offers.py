"""Storefront offers (/promotions, /promotion), the voucher (/voucher) and "My vouchers"."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import storefront_page
from reserve_app.pages.registry import page
from reserve_app.presenters.vouchers import OfferCard, VariantCard, VoucherCard
from reserve_app.state.kit.session import SessionState
from reserve_app.state.vouchers.vouchers import OffersState, VoucherState


def _offer_summary(o: OfferCard) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(rx.link(o.title, href="/promotion?id=" + o.id.to_string()), as_="h2",
                   size="5"),
        rx.text(o.description),
        rx.cond(o.valid != "", rx.text(o.valid, size="2", color_scheme="gray")),
        rx.text(t("voucher.from_price"), " ", iso(o.variants[0].price)),
        spacing="2", align="start"))


@page("/promotions", OffersState.load_all)
def promotions() -> rx.Component:
    return storefront_page(
        rx.heading(t("voucher.offers"), as_="h1", size="7"),
        rx.cond(OffersState.offers.length() == 0, rx.text(t("voucher.no_offers")),
                rx.vstack(rx.foreach(OffersState.offers, _offer_summary), spacing="3",
                          width="100%", margin_top="1rem")),
    )


def _variant(v: VariantCard) -> rx.Component:
    return rx.card(rx.flex(
        rx.vstack(rx.heading(v.name, as_="h3", size="4"), rx.text(v.price, weight="bold"),
                  rx.text(v.detail, size="1", color_scheme="gray"), spacing="1"),
        rx.spacer(),
        rx.cond(SessionState.logged_in,
                rx.button(t("voucher.buy"), aria_label=t("voucher.buy") + ": " + v.name,
                          on_click=OffersState.buy(v.id)),
                rx.link(rx.button(t("voucher.login_to_buy")), href="/login?next=/promotions")),
        align="center", spacing="3", wrap="wrap"))


@page("/promotion", OffersState.load_one)
def promotion() -> rx.Component:
    return storefront_page(
        rx.cond(
            OffersState.offer.length() == 0,
            rx.callout(t("error.not_found")),
            rx.foreach(OffersState.offer, lambda o: rx.vstack(
                rx.heading(o.title, as_="h1", size="7"),
                rx.text(o.description),
                rx.cond(o.valid != "", rx.text(o.valid, size="2", color_scheme="gray")),
                rx.cond(o.required_action != "", rx.text(
                    t("voucher.required_action"), ": ", o.required_action, size="2")),
                rx.heading(t("voucher.choose_variant"), as_="h2", size="5"),
                rx.vstack(rx.foreach(o.variants, _variant), spacing="2", width="100%"),
                spacing="3", width="100%")),
        ),
    )


def _voucher(v: VoucherCard) -> rx.Component:
    return rx.vstack(
        rx.heading(t("voucher.title"), as_="h1", size="7"),
        rx.text(iso(v.promotion), " · ", iso(v.variant), size="4"),
        rx.flex(
            rx.box(rx.text(t("voucher.code"), size="2", color_scheme="gray"),
                   rx.text(v.code, font_family="monospace", size="7", weight="bold",
                           class_name="voucher-code")),
            rx.image(src=v.qr, alt=t("voucher.qr_alt"), width="132px", height="132px"),
            padding="1rem", border="2px dashed var(--gray-a8)", border_radius="8px",
            spacing="4", align="center", wrap="wrap"),
        rx.cond(v.cancelled,
                rx.callout(t("voucher.cancelled_notice"), color="gray")),
        rx.cond(
            v.required_action != "",
            rx.cond(
                v.action_done,
                rx.callout(rx.vstack(
                    rx.text(t("voucher.action_done"), ": ", v.required_action, weight="bold"),
                    rx.text(t("voucher.action_done_on"), " ", v.action_done_at),
                    spacing="1"), color="green", role="status", class_name="action-done"),
                rx.box(
                    rx.heading(t("voucher.action_required"), as_="h2", size="4"),
                    rx.text(v.required_action, weight="bold"),
                    rx.heading(t("voucher.how_to_redeem"), as_="h3", size="3",
                               margin_top="0.5rem"),
                    rx.text(v.instructions, white_space="pre-wrap"),
                    role="alert", class_name="action-required",
                    padding="1rem", border="2px solid var(--red-9)",
                    background="var(--red-a3)", border_radius="8px", width="100%"),
            ),
        ),
        rx.text(t("price.total"), ": ", iso(v.total), " · ", v.payment),
        rx.text(t("voucher.bought_on"), " ", v.created, size="2", color_scheme="gray"),
        rx.button(t("voucher.print"), variant="soft", class_name="no-print",
                  on_click=rx.call_script("window.print()")),
        spacing="3", align="start", width="100%", max_width="40rem",
    )


@page("/voucher", VoucherState.load)
def voucher() -> rx.Component:
    return storefront_page(
        rx.cond(VoucherState.voucher.length() == 0, rx.callout(t("error.not_found")),
                rx.foreach(VoucherState.voucher, _voucher)),
    )


def _mine(v: VoucherCard) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(iso(v.code), href="/voucher?code=" + v.code)),
        rx.table.cell(iso(v.promotion), " · ", iso(v.variant)),
        rx.table.cell(v.status_label),
        rx.table.cell(rx.cond(v.required_action == "", "—",
                              rx.cond(v.action_done, t("voucher.action_done"),
                                      t("voucher.action_not_done")))),
    )


@page("/vouchers", VoucherState.load_mine)
def my_vouchers() -> rx.Component:
    return storefront_page(
        rx.heading(t("voucher.mine"), as_="h1", size="7"),
        rx.cond(VoucherState.vouchers.length() == 0, rx.text(t("voucher.none")),
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("voucher.code")),
                        rx.table.column_header_cell(t("voucher.col.offer")),
                        rx.table.column_header_cell(t("voucher.col.status")),
                        rx.table.column_header_cell(t("voucher.col.action")))),
                    rx.table.body(rx.foreach(VoucherState.vouchers, _mine)), width="100%",
                    margin_top="1rem")),
    )
