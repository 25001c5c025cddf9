from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.pauses, name="pauses"),
    path("dashboard/coverage/", views.coverage, name="coverage"),
    path("dashboard/trends/", views.trends, name="trends"),
    path("dashboard/export.csv", views.export, name="export"),
]
