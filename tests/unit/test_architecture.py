"""The house rules: only the unit of work commits; the UI layers (state, pages, components,
presenters), the live push and the HTTP routes never touch a session (they call use cases
through services/uow.py, via state/kit); no state or page compares a status string; state/
holds rx.State classes only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "reserve_app"
UNIT_OF_WORK = PACKAGE / "services" / "uow.py"
SESSION_OPENERS = {"read_session", "write_session", "Session"}
FORBIDDEN_MODULES = ("sqlmodel", "sqlalchemy", "reserve_app.services.platform.db")


def _modules(*parts: str) -> list[Path]:
    return sorted((PACKAGE.joinpath(*parts)).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def commits_in(tree: ast.AST) -> list[int]:
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Call) and _called_name(n) == "commit"]


def session_handling_in(tree: ast.AST, module: str) -> list[str]:
    """Imports of the ORM or the db module, and calls that open a session, with lines."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name.startswith(FORBIDDEN_MODULES)]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            names = [f"{base}.{a.name}" for a in node.names]
            if base.startswith(FORBIDDEN_MODULES) or any(
                    n.startswith(FORBIDDEN_MODULES) for n in names):
                found.append(f"{node.lineno}: from {base} import "
                             f"{', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Call) and _called_name(node) in SESSION_OPENERS:
            found.append(f"{node.lineno}: {_called_name(node)}(...)")
    return found


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    parent = module.split(".")[:-node.level]
    return ".".join([*parent, *([node.module] if node.module else [])])


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts)


def test_only_the_unit_of_work_commits():
    offenders = {str(p.relative_to(PACKAGE)): lines for p in _modules()
                 if p != UNIT_OF_WORK and (lines := commits_in(_tree(p)))}
    assert offenders == {}, f".commit( outside services/uow.py: {offenders}"


def test_ui_layers_and_api_never_handle_a_session():
    paths = [*_modules("state"), *_modules("pages"), *_modules("live"),
             *_modules("presenters"), *_modules("components"), PACKAGE / "api.py"]
    offenders = {str(p.relative_to(PACKAGE)): found for p in paths
                 if (found := session_handling_in(_tree(p), _module_name(p)))}
    assert offenders == {}, f"session handling outside services: {offenders}"


# The checks themselves, on small samples (so a broken walker cannot pass silently).

def test_a_commit_call_is_found_but_not_a_comment_or_a_string():
    tree = ast.parse("# session.commit()\ns = 'x.commit()'\ndef f(session):\n"
                     "    session.commit()\n")
    assert commits_in(tree) == [4]


def test_session_handling_is_found_in_every_form():
    samples = {
        "import sqlalchemy": 1, "from sqlmodel import select": 1,
        "from reserve_app.services.platform import db": 1,
        "from ..services.platform import db": 1,
        "from reserve_app.services.platform.db import read_session": 1,
        "x = read_session()": 1, "x = db.write_session()": 1, "x = Session(e)": 1,
        "from reserve_app.services.accounts import auth": 0,
        "from reserve_app.services import uow": 0, "x = uow.run_read(f)": 0,
    }
    for source, count in samples.items():
        assert len(session_handling_in(ast.parse(source), "reserve_app.state.x")) == count, source


# What a record allows reaches the page in its read model: no state or page compares a
# status string (`v.status == "pending"`, `p.status in ("held", "pending")`, rx.match on a
# status). The statuses are every value of the domain's *Status enums and Role.

def _status_values() -> set[str]:
    from enum import StrEnum

    from reserve_app.domain import (
        accounts,
        appointments,
        billing,
        outbox,
        rentals,
        shop,
        tickets,
        vouchers,
    )

    values: set[str] = {r.value for r in accounts.Role}
    for module in (appointments, billing, outbox, rentals, shop, tickets, vouchers):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, StrEnum) and obj.__name__.endswith(
                    "Status") and obj is not StrEnum:
                values |= {m.value for m in obj}
    return values


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [v for elt in node.elts for v in _literals(elt)]
    return []


def _mentions_status(node: ast.AST) -> bool:
    return any((isinstance(n, ast.Attribute) and ("status" in n.attr or n.attr == "role"))
               or (isinstance(n, ast.Name) and ("status" in n.id or n.id == "role"))
               or (isinstance(n, ast.Constant) and n.value in ("status", "role"))
               for n in ast.walk(node))


def status_comparisons_in(tree: ast.AST, statuses: set[str]) -> list[int]:
    """Lines comparing something with a status literal, or rx.match-ing a status."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(set(_literals(s)) & statuses for s in sides):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and _called_name(node) == "match" and node.args \
                and _mentions_status(node.args[0]) and any(
                    set(_literals(a)) & statuses for a in node.args[1:]):
            found.append(node.lineno)
    return found


def test_no_state_or_page_compares_a_status_string():
    statuses = _status_values()
    paths = [*_modules("state"), *_modules("pages"), *_modules("components"),
             *_modules("presenters")]
    offenders = {str(p.relative_to(PACKAGE)): lines for p in paths
                 if (lines := status_comparisons_in(_tree(p), statuses))}
    assert offenders == {}, f"status strings compared (put the decision in the read model " \
                            f"or domain.<feature>.actions_for): {offenders}"


def test_status_comparisons_are_found_in_every_form():
    statuses = {"pending", "paid", "admin"}
    samples = {
        "x = v.status == 'pending'": 1, "x = v.status in ('pending', 'paid')": 1,
        "x = 'paid' != inv.status": 1, "x = rx.cond(item.status == 'pending', a, b)": 1,
        "x = rx.match(v.status, ('pending', a), b)": 1, "x = self.role == 'admin'": 1,
        "x = v.kind == 'product'": 0, "x = v.can_pay": 0, "x = rx.match(lang, ('ar', a), b)": 0,
    }
    for source, count in samples.items():
        assert len(status_comparisons_in(ast.parse(source), statuses)) == count, source


# state/ holds rx.State classes only: every module outside the kit defines one (a mixin
# state counts); formatting lives in presenters/, rules in domain/, use cases in services/.

def test_every_state_module_outside_the_kit_defines_a_state():
    import importlib

    import reflex as rx

    missing = []
    for path in _modules("state"):
        rel = path.relative_to(PACKAGE / "state")
        if rel.parts[0] == "kit" or path.name == "__init__.py":
            continue
        name = _module_name(path)
        module = importlib.import_module(name)
        if not any(isinstance(obj, type) and issubclass(obj, rx.State)
                   and obj.__module__ == name for obj in vars(module).values()):
            missing.append(str(rel))
    assert missing == [], f"state modules without an rx.State class: {missing}"


def test_state_packages_hold_nothing_but_modules():
    def code(tree: ast.Module) -> list[ast.stmt]:
        return [n for n in tree.body if not (isinstance(n, ast.Expr)
                                             and isinstance(n.value, ast.Constant))]

    inits = [p for p in _modules("state") if p.name == "__init__.py"
             and p.parent.name != "kit" and code(_tree(p))]
    assert inits == [], f"code in a state package's __init__: {inits}"
