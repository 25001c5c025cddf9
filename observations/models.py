"""Walkthroughs: a coach (or a teacher about their own classroom) walking a progression to its pause.

A walkthrough keeps a copy of every action's text as it was shown, so later content
revisions never change what was recorded. Its private note is for its observer alone;
everything else is the shared part.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property

from people.models import Campus, Role, Teacher
from progressions.models import Action, Component, Framework, Phase, Stage


_SEQUENCES: dict[tuple, list[Action]] = {}


def walk_sequence(framework: Framework, start_phase: str) -> list[Action]:
    """The current actions to walk, in order, from the start phase on, skipping unavailable phases.

    Content changes only when it is loaded, and every load of changed content gets a new hash
    and time, so the list is kept per process under those: a step POST needs no query for it.
    """
    key = (framework.pk, framework.content_hash, framework.loaded_at, start_phase)
    if key not in _SEQUENCES:
        start = Phase.Kind.values.index(start_phase) + 1 if start_phase else 1
        sequence = (
            Action.objects.current()
            .filter(phase__framework_id=framework.pk, phase__available=True, phase__position__gte=start)
            .select_related("phase")
            .order_by("phase__position", "number")
        )
        if len(_SEQUENCES) > 100:
            _SEQUENCES.clear()
        _SEQUENCES[key] = list(sequence)
    return _SEQUENCES[key]


class WalkthroughQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WalkthroughQuerySet":
        """The one access rule for walkthroughs; the private note is decided by `private_note_for`.
        An observer sees what they wrote (coaches: their walkthroughs; teachers: their self-reflections);
        the shared part of finished coach walkthroughs is seen as `_sees_shared` decides."""
        if not user.is_authenticated:
            return self.none()
        whose = _sees_shared(user)
        shared = SHARED if whose is None else SHARED & whose
        return self._unblinded(self.filter(Q(observer_id=user.pk) | shared), user)

    def shared_with(self, user) -> "WalkthroughQuerySet":
        """Finished coach walkthroughs the user may see: `visible_to` narrowed to those, written so
        that a district leader's rule has no OR over other columns, and the dashboard's covering
        index (walkthrough_coach_finished) answers it without reading the table."""
        if not user.is_authenticated:
            return self.none()
        whose = _sees_shared(user)
        shared = self.filter(SHARED) if whose is None else self.filter(SHARED).filter(Q(observer_id=user.pk) | whose)
        return self._unblinded(shared, user)

    def shared_with_everyone_for(self, user) -> bool:
        """Whether `shared_with(user)` is every finished coach walkthrough but those the blind rule hides."""
        return user.is_authenticated and _sees_shared(user) is None

    def hidden_from(self, user) -> "WalkthroughQuerySet":
        """What the blind rule hides from this user for now (see `_blind_to`)."""
        return self.filter(_blind_to(user)) if user.is_authenticated and user.can_observe else self.none()

    def _unblinded(self, visible: "WalkthroughQuerySet", user) -> "WalkthroughQuerySet":
        return visible.exclude(_blind_to(user)) if user.can_observe else visible


SHARED = Q(kind="coach", status="complete")  # the part of a walkthrough others may see


def _sees_shared(user) -> Q | None:
    """Whose finished coach walkthroughs a user sees: a district leader everyone's (None: no
    condition), a principal their campuses', a teacher those about them."""
    if user.has_role(Role.Kind.DISTRICT_LEADER):
        return None
    rule = Q(teacher__user_id=user.pk)
    if principal_campuses := user.campus_ids(Role.Kind.PRINCIPAL):
        rule |= Q(teacher__campus_id__in=principal_campuses)
    return rule


def _blind_to(user) -> Q:
    """Calibration: an observer on a walk rates each classroom independently, so the other
    observers' walkthroughs of a teacher on a progression in that walk stay hidden from them until
    they have submitted their own on it (one on another progression, or the Driver Model, is no
    rating of it), or logging in the walk has closed: no rating can start then, so the walk's
    classrooms join the observer's usual view, but for one whose rating they have begun and not
    yet submitted. Done in SQL so no page pays an extra query for it, as one subquery that
    does not depend on the row: PostgreSQL reads the few hidden ids once, and can still share a
    district-wide scan between workers (a correlated EXISTS per row would stop that). Written out
    rather than built from querysets: every page that shows walkthroughs applies it, and building
    and compiling the nested querysets cost more than the page's own queries."""
    return Q(pk__in=RawSQL(HIDDEN_SQL, [user.pk, user.pk, user.pk, user.pk, timezone.now(), user.pk]))


# A walkthrough of the viewer's own classroom is feedback to them, never hidden: they do not rate
# themselves in a walk (walkthrough_start refuses it).
HIDDEN_SQL = """
    SELECT v.id FROM observations_walkthrough v
    JOIN observations_progressionwalk_observers o ON o.progressionwalk_id = v.walk_id AND o.user_id = %s
    JOIN observations_progressionwalk w ON w.id = v.walk_id
    WHERE v.observer_id <> %s AND v.teacher_id NOT IN (SELECT id FROM people_teacher WHERE user_id = %s) AND NOT EXISTS (
        SELECT 1 FROM observations_walkthrough own
        WHERE own.walk_id = v.walk_id AND own.teacher_id = v.teacher_id AND own.framework_id = v.framework_id
          AND own.observer_id = %s AND own.completed_at IS NOT NULL
    ) AND (w.logging_ends_at > %s OR EXISTS (
        SELECT 1 FROM observations_walkthrough own
        WHERE own.walk_id = v.walk_id AND own.teacher_id = v.teacher_id AND own.framework_id = v.framework_id
          AND own.observer_id = %s AND own.completed_at IS NULL
    ))
"""


class ProgressionWalkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProgressionWalkQuerySet":
        """District leaders see every walk; observers the walks they are on."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.Kind.DISTRICT_LEADER):
            return self.all()
        return self.filter(pk__in=ProgressionWalk.observers.through.objects.filter(user_id=user.pk).values("progressionwalk_id"))


class ProgressionWalk(models.Model):
    """A leader's progression walk: observers visit classrooms of some campuses on one day,
    each logging walkthroughs tied to the walk, then calibrate on what they saw."""

    NAME_LIMIT = 200
    # Observers may log walkthroughs in a walk through the 14th day after its date, so late notes
    # get in but nobody keeps searching its campuses' rosters for good; a leader closes or reopens it.
    LOGGING_DAYS = 14
    REOPEN_DAYS = 7

    client_key = models.UUIDField(unique=True, help_text="Sent by the form that created it: a resent form is one walk.")
    date = models.DateField()
    name = models.CharField("purpose", max_length=NAME_LIMIT)
    norms = models.TextField(blank=True)
    campuses = models.ManyToManyField(Campus, related_name="progression_walks")
    observers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="progression_walks", through="WalkObserver")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Every edit bumps the version; an edit based on an older one is refused (two tabs, two leaders).
    version = models.PositiveIntegerField(default=1)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    logging_ends_at = models.DateTimeField(help_text="New walkthroughs are logged in the walk until then.")
    # Who last closed or reopened logging, and when; empty while it follows the walk's date.
    logging_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    logging_set_at = models.DateTimeField(null=True, blank=True)
    # Closing lifts the blind rule; a walk reopened since keeps when it first closed, so that a
    # leader's or principal's rating begun after it is not compared (observations/calibration.py).
    blind_lifted_at = models.DateTimeField(null=True, blank=True)

    objects = ProgressionWalkQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("observations:walk", args=[self.pk])

    @staticmethod
    def logging_end(day: date, days: int) -> datetime:
        """The end of the `days`-th day after `day`, local time: logging stays open that whole day."""
        return timezone.make_aware(datetime.combine(day + timedelta(days=days + 1), time.min))

    @property
    def usual_logging_end(self) -> datetime:
        return self.logging_end(self.date, self.LOGGING_DAYS)

    def logging_end_if_reopened(self) -> datetime:
        """Its usual window while that lasts (a walk closed before it happened), else a week from today."""
        return max(self.usual_logging_end, self.logging_end(timezone.localdate(), self.REOPEN_DAYS))

    @property
    def is_open_for_logging(self) -> bool:
        return timezone.now() < self.logging_ends_at

    def open_logging_until(self, end: datetime) -> None:
        """Moves the end of logging (not saved); reopening a closed walk keeps when it first closed."""
        if not self.is_open_for_logging and end > timezone.now():
            self.blind_lifted_at = self.blind_lifted_at or self.logging_ends_at
        self.logging_ends_at = end

    @property
    def last_logging_day(self) -> date:
        return self._last_day(self.logging_ends_at)

    @property
    def last_logging_day_if_reopened(self) -> date:
        return self._last_day(self.logging_end_if_reopened())

    @staticmethod
    def _last_day(end: datetime) -> date:
        return timezone.localtime(end - timedelta(microseconds=1)).date()

    def logging_status(self) -> str:
        """Whether observers can log walkthroughs in the walk, until when, and who set that."""
        last_day = date_format(self.last_logging_day, "l j F Y")
        if self.is_open_for_logging:
            if self.logging_set_by_id is None:
                return f"Open for logging through {last_day}, {self.LOGGING_DAYS} days after the walk."
            return f"Open for logging through {last_day}: reopened by {self.logging_set_by} on {date_format(timezone.localtime(self.logging_set_at), 'j F')}."
        if self.logging_set_by_id is None:
            return f"Closed for logging at the end of {last_day}, {self.LOGGING_DAYS} days after the walk."
        if self.logging_set_at == self.logging_ends_at:  # closed by hand: both are set to the same moment
            return f"Closed for logging by {self.logging_set_by} on {date_format(timezone.localtime(self.logging_ends_at), 'j F Y, H:i')}."
        return f"Closed for logging at the end of {last_day}, {self.REOPEN_DAYS} days after {self.logging_set_by} reopened it."

    def logging_closed_message(self) -> str:
        """Why a walkthrough cannot be started in this walk any more, and who can change that."""
        return (
            f"“{self.name}”: {self.logging_status()} The walkthroughs logged in it stay, and so does its debrief. "
            "To log another one in it, ask a district leader to reopen logging."
        )

    def observers_and_planner(self) -> tuple[list, object]:
        """Its observers, by name, and who planned it: one query, for the printed debrief."""
        on_it = ProgressionWalk.observers.through.objects.filter(progressionwalk_id=self.pk)
        people = (
            get_user_model().objects.filter(Q(pk__in=on_it.values("user_id")) | Q(pk=self.created_by_id))
            .annotate(observes=models.Exists(on_it.filter(user_id=models.OuterRef("pk"))))
            .order_by("last_name", "first_name", "pk")
        )  # fmt: skip
        people = list(people)
        return [p for p in people if p.observes], next(p for p in people if p.pk == self.created_by_id)



class WalkObserver(models.Model):
    """An observer on a walk, and since when. A district leader, or a campus's principal, who joins
    a walk after another observer's rating of a classroom was submitted could read that rating
    first: calibration leaves theirs of that classroom out (observations/calibration.py)."""

    # The names and table of the through model Django made before: the rows stay where they were.
    progressionwalk = models.ForeignKey(ProgressionWalk, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "observations_progressionwalk_observers"
        unique_together = [("progressionwalk", "user")]

    def __str__(self) -> str:
        return f"{self.user_id} on walk {self.progressionwalk_id} since {self.added_at:%Y-%m-%d %H:%M}"


class Walkthrough(models.Model):
    class Kind(models.TextChoices):
        COACH = "coach", "Coach walkthrough"
        SELF = "self", "Self-reflection"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    class BlendedModel(models.TextChoices):
        """The blended-learning model the observer saw in the room (optional)."""

        NOT_NOTED = "", "Not noted"
        STATION_ROTATION = "station_rotation", "Station Rotation"
        LAB_ROTATION = "lab_rotation", "Lab Rotation"
        INDIVIDUAL_ROTATION = "individual_rotation", "Individual Rotation"
        FLIPPED = "flipped", "Flipped Classroom"
        FLEX = "flex", "Flex"
        A_LA_CARTE = "a_la_carte", "A La Carte"
        ENRICHED_VIRTUAL = "enriched_virtual", "Enriched Virtual"
        OTHER = "other", "Other"

    client_key = models.UUIDField(unique=True, help_text="Sent by the page that started it: a resent start is one walkthrough.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COACH)
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="walkthroughs")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="walkthroughs_written")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="walkthroughs")
    start_phase = models.CharField(max_length=20, choices=Phase.Kind.choices, blank=True)
    observed_at = models.DateTimeField()
    # Indexed by walkthrough_walk_rating, which leaves out the many walkthroughs of no walk.
    walk = models.ForeignKey(
        ProgressionWalk, on_delete=models.PROTECT, null=True, blank=True, related_name="walkthroughs", db_index=False
    )
    model_seen = models.CharField("blended-learning model seen", max_length=20, choices=BlendedModel.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    # The pause, copied as shown (empty when every action was in place).
    pause_action = models.ForeignKey(Action, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pause_phase = models.CharField(max_length=20, choices=Phase.Kind.choices, blank=True)
    pause_number = models.PositiveSmallIntegerField(null=True, blank=True)
    pause_section = models.CharField(max_length=200, blank=True)
    pause_text = models.TextField(blank=True)
    pause_next_move = models.TextField(blank=True)
    next_move = models.TextField("agreed next move", blank=True)
    teacher_note = models.TextField("note for the teacher", blank=True)
    private_note = models.TextField("private note (observer only)", blank=True)
    # Every write bumps the version; a write based on an older one is refused (two tabs).
    version = models.PositiveIntegerField(default=1)
    # The key the last write was sent with: that write sent again (its reply lost) is found done,
    # not refused as from another tab.
    last_write_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The pause as first submitted. The blind rule lifts at that first finish, so calibration
    # compares these, made unseen; a later correction is shown beside it, not in its place.
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_phase = models.CharField(max_length=20, choices=Phase.Kind.choices, blank=True)
    submitted_number = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_text = models.TextField(blank=True)
    # While reopened for correction: what was recorded before, to log what the correction changed.
    recorded_before_reopen = models.JSONField(null=True, blank=True)

    objects = WalkthroughQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_at"]
        indexes = [
            models.Index(fields=["teacher", "framework", "-observed_at"], name="walkthrough_teacher_history"),
            # The dashboard reads finished coach walkthroughs by date range, and of them only these
            # columns (besides the pause's next move), so PostgreSQL answers from an index alone
            # (bench/INDEXES.md): by progression (pauses, trends), or of every framework (coverage,
            # the export's date order). The blind rule needs observer and walk. SQLite keeps the
            # keys and ignores the included columns.
            models.Index(
                fields=["framework", "observed_at"],
                include=["id", "teacher", "observer", "walk", "pause_phase", "pause_number"],
                condition=SHARED,
                name="walkthrough_coach_finished",
            ),
            models.Index(
                fields=["observed_at"], include=["id", "teacher", "observer", "walk"], condition=SHARED, name="walkthrough_coach_finished_at"
            ),
            # A walk's walkthroughs, and each observer's rating of a classroom in it: the blind rule
            # (HIDDEN_SQL) looks one up per walkthrough of the walks the user is on. Without it the
            # lookup read each classroom's whole history, 0.3 to 1 s per page at a million.
            models.Index(
                fields=["walk", "observer", "teacher", "framework"],
                include=["completed_at"],
                condition=Q(walk__isnull=False),
                name="walkthrough_walk_rating",
            ),
            # When each teacher last had one (coverage's unvisited list, the campus summary).
            models.Index(
                fields=["teacher", "observed_at"], include=["id", "observer", "walk"], condition=SHARED, name="walkthrough_coach_last_visit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.teacher} on {self.framework} ({self.observed_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("observations:walkthrough", args=[self.pk])

    def private_note_for(self, user) -> str:
        """Coaching stays confidential from evaluation: only the observer reads the private note."""
        return self.private_note if user.pk == self.observer_id else ""

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def discardable(self) -> bool:
        """Started by mistake and never finished: one finished once, even reopened, is part of the record."""
        return self.is_open and self.completed_at is None

    @cached_property
    def state(self) -> "WalkState":
        """Where the walk stands: one query for its answers (the actions are kept per process);
        services keep it up to date as they write, so a response needs no second read."""
        if not self.framework.is_progression:
            return WalkState([], [])
        return WalkState(walk_sequence(self.framework, self.start_phase), list(self.answers.order_by("answered_at", "pk")))

    @property
    def pause_label(self) -> str:
        if not self.framework.is_progression:
            return ""  # the Driver Model has components, not a pause
        if not self.pause_number:
            return "No pause: every action in place" if self.status == self.Status.COMPLETE else ""
        return f"{self.get_pause_phase_display()} {self.pause_number}"


@dataclass
class WalkState:
    """A linear walk: the actions to walk, in order, and every answer so far (undone ones too)."""

    sequence: list[Action]
    answers: list["Answer"]

    @property
    def live(self) -> list["Answer"]:
        return [a for a in self.answers if a.undone_at is None]

    def recorded(self, client_key) -> "Answer | None":
        """The answer saved under this key (undone or not), if any."""
        return next((a for a in self.answers if str(a.client_key) == str(client_key)), None)

    @property
    def pause(self) -> "Answer | None":
        return next((a for a in self.live if not a.in_place), None)

    @property
    def current(self) -> Action | None:
        """The action to ask about next; None once the pause is found or every action is answered."""
        live = self.live
        if any(not a.in_place for a in live):
            return None
        answered = {(a.phase, a.number) for a in live}
        return next((action for action in self.sequence if (action.phase.kind, action.number) not in answered), None)

    @property
    def rows(self) -> list[tuple[Action, "Answer | None"]]:
        """Every action of the walk with its live answer, for the full list shown beside the question."""
        by_action = {(a.phase, a.number): a for a in self.live}
        return [(action, by_action.get((action.phase.kind, action.number))) for action in self.sequence]

    @property
    def rows_near_position(self) -> list[tuple[Action, "Answer | None"]]:
        """The rows a tap or a Back can change: the current (or last answered) action and its neighbours,
        and the one before those, whose "Change from here" comes or goes as the last answer moves."""
        at = self.position - 1
        return self.rows[max(0, at - 2) : at + 2]

    @property
    def position(self) -> int:
        """1-based position of the current action (or of the last answered one) in the walk."""
        return min(len(self.live) + (1 if self.current else 0), len(self.sequence)) or 1


class Answer(models.Model):
    """One tap: an action found in place, or not yet (the pause). Back marks it undone."""

    client_key = models.UUIDField(unique=True, help_text="Sent with the tap: a double tap or a resend is one answer.")
    walkthrough = models.ForeignKey(Walkthrough, on_delete=models.CASCADE, related_name="answers")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=20, choices=Phase.Kind.choices)
    number = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=200)
    text = models.TextField()
    next_move = models.TextField()
    in_place = models.BooleanField()
    evidence = models.TextField(blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["walkthrough", "phase", "number"], condition=Q(undone_at__isnull=True), name="answer_once_per_action"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.number}: {'in place' if self.in_place else 'not yet'}"


class WalkthroughChange(models.Model):
    """Who corrected a completed walkthrough, when, and what changed."""

    walkthrough = models.ForeignKey(Walkthrough, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    fields = models.JSONField(help_text="{field: [before, after]}")

    LABELS = {
        "status": "Status",
        "pause_label": "Pause",
        "next_move": "Next move",
        "teacher_note": "Note for the teacher",
        "private_note": "Private note",
    }

    class Meta:
        ordering = ["changed_at"]

    def described(self) -> list[tuple[str, str, str]]:
        return [(self.LABELS.get(field, field), before or "(empty)", after or "(empty)") for field, (before, after) in self.fields.items()]


class DriverFocus(models.Model):
    """Driver Model feedback on one component: the stage the teacher works toward, and
    1 to 3 of its action steps (or the observer's own words). Names and texts are copied as shown."""

    STEP_LIMIT = 3

    client_key = models.UUIDField(unique=True, help_text="Sent with the save: a resend is one focus.")
    walkthrough = models.ForeignKey(Walkthrough, on_delete=models.CASCADE, related_name="focuses")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    component_name = models.CharField(max_length=200)
    domain_name = models.CharField(max_length=200)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    stage_name = models.CharField(max_length=200)
    steps = models.JSONField(default=list, help_text='The chosen steps as shown: [{"id": step pk, "text": ...}].')
    own_words = models.TextField(blank=True)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["walkthrough", "component"], name="focus_once_per_component")]

    def __str__(self) -> str:
        return f"{self.component_name}: toward {self.stage_name}"

    @property
    def step_texts(self) -> list[str]:
        return [step["text"] for step in self.steps]
