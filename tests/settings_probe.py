"""Read settings as a fresh process sees them under a given environment (and nothing of the tests' own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_from(tmp_path: Path, code: str, **env: str) -> str:
    """Run `code` after django.setup() with `settings` and `json` imported; return what it printed."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django, json; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "ole.settings",
            "DEBUG": "1",
            "DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
