"""The one place the live push touches Reflex internals (they are not public API).

- `running_app()`: the app of this worker;
- `socket_of(app, token)`: the socket id of a tab connected to THIS worker, else None (with
  Redis, a tab's token may be known but held by another worker);
- `emit_delta(app, cls, values, sids)`: one encoded state delta to many sockets;
- `tab_state(app, token, cls)`: a tab's state to change, saved (and its delta sent) on exit.

A Reflex upgrade that moves these is mended here only (the e2e live tests, on one worker and
on Redis with two, tell).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import reflex as rx
from reflex.state import StateUpdate
from reflex_base import constants
from reflex_base.constants.state import FIELD_MARKER


def running_app() -> Any:
    from reflex.utils.prerequisites import get_and_validate_app

    return get_and_validate_app().app


def socket_of(app: Any, token: str) -> str | None:
    manager = getattr(app.event_namespace, "_token_manager", None)
    record = manager.token_to_socket.get(token) if manager is not None else None
    if manager is None or record is None or record.instance_id != manager.instance_id:
        return None
    return str(record.sid)


async def emit_delta(app: Any, cls: type[rx.State], values: dict[str, Any],
                     sids: list[str]) -> None:
    delta = {cls.get_full_name(): {f"{name}{FIELD_MARKER}": value
                                   for name, value in values.items()}}
    await app.event_namespace.emit(str(constants.SocketEvent.EVENT),
                                   StateUpdate(delta=delta), to=sids)


@asynccontextmanager
async def tab_state(app: Any, token: str, cls: type[rx.State]) -> AsyncIterator[Any]:
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
        yield await root.get_state(cls)
