"""Layer rules import-linter cannot state: the pure rules never touch the ORM, and project modules
import each other at module top (an import inside a function hides a cycle from the reader; see
.importlinter for the contracts `make lint` checks)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "geo", "media_store", "issues", "dashboard", "open311", "alerts", "demo", "opencity"]
FIRST_PARTY = set(APPS)
ORM = ("django.db", "django.contrib.gis.db", "django.contrib.postgres")


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module


def _python_files(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(_python_files("issues/rules")) + [ROOT / "issues" / "events.py"], ids=str)
def test_the_rules_never_import_the_orm(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    touched = [name for _, name in _imports(tree) if name.startswith(ORM) or name.endswith(".models")]
    assert touched == []


def _function_level_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node, name in _imports(function):
            if name.split(".")[0] in FIRST_PARTY:
                found.append((node.lineno, name))
    return found


# Where a late import is the idiom, not a dodge: settings read the environment before apps load, and
# an AppConfig registers its checks when the app registry is ready.
ALLOWED = {
    ("opencity/settings/local.py", "opencity.localdb"),
    ("media_store/apps.py", "media_store"),
    ("alerts/apps.py", "alerts"),
    ("dashboard/apps.py", "dashboard"),  # connects the receiver that keeps the aggregates current
}


def test_project_modules_import_each_other_at_module_top():
    late = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in _python_files(*APPS)
        for line, name in _function_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        if (str(path.relative_to(ROOT)), name) not in ALLOWED
    ]
    assert late == []
