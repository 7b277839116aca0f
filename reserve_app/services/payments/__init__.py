"""Payment providers behind one interface. Without Stripe keys: the manual provider."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session

from reserve_app.models import Invoice, Payment


class Provider(Protocol):
    name: str

    def start(self, session: Session, invoice: Invoice) -> Payment:
        """Record a pending payment of the invoice's total (and begin it at the provider)."""
        ...


def provider() -> Provider:
    from .manual import ManualProvider

    return ManualProvider()
