"""media_store is a leaf: it never imports issues or geo, and its domain code never imports its API."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "media_store"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_media_store_imports_neither_issues_nor_geo():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in {"issues", "geo"})
        for path in ROOT.rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_domain_code_does_not_import_the_api_layer():
    domain = [p for p in ROOT.rglob("*.py") if "api" not in p.relative_to(ROOT).parts]

    def touches_api(module: str) -> bool:
        return ".api" in module or module.startswith("rest_framework")

    assert [str(p) for p in domain if any(touches_api(m) for m in imported_modules(p))] == []
