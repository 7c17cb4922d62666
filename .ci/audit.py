"""``make audit``: pip-audit over every package installed in .venv, and no silent pass.

pip-audit reports "No known vulnerabilities found" and exits 0 even when it could check
nothing: a PyPI mirror without the JSON API skips every package as "not found on PyPI", and
without network it crashes. So this script reads pip-audit's JSON and decides itself:

- a known vulnerability in an installed package: exit 1, naming package, version, id, fix;
- nothing could be audited (service unreachable, or every package skipped): a loud warning
  and exit 0, or exit 1 when ``AUDIT_STRICT=1`` (set it in a CI that has network);
- some packages skipped: a warning naming them (exit 1 under ``AUDIT_STRICT=1``);
- pip-audit failing for another reason: exit 2, whatever the mode.

It audits the environment it runs in (pip-audit's local mode, without resolving anything),
which is exactly what ``make install`` put there; the editable project itself is skipped.
Extra arguments go to pip-audit, e.g. ``--ignore-vuln GHSA-xxxx`` or ``-s osv``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

UNREACHABLE_MARKERS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "timed out",
    "Network is unreachable",
)
BANNER = "!" * 78


@dataclass
class Findings:
    vulnerable: list[dict] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_report(report: dict) -> Findings:
    """Sort pip-audit's JSON (``-f json``) into vulnerable, audited and skipped packages."""
    findings = Findings()
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        if "skip_reason" in dependency:
            findings.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        findings.audited.append(name)
        for vulnerability in dependency.get("vulns") or []:
            found = {"name": name, "version": dependency["version"]}
            findings.vulnerable.append(found | vulnerability)
    return findings


def warn_nothing_audited(reason: str) -> None:
    print(
        f"\n{BANNER}\n"
        "WARNING: NOTHING WAS AUDITED. No installed package was checked for known\n"
        "vulnerabilities, so this is NOT a pass.\n"
        f"Reason: {reason}\n"
        "Run `AUDIT_STRICT=1 make audit` where the vulnerability service (pypi.org's JSON API,\n"
        "or api.osv.dev with `make audit AUDIT_ARGS='-s osv'`) can be reached.\n"
        f"{BANNER}\n",
        file=sys.stderr,
    )


def decide(findings: Findings, *, strict: bool) -> int:
    """Print the verdict; return the exit status."""
    if findings.vulnerable:
        print(f"FAIL: {len(findings.vulnerable)} known vulnerabilities:", file=sys.stderr)
        for vulnerability in findings.vulnerable:
            fixes = ", ".join(vulnerability.get("fix_versions") or []) or "no fix released"
            print(
                f"  {vulnerability['name']} {vulnerability['version']}: {vulnerability['id']}"
                f" (fixed in: {fixes})",
                file=sys.stderr,
            )
        return 1
    if not findings.audited:
        warn_nothing_audited(
            f"all {len(findings.skipped)} packages were skipped, e.g. "
            + (findings.skipped[0] if findings.skipped else "(pip-audit listed no packages)")
        )
        return 1 if strict else 0
    if findings.skipped:
        print(f"WARNING: {len(findings.skipped)} packages were not audited:", file=sys.stderr)
        for line in findings.skipped:
            print(f"  {line}", file=sys.stderr)
        if strict:
            return 1
    print(f"OK: {len(findings.audited)} packages audited, no known vulnerabilities.")
    return 0


def run_pip_audit(command: list[str], extra: list[str]) -> tuple[dict | None, str]:
    """Run pip-audit; return its JSON report (None if it wrote none) and its stderr."""
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "pip-audit.json"
        completed = subprocess.run(  # noqa: S603 - our interpreter and fixed arguments
            [
                *command,
                "--skip-editable",
                "--progress-spinner=off",
                "--format=json",
                f"--output={output}",
                *extra,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        text = output.read_text() if output.exists() else ""
    return (json.loads(text) if text.strip() else None), completed.stderr


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pip-audit",
        default=f"{shlex.quote(sys.executable)} -m pip_audit",
        help="the pip-audit command (tests substitute a fake one)",
    )
    arguments, extra = parser.parse_known_args(argv)
    strict = os.environ.get("AUDIT_STRICT") == "1"
    report, stderr = run_pip_audit(shlex.split(arguments.pip_audit), extra)
    if report is None:
        if any(marker in stderr for marker in UNREACHABLE_MARKERS):
            last_line = stderr.strip().splitlines()[-1]
            warn_nothing_audited(f"the vulnerability service could not be reached ({last_line})")
            return 1 if strict else 0
        print(f"FAIL: pip-audit did not produce a report:\n{stderr}", file=sys.stderr)
        return 2
    return decide(read_report(report), strict=strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
