"""Staff "Booking calendar" (day/week) with the request panel."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import checkbox, field, staff_page
from reserve_app.components.status import BOOKING_COLORS, badge
from reserve_app.pages.registry import page
from reserve_app.presenters.appointments import CalendarItem
from reserve_app.state.appointments.calendar import StaffCalendarState


def _staff_select(name: str, default: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(t("appointment.staff"), html_for=f"field-{name}", font_weight="500"),
        rx.el.select(rx.foreach(StaffCalendarState.staff,
                                lambda c: rx.el.option(c.label, value=c.value)),
                     id=f"field-{name}", name=name, default_value=default,
                     class_name="native-select"),
        spacing="1")


def _panel(item: CalendarItem) -> rx.Component:
    s = StaffCalendarState
    return rx.cond(
        s.open_id == item.id,
        rx.match(
            s.mode,
            ("reschedule", rx.form(rx.vstack(
                _staff_select("r_staff", item.staff_id),
                field("appointment.new_day", "r_day", type="date", required=True,
                      default_value=item.day_iso),
                field("appointment.new_time", "r_time", type="time", required=True,
                      default_value=item.time),
                field("appointment.private_note", "note", max_length=1000),
                checkbox("notify", t("appointment.notify_participant"), True),
                field("appointment.message", "message", max_length=1000),
                rx.button(t("appointment.save_changes"), type="submit"), spacing="2"),
                on_submit=s.reschedule, key=item.id.to_string() + "r")),
            ("propose", rx.form(rx.vstack(
                _staff_select("r_staff", item.staff_id),
                field("appointment.new_day", "r_day", type="date", required=True,
                      default_value=item.day_iso),
                field("appointment.new_time", "r_time", type="time", required=True,
                      default_value=item.time),
                field("appointment.message", "message", max_length=1000),
                rx.button(t("appointment.send_proposal"), type="submit"), spacing="2"),
                on_submit=s.propose, key=item.id.to_string() + "p")),
            ("decline", rx.form(rx.vstack(
                checkbox("notify", t("appointment.notify_client"), True),
                field("appointment.message", "message", max_length=1000),
                rx.button(t("appointment.yes_decline"), type="submit", color_scheme="red"),
                spacing="2"), on_submit=s.decline, key=item.id.to_string() + "d")),
            rx.fragment(),
        ),
    )


def _actions(item: CalendarItem) -> rx.Component:
    """The buttons the request allows (domain.appointments.actions_for, in its order)."""
    s = StaffCalendarState
    allowed = item.actions
    return rx.cond(allowed.length() > 0, rx.hstack(
        rx.cond(allowed.contains("approve"), rx.button(
            t("appointment.approve"), on_click=s.approve(item.id),
            aria_label=t("appointment.approve") + " " + item.customer)),
        rx.cond(allowed.contains("reschedule"), rx.button(
            t("appointment.approve_reschedule"), variant="soft",
            on_click=s.open(item.id, "reschedule"))),
        rx.cond(allowed.contains("propose"), rx.button(
            t("appointment.propose"), variant="soft", on_click=s.open(item.id, "propose"))),
        rx.cond(allowed.contains("decline"), rx.button(
            t("appointment.decline"), variant="soft", color_scheme="red",
            on_click=s.open(item.id, "decline"))),
        wrap="wrap"))


def _item(item: CalendarItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(item.day, " ", item.time, weight="bold"),
                      badge(item.status, item.status_label, BOOKING_COLORS), wrap="wrap"),
            rx.text(item.service, " · ", item.staff, " · ", item.customer),
            rx.cond(item.proposed != "", rx.text(t("appointment.proposed"), ": ", item.proposed,
                                                 color_scheme="amber")),
            _actions(item),
            _panel(item),
            spacing="2", align="start",
        ),
        # Requests look different from confirmed appointments: dashed amber border.
        border=rx.cond(item.awaits_decision, "2px dashed var(--amber-9)",
                       "1px solid var(--gray-a5)"),
        width="100%",
    )


@page("/staff/calendar", StaffCalendarState.load)
def calendar() -> rx.Component:
    s = StaffCalendarState
    return staff_page(
        rx.heading(t("staff.nav.calendar"), as_="h1", size="7"),
        rx.form(rx.flex(
            rx.box(field("appointment.day", "day", type="date", default_value=s.first_day)),
            rx.vstack(
                rx.el.label(t("calendar.view"), html_for="field-view", font_weight="500"),
                # The select shows the view in force; the form is re-created (key) whenever
                # the day or the view changes, so its defaults follow the state.
                rx.el.select(rx.el.option(t("calendar.week"), value="week"),
                             rx.el.option(t("calendar.day"), value="day"),
                             id="field-view", name="view", class_name="native-select",
                             default_value=s.view),
                spacing="1"),
            rx.button(t("calendar.show"), type="submit"),
            spacing="3", align="end", wrap="wrap"), on_submit=s.show,
            key=s.first_day + "-" + s.view),
        rx.text(t("calendar.legend"), size="2", color_scheme="gray", margin_block="0.5rem"),
        rx.cond(s.items.length() == 0, rx.text(t("calendar.empty"))),
        rx.vstack(rx.foreach(s.items, _item), spacing="2", width="100%"),
    )
