"""Appointment rules: the status table, which rows hold a slot, what a record allows (the
staff's actions, paying, the calendar file, an open proposal), the slot engine (working hours,
shifts, days off, steps, daylight-saving changes), free slots and the parsing of requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from reserve_app.domain.appointments import (
    ACTION_TARGET,
    ALLOWED,
    AppointmentAction,
    AppointmentStatus,
    Shift,
    Slot,
    actions_for,
    awaits_decision,
    can_pay,
    candidate_slots,
    check_requested_slot,
    free_slots,
    holds_slot,
    in_calendar,
    parse_shifts,
    parse_start,
    proposal_open,
    transition,
)
from reserve_app.domain.billing import PaymentStatus
from reserve_app.domain.errors import InvalidTransition, ValidationFailed

UTC_TZ = ZoneInfo("UTC")
WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = date(2030, 6, 3)
HOUR = timedelta(hours=1)


def at(day: date, hh_mm: str, tz: ZoneInfo = UTC_TZ) -> datetime:
    """A local wall-clock time on `day` in `tz`, as an aware UTC datetime."""
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=tz).astimezone(UTC)


def shift(weekday: int, start: str, end: str) -> Shift:
    return Shift(weekday, time.fromisoformat(start), time.fromisoformat(end))


def slots(day: date, shifts: list[Shift], *, duration: timedelta = HOUR,
          days_off: tuple[date, ...] = (), tz: ZoneInfo = UTC_TZ,
          step: timedelta | None = None) -> list[Slot]:
    return candidate_slots(day=day, shifts=shifts, days_off=days_off, duration=duration, tz=tz,
                           step=step)


def starts(found: list[Slot], tz: ZoneInfo = UTC_TZ) -> list[str]:
    """The local start times of slots, "HH:MM"."""
    return [s.start.astimezone(tz).strftime("%H:%M") for s in found]


# --- statuses -------------------------------------------------------------------------------------


def test_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(AppointmentStatus)


def test_expected_transitions() -> None:
    allowed = {(a.value, b.value) for a, targets in ALLOWED.items() for b in targets}
    assert allowed == {("pending", "confirmed"), ("pending", "declined"),
                       ("pending", "cancelled"), ("confirmed", "cancelled")}


@pytest.mark.parametrize(("current", "new"), list(product(AppointmentStatus, repeat=2)))
def test_every_pair_of_the_table(current: AppointmentStatus, new: AppointmentStatus) -> None:
    if new in ALLOWED[current]:
        assert transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


def test_declined_and_cancelled_are_final() -> None:
    assert ALLOWED[AppointmentStatus.DECLINED] == frozenset()
    assert ALLOWED[AppointmentStatus.CANCELLED] == frozenset()


HOLDS = {
    # (status, multiple_clients): holds the staff member's time
    ("pending", False): True,     # one client per slot: a request makes the slot unavailable
    ("pending", True): False,     # several clients may request it until staff approve one
    ("confirmed", False): True,
    ("confirmed", True): True,
    ("declined", False): False,
    ("declined", True): False,
    ("cancelled", False): False,
    ("cancelled", True): False,
}


@pytest.mark.parametrize(("status", "multiple"), list(product(AppointmentStatus, [False, True])))
def test_which_statuses_hold_the_slot(status: AppointmentStatus, multiple: bool) -> None:
    assert holds_slot(status, multiple_clients=multiple) is HOLDS[(status.value, multiple)]


def test_the_holds_table_covers_every_status() -> None:
    assert set(HOLDS) == {(s.value, m) for s, m in product(AppointmentStatus, [False, True])}


# --- what a record allows (it reaches the pages in the read model) -----------------------

STAFF_ACTIONS = {
    "pending": ["approve", "reschedule", "propose", "decline"],
    "confirmed": [], "declined": [], "cancelled": [],
}


@pytest.mark.parametrize("status", list(AppointmentStatus))
def test_staff_actions_of_every_status(status: AppointmentStatus) -> None:
    assert actions_for(status) == STAFF_ACTIONS[status.value]


def test_staff_actions_come_from_the_transition_table() -> None:
    assert set(ACTION_TARGET) == set(AppointmentAction)
    for status in AppointmentStatus:
        assert set(actions_for(status)) == {
            a.value for a, target in ACTION_TARGET.items() if target in ALLOWED[status]}


@pytest.mark.parametrize("status", list(AppointmentStatus))
def test_only_a_pending_request_awaits_a_decision(status: AppointmentStatus) -> None:
    assert awaits_decision(status) is (status is AppointmentStatus.PENDING)


@pytest.mark.parametrize(("status", "proposed"), list(product(AppointmentStatus, [False, True])))
def test_a_proposal_is_open_on_an_undecided_request_only(status: AppointmentStatus,
                                                         proposed: bool) -> None:
    assert proposal_open(status, proposed=proposed) is (
        proposed and status is AppointmentStatus.PENDING)


@pytest.mark.parametrize("status", list(AppointmentStatus))
def test_only_a_confirmed_appointment_has_a_calendar_file(status: AppointmentStatus) -> None:
    assert in_calendar(status) is (status is AppointmentStatus.CONFIRMED)


# No payment yet, or only ended ones: "Pay" starts one. A pending one: only Stripe's
# unfinished Checkout is resumed. Authorised or approved: the money is held or taken.
PAY_AGAIN = {"": True, "void": True, "refunded": True, "pending": "stripe",
             "authorised": False, "approved": False}


@pytest.mark.parametrize(("status", "approval", "payment", "stripe"), list(product(
    AppointmentStatus, [False, True], ["", *PaymentStatus], [False, True])))
def test_who_may_pay_online(status: AppointmentStatus, approval: bool, payment: str,
                            stripe: bool) -> None:
    again = PAY_AGAIN[str(payment)]
    expected = (status is AppointmentStatus.CONFIRMED and not approval
                and (again is True or (again == "stripe" and stripe)))
    assert can_pay(status, requires_approval=approval, payment_status=str(payment),
                   stripe=stripe) is expected


def test_the_payment_table_covers_every_payment_status() -> None:
    assert set(PAY_AGAIN) == {"", *(p.value for p in PaymentStatus)}


# --- candidate slots ------------------------------------------------------------------------------

WEEK = [shift(0, "09:00", "12:00"),                                   # Monday
        shift(2, "14:00", "16:00"),                                   # Wednesday
        shift(4, "13:00", "15:00"), shift(4, "08:00", "10:00")]       # Friday, two shifts


@pytest.mark.parametrize(("offset", "expected"), [
    (0, ["09:00", "10:00", "11:00"]),            # Monday
    (1, []),                                     # Tuesday: no hours
    (2, ["14:00", "15:00"]),                     # Wednesday
    (3, []),                                     # Thursday
    (4, ["08:00", "09:00", "13:00", "14:00"]),   # Friday: both shifts, in time order
    (5, []), (6, []),                            # the weekend
    (7, ["09:00", "10:00", "11:00"]),            # next Monday
])
def test_slots_follow_the_working_hours_of_the_weekday(offset: int, expected: list[str]) -> None:
    day = MONDAY + timedelta(days=offset)
    found = slots(day, WEEK)
    assert starts(found) == expected
    assert all(s.end - s.start == HOUR for s in found)
    assert all(s.start.astimezone(UTC).date() == day for s in found)


def test_slots_are_utc_and_generated_in_the_business_time_zone() -> None:
    found = slots(MONDAY, [shift(0, "09:00", "11:00")], tz=WARSAW)  # summer: UTC+2
    assert [(s.start, s.end) for s in found] == [
        (datetime(2030, 6, 3, 7, tzinfo=UTC), datetime(2030, 6, 3, 8, tzinfo=UTC)),
        (datetime(2030, 6, 3, 8, tzinfo=UTC), datetime(2030, 6, 3, 9, tzinfo=UTC)),
    ]
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in found)


def test_a_day_off_has_no_slots() -> None:
    other_day = MONDAY + timedelta(days=7)
    assert slots(MONDAY, WEEK, days_off=(MONDAY,)) == []
    assert starts(slots(MONDAY, WEEK, days_off=(other_day,))) == ["09:00", "10:00", "11:00"]
    # days_off may be any iterable, e.g. a generator from a query
    assert slots(MONDAY, WEEK, days_off=iter([other_day, MONDAY])) == []


@pytest.mark.parametrize(("start", "end", "minutes", "expected"), [
    ("09:00", "10:30", 60, ["09:00"]),               # 10:00-11:00 would end after 10:30
    ("09:00", "10:00", 60, ["09:00"]),               # ends exactly at the shift end: offered
    ("09:00", "09:59", 60, []),                      # too short for one slot
    ("09:00", "12:00", 90, ["09:00", "10:30"]),
    ("09:00", "12:00", 45, ["09:00", "09:45", "10:30", "11:15"]),
    ("09:00", "12:00", 181, []),
])
def test_a_slot_never_runs_past_the_shift_end(start: str, end: str, minutes: int,
                                              expected: list[str]) -> None:
    found = slots(MONDAY, [shift(0, start, end)], duration=timedelta(minutes=minutes))
    assert starts(found) == expected
    assert all(s.end <= at(MONDAY, end) for s in found)


def test_the_step_spaces_the_starts_and_defaults_to_the_duration() -> None:
    hours = [shift(0, "09:00", "11:00")]
    assert starts(slots(MONDAY, hours)) == ["09:00", "10:00"]
    assert starts(slots(MONDAY, hours, step=timedelta(minutes=30))) == [
        "09:00", "09:30", "10:00"]
    assert starts(slots(MONDAY, hours, step=timedelta(minutes=15),
                        duration=timedelta(minutes=90))) == ["09:00", "09:15", "09:30"]
    assert starts(slots(MONDAY, hours, step=timedelta(hours=2),
                        duration=timedelta(minutes=30))) == ["09:00"]
    overlapping = slots(MONDAY, hours, step=timedelta(minutes=30))
    assert [(s.end - s.start) for s in overlapping] == [HOUR] * 3


@pytest.mark.parametrize("duration", [timedelta(0), timedelta(minutes=-30)])
def test_no_slots_for_an_empty_duration(duration: timedelta) -> None:
    assert slots(MONDAY, WEEK, duration=duration) == []


def test_no_hours_no_slots() -> None:
    assert slots(MONDAY, []) == []


# --- daylight-saving changes ----------------------------------------------------------------------

SPRING = date(2027, 3, 28)   # Sunday: 02:00 CET → 03:00 CEST, UTC+1 → UTC+2
AUTUMN = date(2027, 10, 31)  # Sunday: 03:00 CEST → 02:00 CET, UTC+2 → UTC+1
EVERY_DAY = [shift(weekday, "09:00", "12:00") for weekday in range(7)]


@pytest.mark.parametrize(("change", "before", "after"), [
    (SPRING, timedelta(hours=1), timedelta(hours=2)),
    (AUTUMN, timedelta(hours=2), timedelta(hours=1)),
])
def test_nine_o_clock_stays_nine_o_clock_across_a_dst_change(
        change: date, before: timedelta, after: timedelta) -> None:
    assert change.weekday() == 6
    for offset in (-2, -1, 0, 1, 2):
        day = change + timedelta(days=offset)
        found = slots(day, EVERY_DAY, tz=WARSAW)
        local = [s.start.astimezone(WARSAW) for s in found]
        assert [(t.date(), t.hour, t.minute) for t in local] == [
            (day, 9, 0), (day, 10, 0), (day, 11, 0)], day
        expected_offset = before if offset < 0 else after  # the change happens at night
        assert {t.utcoffset() for t in local} == {expected_offset}, day
        assert [s.start.hour for s in found] == [h - expected_offset.seconds // 3600
                                                 for h in (9, 10, 11)], day
        assert all(s.end - s.start == HOUR for s in found), day


def test_the_utc_time_of_the_first_slot_moves_by_an_hour_over_the_change() -> None:
    def first(day: date) -> datetime:
        return slots(day, EVERY_DAY, tz=WARSAW)[0].start

    assert first(SPRING - timedelta(days=1)) == datetime(2027, 3, 27, 8, tzinfo=UTC)
    assert first(SPRING) == datetime(2027, 3, 28, 7, tzinfo=UTC)
    assert first(AUTUMN - timedelta(days=1)) == datetime(2027, 10, 30, 7, tzinfo=UTC)
    assert first(AUTUMN) == datetime(2027, 10, 31, 8, tzinfo=UTC)
    for change in (SPRING, AUTUMN):
        saturday, sunday = change - timedelta(days=1), change
        assert (first(saturday).astimezone(WARSAW).utcoffset()
                != first(sunday).astimezone(WARSAW).utcoffset())


# --- free slots -----------------------------------------------------------------------------------

CANDIDATES = slots(MONDAY, [shift(0, "09:00", "13:00")])  # 09, 10, 11, 12
EARLY = datetime(2030, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(("busy", "expected"), [
    ([], ["09:00", "10:00", "11:00", "12:00"]),
    ([("10:00", "11:00")], ["09:00", "11:00", "12:00"]),            # exactly one slot
    ([("08:00", "09:00"), ("13:00", "14:00")],                      # touching ends: free
     ["09:00", "10:00", "11:00", "12:00"]),
    ([("09:59", "10:00"), ("11:00", "11:01")], ["10:00", "12:00"]),  # one minute is enough
    ([("10:30", "11:30")], ["09:00", "12:00"]),                     # across two slots
    ([("10:15", "10:45")], ["09:00", "11:00", "12:00"]),            # inside one slot
    ([("08:00", "14:00")], []),                                     # around all of them
    ([("09:00", "10:00"), ("09:30", "10:30")], ["11:00", "12:00"]),  # busy ranges may overlap
])
def test_free_slots_leave_out_overlapping_busy_ranges(busy: list[tuple[str, str]],
                                                      expected: list[str]) -> None:
    ranges = [(at(MONDAY, a), at(MONDAY, b)) for a, b in busy]
    assert starts(free_slots(candidates=CANDIDATES, busy=ranges, now=EARLY)) == expected


def test_busy_ranges_on_another_day_change_nothing() -> None:
    other = MONDAY + timedelta(days=1)
    busy = [(at(other, "09:00"), at(other, "13:00"))]
    assert free_slots(candidates=CANDIDATES, busy=busy, now=EARLY) == CANDIDATES


@pytest.mark.parametrize(("now", "expected"), [
    ("08:59", ["09:00", "10:00", "11:00", "12:00"]),
    ("09:00", ["10:00", "11:00", "12:00"]),  # a slot starting right now is gone
    ("09:01", ["10:00", "11:00", "12:00"]),  # so is one that has begun
    ("11:30", ["12:00"]),
    ("12:00", []),
])
def test_free_slots_leave_out_the_past(now: str, expected: list[str]) -> None:
    assert starts(free_slots(candidates=CANDIDATES, busy=[], now=at(MONDAY, now))) == expected


def test_busy_may_be_a_generator() -> None:
    busy = ((at(MONDAY, a), at(MONDAY, b)) for a, b in [("09:00", "10:00"), ("11:00", "12:00")])
    assert starts(free_slots(candidates=CANDIDATES, busy=busy, now=EARLY)) == ["10:00", "12:00"]


# --- parsing a requested start --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2030-06-03T09:00:00+00:00", datetime(2030, 6, 3, 9, tzinfo=UTC)),
    ("2030-06-03T09:00:00+02:00", datetime(2030, 6, 3, 7, tzinfo=UTC)),
    ("2030-06-03T09:00+02:00", datetime(2030, 6, 3, 7, tzinfo=UTC)),
    ("2030-06-03 01:30:00-05:00", datetime(2030, 6, 3, 6, 30, tzinfo=UTC)),
    ("2030-06-03T09:00:00Z", datetime(2030, 6, 3, 9, tzinfo=UTC)),
    ("2030-06-03T00:30:00+02:00", datetime(2030, 6, 2, 22, 30, tzinfo=UTC)),  # day before
])
def test_parse_start_turns_aware_text_into_utc(text: str, expected: datetime) -> None:
    parsed = parse_start(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [
    "2030-06-03T09:00:00",           # naive: whose nine o'clock?
    "2030-06-03",                    # a day is not a time
    "2030-06-03T25:00:00+00:00",
    "2030-02-30T09:00:00+00:00",
    "09:00",
    "tomorrow at nine",
    "",
    " ",
    "2030-06-03T09:00:00+00:00" + " " * 20,  # longer than 40 characters
    "2030-06-03T09:00:00.000000000000000000+00:00",
    None,
    1_900_000_000,
    1.5,
    True,
    ["2030-06-03T09:00:00+00:00"],
    {"start": "2030-06-03T09:00:00+00:00"},
    datetime(2030, 6, 3, 9, tzinfo=UTC),      # only text comes from the page
    date(2030, 6, 3),
])
def test_parse_start_refuses_naive_and_junk_values(value: object) -> None:
    assert parse_start(value) is None


FREE = CANDIDATES[1:]  # 10:00, 11:00, 12:00 UTC


@pytest.mark.parametrize("text", ["2030-06-03T10:00:00+00:00", "2030-06-03T12:00:00+02:00",
                                  "2030-06-03T10:00Z", "2030-06-03T06:00:00-04:00"])
def test_check_requested_slot_returns_the_free_slot_starting_then(text: str) -> None:
    assert check_requested_slot(text, free=FREE) == FREE[0]


@pytest.mark.parametrize("text", [
    "2030-06-03T09:00:00+00:00",   # a candidate, but not free
    "2030-06-03T10:30:00+00:00",   # inside a free slot, but not its start
    "2030-06-03T10:00:00+02:00",   # 08:00 UTC: outside the hours
    "2030-06-04T10:00:00+00:00",   # another day
    "2030-06-03T10:00:01+00:00",
])
def test_check_requested_slot_refuses_a_start_that_is_not_offered(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_requested_slot(text, free=FREE)
    assert err.value.fields == {"start": "appointment.slot_unavailable"}


def test_check_requested_slot_with_nothing_free() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_requested_slot("2030-06-03T10:00:00+00:00", free=[])
    assert err.value.fields == {"start": "appointment.slot_unavailable"}


@pytest.mark.parametrize("value", ["2030-06-03T10:00:00", "junk", "", None, 42,
                                   datetime(2030, 6, 3, 10, tzinfo=UTC)])
def test_check_requested_slot_refuses_junk_as_an_invalid_time(value: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_requested_slot(value, free=FREE)
    assert err.value.fields == {"start": "appointment.time_invalid"}


# --- parsing working hours ------------------------------------------------------------------------


def test_parse_shifts_reads_hh_mm_pairs_per_weekday() -> None:
    parsed = parse_shifts({0: [("09:00", "12:00"), ("13:00", "17:30")], 6: [("10:00", "11:00")],
                           3: []})
    assert parsed == [shift(0, "09:00", "12:00"), shift(0, "13:00", "17:30"),
                      shift(6, "10:00", "11:00")]
    assert parse_shifts({}) == []
    assert parse_shifts({2: [["08:00", "23:59"]]}) == [shift(2, "08:00", "23:59")]


@pytest.mark.parametrize(("rows", "field", "key"), [
    ({7: [("09:00", "12:00")]}, "weekday", "field.choice_invalid"),
    ({-1: [("09:00", "12:00")]}, "weekday", "field.choice_invalid"),
    ({"1": [("09:00", "12:00")]}, "weekday", "field.choice_invalid"),
    ({None: [("09:00", "12:00")]}, "weekday", "field.choice_invalid"),
    ({1.0: [("09:00", "12:00")]}, "weekday", "field.choice_invalid"),
    ({1: [("12:00", "09:00")]}, "hours_1", "appointment.hours_invalid"),  # reversed
    ({1: [("09:00", "09:00")]}, "hours_1", "appointment.hours_invalid"),  # empty
    ({1: [("9:00", "12:00")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [("09:00", "24:00")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [("09:60", "12:00")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [("nine", "noon")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [("", "12:00")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [(None, "12:00")]}, "hours_1", "appointment.hours_invalid"),
    ({1: [(9, 12)]}, "hours_1", "appointment.hours_invalid"),
    ({1: [("09:00", "12:00")], 4: [("17:00", "08:00")]}, "hours_4", "appointment.hours_invalid"),
])
def test_parse_shifts_refuses_bad_hours(rows: dict, field: str, key: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_shifts(rows)
    assert err.value.fields == {field: key}


def test_shift_over_a_clock_change_night_gives_real_equal_slots() -> None:
    from datetime import date as day_type
    from datetime import time as time_type
    from datetime import timedelta as delta
    from zoneinfo import ZoneInfo as Zone

    from reserve_app.domain.appointments import Shift, candidate_slots

    tz = Zone("Europe/Warsaw")
    for day, expected in ((day_type(2027, 3, 28), 2), (day_type(2027, 10, 31), 4)):
        slots = candidate_slots(day=day, shifts=[Shift(6, time_type(1), time_type(4))],
                                days_off=[], duration=delta(hours=1), tz=tz)
        assert len(slots) == expected, (day, slots)
        assert all(s.end - s.start == delta(hours=1) for s in slots)
        assert len({s.start for s in slots}) == len(slots)


def test_shift_times_with_offsets_or_seconds_are_refused() -> None:
    import pytest as _pytest

    from reserve_app.domain.appointments import parse_shifts
    from reserve_app.domain.errors import ValidationFailed as Invalid

    for pair in (("09:00+01:00", "10:00"), ("09:00Z", "10:00"), ("09:00:30", "09:00:45")):
        with _pytest.raises(Invalid):
            parse_shifts({0: [pair]})
