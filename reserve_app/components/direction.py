"""Radix's direction context, bound to the page language.

Setting `dir` on an element is not enough for Radix: its primitives (the ScrollArea inside
every Radix Themes table, Select, Tabs, menus, sliders, ...) read their direction from
Radix's DirectionProvider context and write it on their own elements. The root
`rx.theme` (Radix Themes' `Theme`) wraps the whole app in `<Direction.Provider dir="ltr">`
(see .web/node_modules/@radix-ui/themes/dist/esm/components/theme.js), so without this
every table stayed `dir="ltr"` inside an Arabic page. `page_root` puts one of these, set to
the page's direction, around each page; the innermost provider wins.

The module must be the one Radix Themes itself uses: radix-ui@1.8.1 (the dependency of
@radix-ui/themes@3.3.0) re-exports @radix-ui/react-direction@1.2.0, of which the frontend has
exactly one copy (reflex.lock/bun.lock). A second copy would be a different React context
and change nothing; e2e/test_rtl_layout.py would catch that.

The library is named without a version: its pin lives in reflex.lock/package.json and
bun.lock. With a version here Reflex would `bun add` it on every build, and bun rewrites
reflex.lock/package.json (the checkout would be dirty after every `make run`).
"""

from __future__ import annotations

import reflex as rx


class DirectionProvider(rx.Component):
    """`<DirectionProvider dir="rtl">` from @radix-ui/react-direction."""

    library = "@radix-ui/react-direction"
    tag = "DirectionProvider"

    dir: rx.Var[str]


direction_provider = DirectionProvider.create
