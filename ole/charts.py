"""Small charts drawn on the server as SVG, for the admin: bars or a line over a run of weeks, and the same numbers
as a table. Only the coordinates are computed here; `templates/admin/includes/chart.html` draws them. No script and
no chart package: the page reads the same with JavaScript off, and the colours come from the admin's CSS variables,
so the charts follow its light and dark themes."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

# The drawing's own units (viewBox): about a phone's width, so its text keeps its size there; wider screens scale it.
WIDTH, HEIGHT = 360, 230
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 32, 48
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
MAX_TICKS = 4  # intervals on the value axis
NO_VALUE = "—"


@dataclass(frozen=True)
class Line:
    """One series of a chart: its name, how it is drawn (a CSS class: `filled` or `outline` bars, `line`) and one
    value per week (None: nothing to show that week, e.g. a median of no replies)."""

    label: str
    style: str
    values: list[float | None]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    style: str
    title: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    title: str


@dataclass(frozen=True)
class Key:
    """A legend entry, drawn as a swatch of the series' style and its name."""

    x: float
    label: str
    style: str


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    x_label: str
    y_label: str
    lines: list[Line]
    weeks: list[datetime.date]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right_edge: int = WIDTH - RIGHT
    baseline: int = BASELINE
    value_ticks: list[Tick] = field(default_factory=list)
    week_ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)

    @property
    def x_label_x(self) -> float:
        return LEFT + PLOT_WIDTH / 2

    @property
    def x_label_y(self) -> int:
        return HEIGHT - 6

    @property
    def y_label_x(self) -> int:
        return 12

    @property
    def y_label_y(self) -> float:
        return TOP + PLOT_HEIGHT / 2

    @property
    def rows(self) -> list[tuple[datetime.date, list[str]]]:
        """The table: each week and its values as shown."""
        return [(week, [show(line.values[n]) for line in self.lines]) for n, week in enumerate(self.weeks)]


def show(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def scale(top: float) -> tuple[float, float]:
    """The value axis: (its top, the step between ticks). Steps of 1, 2 or 5 times a power of ten, never below 1,
    at most MAX_TICKS of them; an empty chart still gets an axis from 0 to 1."""
    step = 1.0
    while step * MAX_TICKS < top:
        for factor in (2, 2.5, 2):  # 1, 2, 5, 10, 20, 50...
            step *= factor
            if step * MAX_TICKS >= top:
                break
    return max(math.ceil(top / step), 1) * step, step


def _round(value: float) -> float:
    return round(value, 1)


def _frame(chart: Chart) -> tuple[float, float]:
    """Ticks on both axes; returns the width of one week's slot and the height of one unit."""
    values = [value for line in chart.lines for value in line.values if value is not None]
    top, step = scale(max(values, default=0))
    unit = PLOT_HEIGHT / top
    chart.value_ticks = [Tick(_round(BASELINE - n * step * unit), show(n * step)) for n in range(round(top / step) + 1)]
    slot = PLOT_WIDTH / len(chart.weeks)
    # Every other week is named, counted back from the latest, so that this week always has its label.
    last = len(chart.weeks) - 1
    chart.week_ticks = [
        Tick(_round(LEFT + (n + 0.5) * slot), f"{week.day} {week:%b}")
        for n, week in enumerate(chart.weeks)
        if (last - n) % 2 == 0
    ]
    if len(chart.lines) > 1:  # a single line is named by the chart's title
        chart.keys = [Key(LEFT + n * 150, line.label, line.style) for n, line in enumerate(chart.lines)]
    return slot, unit


def weekly_bars(
    *, slug: str, title: str, description: str, y_label: str, weeks: list[datetime.date], lines: list[Line]
) -> Chart:
    """Side-by-side bars for each week, one per series."""
    chart = Chart(slug, title, description, "Week starting (Monday)", y_label, lines, weeks)
    slot, unit = _frame(chart)
    width = slot * 0.8 / len(lines)
    for n, week in enumerate(weeks):
        for i, line in enumerate(lines):
            value = line.values[n] or 0
            chart.bars.append(
                Bar(
                    x=_round(LEFT + n * slot + slot * 0.1 + i * width),
                    y=_round(BASELINE - value * unit),
                    width=_round(width),
                    height=_round(value * unit),
                    style=line.style,
                    title=f"Week of {week.day} {week:%b}: {show(value)} {line.label.lower()}",
                )
            )
    return chart


def weekly_line(
    *, slug: str, title: str, description: str, y_label: str, weeks: list[datetime.date], line: Line
) -> Chart:
    """A line through each week's value, broken where a week has none, with the value beside each point."""
    chart = Chart(slug, title, description, "Week starting (Monday)", y_label, [line], weeks)
    slot, unit = _frame(chart)
    run: list[str] = []
    for n, week in enumerate(weeks):
        value = line.values[n]
        if value is None:
            if run:
                chart.paths.append(" ".join(run))
            run = []
            continue
        x, y = _round(LEFT + (n + 0.5) * slot), _round(BASELINE - value * unit)
        chart.points.append(Point(x, y, show(value), f"Week of {week.day} {week:%b}: {show(value)}"))
        run.append(f"{'M' if not run else 'L'}{x} {y}")
    if run:
        chart.paths.append(" ".join(run))
    return chart
