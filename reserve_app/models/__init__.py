"""SQLModel tables. Import this package to register every table on SQLModel.metadata."""

from .accounts import AuthSession, LoginAttempt, LoginTicket, User
from .audit import AuditEntry
from .menu import MenuEntry
from .notify import DeliveryAttempt, OutboxMessage

ALL_MODELS = (User, AuthSession, LoginTicket, LoginAttempt, AuditEntry, MenuEntry,
              OutboxMessage, DeliveryAttempt)

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS"]
