"""Catalogue names per language: the overrides the storefront shows, and the admin's
"Translations" page.

Read models call `texts`/`names` once per list (one query whatever the list's length) and
fall back to the record's own text where no override exists. The record's own columns are
the business's default language (DEFAULT_LANGUAGE); asking for that language costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlmodel import Session, col, select

from reserve_app.domain import localized as rules
from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.domain.errors import NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.i18n import AVAILABLE
from reserve_app.models import (
    LocalizedText,
    MenuEntry,
    Product,
    Promotion,
    PromotionVariant,
    Service,
    UnitType,
)
from reserve_app.services.platform import audit, db
from reserve_app.settings import get_settings

Translatable = MenuEntry | UnitType | Service | Product | Promotion | PromotionVariant
MODELS: dict[Entity, type[Translatable]] = {
    Entity.MENU_ENTRY: MenuEntry,
    Entity.UNIT_TYPE: UnitType,
    Entity.SERVICE: Service,
    Entity.PRODUCT: Product,
    Entity.PROMOTION: Promotion,
    Entity.VARIANT: PromotionVariant,
}


def default_language() -> str:
    return get_settings().default_language


def other_languages() -> tuple[str, ...]:
    """The app's languages (reserve_app.i18n) other than the records' own."""
    default = default_language()
    return tuple(lang for lang in AVAILABLE if lang != default)


def texts(session: Session, entity: Entity, ids: Iterable[int], lang: str
          ) -> dict[int, dict[str, str]]:
    """{id: {field: text}} of the overrides in `lang` for these records, in one query."""
    wanted = sorted({i for i in ids if i})
    if not wanted or lang == default_language() or lang not in AVAILABLE:
        return {}
    rows = session.exec(select(LocalizedText.entity_id, LocalizedText.field, LocalizedText.text)
                        .where(LocalizedText.entity == entity.value,
                               LocalizedText.lang == lang,
                               col(LocalizedText.entity_id).in_(wanted))).all()
    found: dict[int, dict[str, str]] = {}
    for entity_id, field, text in rows:
        found.setdefault(entity_id, {})[field] = text
    return found


def names(session: Session, entity: Entity, ids: Iterable[int], lang: str) -> dict[int, str]:
    """{id: name in `lang`} for the records that have one (their name or title field)."""
    field = next(iter(rules.FIELDS[entity]))
    return {i: f[field] for i, f in texts(session, entity, ids, lang).items() if field in f}


def name(session: Session, entity: Entity, entity_id: int, lang: str, fallback: str) -> str:
    """One record's name in `lang`, else `fallback` (its own)."""
    return names(session, entity, [entity_id], lang).get(entity_id, fallback)


# --- the admin's Translations page --------------------------------------------------------

@dataclass(frozen=True)
class FieldTexts:
    field: str
    original: str
    texts: dict[str, str]        # lang -> override ("" when none)


@dataclass(frozen=True)
class RecordTexts:
    entity: str
    entity_id: int
    label: str                   # the record's own name
    context: str                 # e.g. a variant's promotion
    fields: list[FieldTexts]


def _records(session: Session, entity: Entity) -> list[tuple[int, str, dict[str, str]]]:
    """(id, context, {field: own text}) of the records of `entity`, in the admin's order."""
    if entity is Entity.VARIANT:
        rows = session.exec(select(PromotionVariant, Promotion.title)
                            .join(Promotion, col(Promotion.id) == PromotionVariant.promotion_id)
                            .where(col(PromotionVariant.active))
                            .order_by(col(Promotion.title), col(PromotionVariant.position),
                                      col(PromotionVariant.id))).all()
        return [(v.id or 0, title, {"name": v.name}) for v, title in rows]
    model = MODELS[entity]
    order = {Entity.MENU_ENTRY: (col(MenuEntry.position), col(MenuEntry.id)),
             Entity.PRODUCT: (col(Product.position), col(Product.id))}.get(entity)
    fields = rules.FIELDS[entity]
    query = select(model).order_by(*(order or (getattr(model, next(iter(fields))),
                                               col(model.id))))
    return [(r.id or 0, "", {f: getattr(r, f) for f in fields})
            for r in cast("Sequence[Translatable]", session.exec(query).all())]


def translation_table(session: Session, *, actor: Actor | None, entity: object
                      ) -> list[RecordTexts]:
    """Every record of one entity with its own texts and the overrides per other language.
    Admin only. Two queries whatever the number of records."""
    require_admin(actor)
    kind = rules.parse_entity(entity)
    records = _records(session, kind)
    langs = other_languages()
    stored: dict[tuple[int, str, str], str] = {}
    if records and langs:
        rows = session.exec(select(LocalizedText)
                            .where(LocalizedText.entity == kind.value,
                                   col(LocalizedText.lang).in_(langs),
                                   col(LocalizedText.entity_id).in_([r[0] for r in records])))
        stored = {(t.entity_id, t.field, t.lang): t.text for t in rows.all()}
    return [RecordTexts(kind.value, rid, own[next(iter(own))], context,
                        [FieldTexts(f, value, {lang: stored.get((rid, f, lang), "")
                                               for lang in langs})
                         for f, value in own.items()])
            for rid, context, own in records]


def save_translations(session: Session, *, actor: Actor | None, entity: object,
                      entity_id: object, texts: object) -> int:
    """Set (or, with an empty text, remove) one record's texts in other languages.

    Admin only; the record must exist; every key is "<field>:<lang>" with a translatable
    field and one of the app's other languages; lengths as the record's own columns. Each
    change is audited. Returns how many texts changed.
    """
    admin = require_admin(actor)
    kind = rules.parse_entity(entity)
    rid = record_id(entity_id)
    changes = rules.check_texts(kind, texts, languages=other_languages(),
                                default=default_language())
    db.serialize_on(session, f"localized:{kind.value}:{rid}")
    if session.get(MODELS[kind], rid) is None:
        raise NotFound()
    rows = {(t.field, t.lang): t for t in session.exec(
        select(LocalizedText).where(LocalizedText.entity == kind.value,
                                    LocalizedText.entity_id == rid)).all()}
    changed = 0
    for change in changes:
        row = rows.get((change.field, change.lang))
        old = row.text if row else ""
        if old == change.text:
            continue
        if row is not None and not change.text:
            session.delete(row)
        elif row is not None:
            row.text = change.text
        else:
            session.add(LocalizedText(entity=kind.value, entity_id=rid, field=change.field,
                                      lang=change.lang, text=change.text))
        audit.record(session, actor_id=admin.user_id, entity=kind.value, entity_id=rid,
                     action="translation_saved", old=old, new=change.text,
                     note=f"{change.field}:{change.lang}")
        changed += 1
    session.flush()
    return changed
