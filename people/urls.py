from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("teachers/", views.teacher_list, name="teacher-list"),
    path("teachers/<int:pk>/", views.teacher_detail, name="teacher"),
    path("roster/", views.roster_upload, name="roster"),
]
