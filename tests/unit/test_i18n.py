"""Message catalogues: complete, consistent, and every key the code uses exists."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from reserve_app.domain import shop
from reserve_app.domain.accounts import Role
from reserve_app.domain.outbox import MessageStatus
from reserve_app.i18n import CATALOGS, EN, direction, normalize_language, translate
from reserve_app.settings import ROOT

PACKAGE = ROOT / "reserve_app"
KEY = re.compile(r"^[a-z][a-z_]*(\.[a-z0-9_]+)+$")
NAMESPACES = {key.split(".")[0] for key in EN}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_catalogue_has_exactly_the_english_keys(lang: str) -> None:
    catalog = CATALOGS[lang]
    assert sorted(set(EN) - set(catalog)) == [], "missing"
    assert sorted(set(catalog) - set(EN)) == [], "unknown"


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_catalogue_keeps_the_placeholders_of_each_message(lang: str) -> None:
    wrong = {key: (placeholders(EN[key]), placeholders(text))
             for key, text in CATALOGS[lang].items()
             if key in EN and placeholders(text) != placeholders(EN[key])}
    assert wrong == {}


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_no_message_is_empty(lang: str) -> None:
    assert [key for key, text in CATALOGS[lang].items() if not text.strip()] == []


# --- keys used in the code ---------------------------------------------------------------


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "i18n" not in p.relative_to(PACKAGE).parts)


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def used_keys() -> dict[str, str]:
    """Catalogue keys written literally in the code, with where they are."""
    found: dict[str, str] = {}
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            keys: list[str | None] = []
            if isinstance(node, ast.Call) and _call_name(node) == "t" and node.args:
                keys.append(_literal(node.args[0]))
            elif isinstance(node, ast.Call) and _call_name(node) == "translate":
                keys.extend(_literal(a) for a in node.args[1:2])
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "key" for t in node.targets):
                keys.append(_literal(node.value))  # DomainError.key and similar
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and KEY.match(node.value) and node.value.split(".")[0] in NAMESPACES):
                # "field.required", "staff.last_admin" ... passed as error keys or to helpers.
                keys.append(node.value)
            for key in keys:
                if key is not None:
                    found.setdefault(key, f"{where}:{node.lineno}")
    return found


def email_kinds() -> set[str]:
    kinds = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) == "record_email":
                kinds.update(_literal(k.value) for k in node.keywords if k.arg == "kind")
    return kinds - {None}


def test_the_scan_finds_keys_in_every_layer() -> None:
    places = {where.split("/")[1] for where in used_keys().values()}
    assert {"domain", "services"} <= places
    assert "welcome" in email_kinds()


def test_every_key_used_in_the_code_exists_in_english() -> None:
    missing = {key: where for key, where in used_keys().items() if key not in EN}
    assert missing == {}


def test_keys_built_at_run_time_exist_in_english() -> None:
    built = {f"role.{role.value}" for role in Role}
    built |= {f"outbox.status.{status.value}" for status in MessageStatus}
    built |= {f"email.{kind}.{part}" for kind in email_kinds() for part in ("subject", "body")}
    built |= {f"shop.status.{s.value}" for s in shop.OrderStatus}
    built |= {f"shop.method.{m.value}" for m in shop.PaymentMethod}
    built |= {f"shop.kind.{k.value}" for k in shop.ProductKind}
    built |= {f"shop.ledger.{r.value}" for r in shop.LedgerReason}
    built |= {f"shop.action.{a.value}" for a in shop.OrderAction} | {"shop.action.pay"}
    built |= {f"shop.payment.{p}" for p in ("paid", "unpaid", "debt", "points_only")}
    # Non-rental storefront menu entries are named by kind in the admin's menu table.
    built |= {f"menu.kind.{kind}" for kind in ("appointments", "shop")}
    assert sorted(built - set(EN)) == []


# --- translate -----------------------------------------------------------------------------


def test_translate_uses_the_language_and_fills_placeholders() -> None:
    assert translate("en", "auth.too_many_attempts", minutes=5) == (
        "Too many failed attempts. Try again in 5 minutes.")
    assert translate("ar", "nav.login") == CATALOGS["ar"]["nav.login"]
    assert "7" in translate("ar", "auth.too_many_attempts", minutes=7)


def test_translate_falls_back_to_english_then_to_the_key() -> None:
    assert translate("xx", "nav.login") == EN["nav.login"]
    assert translate("en", "no.such.key") == "no.such.key"
    assert translate("ar", "no.such.key") == "no.such.key"


def test_translate_falls_back_to_english_for_a_key_missing_in_a_catalogue(
        monkeypatch: pytest.MonkeyPatch) -> None:
    partial = {k: v for k, v in CATALOGS["ar"].items() if k != "nav.login"}
    monkeypatch.setitem(CATALOGS, "ar", partial)
    assert translate("ar", "nav.login") == EN["nav.login"]


def test_translate_keeps_unknown_placeholders() -> None:
    assert translate("en", "email.welcome.subject", other="x") == "Welcome to {business}"
    assert translate("en", "email.welcome.subject") == "Welcome to {business}"


def test_direction() -> None:
    assert direction("ar") == "rtl"
    assert direction("he") == "rtl"
    assert direction("en") == "ltr"
    assert direction("pl") == "ltr"


@pytest.mark.parametrize(("value", "expected"),
                         [("ar", "ar"), ("en", "en"), ("xx", "en"), (None, "en"), (["ar"], "en")])
def test_normalize_language_only_accepts_available_catalogues(value: object,
                                                              expected: str) -> None:
    assert normalize_language(value) == expected


def test_translate_isolated_isolates_values_only_in_right_to_left_languages() -> None:
    from reserve_app.i18n import FSI, PDI, translate_isolated

    assert translate_isolated("en", "ticket.item_line", quantity=1, name="Cola") == "1 × Cola"
    text = translate_isolated("ar", "ticket.order_ref", order=12)
    assert f"{FSI}12{PDI}" in text
    assert text.replace(FSI, "").replace(PDI, "") == translate("ar", "ticket.order_ref", order=12)


def test_payment_methods_shown_to_staff_are_translated_in_every_language() -> None:
    from reserve_app.domain.shop import PaymentMethod
    from reserve_app.domain.tickets import ChargeMethod
    from reserve_app.presenters.tickets import method_label

    for lang in CATALOGS:
        for method in {*ChargeMethod, *PaymentMethod}:
            label = method_label(method.value, lang)
            assert label and not label.startswith("ticket.method."), (lang, method)
        assert translate(lang, "payment.provider.manual") != "payment.provider.manual"


def test_one_list_of_languages():
    """domain.accounts.LANGUAGES is the one list: settings, accounts and the catalogues
    follow it (a language is added there, then gets its name and catalogue)."""
    from reserve_app import i18n, settings
    from reserve_app.domain import accounts

    assert settings.LANGUAGES is accounts.LANGUAGES
    assert set(i18n.LANGUAGE_NAMES) == set(accounts.LANGUAGES)
    assert set(accounts.LANGUAGES) >= i18n.RTL and set(i18n.CATALOGS) <= set(accounts.LANGUAGES)
