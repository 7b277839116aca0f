"""Every status a page can show has a badge colour (the palette in presenters/status.py)."""

from __future__ import annotations

from enum import StrEnum

from reserve_app import domain
from reserve_app.components import status


def _status_enums() -> set[type[StrEnum]]:
    import importlib
    import pkgutil

    found: set[type[StrEnum]] = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"reserve_app.domain.{info.name}")
        found |= {obj for obj in vars(module).values() if isinstance(obj, type)
                  and issubclass(obj, StrEnum) and obj.__name__.endswith("Status")}
    return found


def test_every_status_enum_has_a_colour_for_every_value():
    enums = _status_enums()
    assert len(enums) >= 8
    assert set(status.COLOURS) == enums
    for enum, colours in status.COLOURS.items():
        assert set(colours) == set(enum), enum.__name__


def test_a_view_mapping_covers_what_the_view_shows():
    assert set(status.BOOKING_COLORS) >= {"pending", "confirmed", "cancelled", "finished",
                                          "declined"}
    assert status.PAYMENT_COLORS["none"] == "gray"
    assert status.PAYMENT_COLORS["refunded"] == "red"
    assert status.colours(status.OrderStatus)["voided"] == "red"
