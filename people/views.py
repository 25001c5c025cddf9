from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from plcoach.access import role_required, signed_in
from plcoach.lists import capped

from observations.history import Track, teacher_history
from observations.models import Walkthrough

from .models import Role, Teacher
from .roster import MAX_BYTES, TOO_LARGE, RosterError, read_roster
from .services import roster_import


RECENT_WALKTHROUGHS = 20
TEACHERS_LISTED = 500  # beyond them, the search finds a teacher
PROBLEMS_LISTED = 100  # of a refused roster file


def _get_teacher_for_user(request: HttpRequest, pk: int) -> Teacher:
    """The teacher, with their campus, if this user may see them; 404 otherwise, so nothing leaks."""
    try:
        return Teacher.objects.visible_to(request.user).select_related("campus").get(pk=pk)
    except Teacher.DoesNotExist:
        raise Http404("No teacher here.") from None


@signed_in
@require_safe
def teacher_list(request: HttpRequest) -> HttpResponse:
    teachers = Teacher.objects.visible_to(request.user).select_related("campus").order_by("campus__name", "last_name")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL text cannot hold NUL
    teachers = teachers.matching(query)
    template = "people/teacher_list.html"
    if request.htmx:
        template += "#results"
    teachers, more = capped(teachers, TEACHERS_LISTED)
    user = request.user
    # Campuses whose printable summary this user may open (the summary view enforces it again).
    summary_campuses = {t.campus_id for t in teachers} if user.sees_every_campus else user.campus_ids(Role.Kind.PRINCIPAL)
    context = {
        "teachers": teachers, "more": more, "listed": TEACHERS_LISTED, "query": query, "summary_campuses": summary_campuses,
    }  # fmt: skip
    return render(request, template, context)


@signed_in
@require_safe
def teacher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The teacher, their pauses over time per progression, and the latest walkthroughs.
    Seven queries however long the history (tests/test_teacher_pages.py)."""
    teacher = _get_teacher_for_user(request, pk)
    walkthroughs = (
        Walkthrough.objects.visible_to(request.user)
        .filter(teacher=teacher)
        .select_related("framework", "observer")
        .order_by("-observed_at")
    )
    # The private note is put in the page here, for its observer only, never decided by the template.
    recent = [(w, w.private_note_for(request.user)) for w in walkthroughs[:RECENT_WALKTHROUGHS]]
    context = {
        "teacher": teacher,
        "progressions": teacher_history(teacher=teacher, viewer=request.user, latest_stops=Track.SHOWN_STOPS),
        "recent": recent,
        "recent_limit": RECENT_WALKTHROUGHS,
        "can_observe": request.user.can_observe,
        "is_self": teacher.user_id == request.user.pk,
    }
    return render(request, "people/teacher_detail.html", context)


@role_required(Role.Kind.SITE_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def roster_upload(request: HttpRequest) -> HttpResponse:
    context = {}
    if request.method == "POST":
        upload = request.FILES.get("roster")
        dry_run = request.POST.get("dry_run") == "on"
        if upload is None:
            context["problems"] = ["Choose a roster CSV file to import."]
        elif upload.size > MAX_BYTES:  # before reading it into memory
            context["problems"] = [TOO_LARGE]
        else:
            try:
                changes = roster_import(rows=read_roster(upload.read()), dry_run=dry_run)
            except RosterError as exc:
                listed = exc.problems[:PROBLEMS_LISTED]  # a file wrong throughout would make a page of megabytes
                more = len(exc.problems) - len(listed)
                context["problems"] = listed + ([f"… and {more} more problems: fix these and import again."] if more else [])
            else:
                summary = ", ".join(f"{n} {what}" for what, n in sorted(changes.items())) or "nothing changed"
                if dry_run:
                    context["preview"] = f"The file is valid. Importing it would make: {summary}."
                else:
                    messages.success(request, f"Roster imported from {upload.name}: {summary}.")
                    return redirect("people:roster")
        status = 400 if context.get("problems") else 200
        return render(request, "people/roster_upload.html", context, status=status)
    return render(request, "people/roster_upload.html", context)
