"""Charts as SVG made on the server: no JavaScript, nothing to install, the same picture on a
phone, on a projector and on paper. Each chart scales to its container (viewBox), has a title and
a description for screen readers, and sits next to the table with the same numbers.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
and every series is also named in a legend, never told by colour alone.

The drawing functions know nothing of the dashboard; `dashboard_charts` at the end picks what the
dashboard shows from its figures (as exports.dashboard_tables does for the tables).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from dashboard.selectors import Dashboard, dashboard_outline

PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#332288",
    "#999999",
    "#882255",
    "#117733",
    "#000000",
]
# The heat map's shades, fewest reports first: three steps of one hue, the lightest still 3:1
# against the white map (WCAG's minimum for graphics), so a square with one report is seen.
HEAT_COLOURS = ("#e6550d", "#a63603", "#6b1d00")


def heat_colour(issues: int, maximum: int) -> str:
    """The shade of a heat-map square with `issues` reports, when the busiest has `maximum`."""
    if not maximum:
        return HEAT_COLOURS[0]
    step = min(len(HEAT_COLOURS) - 1, int(len(HEAT_COLOURS) * issues / maximum - 1e-9))
    return HEAT_COLOURS[max(step, 0)]


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    colour: str


def _nice_ceiling(value: float) -> float:
    """A round number at or above `value` for the top of an axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _svg(width: int, height: int, title: str, description: str, body: list[str], chart_id: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{FONT}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _legend(series: Sequence[Series], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend entries flowing in rows; returns the elements and the height used."""
    body, cursor_x, cursor_y = [], x, y
    for item in series:
        entry_width = 26 + 10.5 * len(item.label)
        if cursor_x + entry_width > x + width and cursor_x > x:
            cursor_x, cursor_y = x, cursor_y + 28
        body.append(f'<rect x="{cursor_x:.1f}" y="{cursor_y:.1f}" width="18" height="18" fill="{item.colour}"/>')
        body.append(f'<text x="{cursor_x + 24:.1f}" y="{cursor_y + 15:.1f}" font-size="18">{escape(item.label)}</text>')
        cursor_x += entry_width + 14
    return body, cursor_y - y + 28


def stacked_columns(
    *, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], description: str
) -> str:
    """Columns per category (e.g. weeks) stacked by series (e.g. category groups), totals on top."""
    width, left, right, top = 640, 48, 8, 24
    legend, legend_height = _legend(series, left, 0, width - left - right)
    plot_height = 260
    height = top + plot_height + 44 + legend_height + 8
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ceiling = _nice_ceiling(max(totals, default=0))
    slot = (width - left - right) / max(len(categories), 1)
    bar = min(slot * 0.7, 90)
    body = []
    for step in range(5):
        value = ceiling * step / 4
        y = top + plot_height - plot_height * step / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dde3"/>')
        body.append(f'<text x="{left - 6}" y="{y + 6:.1f}" font-size="18" text-anchor="end">{value:g}</text>')
    label_every = max(1, round(len(categories) / 6))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        base = top + plot_height
        for item in series:
            value = item.values[i]
            if value <= 0:
                continue
            h = plot_height * value / ceiling
            base -= h
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{item.colour}">'
                f"<title>{escape(category)} · {escape(item.label)}: {value:g}</title></rect>"
            )
        if totals[i] and len(categories) <= 14:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - 6:.1f}" font-size="18" font-weight="600" '
                f'text-anchor="middle">{totals[i]:g}</text>'
            )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_height + 26}" font-size="18" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" y2="{top + plot_height}" stroke="#1d232a"/>'
    )
    body.append(f'<g transform="translate(0 {top + plot_height + 44})">{"".join(legend)}</g>')
    return _svg(width, height, title, description, body, chart_id)


def _label_lines(label: str, width: int = 36, most: int = 2) -> list[str]:
    """A bar's name on at most two lines that fit the chart's width, cut with "…" beyond."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], textwrap.shorten(" ".join(lines[most - 1 :]), width, placeholder="…")]
    return lines


def paired_bars(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    first: Series,
    second: Series,
    description: str,
    unit: str = "",
    maximum: float | None = None,
) -> str:
    """Horizontal bars, two per label (e.g. planned and spent, answered and fixed on time).

    Each label has a line of its own above its bars, starting at the left edge: a name beside
    the bars had to be right-aligned into a narrow column and lost its first letters, and on a
    phone the whole chart shrinks, so the names get the full width instead."""
    width, right = 640, 110
    line_height, bar_height, gap = 26, 24, 18
    wrapped = [_label_lines(label) for label in labels]
    legend, legend_height = _legend([first, second], 0, 0, width)
    ceiling = maximum or _nice_ceiling(max([*first.values, *second.values], default=0))
    span = width - right
    body = [f"<g>{''.join(legend)}</g>"]
    y = legend_height + 12
    for i, (label, lines) in enumerate(zip(labels, wrapped, strict=True)):
        spans = "".join(
            f'<tspan x="0" dy="{0 if n == 0 else line_height}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        body.append(
            f'<text x="0" y="{y + 20}" font-size="21" font-weight="600"><title>{escape(label)}</title>{spans}</text>'
        )
        bars_top = y + line_height * len(lines) + 4
        for j, item in enumerate((first, second)):
            value = item.values[i]
            bar_width = span * min(value or 0, ceiling) / ceiling if ceiling else 0
            bar_y = bars_top + j * (bar_height + 4)
            body.append(f'<rect x="0" y="{bar_y}" width="{bar_width:.1f}" height="{bar_height}" fill="{item.colour}"/>')
            text = "—" if value is None else f"{value:,.1f}".replace(",", " ").removesuffix(".0") + unit
            body.append(
                f'<text x="{bar_width + 6:.1f}" y="{bar_y + bar_height - 5}" font-size="20">{escape(text)}</text>'
            )
        y = bars_top + 2 * (bar_height + 4) + gap
    height = y
    return _svg(width, height, title, description, body, chart_id)


def share_bar(*, chart_id: str, title: str, parts: Sequence[Series], description: str) -> str:
    """One horizontal bar split into shares (e.g. confirmed, disputed, no answer, awaiting)."""
    width = 640
    total = sum(part.values[0] for part in parts)
    legend, legend_height = _legend(
        [Series(f"{p.label}: {p.values[0]:g}", p.values, p.colour) for p in parts], 0, 58, width
    )
    body, x = [], 0.0
    for part in parts:
        value = part.values[0]
        if not total or not value:
            continue
        w = width * value / total
        body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="48" fill="{part.colour}"/>')
        if w > 60:
            body.append(
                f'<text x="{x + w / 2:.1f}" y="31" font-size="18" font-weight="700" text-anchor="middle" '
                f'fill="#fff" stroke="#000" stroke-width=".6" paint-order="stroke">'
                f"{round(100 * value / total)} %</text>"
            )
        x += w
    body.extend(legend)
    return _svg(width, 58 + legend_height + 4, title, description, body, chart_id)


def heat_map(
    *,
    chart_id: str,
    title: str,
    outline,
    cells: Sequence,
    cell_m: int,
    spots: Sequence,
    description: str,
) -> str:
    """The territory with the grid cells shaded by reports and the problem spots numbered, in the
    metric projection (for the printable summary; the page has the interactive map)."""
    if outline is None:
        return ""
    # Frame the reports (and a kilometre around them), or the whole territory when there are none.
    if cells:
        xs = [c.x for c in cells] + [c.x + cell_m for c in cells]
        ys = [c.y for c in cells] + [c.y + cell_m for c in cells]
        box = (min(xs), min(ys), max(xs), max(ys))
        pad = max(1000, 0.1 * max(box[2] - box[0], box[3] - box[1]))
    else:
        box, pad = (outline.min_x, outline.min_y, outline.max_x, outline.max_y), 200
    min_x, min_y = box[0] - pad, box[1] - pad
    span_x, span_y = box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad
    maximum = max((cell.issues for cell in cells), default=0)
    body = [f'<path d="{escape(outline.path)}" fill="#f6f7f9" stroke="#0b5394" stroke-width="{span_x / 400:.1f}"/>']
    for cell in cells:
        body.append(
            f'<rect x="{cell.x:.0f}" y="{-(cell.y + cell_m):.0f}" width="{cell_m}" height="{cell_m}" '
            f'fill="{heat_colour(cell.issues, maximum)}" fill-opacity="0.85" stroke="#3a1000" '
            f'stroke-width="{cell_m / 25:.0f}"><title>{cell.issues}</title></rect>'
        )
    radius = span_x / 45
    for spot in spots:
        body.append(
            f'<circle cx="{spot.x:.0f}" cy="{-spot.y:.0f}" r="{radius:.0f}" fill="#fff" stroke="#000" '
            f'stroke-width="{radius / 6:.0f}"/><text x="{spot.x:.0f}" y="{-spot.y + radius * 0.45:.0f}" '
            f'font-size="{radius * 1.3:.0f}" font-weight="700" text-anchor="middle">{spot.rank}</text>'
        )
    return (
        f'<svg class="chart map-chart" viewBox="{min_x:.0f} {-(min_y + span_y):.0f} {span_x:.0f} {span_y:.0f}" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" '
        f'font-family="{FONT}"><title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def dashboard_charts(*, dashboard: Dashboard, with_map: bool = False) -> dict[str, str]:
    """The dashboard's charts as SVG, by name (empty when there is nothing to draw); with the map
    of reports and problem spots for the printable summary."""
    trends, sla, budget, satisfaction = dashboard.trends, dashboard.sla, dashboard.budget, dashboard.satisfaction
    weeks = [week.strftime("%d.%m") for week in trends.weeks]
    colours = {s.group: PALETTE[i % len(PALETTE)] for i, s in enumerate(trends.series)}
    made = {
        "received": stacked_columns(
            chart_id="chart-received",
            title=_("Reports received per week"),
            description=_(
                "Reports received each week (Monday first), by category group; the table below has the numbers."
            ),
            categories=weeks,
            series=[Series(s.label, s.received, colours[s.group]) for s in trends.series],
        ),
        "resolved": stacked_columns(
            chart_id="chart-resolved",
            title=_("Fixes per week"),
            description=_("Issues marked as fixed each week (Monday first), by category group."),
            categories=weeks,
            series=[Series(s.label, s.resolved, colours[s.group]) for s in trends.series],
        ),
        "sla": paired_bars(
            chart_id="chart-sla",
            title=_("On time, % per executor"),
            description=_("For each executor, the share of answers and of fixes on time."),
            labels=[row.name for row in sla.rows],
            first=Series(_("Answered on time, %"), [row.answered_on_time_pct for row in sla.rows], "#0072B2"),
            second=Series(_("Fixed on time, %"), [row.fixed_on_time_pct for row in sla.rows], "#E69F00"),
            unit=" %",
            maximum=100,
        )
        if sla.rows
        else "",
        "satisfaction": share_bar(
            chart_id="chart-satisfaction",
            title=_("Reporters' answers to fixes"),
            description=_("Of the fixes made in the period: confirmed, disputed, closed without an answer, awaiting."),
            parts=[
                Series(_("Confirmed"), [satisfaction.confirmed], "#009E73"),
                Series(_("Disputed"), [satisfaction.disputed], "#D55E00"),
                Series(_("No answer (closed)"), [satisfaction.no_answer], "#999999"),
                Series(_("Awaiting the answer"), [satisfaction.awaiting], "#56B4E9"),
            ],
        )
        if satisfaction.fixes
        else "",
        "budget": paired_bars(
            chart_id="chart-budget",
            title=_("Budget: planned and spent, UAH"),
            description=_("For each sector, the planned and the spent amount in hryvnias."),
            labels=[line.label for line in budget.sectors],
            first=Series(_("Planned"), [float(line.planned) for line in budget.sectors], "#0072B2"),
            second=Series(_("Spent"), [float(line.spent) for line in budget.sectors], "#009E73"),
        )
        if budget.sectors
        else "",
    }
    if with_map:
        made["map"] = heat_map(
            chart_id="chart-map",
            title=_("Where reports came from"),
            description=_("Reports received per square of %(m)d m; numbered circles are the problem spots.")
            % {"m": dashboard.heat.cell_m},
            outline=dashboard_outline(filters=dashboard.filters),
            cells=dashboard.heat.cells,
            cell_m=dashboard.heat.cell_m,
            spots=dashboard.spots,
        )
    return made
