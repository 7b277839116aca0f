"""Voucher rules: codes (format, uniqueness, forgiving parsing), the staff filter (every
combination of its parts), the reservation status table and the staff actions derived from it,
the customer-service cancellation rule, what a voucher says about its payment, form texts,
pages, and the formula-safe CSV with a byte order mark."""

from __future__ import annotations

import csv
import io
import re
from itertools import product

import pytest

from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.errors import DomainError, InvalidTransition, ValidationFailed
from reserve_app.domain.vouchers import (
    ALLOWED,
    BOM,
    CODE_ALPHABET,
    PAGE_SIZE,
    ActionFilter,
    ReservationAction,
    ReservationFacts,
    ReservationFilter,
    ReservationStatus,
    actions_for,
    check_action_change,
    check_customer_service_cancel,
    clean_text,
    csv_lines,
    matches,
    new_code,
    page_count,
    parse_code,
    parse_filter,
    payment_shown,
    payment_waits,
    safe_cell,
    transition,
)

DONE, NOT_DONE = ActionFilter.DONE, ActionFilter.NOT_DONE
ACTIVE, CANCELLED = ReservationStatus.ACTIVE, ReservationStatus.CANCELLED


# --- codes ------------------------------------------------------------------------------------

CODE_SHAPE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def test_a_new_code_is_three_groups_of_four_symbols_from_the_alphabet() -> None:
    for _ in range(200):
        code = new_code()
        assert CODE_SHAPE.fullmatch(code), code
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
        assert parse_code(code) == code


def test_the_alphabet_leaves_out_symbols_that_are_easily_confused() -> None:
    assert not set("0O1IL U") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 30


def test_a_thousand_codes_are_all_different() -> None:
    codes = [new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    # Every symbol of the alphabet turns up (12,000 draws from 30): the draw is not narrowed.
    assert set("".join(codes).replace("-", "")) == set(CODE_ALPHABET)


@pytest.mark.parametrize("typed", [
    "ABCD-EFGH-JKMN",
    "abcd-efgh-jkmn",
    "AbCd-eFgH-jKmN",
    "  abcd-efgh-jkmn  ",
    "ABCD - EFGH - JKMN",
    "A B C D-E F G H-J K M N",
    "\tabcd-efgh-jkmn\n",
    "ABCD EFGH JKMN",        # spaces instead of dashes
    "ABCDEFGHJKMN",          # no dashes at all
    "abcd--efgh-jkmn-",      # the dashes are only read back as separators
])
def test_parse_code_forgives_case_and_spaces(typed: str) -> None:
    assert parse_code(typed) == "ABCD-EFGH-JKMN"


@pytest.mark.parametrize("typed", [
    "ABCD-EFGH-JKMO",        # O is not in the alphabet
    "ABCD-EFGH-JKM0",        # nor 0
    "ABCD-EFGH-JKM1",        # nor 1
    "ABCD-EFGH-JKMI",        # nor I
    "ABCD-EFGH-JKML",        # nor L
    "ABCD-EFGH-JKMU",        # nor U
    "ABCD-EFGH-JKM",         # too short
    "ABCD-EFGH-JKMNP",       # too long
    "ABCD-EFGH",
    "ABCD-EFGH-JKMN-PQRS",
    "ABCD_EFGH_JKMN",
    "ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ",  # full-width look-alikes
    "ABCD-EFGH-JKM٣",        # an Arabic-Indic digit
    "ABCD-EFGH-JKMN\nPQRS",
    "ABCD-EFGH-JKMN" + " " * 30,   # over 40 characters as sent
    "",
    "   ",
    "%",
    "ABCD-EFGH-JKM%",
    "ABCD-EFGH-JKMß",        # upper-cases to "SS": only ASCII is read
    "ABCD-EFGH-JKMſ",
])
def test_parse_code_refuses_what_cannot_be_a_code(typed: str) -> None:
    assert parse_code(typed) is None


@pytest.mark.parametrize("value", [None, 123, 1.5, True, b"ABCD-EFGH-JKMN",
                                   ["ABCD-EFGH-JKMN"], {"code": "ABCD-EFGH-JKMN"}])
def test_parse_code_refuses_what_is_not_text(value: object) -> None:
    assert parse_code(value) is None


# --- the staff filter -------------------------------------------------------------------------

# Two promotions: 1 has variants 10 and 11, 2 has variant 20; each variant with the action done
# and not done.
FACTS = [ReservationFacts(p, v, done)
         for p, v in ((1, 10), (1, 11), (2, 20)) for done in (False, True)]
PROMOTION_CHOICES = [None, 1, 2, 3]            # 3: a promotion with no reservations
VARIANT_CHOICES = [None, 10, 11, 20, 99]       # 20 with promotion 1: no reservation is both
ACTION_CHOICES = [None, DONE, NOT_DONE]


def expected_matches(f: ReservationFilter) -> set[int]:
    """The indexes of FACTS the filter keeps, said the other way round from `matches`: start
    from all, and intersect with the set each given part names."""
    kept = set(range(len(FACTS)))
    if f.promotion_id is not None:
        kept &= {i for i, r in enumerate(FACTS) if r.promotion_id == f.promotion_id}
    if f.variant_id is not None:
        kept &= {i for i, r in enumerate(FACTS) if r.variant_id == f.variant_id}
    if f.action == DONE:
        kept &= {i for i, r in enumerate(FACTS) if r.action_done}
    elif f.action == NOT_DONE:
        kept &= {i for i, r in enumerate(FACTS) if not r.action_done}
    return kept


@pytest.mark.parametrize(("promotion", "variant", "action"),
                         list(product(PROMOTION_CHOICES, VARIANT_CHOICES, ACTION_CHOICES)))
def test_every_combination_of_filter_parts_keeps_exactly_what_all_parts_allow(
        promotion: int | None, variant: int | None, action: ActionFilter | None) -> None:
    f = ReservationFilter(promotion, variant, action)
    kept = {i for i, r in enumerate(FACTS) if matches(f, r)}
    assert kept == expected_matches(f)


@pytest.mark.parametrize(("f", "kept"), [
    (ReservationFilter(), [0, 1, 2, 3, 4, 5]),
    (ReservationFilter(1), [0, 1, 2, 3]),
    (ReservationFilter(2), [4, 5]),
    (ReservationFilter(3), []),
    (ReservationFilter(None, 11), [2, 3]),
    (ReservationFilter(1, 11), [2, 3]),
    (ReservationFilter(1, 20), []),                 # the variant belongs to the other promotion
    (ReservationFilter(None, None, DONE), [1, 3, 5]),
    (ReservationFilter(None, None, NOT_DONE), [0, 2, 4]),
    (ReservationFilter(1, None, DONE), [1, 3]),
    (ReservationFilter(1, 10, NOT_DONE), [0]),
    (ReservationFilter(2, 20, DONE), [5]),
    (ReservationFilter(None, 99, None), []),
])
def test_filters_by_hand(f: ReservationFilter, kept: list[int]) -> None:
    assert [i for i, r in enumerate(FACTS) if matches(f, r)] == kept


def test_a_filter_is_empty_only_without_any_part() -> None:
    assert ReservationFilter().is_empty
    assert not ReservationFilter(1).is_empty
    assert not ReservationFilter(None, 1).is_empty
    assert not ReservationFilter(None, None, NOT_DONE).is_empty


@pytest.mark.parametrize(("promotion", "variant", "action", "expected"), [
    ("1", "2", "done", ReservationFilter(1, 2, DONE)),
    (1, 2, "not_done", ReservationFilter(1, 2, NOT_DONE)),
    ("12", None, None, ReservationFilter(12)),
    (None, "7", "", ReservationFilter(None, 7)),
    ("", "", "done", ReservationFilter(None, None, DONE)),
    ("3", None, NOT_DONE, ReservationFilter(3, None, NOT_DONE)),
    (2**62 - 1, None, None, ReservationFilter(2**62 - 1)),
    ("99999999999", None, None, ReservationFilter(99999999999)),   # 11 digits
])
def test_parse_filter_reads_what_the_page_sends(promotion: object, variant: object,
                                                action: object,
                                                expected: ReservationFilter) -> None:
    assert parse_filter(promotion, variant, action) == expected


@pytest.mark.parametrize("any_value", [None, "", 0, "0"])
def test_parse_filter_reads_empty_choices_as_any(any_value: object) -> None:
    f = parse_filter(any_value, any_value, None if any_value in (0, "0") else any_value)
    assert f == ReservationFilter() and f.is_empty


def test_parse_filter_without_arguments_is_any() -> None:
    assert parse_filter() == ReservationFilter()


BAD_IDS = ["abc", "-1", "1.5", "1e3", " 1", "1 ", "+1", "0x1", "١", "１", "²",
           "999999999999", -1, -5, 2**62, 1.5, 1.0, True, False, [1], {"id": 1}, b"1"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_parse_filter_refuses_a_promotion_that_cannot_be_an_id(bad: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_filter(bad, None, None)
    assert caught.value.fields == {"promotion": "field.choice_invalid"}


@pytest.mark.parametrize("bad", BAD_IDS)
def test_parse_filter_refuses_a_variant_that_cannot_be_an_id(bad: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_filter(None, bad, None)
    assert caught.value.fields == {"variant": "field.choice_invalid"}


@pytest.mark.parametrize("bad", ["finished", "DONE", "Done", " done", "done ", "yes", "1",
                                 "all", "not done", True, False, 1, 0, ["done"]])
def test_parse_filter_refuses_an_unknown_action(bad: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_filter(None, None, bad)
    assert caught.value.fields == {"action": "field.choice_invalid"}


# --- the status table and the staff actions ---------------------------------------------------

@pytest.mark.parametrize(("current", "new"), list(product(ReservationStatus, ReservationStatus)))
def test_every_pair_of_the_table(current: ReservationStatus, new: ReservationStatus) -> None:
    if new in ALLOWED[current]:
        assert transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition):
            transition(current, new)


def test_the_table_covers_every_status_and_only_active_vouchers_are_cancelled() -> None:
    assert set(ALLOWED) == set(ReservationStatus)
    assert [(a, b) for a in ReservationStatus for b in ALLOWED[a]] == [(ACTIVE, CANCELLED)]


WAITING = {PaymentStatus.PENDING, PaymentStatus.AUTHORISED}


@pytest.mark.parametrize("payment", [*PaymentStatus, ""])
def test_a_payment_waits_for_staff_while_pending_or_held(payment: str) -> None:
    assert payment_waits(payment) is (payment in WAITING)


@pytest.mark.parametrize(("status", "payment"),
                         list(product(ReservationStatus, [*PaymentStatus, ""])))
def test_actions_come_from_the_table_and_the_latest_payment(status: ReservationStatus,
                                                           payment: str) -> None:
    found = actions_for(status, payment_status=payment)
    assert (ReservationAction.CANCEL in found) is (status is ACTIVE)
    assert (ReservationAction.APPROVE_PAYMENT in found) is (payment in WAITING)
    assert all(isinstance(a, str) for a in found)


def test_actions_by_hand() -> None:
    assert actions_for(ACTIVE, payment_status="") == ["cancel"]
    assert actions_for(ACTIVE, payment_status="pending") == ["cancel", "approve_payment"]
    assert actions_for(CANCELLED, payment_status="authorised") == ["approve_payment"]
    assert actions_for(CANCELLED, payment_status="approved") == []


@pytest.mark.parametrize(("invoice", "payment", "shown"), [
    ("", "", "none"), ("draft", "", "draft"), ("draft", "pending", "awaiting"),
    ("issued", "pending", "awaiting"), ("void", "pending", "awaiting"),
    ("paid", "pending", "paid"), ("draft", "authorised", "draft"),
    ("paid", "approved", "paid"), ("void", "void", "void"),
])
def test_what_a_voucher_says_about_its_payment(invoice: str, payment: str, shown: str) -> None:
    assert payment_shown(invoice, payment) == shown


@pytest.mark.parametrize(("invoice", "payment"),
                         list(product([*InvoiceStatus, ""], [*PaymentStatus, ""])))
def test_awaiting_only_while_a_payment_is_started_and_the_invoice_unpaid(
        invoice: str, payment: str) -> None:
    awaiting = payment == PaymentStatus.PENDING and invoice != InvoiceStatus.PAID
    assert payment_shown(invoice, payment) == ("awaiting" if awaiting else invoice or "none")


# --- cancellation by customer service ---------------------------------------------------------

def test_an_active_voucher_whose_action_is_not_done_may_be_cancelled() -> None:
    assert check_customer_service_cancel(ACTIVE, False) is CANCELLED


def test_once_the_action_is_done_the_customer_must_contact_the_business() -> None:
    with pytest.raises(DomainError) as caught:
        check_customer_service_cancel(ACTIVE, True)
    assert caught.value.key == "voucher.cancel_contact_business"


@pytest.mark.parametrize("done", [False, True])
def test_a_cancelled_voucher_cannot_be_cancelled_again(done: bool) -> None:
    with pytest.raises(DomainError) as caught:
        check_customer_service_cancel(CANCELLED, done)
    assert caught.value.key == "voucher.already_cancelled"


def test_the_action_is_marked_on_active_vouchers_only() -> None:
    check_action_change(ACTIVE)   # no error
    with pytest.raises(DomainError) as caught:
        check_action_change(CANCELLED)
    assert caught.value.key == "voucher.already_cancelled"


# --- form texts -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "required", "text", "error"), [
    ("  Spa day ", True, "Spa day", None), ("", True, "", "field.required"),
    ("   ", True, "", "field.required"), ("", False, "", None), (None, False, "", None),
    (42, True, "", "field.required"), ("x" * 10, False, "x" * 10, None),
    ("x" * 11, False, "x" * 11, "field.too_long"), ("x" * 11, True, "x" * 11, "field.too_long"),
])
def test_clean_text(value: object, required: bool, text: str, error: str | None) -> None:
    errors: dict[str, str] = {"other": "kept"}
    assert clean_text(value, "title", 10, errors, required=required) == text
    assert errors == {"other": "kept", **({"title": error} if error else {})}


# --- pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "pages"), [
    (0, 1), (1, 1), (PAGE_SIZE - 1, 1), (PAGE_SIZE, 1), (PAGE_SIZE + 1, 2),
    (2 * PAGE_SIZE, 2), (2 * PAGE_SIZE + 1, 3), (10_000, -(-10_000 // PAGE_SIZE)),
])
def test_page_count(total: int, pages: int) -> None:
    assert page_count(total) == pages


def test_page_count_with_another_size() -> None:
    assert [page_count(n, 3) for n in range(8)] == [1, 1, 1, 1, 2, 2, 2, 3]


# --- CSV --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "=1+1", '=HYPERLINK("http://evil.example","x")', "+41 22 123", "-5", "-", "@SUM(A1)",
    "\t=1+1", "\r=1+1", "=", "==", "+", "@",
])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize(("value", "shown"), [
    ("Anna", "Anna"), ("a=b", "a=b"), (" =1", " =1"), ("'=1", "'=1"), ("", ""),
    (None, ""), (42, "42"), (-3, "'-3"), ("\n=1", "\n=1"), ("سارة", "سارة"),
])
def test_other_cells_stay_as_they_are(value: object, shown: str) -> None:
    assert safe_cell(value) == shown


HEADER = ["Voucher code", "Customer", "Email"]
ROWS = [
    ["ABCD-EFGH-JKMN", "سارة العلي", "sara@example.com"],           # Arabic
    ["BCDE-FGHJ-KMNP", "יעל כהן", "yael@example.com"],              # Hebrew
    ["CDEF-GHJK-MNPQ", "Łukasz Żółćński", "lukasz@example.com"],    # Polish
    ["DEFG-HJKM-NPQR", "Анна Смирнова", "anna@example.com"],        # Russian
    ["EFGH-JKMN-PQRS", '=HYPERLINK("http://evil.example","Click")', "x@example.com"],
    ["FGHJ-KMNP-QRST", "+1 555 0100", "-@example.com"],
    ["GHJK-MNPQ-RSTV", "@me", "\tTabbed"],
    ["HJKM-NPQR-STVW", "\rCarriage", 'Dana "DJ" Lee'],
    ["JKMN-PQRS-TVWX", "O'Brien, Pat", "a,b@example.com"],
    ["KMNP-QRST-VWXY", "two\nlines", "three\r\nline\rends"],
    ["MNPQ-RSTV-WXYZ", "", None],
    ["NPQR-STVW-XYZ2", 'quote " and , comma\nand =x', "🙂 emoji"],
]


def expected_cells(row: list[object]) -> list[str]:
    shown = []
    for cell in row:
        text = "" if cell is None else str(cell)
        shown.append("'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text)
    return shown


def test_csv_round_trips_through_csv_reader_after_the_bom() -> None:
    text = "".join(csv_lines(HEADER, ROWS))
    assert text.startswith(BOM) and text.count(BOM) == 1
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert parsed[0] == HEADER
    assert parsed[1:] == [expected_cells(r) for r in ROWS]
    # The names a spreadsheet must show as written, letter for letter.
    assert [r[1] for r in parsed[1:5]] == ["سارة العلي", "יעל כהן", "Łukasz Żółćński",
                                          "Анна Смирнова"]
    # Formulas are neutralised, never dropped or altered otherwise.
    assert parsed[5][1] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert parsed[8][1] == "'\rCarriage" and parsed[8][2] == 'Dana "DJ" Lee'
    assert parsed[10][1] == "two\nlines" and parsed[10][2] == "three\r\nline\rends"


def test_csv_file_also_decodes_as_utf8_with_signature() -> None:
    data = "".join(csv_lines(HEADER, ROWS)).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [HEADER, *[expected_cells(r) for r in ROWS]]


def test_csv_lines_one_record_each_ending_in_crlf() -> None:
    lines = list(csv_lines(HEADER, ROWS))
    assert len(lines) == len(ROWS) + 1
    assert lines[0] == BOM + "Voucher code,Customer,Email\r\n"
    for line in lines:
        assert line.endswith("\r\n")
        assert len(list(csv.reader(io.StringIO(line.removeprefix(BOM), newline="")))) == 1
    assert not any(line.startswith(BOM) for line in lines[1:])
    # Quotes are doubled, cells with commas, quotes or line breaks are quoted.
    assert lines[9] == "JKMN-PQRS-TVWX,\"O'Brien, Pat\",\"a,b@example.com\"\r\n"
    assert lines[8] == "HJKM-NPQR-STVW,\"'\rCarriage\",\"Dana \"\"DJ\"\" Lee\"\r\n"
    assert lines[10] == 'KMNP-QRST-VWXY,"two\nlines","three\r\nline\rends"\r\n'


def test_a_header_cell_is_made_safe_too() -> None:
    first = next(csv_lines(["=Code", "Name"], []))
    assert first == BOM + "'=Code,Name\r\n"


def test_an_export_without_rows_is_the_header_alone() -> None:
    assert list(csv_lines(HEADER, [])) == [BOM + "Voucher code,Customer,Email\r\n"]


def test_csv_lines_takes_rows_one_at_a_time() -> None:
    pulled: list[int] = []

    def rows():  # noqa: ANN202
        for n in range(1_000_000):
            pulled.append(n)
            yield [f"row {n}", "=x"]

    lines = csv_lines(["a", "b"], rows())
    assert pulled == []                        # nothing read before the first line is asked for
    assert next(lines) == BOM + "a,b\r\n"
    assert pulled == []                        # the header needs no row
    assert next(lines) == "row 0,'=x\r\n"
    assert next(lines) == "row 1,'=x\r\n"
    assert pulled == [0, 1]
