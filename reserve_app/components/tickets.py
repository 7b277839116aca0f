"""Pieces the customer's and the staff's ticket pages share. Messages are shown as text:
whatever a customer types (HTML, script) is never rendered as markup."""

from __future__ import annotations

from typing import Any

import reflex as rx

from reserve_app.presenters.tickets import FileRow, HistoryRow

from .i18n import t
from .status import TICKET_COLORS, badge

ACCEPT = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"],
          "application/pdf": [".pdf"]}


def ticket_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    return badge(status, label, TICKET_COLORS)


def _file(f: FileRow) -> rx.Component:
    return rx.link(rx.icon("paperclip", size=14), " ", f.name, " (", f.size, ")",
                   href=f.url, is_external=True, size="2")


def _entry(e: HistoryRow) -> rx.Component:
    note = e.kind == "note"
    return rx.box(
        rx.hstack(
            rx.text.strong(e.author),
            rx.cond(e.by_staff, rx.badge(t("ticket.merchant"), variant="soft")),
            rx.cond(note, rx.badge(t("ticket.history.note"), color_scheme="amber")),
            rx.text(e.at, size="1", color_scheme="gray"),
            spacing="2", align="center", wrap="wrap"),
        rx.cond((e.event != "") & ~note, rx.text(e.event, size="2", color_scheme="gray")),
        rx.cond(e.text != "", rx.text(e.text, white_space="pre-wrap",
                                      class_name="ticket-message")),
        rx.cond(e.files.length() > 0, rx.vstack(rx.foreach(e.files, _file), spacing="1")),
        padding="0.75rem", border_radius="var(--radius-3)", width="100%",
        background=rx.cond(note, "var(--amber-a3)",
                           rx.cond(e.by_staff, "var(--accent-a2)", "var(--gray-a2)")),
        role="article", aria_label=e.author + " " + e.at,
    )


def history_list(entries: rx.Var) -> rx.Component:
    return rx.el.section(
        rx.heading(t("ticket.history"), as_="h2", size="4"),
        rx.vstack(rx.foreach(entries, _entry), spacing="2", width="100%"),
        width="100%", role="log", aria_live="polite", aria_label=t("ticket.history"),
    )


def pending_files(pending: rx.Var, drop: Any, upload: Any, upload_id: str,
                  errors: rx.Var) -> rx.Component:
    """The files waiting for the next message, the picker that uploads one at once, and why
    a file was refused (type, size, count)."""
    return rx.vstack(
        rx.foreach(pending, lambda f: rx.hstack(
            _file(f),
            rx.button(t("ticket.remove_file"), variant="ghost", color_scheme="red", size="1",
                      type="button", aria_label=t("ticket.remove_file") + ": " + f.name,
                      on_click=drop(f.id)), align="center")),
        rx.upload(
            rx.button(rx.icon("paperclip", size=16), t("ticket.attach"), type="button",
                      variant="outline"),
            id=upload_id, multiple=False, max_files=1, accept=ACCEPT, on_drop=upload,
            aria_label=t("ticket.attach"), border="none", padding="0",
        ),
        rx.cond(errors.contains("file"),
                rx.text(errors["file"], color_scheme="red", size="2", role="alert")),
        rx.text(t("ticket.attach_hint"), size="1", color_scheme="gray"),
        spacing="1", align="start",
    )
