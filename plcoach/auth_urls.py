"""Django's authentication views, each with its access rule."""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from people.forms import FirstPasswordResetForm, SignInForm

from .access import public, signed_in
from .throttle import address_throttled

urlpatterns = [
    path(
        "login/",
        public(address_throttled(auth.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm))),
        name="login",
    ),
    path("logout/", public(auth.LogoutView.as_view()), name="logout"),
    path("password/", signed_in(auth.PasswordChangeView.as_view()), name="password_change"),
    path("password/done/", signed_in(auth.PasswordChangeDoneView.as_view()), name="password_change_done"),
    path("password/reset/", public(auth.PasswordResetView.as_view(form_class=FirstPasswordResetForm)), name="password_reset"),
    path("password/reset/sent/", public(auth.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        public(auth.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete"))),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", public(auth.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]
