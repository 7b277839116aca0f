"""Domain errors. Each carries a message key (translated at the edge) and its parameters."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. `key` names the message in the i18n catalogues."""

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key, params)


class NotFound(DomainError):
    key = "error.not_found"


class Unauthenticated(DomainError):
    key = "error.login_required"


class Forbidden(DomainError):
    key = "error.forbidden"


class StaleForm(DomainError):
    """The form was filled with values that have changed since (another tab or admin)."""

    key = "error.stale_form"


class InvalidTransition(DomainError):
    key = "error.invalid_transition"

    def __init__(self, current: str, new: str) -> None:
        super().__init__(None, current=str(current), new=str(new))


class SlotTaken(DomainError):
    key = "error.slot_taken"


class PaymentRefused(DomainError):
    key = "error.payment_refused"


class TooManyAttempts(DomainError):
    key = "auth.too_many_attempts"


class InvalidCredentials(DomainError):
    key = "auth.invalid_credentials"


class ValidationFailed(DomainError):
    """One or more fields are invalid. `fields` maps field name -> message key."""

    key = "error.validation"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(None)
        self.fields = dict(fields)
