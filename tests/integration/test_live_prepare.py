"""The live dispatcher's read-ahead: the thread that commits an order also reads what the
subscribed panels will show (`live.prepare`), and `push` uses it only when it covers the round."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reserve_app import live as push_live
from reserve_app.domain.accounts import Role
from reserve_app.live import Subscription
from reserve_app.services import uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import live
from reserve_app.state.shop.staff_orders import StaffOrdersState

from .helpers import add_user, login
from .test_shop import Shop, line, send
from .test_shop import s as s  # noqa: F401 - the shop fixture

pytestmark = pytest.mark.usefixtures("s")


@pytest.fixture
def panels() -> Iterator[dict[str, str]]:
    """Two staff panels subscribed to the open orders (as their on_load would)."""
    subs = push_live._subscribers.setdefault(live.STAFF_ORDERS, {})
    tokens = {}
    for name in ("stan", "sue"):
        email = f"{name}@example.com"
        if name == "sue":
            add_user("Sue Staff", email, Role.STAFF)
        tokens[name] = login(email)
        with uow.read_session() as session:
            actor = auth.resolve_actor(session, token=tokens[name])
        subs[(f"tab-{name}", StaffOrdersState)] = Subscription(tokens[name], actor, "en", "UTC")
    yield tokens
    push_live._subscribers.pop(live.STAFF_ORDERS, None)


def new_events(before: int) -> list[live.LiveView]:
    with uow.read_session() as session:
        return live.events_after(session, after=before)


def latest() -> int:
    with uow.read_session() as session:
        return live.latest_id(session)


def test_prepare_reads_the_sessions_and_the_open_orders_after_the_commit(
        s: Shop, panels: dict[str, str]) -> None:
    before = latest()
    order_id = send(s.cleo, [line(s.cola)])
    events = new_events(before)

    prepared = push_live.prepare(events)

    assert prepared is not None
    assert prepared.after == max(e.id for e in events)
    assert set(prepared.actors) == set(panels.values())
    assert [o.id for o in prepared.preloaded["open"]] == [order_id]
    subs = push_live._subscribers[live.STAFF_ORDERS].values()
    assert prepared.covers(events, subs, {StaffOrdersState})


def test_a_logged_out_panel_is_left_out_of_the_read(s: Shop, panels: dict[str, str]) -> None:
    with uow.write_session() as session:
        auth.logout(session, token=panels["sue"])
    before = latest()
    send(s.cleo, [line(s.cola)])

    prepared = push_live.prepare(new_events(before))

    assert prepared is not None
    assert set(prepared.actors) == {panels["stan"]}   # push then drops Sue's tab


def test_nothing_is_read_when_no_tab_listens(s: Shop) -> None:
    before = latest()
    send(s.cleo, [line(s.cola)])
    assert push_live.prepare(new_events(before)) is None
    assert push_live.prepare([]) is None


def test_a_read_ahead_does_not_cover_later_events_or_newer_tabs(
        s: Shop, panels: dict[str, str]) -> None:
    before = latest()
    send(s.cleo, [line(s.cola)])
    first = new_events(before)
    prepared = push_live.prepare(first)
    assert prepared is not None
    subs = list(push_live._subscribers[live.STAFF_ORDERS].values())

    send(s.cleo, [line(s.chips)])   # committed after the read: its order is not in it
    both = new_events(before)
    assert not prepared.covers(both, subs, {StaffOrdersState})

    newcomer = Subscription("another-session", subs[0].actor, "en", "UTC")
    assert not prepared.covers(first, [*subs, newcomer], {StaffOrdersState})

    class OtherPanel:   # a state class that was not preloaded for
        pass

    assert not prepared.covers(first, subs, {StaffOrdersState, OtherPanel})
