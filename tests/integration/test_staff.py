"""Staff accounts service: admin only, audited, and no admin can lock the shop out."""

from __future__ import annotations

import pytest

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from reserve_app.models import AuditEntry, AuthSession, User
from reserve_app.services import uow
from reserve_app.services.accounts import staff
from reserve_app.services.platform import audit

from .helpers import PASSWORD, add_admin, add_user, count, login, resolve, rows, user_by_email


def _state() -> list[tuple]:
    """Everything the staff service may change."""
    users = [(u.id, u.email, u.role, u.active) for u in rows(User)]
    return [*users, count(AuditEntry), count(AuthSession)]


def _history(user_id: int) -> list[tuple[str, str, str, str]]:
    with uow.read_session() as session:
        return [(h.actor_name, h.action, h.old_value, h.new_value)
                for h in audit.history(session, entity="user", entity_id=user_id)]


@pytest.fixture
def people() -> dict[str, Actor]:
    return {
        "admin": add_admin(),
        "staff": add_user("Stan Staff", "stan@example.com", Role.STAFF),
        "customer": add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER),
    }


CALLS = {
    "list_staff": lambda s, actor, target: staff.list_staff(s, actor=actor),
    "create_staff": lambda s, actor, target: staff.create_staff(
        s, actor=actor, name="New", email="new@example.com", password=PASSWORD, role="staff"),
    "set_active": lambda s, actor, target: staff.set_active(
        s, actor=actor, user_id=target, active=False),
    "change_role": lambda s, actor, target: staff.change_role(
        s, actor=actor, user_id=target, role="admin"),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize(("who", "error"), [(None, Unauthenticated), ("customer", Forbidden),
                                            ("staff", Forbidden)])
def test_only_admins_may_manage_staff(people: dict[str, Actor], call: str, who: str | None,
                                      error: type[Exception]) -> None:
    actor = people[who] if who else None
    target = people["staff"].user_id
    before = _state()
    with uow.write_session() as session, pytest.raises(error):
        CALLS[call](session, actor, target)
    assert _state() == before


def test_admin_lists_staff_and_admins_only_by_name(people: dict[str, Actor]) -> None:
    with uow.read_session() as session:
        listed = staff.list_staff(session, actor=people["admin"])
    assert [(v.name, v.role, v.active) for v in listed] == [
        ("Ada Admin", "admin", True), ("Stan Staff", "staff", True)]


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_admin_creates_a_staff_account_that_can_log_in(people: dict[str, Actor],
                                                        role: str) -> None:
    admin = people["admin"]
    with uow.write_session() as session:
        view = staff.create_staff(session, actor=admin, name=" Nina New ",
                                  email="Nina@Example.com", password=PASSWORD, role=role)
    assert (view.name, view.email, view.role, view.active) == (
        "Nina New", "nina@example.com", role, True)
    assert _history(view.user_id) == [("Ada Admin", "staff_created", "", role)]
    actor = resolve(login("nina@example.com"))
    assert actor is not None and actor.role == Role(role)


@pytest.mark.parametrize("role", ["customer", "owner", "", None, 1, ["staff"]])
def test_create_staff_refuses_other_roles(people: dict[str, Actor], role: object) -> None:
    before = _state()
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        staff.create_staff(session, actor=people["admin"], name="N", email="n@example.com",
                           password=PASSWORD, role=role)
    assert err.value.fields == {"role": "field.choice_invalid"}
    assert _state() == before


def test_create_staff_validates_fields_and_taken_emails(people: dict[str, Actor]) -> None:
    before = _state()
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        staff.create_staff(session, actor=people["admin"], name="", email="bad",
                           password="short", role="staff", language="xx")
    assert err.value.fields == {"name": "field.required", "email": "field.email_invalid",
                                "password": "field.password_short",
                                "language": "field.choice_invalid"}
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        staff.create_staff(session, actor=people["admin"], name="Copy", email="CLEO@example.com",
                           password=PASSWORD, role="staff")
    assert err.value.fields == {"email": "field.email_taken"}
    assert _state() == before


def test_change_role_is_audited(people: dict[str, Actor]) -> None:
    admin, stan = people["admin"], people["staff"]
    with uow.write_session() as session:
        view = staff.change_role(session, actor=admin, user_id=stan.user_id, role="admin")
    assert view.role == "admin"
    with uow.write_session() as session:
        staff.change_role(session, actor=admin, user_id=stan.user_id, role="staff")
    with uow.write_session() as session:  # no change, no audit row
        staff.change_role(session, actor=admin, user_id=stan.user_id, role="staff")
    assert user_by_email("stan@example.com").role == "staff"
    assert _history(stan.user_id) == [("Ada Admin", "role_changed", "staff", "admin"),
                                      ("Ada Admin", "role_changed", "admin", "staff")]


def test_promoted_user_gets_the_new_role_on_the_next_request(people: dict[str, Actor]) -> None:
    token = login("stan@example.com")
    with uow.write_session() as session:
        staff.change_role(session, actor=people["admin"], user_id=people["staff"].user_id,
                          role="admin")
    assert resolve(token).role is Role.ADMIN


def test_set_active_is_audited_and_ends_sessions(people: dict[str, Actor]) -> None:
    admin, stan = people["admin"], people["staff"]
    token = login("stan@example.com")
    admin_token = login("ada@example.com")
    with uow.write_session() as session:
        view = staff.set_active(session, actor=admin, user_id=stan.user_id, active=False)
    assert view.active is False
    assert resolve(token) is None
    assert resolve(admin_token) == admin
    with uow.write_session() as session:
        staff.set_active(session, actor=admin, user_id=stan.user_id, active=True)
    assert _history(stan.user_id) == [("Ada Admin", "active_changed", "True", "False"),
                                      ("Ada Admin", "active_changed", "False", "True")]


@pytest.mark.parametrize("active", ["false", 0, None, "no"])
def test_set_active_needs_a_boolean(people: dict[str, Actor], active: object) -> None:
    before = _state()
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        staff.set_active(session, actor=people["admin"], user_id=people["staff"].user_id,
                         active=active)
    assert err.value.fields == {"active": "field.choice_invalid"}
    assert _state() == before


@pytest.mark.parametrize(
    "change",
    [{"call": "set_active", "active": False}, {"call": "change_role", "role": "staff"}],
    ids=["disable", "demote"],
)
def test_admin_cannot_disable_or_demote_themselves(people: dict[str, Actor],
                                                   change: dict) -> None:
    admin = people["admin"]
    add_admin("Second Admin", "second@example.com")  # not the last admin either
    kwargs = {k: v for k, v in change.items() if k != "call"}
    before = _state()
    with uow.write_session() as session, pytest.raises(Forbidden) as err:
        getattr(staff, change["call"])(session, actor=admin, user_id=admin.user_id, **kwargs)
    assert err.value.key == "staff.not_yourself"
    assert _state() == before


@pytest.mark.parametrize(
    "change",
    [{"call": "set_active", "active": False}, {"call": "change_role", "role": "staff"}],
    ids=["disable", "demote"],
)
def test_the_last_active_admin_stays_an_active_admin(people: dict[str, Actor],
                                                     change: dict) -> None:
    # Two admins act on each other at the same moment: Ada demotes Bea first; Bea's request,
    # authorised as admin just before, must not remove the only admin left.
    ada = people["admin"]
    bea = add_admin("Bea Admin", "bea@example.com")
    with uow.write_session() as session:
        staff.change_role(session, actor=ada, user_id=bea.user_id, role="staff")
    kwargs = {k: v for k, v in change.items() if k != "call"}
    before = _state()
    with uow.write_session() as session, pytest.raises(Forbidden) as err:
        getattr(staff, change["call"])(session, actor=bea, user_id=ada.user_id, **kwargs)
    assert err.value.key == "staff.last_admin"
    assert _state() == before


def test_another_admin_can_be_demoted_while_one_remains(people: dict[str, Actor]) -> None:
    bea = add_admin("Bea Admin", "bea@example.com")
    with uow.write_session() as session:
        staff.set_active(session, actor=people["admin"], user_id=bea.user_id, active=False)
    with uow.write_session() as session:
        staff.set_active(session, actor=people["admin"], user_id=bea.user_id, active=True)
    with uow.write_session() as session:
        staff.change_role(session, actor=people["admin"], user_id=bea.user_id, role="staff")
    assert user_by_email("bea@example.com").role == "staff"


@pytest.mark.parametrize(
    "change",
    [{"call": "set_active", "active": False}, {"call": "change_role", "role": "staff"}],
    ids=["disable", "demote"],
)
def test_customers_are_not_managed_as_staff(people: dict[str, Actor], change: dict) -> None:
    kwargs = {k: v for k, v in change.items() if k != "call"}
    before = _state()
    with uow.write_session() as session, pytest.raises(Forbidden) as err:
        getattr(staff, change["call"])(session, actor=people["admin"],
                                       user_id=people["customer"].user_id, **kwargs)
    assert err.value.key == "staff.not_staff_account"
    assert _state() == before


@pytest.mark.parametrize("role", ["customer", "owner", "", None, 3])
def test_change_role_refuses_roles_other_than_staff_and_admin(people: dict[str, Actor],
                                                              role: object) -> None:
    before = _state()
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        staff.change_role(session, actor=people["admin"], user_id=people["staff"].user_id,
                          role=role)
    assert err.value.fields == {"role": "field.choice_invalid"}
    assert _state() == before


@pytest.mark.parametrize("user_id", ["1", 1.0, True, False, -1, 0, None, [1], 999_999])
@pytest.mark.parametrize("call", ["set_active", "change_role"])
def test_bad_user_ids_are_not_found(people: dict[str, Actor], call: str,
                                    user_id: object) -> None:
    kwargs = {"active": False} if call == "set_active" else {"role": "admin"}
    before = _state()
    with uow.write_session() as session, pytest.raises(NotFound):
        getattr(staff, call)(session, actor=people["admin"], user_id=user_id, **kwargs)
    assert _state() == before
