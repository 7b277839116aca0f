"""Record ids arriving from the browser: positive whole numbers, else "not found".

Text is read as an id only when it is ASCII digits: `str.isdigit()` also accepts "²",
Arabic-Indic and full-width digits, which `int()` then reads or refuses with a crash."""

from __future__ import annotations

from .errors import NotFound


def record_id(value: object) -> int:
    """The id, or NotFound for anything that cannot be one (bools, text, huge numbers)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**62:
        raise NotFound()
    return value


def ascii_digits(text: object, *, limit: int = 11) -> bool:
    """True for 1..limit ASCII digits (a length, an id in a URL or a form field)."""
    return isinstance(text, str) and 0 < len(text) <= limit and text.isascii() \
        and text.isdigit()


def parse_id(text: object) -> int | None:
    """A record id sent as text, else None (the use case then answers "not found")."""
    if not isinstance(text, str) or not ascii_digits(text):
        return None
    return int(text) or None
