"""Unexpected errors in handlers: logged with context, the user sees a generic message."""

from __future__ import annotations

import json
import logging

import pytest


def test_unexpected_error_is_logged_and_shown_generically(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    from reserve_app.reserve_app import backend_error

    try:
        raise RuntimeError("database password is hunter2")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="reserve_app"):
            spec = backend_error(exc)

    shown = json.dumps([str(v) for v in spec.args], ensure_ascii=False)
    assert "Something went wrong on our side" in shown
    assert "hunter2" not in shown and "Traceback" not in shown
    logged = caplog.text
    assert "RuntimeError: database password is hunter2" in logged
    assert "Traceback" in logged
