"""Live-push benchmark: "Send order" to the order being in 50 staff panels' state.

Starts the app (`reflex run --env prod` on a free port, fresh database), opens 50 staff
"Orders" panels as raw websocket clients speaking Reflex's event protocol (Socket.IO over
Engine.IO), each running the page's on_load (`StaffOrdersState.load`, which subscribes the
tab), and one customer tab. The customer then sends orders one by one (`ShopState.add`, then
`ShopState.send`); for each order and panel it records the time from just before the "Send
order" event leaves to the arrival of the first delta whose `orders` list holds the new order.

Beside it, in the same run, a bare python-socketio server (same ASGI server, granian) with the
same 50 clients: a sender emits one event and the server broadcasts it to everyone, with the
very payloads the panels received from the app. Prints p50/p95/max of both, their ratio and
whether the target (app p95 <= 100 ms and <= 3x the bare broadcast) is met. Asserts nothing.

    .venv/bin/python bench/live_orders.py                       # one worker, memory state
    .venv/bin/python bench/live_orders.py --redis redis://127.0.0.1:6379/6 --workers 2

It builds the frontend in .web like `make run`: do not run it while the e2e tests or
`make run` use the same checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import _setup
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    CloseConnection,
    Event,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from reserve_app.domain.accounts import Role
from reserve_app.services import shop, uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import db
from reserve_app.services.platform.seed import seed_if_empty
from reserve_app.state.shop.my_orders import MyOrdersState
from reserve_app.state.shop.staff_orders import StaffOrdersState
from reserve_app.state.shop.storefront import ShopState

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/_event"
PANEL_PATH, SHOP_PATH = "/staff/orders", "/shop"
PASSWORD = "bench password 1"  # _setup.add_users
START_TIMEOUT = 600            # the first build installs the frontend packages
ORDER_TIMEOUT = 10.0           # a panel that has not seen an order by then missed it
TARGET_P95_MS, TARGET_RATIO = 100.0, 3.0
LOG_PROBLEMS = re.compile(r"Traceback|\bERROR\b|Exception|failed|WARNING", re.IGNORECASE)


def _var(var: Any) -> str:
    """The key of a state var in a delta, e.g. "orders_rx_state_"."""
    return str(var._js_expr).rsplit(".", 1)[-1]


STAFF_KEY, STAFF_ORDERS = StaffOrdersState.get_full_name(), _var(StaffOrdersState.orders)
MINE_KEY, MINE_ORDERS = MyOrdersState.get_full_name(), _var(MyOrdersState.orders)
SHOP_KEY, SHOP_CART = ShopState.get_full_name(), _var(ShopState.cart)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=50)
    parser.add_argument("--staff", type=int, default=5,
                        help="staff accounts (logged in once each) the panels share")
    parser.add_argument("--orders", type=int, default=30, help="timed orders")
    parser.add_argument("--warmup", type=int, default=2, help="untimed orders sent first")
    parser.add_argument("--interval", type=float, default=0.3,
                        help="seconds from one 'Send order' to the next (at least)")
    parser.add_argument("--redis", default="", metavar="URL",
                        help="run the app with REFLEX_REDIS_URL=URL (e.g. "
                             "redis://127.0.0.1:6379/6)")
    parser.add_argument("--workers", type=int, default=0,
                        help="GRANIAN_WORKERS for the app (needs --redis for more than 1)")
    parser.add_argument("--per-order", action="store_true",
                        help="print each order's figures as it goes")
    parser.add_argument("--log", default="", metavar="FILE", help="keep the app's log here")
    parser.add_argument("--serve-bare", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--payloads", default="", help=argparse.SUPPRESS)
    _setup.add_arguments(parser)
    args = parser.parse_args()
    if args.serve_bare:
        return _serve_bare(args.serve_bare, Path(args.payloads))
    if min(args.panels, args.staff, args.orders) < 1 or args.warmup < 0:
        parser.error("--panels, --staff and --orders must be at least 1")
    if args.workers > 1 and not args.redis:
        parser.error("--workers above 1 needs --redis (each worker keeps its own state)")
    if args.warmup + args.orders > 190:
        parser.error("the staff panel lists at most 200 open orders: use fewer orders")
    if args.redis:
        _check_redis(args.redis)

    load = os.getloadavg()[0]  # other work on the machine skews every figure
    with _setup.database(args) as url, tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        cookies, customer, product_id = _accounts(args.staff)
        db.dispose()  # the app owns the database from here on
        log_path = Path(tmp) / "app.log"
        with _app(url, args, log_path) as app_url:
            app = asyncio.run(_measure_app(app_url, args, cookies, customer, product_id))
        problems = _log_problems(log_path)
        if args.log:
            shutil.copyfile(log_path, args.log)
        payload_file = Path(tmp) / "payloads.json"
        payload_file.write_text(json.dumps(app["payloads"]))
        with _bare_server(payload_file) as bare_url:
            bare = asyncio.run(_measure_bare(bare_url, args, app["order_ids"]))

    _report(args, url, app, bare, problems, load)
    return 0


# ---- set-up ---------------------------------------------------------------------------------

def _accounts(staff: int) -> tuple[list[str], str, int]:
    """Demo catalogue, staff and a customer, each logged in once through the auth service."""
    with uow.write_session() as session:
        seed_if_empty(session)
    staff_users = _setup.add_users([f"Bench Staff {i}" for i in range(staff)], Role.STAFF)
    [buyer] = _setup.add_users(["Bench Customer"], Role.CUSTOMER)
    cookies = [f"sid={_login(u.email)}" for u in staff_users]
    with uow.read_session() as session:
        product = next(p for p in shop.catalogue(session)
                       if p.stock is None and p.kind != "bundle" and p.gross > 0)
    return cookies, f"sid={_login(buyer.email)}", product.id


def _login(email: str) -> str:
    """The session token (the `sid` cookie) as the login page and /api/session make it."""
    with uow.write_session() as session:
        ticket = auth.start_login(session, email=email, password=PASSWORD)
    with uow.write_session() as session:
        new = auth.redeem_ticket(session, ticket=ticket)
    assert new is not None
    return new.token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _app(url: str, args: argparse.Namespace, log_path: Path) -> Iterator[str]:
    """`reflex run --env prod` on a free port (as e2e/conftest.py); the group is killed after."""
    port = _free_port()
    app_url = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMTP_", "DATABASE_URL", "REFLEX_REDIS_URL", "GRANIAN_"))}
    env.update(_setup.ENV)  # set, even if blank, so the app's .env cannot add them back
    env.update({
        "DATABASE_URL": url,
        "REFLEX_REDIS_URL": args.redis,
        "PORT": str(port),
        "APP_URL": app_url,
        "APP_ENV": "prod",
        "SEED_DEMO": "false",
        "DEFAULT_TIMEZONE": "UTC",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "400",  # one log record per line
        "PATH": os.pathsep.join([str(ROOT / ".tools/node_modules/.bin"),
                                 str(Path(sys.executable).parent), env.get("PATH", "")]),
    })
    if args.workers:
        env["GRANIAN_WORKERS"] = str(args.workers)
    if not env.get("NPM_CONFIG_REGISTRY"):  # else Reflex probes an unreachable mirror
        registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True,
                                  text=True, check=False).stdout.strip()
        if registry:
            env["NPM_CONFIG_REGISTRY"] = registry
    reflex = str(Path(sys.executable).with_name("reflex"))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--frontend-port", str(port),
             "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(f"{app_url}/ping", proc, log_path)
        try:
            yield app_url
        except BaseException:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
            print(f"app log, last lines:\n{tail}", file=sys.stderr)
            raise
    finally:
        _stop(proc)


def _wait_ready(ping: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(ping, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"the app did not start in {START_TIMEOUT}s:\n"
                     f"{log_path.read_text()[-4000:]}")


def _log_problems(log_path: Path) -> list[str]:
    """Lines of the app log after start-up (not the build) that look like trouble."""
    lines = log_path.read_text(errors="replace").splitlines()
    started = next((n for n, line in enumerate(lines) if "App running at" in line), 0)
    return [line for line in lines[started:] if LOG_PROBLEMS.search(line)]


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        raise SystemExit(f"Redis at {url} does not answer ({err}); start one with "
                         f"`make redis`") from None


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ---- a Socket.IO client on one asyncio loop -------------------------------------------------

class Tab:
    """One browser tab's websocket: Engine.IO v4 / Socket.IO v5 on the "/_event" namespace.

    A small client (wsproto for the frames) so 50 of them share one asyncio loop cheaply;
    python-socketio's asyncio client would need aiohttp, which the project does not install.
    `on_event(data, at)` gets each "event" message the server sends, with the time its last
    bytes were read (before parsing).
    """

    def __init__(self, url: str, cookie: str, on_event: Callable[[Any, float], None]) -> None:
        self.url, self.cookie, self.on_event = url, cookie, on_event
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._parts: list[str] = []
        self._connected: asyncio.Future[None] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self.lost = ""  # why the connection ended or broke, if it did before close()

    async def connect(self, timeout: float = 30) -> None:
        parts = urlsplit(self.url)
        reader, self._writer = await asyncio.open_connection(parts.hostname, parts.port)
        self._connected = asyncio.get_running_loop().create_future()
        origin = f"{parts.scheme}://{parts.netloc}"
        headers = [(b"Origin", origin.encode())]
        if self.cookie:
            headers.append((b"Cookie", self.cookie.encode()))
        self._send(Request(host=parts.netloc, extra_headers=headers,
                           target=f"{NAMESPACE}/?EIO=4&transport=websocket&token={uuid.uuid4()}"))
        self._task = asyncio.create_task(self._read(reader))
        await asyncio.wait_for(self._connected, timeout)

    def emit(self, data: Any) -> None:
        self._send(Message(data=f"42{NAMESPACE},{json.dumps(['event', data])}"))

    def call(self, name: str, path: str, **payload: Any) -> None:
        """Send one Reflex event as the frontend does."""
        self.emit({"name": name, "payload": payload,
                   "router_data": {"pathname": path, "asPath": path}})

    async def close(self) -> None:
        if self._writer is None:
            return
        self.lost = self.lost or "-"   # from here on, an ending connection is expected
        with contextlib.suppress(Exception):
            self._send(Message(data=f"41{NAMESPACE},"))
            self._send(CloseConnection(code=1000))
            await self._writer.drain()
        self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def _send(self, event: Event) -> None:
        assert self._writer is not None
        self._writer.write(self._ws.send(event))

    def _fail(self, why: str) -> None:
        self.lost = self.lost or why
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(ConnectionError(why))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            await self._read_frames(reader)
        except Exception as err:  # noqa: BLE001 - reported with the figures
            self._fail(f"{type(err).__name__}: {err}")

    async def _read_frames(self, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(1 << 18)
            at = time.perf_counter()
            self._ws.receive_data(data or None)
            for event in self._ws.events():
                if isinstance(event, TextMessage):
                    self._parts.append(event.data)
                    if event.message_finished:
                        text, self._parts = "".join(self._parts), []
                        self._packet(text, at)
                elif isinstance(event, Ping):
                    self._send(event.response())
                elif isinstance(event, (RejectConnection, RejectData)):
                    self._fail("the server refused the websocket")
                elif isinstance(event, CloseConnection):
                    self._fail("the server closed the websocket")
            if not data:
                self._fail("connection closed")
                return

    def _packet(self, text: str, at: float) -> None:
        if text.startswith("0"):                        # Engine.IO open
            self._send(Message(data=f"40{NAMESPACE},"))
        elif text == "2":                               # Engine.IO ping
            self._send(Message(data="3"))
        elif text.startswith("4"):                      # a Socket.IO packet
            kind, rest = text[1], text[2:]
            if rest.startswith(NAMESPACE):
                rest = rest[len(NAMESPACE):].removeprefix(",")
            if kind == "0" and self._connected is not None and not self._connected.done():
                self._connected.set_result(None)
            elif kind == "4":
                self._fail(f"connect refused: {rest}")
            elif kind == "2":
                name, *args = json.loads(rest[rest.index("["):])
                if name == "event" and args:
                    self.on_event(args[0], at)


class Panel:
    """A staff Orders panel: when each order id first appeared in its `orders` state."""

    def __init__(self, url: str, cookie: str, progress: asyncio.Event, *,
                 keep: bool = False) -> None:
        self.tab = Tab(url, cookie, self._on_event)
        self.seen: dict[int, float] = {}
        self.loaded = asyncio.get_running_loop().create_future()
        self.progress = progress
        self.other: list[str] = []              # event names other than deltas (redirects ...)
        self.first_delta: dict[int, Any] = {}   # order id -> the message that showed it first
        self.keep = keep

    def _on_event(self, data: Any, at: float) -> None:
        part = (data.get("delta") or {}).get(STAFF_KEY) or {}
        if part and not self.loaded.done():
            # The reply to load (the panel sends only the lists that changed, so a panel
            # opened on an empty shop gets no `orders` in it).
            self.loaded.set_result(None)
        if STAFF_ORDERS in part:
            new = [o["id"] for o in part[STAFF_ORDERS] if o["id"] not in self.seen]
            for order_id in new:
                self.seen[order_id] = at
                if self.keep:
                    self.first_delta[order_id] = data
            if new:
                self.progress.set()
        self.other += [e.get("name", "?") for e in data.get("events") or []]


async def _open_panels(url: str, cookies: list[str], count: int, progress: asyncio.Event,
                       *, load: bool) -> list[Panel]:
    panels = [Panel(url, cookies[i % len(cookies)], progress, keep=i == 0)
              for i in range(count)]
    gate = asyncio.Semaphore(10)

    async def connect(panel: Panel) -> None:
        async with gate:
            await panel.tab.connect()

    await asyncio.gather(*(connect(p) for p in panels))
    if load:
        for panel in panels:
            panel.tab.call(f"{STAFF_KEY}.load", PANEL_PATH)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.loaded for p in panels)), 60)
        except TimeoutError:
            stuck = [p for p in panels if not p.loaded.done()]
            raise SystemExit(f"{len(stuck)} panels got no order list from load; their other "
                             f"events: {stuck[0].other[:5]}") from None
    return panels


async def _wait_seen(panels: list[Panel], order_id: int, progress: asyncio.Event,
                     deadline: float) -> None:
    while not all(order_id in p.seen for p in panels):
        progress.clear()
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(progress.wait(), left)


# ---- the app --------------------------------------------------------------------------------

class Customer:
    """The customer's Shop tab: each message lands in a queue."""

    def __init__(self, url: str, cookie: str) -> None:
        self.tab = Tab(url, cookie, self._on_event)
        self.inbox: asyncio.Queue[tuple[Any, float]] = asyncio.Queue()

    def _on_event(self, data: Any, at: float) -> None:
        self.inbox.put_nowait((data, at))

    async def until(self, found: Callable[[dict], Any], what: str) -> tuple[Any, float]:
        """The first message for which `found(delta)` is not None, and its arrival time."""
        seen = []
        deadline = time.perf_counter() + 30
        while (left := deadline - time.perf_counter()) > 0:
            try:
                data, at = await asyncio.wait_for(self.inbox.get(), left)
            except TimeoutError:
                break
            seen.append(data)
            if (value := found(data.get("delta") or {})) is not None:
                return value, at
        raise SystemExit(f"no reply with {what} in 30 s; got {json.dumps(seen)[:2000]}")

    def drain(self) -> None:
        while not self.inbox.empty():
            self.inbox.get_nowait()


async def _measure_app(url: str, args: argparse.Namespace, cookies: list[str], customer: str,
                       product_id: int) -> dict[str, Any]:
    progress = asyncio.Event()
    began = time.perf_counter()
    panels = await _open_panels(url, cookies, args.panels, progress, load=True)
    ready_s = time.perf_counter() - began
    buyer = Customer(url, customer)
    await buyer.tab.connect()
    # The Shop page's on_load: subscribes the tab, so its own orders arrive live.
    buyer.tab.call(f"{MINE_KEY}.load", SHOP_PATH)
    await buyer.until(lambda d: True if MINE_KEY in d else None, "the customer's order list")
    order_ids: list[int] = []
    reply_ms: list[float] = []
    latencies: list[float] = []
    missed = 0
    last = 0.0
    try:
        for n in range(args.warmup + args.orders):
            buyer.drain()
            buyer.tab.call(f"{SHOP_KEY}.add", SHOP_PATH, product_id=product_id,
                           pay_with="money")
            await buyer.until(lambda d: (d.get(SHOP_KEY) or {}).get(SHOP_CART) or None,
                              "the cart")
            await asyncio.sleep(max(0.0, last + args.interval - time.perf_counter()))
            buyer.drain()
            t0 = last = time.perf_counter()
            buyer.tab.call(f"{SHOP_KEY}.send", SHOP_PATH, form={"method": "cash", "note": ""})
            order_id, replied = await buyer.until(
                lambda d: max((o["id"] for o in (d.get(MINE_KEY) or {}).get(MINE_ORDERS, [])),
                              default=None), "the customer's orders")
            order_ids.append(order_id)
            await _wait_seen(panels, order_id, progress, t0 + ORDER_TIMEOUT)
            if n < args.warmup:
                continue
            reply_ms.append((replied - t0) * 1000)
            these = [(p.seen[order_id] - t0) * 1000 for p in panels if order_id in p.seen]
            latencies += these
            missed += len(panels) - len(these)
            if args.per_order:
                print(f"  order {order_id:>3}: reply {reply_ms[-1]:6.1f} ms, panels "
                      f"first {min(these, default=0):6.1f} p50 {_setup.percentile(these, 50):6.1f}"
                      f" last {max(these, default=0):6.1f} ms, {len(these)} panels")
        # The broadcast is followed by each tab's own state update; let the last round end
        # before the tabs go, or the app logs deltas sent to clients that just left.
        await asyncio.sleep(1.0)
    finally:
        lost = Counter(t.lost for t in [buyer.tab, *(p.tab for p in panels)] if t.lost)
        await asyncio.gather(buyer.tab.close(), *(p.tab.close() for p in panels))
    # The bare run broadcasts, for each order, the very message that showed it in panel 0.
    payloads = [panels[0].first_delta.get(i, {}) for i in order_ids]
    sizes = [len(json.dumps(p)) for p in payloads[args.warmup:]]
    others = sorted({name for p in panels for name in p.other})
    return {"ms": latencies, "missed": missed, "lost": lost, "reply_ms": reply_ms,
            "ready_s": ready_s, "order_ids": order_ids, "payloads": payloads, "sizes": sizes,
            "other": others}


# ---- the bare broadcast ---------------------------------------------------------------------

def _serve_bare(port: int, payload_file: Path) -> int:
    """The baseline server (a subprocess): python-socketio on granian, like Reflex's."""
    import socketio
    from granian.constants import Interfaces
    from granian.server.embed import Server

    payloads = json.loads(payload_file.read_text())
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*",
                               transports=["websocket"], allow_upgrades=False,
                               async_handlers=False)

    async def on_event(sid: str, data: Any) -> None:
        await sio.emit("event", payloads[data["i"]], namespace=NAMESPACE)

    sio.on("event", on_event, namespace=NAMESPACE)
    app = socketio.ASGIApp(sio, socketio_path=NAMESPACE)
    server = Server(app, address="127.0.0.1", port=port, interface=Interfaces.ASGI,
                    log_enabled=False)
    asyncio.run(server.serve())
    return 0


@contextlib.contextmanager
def _bare_server(payload_file: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(port),
                             "--payloads", str(payload_file)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the bare python-socketio server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


async def _measure_bare(url: str, args: argparse.Namespace,
                        order_ids: list[int]) -> dict[str, Any]:
    progress = asyncio.Event()
    panels = await _open_panels(url, [""], args.panels, progress, load=False)
    sender = Tab(url, "", lambda data, at: None)
    await sender.connect()
    latencies: list[float] = []
    missed = 0
    last = 0.0
    try:
        for n, order_id in enumerate(order_ids):
            await asyncio.sleep(max(0.0, last + args.interval - time.perf_counter()))
            t0 = last = time.perf_counter()
            sender.emit({"i": n})
            await _wait_seen(panels, order_id, progress, t0 + ORDER_TIMEOUT)
            if n < args.warmup:
                continue
            for panel in panels:
                if order_id in panel.seen:
                    latencies.append((panel.seen[order_id] - t0) * 1000)
                else:
                    missed += 1
    finally:
        lost = Counter(t.lost for t in [sender, *(p.tab for p in panels)] if t.lost)
        await asyncio.gather(sender.close(), *(p.tab.close() for p in panels))
    return {"ms": latencies, "missed": missed, "lost": lost}


# ---- report ---------------------------------------------------------------------------------

def _stats(values: list[float]) -> tuple[float, float, float]:
    return (_setup.percentile(values, 50), _setup.percentile(values, 95),
            max(values, default=0.0))


def _report(args: argparse.Namespace, url: str, app: dict, bare: dict,
            problems: list[str], load: float) -> None:
    mode = (f"Redis state ({args.redis}), {args.workers or 'Reflex default'} workers"
            if args.redis else f"{args.workers or 1} worker, in-memory state")
    sizes = app["sizes"]
    print(f"live_orders on {_setup.backend(url)}, {mode}: {args.panels} staff panels "
          f"({args.staff} staff logins), {args.orders} orders (+{args.warmup} warm-up) "
          f"at least {args.interval * 1000:.0f} ms apart; panels loaded in "
          f"{app['ready_s']:.1f} s; panel message {min(sizes, default=0) / 1000:.1f}-"
          f"{max(sizes, default=0) / 1000:.1f} kB; load average at start {load:.1f} "
          f"on {os.cpu_count()} cores")
    a50, a95, amax = _stats(app["ms"])
    b50, b95, bmax = _stats(bare["ms"])
    r50, r95, rmax = _stats(app["reply_ms"])
    expected = args.panels * args.orders
    rows = [("app: Send order -> order in panel state", a50, a95, amax,
             f"{len(app['ms'])}/{expected}"),
            ("bare python-socketio broadcast", b50, b95, bmax,
             f"{len(bare['ms'])}/{expected}"),
            ("customer's page shows the order", r50, r95, rmax,
             f"{len(app['reply_ms'])}/{args.orders}")]
    print(f"  {'':<42}{'p50':>10}{'p95':>11}{'max':>11}   samples")
    for name, p50, p95, top, samples in rows:
        print(f"  {name:<42}{p50:>7.1f} ms{p95:>8.1f} ms{top:>8.1f} ms   {samples}")
    ratio = a95 / b95 if b95 else float("inf")
    print(f"  ratio app / bare: p50 {a50 / b50 if b50 else float('inf'):.1f}x, "
          f"p95 {ratio:.1f}x")
    if app["missed"] or bare["missed"]:
        print(f"  MISSED within {ORDER_TIMEOUT:.0f} s: app {app['missed']}, "
              f"bare {bare['missed']} (panel x order)")
    for name, run in (("app", app), ("bare", bare)):
        for why, count in run["lost"].items():
            print(f"  {name}: {count} connections broke during the run: {why}")
    if app["other"]:
        print(f"  panels also got events: {', '.join(app['other'])}")
    met_abs = not app["missed"] and a95 <= TARGET_P95_MS
    met_ratio = not app["missed"] and a95 <= TARGET_RATIO * b95
    print(f"  target app p95 <= {TARGET_P95_MS:.0f} ms: {'met' if met_abs else 'MISSED'}; "
          f"<= {TARGET_RATIO:.0f}x bare p95 ({TARGET_RATIO * b95:.1f} ms): "
          f"{'met' if met_ratio else 'MISSED'}")
    print(f"  app log after start-up: {len(problems)} lines with errors or warnings")
    kinds = Counter(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+(\.\d+)?", "#", line).strip()
                    for line in problems)
    for line, count in kinds.most_common(5):
        print(f"    {count:>4} x {line[:240]}")


if __name__ == "__main__":
    sys.exit(main())
