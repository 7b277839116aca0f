"""Record ids arriving from the browser: positive whole numbers, else "not found"."""

from __future__ import annotations

from .errors import NotFound


def record_id(value: object) -> int:
    """The id, or NotFound for anything that cannot be one (bools, text, huge numbers)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**62:
        raise NotFound()
    return value
