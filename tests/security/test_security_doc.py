"""docs/security.md names, for each protection, the file that implements it and the test that proves it: every
file and every test it names exists, so the threat model cannot drift from the code."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = (ROOT / "docs" / "security.md").read_text()
#: `path.py::test_name` or `::test_name` (the same file as the last one named), with an optional [case]
REFERENCE = re.compile(r"`((?:tests|brands|tickets|smrc)/[\w/]+\.py)?::(test_\w+)(?:\[[\w-]+\])?`")
FILE = re.compile(r"`((?:brands|tickets|smrc)/[\w/]+\.py)")


def named_tests() -> list[tuple[str, str]]:
    found, current = [], None
    for match in REFERENCE.finditer(DOC):
        current = match.group(1) or current
        found.append((current, match.group(2)))
    return found


def test_the_threat_model_names_tests_that_exist():
    tests = named_tests()
    assert len(tests) > 60
    missing = [
        f"{path}::{name}" for path, name in tests if not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []


def test_the_threat_model_names_files_that_exist():
    assert [path for path in FILE.findall(DOC) if not (ROOT / path).is_file()] == []


def test_the_readme_links_the_threat_model():
    assert "(docs/security.md)" in (ROOT / "README.md").read_text()
