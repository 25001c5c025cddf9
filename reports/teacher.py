"""The teacher coaching summary: teacher_history's pause timelines, each drawn as a chart.

Three queries whatever the history: the walkthroughs, the frameworks (both in teacher_history),
and the progressions' actions that make the charts' scale; a fourth, for the feedback of the
latest Driver Model walkthroughs, when there are any. Each timeline keeps its latest
SUMMARY_STOPS pauses, so a long history still prints as a few pages, in seconds; the counts of
walkthroughs take in every one.
"""

from dataclasses import dataclass, field

from observations.history import FrameworkHistory, Track, teacher_history
from observations.models import DriverFocus
from progressions.models import Action

from .campus import Movement
from .charts import TimelineChart, timeline_chart

SUMMARY_STOPS = 24  # per timeline: two years of monthly visits that each found a new pause


@dataclass
class View:
    """One side of the summary: the coach's walkthroughs, or the teacher's own self-reflections."""

    track: Track
    focuses: list[DriverFocus] = field(default_factory=list)  # the latest Driver Model walkthrough's feedback

    @property
    def latest_pause(self) -> str:
        return self.track.stops[-1].label if self.track.stops else ""

    @property
    def latest_pause_text(self) -> str:
        """The action of the latest pause, in the words its walkthrough recorded; none for a range
        (observers of a walk who differed), whose latest rating gives one end only."""
        latest = self.track.stops[-1] if self.track.stops else None
        return self.track.latest_pause_text if latest and latest.up_to is None else ""

    @property
    def movement(self) -> str:
        if len(self.track.stops) < 2:
            return "One pause so far" if self.track.stops else ""
        if not self.track.movement:
            return Movement.UNCLEAR
        return "Moved on from the pause before" if self.track.movement > 0 else "Moved back from the pause before"


@dataclass
class FrameworkSummary:
    history: FrameworkHistory
    chart: TimelineChart | None
    focuses: dict[int, list[DriverFocus]] = field(default_factory=dict)  # per walkthrough

    @property
    def views(self) -> list[View]:
        return [View(track, self.focuses.get(track.latest_pk, [])) for track in self.history.tracks]

    @property
    def next_move(self) -> str:
        """The agreed next move of the latest coach walkthrough, else the teacher's own latest one."""
        coach = self.history.coach
        return coach.next_move if coach.walkthroughs else self.history.self_reflection.next_move


def teacher_summary(*, teacher, viewer) -> list[FrameworkSummary]:
    histories = teacher_history(teacher=teacher, viewer=viewer, latest_stops=SUMMARY_STOPS)
    progressions = [h.framework.pk for h in histories if h.framework.is_progression]
    slots: dict[int, list[tuple[str, int]]] = {}
    actions = (
        Action.objects.current()
        .filter(phase__framework_id__in=progressions, phase__available=True)
        .order_by("phase__position", "number")
        .values_list("phase__framework_id", "phase__kind", "number")
    )
    for framework_id, phase, number in actions:
        slots.setdefault(framework_id, []).append((phase, number))
    focuses: dict[int, list[DriverFocus]] = {}
    latest_driver = [t.latest_pk for h in histories if not h.framework.is_progression for t in h.tracks]
    if latest_driver:
        for focus in DriverFocus.objects.filter(walkthrough_id__in=latest_driver):
            focuses.setdefault(focus.walkthrough_id, []).append(focus)
    summaries = []
    progressions_first = sorted(histories, key=lambda h: (not h.framework.is_progression, h.framework.name))
    for history in progressions_first:
        framework = history.framework
        chart = timeline_chart(
            f"timeline-{framework.slug}", framework.name, slots.get(framework.pk, []), history.tracks
        )
        summaries.append(FrameworkSummary(history, chart, focuses))
    return summaries
