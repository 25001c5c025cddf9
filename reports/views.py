"""Print pages and their PDFs: each document has one template, shown by the browser or rendered by WeasyPrint.

A page and its PDF share one context builder, so their access rules and content cannot drift apart.
"""

from functools import partial

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard.context_processors import DASHBOARD_ROLES
from dashboard.filters import status_of
from dashboard.views import coverage_context, pauses_context, trends_context
from observations.debrief_views import debrief_context
from observations.models import Walkthrough
from people.models import Campus, Role, Teacher
from plcoach.access import role_required, signed_in

from .campus import campus_summary as build_campus_summary
from .pdf import pdf_filename, pdf_response
from .teacher import teacher_summary as build_teacher_summary

CAMPUS_ROLES = (Role.Kind.PRINCIPAL, Role.Kind.DISTRICT_LEADER, Role.Kind.SITE_ADMIN)
PDF_CLASSROOMS = 150  # a walk debrief PDF compares at most so many classrooms; a bigger walk prints in parts


def _walkthrough_context(request: HttpRequest, pk: int) -> dict:
    """A finished walkthrough the user may see, 404 otherwise (an unfinished one is not a summary yet)."""
    try:
        walkthrough = (
            Walkthrough.objects.visible_to(request.user)
            .filter(status=Walkthrough.Status.COMPLETE)
            .select_related("teacher__campus", "observer", "framework")
            .get(pk=pk)
        )
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough summary here.") from None
    answers, focuses = [], []
    if walkthrough.framework.is_progression:
        answers = list(walkthrough.answers.filter(undone_at__isnull=True).order_by("answered_at", "pk"))
    else:
        focuses = list(walkthrough.focuses.all())
    # No report template names the private note; the tests check it never reaches a page or a PDF.
    return {
        "walkthrough": walkthrough,
        "found": [a for a in answers if a.in_place],
        "pause_answer": next((a for a in answers if not a.in_place), None),
        "focuses": focuses,
        "printed": timezone.localdate(),
    }


def _teacher_context(request: HttpRequest, pk: int) -> dict:
    try:
        teacher = Teacher.objects.visible_to(request.user).select_related("campus").get(pk=pk)
    except Teacher.DoesNotExist:
        raise Http404("No teacher here.") from None
    summaries = build_teacher_summary(teacher=teacher, viewer=request.user)
    return {"teacher": teacher, "summaries": summaries, "printed": timezone.localdate()}


def _get_campus_for_user(request: HttpRequest, code: str) -> Campus:
    """A principal's own campus; leaders and site admins any campus. Others 404, so nothing leaks.
    A code typed in another case finds the campus when only one campus has it so."""
    if "\x00" in code:  # PostgreSQL refuses NUL
        raise Http404("No campus summary here.")
    user = request.user
    campuses = Campus.objects.all() if user.sees_every_campus else Campus.objects.filter(pk__in=user.campus_ids(Role.Kind.PRINCIPAL))
    campus = campuses.filter(code=code).first()
    if campus is None:
        alike = list(campuses.filter(code__iexact=code)[:2])  # among the campuses this user may see only
        campus = alike[0] if len(alike) == 1 else None
    if campus is None:
        raise Http404("No campus summary here.")
    return campus


def _campus_context(request: HttpRequest, campus: Campus) -> dict:
    summary = build_campus_summary(campus=campus, viewer=request.user)
    return {"campus": campus, "summary": summary, "printed": timezone.localdate()}


@signed_in
@require_safe
def walkthrough_summary(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/walkthrough.html", _walkthrough_context(request, pk))


@signed_in
@require_safe
def walkthrough_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _walkthrough_context(request, pk)
    walkthrough = context["walkthrough"]
    day = f"{timezone.localtime(walkthrough.observed_at):%Y-%m-%d}"
    filename = pdf_filename("walkthrough", walkthrough.teacher.name, day)
    return pdf_response(request, "reports/walkthrough.html", context, filename)


@signed_in
@require_safe
def teacher_summary(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/teacher.html", _teacher_context(request, pk))


@signed_in
@require_safe
def teacher_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _teacher_context(request, pk)
    filename = pdf_filename("coaching summary", context["teacher"].name, f"{context['printed']:%Y-%m-%d}")
    return pdf_response(request, "reports/teacher.html", context, filename)


@role_required(*CAMPUS_ROLES)
@require_safe
def campus_summary(request: HttpRequest, code: str) -> HttpResponse:
    campus = _get_campus_for_user(request, code)
    if campus.code != code:
        return redirect("reports:campus", campus.code)
    return render(request, "reports/campus.html", _campus_context(request, campus))


@role_required(*CAMPUS_ROLES)
@require_safe
def campus_summary_pdf(request: HttpRequest, code: str) -> HttpResponse:
    campus = _get_campus_for_user(request, code)
    if campus.code != code:
        return redirect("reports:campus-pdf", campus.code)
    context = _campus_context(request, campus)
    filename = pdf_filename("campus summary", context["campus"].code, f"{context['printed']:%Y-%m-%d}")
    return pdf_response(request, "reports/campus.html", context, filename)


@signed_in
@require_safe
def walk_debrief(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk debrief to print, with the debrief page's access rule and filters (one context builder)."""
    context = _with_walkers(debrief_context(request, pk))
    return render(request, "reports/walk_debrief.html", context, status=status_of(context))


def _with_walkers(context: dict) -> dict:
    """Who walked and who planned it, for the printed record."""
    observers, planner = context["walk"].observers_and_planner()
    return {**context, "observers": observers, "planner": planner}


@signed_in
@require_safe
def walk_debrief_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _with_walkers(debrief_context(request, pk))
    rated = 0 if context["problem"] else len(context["debrief"].classrooms)
    if rated > PDF_CLASSROOMS:  # some 300 pages, half a minute and half a gigabyte to draw: in parts
        keep = ("walk", "form", "scope", "printed", "observers", "planner", "filter_query")
        many = f"{rated} classroom{'s' if rated != 1 else ''}"
        context = {name: context[name] for name in keep} | {"problem": (
            f"This debrief compares {many}, more than one PDF holds ({PDF_CLASSROOMS}): "
            "choose a campus, grade band or subject, and print each part."
        )}  # fmt: skip
    if context["problem"]:  # the print page says which filter and why; a PDF could not
        return render(request, "reports/walk_debrief.html", context, status=status_of(context))
    walk = context["walk"]
    filename = pdf_filename("debrief", walk.name, f"{walk.date:%Y-%m-%d}")
    return pdf_response(request, "reports/walk_debrief.html", context, filename)


# The dashboard's pages printed: each page's own context builder (dashboard.views), so the print
# page and its PDF show what the page shows, with its access rule and filters. The trends'
# per-campus table takes a year of months to a landscape page: a longer range is cut into tables
# of a year each, or its latest months would run off the paper.
DASHBOARD_PAGES = {
    "pauses": pauses_context, "coverage": coverage_context, "trends": partial(trends_context, months_per_table=12),
}  # fmt: skip


def _dashboard_context(request: HttpRequest, page: str) -> dict:
    return {**DASHBOARD_PAGES[page](request), "printed": timezone.localdate()}


def _dashboard_print(request: HttpRequest, page: str, context: dict | None = None) -> HttpResponse:
    context = context or _dashboard_context(request, page)
    return render(request, f"reports/dashboard_{page}.html", context, status=status_of(context))


def _dashboard_pdf(request: HttpRequest, page: str) -> HttpResponse:
    context = _dashboard_context(request, page)
    if context["problem"]:  # the print page says which filter and why; a PDF could not
        return _dashboard_print(request, page, context)
    filename = pdf_filename(*_dashboard_pdf_words(page, context))
    return pdf_response(request, f"reports/dashboard_{page}.html", context, filename)


def _dashboard_pdf_words(page: str, context: dict) -> list[str]:
    """What the PDF's file is called: the page, its campus if one, and its period."""
    scope, campus = context["scope"], context["scope"].campus or context["form"].only_campus
    code = campus.code if campus else ""
    if page == "coverage":  # the days up to the day printed
        return ["coverage", code, f"{scope.days} days", f"{context['printed']:%Y-%m-%d}"]
    if page == "trends":  # whole months
        return ["trends", scope.progression.slug if scope.progression else "", code, f"{scope.start:%Y-%m}", f"{scope.end:%Y-%m}"]
    return ["where classrooms pause", code, f"{scope.start:%Y-%m-%d}", f"{scope.end:%Y-%m-%d}"]


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_pauses(request: HttpRequest) -> HttpResponse:
    """Where classrooms pause, to print."""
    return _dashboard_print(request, "pauses")


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_pauses_pdf(request: HttpRequest) -> HttpResponse:
    return _dashboard_pdf(request, "pauses")


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_coverage(request: HttpRequest) -> HttpResponse:
    """Coverage, to print."""
    return _dashboard_print(request, "coverage")


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_coverage_pdf(request: HttpRequest) -> HttpResponse:
    return _dashboard_pdf(request, "coverage")


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_trends(request: HttpRequest) -> HttpResponse:
    """The trends, to print."""
    return _dashboard_print(request, "trends")


@role_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_trends_pdf(request: HttpRequest) -> HttpResponse:
    return _dashboard_pdf(request, "trends")
