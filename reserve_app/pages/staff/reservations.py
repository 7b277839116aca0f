"""Staff "Reservations" (filters, selection, CSV), "Edit reservation", admin "Promotions"."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import field, staff_page
from reserve_app.pages.registry import page
from reserve_app.presenters.vouchers import ReservationLine, VoucherCard
from reserve_app.state.kit.session import SessionState
from reserve_app.state.shop.promotions import PromotionItem, PromotionsAdminState, VariantItem
from reserve_app.state.vouchers.staff_reservations import ReservationState, StaffReservationsState


def _select(label_key: str, name: str, value: rx.Var, *options: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"filter-{name}", font_weight="500"),
        rx.el.select(rx.el.option(t("voucher.filter.any"), value=""), *options,
                     id=f"filter-{name}", name=name, default_value=value,
                     class_name="native-select"),
        spacing="1")


def _filters() -> rx.Component:
    s = StaffReservationsState
    return rx.form(
        rx.flex(
            _select("voucher.filter.promotion", "promotion", s.promotion,
                    rx.foreach(s.promotions, lambda p: rx.el.option(p["title"],
                                                                   value=p["id"]))),
            _select("voucher.filter.variant", "variant", s.variant,
                    rx.foreach(s.variants, lambda v: rx.el.option(v["label"], value=v["id"]))),
            _select("voucher.filter.action", "action", s.action,
                    rx.el.option(t("voucher.action_done"), value="done"),
                    rx.el.option(t("voucher.action_not_done"), value="not_done")),
            rx.button(t("voucher.filter.apply"), type="submit"),
            spacing="3", align="end", wrap="wrap"),
        on_submit=s.apply, key=s.promotion + s.variant + s.action, margin_block="1rem")


def _row(r: ReservationLine) -> rx.Component:
    s = StaffReservationsState
    return rx.table.row(
        rx.table.cell(rx.el.input(
            type="checkbox", checked=s.selected.contains(r.id) | s.all_matching,
            disabled=s.all_matching, aria_label=t("voucher.select") + " " + r.code,
            on_change=lambda on: s.toggle(r.id, on))),
        rx.table.cell(rx.text(r.code, font_family="monospace")),
        rx.table.cell(r.customer, rx.text(r.email, size="1", color_scheme="gray")),
        rx.table.cell(iso(r.promotion), " · ", iso(r.variant)),
        rx.table.cell(r.status_label),
        rx.table.cell(rx.text(r.action, color=rx.cond(r.action_done, "var(--green-11)",
                                                       "var(--red-11)"))),
        rx.table.cell(r.created),
        rx.table.cell(rx.link(t("voucher.edit"), href="/staff/reservation?id=" + r.id.to_string(),
                              aria_label=t("voucher.edit") + " " + r.code)),
    )


@page("/staff/reservations", StaffReservationsState.load)
def reservations() -> rx.Component:
    s = StaffReservationsState
    return staff_page(
        rx.heading(t("voucher.reservations"), as_="h1", size="6"),
        _filters(),
        rx.flex(
            rx.el.label(rx.el.input(type="checkbox", checked=s.all_matching,
                                    on_change=s.toggle_all),
                        " ", t("voucher.select_all_matching"), " (", s.total, ")",
                        display="flex", gap="0.5rem"),
            rx.button(t("voucher.export"), on_click=s.export),
            spacing="4", align="center", wrap="wrap"),
        rx.cond(s.rows.length() == 0, rx.text(t("voucher.no_reservations"), margin_top="1rem"),
                rx.table.root(
                    rx.table.header(rx.table.row(
                        *[rx.table.column_header_cell(t(k)) for k in (
                            "voucher.col.select", "voucher.code", "voucher.csv.customer",
                            "voucher.col.offer", "voucher.col.status", "voucher.col.action",
                            "voucher.csv.created_at", "voucher.col.edit")])),
                    rx.table.body(rx.foreach(s.rows, _row)), width="100%", margin_top="1rem")),
        rx.flex(
            rx.button(t("voucher.previous"), variant="soft", disabled=s.page <= 1,
                      on_click=s.go(s.page - 1)),
            rx.text(t("voucher.page"), " ", iso(s.page, " / ", s.pages)),
            rx.button(t("voucher.next"), variant="soft", disabled=s.page >= s.pages,
                      on_click=s.go(s.page + 1)),
            spacing="3", align="center", margin_top="1rem"),
    )


def _detail(v: VoucherCard) -> rx.Component:
    s = ReservationState
    return rx.vstack(
        rx.heading(t("voucher.edit_title"), " ", iso(v.code), as_="h1", size="6"),
        rx.text(iso(v.customer), " · ", iso(v.email)),
        rx.text(iso(v.promotion), " · ", iso(v.variant), " · ", iso(v.total), " · ", v.payment),
        rx.text(t("voucher.col.status"), ": ", v.status_label),
        rx.cond(v.required_action != "", rx.card(rx.vstack(
            rx.text(t("voucher.required_action"), ": ", v.required_action, weight="bold"),
            rx.el.label(rx.el.input(type="checkbox", checked=v.action_done,
                                    on_change=s.set_done),
                        " ", t("voucher.action_completed"), display="flex", gap="0.5rem"),
            rx.cond(v.action_done, rx.text(t("voucher.action_done_on"), " ", v.action_done_at,
                                           size="2")),
            spacing="2"))),
        rx.form(rx.vstack(
            rx.el.label(t("voucher.notes"), html_for="field-notes", font_weight="500"),
            rx.text_area(id="field-notes", name="notes", default_value=v.notes,
                         max_length=2000, width="100%"),
            rx.button(t("voucher.save_notes"), type="submit"),
            spacing="2", align="stretch", width="100%"),
            on_submit=s.save_notes, key=s.form_key.to_string(), width="100%"),
        rx.flex(
            rx.cond((v.pending_payment > 0) & SessionState.is_admin,
                    rx.button(t("voucher.approve_payment"), color_scheme="green",
                              on_click=s.approve_payment)),
            rx.cond(v.can_cancel,
                    rx.button(t("voucher.cancel"), color_scheme="red", variant="soft",
                              on_click=s.cancel)),
            spacing="3", wrap="wrap"),
        spacing="3", align="start", width="100%", max_width="40rem")


@page("/staff/reservation", ReservationState.load)
def reservation() -> rx.Component:
    return staff_page(
        rx.link(t("voucher.reservations"), href="/staff/reservations"),
        rx.cond(ReservationState.reservation.length() == 0, rx.callout(t("error.not_found")),
                rx.foreach(ReservationState.reservation, _detail)),
    )


def _variant_row(p: PromotionItem, v: VariantItem) -> rx.Component:
    s = PromotionsAdminState
    e = s.errors
    return rx.vstack(
        rx.hstack(rx.text(iso(v.name), " · ", iso(v.price), " (", iso(v.tax_rate), "%)"),
                  rx.button(t("common.edit"), size="1", variant="ghost",
                            aria_label=t("voucher.edit_variant") + ": " + v.name,
                            on_click=s.edit_variant(v.id)),
                  rx.button(t("voucher.remove_variant"), size="1", variant="ghost",
                            color_scheme="red",
                            aria_label=t("voucher.remove_variant") + ": " + v.name,
                            on_click=s.remove_variant(v.id)),
                  align="center"),
        # The edit form, filled with the values in force; which variant it edits travels in
        # hidden inputs (a form inside foreach must not capture the row in on_submit).
        rx.cond(s.editing_variant == v.id, rx.form(
            rx.vstack(
                rx.heading(t("voucher.edit_variant"), as_="h3", size="3"),
                rx.el.input(type="hidden", name="promotion_id", value=p.id),
                rx.el.input(type="hidden", name="variant_id", value=v.id),
                field("voucher.variant_name", "v_name", errors=e, required=True,
                      default_value=v.name, max_length=120),
                field("voucher.variant_price", "v_price", errors=e, required=True,
                      default_value=v.price, input_mode="decimal"),
                field("catalogue.tax_rate", "v_tax_rate", errors=e, default_value=v.tax_rate,
                      input_mode="decimal"),
                rx.hstack(rx.button(t("common.save_changes"), type="submit"),
                          rx.button(t("common.cancel"), type="button", variant="soft",
                                    on_click=s.cancel_variant)),
                spacing="2", width="100%"),
            on_submit=s.save_variant, aria_label=t("voucher.edit_variant"),
            key="v" + v.id.to_string() + "-" + s.form_key.to_string(), max_width="24rem",
            padding="0.75rem", border="1px solid var(--accent-8)",
            border_radius="var(--radius-3)")),
        spacing="1", align="start")


def _promotion_card(p: PromotionItem) -> rx.Component:
    s = PromotionsAdminState
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(p.title, as_="h2", size="4"),
                  rx.cond(~p.active, rx.badge(t("voucher.inactive"))),
                  rx.button(t("common.edit"), size="1", variant="soft",
                            aria_label=t("voucher.edit_promotion") + ": " + p.title,
                            on_click=s.edit(p.id)), align="center"),
        rx.cond(p.required_action != "", rx.text(t("voucher.required_action"), ": ",
                                                 p.required_action, size="2")),
        rx.foreach(p.variants, lambda v: _variant_row(p, v)),
        rx.form(rx.flex(
            rx.input(name="name", placeholder=t("voucher.variant_name"),
                     aria_label=t("voucher.variant_name") + " (" + p.title + ")"),
            rx.input(name="price", placeholder=t("voucher.variant_price"),
                     aria_label=t("voucher.variant_price") + " (" + p.title + ")",
                     width="8rem"),
            rx.input(name="tax_rate", placeholder=t("catalogue.tax_rate"),
                     aria_label=t("catalogue.tax_rate") + " (" + p.title + ")", width="6rem"),
            rx.el.input(type="hidden", name="promotion_id", value=p.id.to_string()),
            rx.button(t("voucher.add_variant"), type="submit", variant="soft",
                      aria_label=t("voucher.add_variant") + " (" + p.title + ")"),
            spacing="2", wrap="wrap"),
            on_submit=s.add_variant, reset_on_submit=True),
        spacing="2", align="start", width="100%"))


def _field(label_key: str, name: str, **props) -> rx.Component:
    s = PromotionsAdminState
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"field-{name}", font_weight="500"),
        rx.input(id=f"field-{name}", name=name, default_value=s.draft.get(name, ""), **props),
        rx.cond(s.errors.contains(name),
                rx.text(s.errors[name], color_scheme="red", size="2", role="alert")),
        spacing="1", width="100%")


@page("/staff/promotions", PromotionsAdminState.load)
def promotions_admin() -> rx.Component:
    s = PromotionsAdminState
    return staff_page(
        rx.heading(t("voucher.promotions"), as_="h1", size="6"),
        rx.vstack(rx.foreach(s.promotions, _promotion_card), spacing="3", width="100%",
                  margin_block="1rem"),
        rx.form(rx.vstack(
            rx.heading(rx.cond(s.editing > 0, t("voucher.edit_promotion"),
                               t("voucher.new_promotion")), as_="h2", size="4"),
            _field("voucher.field.title", "title", max_length=120),
            rx.el.label(t("voucher.field.description"), html_for="field-description",
                        font_weight="500"),
            rx.text_area(id="field-description", name="description",
                         default_value=s.draft.get("description", ""), max_length=4000),
            _field("voucher.field.required_action", "required_action", max_length=200),
            rx.el.label(t("voucher.how_to_redeem"), html_for="field-instructions",
                        font_weight="500"),
            rx.text_area(id="field-instructions", name="instructions",
                         default_value=s.draft.get("instructions", ""), max_length=4000),
            _field("voucher.field.valid_from", "valid_from", type="date"),
            _field("voucher.field.valid_until", "valid_until", type="date"),
            rx.el.label(rx.el.input(type="checkbox", name="active",
                                    default_checked=s.draft_active),
                        " ", t("voucher.field.active"), display="flex", gap="0.5rem"),
            rx.cond(s.editing > 0,
                    rx.hstack(rx.button(t("common.save_changes"), type="submit"),
                              rx.button(t("common.cancel"), type="button", variant="soft",
                                        on_click=s.cancel)),
                    rx.button(t("voucher.save_promotion"), type="submit")),
            spacing="2", align="stretch", max_width="36rem"),
            on_submit=s.save, key=s.editing.to_string() + "-" + s.form_key.to_string(),
            id="promotion-form",
            aria_label=rx.cond(s.editing > 0, t("voucher.edit_promotion"),
                               t("voucher.new_promotion"))),
    )
