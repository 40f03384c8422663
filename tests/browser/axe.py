"""axe-core (the npm package pinned in package.json) run inside pages the browser tests open.

The engine is injected with `page.evaluate` of its source: Playwright evaluates through the
DevTools protocol, which a page's Content-Security-Policy does not govern, so the check keeps
working under `script-src 'self'` (a `<script>` tag added to the page would be refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# What fails a page: WCAG 2.1 A/AA and axe's best practices, at these impacts.
FAILING_IMPACTS = ("serious", "critical")

# Markup that is not ours to change: axe rule id -> (CSS selector of the elements that rule skips,
# the reason). Everything else on every page is checked by every rule.
SWAGGER_UI = (
    "#swagger-ui",
    "Swagger UI's own rendering of the OpenAPI schema at /api/docs/ (drf-spectacular-sidecar's bundle), "
    "for integrators; its markup and colours are the library's",
)
LIBRARY_EXCLUSIONS: dict[str, tuple[str, str]] = {
    "color-contrast": SWAGGER_UI,
    "nested-interactive": SWAGGER_UI,
}


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(
            f"{AXE_JS} is missing: the browser tests need the Node packages (`npm ci`, which "
            "scripts/bootstrap.sh dev runs)."
        )
    return AXE_JS.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Violation:
    page: str  # what was checked: "<actor> <path>" or a step's name
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:6]) + (f" … (+{len(self.targets) - 6})" if len(self.targets) > 6 else "")
        return f"{self.page}: {self.rule} [{self.impact}] {self.help} — {shown}"


def axe_check(page, label: str) -> list[Violation]:
    """Run axe-core on the page as it is now; the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """async (skip) => {
            const result = await window.axe.run(document, {resultTypes: ['violations'], elementRef: true});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes
                    .filter(n => !(skip[v.id] && n.element && n.element.closest(skip[v.id])))
                    .map(n => n.target.join(' ')),
            })).filter(v => v.targets.length);
        }""",
        {rule: selector for rule, (selector, _reason) in LIBRARY_EXCLUSIONS.items()},
    )
    return [
        Violation(page=label, rule=v["id"], impact=v["impact"], help=v["help"], targets=tuple(v["targets"]))
        for v in results
        if v["impact"] in FAILING_IMPACTS
    ]


def assert_accessible(page, label: str) -> None:
    """Fail with every serious or critical violation on the page, one a line."""
    violations = axe_check(page, label)
    assert not violations, "axe-core found:\n" + "\n".join(str(v) for v in violations)
