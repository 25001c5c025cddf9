"""The trends line chart, laid out in SVG units like reports.charts (whose pause bar chart the
dashboard reuses as it is); the page shows the same medians in a table beside it."""

from dataclasses import dataclass, field
from datetime import date

from progressions.models import Framework
from reports.charts import SpreadChart, Tick, spread_chart

from .filters import Scope
from .queries import Positions, ProgressionPauses, pauses_by_progression


def pause_sections(viewer, scope: Scope, progressions: list[Framework]) -> list[tuple[ProgressionPauses, SpreadChart]]:
    """Per progression seen: its classrooms' pauses and top next moves, with their bar chart: the
    dashboard's pause page and a walk's debrief alike. One query. (spread_chart counts a list of
    pauses; a mapping of pause -> classrooms counts the same, as a Counter.)"""
    found = pauses_by_progression(viewer, scope, progressions)
    return [(p, spread_chart(f"pauses-{p.framework.slug}", p.framework.name, p.pauses, p.texts)) for p in found]


@dataclass
class Point:
    x: float
    y: float
    title: str

    @property
    def corner(self) -> tuple[float, float]:
        """Top left of the 8-unit square that marks a campus's month."""
        return round(self.x - 4, 1), round(self.y - 4, 1)


@dataclass
class TrendLine:
    label: str
    kind: str  # "district" draws a solid line, "campus" a dashed one
    points: str
    marks: list[Point]


@dataclass
class Level:
    """A labelled height on the y axis: each phase's first action, and every action in place."""

    y: float
    label: str

    @property
    def label_y(self) -> float:
        return self.y + 4


@dataclass
class TrendChart:
    element_id: str
    title: str
    description: str = ""
    lines: list[TrendLine] = field(default_factory=list)
    levels: list[Level] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = 640
    height: int = 240
    left: int = 118
    right: int = 628
    top: int = 12
    bottom: int = 204

    @property
    def tick_y(self) -> int:
        return self.bottom + 18

    @property
    def axis_label_x(self) -> int:
        return self.left - 6


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def trend_chart(
    element_id: str, title: str, positions: Positions, months: list[date], series: list[tuple[str, str, dict[date, float]]]
) -> TrendChart | None:
    """`series`: (label, kind, month -> median position). Months without walkthroughs break no line:
    the line joins the months that have them."""
    if not months or not any(values for _label, _kind, values in series):
        return None
    chart = TrendChart(element_id, title)
    span = max(positions.everything - 1, 1)
    inner_left, inner_right = chart.left + 10, chart.right - 10

    def x(index: int) -> float:
        if len(months) == 1:
            return (inner_left + inner_right) / 2
        return round(inner_left + index / (len(months) - 1) * (inner_right - inner_left), 1)

    def y(position: float) -> float:
        return round(chart.bottom - (position - 1) / span * (chart.bottom - chart.top), 1)

    chart.levels = [Level(y(position), label) for position, label in positions.phase_starts]
    chart.levels.append(Level(y(positions.everything), "All in place"))
    step = max(1, len(months) // 6)  # at most about seven month labels along the bottom
    for index in range(0, len(months), step):
        chart.ticks.append(Tick(x(index), month_label(months[index])))
    sentences = []
    for label, kind, values in series:
        marks = [
            Point(x(i), y(values[month]), f"{label}, {month_label(month)}: median {values[month]:g}")
            for i, month in enumerate(months)
            if month in values
        ]
        if not marks:
            continue
        chart.lines.append(TrendLine(label, kind, " ".join(f"{m.x},{m.y}" for m in marks), marks))
        sentences.append(f"{label}: " + ", ".join(f"{month_label(m)} {values[m]:g}" for m in months if m in values) + ".")
    chart.description = f"{title}: median pause position per month (Foundation 1 is 1). " + " ".join(sentences)
    return chart
