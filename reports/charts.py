"""Small inline SVG charts: laid out here in SVG units, drawn by templates that escape every text.

Each chart carries a one-sentence description for its <title>/<desc>, and the pages show the
same figures as text beside it, so a screen reader or a black-and-white print loses nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import dateformat, timezone

from observations.history import PHASE_LABELS, Stop, Track, pause_label, pause_position
PHASE_FILLS = {"foundation": "#dbe8f6", "differentiated": "#e3f0df", "personalized": "#f3e6f5", "": "#f1f1f1"}
BAR_FILLS = {"foundation": "#0b5cad", "differentiated": "#2e7d32", "personalized": "#7b3f8c", "": "#4a5361"}


def day(moment: datetime) -> int:
    return timezone.localdate(moment).toordinal()


def short_date(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y")


@dataclass
class Band:
    """A phase's rows on the timeline, shaded, with its name at the left."""

    label: str
    y: float
    height: float
    fill: str

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass
class Mark:
    x: float
    y: float
    title: str
    short: str  # printed beside the point: "F5", "D2", "All"

    @property
    def label_y(self) -> float:
        return round(self.y - 7, 1)

    @property
    def corner(self) -> tuple[float, float]:
        """Top left of the 8-unit square that marks a self-reflection."""
        return round(self.x - 4, 1), round(self.y - 4, 1)


@dataclass
class Line:
    kind: str  # coach or self: the template draws circles and a solid line, or squares and a dashed one
    label: str
    points: str
    marks: list[Mark]


@dataclass
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # the first and last date align with the chart's edges, so neither is cut off


@dataclass
class TimelineChart:
    element_id: str  # unique in the page: its <title> and <desc> are referenced by id
    title: str
    description: str
    bands: list[Band]
    lines: list[Line]
    ticks: list[Tick]
    width: int = 640
    height: int = 230
    left: int = 118
    right: int = 628
    top: int = 16  # room above the top row for a point's label
    bottom: int = 198

    @property
    def tick_y(self) -> int:
        return self.bottom + 18

    @property
    def tick_bottom(self) -> int:
        return self.bottom + 4

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def axis_label_x(self) -> int:
        return self.left - 6


def timeline_chart(
    element_id: str, title: str, slots: list[tuple[str, int]], tracks: list[Track]
) -> TimelineChart | None:
    """Where each track paused over time. `slots` are the progression's actions (phase, number) in order;
    pauses on actions since retired are placed among them by position."""
    stops = [stop for track in tracks for stop in track.stops]
    if not stops:
        return None
    chart = TimelineChart(element_id, title, "", [], [], [])
    rows = sorted({*slots, *((s.phase, s.number) for s in stops if s.number)}, key=lambda slot: pause_position(*slot))
    row_of = {slot: index for index, slot in enumerate(rows)}
    row_height = (chart.bottom - chart.top) / (len(rows) + 1)  # one more row on top: every action in place

    def y(stop: Stop) -> float:
        index = row_of[(stop.phase, stop.number)] if stop.number else len(rows)
        return round(chart.bottom - (index + 0.5) * row_height, 1)

    for phase, label in PHASE_LABELS.items():
        indexes = [i for i, (kind, _n) in enumerate(rows) if kind == phase]
        if indexes:
            low, high = min(indexes), max(indexes)
            top = chart.bottom - (high + 1) * row_height
            chart.bands.append(Band(label, round(top, 1), round((high - low + 1) * row_height, 1), PHASE_FILLS[phase]))
    chart.bands.append(Band("All in place", chart.top, round(row_height, 1), PHASE_FILLS[""]))

    # Days, not instants: two walkthroughs on one day share a point instead of spreading across the chart.
    moments = [m for stop in stops for m in (stop.first_seen, stop.last_seen)]
    start, end = min(moments), max(moments)
    first_day, span = day(start), day(end) - day(start)
    inner_left, inner_right = chart.left + 10, chart.right - 10

    def x(moment: datetime) -> float:
        if not span:
            return (inner_left + inner_right) / 2
        return round(inner_left + (day(moment) - first_day) / span * (inner_right - inner_left), 1)

    chart.ticks = [Tick(x(start), short_date(start), "start" if span else "middle")]
    if span:
        chart.ticks.append(Tick(x(end), short_date(end), "end"))

    sentences = []
    for track in tracks:
        if not track.stops:
            continue
        points, marks = [], []
        for stop in track.stops:
            points.append(f"{x(stop.first_seen)},{y(stop)}")
            if x(stop.last_seen) != x(stop.first_seen):
                points.append(f"{x(stop.last_seen)},{y(stop)}")
            short = f"{stop.phase[0].upper()}{stop.number}" if stop.number else "All"
            marks.append(Mark(x(stop.first_seen), y(stop), f"{stop.label}: {stop_dates(stop)}", short))
        chart.lines.append(Line(track.kind, track.label, " ".join(points), marks))
        sentences.append(f"{track.label}: " + ", then ".join(f"{s.label} ({stop_dates(s)})" for s in track.stops) + ".")
    chart.description = f"{title}: pauses over time. " + " ".join(sentences)
    return chart


def stop_dates(stop: Stop) -> str:
    """When a pause was found: one date, or the first and last of several walkthroughs in a row."""
    first, last = short_date(stop.first_seen), short_date(stop.last_seen)
    if stop.times == 1:
        return first
    return f"{first}, {stop.times} walkthroughs" if first == last else f"{first} to {last}, {stop.times} walkthroughs"


@dataclass
class Bar:
    label: str
    count: int
    y: float
    width: float
    fill: str
    count_x: float  # the count is printed just past the bar's end
    text: str = ""  # the action's words, for the table beside the chart

    @property
    def text_y(self) -> float:
        return self.y + 11


@dataclass
class SpreadChart:
    """How many teachers' latest walkthrough paused where, on one progression."""

    element_id: str
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = 640
    row: int = 18
    bar_height: int = 14
    bar_left: int = 170
    bar_right: int = 590

    @property
    def height(self) -> int:
        return len(self.bars) * self.row + 4

    @property
    def label_x(self) -> int:
        return self.bar_left - 8

    @property
    def description(self) -> str:
        parts = [f"{bar.label}: {bar.count} teacher{'' if bar.count == 1 else 's'}" for bar in self.bars]
        return f"{self.title}, latest pause of each teacher. " + "; ".join(parts) + "."


def spread_chart(
    element_id: str, title: str, pauses: list[tuple[str, int | None]], texts: dict[tuple[str, int | None], str] | None = None
) -> SpreadChart:
    """A bar per pause found at least once, in progression order; `texts` gives each its action's words."""
    chart = SpreadChart(element_id, title)
    counts = Counter(pauses)
    most = max(counts.values())
    for index, (phase, number) in enumerate(sorted(counts, key=lambda slot: pause_position(*slot))):
        count = counts[(phase, number)]
        width = round(max(count / most * (chart.bar_right - chart.bar_left), 2), 1)
        fill = BAR_FILLS[phase if number else ""]
        y = index * chart.row + 2
        text = (texts or {}).get((phase, number), "")
        chart.bars.append(Bar(pause_label(phase, number), count, y, width, fill, round(chart.bar_left + width + 6, 1), text))
    return chart
