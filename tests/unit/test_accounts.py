"""Account rules: new-account validation, email normalisation, roles, safe redirects."""

from __future__ import annotations

import pytest

from reserve_app.domain import accounts
from reserve_app.domain.accounts import (
    Actor,
    NewAccount,
    Role,
    check_new_account,
    check_staff_change,
    normalize_email,
    parse_role,
    require_admin,
    require_login,
    require_staff,
    safe_next_path,
)
from reserve_app.domain.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    Unauthenticated,
    ValidationFailed,
)

GOOD = {"name": "Alice", "email": "alice@example.com", "password": "secret-pass",
        "language": "en"}

ADMIN = Actor(1, Role.ADMIN, "Ada", "ada@example.com", "en")
STAFF = Actor(2, Role.STAFF, "Stan", "stan@example.com", "en")
CUSTOMER = Actor(3, Role.CUSTOMER, "Cleo", "cleo@example.com", "en")


def errors_of(**changes: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as err:
        check_new_account(**{**GOOD, **changes})
    return err.value.fields


# --- check_new_account -----------------------------------------------------------------------


def test_valid_account_is_cleaned() -> None:
    account = check_new_account(name="  Alice  ", email=" Alice@Example.COM ",
                                password=" spaces kept ", language="ar")
    assert account == NewAccount("Alice", "alice@example.com", " spaces kept ", "ar",
                                 Role.CUSTOMER)


@pytest.mark.parametrize("language", accounts.LANGUAGES)
def test_every_offered_language_is_accepted(language: str) -> None:
    assert check_new_account(**{**GOOD, "language": language}).language == language


@pytest.mark.parametrize("role", ["customer", "staff", "admin"])
def test_role_is_parsed(role: str) -> None:
    assert check_new_account(**GOOD, role=role).role is Role(role)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, {"name": "field.required"}),
        ({"name": " \t\n"}, {"name": "field.required"}),
        ({"name": "x" * (accounts.NAME_MAX + 1)}, {"name": "field.too_long"}),
        ({"email": ""}, {"email": "field.required"}),
        ({"email": "   "}, {"email": "field.required"}),
        ({"email": "alice"}, {"email": "field.email_invalid"}),
        ({"email": "alice@"}, {"email": "field.email_invalid"}),
        ({"email": "@example.com"}, {"email": "field.email_invalid"}),
        ({"email": "a b@example.com"}, {"email": "field.email_invalid"}),
        ({"email": "a" * 250 + "@example.com"}, {"email": "field.email_invalid"}),
        ({"password": ""}, {"password": "field.required"}),
        ({"password": "x" * (accounts.PASSWORD_MIN - 1)}, {"password": "field.password_short"}),
        ({"password": "x" * (accounts.PASSWORD_MAX + 1)}, {"password": "field.too_long"}),
        ({"language": "de"}, {"language": "field.choice_invalid"}),
        ({"language": "EN"}, {"language": "field.choice_invalid"}),
        ({"role": "owner"}, {"role": "field.choice_invalid"}),
        ({"role": ""}, {"role": "field.choice_invalid"}),
    ],
)
def test_each_rule(changes: dict, expected: dict) -> None:
    assert errors_of(**changes) == expected


@pytest.mark.parametrize("value", [None, 1, 1.5, True, ["x"], {"x": "y"}, b"bytes"])
@pytest.mark.parametrize("field", ["name", "email", "password", "language", "role"])
def test_non_string_values_are_refused(field: str, value: object) -> None:
    assert set(errors_of(**{field: value})) == {field}


def test_limits_are_inclusive() -> None:
    account = check_new_account(name="n" * accounts.NAME_MAX, email=GOOD["email"],
                                password="p" * accounts.PASSWORD_MIN, language="en")
    assert len(account.name) == accounts.NAME_MAX
    assert check_new_account(**{**GOOD, "password": "p" * accounts.PASSWORD_MAX})


def test_all_errors_are_reported_at_once() -> None:
    assert errors_of(name="", email="nope", password="short", language="xx", role="boss") == {
        "name": "field.required",
        "email": "field.email_invalid",
        "password": "field.password_short",
        "language": "field.choice_invalid",
        "role": "field.choice_invalid",
    }


# --- normalize_email -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@Example.COM\t", "alice@example.com"),
        ("ALICE+tag@EXAMPLE.com", "alice+tag@example.com"),
        ("", None),
        ("   ", None),
        ("alice", None),
        ("alice@@example.com", None),
        ("alice@example", None),
        ("a" * 250 + "@example.com", None),
        (None, None),
        (42, None),
        (["alice@example.com"], None),
    ],
)
def test_normalize_email(raw: object, expected: str | None) -> None:
    assert normalize_email(raw) == expected


def test_normalized_email_is_stable() -> None:
    once = normalize_email(" Bob.Smith@Example.org ")
    assert once is not None and normalize_email(once) == once


# --- safe_next_path ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/account", "/staff/outbox?page=2", "/a/b#section",
                                  "/account?next=%2F%2Fevil.com"])
def test_same_site_paths_are_kept(path: str) -> None:
    assert safe_next_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "//evil.com", "//evil.com/account", "https://evil.com", "http://evil.com/account",
        "https:evil.com", "javascript:alert(1)", "evil.com", "account", "", " /account",
        "/\\evil.com", "\\\\evil.com", "/account\\..\\x", "/api/logout", "/api/session",
        "/account\r\nSet-Cookie: x=1", "/account\x00", "/\tevil", "/x" * 257 + "/",
        None, 42, ["/account"], b"/account",
    ],
)
def test_unsafe_next_paths_fall_back(path: object) -> None:
    assert safe_next_path(path) == "/account"
    assert safe_next_path(path, default="/staff") == "/staff"


def test_next_path_length_limit() -> None:
    assert safe_next_path("/" + "a" * 511) == "/" + "a" * 511
    assert safe_next_path("/" + "a" * 512) == "/account"


# --- roles and require_* -------------------------------------------------------------------


def test_actor_role_flags() -> None:
    assert (ADMIN.is_staff, ADMIN.is_admin) == (True, True)
    assert (STAFF.is_staff, STAFF.is_admin) == (True, False)
    assert (CUSTOMER.is_staff, CUSTOMER.is_admin) == (False, False)


@pytest.mark.parametrize(
    ("check", "actor", "error"),
    [
        (require_login, None, Unauthenticated),
        (require_staff, None, Unauthenticated),
        (require_staff, CUSTOMER, Forbidden),
        (require_admin, None, Unauthenticated),
        (require_admin, CUSTOMER, Forbidden),
        (require_admin, STAFF, Forbidden),
    ],
)
def test_require_refuses(check, actor: Actor | None, error: type[DomainError]) -> None:  # noqa: ANN001
    with pytest.raises(error):
        check(actor)


@pytest.mark.parametrize(
    ("check", "actors"),
    [(require_login, [CUSTOMER, STAFF, ADMIN]), (require_staff, [STAFF, ADMIN]),
     (require_admin, [ADMIN])],
)
def test_require_passes_the_actor_through(check, actors: list[Actor]) -> None:  # noqa: ANN001
    for actor in actors:
        assert check(actor) is actor


@pytest.mark.parametrize("role", list(Role))
def test_parse_role_accepts_every_role(role: Role) -> None:
    assert parse_role(role.value) is role


@pytest.mark.parametrize("value", ["", "Admin", "owner", None, 1, ["admin"]])
def test_parse_role_refuses_anything_else(value: object) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_role(value)
    assert err.value.fields == {"role": "field.choice_invalid"}


# --- check_staff_change ----------------------------------------------------------------------


def change(**kwargs: object) -> None:
    params = {"actor": ADMIN, "target_id": STAFF.user_id, "target_role": Role.STAFF,
              "active_admins": 2, **kwargs}
    check_staff_change(**params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"disable": True},
        {"disable": False},
        {"new_role": Role.ADMIN},
        {"new_role": Role.STAFF},
        {"target_role": Role.ADMIN, "target_id": 9, "new_role": Role.STAFF},
        {"target_role": Role.ADMIN, "target_id": 9, "disable": True},
        {"target_role": Role.ADMIN, "target_id": 9, "new_role": Role.ADMIN, "active_admins": 1},
        {"target_role": Role.ADMIN, "target_id": ADMIN.user_id, "new_role": Role.ADMIN},
        {"target_role": Role.ADMIN, "target_id": ADMIN.user_id, "disable": False},
        {"target_role": Role.STAFF, "disable": True, "active_admins": 1},
    ],
)
def test_allowed_staff_changes(kwargs: dict) -> None:
    change(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "key"),
    [
        ({"actor": STAFF}, Forbidden, "error.forbidden"),
        ({"actor": CUSTOMER}, Forbidden, "error.forbidden"),
        ({"target_role": Role.CUSTOMER, "disable": True}, Forbidden, "staff.not_staff_account"),
        ({"target_role": Role.CUSTOMER, "new_role": Role.STAFF}, Forbidden,
         "staff.not_staff_account"),
        ({"target_role": Role.ADMIN, "target_id": ADMIN.user_id, "disable": True}, Forbidden,
         "staff.not_yourself"),
        ({"target_role": Role.ADMIN, "target_id": ADMIN.user_id, "new_role": Role.STAFF},
         Forbidden, "staff.not_yourself"),
        ({"target_role": Role.ADMIN, "target_id": 9, "new_role": Role.STAFF,
          "active_admins": 1}, Forbidden, "staff.last_admin"),
        ({"target_role": Role.ADMIN, "target_id": 9, "disable": True, "active_admins": 1},
         Forbidden, "staff.last_admin"),
        ({"target_role": Role.ADMIN, "target_id": 9, "disable": True, "active_admins": 0},
         Forbidden, "staff.last_admin"),
        ({"new_role": Role.CUSTOMER}, ValidationFailed, "error.validation"),
    ],
)
def test_refused_staff_changes(kwargs: dict, error: type[DomainError], key: str) -> None:
    with pytest.raises(error) as err:
        change(**kwargs)
    assert err.value.key == key


def test_check_staff_change_needs_a_logged_in_actor() -> None:
    with pytest.raises(Unauthenticated):
        change(actor=None)


# --- errors ----------------------------------------------------------------------------------


def test_errors_carry_a_message_key_and_parameters() -> None:
    assert Forbidden().key == "error.forbidden"
    assert Forbidden("staff.last_admin").key == "staff.last_admin"
    err = DomainError("auth.too_many_attempts", minutes=3)
    assert (err.key, err.params) == ("auth.too_many_attempts", {"minutes": 3})
    transition = InvalidTransition("sent", "pending")
    assert (transition.key, transition.params) == (
        "error.invalid_transition", {"current": "sent", "new": "pending"})


def test_validation_failed_keeps_its_own_copy_of_the_fields() -> None:
    fields = {"name": "field.required"}
    err = ValidationFailed(fields)
    fields["email"] = "field.required"
    assert err.fields == {"name": "field.required"}
    assert err.key == "error.validation"


def test_a_disabled_admin_may_be_demoted_while_one_active_admin_remains() -> None:
    admin = accounts.Actor(1, accounts.Role.ADMIN, "A", "a@example.com", "en")
    accounts.check_staff_change(actor=admin, target_id=2, target_role=accounts.Role.ADMIN,
                                target_active=False, new_role=accounts.Role.STAFF,
                                active_admins=1)
    with pytest.raises(Forbidden):
        accounts.check_staff_change(actor=admin, target_id=2, target_role=accounts.Role.ADMIN,
                                    target_active=True, new_role=accounts.Role.STAFF,
                                    active_admins=1)


def test_who_may_open_a_page():
    from reserve_app.domain.accounts import Access, Actor, Role, may_open

    customer, staff, admin = (Actor(1, role, "n", "e@x.example", "en")
                              for role in (Role.CUSTOMER, Role.STAFF, Role.ADMIN))
    assert [may_open(None, need) for need in Access] == [False, False, False]
    assert [may_open(customer, need) for need in Access] == [True, False, False]
    assert [may_open(staff, need) for need in Access] == [True, True, False]
    assert [may_open(admin, need) for need in Access] == [True, True, True]
