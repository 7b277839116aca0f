"""t(): the translated text of a catalogue key, as a Var that follows the page language."""

from __future__ import annotations

import reflex as rx

from reserve_app.i18n import EN
from reserve_app.state.kit.i18n import I18nState


def t(key: str) -> rx.Var[str]:
    if key not in EN:
        raise KeyError(f"missing English message for {key!r}")
    return I18nState.msgs[key].to(str)
