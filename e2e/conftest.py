"""End-to-end fixtures: one production-mode app per test session, Debian's Chromium.

The app runs `reflex run --env prod` on a free port with a fresh SQLite database and the
demo data, and is killed (whole process group) at the end.

Multi-worker mode: with E2E_REDIS_URL (e.g. redis://127.0.0.1:6379/5) and E2E_WORKERS (e.g. 2)
the app gets REFLEX_REDIS_URL and GRANIAN_WORKERS, so that many granian workers share the
state in Redis (`make e2e-redis`). Redis keeps its data between runs; nothing here assumes it
is empty (each browser tab has a new client token).

Stripe mode: with E2E_STRIPE=1 (`make e2e-stripe`, which runs only e2e/test_stripe.py) a fake
Stripe (`stripe_checkout.CheckoutFake`: the API, a hosted Checkout page, signed webhooks) starts
before the app, and the app gets STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE
pointing at it; once the app is up the fake POSTs its webhooks to <app>/api/stripe/webhook.
Without it the app has no Stripe keys (the manual provider the other tests expect).

PostgreSQL mode: with E2E_DATABASE_URL (a PostgreSQL server, e.g. the TEST_DATABASE_URL of the
integration tests) the app runs on a fresh database of its own on that server, dropped at the
end; `app.query` and `app.db_url` then point there.

Console guard: every browser context a test opens (the `page`/`context` fixtures and any
`browser.new_context(...)`) records the console messages of type "error" and the uncaught page
errors of its pages; a test whose pages logged one fails, with the messages and page addresses.
A test that provokes an error on purpose declares it, narrowly, with the `console_errors`
fixture: `console_errors.allow(r"status of 404")`.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.policy
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, WebError, expect

if TYPE_CHECKING:
    from .stripe_checkout import CheckoutFake

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT = 600  # first build installs frontend packages
REDIS_URL = os.environ.get("E2E_REDIS_URL", "").strip()
WORKERS = os.environ.get("E2E_WORKERS", "").strip()
STRIPE = os.environ.get("E2E_STRIPE", "").strip()
PG_SERVER = os.environ.get("E2E_DATABASE_URL", "").strip()
STRIPE_TEST_FILE = "test_stripe.py"
# Test-mode credentials of the fake (shaped as settings.py requires); never a real account's.
STRIPE_SECRET_KEY = "sk_test_e2eFakeStripeKey0000000000"
STRIPE_WEBHOOK_SECRET = "whsec_e2eFakeWebhookSecret000000000"

pytestmark = pytest.mark.e2e

# Assertions wait up to 10 s (Playwright's default is 5 s): on a 2-core machine running two
# backend workers, a first page load now and then takes longer than 5 s. Nothing here
# measures speed; the benchmarks do.
expect.set_options(timeout=10_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """A real SMTP server (aiosmtpd) the app delivers its outbox to."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, to: str, subject: str, timeout: float = 30) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to and subject in str(message["Subject"]):
                    return message
            time.sleep(0.25)
        seen = [(m["To"], m["Subject"]) for m in self.messages]
        raise AssertionError(f"no mail to {to} with {subject!r} within {timeout}s; got {seen}")


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@dataclass
class App:
    url: str
    db_path: Path
    log_path: Path
    pid: int = 0             # the `reflex run` process (leader of its process group)
    redis_url: str = ""      # set in multi-worker mode
    workers: int = 1
    stripe: CheckoutFake | None = None  # set in Stripe mode (E2E_STRIPE=1)

    db_url: str = ""         # the app's DATABASE_URL

    def query(self, sql: str, *args: object) -> list[tuple]:
        """Rows of a read (qmark placeholders, `?`) on the app's database."""
        if not self.db_url.startswith("postgresql"):
            con = sqlite3.connect(self.db_path, timeout=30)
            try:
                return con.execute(sql, args).fetchall()
            finally:
                con.close()
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        parts = sql.split("?")
        named = parts[0] + "".join(f":p{i}{part}" for i, part in enumerate(parts[1:]))
        engine = create_engine(self.db_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                found = conn.execute(text(named), {f"p{i}": a for i, a in enumerate(args)})
                return [tuple(row) for row in found.all()]
        finally:
            engine.dispose()


@contextlib.contextmanager
def _postgres_database(server: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server `server`, dropped at the end."""
    import secrets

    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    base = make_url(server).set(drivername="postgresql+psycopg")
    name = f"reserve_e2e_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    if STRIPE not in ("", "1"):
        pytest.exit(f"E2E_STRIPE must be 1 (or unset), got {STRIPE!r}", returncode=4)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stripe mode runs only the Stripe file: the others expect the manual provider."""
    if STRIPE != "1":
        return
    others = sorted({item.path.name for item in items if item.path.name != STRIPE_TEST_FILE
                     and item.path.parent == Path(__file__).parent})
    if others:
        pytest.exit(f"E2E_STRIPE=1 runs only e2e/{STRIPE_TEST_FILE} (`make e2e-stripe`); "
                    f"these expect the app without Stripe: {', '.join(others)}", returncode=4)


@pytest.fixture(scope="session")
def stripe_fake() -> Iterator[CheckoutFake | None]:
    """The fake Stripe in Stripe mode (started before the app), else None."""
    if STRIPE != "1":
        yield None
        return
    from .stripe_checkout import CheckoutFake

    with CheckoutFake(webhook_secret=STRIPE_WEBHOOK_SECRET) as fake:
        yield fake


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox,
        stripe_fake: CheckoutFake | None) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp("app")
    port = _free_port()
    db_path = tmp / "e2e.db"
    with contextlib.ExitStack() as stack:
        db_url = (stack.enter_context(_postgres_database(PG_SERVER)) if PG_SERVER
                  else f"sqlite:///{db_path}")
        yield from _run_app(tmp, port, db_path, db_url, mailbox, stripe_fake)


def _run_app(tmp: Path, port: int, db_path: Path, db_url: str, mailbox: Mailbox,
             stripe_fake: CheckoutFake | None) -> Iterator[App]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMTP_", "DATABASE_URL", "REFLEX_REDIS_URL", "GRANIAN_WORKERS",
                                 "STRIPE_"))}
    env.update({
        "DATABASE_URL": db_url,
        "PORT": str(port),
        "APP_URL": f"http://localhost:{port}",
        "APP_ENV": "prod",
        "SEED_DEMO": "true",
        "BUSINESS_NAME": "Demo Rentals",
        "DEFAULT_TIMEZONE": "Europe/Warsaw",  # as the browser contexts below
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),  # type: ignore[attr-defined]
        "OUTBOX_POLL_SECONDS": "1",
        # Ticket attachments of this run stay in its temporary folder.
        "ATTACHMENTS_DIR": str(tmp / "attachments"),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        # bun from the npm registry (make setup); Reflex needs it with Node 20.
        "PATH": f"{ROOT / '.tools/node_modules/.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    # Set even when empty: `.env` never overrides the environment, so a developer's Stripe
    # keys there do not reach the manual-provider runs.
    faked = stripe_fake is not None
    env.update({
        "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY if faked else "",
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET if faked else "",
        "STRIPE_API_BASE": stripe_fake.url if stripe_fake is not None else "",
    })
    workers = 1
    if REDIS_URL:
        env["REFLEX_REDIS_URL"] = REDIS_URL
    if WORKERS:
        if not WORKERS.isdigit() or int(WORKERS) < 1:
            pytest.exit(f"E2E_WORKERS must be a whole number >= 1, got {WORKERS!r}", returncode=2)
        if int(WORKERS) > 1 and not REDIS_URL:
            pytest.exit("E2E_WORKERS > 1 needs E2E_REDIS_URL (workers share state in Redis)",
                        returncode=2)
        env["GRANIAN_WORKERS"] = WORKERS
        workers = int(WORKERS)
    if not env.get("NPM_CONFIG_REGISTRY"):  # else Reflex probes an unreachable mirror
        registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True,
                                  text=True, check=False).stdout.strip()
        if registry:
            env["NPM_CONFIG_REGISTRY"] = registry
    subprocess.run([sys.executable, "-m", "reserve_app.cli", "setup"], cwd=ROOT, env=env,
                   check=True)
    log_path = tmp / "app.log"
    reflex = str(Path(sys.executable).with_name("reflex"))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--frontend-port", str(port),
             "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_ready(f"http://localhost:{port}", proc, log_path)
        if workers > 1:
            _wait_workers(proc, log_path, workers)
        url = f"http://localhost:{port}"
        if stripe_fake is not None:
            stripe_fake.webhook_url = f"{url}/api/stripe/webhook"
        yield App(url, db_path, log_path, proc.pid, REDIS_URL, workers, stripe_fake, db_url)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_ready(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    with urllib.request.urlopen(f"{url}/login", timeout=5):  # noqa: S310
                        return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"app did not start in {START_TIMEOUT}s:\n{log_path.read_text()[-4000:]}")


def worker_pids(pid: int) -> list[int]:
    """The granian workers: forked children of the `reflex run` process (the supervisor)."""
    try:
        children = psutil.Process(pid).children()
    except psutil.Error:
        return []
    found = []
    for child in children:
        with contextlib.suppress(psutil.Error):
            if "reflex" in " ".join(child.cmdline()):
                found.append(child.pid)
    return sorted(found)


def note_workers(log_path: Path, line: str) -> None:
    """Where tabs and workers met, in workers.log next to app.log (multi-worker runs)."""
    with open(log_path.with_name("workers.log"), "a") as log:
        log.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def _wait_workers(proc: subprocess.Popen, log_path: Path, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(pids := worker_pids(proc.pid)) >= workers:
            note_workers(log_path, f"{len(pids)} workers, pids {pids}")
            return
        time.sleep(0.5)
    raise RuntimeError(f"expected {workers} workers, found {worker_pids(proc.pid)}:\n"
                       f"{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.exit(f"Chromium not found at {CHROMIUM}: run `make setup-test`.", returncode=2)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def base_url(app: App) -> str:
    return app.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, app: App) -> dict:
    return {**browser_context_args, "base_url": app.url, "locale": "en-US",
            "timezone_id": "Europe/Warsaw"}


# --- console guard ---------------------------------------------------------------------------

@dataclass
class ConsoleError:
    kind: str      # "console" (console.error, a failed resource load) or "pageerror" (uncaught)
    text: str
    page_url: str
    source: str    # where the message came from (script or resource address), when known

    def __str__(self) -> str:
        where = f" (from {self.source})" if self.source and self.source != self.page_url else ""
        return f"[{self.kind}] {self.page_url}: {self.text}{where}"


class ConsoleErrors:
    """The errors the current test's browser pages logged, and the ones it declared expected."""

    def __init__(self) -> None:
        self.seen: list[ConsoleError] = []
        self.allowed: list[re.Pattern[str]] = []
        self.contexts: list[BrowserContext] = []

    def allow(self, pattern: str) -> None:
        """Expect errors matching `pattern` (searched in the message, its source and page
        address) in this test only. Keep it narrow: a status and an address, not ".*"."""
        self.allowed.append(re.compile(pattern))

    def reset(self) -> None:
        self.seen, self.allowed, self.contexts = [], [], []

    def watch(self, context: BrowserContext) -> None:
        self.contexts.append(context)
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        page = message.page
        source = (message.location or {}).get("url", "")
        self.seen.append(ConsoleError("console", message.text, page.url if page else "", source))

    def _on_weberror(self, error: WebError) -> None:
        page = error.page
        self.seen.append(ConsoleError("pageerror", str(error.error), page.url if page else "",
                                      ""))

    def flush(self) -> None:
        """A round trip to every open page, so that messages already logged are delivered."""
        for context in self.contexts:
            for page in list(context.pages):
                with contextlib.suppress(Exception):
                    if not page.is_closed():  # bounded: a page mid-navigation may not answer
                        page.wait_for_function("() => true", timeout=3000)

    def unexpected(self) -> list[ConsoleError]:
        return [e for e in self.seen
                if not any(p.search(f"{e.text} {e.source} {e.page_url}") for p in self.allowed)]


_CONSOLE = ConsoleErrors()


@pytest.fixture(scope="session", autouse=True)
def _record_console_errors() -> Iterator[None]:
    """Every context opened through playwright's Browser.new_context (sync API) is watched."""
    original = Browser.new_context

    def new_context(self: Browser, *args: object, **kwargs: object) -> BrowserContext:
        context = original(self, *args, **kwargs)
        _CONSOLE.watch(context)
        return context

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Browser, "new_context", new_context)
        yield


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """Declare errors the test provokes on purpose: `console_errors.allow(regex)`."""
    return _CONSOLE


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """The test body, then the check: its pages logged no console error it did not expect."""
    try:
        result = yield
    except BaseException:
        # The test failed anyway: its console errors go with the report, they often say why.
        _CONSOLE.flush()
        if errors := _CONSOLE.unexpected():
            item.add_report_section("call", "browser console errors",
                                    "\n".join(str(e) for e in errors))
        raise
    _CONSOLE.flush()
    if errors := _CONSOLE.unexpected():
        listed = "\n  ".join(str(e) for e in errors)
        pytest.fail(f"the browser logged {len(errors)} console error(s):\n  {listed}",
                    pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    _CONSOLE.reset()  # before the test's fixtures open their contexts
    return (yield)
