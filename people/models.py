"""People: campuses, teachers (with or without a login), and the roles that decide what each user sees.

What a user may see is decided here, in querysets (`Teacher.objects.visible_to`), so every
view that lists or fetches people applies the same rule.
"""

import re
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class CampusQuerySet(models.QuerySet):
    def get_by_natural_key(self, code: str) -> "Campus":
        return self.get(code=code)


# A campus code is part of its summary's address: letters, digits, - and _ only.
CAMPUS_CODE = RegexValidator(r"^[A-Za-z0-9_-]+$", "Use only letters, digits, - and _ in a campus code.")


class Campus(models.Model):
    code = models.CharField(max_length=20, unique=True, validators=[CAMPUS_CODE])
    name = models.CharField(max_length=200)

    objects = CampusQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "campuses"

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class User(AbstractUser):
    """A person who signs in: a teacher with a login, a coach, a principal, a leader or a site admin."""

    employee_id = models.CharField(max_length=40, unique=True, null=True, blank=True)

    objects = UserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_set(self) -> list["Role"]:
        """This user's roles, read once per request."""
        return list(self.roles.all())

    def has_role(self, kind: str) -> bool:
        return any(role.kind == kind for role in self.role_set)

    def campus_ids(self, *kinds: str) -> set[int]:
        return {role.campus_id for role in self.role_set if role.kind in kinds and role.campus_id}

    @property
    def sees_every_campus(self) -> bool:
        return self.has_role(Role.Kind.DISTRICT_LEADER) or self.has_role(Role.Kind.SITE_ADMIN)

    @property
    def is_site_admin(self) -> bool:
        """Keeps the roster (people:roster's rule); the Django admin asks is_staff, set with the role."""
        return self.has_role(Role.Kind.SITE_ADMIN)

    @property
    def can_observe(self) -> bool:
        return any(self.has_role(kind) for kind in Role.OBSERVERS)

    @property
    def role_names(self) -> list[str]:
        names = [role.get_kind_display() for role in self.role_set]
        if hasattr(self, "teacher"):
            names.append("Teacher")
        return sorted(set(names))


class Role(models.Model):
    class Kind(models.TextChoices):
        COACH = "coach", "Coach"
        PRINCIPAL = "principal", "Principal"
        DISTRICT_LEADER = "district_leader", "District leader"
        SITE_ADMIN = "site_admin", "Site admin"

    CAMPUS_ROLES = (Kind.COACH, Kind.PRINCIPAL)
    OBSERVERS = (Kind.COACH, Kind.PRINCIPAL, Kind.DISTRICT_LEADER)  # who may walk a classroom

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A coach has one row per assigned campus; a principal one campus; leaders and admins none.
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, null=True, blank=True, related_name="roles")

    class Meta:
        ordering = ["user", "kind", "campus"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "campus"], name="role_unique"),
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(campus__isnull=True), name="role_unique_without_campus"
            ),
            models.UniqueConstraint(fields=["user"], condition=Q(kind="principal"), name="principal_one_campus"),
            models.CheckConstraint(
                condition=Q(kind__in=["coach", "principal"], campus__isnull=False)
                | Q(kind__in=["district_leader", "site_admin"], campus__isnull=True),
                name="role_campus_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}" + (f" ({self.campus})" if self.campus_id else "")


class TeacherQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeacherQuerySet":
        """The teachers this user may see: the one access rule for people, used by every view."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_every_campus:
            return self.all()
        rule = Q(campus_id__in=user.campus_ids(Role.Kind.COACH, Role.Kind.PRINCIPAL))
        rule |= Q(user_id=user.pk)  # a teacher sees their own page
        return self.filter(rule)

    def get_by_natural_key(self, key: str) -> "Teacher":
        return self.get(Q(employee_id=key) | Q(email=key))

    def matching(self, query: str) -> "TeacherQuerySet":
        """Teachers whose name, subject, grade band or campus holds every word of the query. Commas
        and semicolons part words too: "Alvarez, Maria" finds Maria Alvarez."""
        teachers = self
        for word in re.split(r"[\s,;]+", query.replace("\x00", "")):  # PostgreSQL text cannot hold NUL
            if word:
                teachers = teachers.filter(
                    Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(subject__icontains=word)
                    | Q(grade_band__icontains=word) | Q(campus__name__icontains=word)
                )  # fmt: skip
        return teachers


class Teacher(models.Model):
    """A teacher whom coaches observe. Many never sign in; those who do have a `user`."""

    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="teachers")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(null=True, blank=True)  # unique whatever its case: see Meta
    employee_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    grade_band = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="teacher")

    objects = TeacherQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(employee_id__isnull=False), name="teacher_identified"
            ),
            models.UniqueConstraint(Lower("email"), name="teacher_email_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def natural_key(self) -> tuple[str]:
        return (self.employee_id or self.email,)
