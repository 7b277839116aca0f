"""Names of catalogue records per language: which records and fields can be translated, and
the rules an override must follow. Pure: no reflex, sqlmodel or sqlalchemy here.

A record's own columns hold its name in the business's default language; an override gives
the text a viewer in another language sees instead. No override (or an empty one) means the
record's own text is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import ValidationFailed


class Entity(StrEnum):
    """Storefront-visible catalogue records that can be named per language."""

    MENU_ENTRY = "menu_entry"
    UNIT_TYPE = "unit_type"
    SERVICE = "service"
    PRODUCT = "product"
    PROMOTION = "promotion"
    VARIANT = "promotion_variant"


# The translatable fields of each entity and their length limits (those of the columns).
FIELDS: dict[Entity, dict[str, int]] = {
    Entity.MENU_ENTRY: {"title": 100},
    Entity.UNIT_TYPE: {"name": 100, "description": 2000},
    Entity.SERVICE: {"name": 100},
    Entity.PRODUCT: {"name": 100},
    Entity.PROMOTION: {"title": 120, "description": 4000},
    Entity.VARIANT: {"name": 120},
}
# Control characters a field may hold (names are one line; descriptions may break lines).
MULTILINE = {"description": "\n\r\t"}
# Longest text of any field (the column's size).
TEXT_MAX = max(limit for fields in FIELDS.values() for limit in fields.values())


def parse_entity(value: object) -> Entity:
    try:
        return Entity(value) if isinstance(value, str) else _bad("entity")
    except ValueError:
        return _bad("entity")


def _bad(field: str) -> Entity:
    raise ValidationFailed({field: "field.choice_invalid"})


@dataclass(frozen=True)
class TextChange:
    """One text to store (`text` non-empty) or to remove (`text` empty)."""

    field: str
    lang: str
    text: str


def check_texts(entity: Entity, texts: object, *, languages: tuple[str, ...],
                default: str) -> list[TextChange]:
    """Validate the texts an admin sent for one record.

    `texts` maps "<field>:<lang>" to the text (e.g. {"name:ar": "كولا"}); only other
    languages than `default` can be given (the record's own columns are the default);
    surrounding blanks are trimmed; an empty text removes the override. Every problem is
    reported by its key; nothing is changed unless all is valid.
    """
    if not isinstance(texts, dict) or not texts:
        raise ValidationFailed({"texts": "field.required"})
    fields = FIELDS[entity]
    errors: dict[str, str] = {}
    changes: list[TextChange] = []
    for key, value in texts.items():
        field, _, lang = key.partition(":") if isinstance(key, str) else ("", "", "")
        if field not in fields or lang not in languages or lang == default:
            errors[str(key)[:40]] = "field.choice_invalid"
            continue
        if not isinstance(value, str):
            errors[key] = "field.invalid"
            continue
        text = value.strip()
        if any(ord(c) < 32 and c not in MULTILINE.get(field, "") for c in text):
            errors[key] = "field.invalid"
        elif len(text) > fields[field]:
            errors[key] = "field.too_long"
        else:
            changes.append(TextChange(field, lang, text))
    if errors:
        raise ValidationFailed(errors)
    return changes
