"""The debrief dashboard: where classrooms pause, who has not been visited, how pauses move over
the months, and the walkthroughs as CSV. For principals (their campus) and district leaders (every
campus, or one chosen); what each sees is `Walkthrough.objects.visible_to` narrowed by the filters.
"""

from dataclasses import replace
from html import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from plcoach.access import role_required
from progressions.models import Framework

from . import queries
from .charts import pause_sections, trend_chart
from .context_processors import DASHBOARD_ROLES
from .export import csv_response
from .filters import BadFilter, Choices, CoverageFilters, DateFilters, TrendFilters, read_filters, status_of

UNVISITED_SHOWN = 500  # a district-wide list this long is a prompt to choose a campus


def pauses_context(request: HttpRequest) -> dict:
    """What the pauses page shows, for the page and its print page and PDF (reports.views): one
    reading of the filters. With a bad filter, only the form and the problem."""
    form = DateFilters(request.GET, Choices.for_viewer(request.user))
    try:
        scope = read_filters(form)
    except BadFilter as exc:
        return {"form": form, "problem": str(exc)}
    progressions = list(Framework.objects.progressions().order_by("name"))
    sections = pause_sections(request.user, scope, progressions)
    return {"form": form, "scope": scope, "sections": sections, "problem": "", "filter_query": request.GET.urlencode()}


@role_required(*DASHBOARD_ROLES)
@require_safe
def pauses(request: HttpRequest) -> HttpResponse:
    """Per progression: how many classrooms, where their latest walkthrough paused, the top next moves."""
    context = pauses_context(request)
    return render(request, "dashboard/pauses.html", context, status=status_of(context))


def coverage_context(request: HttpRequest) -> dict:
    """What the coverage page shows, for the page and its print page and PDF (reports.views). With a
    bad filter, only the form and the problem."""
    choices = Choices.for_viewer(request.user)
    form = CoverageFilters(request.GET, choices)
    try:
        scope = read_filters(form)
    except BadFilter as exc:
        return {"form": form, "problem": str(exc)}
    by_campus = queries.coverage(request.user, scope)
    campuses = [(c, by_campus[c.pk]) for c in choices.campuses if c.pk in by_campus]
    unvisited = [(campus, teacher) for campus, found in campuses for teacher in found.unvisited]
    shown = unvisited[:UNVISITED_SHOWN]
    # One campus: each of its teachers' visits, fewest first, so the next visits go where they are due.
    one_campus = campuses[0] if len(campuses) == 1 else None
    per_teacher = sorted(one_campus[1].per_teacher, key=lambda t: t[2]) if one_campus else []  # stable: by last name within
    last = queries.last_walkthroughs(request.user, scope, [pk for _campus, (pk, _name) in shown] + [pk for pk, _n, _v in per_teacher])
    return {
        "form": form,
        "scope": scope,
        "problem": "",
        "filter_query": request.GET.urlencode(),
        "campuses": campuses,
        "one_campus": one_campus[0] if one_campus else None,
        "per_teacher": [(pk, name, visits, last.get(pk)) for pk, name, visits in per_teacher],
        "unvisited": [(campus, pk, name, last.get(pk)) for campus, (pk, name) in shown],
        "unvisited_total": len(unvisited),
        "teacher_total": sum(found.teachers for _c, found in campuses),
    }


@role_required(*DASHBOARD_ROLES)
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    """Per campus: teachers with no walkthrough in the last N days, and visits per teacher."""
    context = coverage_context(request)
    return render(request, "dashboard/coverage.html", context, status=status_of(context))


def trends_context(request: HttpRequest, *, months_per_table: int | None = None) -> dict:
    """What the trends page shows, for the page and its print page and PDF (reports.views). With a
    bad filter, only the form and the problem; with no progression to show, no chart. The per-campus
    figures are one table, a column per month, or with `months_per_table` (a page's width) several."""
    choices = Choices.for_viewer(request.user)
    progressions = list(Framework.objects.progressions().order_by("name"))
    form = TrendFilters(request.GET, choices, progressions)
    try:
        scope = read_filters(form)
    except BadFilter as exc:
        return {"form": form, "problem": str(exc)}
    if not form.cleaned_data["progression"]:  # none chosen yet: the one walked most
        scope = replace(scope, progression=queries.most_walked(request.user, scope, progressions))
        form.show_progression(scope.progression)
    context = {"form": form, "scope": scope, "problem": "", "chart": None, "filter_query": request.GET.urlencode()}
    if scope.progression is None:
        return context
    found = queries.pause_trends(request.user, scope, every_campus=choices.every_campus)
    names = {c.pk: c.name for c in choices.campuses}
    series = [("District", "district", found.district)] if found.district is not None else []
    if scope.campus is not None or len(found.campuses) == 1:  # one campus: its own line beside the district's
        series += [(names[pk], "campus", values) for pk, values in found.campuses.items()]
    context["chart"] = trend_chart("trend", scope.progression.name, found.positions, found.months, series)
    context["months"] = found.months
    context["positions"] = found.positions
    context["series_labels"] = [label for label, _kind, _values in series]
    context["month_rows"] = [
        (m, [_figure(values.get(m), found.positions) for _label, _kind, values in series]) for m in found.months
    ]
    # A district is some 230 campuses by 12 months: each row's cells are joined here, not looped
    # over in the template, which cost a fifth of the page; format_html, cell by cell, cost 40 ms.
    step = months_per_table or len(found.months)
    context["campus_tables"] = [
        (months, [
            (name, mark_safe("".join(f'<td class="number">{escape(_figure(found.campuses[pk].get(m)))}</td>' for m in months)))
            for pk, name in names.items()
            if pk in found.campuses
        ])
        for months in (found.months[i : i + step] for i in range(0, len(found.months), step))
    ]  # fmt: skip
    return context


@role_required(*DASHBOARD_ROLES)
@require_safe
def trends(request: HttpRequest) -> HttpResponse:
    """The median pause position per month on one progression: per campus, and for the district."""
    context = trends_context(request)
    return render(request, "dashboard/trends.html", context, status=status_of(context))


def _figure(value: float | None, positions: "queries.Positions | None" = None) -> str:
    """A median as the tables print it: 5, 3.5, or a dash for a month without one; with `positions`,
    the action it stands for too. (The floatformat filter, cell by cell, took a third of a
    district-wide page: 230 campuses by 12 months.)"""
    if value is None:
        return "—"
    return f"{value:g}" if positions is None else f"{value:g} ({positions.label(value)})"


@role_required(*DASHBOARD_ROLES)
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """Every walkthrough in the filters, one CSV row each, streamed (the date range can be long)."""
    form = DateFilters(request.GET, Choices.for_viewer(request.user))
    try:
        scope = read_filters(form)
    except BadFilter as exc:
        return HttpResponse(f"Bad filter: {exc}\n", status=400, content_type="text/plain; charset=utf-8")
    walkthroughs = queries.coach_walkthroughs(request.user, scope).filter(framework__kind=Framework.Kind.PROGRESSION)
    return csv_response(walkthroughs, f"walkthroughs-{timezone.localdate():%Y-%m-%d}.csv")
