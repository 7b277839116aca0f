"""Admin "Translations" (/staff/translations): catalogue names in the other languages."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError, ValidationFailed
from reserve_app.domain.localized import MULTILINE, Entity
from reserve_app.i18n import LANGUAGE_NAMES, direction, translate
from reserve_app.services.site import localized
from reserve_app.state import kit


@dataclass
class TextInput:
    id: str
    name: str            # "<field>:<lang>", as the service expects it
    label: str           # "Name (العربية)"
    original: str        # the record's own text of this field
    value: str
    dir: str
    multiline: bool
    error: str = ""


@dataclass
class RecordForm:
    entity_id: int
    label: str
    context: str
    inputs: list[TextInput]


class TranslationsState(rx.State):
    entity: str = Entity.MENU_ENTRY.value
    records: list[RecordForm] = []
    has_languages: bool = True
    form_key: int = 0

    async def _reload(self, failed: int = 0, errors: dict[str, str] | None = None) -> None:
        actor = await kit.current_actor(self)
        lang = await kit.language_of(self)
        try:
            rows = await kit.read(localized.translation_table, actor=actor, entity=self.entity)
        except DomainError:
            self.entity, rows = Entity.MENU_ENTRY.value, []
        self.has_languages = bool(localized.other_languages())
        errors = errors or {}
        self.records = [RecordForm(r.entity_id, r.label, r.context, [
            TextInput(f"tr-{r.entity_id}-{f.field}-{code}", f"{f.field}:{code}",
                      f"{translate(lang, f'translations.field.{f.field}')} "
                      f"({LANGUAGE_NAMES.get(code, code)})",
                      f.original, text, direction(code), f.field in MULTILINE,
                      errors.get(f"{f.field}:{code}", "") if r.entity_id == failed else "")
            for f in r.fields for code, text in f.texts.items()])
            for r in rows]

    @rx.event
    async def load(self):
        return await kit.open_page(self, "admin")

    @rx.event
    async def show(self, entity: str):
        """Which kind of record the page lists."""
        if entity not in {e.value for e in Entity}:
            return rx.toast.error(translate(await kit.language_of(self),
                                            "field.choice_invalid"))
        self.entity = entity
        self.form_key += 1
        return await kit.open_page(self, "admin")

    @rx.event
    async def save(self, form: dict):
        data = form if isinstance(form, dict) else {}
        record = kit.digits(data.get("record"))
        texts = {k: v for k, v in data.items() if k not in ("entity", "record")}
        lang = await kit.language_of(self)
        try:
            await kit.write_as_caller(self, localized.save_translations,
                                      entity=data.get("entity"), entity_id=record, texts=texts)
        except ValidationFailed as err:
            await self._reload(record or 0, await kit.field_errors(self, err))
            return await kit.error_toast(self, err)
        except DomainError as err:
            await self._reload()
            return await kit.error_toast(self, err)
        self.form_key += 1
        await self._reload()
        return rx.toast.success(translate(lang, "staff.saved"))
