"""``make audit`` (.ci/audit.py) fails on a known vulnerability and never passes silently.

pip-audit itself is replaced by a fake that replays canned reports, so these tests need no
network (on machines without one, the real audit can check nothing and says so loudly).
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "audit.py"

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "jinja2",
            "version": "2.11.2",
            "vulns": [
                {
                    "id": "GHSA-h5c8-rqwp-cp95",
                    "fix_versions": ["3.1.3"],
                    "aliases": ["CVE-2024-22195"],
                    "description": "xmlattr filter allows keys with spaces",
                }
            ],
        },
    ],
    "fixes": [],
}
CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
ALL_SKIPPED = {
    "dependencies": [
        {
            "name": "django",
            "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)",
        }
    ],
    "fixes": [],
}
PARTLY_SKIPPED = {"dependencies": CLEAN["dependencies"] + ALL_SKIPPED["dependencies"]}
UNREACHABLE = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
    "Max retries exceeded with url: /v1/query (Caused by NameResolutionError(...))"
)

FAKE_PIP_AUDIT = textwrap.dedent(
    """
    import os, sys
    output = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--output="))
    if os.environ.get("FAKE_REPORT"):
        with open(output, "w") as handle:
            handle.write(os.environ["FAKE_REPORT"])
    sys.stderr.write(os.environ.get("FAKE_STDERR", ""))
    sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
    """
)


def audit(tmp_path, *, report=None, stderr="", exit_code=0, strict=False):
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(FAKE_PIP_AUDIT)
    env = {
        "PATH": "/usr/bin:/bin",
        "FAKE_REPORT": json.dumps(report) if report is not None else "",
        "FAKE_STDERR": stderr,
        "FAKE_EXIT": str(exit_code),
        "AUDIT_STRICT": "1" if strict else "0",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--pip-audit", f"{sys.executable} {fake}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("strict", [False, True])
def test_a_known_vulnerability_fails_the_audit(tmp_path, strict):
    result = audit(tmp_path, report=VULNERABLE, exit_code=1, strict=strict)
    assert result.returncode == 1
    assert "jinja2 2.11.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in result.stderr


def test_a_clean_report_passes(tmp_path):
    result = audit(tmp_path, report=CLEAN, strict=True)
    assert result.returncode == 0
    assert "OK: 1 packages audited" in result.stdout


@pytest.mark.parametrize(
    "canned",
    [
        {"report": ALL_SKIPPED},  # a mirror without PyPI's JSON API: every package skipped
        {"stderr": f"Traceback ...\n{UNREACHABLE}\n", "exit_code": 1},  # no network at all
    ],
    ids=["every-package-skipped", "service-unreachable"],
)
def test_nothing_audited_is_a_loud_warning_and_fails_only_when_strict(tmp_path, canned):
    relaxed = audit(tmp_path, **canned)
    assert relaxed.returncode == 0
    assert "NOTHING WAS AUDITED" in relaxed.stderr
    assert "OK:" not in relaxed.stdout
    strict = audit(tmp_path, strict=True, **canned)
    assert strict.returncode == 1
    assert "NOTHING WAS AUDITED" in strict.stderr


def test_packages_left_unaudited_are_named_and_fail_when_strict(tmp_path):
    relaxed = audit(tmp_path, report=PARTLY_SKIPPED)
    assert relaxed.returncode == 0
    assert "1 packages were not audited" in relaxed.stderr
    assert "django (5.2.19)" in relaxed.stderr
    assert audit(tmp_path, report=PARTLY_SKIPPED, strict=True).returncode == 1


def test_pip_audit_failing_for_another_reason_always_fails(tmp_path):
    result = audit(tmp_path, stderr="ValueError: bad requirement\n", exit_code=1)
    assert result.returncode == 2
    assert "bad requirement" in result.stderr


def test_pip_audit_is_pinned_in_the_dev_extra():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"pip-audit==' in pyproject
