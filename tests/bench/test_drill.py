"""The fault drill (bench/drill, `make drill`) at its short size: real worker, beats,
gunicorn, and a private Postgres and Redis that it kills and restarts. The slow one."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_short_fault_drill_passes_every_scenario():
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "bench.drill", "--short"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert result.stdout.count("| pass |") == 5
