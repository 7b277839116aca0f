"""Rules for catalogue names per language (domain.localized)."""

from __future__ import annotations

import pytest

from reserve_app.domain.errors import ValidationFailed
from reserve_app.domain.localized import FIELDS, Entity, TextChange, check_texts, parse_entity

LANGS = ("en", "ar", "he")


def test_every_entity_has_a_name_field_first() -> None:
    assert set(FIELDS) == set(Entity)
    assert {next(iter(f)) for f in FIELDS.values()} <= {"name", "title"}


def test_texts_are_trimmed_and_empty_means_remove() -> None:
    assert check_texts(Entity.UNIT_TYPE, {"name:ar": "  جيب ", "description:he": "",
                                          "description:ar": "سطر\nسطر"},
                       languages=LANGS, default="en") == [
        TextChange("name", "ar", "جيب"), TextChange("description", "he", ""),
        TextChange("description", "ar", "سطر\nسطر")]


@pytest.mark.parametrize(("texts", "errors"), [
    ({"name:en": "x"}, {"name:en": "field.choice_invalid"}),
    ({"name:xx": "x"}, {"name:xx": "field.choice_invalid"}),
    ({"title:ar": "x"}, {"title:ar": "field.choice_invalid"}),
    ({"name:ar": 5}, {"name:ar": "field.invalid"}),
    ({"name:ar": "a\tb"}, {"name:ar": "field.invalid"}),
    ({"name:ar": "x" * 101}, {"name:ar": "field.too_long"}),
    ({"name:ar": "ok", 7: "x"}, {"7": "field.choice_invalid"}),
    ({}, {"texts": "field.required"}),
    (None, {"texts": "field.required"}),
])
def test_bad_texts_name_the_key_at_fault(texts: object, errors: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_texts(Entity.PRODUCT, texts, languages=LANGS, default="en")
    assert err.value.fields == errors


def test_the_default_language_can_change() -> None:
    assert check_texts(Entity.PRODUCT, {"name:en": "Cola"}, languages=("en", "ar"),
                       default="ar") == [TextChange("name", "en", "Cola")]


@pytest.mark.parametrize("value", ["user", "", None, 3, "PRODUCT"])
def test_only_catalogue_entities_are_known(value: object) -> None:
    with pytest.raises(ValidationFailed):
        parse_entity(value)
    assert parse_entity("product") is Entity.PRODUCT
