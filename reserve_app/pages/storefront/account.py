import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import storefront_page
from reserve_app.components.ledger import ledgers
from reserve_app.pages.registry import page
from reserve_app.state.accounts.account import AccountState
from reserve_app.state.accounts.ledger import LedgerState
from reserve_app.state.billing.payment_return import PaymentReturnState
from reserve_app.state.kit.session import SessionState


def _row(label_key: str, value: rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(t(label_key)), rx.data_list.value(value))


@page("/account", AccountState.load, LedgerState.load)
def account() -> rx.Component:
    return storefront_page(
        rx.heading(t("account.title"), as_="h1", size="7"),
        rx.data_list.root(
            _row("field.name", AccountState.name),
            _row("field.email", AccountState.email),
            _row("account.role", AccountState.role_label),
            _row("field.language", AccountState.language_name),
            _row("account.member_since", AccountState.member_since),
            margin_top="1rem",
        ),
        rx.flex(
            rx.link(t("nav.my_bookings"), href="/bookings"),
            rx.link(t("shop.my_orders"), href="/shop"),
            rx.link(t("nav.my_vouchers"), href="/vouchers"),
            rx.link(t("help.my_tickets"), href="/help/tickets"),
            spacing="4", wrap="wrap", margin_top="1rem"),
        rx.cond(SessionState.is_customer, rx.el.section(
            rx.heading(t("shop.account_title"), as_="h2", size="5"),
            ledgers(LedgerState),
            margin_top="2rem", aria_label=t("shop.account_title"))),
    )


@page("/payment/return", PaymentReturnState.load)
def payment_return() -> rx.Component:
    """Back from Stripe Checkout: what is known so far (webhooks decide), and where to go."""
    P = PaymentReturnState  # noqa: N806
    return storefront_page(
        rx.heading(t("payment.return_title"), as_="h1", size="7"),
        rx.cond(P.status == "", rx.callout(t("error.not_found")),
                rx.vstack(
                    rx.cond(P.cancelled & P.unpaid,
                            rx.callout(t("payment.return_cancelled"), color="gray"),
                            rx.callout(t("payment.return_thanks"), color="green")),
                    rx.text(t("payment.return_status"), ": ", P.status_label),
                    spacing="3", margin_top="1rem")),
        rx.flex(rx.link(t("nav.my_bookings"), href="/bookings"),
                rx.link(t("nav.my_vouchers"), href="/vouchers"),
                rx.link(t("nav.my_account"), href="/account"),
                spacing="4", margin_top="1rem"),
    )
