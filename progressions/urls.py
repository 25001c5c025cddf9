from django.urls import path

from . import views

app_name = "progressions"
urlpatterns = [
    path("", views.home, name="home"),
    path("progressions/<slug:slug>/", views.progression_detail, name="progression"),
    path("action-steps/<slug:slug>/", views.driver_model_detail, name="driver-model"),
]
