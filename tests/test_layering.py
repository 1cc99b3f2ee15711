"""What `lint-imports` (pyproject.toml, [tool.importlinter]) cannot say on its own: the views and the API may name
the models' enums and constants (an `ignore_imports` edge of the `pages-reach-models-through-services` contract)
but never a model class, never `Model.objects`, and never Django's querying helpers."""

import ast
import importlib
import inspect
import tomllib
from pathlib import Path

import pytest
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "tickets" / "views").glob("*.py")), *sorted((ROOT / "tickets" / "api").glob("*.py"))]
#: the API's forms: like tickets/forms, they may name models (choices of a model's nested enum)
FORMS = {"tickets.api.serializers", "tickets.api.serializers_more"}


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _runtime_imports(tree: ast.Module, package: str) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of each ``from … import …`` outside ``if TYPE_CHECKING:``, relative ones resolved."""
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in skipped:
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            found.append((module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import) and id(node) not in skipped:
            found.extend((alias.name, []) for alias in node.names)
    return found


def _allowed_edges() -> list[tuple[str, str]]:
    edges = [
        tuple(part.strip() for part in e.split("->"))
        for e in _contract("pages-reach-models-through-services")["ignore_imports"]
    ]
    return [(importer, imported) for importer, imported in edges if importer not in FORMS]


@pytest.mark.parametrize(("importer", "imported"), _allowed_edges())
def test_pages_name_only_enums_and_constants_of_the_models(importer, imported):
    path = ROOT / Path(*importer.split(".")).with_suffix(".py")
    package = importer.rpartition(".")[0]
    names = [
        n for module, ns in _runtime_imports(ast.parse(path.read_text()), package) if module == imported for n in ns
    ]
    assert names, f"{importer} no longer imports {imported}: drop the edge from ignore_imports"
    target = importlib.import_module(imported)
    for name in names:
        value = getattr(target, name)
        is_model = inspect.isclass(value) and issubclass(value, models.Model | models.Manager | models.QuerySet)
        assert not is_model, f"{importer} imports the model {name}: reach it through a selector or a service"
        assert not inspect.isfunction(value), f"{importer} imports {name} from {imported}: call a service instead"


@pytest.mark.parametrize("path", PAGES, ids=_module_name)
def test_pages_neither_query_nor_use_managers(path):
    tree = ast.parse(path.read_text())
    imports = _runtime_imports(tree, _module_name(path).rpartition(".")[0])
    querying = [
        m for m, names in imports if m.startswith("django.db.models") or (m == "django.db" and "models" in names)
    ]
    assert not querying, f"{_module_name(path)} imports Django's querying helpers: move the query into a selector"
    managers = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "objects"]
    assert not managers, f"{_module_name(path)} uses Model.objects (lines {managers}): use a selector or a service"
