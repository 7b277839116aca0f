"""The Reflex app: pages, HTTP routes, error handling, background tasks."""

import logging
import traceback

import reflex as rx
from reflex.event import EventSpec

from reserve_app import models
from reserve_app.api import guard_uploads, routes
from reserve_app.i18n import translate
from reserve_app.live.dispatcher import run_dispatcher
from reserve_app.pages.staff import bookings as staff_bookings
from reserve_app.pages.staff import calendar as staff_calendar
from reserve_app.pages.staff import customers as staff_customers
from reserve_app.pages.staff import orders as staff_orders
from reserve_app.pages.staff import rentals as staff_rentals
from reserve_app.pages.staff import reservations as staff_reservations
from reserve_app.pages.staff import services as staff_services
from reserve_app.pages.staff import shop_admin
from reserve_app.pages.staff import tickets as staff_tickets
from reserve_app.pages.staff.accounts import accounts as staff_accounts
from reserve_app.pages.staff.home import home as staff_home
from reserve_app.pages.staff.outbox import outbox
from reserve_app.pages.staff.translations import translations
from reserve_app.pages.storefront.account import account, payment_return
from reserve_app.pages.storefront.appointments import proposal, service_booking, services
from reserve_app.pages.storefront.auth import login, register
from reserve_app.pages.storefront.help import help_page, my_tickets_page, ticket_page
from reserve_app.pages.storefront.home import home
from reserve_app.pages.storefront.offers import my_vouchers, promotion, promotions, voucher
from reserve_app.pages.storefront.rentals import book, my_bookings, rent
from reserve_app.pages.storefront.shop import shop
from reserve_app.services.platform.outbox import run_deliverer
from reserve_app.settings import get_settings
from reserve_app.state.accounts.account import AccountState
from reserve_app.state.accounts.auth import LoginState, RegisterState
from reserve_app.state.accounts.customers import CustomersState
from reserve_app.state.accounts.ledger import LedgerState
from reserve_app.state.accounts.staff_accounts import StaffAccountsState
from reserve_app.state.appointments.booking import ServiceBookingState
from reserve_app.state.appointments.calendar import StaffCalendarState
from reserve_app.state.appointments.my_appointments import MyAppointmentsState
from reserve_app.state.appointments.proposal import ProposalState
from reserve_app.state.appointments.services_admin import ServicesAdminState
from reserve_app.state.billing.payment_return import PaymentReturnState
from reserve_app.state.kit.session import SessionState
from reserve_app.state.rentals.admin import RentalAdminState
from reserve_app.state.rentals.booking import RentalBookingState
from reserve_app.state.rentals.my_bookings import MyBookingsState
from reserve_app.state.rentals.search import RentalSearchState
from reserve_app.state.rentals.settings import RentalSettingsState
from reserve_app.state.rentals.staff_order import StaffBookingState
from reserve_app.state.rentals.staff_orders import StaffBookingsState
from reserve_app.state.shop.admin import ShopAdminState
from reserve_app.state.shop.my_orders import MyOrdersState
from reserve_app.state.shop.promotions import PromotionsAdminState
from reserve_app.state.shop.staff_orders import StaffOrdersState
from reserve_app.state.shop.storefront import ShopState
from reserve_app.state.staff.home import StaffHomeState
from reserve_app.state.staff.outbox import OutboxState
from reserve_app.state.staff.translations import TranslationsState
from reserve_app.state.tickets.help import HelpState
from reserve_app.state.tickets.my_tickets import MyTicketsState, TicketState
from reserve_app.state.tickets.staff_tickets import StaffTicketsState, StaffTicketState
from reserve_app.state.tickets.support_admin import SupportAdminState
from reserve_app.state.vouchers.staff_reservations import ReservationState, StaffReservationsState
from reserve_app.state.vouchers.vouchers import OffersState, VoucherState

log = logging.getLogger("reserve_app")

# Importing `models` puts every table on SQLModel.metadata, which Reflex's own registered
# base model shares: `reflex db` commands see the schema without registering each table.
assert models.ALL_MODELS

# The viewer's time zone, for showing times; read server-side from the Cookie header.
TZ_SCRIPT = (
    "try{document.cookie='tz='+encodeURIComponent(Intl.DateTimeFormat().resolvedOptions()"
    ".timeZone)+';path=/;max-age=31536000;samesite=lax'}catch(e){}"
)


def backend_error(exception: Exception) -> EventSpec:
    """Anything unexpected: logged with its traceback, the user sees a generic message."""
    log.error("unhandled error in event handler:\n%s",
              "".join(traceback.format_exception(exception)))
    toast: EventSpec = rx.toast.error(translate(get_settings().default_language,
                                                "error.unexpected"))
    return toast


app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[rx.script(TZ_SCRIPT)],
    # Routes under /api/ first; the upload guard wraps everything (see api.guard_uploads).
    api_transformer=[routes, guard_uploads],
    backend_exception_handler=backend_error,
)

TITLE = get_settings().business_name
app.add_page(home, route="/", title=TITLE, on_load=SessionState.load)
app.add_page(login, route="/login", title=TITLE,
             on_load=[SessionState.load, LoginState.clear])
app.add_page(register, route="/register", title=TITLE,
             on_load=[SessionState.load, RegisterState.clear])
app.add_page(account, route="/account", title=TITLE,
             on_load=[SessionState.load, AccountState.load, LedgerState.load])
app.add_page(staff_home, route="/staff", title=TITLE,
             on_load=[SessionState.load, StaffHomeState.load])
app.add_page(outbox, route="/staff/outbox", title=TITLE,
             on_load=[SessionState.load, OutboxState.load])
app.add_page(staff_accounts, route="/staff/accounts", title=TITLE,
             on_load=[SessionState.load, StaffAccountsState.load])
app.add_page(rent, route="/rent", title=TITLE, on_load=[SessionState.load, RentalSearchState.load])
app.add_page(book, route="/rent/book", title=TITLE,
             on_load=[SessionState.load, RentalBookingState.load])
app.add_page(my_bookings, route="/bookings", title=TITLE,
             on_load=[SessionState.load, MyBookingsState.load, MyAppointmentsState.load])
app.add_page(staff_bookings.bookings, route="/staff/bookings", title=TITLE,
             on_load=[SessionState.load, StaffBookingsState.load])
app.add_page(staff_bookings.booking, route="/staff/bookings/view", title=TITLE,
             on_load=[SessionState.load, StaffBookingState.load])
app.add_page(staff_rentals.catalogue, route="/staff/rentals", title=TITLE,
             on_load=[SessionState.load, RentalAdminState.load])
app.add_page(staff_rentals.settings, route="/staff/rental-settings", title=TITLE,
             on_load=[SessionState.load, RentalSettingsState.load])
app.add_page(services, route="/services", title=TITLE,
             on_load=[SessionState.load, ServiceBookingState.load_list])
app.add_page(service_booking, route="/services/book", title=TITLE,
             on_load=[SessionState.load, ServiceBookingState.load])
app.add_page(proposal, route="/proposal", title=TITLE,
             on_load=[SessionState.load, ProposalState.load])
app.add_page(staff_calendar.calendar, route="/staff/calendar", title=TITLE,
             on_load=[SessionState.load, StaffCalendarState.load])
app.add_page(staff_services.services_admin, route="/staff/services", title=TITLE,
             on_load=[SessionState.load, ServicesAdminState.load])

app.add_page(shop, route="/shop", title=TITLE,
             on_load=[SessionState.load, ShopState.load, MyOrdersState.load])
app.add_page(staff_orders.orders, route="/staff/orders", title=TITLE,
             on_load=[SessionState.load, StaffOrdersState.load])
app.add_page(shop_admin.shop_admin, route="/staff/shop", title=TITLE,
             on_load=[SessionState.load, ShopAdminState.load])
app.add_page(staff_customers.customers, route="/staff/customers", title=TITLE,
             on_load=[SessionState.load, CustomersState.load])

app.add_page(help_page, route="/help", title=TITLE, on_load=[SessionState.load, HelpState.load])
app.add_page(my_tickets_page, route="/help/tickets", title=TITLE,
             on_load=[SessionState.load, MyTicketsState.load])
app.add_page(ticket_page, route="/help/ticket", title=TITLE,
             on_load=[SessionState.load, TicketState.load])
app.add_page(staff_tickets.inbox, route="/staff/tickets", title=TITLE,
             on_load=[SessionState.load, StaffTicketsState.load])
app.add_page(staff_tickets.ticket, route="/staff/ticket", title=TITLE,
             on_load=[SessionState.load, StaffTicketState.load])
app.add_page(staff_tickets.support_admin, route="/staff/support", title=TITLE,
             on_load=[SessionState.load, SupportAdminState.load])

app.add_page(promotions, route="/promotions", title=TITLE,
             on_load=[SessionState.load, OffersState.load_all])
app.add_page(promotion, route="/promotion", title=TITLE,
             on_load=[SessionState.load, OffersState.load_one])
app.add_page(voucher, route="/voucher", title=TITLE, on_load=[SessionState.load, VoucherState.load])
app.add_page(my_vouchers, route="/vouchers", title=TITLE,
             on_load=[SessionState.load, VoucherState.load_mine])
app.add_page(staff_reservations.reservations, route="/staff/reservations", title=TITLE,
             on_load=[SessionState.load, StaffReservationsState.load])
app.add_page(staff_reservations.reservation, route="/staff/reservation", title=TITLE,
             on_load=[SessionState.load, ReservationState.load])
app.add_page(staff_reservations.promotions_admin, route="/staff/promotions", title=TITLE,
             on_load=[SessionState.load, PromotionsAdminState.load])

app.add_page(translations, route="/staff/translations", title=TITLE,
             on_load=[SessionState.load, TranslationsState.load])

app.add_page(payment_return, route="/payment/return", title=TITLE,
             on_load=[SessionState.load, PaymentReturnState.load])

app.register_lifespan_task(run_deliverer)
app.register_lifespan_task(run_dispatcher)
