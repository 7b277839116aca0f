"""Answers that make the browser go somewhere: a real form POST (so a route can set or
clear the HttpOnly cookie), a download into a hidden frame, off to Stripe Checkout."""

from __future__ import annotations

import json

import anyio
import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.state.kit.feedback import error_toast
from reserve_app.state.kit.runtime import current_actor


def _hidden_inputs(fields: dict[str, str]) -> str:
    return "".join(
        "var i=document.createElement('input');i.type='hidden';"
        f"i.name={json.dumps(k)};i.value={json.dumps(v)};f.appendChild(i);"
        for k, v in fields.items()
    )


def post_to(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Navigate by a real form POST (so the route can set or clear the HttpOnly cookie)."""
    return rx.call_script(
        "(function(){var f=document.createElement('form');f.method='POST';"
        f"f.action={json.dumps(action)};{_hidden_inputs(fields)}"
        "document.body.appendChild(f);f.submit();})()"
    )


def download_by_post(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Download what a POST route answers (e.g. a CSV) without leaving the page: the form
    is sent into a hidden frame, so the page keeps its websocket and its state."""
    return rx.call_script(
        "(function(){var n='download-frame',t=document.getElementsByName(n)[0];"
        "if(!t){t=document.createElement('iframe');t.name=n;t.hidden=true;"
        "t.title='download';document.body.appendChild(t);}"
        "var f=document.createElement('form');f.method='POST';f.target=n;"
        f"f.action={json.dumps(action)};{_hidden_inputs(fields)}"
        "document.body.appendChild(f);f.submit();f.remove();})()"
    )


async def pay_online(state: rx.State, order_kind: str, order_id: int
                     ) -> rx.event.EventSpec | None:
    """After a payment was started: with Stripe, off to its Checkout page (same tab); with
    the manual provider nothing (staff approve the payment)."""
    from reserve_app.services.billing import payments

    actor = await current_actor(state)
    try:  # outside any transaction: the provider may call its API
        url = await anyio.to_thread.run_sync(lambda: payments.checkout_url(
            actor=actor, order_kind=order_kind, order_id=order_id))
    except DomainError as err:
        return await error_toast(state, err)
    return rx.call_script(f"window.location.assign({json.dumps(url)})") if url else None
