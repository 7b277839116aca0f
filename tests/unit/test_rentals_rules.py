"""Rental and billing rules: periods, prices, statuses, extra-field answers, catalogue input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import product

import pytest

from reserve_app.domain import billing, rentals
from reserve_app.domain.billing import (
    INVOICE_ALLOWED,
    PAYMENT_ALLOWED,
    InvoiceStatus,
    PaymentStatus,
    invoice_number,
)
from reserve_app.domain.errors import InvalidTransition, ValidationFailed
from reserve_app.domain.money import parse_amount, q, tax_on
from reserve_app.domain.periods import Period, check_period, parse_day
from reserve_app.domain.rentals import (
    ACTIVE,
    ALLOWED,
    BookingStatus,
    ExtraFieldRule,
    FieldKind,
    check_answers,
    check_field_definition,
    check_unit_type,
    free_unit,
    quote,
    reactivates,
)

D = date(2030, 6, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def period(a: int, b: int) -> Period:
    return Period(day(a), day(b))


# --- periods --------------------------------------------------------------------------------------

def test_days_count_the_pick_up_day_but_not_the_return_day() -> None:
    assert period(0, 2).days == 2
    assert period(0, 1).days == 1


@pytest.mark.parametrize(("other", "expected"), [
    ((8, 10), False),   # ends where ours starts: touching, [start, end) is half-open
    ((20, 25), False),  # starts where ours ends
    ((9, 10), False),   # one day right before ours
    ((25, 30), False),  # after, disjoint
    ((0, 5), False),    # before, disjoint
    ((9, 11), True),    # overlaps our first day
    ((19, 21), True),   # overlaps our last day
    ((12, 15), True),   # inside
    ((10, 11), True),   # one day inside at the start
    ((19, 20), True),   # one day inside at the end
    ((5, 25), True),    # around
    ((10, 15), True),   # same start, ends earlier
    ((10, 30), True),   # same start, ends later
    ((15, 20), True),   # same end
    ((10, 20), True),   # identical
])
def test_overlaps_every_kind(other: tuple[int, int], expected: bool) -> None:
    ours, theirs = period(10, 20), period(*other)
    assert ours.overlaps(theirs) is expected
    assert theirs.overlaps(ours) is expected  # symmetric


def test_identical_single_days_overlap_and_consecutive_days_do_not() -> None:
    assert period(3, 4).overlaps(period(3, 4))
    assert not period(3, 4).overlaps(period(4, 5))


TODAY = D


def test_check_period_accepts_iso_strings_and_dates() -> None:
    assert check_period("2030-06-01", "2030-06-03", today=TODAY, max_days=60) == Period(
        date(2030, 6, 1), date(2030, 6, 3))
    assert check_period(date(2030, 6, 2), date(2030, 6, 9), today=TODAY, max_days=60) == Period(
        date(2030, 6, 2), date(2030, 6, 9))


def test_check_period_allows_today_and_exactly_max_days() -> None:
    result = check_period("2030-06-01", "2030-06-11", today=TODAY, max_days=10)
    assert result.days == 10


@pytest.mark.parametrize(("start", "end", "max_days", "errors"), [
    ("2030-06-05", "2030-06-04", 60, {"end": "rental.end_before_start"}),
    ("2030-06-05", "2030-06-05", 60, {"end": "rental.end_before_start"}),
    ("2030-05-31", "2030-06-03", 60, {"start": "rental.start_past"}),
    ("2030-05-31", "2030-05-30", 60, {"start": "rental.start_past",
                                      "end": "rental.end_before_start"}),
    ("2030-06-01", "2030-06-12", 10, {"end": "rental.too_long"}),
    ("2030-06-01", "2031-06-03", 366, {"end": "rental.too_long"}),  # 367 days
    ("2030-13-01", "2030-06-03", 60, {"start": "field.date_invalid"}),
    ("2030-06-01", "2030-02-30", 60, {"end": "field.date_invalid"}),
    ("", "", 60, {"start": "field.date_invalid", "end": "field.date_invalid"}),
    ("1 June 2030", "2030-06-03", 60, {"start": "field.date_invalid"}),
    ("2030-6-1", "2030-06-03", 60, {"start": "field.date_invalid"}),
    ("2030-06-01T00:00", "2030-06-03", 60, {"start": "field.date_invalid"}),
    (None, "2030-06-03", 60, {"start": "field.date_invalid"}),
    (20300601, "2030-06-03", 60, {"start": "field.date_invalid"}),
    ("2030-06-01", ["2030-06-03"], 60, {"end": "field.date_invalid"}),
    ("2030-06-01", {"d": 1}, 60, {"end": "field.date_invalid"}),
])
def test_check_period_refuses(start: object, end: object, max_days: int,
                              errors: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_period(start, end, today=TODAY, max_days=max_days)
    assert err.value.fields == errors


def test_parse_day() -> None:
    assert parse_day("2030-06-01") == date(2030, 6, 1)
    assert parse_day(date(2030, 6, 1)) == date(2030, 6, 1)
    for bad in ("", "2030-06-1", "2030-06-31", "tomorrow", None, 1, 1.5, b"2030-06-01"):
        assert parse_day(bad) is None


# --- money and quotes -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("12.50", Decimal("12.50")),
    ("12,50", Decimal("12.50")),
    (" 7 ", Decimal("7")),
    ("0", Decimal("0")),
    ("0.01", Decimal("0.01")),
    ("1000000", Decimal("1000000")),
    (5, Decimal("5")),
    (Decimal("2.5"), Decimal("2.5")),
])
def test_parse_amount_accepts(value: object, expected: Decimal) -> None:
    assert parse_amount(value) == expected


@pytest.mark.parametrize("value", [
    "", " ", "abc", "12.505", "0.001", "-1", "-0.01", "1000000.01", "1e7", "NaN", "Infinity",
    "-Infinity", "1.000,50", 12.5, True, False, None, [1], {"a": 1}, Decimal("NaN"), -3,
])
def test_parse_amount_refuses(value: object) -> None:
    assert parse_amount(value) is None


def test_parse_amount_maximum_is_inclusive() -> None:
    assert parse_amount("100", maximum=Decimal(100)) == Decimal(100)
    assert parse_amount("100.01", maximum=Decimal(100)) is None


@pytest.mark.parametrize(("amount", "expected"), [
    ("0.005", "0.01"), ("0.004", "0.00"), ("0.015", "0.02"), ("0.025", "0.03"),
    ("2.675", "2.68"), ("1.999", "2.00"), ("10", "10.00"),
])
def test_q_rounds_half_up_to_cents(amount: str, expected: str) -> None:
    rounded = q(Decimal(amount))
    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -2


@pytest.mark.parametrize(("net", "rate", "tax"), [
    ("0.05", "10", "0.01"),     # 0.005 -> 0.01 (half up, not half even)
    ("0.15", "10", "0.02"),     # 0.015 -> 0.02
    ("0.25", "10", "0.03"),     # 0.025 -> 0.03 (banker's rounding would give 0.02)
    ("0.04", "10", "0.00"),     # 0.004 -> 0.00
    ("101.00", "7.5", "7.58"),  # 7.575 -> 7.58
    ("100.00", "0", "0.00"),
    ("100.00", "100", "100.00"),
    ("33.33", "19", "6.33"),    # 6.3327
    ("0.10", "5", "0.01"),      # 0.005
])
def test_tax_on_rounds_half_up(net: str, rate: str, tax: str) -> None:
    assert tax_on(Decimal(net), Decimal(rate)) == Decimal(tax)


@pytest.mark.parametrize(("price", "rate", "days", "subtotal", "tax", "total"), [
    ("80.00", "10", 3, "240.00", "24.00", "264.00"),
    ("50.50", "7.5", 2, "101.00", "7.58", "108.58"),
    ("0.05", "10", 1, "0.05", "0.01", "0.06"),
    ("0.25", "10", 1, "0.25", "0.03", "0.28"),
    ("19.99", "21", 7, "139.93", "29.39", "169.32"),  # 29.3853
    ("33.33", "0", 30, "999.90", "0.00", "999.90"),
])
def test_quote(price: str, rate: str, days: int, subtotal: str, tax: str, total: str) -> None:
    result = quote(Decimal(price), Decimal(rate), period(0, days))
    assert result == rentals.Quote(days, Decimal(price), Decimal(rate), Decimal(subtotal),
                                   Decimal(tax), Decimal(total))
    assert result.total == result.subtotal + result.tax
    assert {type(v) for v in (result.subtotal, result.tax, result.total)} == {Decimal}


# --- booking statuses -----------------------------------------------------------------------------

def test_status_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(BookingStatus)


def test_expected_status_changes() -> None:
    allowed = {(a.value, b.value) for a, targets in ALLOWED.items() for b in targets}
    assert allowed == {
        ("pending", "confirmed"), ("pending", "cancelled"), ("pending", "finished"),
        ("confirmed", "pending"), ("confirmed", "cancelled"), ("confirmed", "finished"),
        ("cancelled", "pending"), ("cancelled", "confirmed"),
        ("finished", "confirmed"),
    }


def test_active_statuses_hold_the_unit() -> None:
    assert frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED}) == ACTIVE


@pytest.mark.parametrize(("current", "new"), list(product(BookingStatus, repeat=2)))
def test_every_pair_of_the_booking_table(current: BookingStatus, new: BookingStatus) -> None:
    if new in ALLOWED[current]:
        assert rentals.transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            rentals.transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


@pytest.mark.parametrize(("current", "new"), list(product(BookingStatus, repeat=2)))
def test_reactivates_when_an_inactive_booking_becomes_active(current: BookingStatus,
                                                             new: BookingStatus) -> None:
    expected = current in (BookingStatus.CANCELLED, BookingStatus.FINISHED) and new in (
        BookingStatus.PENDING, BookingStatus.CONFIRMED)
    assert reactivates(current, new) is expected


def test_parse_status() -> None:
    for status in BookingStatus:
        assert rentals.parse_status(status.value) is status
    for bad in ("", "PENDING", "done", None, 1, ["pending"]):
        with pytest.raises(ValidationFailed) as err:
            rentals.parse_status(bad)
        assert err.value.fields == {"status": "field.choice_invalid"}


# What staff may do with an order, and what the customer may: written out, not derived from
# the table under test.
STAFF_MOVES = {
    BookingStatus.PENDING: ["cancelled", "confirmed", "finished"],
    BookingStatus.CONFIRMED: ["cancelled", "finished", "pending"],
    BookingStatus.CANCELLED: ["confirmed", "pending"],
    BookingStatus.FINISHED: ["confirmed"],
}


@pytest.mark.parametrize("status", list(BookingStatus))
def test_actions_for_are_the_moves_of_the_table_in_a_stable_order(
        status: BookingStatus) -> None:
    actions = rentals.actions_for(status)
    assert actions == STAFF_MOVES[status]
    assert all(isinstance(a, BookingStatus) and rentals.transition(status, a) is a
               for a in actions)


INVOICE_STATES = ["", *InvoiceStatus]
PAYMENT_STATES = ["", *PaymentStatus]


@pytest.mark.parametrize(("status", "invoice", "payment"),
                         list(product(BookingStatus, INVOICE_STATES, PAYMENT_STATES)))
def test_can_pay_every_combination(status: BookingStatus, invoice: str, payment: str) -> None:
    for payments_enabled, stripe_enabled in product((True, False), repeat=2):
        expected = (payments_enabled and status.value in ("pending", "confirmed")
                    and invoice != "paid"
                    and (payment in ("", "void", "refunded")
                         or (payment == "pending" and stripe_enabled)))
        assert rentals.can_pay(status, payments_enabled=payments_enabled,
                               invoice_status=invoice, payment_status=payment,
                               stripe_enabled=stripe_enabled) is expected, (
            payments_enabled, stripe_enabled)


def test_can_pay_samples() -> None:
    def pay(status: BookingStatus, invoice: str = "", payment: str = "",
            stripe: bool = False) -> bool:
        return rentals.can_pay(status, payments_enabled=True, invoice_status=invoice,
                               payment_status=payment, stripe_enabled=stripe)

    assert pay(BookingStatus.PENDING)                                 # nothing started yet
    assert not pay(BookingStatus.CANCELLED)                           # holds no unit
    assert not pay(BookingStatus.CONFIRMED, "draft", "pending")       # staff approve it
    assert pay(BookingStatus.CONFIRMED, "draft", "pending", stripe=True)  # resume Checkout
    assert not pay(BookingStatus.CONFIRMED, "draft", "authorised", stripe=True)  # card held
    assert pay(BookingStatus.CONFIRMED, "draft", "void")              # given up: start again
    assert not pay(BookingStatus.CONFIRMED, "paid", "void")
    assert not rentals.can_pay(BookingStatus.PENDING, payments_enabled=False,
                               invoice_status="", payment_status="", stripe_enabled=True)


def test_check_flag() -> None:
    assert rentals.check_flag(True, "shown") is True
    assert rentals.check_flag(False, "shown") is False
    for bad in (None, 0, 1, "on", "true", [True]):
        with pytest.raises(ValidationFailed) as err:
            rentals.check_flag(bad, "shown")
        assert err.value.fields == {"shown": "field.choice_invalid"}


# --- choosing a unit ------------------------------------------------------------------------------

def test_free_unit_takes_the_first_unit_without_an_overlapping_booking() -> None:
    wanted = period(10, 13)
    busy = {1: [period(0, 5), period(12, 14)], 2: [period(13, 20), period(5, 10)], 3: []}
    assert free_unit([1, 2, 3], busy, wanted) == 2  # 2's bookings only touch
    assert free_unit([3, 2], busy, wanted) == 3     # the given order decides
    assert free_unit([4], busy, wanted) == 4        # no bookings at all


def test_free_unit_returns_none_when_every_unit_is_busy() -> None:
    busy = {1: [period(9, 11)], 2: [period(0, 30)]}
    assert free_unit([1, 2], busy, period(10, 12)) is None
    assert free_unit([], {}, period(10, 12)) is None


# --- extra-field answers --------------------------------------------------------------------------

NAME = ExtraFieldRule(1, "Driver name", FieldKind.TEXT, True)
PASSENGERS = ExtraFieldRule(2, "Passengers", FieldKind.NUMBER, False)
BIRTHDAY = ExtraFieldRule(3, "Birthday", FieldKind.DATE, False)
SEAT = ExtraFieldRule(4, "Child seat", FieldKind.CHOICE, True, ("none", "baby", "booster"))
FIELDS = [NAME, PASSENGERS, BIRTHDAY, SEAT]
GOOD = {"1": "Ann", "2": "3", "3": "1990-02-01", "4": "baby"}


def test_check_answers_keeps_valid_answers_stripped() -> None:
    answers = {"1": "  Ann Lee ", "2": "2,5", "3": "1990-02-01", "4": " booster ",
               "99": "not a field"}
    assert check_answers(FIELDS, answers) == {"1": "Ann Lee", "2": "2,5", "3": "1990-02-01",
                                              "4": "booster"}


def test_optional_fields_may_be_left_out_or_empty() -> None:
    assert check_answers(FIELDS, {"1": "Ann", "4": "none", "2": "  ", "3": ""}) == {
        "1": "Ann", "4": "none"}


def test_no_fields_means_no_answers() -> None:
    assert check_answers([], {}) == {}
    assert check_answers([], {"1": "x"}) == {}


@pytest.mark.parametrize(("change", "errors"), [
    ({"1": ""}, {"x1": "field.required"}),
    ({"1": "   "}, {"x1": "field.required"}),
    ({"4": ""}, {"x4": "field.required"}),
    ({"1": "x" * 501}, {"x1": "field.too_long"}),
    ({"2": "three"}, {"x2": "field.number_invalid"}),
    ({"2": "NaN"}, {"x2": "field.number_invalid"}),
    ({"2": "Infinity"}, {"x2": "field.number_invalid"}),
    ({"3": "01/02/1990"}, {"x3": "field.date_invalid"}),
    ({"3": "1990-02-30"}, {"x3": "field.date_invalid"}),
    ({"4": "Baby"}, {"x4": "field.choice_invalid"}),
    ({"4": "sidecar"}, {"x4": "field.choice_invalid"}),
    # Not text: a required field counts as missing, an optional one as invalid.
    ({"1": 5}, {"x1": "field.required"}),
    ({"4": ["baby"]}, {"x4": "field.required"}),
    ({"2": 3}, {"x2": "field.choice_invalid"}),
    ({"3": None}, {"x3": "field.choice_invalid"}),
    # Every error at once.
    ({"1": "", "2": "x", "3": "y", "4": "z"}, {"x1": "field.required", "x2": "field.number_invalid",
                                               "x3": "field.date_invalid",
                                               "x4": "field.choice_invalid"}),
])
def test_check_answers_refuses(change: dict[str, object], errors: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_answers(FIELDS, {**GOOD, **change})
    assert err.value.fields == errors


@pytest.mark.parametrize("answers", [None, [], ["Ann", "baby"], "Ann", 7])
def test_answers_that_are_not_a_mapping_miss_the_required_fields(answers: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_answers(FIELDS, answers)
    assert err.value.fields == {"x1": "field.required", "x4": "field.required"}


def test_answer_length_limit_is_inclusive() -> None:
    assert check_answers([NAME], {"1": "x" * 500}) == {"1": "x" * 500}


# --- catalogue input ------------------------------------------------------------------------------

UNIT_TYPE = {"name": " 4x4 SUV ", "description": " Big car ", "photo_url": "https://x.test/a.jpg",
             "price_per_day": "80.00", "tax_rate": "10"}


def test_check_unit_type_cleans_the_input() -> None:
    data = check_unit_type(**UNIT_TYPE)
    assert data == rentals.UnitTypeData("4x4 SUV", "Big car", "https://x.test/a.jpg",
                                        Decimal("80.00"), Decimal("10"))


@pytest.mark.parametrize("change", [
    {"photo_url": ""}, {"photo_url": "http://x.test/a.png"}, {"photo_url": "/assets/car.png"},
    {"tax_rate": "0"}, {"tax_rate": "100"}, {"tax_rate": "7,5"}, {"price_per_day": "0.01"},
    {"price_per_day": 80}, {"name": "n" * 100}, {"description": "d" * 2000},
    {"description": None},
])
def test_check_unit_type_accepts(change: dict[str, object]) -> None:
    check_unit_type(**{**UNIT_TYPE, **change})


@pytest.mark.parametrize(("change", "errors"), [
    ({"name": ""}, {"name": "field.required"}),
    ({"name": "   "}, {"name": "field.required"}),
    ({"name": None}, {"name": "field.required"}),
    ({"name": "n" * 101}, {"name": "field.too_long"}),
    ({"description": "d" * 2001}, {"description": "field.too_long"}),
    ({"photo_url": "javascript:alert(1)"}, {"photo_url": "field.url_invalid"}),
    ({"photo_url": "ftp://x.test/a.jpg"}, {"photo_url": "field.url_invalid"}),
    ({"photo_url": "https://x.test/" + "a" * 500}, {"photo_url": "field.url_invalid"}),
    ({"price_per_day": "0"}, {"price_per_day": "field.amount_invalid"}),
    ({"price_per_day": "-5"}, {"price_per_day": "field.amount_invalid"}),
    ({"price_per_day": "9.999"}, {"price_per_day": "field.amount_invalid"}),
    ({"price_per_day": "cheap"}, {"price_per_day": "field.amount_invalid"}),
    ({"price_per_day": 80.5}, {"price_per_day": "field.amount_invalid"}),
    ({"price_per_day": None}, {"price_per_day": "field.amount_invalid"}),
    ({"tax_rate": "100.01"}, {"tax_rate": "field.rate_invalid"}),
    ({"tax_rate": "-1"}, {"tax_rate": "field.rate_invalid"}),
    ({"tax_rate": ""}, {"tax_rate": "field.rate_invalid"}),
    ({"tax_rate": None}, {"tax_rate": "field.rate_invalid"}),
    ({"name": "", "price_per_day": "0", "tax_rate": "x"},
     {"name": "field.required", "price_per_day": "field.amount_invalid",
      "tax_rate": "field.rate_invalid"}),
])
def test_check_unit_type_refuses(change: dict[str, object], errors: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_unit_type(**{**UNIT_TYPE, **change})
    assert err.value.fields == errors


@pytest.mark.parametrize(("kind", "choices", "expected"), [
    ("text", "", ("Licence", FieldKind.TEXT, ())),
    ("number", "", ("Licence", FieldKind.NUMBER, ())),
    ("date", "", ("Licence", FieldKind.DATE, ())),
    ("text", "a,b", ("Licence", FieldKind.TEXT, ())),  # choices only for choice fields
    ("choice", " a , b,,a, c ", ("Licence", FieldKind.CHOICE, ("a", "b", "c"))),
    ("choice", "one", ("Licence", FieldKind.CHOICE, ("one",))),
])
def test_check_field_definition_accepts(kind: str, choices: str,
                                        expected: tuple[str, FieldKind, tuple[str, ...]]) -> None:
    assert check_field_definition(label=" Licence ", kind=kind, choices=choices) == expected


@pytest.mark.parametrize(("label", "kind", "choices", "errors"), [
    ("", "text", "", {"label": "field.required"}),
    ("  ", "text", "", {"label": "field.required"}),
    (None, "text", "", {"label": "field.required"}),
    ("l" * 101, "text", "", {"label": "field.too_long"}),
    ("Seat", "checkbox", "", {"kind": "field.choice_invalid"}),
    ("Seat", "", "", {"kind": "field.choice_invalid"}),
    ("Seat", None, "", {"kind": "field.choice_invalid"}),
    ("Seat", "TEXT", "", {"kind": "field.choice_invalid"}),
    ("Seat", "choice", "", {"choices": "field.required"}),
    ("Seat", "choice", " , ,", {"choices": "field.required"}),
    ("Seat", "choice", ["a", "b"], {"choices": "field.required"}),
    ("", "choice", "", {"label": "field.required", "choices": "field.required"}),
])
def test_check_field_definition_refuses(label: object, kind: object, choices: object,
                                        errors: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_field_definition(label=label, kind=kind, choices=choices)
    assert err.value.fields == errors


# --- invoices and payments ------------------------------------------------------------------------

def test_billing_tables_cover_every_status() -> None:
    assert set(INVOICE_ALLOWED) == set(InvoiceStatus)
    assert set(PAYMENT_ALLOWED) == set(PaymentStatus)


def test_expected_invoice_and_payment_changes() -> None:
    assert {(a.value, b.value) for a, t in INVOICE_ALLOWED.items() for b in t} == {
        ("draft", "issued"), ("draft", "void"), ("issued", "paid"), ("issued", "void"),
        ("paid", "void")}
    assert {(a.value, b.value) for a, t in PAYMENT_ALLOWED.items() for b in t} == {
        ("pending", "authorised"), ("pending", "approved"), ("pending", "void"),
        ("authorised", "approved"), ("authorised", "void"),
        ("approved", "void"), ("approved", "refunded")}


@pytest.mark.parametrize(("current", "new"), list(product(InvoiceStatus, repeat=2)))
def test_every_pair_of_the_invoice_table(current: InvoiceStatus, new: InvoiceStatus) -> None:
    if new in INVOICE_ALLOWED[current]:
        assert billing.invoice_transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            billing.invoice_transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


@pytest.mark.parametrize(("current", "new"), list(product(PaymentStatus, repeat=2)))
def test_every_pair_of_the_payment_table(current: PaymentStatus, new: PaymentStatus) -> None:
    if new in PAYMENT_ALLOWED[current]:
        assert billing.payment_transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            billing.payment_transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


def test_void_is_final() -> None:
    assert INVOICE_ALLOWED[InvoiceStatus.VOID] == frozenset()
    assert PAYMENT_ALLOWED[PaymentStatus.VOID] == frozenset()
    assert PAYMENT_ALLOWED[PaymentStatus.REFUNDED] == frozenset()


@pytest.mark.parametrize(("payment", "stripe"), list(product(PAYMENT_STATES, (True, False))))
def test_payments_resumed_and_started(payment: str, stripe: bool) -> None:
    resumes = payment == "pending" and stripe     # an unfinished Stripe Checkout
    assert billing.resumable(payment, stripe_enabled=stripe) is resumes
    assert billing.may_start_payment(payment, stripe_enabled=stripe) is (
        payment in ("", "void", "refunded") or resumes)


@pytest.mark.parametrize("invoice", [None, *InvoiceStatus])
def test_invoice_open_takes_money_until_paid_or_void(invoice: InvoiceStatus | None) -> None:
    assert billing.invoice_open(invoice) is (invoice in (None, "draft", "issued"))


@pytest.mark.parametrize(("payment", "provider"),
                         list(product(PaymentStatus, ("manual", "stripe"))))
def test_can_approve(payment: PaymentStatus, provider: str) -> None:
    expected = payment == "authorised" or (payment == "pending" and provider == "manual")
    assert billing.can_approve(payment, provider=provider) is expected
    assert billing.can_approve(payment.value, provider=provider) is expected


@pytest.mark.parametrize(("year", "sequence", "number"), [
    (2030, 1, "2030-000001"), (2030, 2, "2030-000002"), (2031, 42, "2031-000042"),
    (2030, 999999, "2030-999999"),
])
def test_invoice_number(year: int, sequence: int, number: str) -> None:
    assert invoice_number(year, sequence) == number


def test_invoice_numbers_sort_in_issue_order_within_a_year() -> None:
    numbers = [invoice_number(2030, n) for n in range(1, 1001)]
    assert sorted(numbers) == numbers

