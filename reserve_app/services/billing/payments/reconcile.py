"""`python -m reserve_app.services.billing.payments.reconcile`: re-read pending and held Stripe
payments from Stripe and fix what a lost webhook left behind (safe to run any time, e.g.
hourly from cron: each finding is applied once, and never moves a payment backwards)."""

from __future__ import annotations

import sys

from reserve_app.settings import get_settings


def main() -> int:
    if not get_settings().stripe_enabled:
        print("Stripe is not configured (STRIPE_SECRET_KEY); nothing to reconcile.")
        return 0
    from reserve_app.services.billing.payments.actions import reconcile

    counts = reconcile()
    print("reconciled:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
