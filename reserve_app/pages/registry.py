"""Pages register themselves: `@page(route, *on_load)` above a page function.

Every page first runs `SessionState.load` (who is looking, the menu, the language), then
its own `on_load` handlers. `register_all(app)` imports every module under `pages/` and
adds what they declared, so a new page is one decorated function in its feature's module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

Component = Callable[[], rx.Component]


@dataclass(frozen=True)
class Page:
    route: str
    component: Component
    on_load: tuple[Any, ...]


_pages: dict[str, Page] = {}


def page(route: str, *on_load: Any) -> Callable[[Component], Component]:
    def register(component: Component) -> Component:
        if route in _pages and _pages[route].component is not component:
            raise ValueError(f"two pages claim the route {route}")
        _pages[route] = Page(route, component, on_load)
        return component
    return register


def pages() -> list[Page]:
    """Every declared page, after importing all page modules."""
    from reserve_app import pages as package

    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        importlib.import_module(info.name)
    return sorted(_pages.values(), key=lambda p: p.route)


def register_all(app: rx.App, *, title: str) -> int:
    from reserve_app.state.kit.session import SessionState

    found = pages()
    for p in found:
        app.add_page(p.component, route=p.route, title=title,
                     on_load=[SessionState.load, *p.on_load])
    return len(found)
