"""Content is read-only here: it comes from fixtures/*.yaml through load_progressions,
which keeps revisions; editing rows in the admin would bypass that."""

from django.contrib import admin

from .models import Action, ActionStep, Component, ContentLoad, Domain, Framework


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "licence", "loaded_at", "content_hash")


@admin.register(ContentLoad)
class ContentLoadAdmin(ReadOnlyAdmin):
    list_display = ("framework", "loaded_at", "source_file", "licence", "content_hash")
    list_select_related = ("framework",)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("phase", "number", "revision", "status", "section", "text")
    list_filter = ("phase__framework", "phase__kind", "status")
    list_select_related = ("phase__framework",)
    search_fields = ("text", "next_move")


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ("name", "framework", "retired")


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ("name", "domain", "retired")
    list_select_related = ("domain",)


@admin.register(ActionStep)
class ActionStepAdmin(ReadOnlyAdmin):
    list_display = ("component", "stage", "position", "revision", "status", "text")
    list_filter = ("component__domain", "stage", "status")
    list_select_related = ("component", "stage")
    search_fields = ("text",)
