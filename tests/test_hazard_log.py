"""docs/hazard-log.md names the test proving each control: each named test must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_hazard_log_names_exists():
    log = (ROOT / "docs" / "hazard-log.md").read_text()
    references = [ref for ref in REFERENCE.findall(log) if ref[0] != "tests/path.py"]
    assert len(references) > 40
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).exists() or f"def {name}(" not in (ROOT / path).read_text()
    ]
    assert missing == []
