"""Shop use cases: catalogue, sending an order, the staff actions, and the account ledgers.

The package's public API (callers use `from reserve_app.services import shop; shop.act(...)`);
the use cases live in modules by group:

- settings: the shop switch and payment methods, a staff member's order sound;
- catalog: products, time packages and bundles;
- cart: pricing the cart and "Send order";
- orders: the staff actions (accept, cancel, void, complete, pay, delivered);
- order_views: the staff panel, the customer's own orders, one order;
- ledgers: balance and points, the account pages, an admin's corrections;
- records: what the order use cases share (lock, items, stock, live events).
"""

from __future__ import annotations

from .cart import CartLineView, CartView, place_order, quote_cart
from .catalog import (
    AdminCatalogue,
    ProductView,
    admin_catalogue,
    bundle_of,
    catalogue,
    save_product,
    set_orderable,
)
from .ledgers import (
    AccountView,
    CustomerLine,
    EntryView,
    account,
    adjust,
    balance_of,
    customers,
    points_of,
)
from .order_views import (
    ItemView,
    OrderView,
    StaffPanel,
    my_orders,
    open_orders,
    order_view,
    recent_orders,
    staff_panel,
)
from .orders import act, mark_delivered, pay
from .records import ORDER, ORDER_KIND
from .settings import (
    SettingsView,
    load_settings,
    order_sound,
    save_settings,
    set_order_sound,
    settings_view,
)

__all__ = [
    "ORDER", "ORDER_KIND", "AccountView", "AdminCatalogue", "CartLineView", "CartView",
    "CustomerLine", "EntryView", "ItemView", "OrderView", "ProductView", "SettingsView",
    "StaffPanel", "account", "act", "adjust", "admin_catalogue", "balance_of", "bundle_of",
    "catalogue", "customers", "load_settings", "mark_delivered", "my_orders", "open_orders",
    "order_sound", "order_view", "pay", "place_order", "points_of", "quote_cart",
    "recent_orders", "save_product", "save_settings", "set_order_sound", "set_orderable",
    "settings_view", "staff_panel",
]
