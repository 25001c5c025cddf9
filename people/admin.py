from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Campus, Role, Teacher, User


class RoleInline(admin.TabularInline):
    model = Role
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
