"""SQLModel tables. Import this package to register every table on SQLModel.metadata."""

from .accounts import AuthSession, LoginAttempt, LoginTicket, User
from .appointments import Appointment, DayOff, Service, ServiceStaff, WorkingHours
from .audit import AuditEntry
from .billing import Invoice, InvoiceCounter, Payment, StripeEvent
from .localized import LocalizedText
from .menu import MenuEntry
from .notify import DeliveryAttempt, LiveEvent, OutboxMessage
from .rentals import (
    BookingOrder,
    ExtraField,
    MenuEntryUnitType,
    RentalSettings,
    Unit,
    UnitType,
)
from .shop import (
    BalanceEntry,
    BundleItem,
    PointsEntry,
    Product,
    ShopOrder,
    ShopOrderItem,
    ShopSettings,
)
from .tickets import CannedResponse, SupportSettings, Ticket, TicketAttachment, TicketEntry
from .vouchers import Promotion, PromotionVariant, Reservation

ALL_MODELS = (User, AuthSession, LoginTicket, LoginAttempt, AuditEntry, MenuEntry,
              OutboxMessage, DeliveryAttempt, UnitType, Unit, MenuEntryUnitType, RentalSettings,
              ExtraField, BookingOrder, Invoice, InvoiceCounter, Payment, Service, ServiceStaff,
              WorkingHours, DayOff, Appointment, LiveEvent, ShopSettings, Product, BundleItem,
              ShopOrder, ShopOrderItem, BalanceEntry, PointsEntry, SupportSettings,
              CannedResponse, Ticket, TicketEntry, TicketAttachment, Promotion,
              PromotionVariant, Reservation, StripeEvent, LocalizedText)

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS"]
