"""One staff action = one write transaction with the caller resolved inside it, plus at most
one read for the refresh. The State's own code runs (its `_run` / `_act` and `_reload`),
on a stand-in for the tab that carries the session cookie; every transaction the engine
begins is counted."""

from __future__ import annotations

import types
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import anyio
from sqlalchemy import event

from reserve_app.domain.accounts import Role
from reserve_app.models import ShopOrder
from reserve_app.services import appointments, shop, uow
from reserve_app.services.platform import db
from reserve_app.state.appointments.calendar import StaffCalendarState
from reserve_app.state.shop.staff_orders import StaffOrdersState

from .helpers import (
    add_admin,
    add_service,
    add_user,
    book_appointment,
    local_start,
    login,
    monday_ahead,
    rows,
    set_hours,
    weekly_hours,
)


class Tab(SimpleNamespace):
    """What a State method reads of its tab: the cookie header, the language, its vars."""

    def __init__(self, cls: type, token: str, **vars: Any) -> None:
        super().__init__(router=SimpleNamespace(
            headers=SimpleNamespace(cookie=f"sid={token}"),
            session=SimpleNamespace(client_token="tab-1"),
            url=SimpleNamespace(path="/staff", query_parameters={})),
            dirty_vars=set(), base_vars=cls.base_vars, **vars)
        for name in ("_reload", "_run", "_act"):
            if name in cls.__dict__:
                setattr(self, name, types.MethodType(cls.__dict__[name], self))

    async def get_state(self, _cls: type) -> Any:
        return SimpleNamespace(lang="en")


@contextmanager
def transactions() -> Iterator[list[bool]]:
    """Each transaction begun meanwhile: True for a write (BEGIN IMMEDIATE on SQLite)."""
    begun: list[bool] = []
    engine = db.engine()

    def on_begin(conn: Any) -> None:
        begun.append(bool(conn.get_execution_options().get(db._IMMEDIATE, False)))

    event.listen(engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", on_begin)


def _check(begun: list[bool]) -> None:
    assert len(begun) == 2, begun          # the write (caller inside) and the refresh
    if db.engine().dialect.name == "sqlite":
        assert begun == [True, False]      # first the write, then a plain read


def test_accept_on_a_shop_order_is_one_write_and_one_read() -> None:
    admin = add_admin()
    add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    cola = save_product_id(admin)
    with uow.write_session() as session:
        order_id = shop.place_order(session, actor=cleo, method="cash", items=[
            {"product_id": cola, "pay_with": "money", "quantity": 1}])
    tab = Tab(StaffOrdersState, login("stan@example.com"), orders=[], closed=[])
    accept = types.MethodType(StaffOrdersState.act.fn, tab)   # the handler, through kit.run

    with transactions() as begun:
        failed = anyio.run(lambda: accept(order_id, "accept"))

    assert failed is None
    _check(begun)
    [order] = rows(ShopOrder)
    assert order.status == "accepted"
    assert [card.id for card in tab.orders] == [order_id]


def test_approve_on_an_appointment_request_is_one_write_and_one_read() -> None:
    admin = add_admin()
    stan = add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    set_hours(admin, stan.user_id, weekly_hours(("09:00", "17:00")))
    consult = add_service(admin, "Consultation", [stan.user_id], approval=True)
    day = monday_ahead()
    request = book_appointment(cleo, consult, stan.user_id, local_start(day, "10:00"))
    tab = Tab(StaffCalendarState, login("stan@example.com"), open_id=request.id, mode="",
              first_day=day.isoformat(), days=7, items=[])

    with transactions() as begun:
        anyio.run(lambda: tab._act(appointments.approve))

    _check(begun)
    [item] = tab.items
    assert (item.id, item.status, tab.open_id) == (request.id, "confirmed", 0)


def save_product_id(admin: Any) -> int:
    with uow.write_session() as session:
        return shop.save_product(session, actor=admin, name="Cola", kind="product",
                                 price="2.50", tax_rate="10", stock="10")
