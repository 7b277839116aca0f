"""Bidi isolation: a number, code, amount, email or name placed inside translated text.

In a right-to-left paragraph, "3 hours of play" or "1 × Cola, 1 × Chips" would be reordered
by the surrounding Arabic ("hours of play 3"). `iso(value)` renders it in a <bdi>, which takes
its direction from its own first strong character and leaves the text around it alone.
"""

from __future__ import annotations

import reflex as rx


def iso(*value: rx.Var | str | int | rx.Component, **props) -> rx.Component:
    """The value in its own bidi isolate (an HTML <bdi>, direction from its content)."""
    return rx.el.bdi(*value, **props)
