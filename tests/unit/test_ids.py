"""Ids arriving as text (URLs, form fields): ASCII digits only."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("text", "expected"), [
    ("7", 7), ("00012", 12), ("99999999999", 99999999999), ("0", None), ("", None),
    ("²", None), ("٣", None), ("３", None), ("1²", None), ("-1", None), ("+1", None),
    (" 1", None), ("1e3", None), ("123456789012", None), (7, None), (None, None),
])
def test_ids_in_urls_and_forms_are_ascii_digits_only(text, expected):
    from reserve_app.domain.ids import ascii_digits, parse_id

    assert parse_id(text) == expected
    assert ascii_digits(text) is (isinstance(text, str) and expected is not None
                                  or text == "0")
