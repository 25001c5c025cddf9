"""The dashboard's filters: which campuses, grade band, subject and dates a page covers.

Read from the query string through forms, so a bad value is a 400 naming the filter, never a 500.
The campus choices are the viewer's own campuses (a principal's) or every campus (a district
leader's): a campus outside them is not a valid choice, so its data is never read.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from django import forms
from django.db.models import Exists, OuterRef
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from people.models import Campus, Role, Teacher
from progressions.models import Framework

if TYPE_CHECKING:
    from observations.models import ProgressionWalk

DASHBOARD_DAYS = 90  # the pause dashboard and the export: the last 90 days unless dates are given
TREND_MONTHS = 12
COVERAGE_DAYS = 30
LONGEST_RANGE = 366 * 5  # a wider range is surely a typo, and would read the whole history
ECHOED_LIMIT = 40  # characters of a refused value that its error message repeats
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)  # beyond them a date is a typo (and year 1 or 9999 a 500)


class BadFilter(ValueError):
    """A filter value the page cannot use; the message says which and why."""


@dataclass(frozen=True)
class Scope:
    """What a page covers. `campus_ids` None: every campus (a district leader with no campus chosen)."""

    campus_ids: frozenset[int] | None
    campus: Campus | None = None
    grade_band: str = ""
    subject: str = ""
    start: date | None = None
    end: date | None = None
    days: int = COVERAGE_DAYS
    progression: Framework | None = None
    walk: "ProgressionWalk | None" = None  # a progression walk's debrief: only its walkthroughs

    def district(self) -> "Scope":
        """The same filters across every campus: the district line of the trends."""
        return replace(self, campus_ids=None, campus=None)


@dataclass
class Choices:
    """The filter choices this viewer has: read once per page (two queries)."""

    campuses: list[Campus]
    grade_bands: list[str]
    subjects: list[str]
    every_campus: bool

    @classmethod
    def for_viewer(cls, viewer) -> "Choices":
        every_campus = viewer.has_role(Role.Kind.DISTRICT_LEADER)  # as Walkthrough.objects.visible_to decides
        campuses = Campus.objects.all() if every_campus else Campus.objects.filter(pk__in=viewer.campus_ids(Role.Kind.PRINCIPAL))
        campuses = list(campuses.order_by("name", "code"))
        teachers = Teacher.objects.filter(campus__in=campuses) if not every_campus else Teacher.objects.all()
        return cls.taught(campuses, teachers, every_campus)

    @classmethod
    def for_walk(cls, viewer, walk: "ProgressionWalk") -> "Choices":
        """A walk's debrief: the walk's campuses; a principal only their own among them, and those
        where they rated a classroom themselves (its agreement is theirs to see). A principal
        visiting another campus's walk keeps the walk's, as its observers do: the blind rule and
        `Walkthrough.objects.visible_to` still decide which walkthroughs they see. Two queries."""
        rated_here = walk.walkthroughs.filter(observer_id=viewer.pk, teacher__campus=OuterRef("pk"))
        campuses = list(walk.campuses.annotate(rated=Exists(rated_here)).order_by("name", "code"))
        principal_of = set() if viewer.has_role(Role.Kind.DISTRICT_LEADER) else viewer.campus_ids(Role.Kind.PRINCIPAL)
        own = [c for c in campuses if c.pk in principal_of or c.rated] if principal_of & {c.pk for c in campuses} else []
        chosen = own or campuses
        # "All campuses" here means every campus of the walk: the walk itself narrows what is read.
        return cls.taught(chosen, Teacher.objects.filter(campus__in=chosen), every_campus=not own)

    @classmethod
    def taught(cls, campuses: list[Campus], teachers, every_campus: bool) -> "Choices":
        """These campuses, with the grade bands and subjects their teachers teach (one query)."""
        pairs = set(teachers.order_by().values_list("grade_band", "subject").distinct())
        bands = sorted({band for band, _subject in pairs if band})
        subjects = sorted({subject for _band, subject in pairs if subject})
        return cls(campuses, bands, subjects, every_campus)


def _choices(values: list[str], everything: str) -> list[tuple[str, str]]:
    return [("", everything), *((v, v) for v in values)]


class QuickSelect(forms.Select):
    """Django's select for a flat list of plain-text choices, written out in Python: Django renders
    each option through a template, which for a district's 230 campuses took some 30 ms of every
    district-wide dashboard page. Anything else (groups, several values) is left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _v, label in self.choices):
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>{escape(str(label))}</option>'
            for v, label in ((("" if v is None else str(v)), label) for v, label in self.choices)
        )
        return mark_safe(f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>{options}</select>')


class PeopleFilters(forms.Form):
    campus = forms.ChoiceField(required=False, widget=QuickSelect)
    grade_band = forms.ChoiceField(required=False, label="Grade band", widget=QuickSelect)
    subject = forms.ChoiceField(required=False, widget=QuickSelect)

    def __init__(self, data: QueryDict, choices: Choices, **kwargs):
        super().__init__(data, **kwargs)
        campuses = [(c.code, c.name) for c in choices.campuses]
        self.fields["campus"].choices = [("", "All campuses"), *campuses] if choices.every_campus else campuses
        self.fields["grade_band"].choices = _choices(choices.grade_bands, "All grade bands")
        self.fields["subject"].choices = _choices(choices.subjects, "All subjects")
        self.campuses = {c.code: c for c in choices.campuses}
        self.every_campus = choices.every_campus
        if self.only_campus:  # a principal of one school: no choice to offer (the scope line names it)
            self.fields["campus"].widget = forms.HiddenInput()

    @property
    def only_campus(self) -> Campus | None:
        """The one campus a viewer has (a principal of one school): named, not "all your campuses"."""
        return next(iter(self.campuses.values())) if len(self.campuses) == 1 and not self.every_campus else None

    def show_applied(self) -> None:
        """Once valid: each input shows what the page applies, a default included, not a blank."""
        applied = self.applied()
        if applied:
            self.data = self.data.copy()
            for name, value in applied.items():
                if not self.data.get(name):
                    self.data[name] = value

    def applied(self) -> dict[str, str]:
        return {}

    def scope(self, **extra) -> Scope:
        data = self.cleaned_data
        campus = self.campuses.get(data["campus"])
        if campus is not None:
            ids = frozenset([campus.pk])
        else:  # no campus chosen: a leader's whole district, anyone else's own campuses
            ids = None if self.every_campus else frozenset(c.pk for c in self.campuses.values())
        return Scope(ids, campus, data["grade_band"], data["subject"], **extra)


class DateFilters(PeopleFilters):
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    default_days = DASHBOARD_DAYS

    def clean(self):
        data = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return data
        for name in ("start", "end"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, f"choose a date between {EARLIEST.year} and {LATEST.year}.")
                return data
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or self.default_start(end)
        if start > end:
            raise forms.ValidationError("The From date must be on or before the To date.")
        if (end - start).days > LONGEST_RANGE:
            raise forms.ValidationError("Choose a date range of at most five years.")
        data["start"], data["end"] = start, end
        return data

    def default_start(self, end: date) -> date:
        return end - timedelta(days=self.default_days)

    def applied(self) -> dict[str, str]:
        return {"start": self.cleaned_data["start"].isoformat(), "end": self.cleaned_data["end"].isoformat()}

    def scope(self, **extra) -> Scope:
        return super().scope(start=self.cleaned_data["start"], end=self.cleaned_data["end"], **extra)


class TrendFilters(DateFilters):
    progression = forms.ChoiceField(required=False, widget=QuickSelect)

    def __init__(self, data: QueryDict, choices: Choices, progressions: list[Framework], **kwargs):
        super().__init__(data, choices, **kwargs)
        self.fields["progression"].choices = [(p.slug, p.name) for p in progressions]
        self.progressions = {p.slug: p for p in progressions}

    def default_start(self, end: date) -> date:
        """The first day of the month a year back: whole months on the chart."""
        month = end.year * 12 + end.month - 1 - (TREND_MONTHS - 1)
        return date(month // 12, month % 12 + 1, 1)

    def scope(self, **extra) -> Scope:
        return super().scope(progression=self.progressions.get(self.cleaned_data["progression"]), **extra)

    def show_progression(self, progression: Framework | None) -> None:
        """Show this progression as the chosen one (the page's default, when none was asked for)."""
        if progression is not None:
            self.data = self.data.copy()
            self.data["progression"] = progression.slug


class CoverageFilters(PeopleFilters):
    days = forms.IntegerField(required=False, min_value=1, max_value=LONGEST_RANGE, label="Days to look back")

    def applied(self) -> dict[str, str]:
        return {"days": str(self.cleaned_data["days"] or COVERAGE_DAYS)}

    def scope(self, **extra) -> Scope:
        return super().scope(days=self.cleaned_data["days"] or COVERAGE_DAYS, **extra)


def _told_back(error: forms.ValidationError) -> str:
    """The error's sentence, with the value it repeats cut short: a page of text sent as a filter
    is not sent back whole."""
    params = {key: Truncator(str(value)).chars(ECHOED_LIMIT) for key, value in (error.params or {}).items()}
    return str(error.message % params if params else error.message)


def read_filters(form: PeopleFilters) -> Scope:
    """The page's scope, or BadFilter with every problem in one sentence each."""
    if not form.is_valid():
        problems = []
        for name, errors in form.errors.as_data().items():
            label = form.fields[name].label or name.replace("_", " ").capitalize() if name != "__all__" else ""
            problems.extend(f"{label}: {message}" if label else message for message in map(_told_back, errors))
        raise BadFilter(" ".join(problems))
    form.show_applied()
    return form.scope()


def status_of(context: dict) -> int:
    """A filtered page's status: 400 when `read_filters` refused its filters (the context's "problem")."""
    return 400 if context["problem"] else 200
