"""Rental periods in whole days, half-open: [start, end).

The pick-up day counts, the return day does not: 1 June -> 3 June is two days, and another
booking may start on 3 June.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import ValidationFailed


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end


def parse_day(value: object) -> date | None:
    """A calendar day from a `date` or "YYYY-MM-DD"; anything else (datetimes too) is None."""
    if type(value) is date:
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_period(start: object, end: object, *, today: date, max_days: int) -> Period:
    """A bookable period: real dates, not in the past, end after start, not too long."""
    errors: dict[str, str] = {}
    start_day, end_day = parse_day(start), parse_day(end)
    if start_day is None:
        errors["start"] = "field.date_invalid"
    elif start_day < today:
        errors["start"] = "rental.start_past"
    if end_day is None:
        errors["end"] = "field.date_invalid"
    elif start_day is not None and end_day <= start_day:
        errors["end"] = "rental.end_before_start"
    elif start_day is not None and (end_day - start_day).days > max_days:
        errors["end"] = "rental.too_long"
    if errors:
        raise ValidationFailed(errors)
    assert start_day is not None and end_day is not None
    return Period(start_day, end_day)
