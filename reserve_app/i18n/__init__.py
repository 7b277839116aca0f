"""Message catalogues and locale-aware formatting (Babel). No reflex here.

`translate(lang, key, **params)` is for server-side text (toasts, emails); pages use
`reserve_app.components.i18n.t`, which reads the same catalogues in the browser.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from .ar import AR
from .en import EN

CATALOGS: dict[str, dict[str, str]] = {"en": EN, "ar": AR}
# Languages offered in the switcher: only those with a complete catalogue.
AVAILABLE = tuple(CATALOGS)
RTL = frozenset({"ar", "he"})
LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "he": "עברית", "ru": "Русский",
                  "pl": "Polski"}


def normalize_language(lang: object, default: str = "en") -> str:
    return lang if isinstance(lang, str) and lang in CATALOGS else default


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


class _Keep(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(lang: str, key: str, /, **params: object) -> str:
    catalog = CATALOGS.get(lang, EN)
    text = catalog.get(key) or EN.get(key) or key
    return text.format_map(_Keep(params)) if params else text


FSI, PDI = "\u2068", "\u2069"   # first strong isolate ... pop directional isolate


def translate_isolated(lang: str, key: str, /, **params: object) -> str:
    """`translate`, with each value in its own bidi isolate (FSI ... PDI) in a right-to-left
    language: for text that cannot hold a <bdi> (an <option>, a toast, a plain string), so
    "1 × Cola" or an invoice number keeps its order inside Arabic."""
    if direction(lang) != "rtl":
        return translate(lang, key, **params)
    return translate(lang, key, **{k: f"{FSI}{v}{PDI}" for k, v in params.items()})


def zone(name: object, default: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def fmt_datetime(value: datetime, lang: str, tz: str = "UTC") -> str:
    return format_datetime(value.astimezone(zone(tz)), format="medium", locale=lang)


def fmt_date(value: datetime, lang: str, tz: str = "UTC") -> str:
    return format_date(value.astimezone(zone(tz)).date(), format="long", locale=lang)


def fmt_money(amount: Decimal, currency: str, lang: str) -> str:
    return format_currency(amount, currency, locale=lang)

