from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("walkthroughs/<int:pk>/summary/", views.walkthrough_summary, name="walkthrough"),
    path("walkthroughs/<int:pk>/summary.pdf", views.walkthrough_summary_pdf, name="walkthrough-pdf"),
    path("teachers/<int:pk>/summary/", views.teacher_summary, name="teacher"),
    path("teachers/<int:pk>/summary.pdf", views.teacher_summary_pdf, name="teacher-pdf"),
    path("campuses/<str:code>/summary/", views.campus_summary, name="campus"),
    path("campuses/<str:code>/summary.pdf", views.campus_summary_pdf, name="campus-pdf"),
    path("walks/<int:pk>/debrief/print/", views.walk_debrief, name="walk-debrief"),
    path("walks/<int:pk>/debrief.pdf", views.walk_debrief_pdf, name="walk-debrief-pdf"),
    path("dashboard/print/", views.dashboard_pauses, name="dashboard-pauses"),
    path("dashboard/pauses.pdf", views.dashboard_pauses_pdf, name="dashboard-pauses-pdf"),
    path("dashboard/coverage/print/", views.dashboard_coverage, name="dashboard-coverage"),
    path("dashboard/coverage.pdf", views.dashboard_coverage_pdf, name="dashboard-coverage-pdf"),
    path("dashboard/trends/print/", views.dashboard_trends, name="dashboard-trends"),
    path("dashboard/trends.pdf", views.dashboard_trends_pdf, name="dashboard-trends-pdf"),
]
