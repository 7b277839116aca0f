"""Help-ticket rules: the status table, replies, the 48-hour late-order rules, the customer's
input (last 4 digits, texts, ratings, tracking links) and attachments (type, name, size)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from reserve_app.domain.errors import DomainError, InvalidTransition, ValidationFailed
from reserve_app.domain.tickets import (
    ALLOWED,
    ALLOWED_FILES,
    LATE_AFTER,
    MAX_FILE_BYTES,
    MAX_URL,
    ChargeMethod,
    Fulfilment,
    LateOutcome,
    TicketStatus,
    actions_for,
    after_customer_reply,
    after_staff_reply,
    can_rate,
    can_reply,
    check_can_rate,
    check_size,
    late_order_outcome,
    parse_charge_method,
    parse_last4,
    parse_rating,
    parse_text,
    parse_tracking_url,
    safe_filename,
    sniff,
    transition,
)

OPEN, VERIFYING, ANSWERED, CLOSED = (TicketStatus.OPEN, TicketStatus.VERIFYING,
                                     TicketStatus.ANSWERED, TicketStatus.CLOSED)
PNG = ALLOWED_FILES["image/png"]
JPEG = ALLOWED_FILES["image/jpeg"]
PDF = ALLOWED_FILES["application/pdf"]

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"


# --- the status table ---------------------------------------------------------------------------

# Written out on purpose (not derived from ALLOWED): the table the feature promises.
EXPECTED_MOVES = {
    (OPEN, VERIFYING), (OPEN, ANSWERED), (OPEN, CLOSED),
    (VERIFYING, OPEN), (VERIFYING, ANSWERED), (VERIFYING, CLOSED),
    (ANSWERED, OPEN), (ANSWERED, VERIFYING), (ANSWERED, CLOSED),
    (CLOSED, OPEN),  # staff reopen
}


def test_the_table_names_every_status() -> None:
    assert set(ALLOWED) == set(TicketStatus)


@pytest.mark.parametrize(("current", "new"), list(product(TicketStatus, repeat=2)))
def test_every_pair_of_statuses(current: TicketStatus, new: TicketStatus) -> None:
    if (current, new) in EXPECTED_MOVES:
        assert transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


@pytest.mark.parametrize(("current", "new"), list(product(TicketStatus, repeat=2)))
def test_staff_are_offered_exactly_the_moves_of_the_table(current: TicketStatus,
                                                         new: TicketStatus) -> None:
    assert (new in actions_for(current, staff=True)) is ((current, new) in EXPECTED_MOVES)


@pytest.mark.parametrize("current", list(TicketStatus))
def test_a_customer_is_offered_only_to_close(current: TicketStatus) -> None:
    assert actions_for(current, staff=False) == ([] if current is CLOSED else [CLOSED])


def test_the_moves_keep_the_order_of_the_statuses() -> None:
    assert actions_for(OPEN, staff=True) == [VERIFYING, ANSWERED, CLOSED]
    assert actions_for(CLOSED, staff=True) == [OPEN]


@pytest.mark.parametrize("current", list(TicketStatus))
def test_replies_go_on_any_ticket_not_closed(current: TicketStatus) -> None:
    assert can_reply(current) is (current is not CLOSED)


@pytest.mark.parametrize(("current", "rated"), list(product(TicketStatus, (False, True))))
def test_can_rate_agrees_with_the_check(current: TicketStatus, rated: bool) -> None:
    assert can_rate(current, rated) is (current is CLOSED and not rated)
    if can_rate(current, rated):
        check_can_rate(current, rated)
    else:
        with pytest.raises(DomainError):
            check_can_rate(current, rated)


# --- what a reply does to the status ----------------------------------------------------------


@pytest.mark.parametrize(("current", "expected"), [
    (OPEN, ANSWERED),             # the merchant answered a waiting ticket
    (VERIFYING, VERIFYING),       # verification goes on until staff change it themselves
    (ANSWERED, ANSWERED),
])
def test_a_staff_reply(current: TicketStatus, expected: TicketStatus) -> None:
    assert after_staff_reply(current) is expected


@pytest.mark.parametrize(("current", "expected"), [
    (ANSWERED, OPEN),             # back to the merchant
    (OPEN, OPEN),
    (VERIFYING, VERIFYING),
])
def test_a_customer_reply(current: TicketStatus, expected: TicketStatus) -> None:
    assert after_customer_reply(current) is expected


@pytest.mark.parametrize("reply", [after_staff_reply, after_customer_reply])
def test_a_closed_ticket_takes_no_replies(reply) -> None:  # noqa: ANN001
    with pytest.raises(DomainError) as err:
        reply(CLOSED)
    assert err.value.key == "ticket.closed"


# --- "My order is late" -----------------------------------------------------------------------

PLACED = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
JUST_UNDER = PLACED + timedelta(hours=47, minutes=59, seconds=59, microseconds=999_999)
EXACTLY_48 = PLACED + timedelta(hours=48)


def test_late_means_48_hours() -> None:
    assert timedelta(hours=48) == LATE_AFTER


@pytest.mark.parametrize(("fulfilment", "under", "over"), [
    (Fulfilment.AWAITING_REVIEW, LateOutcome.SHOW_TRACKING, LateOutcome.OFFER_TICKET),
    (Fulfilment.FULFILLED, LateOutcome.SHOW_TRACKING, LateOutcome.AUTO_TICKET),
    (Fulfilment.SHIPPING, LateOutcome.SHOW_TRACKING, LateOutcome.AUTO_TICKET),
    (Fulfilment.DELIVERED, LateOutcome.SHOW_DETAILS, LateOutcome.SHOW_DETAILS),
])
def test_late_order_outcome_each_fulfilment(fulfilment: Fulfilment, under: LateOutcome,
                                             over: LateOutcome) -> None:
    for now in (PLACED, PLACED + timedelta(hours=1), JUST_UNDER):
        assert late_order_outcome(PLACED, fulfilment, now) is under, now
    for now in (EXACTLY_48, EXACTLY_48 + timedelta(microseconds=1), PLACED + timedelta(days=30)):
        assert late_order_outcome(PLACED, fulfilment, now) is over, now


@pytest.mark.parametrize("fulfilment", [Fulfilment.AWAITING_REVIEW, Fulfilment.FULFILLED,
                                        Fulfilment.SHIPPING])
def test_the_48_hour_boundary(fulfilment: Fulfilment) -> None:
    assert late_order_outcome(PLACED, fulfilment, JUST_UNDER) is LateOutcome.SHOW_TRACKING
    assert late_order_outcome(PLACED, fulfilment, EXACTLY_48) is not LateOutcome.SHOW_TRACKING


def test_the_boundary_is_the_same_in_any_time_zone() -> None:
    warsaw_now = EXACTLY_48.astimezone(ZoneInfo("Europe/Warsaw"))
    assert late_order_outcome(PLACED, Fulfilment.SHIPPING, warsaw_now) is LateOutcome.AUTO_TICKET


def test_a_delivered_order_always_shows_its_details() -> None:
    for now in (PLACED, JUST_UNDER, EXACTLY_48, PLACED + timedelta(days=365)):
        assert late_order_outcome(PLACED, Fulfilment.DELIVERED, now) is LateOutcome.SHOW_DETAILS


# --- "Charged but no order": method and last 4 digits -----------------------------------------


@pytest.mark.parametrize("value", ["card", "online", "cash"])
def test_charge_methods(value: str) -> None:
    assert parse_charge_method(value) == value


@pytest.mark.parametrize("value", ["", "Card", "paypal", None, 1, ["card"]])
def test_unknown_charge_methods_are_refused(value: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_charge_method(value)
    assert err.value.fields == {"method": "ticket.method_invalid"}


@pytest.mark.parametrize("method", [ChargeMethod.CARD, ChargeMethod.ONLINE])
@pytest.mark.parametrize(("value", "expected"), [
    ("1234", "1234"),
    ("0000", "0000"),
    (" 1234 ", "1234"),       # surrounding spaces from a paste are trimmed
    ("\t4242\n", "4242"),
])
def test_last4_accepts_four_ascii_digits(method: ChargeMethod, value: str, expected: str) -> None:
    assert parse_last4(value, method) == expected


@pytest.mark.parametrize("method", [ChargeMethod.CARD, ChargeMethod.ONLINE])
@pytest.mark.parametrize("value", [
    "", "   ", "123", "12345", "abcd", "12a4", "12 34", "-123", "+123", "1.23",
    "１２３４",            # fullwidth digits
    "١٢٣٤",               # Arabic-Indic digits
    "1234\n5", None, 1234, ["1234"],
])
def test_last4_refuses_anything_else(method: ChargeMethod, value: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_last4(value, method)
    assert err.value.fields == {"last4": "ticket.last4_invalid"}


@pytest.mark.parametrize("value", ["", "  ", None])
def test_cash_needs_no_digits(value: object) -> None:
    assert parse_last4(value, ChargeMethod.CASH) == ""


@pytest.mark.parametrize("value", ["1234", "12", "abcd"])
def test_cash_with_digits_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_last4(value, ChargeMethod.CASH)
    assert err.value.fields == {"last4": "ticket.last4_not_for_method"}


# --- free texts -------------------------------------------------------------------------------


def test_text_is_trimmed_and_keeps_line_breaks_and_tabs() -> None:
    assert parse_text("  a\r\nb\tc\n ", field="message", limit=10) == "a\nb\tc"


def test_text_keeps_markup_verbatim() -> None:
    markup = "<script>alert('x')</script> & <b>bold</b>"
    assert parse_text(markup, field="message", limit=100) == markup


@pytest.mark.parametrize("value", ["", "   ", None, 42])
def test_required_text(value: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_text(value, field="details", limit=10)
    assert err.value.fields == {"details": "field.required"}
    assert parse_text(value, field="details", limit=10, required=False) == ""


def test_text_limit() -> None:
    assert parse_text("x" * 10, field="message", limit=10) == "x" * 10
    with pytest.raises(ValidationFailed) as err:
        parse_text("x" * 11, field="message", limit=10)
    assert err.value.fields == {"message": "field.too_long"}


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\x7fb", "a\x08b"])
def test_text_refuses_control_characters(value: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_text(value, field="message", limit=10)
    assert err.value.fields == {"message": "field.invalid"}


# --- ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5, "1", "5", " 4 "])
def test_ratings_one_to_five(stars: object) -> None:
    assert parse_rating(stars, " thanks ") == (int(str(stars)), "thanks")


def test_a_rating_comment_is_optional() -> None:
    assert parse_rating(3, None) == (3, "")
    assert parse_rating(3, "") == (3, "")


@pytest.mark.parametrize("stars", [0, 6, -1, 10, "0", "6", "3.5", 3.5, 4.0, True, False, None,
                                   "", "five", "٣", "３", [3]])
def test_ratings_outside_one_to_five_are_refused(stars: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_rating(stars, "")
    assert err.value.fields == {"stars": "ticket.stars_invalid"}


def test_a_rating_comment_has_a_limit() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_rating(5, "x" * 1001)
    assert err.value.fields == {"comment": "field.too_long"}


def test_rating_only_when_closed() -> None:
    for status in (OPEN, VERIFYING, ANSWERED):
        with pytest.raises(DomainError) as err:
            check_can_rate(status, already_rated=False)
        assert err.value.key == "ticket.rate_when_closed"
    check_can_rate(CLOSED, already_rated=False)


def test_rating_only_once() -> None:
    with pytest.raises(DomainError) as err:
        check_can_rate(CLOSED, already_rated=True)
    assert err.value.key == "ticket.already_rated"


# --- tracking links --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["https://track.example/parcel?id=123&x=1",
                                   "http://example.com/t/ABC-1", " https://a.example/x "])
def test_tracking_links(value: str) -> None:
    assert parse_tracking_url(value) == value.strip()


@pytest.mark.parametrize("value", ["", "  ", None])
def test_no_tracking_link(value: object) -> None:
    assert parse_tracking_url(value) == ""


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.com/x", "example.com/x",
    "https://exa mple.com", 'https://example.com/"onmouseover="x', "https://example.com/<x>",
    "https://" + "a" * MAX_URL,
])
def test_bad_tracking_links_are_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_tracking_url(value)
    assert err.value.fields == {"tracking_url": "ticket.tracking_url_invalid"}


def test_tracking_link_length_limit() -> None:
    longest = "https://t.example/" + "a" * (MAX_URL - len("https://t.example/"))
    assert parse_tracking_url(longest) == longest


# --- attachments: type, name, size -----------------------------------------------------------


@pytest.mark.parametrize(("head", "kind"), [(PNG_HEAD, PNG), (JPEG_HEAD, JPEG), (PDF_HEAD, PDF)])
def test_sniff_known_types(head: bytes, kind: object) -> None:
    assert sniff(head) == kind


def test_the_sniffed_kinds() -> None:
    assert (PNG.mime, PNG.extension) == ("image/png", "png")
    assert (JPEG.mime, JPEG.extension) == ("image/jpeg", "jpg")
    assert (PDF.mime, PDF.extension) == ("application/pdf", "pdf")


@pytest.mark.parametrize("head", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",           # a Windows .exe
    b"\x7fELF\x02\x01\x01",                          # a Linux binary
    b"", b"\x89PNG", b"\xff\xd8", b"%PDF", b"GIF89a", b"<svg xmlns='x'>", b"PK\x03\x04",
    b"<html><script>", b" %PDF-1.7",
])
def test_sniff_refuses_anything_else(head: bytes) -> None:
    with pytest.raises(ValidationFailed) as err:
        sniff(head)
    assert err.value.fields == {"file": "ticket.file_type"}


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("receipt.png", PNG, "receipt.png"),
    ("scan.PDF", PDF, "scan.pdf"),
    ("photo.jpeg", JPEG, "photo.jpg"),
    ("evil.exe", PNG, "evil.png"),                   # the extension is the sniffed type's
    ("archive.tar.gz", PDF, "archive.tar.pdf"),
    ("no extension", PNG, "no extension.png"),
    ("../../etc/passwd", PNG, "passwd.png"),
    ("C:\\x\\evil.png", PNG, "evil.png"),
    ("..\\..\\windows\\win.ini", PDF, "win.pdf"),
    ("<script>.png", PNG, "script.png"),
    ("a\x00b.png", PNG, "a_b.png"),
    ("rm -rf $(x);`y`.pdf", PDF, "rm -rf _x_y.pdf"),
    ("Zdjęcie paragonu.png", PNG, "Zdjęcie paragonu.png"),
    ("квитанция.pdf", PDF, "квитанция.pdf"),
    ("", PNG, "attachment.png"),
    ("...", PNG, "attachment.png"),
    ("../", PNG, "attachment.png"),
    ("<>|.png", PNG, "attachment.png"),
    (None, JPEG, "attachment.jpg"),
    (b"x.png", PNG, "attachment.png"),
])
def test_safe_filename(name: object, kind: object, expected: str) -> None:
    assert safe_filename(name, kind) == expected


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "C:\\x\\evil.png", "..／..／etc／passwd.png",  # fullwidth solidus
    "a\\b/c＼d.png", "/abs/path.png", "x/../../y.png", ".htaccess", "..", "~/.ssh/id_rsa",
])
def test_safe_filename_never_has_path_parts(name: str) -> None:
    cleaned = safe_filename(name, PNG)
    assert "/" not in cleaned and "\\" not in cleaned
    assert not cleaned.startswith(".")
    assert cleaned.endswith(".png")


@pytest.mark.parametrize("name", ["a" * 300 + ".png", "é" * 300 + ".exe", "x" * 5000,
                                  "ﷺ" * 100 + ".pdf"])
def test_long_names_are_shortened(name: str) -> None:
    for kind in (PNG, JPEG, PDF):
        cleaned = safe_filename(name, kind)
        assert len(cleaned) <= 80
        assert cleaned.endswith("." + kind.extension)


def test_check_size() -> None:
    check_size(1)
    check_size(MAX_FILE_BYTES)
    with pytest.raises(ValidationFailed) as err:
        check_size(0)
    assert err.value.fields == {"file": "ticket.file_empty"}
    with pytest.raises(ValidationFailed) as err:
        check_size(MAX_FILE_BYTES + 1)
    assert err.value.fields == {"file": "ticket.file_too_big"}


def test_max_file_size_is_five_megabytes() -> None:
    assert MAX_FILE_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize("url", ["https://a.example/x\u2028y", "https://exämple.test/",
                                 "https://a.example/\u00a0x"])
def test_a_tracking_link_with_characters_outside_printable_ascii_is_refused(url: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_tracking_url(url)
