"""Versions of what a form showed, so a save from a stale screen cannot undo newer values.

A form carries the version of the values it was filled with (a short digest of them); the use
case compares it with the version of the values in force before it writes. Pure: no I/O.
"""

from __future__ import annotations

import hashlib

from .errors import StaleForm


def version_of(*values: object) -> str:
    """A short, stable digest of `values` (their reprs, in order)."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def check(shown: object, current: str) -> None:
    """Refuse a save whose form showed other values than those in force now.

    `shown` None means the caller did not come from a form (scripts, tests): no check.
    """
    if shown is not None and shown != current:
        raise StaleForm()
