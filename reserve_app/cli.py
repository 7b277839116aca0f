"""Command line: `python -m reserve_app.cli migrate|seed|setup|deliver-outbox|makemigration`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from alembic import command
from alembic.config import Config

from reserve_app.settings import ROOT, get_settings


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    return cfg


def migrate(url: str | None = None) -> None:
    cfg = alembic_config()
    if url:
        cfg.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    command.upgrade(cfg, "head")


def seed() -> bool:
    from reserve_app.services import uow
    from reserve_app.services.platform.seed import seed_if_empty

    with uow.write_session() as session:
        return seed_if_empty(session)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reserve_app")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed", help="insert demo data into an empty database")
    sub.add_parser("setup", help="migrate, then seed if SEED_DEMO is on")
    sub.add_parser("banner", help="print the URL and the demo logins")
    sub.add_parser("deliver-outbox", help="send due outbox emails once (needs SMTP_HOST)")
    mk = sub.add_parser("makemigration", help="autogenerate a migration from the models")
    mk.add_argument("message")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.cmd == "migrate":
        migrate()
    elif args.cmd == "seed":
        print("seeded demo data" if seed() else "database not empty: nothing seeded")
    elif args.cmd == "setup":
        migrate()
        if settings.seed_demo and seed():
            print("Seeded demo accounts (see README).")
    elif args.cmd == "banner":
        from reserve_app.services.platform.seed import DEMO_USERS

        print(f"\nreserve_app starts at {settings.app_url}  (stop with Ctrl+C)")
        if settings.seed_demo:
            print("Demo logins:")
            for user in DEMO_USERS:
                print(f"  {user.role.value:<9} {user.email:<22} {user.password}")
        print()
    elif args.cmd == "deliver-outbox":
        from reserve_app.services.platform.outbox import deliver_due

        sent, failed = asyncio.run(deliver_due())
        print(f"sent {sent}, failed {failed}")
    elif args.cmd == "makemigration":
        command.revision(alembic_config(), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
