from django.urls import path

from . import debrief_views, views, walk_views

app_name = "observations"
urlpatterns = [
    path("walkthroughs/", views.walkthrough_list, name="walkthrough-list"),
    path("walkthroughs/new/", views.walkthrough_new, name="walkthrough-new"),
    path("reflections/new/", views.reflection_new, name="reflection-new"),
    path("walkthroughs/<int:pk>/", views.walkthrough_detail, name="walkthrough"),
    path("walkthroughs/<int:pk>/answer/", views.walkthrough_answer_view, name="answer"),
    path("walkthroughs/<int:pk>/back/", views.walkthrough_back_view, name="back"),
    path("walkthroughs/<int:pk>/focus/", views.walkthrough_focus_view, name="focus"),
    path("walkthroughs/<int:pk>/focus/<int:component_pk>/remove/", views.walkthrough_unfocus_view, name="unfocus"),
    path("walkthroughs/<int:pk>/finish/", views.walkthrough_finish_view, name="finish"),
    path("walkthroughs/<int:pk>/reopen/", views.walkthrough_reopen_view, name="reopen"),
    path("walkthroughs/<int:pk>/correct/", views.walkthrough_correct_view, name="correct"),
    path("walkthroughs/<int:pk>/discard/", views.walkthrough_discard_view, name="discard"),
    path("walks/", walk_views.walk_list, name="walk-list"),
    path("walks/new/", walk_views.walk_new, name="walk-new"),
    path("walks/<int:pk>/", walk_views.walk_detail, name="walk"),
    path("walks/<int:pk>/edit/", walk_views.walk_edit, name="walk-edit"),
    path("walks/<int:pk>/close/", walk_views.walk_close, name="walk-close"),
    path("walks/<int:pk>/reopen/", walk_views.walk_reopen, name="walk-reopen"),
    path("walks/<int:pk>/debrief/", debrief_views.walk_debrief, name="walk-debrief"),
    path("walks/<int:pk>/debrief.csv", debrief_views.walk_debrief_csv, name="walk-debrief-csv"),
]
