"""The tracked reflex.lock/ files are committed in the form Reflex writes them, so a build
(`make run`, `reflex export`, the e2e app) leaves a fresh checkout clean."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reflex import constants
from reflex.utils import frontend_skeleton

ROOT = Path(__file__).resolve().parents[2]
LOCK_DIR = ROOT / constants.Bun.ROOT_LOCKFILE_DIR


def test_package_json_is_byte_for_byte_what_reflex_renders() -> None:
    """Reflex renders .web/package.json from the persisted copy and copies it back as is."""
    committed = (LOCK_DIR / constants.PackageJson.PATH).read_text()
    here = Path.cwd()
    os.chdir(ROOT)  # Reflex reads reflex.lock/ relative to the working directory
    try:
        rendered = frontend_skeleton._compile_package_json()
    finally:
        os.chdir(here)
    assert committed == rendered, (
        "reflex.lock/package.json differs from what Reflex writes back after a build; "
        "commit the file as Reflex writes it (one line, no trailing newline)")


def test_package_json_already_has_the_framework_overrides() -> None:
    """Otherwise the build merges them in and rewrites the file."""
    persisted = json.loads((LOCK_DIR / constants.PackageJson.PATH).read_text())
    overrides = persisted.get("overrides") or {}
    for name, version in constants.PackageJson.OVERRIDES.items():
        assert overrides.get(name) == version, name
