"""The domain package stays pure: importing all of it pulls in no framework or database."""

from __future__ import annotations

import json
import subprocess
import sys

from reserve_app.settings import ROOT

FORBIDDEN = ("reflex", "sqlmodel", "sqlalchemy", "stripe")

PROBE = """
import importlib, json, pkgutil, sys
import reserve_app.domain as domain
names = [m.name for m in pkgutil.walk_packages(domain.__path__, domain.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def test_domain_imports_no_framework_or_database_library() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert {"reserve_app.domain.accounts", "reserve_app.domain.errors",
            "reserve_app.domain.outbox", "reserve_app.domain.throttle"} <= set(report["modules"])
    leaked = sorted(
        name for name in report["loaded"]
        if name.split(".")[0] in FORBIDDEN or name.split(".")[0].startswith("reflex")
    )
    assert leaked == [], f"reserve_app.domain imported {leaked}"
