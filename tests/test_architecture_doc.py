"""docs/architecture.md matches the tree: every path it names exists, and every module of ``tickets/`` and of
``brands/services/`` is named in it, so a module added, moved or removed without its line fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
#: where a path written in the doc may start: the repository, or tickets/ (the flows write ``services/inbound.py``)
BASES = (ROOT, ROOT / "tickets")
LINK = re.compile(r"\]\(([^)\s]+)\)")
#: a path: segments with a slash, ending in a file with an extension or in a slash (a folder); never part of a URL
PATH = re.compile(r"(?<![\w/.:<>-])((?:[\w.-]+/)+(?:[\w.-]+\.(?:py|md|html|css|js|toml|txt|yaml|po|svg))?)(?![\w<>])")
FILE = re.compile(r"(?<![\w/.<>-])([\w.-]+\.py)(?![\w<>])")
HEAD = re.compile(r"^([\w.-]+/(?:[\w.-]+/)*)\s")


def _text() -> str:
    return DOC.read_text()


def _layout_block(text: str) -> str:
    section = text.split("## Layout", 1)[1]
    return section.split("```text", 1)[1].split("```", 1)[0]


def _layout_paths(text: str) -> set[Path]:
    """The Layout block: a line that starts with a folder sets the folder; the files and folders on it and on the
    lines below it are in that folder (or, for a path like ``docs/sla.md``, in the repository)."""
    found: set[Path] = set()
    folder = ROOT
    for line in _layout_block(text).splitlines():
        head = HEAD.match(line)
        if head:
            folder = ROOT / head.group(1)
            found.add(folder)
            line = line[head.end() :]
        for name in [*FILE.findall(line), *PATH.findall(line)]:
            if (ROOT / name).exists() and "/" in name:
                found.add(ROOT / name)
            else:
                found.add(folder / name)
    return found


def _named_paths(text: str) -> set[Path]:
    """Every path written outside the Layout block, resolved against the repository or tickets/."""
    rest = text.replace(_layout_block(text), "")
    found: set[Path] = set()
    for name in PATH.findall(LINK.sub("", rest)):
        found.add(next((base / name for base in BASES if (base / name).exists()), ROOT / name))
    return found


def _links(text: str) -> list[Path]:
    targets = [t.split("#")[0] for t in LINK.findall(text) if "://" not in t and not t.startswith("#")]
    return [DOC.parent / t for t in targets if t]


def test_every_path_the_doc_names_exists():
    text = _text()
    missing = sorted(
        str(p.relative_to(ROOT)) for p in _layout_paths(text) | _named_paths(text) | set(_links(text)) if not p.exists()
    )
    assert missing == [], f"docs/architecture.md names paths that do not exist: {missing}"


def _modules() -> list[Path]:
    modules = []
    for top in (ROOT / "tickets", ROOT / "brands" / "services"):
        for path in sorted(top.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if path.name == "__init__.py":
                if path.read_text().strip():  # a package with code of its own: its folder is named
                    modules.append(path.parent)
                continue
            modules.append(path)
    return modules


def test_every_module_of_tickets_and_brand_services_is_named():
    text = _text()
    named = {p.resolve() for p in _layout_paths(text) | _named_paths(text)}
    unnamed = [str(m.relative_to(ROOT)) for m in _modules() if m.resolve() not in named]
    assert unnamed == [], f"add these modules to docs/architecture.md (Layout): {unnamed}"


def test_the_doc_cites_nothing_outside_the_repository():
    text = _text()
    for outside in ("../shared", "DESIGN.md", "STYLE.md", "DESIGN §"):
        assert outside not in text


def test_the_checks_would_catch_a_missing_module_and_a_wrong_path():
    text = _text()
    assert ROOT / "tickets" / "services" / "inbound.py" in _layout_paths(text)
    changed = text.replace("inbound.py (webhook", "inbound_gone.py (webhook", 1)
    assert ROOT / "tickets" / "services" / "inbound.py" not in _layout_paths(changed)
    assert not (ROOT / "tickets" / "services" / "inbound_gone.py").exists()
    assert ROOT / "tickets" / "services" / "inbound_gone.py" in _layout_paths(changed)
