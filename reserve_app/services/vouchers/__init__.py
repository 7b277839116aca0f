"""Promotions, reservations and vouchers.

Customers browse offers without an account and buy a variant once logged in: a reservation
with a voucher code, a draft invoice and a payment through the payment interface. Staff find
reservations by promotion, variant and whether the required action is done, mark the action
done (or undo it), and export CSV, streamed in batches.

Modules by use case: `promotions` (admin), `storefront` (offers, buying, the customer's
vouchers), `reservations` (staff), `export` (CSV); `views` holds what they return. This
package is their public API: callers use `vouchers.buy(...)` and so on.
"""

from __future__ import annotations

from reserve_app.services.vouchers.export import (
    EXPORT_BATCH,
    EXPORT_HEADER_KEYS,
    check_export,
    export_caller,
    export_csv,
    export_rows,
)
from reserve_app.services.vouchers.promotions import (
    all_promotions,
    remove_variant,
    save_promotion,
    save_variant,
)
from reserve_app.services.vouchers.reservations import (
    approve_payment,
    cancel,
    filter_choices,
    reservation,
    reservations,
    save_notes,
    set_action_done,
)
from reserve_app.services.vouchers.storefront import buy, my_vouchers, offer, offers, voucher
from reserve_app.services.vouchers.views import (
    ORDER_KIND,
    PromotionView,
    ReservationRow,
    VariantView,
    VoucherView,
)

__all__ = [
    "EXPORT_BATCH", "EXPORT_HEADER_KEYS", "ORDER_KIND", "PromotionView", "ReservationRow",
    "VariantView", "VoucherView", "all_promotions", "approve_payment", "buy", "cancel",
    "check_export", "export_caller", "export_csv", "export_rows", "filter_choices",
    "my_vouchers", "offer", "offers", "remove_variant", "reservation", "reservations",
    "save_notes", "save_promotion", "save_variant", "set_action_done", "voucher",
]
