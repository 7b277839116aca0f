"""The HTTP side of ticket attachments: the download route answers only the ticket's
customer and staff, and the guard in front of Reflex's upload endpoint refuses what it must
before any of the body is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from reserve_app import api
from reserve_app.domain.accounts import Role
from reserve_app.domain.tickets import MAX_FILE_BYTES
from reserve_app.services import tickets, uow

from .helpers import add_user, configure, login

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
ORIGIN = "http://localhost:3000"


@pytest.fixture
def desk(settings_env: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    configure(settings_env, ATTACHMENTS_DIR=tmp_path / "files")
    add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    add_user("Dan Customer", "dan@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        ticket_id = tickets.create_charged_ticket(session, actor=cleo, method="card",
                                                  last4="4242", details="Charged twice")
    with uow.write_session() as session:
        file = tickets.attach(session, actor=cleo, ticket_id=ticket_id,
                              filename="../../receipt.png", data=PNG)
    return {"file": file.id, "cleo": login("cleo@example.com"),
            "dan": login("dan@example.com"), "stan": login("stan@example.com")}


def download(cookie: str | None, file_id: object) -> tuple[int, bytes, dict]:
    client = TestClient(api.routes)
    if cookie:
        client.cookies.set("sid", cookie)
    response = client.get(f"/api/attachments/{file_id}")
    return response.status_code, response.content, dict(response.headers)


def test_the_owner_downloads_the_file_as_an_attachment(desk: dict) -> None:
    status, body, headers = download(desk["cleo"], desk["file"])
    assert status == 200 and body == PNG
    assert headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("attachment;")
    assert "receipt.png" in headers["content-disposition"]
    assert ".." not in headers["content-disposition"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"


def test_staff_download_it_too(desk: dict) -> None:
    assert download(desk["stan"], desk["file"])[0] == 200


@pytest.mark.parametrize("who", ["dan", None])
def test_another_customer_or_a_visitor_gets_not_found(desk: dict, who: str | None) -> None:
    status, body, _ = download(desk[who] if who else None, desk["file"])
    assert status == 404 and PNG not in body


# "²", Arabic-Indic 3 and full-width 3: str.isdigit() says yes to all three.
@pytest.mark.parametrize("file_id", ["abc", "-1", "0", "99999", "1e3", "%2e%2e", "%C2%B2",
                                     "%D9%A3", "%EF%BC%93"])
def test_ids_that_are_not_a_file_get_not_found(desk: dict, file_id: str) -> None:
    assert download(desk["cleo"], file_id)[0] == 404


@pytest.mark.parametrize("raw", ["%C2%B2", "%D9%A3", "%EF%BC%93", "0", "abc"])
def test_an_appointment_calendar_file_needs_an_ascii_id(desk: dict, raw: str) -> None:
    client = TestClient(api.routes)
    client.cookies.set("sid", desk["stan"])
    response = client.get(f"/api/appointments/{raw}.ics")
    assert response.status_code == 404 and response.text == "Not found."


# ---- the upload guard ------------------------------------------------------------------------

def guarded(tabs: dict[str, str]) -> TestClient:
    """The guard in front of a stand-in for Reflex's upload endpoint that echoes the bytes
    it read. `tabs` maps client tokens to the session cookie each tab connected with (what
    the real guard reads from the tab's state)."""
    async def upload(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"read {len(await request.body())}")

    async def other(request: Request) -> PlainTextResponse:
        return PlainTextResponse("page")

    inner = Starlette(routes=[Route("/_upload", upload, methods=["POST", "GET"]),
                              Route("/_upload/{name}", other),
                              Route("/shop", other)])

    async def tab_session(token: str) -> str | None:
        return tabs.get(token)

    return TestClient(api.guard_uploads(inner, tab_session=tab_session))


def post(client: TestClient, *, cookie: str | None, token: str, body: bytes = PNG,
         headers: dict | None = None) -> tuple[int, str]:
    if cookie:
        client.cookies.set("sid", cookie)
    response = client.post("/_upload", content=body, headers={
        "Reflex-Client-Token": token, "Reflex-Event-Handler": "x.upload", "Origin": ORIGIN,
        **(headers or {})})
    return response.status_code, response.text


@pytest.mark.parametrize("handler", ["x.load", "x.set_status", "", "upload.x", "x." + "u" * 400])
def test_an_upload_naming_a_handler_without_files_is_a_client_mistake(desk: dict,
                                                                      handler: str) -> None:
    client = guarded({"tab-1": desk["cleo"]})
    status, text = post(client, cookie=desk["cleo"], token="tab-1",
                        headers={"Reflex-Event-Handler": handler})
    assert (status, text) == (400, "This action takes no files.")


def test_the_tabs_own_user_may_upload(desk: dict) -> None:
    client = guarded({"tab-1": desk["cleo"]})
    assert post(client, cookie=desk["cleo"], token="tab-1") == (200, f"read {len(PNG)}")


def test_another_session_of_the_same_user_may_upload(desk: dict) -> None:
    client = guarded({"tab-1": login("cleo@example.com")})
    assert post(client, cookie=desk["cleo"], token="tab-1")[0] == 200


@pytest.mark.parametrize("cookie", ["dan", "stan", None, "forged"])
def test_someone_elses_tab_token_is_refused(desk: dict, cookie: str | None) -> None:
    client = guarded({"tab-1": desk["cleo"]})
    sid = desk.get(cookie, cookie) if cookie else None
    status, text = post(client, cookie=sid, token="tab-1")
    assert status == 403 and "read" not in text


def test_an_unknown_tab_or_a_tab_without_a_login_is_refused(desk: dict) -> None:
    client = guarded({"anonymous-tab": ""})
    assert post(client, cookie=desk["cleo"], token="unknown")[0] == 403
    assert post(client, cookie=desk["cleo"], token="anonymous-tab")[0] == 403
    assert post(client, cookie=desk["cleo"], token="")[0] == 403


def test_a_body_over_the_limit_is_refused_before_it_is_read(desk: dict) -> None:
    client = guarded({"tab-1": desk["cleo"]})
    big = b"\0" * (api.MAX_UPLOAD_BYTES + 1)
    assert post(client, cookie=desk["cleo"], token="tab-1", body=big)[0] == 413
    # The limit is one file of MAX_FILE_BYTES plus the multipart framing.
    assert api.MAX_UPLOAD_BYTES - MAX_FILE_BYTES <= 64 * 1024


def test_a_declared_length_over_the_limit_is_refused(desk: dict) -> None:
    client = guarded({"tab-1": desk["cleo"]})
    status, text = post(client, cookie=desk["cleo"], token="tab-1",
                        headers={"Content-Length": str(10**9)})
    assert status == 413 and "read" not in text


def test_reflexs_public_upload_folder_is_closed(desk: dict) -> None:
    client = guarded({})
    assert client.get("/_upload/receipt.png").status_code == 404
    assert client.get("/_upload").status_code == 404
    assert client.get("/shop").text == "page"   # everything else passes through


async def test_a_body_without_a_declared_length_is_refused(desk: dict) -> None:
    """Chunked uploads (no Content-Length) could not be capped up front: 411."""
    reached: list[bool] = []

    async def inner(scope: dict, receive: object, send: object) -> None:
        reached.append(True)

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": PNG, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/_upload", "query_string": b"",
             "headers": [(b"reflex-client-token", b"tab-1"), (b"transfer-encoding", b"chunked"),
                         (b"cookie", f"sid={desk['cleo']}".encode())]}
    await api.guard_uploads(inner)(scope, receive, send)
    assert not reached
    assert sent[0]["status"] == 411
