import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import staff_page
from reserve_app.pages.registry import page
from reserve_app.state.kit.session import SessionState
from reserve_app.state.staff.home import StaffHomeState


def _card(label_key: str, value: rx.Var) -> rx.Component:
    return rx.card(rx.text(t(label_key), size="2", color_scheme="gray"),
                   rx.heading(value.to_string(), size="7"), min_width="10rem")


@page("/staff", StaffHomeState.load)
def home() -> rx.Component:
    return staff_page(
        rx.heading(t("staff.home.title"), as_="h1", size="7"),
        rx.text(t("staff.home.hello"), " ", SessionState.user_name, margin_top="0.5rem"),
        rx.flex(
            rx.link(_card("staff.home.orders_new", StaffHomeState.orders_new),
                    href="/staff/orders", underline="none"),
            rx.link(_card("staff.home.orders_open", StaffHomeState.orders_open),
                    href="/staff/orders", underline="none"),
            rx.cond(StaffHomeState.holds_old > 0, rx.callout.root(
                rx.callout.text(t("staff.home.holds_old"), " ", StaffHomeState.holds_old),
                color="red", role="alert")),
            rx.link(_card("staff.home.tickets_open", StaffHomeState.tickets_open),
                    href="/staff/tickets", underline="none"),
            rx.link(_card("staff.home.bookings_today", StaffHomeState.bookings_today),
                    href="/staff/bookings", underline="none"),
            rx.link(_card("staff.home.bookings_pending", StaffHomeState.bookings_pending),
                    href="/staff/bookings", underline="none"),
            _card("staff.home.payments_waiting", StaffHomeState.payments_waiting),
            rx.link(_card("staff.home.requests_waiting", StaffHomeState.requests_waiting),
                    href="/staff/calendar", underline="none"),
            wrap="wrap", spacing="4", margin_top="1rem",
        ),
        rx.flex(
            _card("staff.home.customers", StaffHomeState.customers),
            _card("staff.home.staff", StaffHomeState.staff),
            _card("staff.home.emails_pending", StaffHomeState.emails_pending),
            _card("staff.home.emails_failed", StaffHomeState.emails_failed),
            wrap="wrap", spacing="4", margin_top="1rem",
        ),
    )
