"""The PL Toolbox content: coaching progressions and the Driver Model action steps.

Content rows that walkthroughs will point at (actions, action steps) are never
deleted or rewritten in place: an edited text is a new revision, a removed one is
retired. Everything is addressed by natural keys (slugs, numbers), never by ids.
"""

from django.db import models
from django.db.models import Prefetch, Q


class FrameworkQuerySet(models.QuerySet):
    def progressions(self):
        return self.filter(kind=Framework.Kind.PROGRESSION)

    def driver_models(self):
        return self.filter(kind=Framework.Kind.DRIVER_MODEL)

    def get_by_natural_key(self, slug: str) -> "Framework":
        return self.get(slug=slug)


class Framework(models.Model):
    """One loaded YAML file: a coaching progression or the Driver Model."""

    class Kind(models.TextChoices):
        PROGRESSION = "progression", "Coaching progression"
        DRIVER_MODEL = "driver-model", "Driver Model action steps"

    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    summary = models.TextField()
    intro = models.TextField(blank=True)
    source_title = models.CharField(max_length=300)
    source_publisher = models.CharField(max_length=300)
    source_url = models.URLField()
    source_note = models.TextField(blank=True)
    licence = models.CharField(max_length=100)
    licence_url = models.URLField()
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_progression(self) -> bool:
        return self.kind == self.Kind.PROGRESSION

    def phases_with_actions(self) -> list["Phase"]:
        """Phases in order, each with `current_actions`: two queries however much content there is."""
        current = Action.objects.current().order_by("number")
        return list(self.phases.prefetch_related(Prefetch("actions", queryset=current, to_attr="current_actions")))

    def driver_model_outline(self) -> tuple[list["Stage"], list["Domain"]]:
        """Stages, and live domains with live components, each component carrying `columns`:
        one (stage, groups) per stage, groups being (heading or "", [steps]). Four queries."""
        stages = list(self.stages.all())
        live_components = Component.objects.filter(retired=False).order_by("position")
        domains = list(
            self.domains.filter(retired=False).prefetch_related(
                Prefetch("components", queryset=live_components, to_attr="live_components")
            )
        )
        by_cell: dict[tuple[int, int], list[ActionStep]] = {}
        steps = ActionStep.objects.current().filter(component__framework=self).order_by("position")
        for step in steps:
            by_cell.setdefault((step.component_id, step.stage_id), []).append(step)
        for domain in domains:
            for component in domain.live_components:
                component.columns = [
                    (stage, ActionStep.grouped(by_cell.get((component.pk, stage.pk), []))) for stage in stages
                ]
        return stages, domains




class ContentLoad(models.Model):
    """What one load of one framework changed: the content's provenance trail."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="loads")
    loaded_at = models.DateTimeField()
    source_file = models.CharField(max_length=300)
    source_title = models.CharField(max_length=300)
    licence = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.framework.slug} @ {self.loaded_at:%Y-%m-%d %H:%M}"


class PhaseQuerySet(models.QuerySet):
    def get_by_natural_key(self, framework: str, kind: str) -> "Phase":
        return self.get(framework__slug=framework, kind=kind)


class Phase(models.Model):
    class Kind(models.TextChoices):
        FOUNDATION = "foundation", "Foundation"
        DIFFERENTIATED = "differentiated", "Differentiated"
        PERSONALIZED = "personalized", "Personalized"

    # The PL Toolbox's own words for each phase (Coaching Progressions page).
    DESCRIPTIONS = {
        Kind.FOUNDATION: "Identifies the sequence of teacher and student actions that must be mastered "
        "in order to establish the foundation for effective implementation of the model.",
        Kind.DIFFERENTIATED: "Identifies the sequence of teacher and student actions that enables "
        "differentiation for effective implementation.",
        Kind.PERSONALIZED: "Builds on the Foundation and Differentiated phases to identify the sequence "
        "of teacher and student actions that meet the need and interest of every learner.",
    }

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="phases")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    # False where the source does not contain this phase: shown as not yet available.
    available = models.BooleanField(default=True)

    objects = PhaseQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "kind"], name="phase_unique_kind")]

    def __str__(self) -> str:
        return f"{self.framework.name}: {self.get_kind_display()}"

    @property
    def description(self) -> str:
        return self.DESCRIPTIONS[self.kind]

    def natural_key(self) -> tuple:
        return (self.framework.slug, self.kind)

    natural_key.dependencies = ["progressions.framework"]


class Status(models.TextChoices):
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded by a later revision"
    RETIRED = "retired", "Retired (no longer in the source)"


class RevisionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status=Status.CURRENT)


class ActionQuerySet(RevisionQuerySet):
    def get_by_natural_key(self, framework: str, phase: str, number: int, revision: int) -> "Action":
        return self.get(phase__framework__slug=framework, phase__kind=phase, number=number, revision=revision)


class ActionStepQuerySet(RevisionQuerySet):
    def get_by_natural_key(self, framework: str, component: str, stage: str, position: int, revision: int):
        return self.get(
            component__framework__slug=framework,
            component__slug=component,
            stage__slug=stage,
            position=position,
            revision=revision,
        )


class SlugInFrameworkQuerySet(models.QuerySet):
    """Stages, domains and components: a slug unique within its framework."""

    def get_by_natural_key(self, framework: str, slug: str):
        return self.get(framework__slug=framework, slug=slug)


class Action(models.Model):
    """A numbered teacher/student action of a phase, with its possible next move."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField()
    revision = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    section = models.CharField(max_length=200)
    text = models.TextField("teacher/student action")
    next_move = models.TextField("possible next move to take")
    rubric_strands = models.JSONField(default=list, blank=True)
    inspiration = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["phase", "number", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "number", "revision"], name="action_unique_revision"),
            models.UniqueConstraint(
                fields=["phase", "number"], condition=Q(status="current"), name="action_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase} {self.number}"

    def natural_key(self) -> tuple:
        return (self.phase.framework.slug, self.phase.kind, self.number, self.revision)

    natural_key.dependencies = ["progressions.phase"]

    # The fields a revision compares: a change to any of them is a new revision.
    CONTENT_FIELDS = ("section", "text", "next_move", "rubric_strands", "inspiration")


class Stage(models.Model):
    """One of the Driver Model's three stages (its columns)."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="stages")
    slug = models.SlugField()
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    heading = models.CharField(max_length=200)

    objects = SlugInFrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="stage_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (self.framework.slug, self.slug)

    natural_key.dependencies = ["progressions.framework"]


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="domains")
    slug = models.SlugField()
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField()
    retired = models.BooleanField(default=False)

    objects = SlugInFrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="domain_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (self.framework.slug, self.slug)

    natural_key.dependencies = ["progressions.framework"]


class Component(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="components")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="components")
    slug = models.SlugField()
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    leap_codes = models.JSONField(default=list, blank=True)
    description = models.TextField()
    retired = models.BooleanField(default=False)

    objects = SlugInFrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["domain__position", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="component_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (self.framework.slug, self.slug)

    natural_key.dependencies = ["progressions.framework", "progressions.domain"]


class ActionStep(models.Model):
    """A bite-sized action step of one component at one stage, or a heading grouping steps."""

    class Kind(models.TextChoices):
        STEP = "step", "Action step"
        HEADING = "heading", "Heading"

    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="steps")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    revision = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STEP)
    text = models.TextField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ActionStepQuerySet.as_manager()

    class Meta:
        ordering = ["component", "stage__position", "position", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "stage", "position", "revision"], name="step_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["component", "stage", "position"], condition=Q(status="current"), name="step_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple:
        return (self.component.framework.slug, self.component.slug, self.stage.slug, self.position, self.revision)

    natural_key.dependencies = ["progressions.component", "progressions.stage"]

    CONTENT_FIELDS = ("kind", "text")

    @staticmethod
    def grouped(steps: list["ActionStep"]) -> list[tuple[str, list["ActionStep"]]]:
        """Steps under their headings: [("", steps before any heading), (heading, its steps), ...]."""
        groups: list[tuple[str, list[ActionStep]]] = []
        for step in steps:
            if step.kind == ActionStep.Kind.HEADING:
                groups.append((step.text, []))
            else:
                if not groups:
                    groups.append(("", []))
                groups[-1][1].append(step)
        return groups
