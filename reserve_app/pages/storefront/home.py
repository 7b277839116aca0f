import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import storefront_page
from reserve_app.pages.registry import page


@page("/")
def home() -> rx.Component:
    return storefront_page(
        rx.heading(t("home.title"), size="8", as_="h1"),
        rx.text(t("home.lead"), size="4", margin_top="0.75rem"),
    )
