from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.contrib.auth.admin import UserAdmin

from .models import Campus, Role, Teacher, User


class RoleFormSet(BaseInlineFormSet):
    """Refuses the roles the database would refuse (a 500): the inline's forms leave out the user,
    so Django does not check the conditional constraints that name it. (A row repeated whole, Django's
    own check of the formset catches.)"""

    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kinds = [row.get("kind") for row in kept]
        if kinds.count(Role.Kind.PRINCIPAL) > 1:
            raise ValidationError("A principal leads one campus: keep one Principal row.")
        for kind in (Role.Kind.DISTRICT_LEADER, Role.Kind.SITE_ADMIN):
            if kinds.count(kind) > 1:
                raise ValidationError(f"{Role.Kind(kind).label} is held once: keep one row of it.")


class RoleInline(admin.TabularInline):
    model = Role
    formset = RoleFormSet
    extra = 0


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "employee_id", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "employee_id")
    fieldsets = UserAdmin.fieldsets + (("District", {"fields": ("employee_id",)}),)
    inlines = [RoleInline]


@admin.register(Campus)
class CampusAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "campus", "grade_band", "subject", "employee_id", "email", "user")
    list_filter = ("campus", "grade_band", "subject")
    search_fields = ("first_name", "last_name", "email", "employee_id")
    list_select_related = ("campus", "user")
    raw_id_fields = ("user",)  # the autocomplete widget raised a 500 redisplaying an id that was not a number
