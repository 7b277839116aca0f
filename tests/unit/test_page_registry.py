"""Pages register themselves (pages/registry.py): every route once, each with its loaders."""

from __future__ import annotations

import pytest

from reserve_app.pages import registry


def test_every_page_module_declares_its_pages():
    found = {p.route: p for p in registry.pages()}
    assert len(found) == 38
    assert {"/", "/login", "/rent", "/rent/book", "/shop", "/help", "/voucher", "/staff",
            "/staff/orders", "/staff/calendar", "/staff/services", "/staff/tickets",
            "/staff/reservations", "/payment/return"} <= set(found)
    assert all(p.on_load for route, p in found.items() if route != "/")
    assert found["/staff/orders"].on_load[0].fn.__qualname__ == "StaffOrdersState.load"


def test_a_route_cannot_be_claimed_twice():
    first = registry.page("/unit-test-route")(lambda: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="/unit-test-route"):
        registry.page("/unit-test-route")(lambda: None)  # type: ignore[arg-type,return-value]
    registry.page("/unit-test-route")(first)  # the same page again (a re-import) is fine
    registry._pages.pop("/unit-test-route")


def test_the_app_gets_every_page(monkeypatch):
    added = []

    class App:
        def add_page(self, component, *, route, title, on_load):  # noqa: ANN001
            added.append((route, title, on_load[0].fn.__qualname__))

    assert registry.register_all(App(), title="Shop") == 38  # type: ignore[arg-type]
    assert len({r for r, _, _ in added}) == 38
    assert {(t, first) for _, t, first in added} == {("Shop", "SessionState.load")}
