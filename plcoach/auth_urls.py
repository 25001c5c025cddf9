"""Django's authentication views, each with its access rule."""

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from people.forms import FirstPasswordResetForm, SignInForm

from .access import public, signed_in
from .throttle import address_throttled


class RefusedAs400:
    """A refused form answers 400, as every other form in the app does; Django's own answer 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignInView(RefusedAs400, auth.LoginView):
    pass


class PasswordChangeView(RefusedAs400, auth.PasswordChangeView):
    pass


class PasswordResetView(RefusedAs400, auth.PasswordResetView):
    pass


class PasswordResetConfirmView(RefusedAs400, auth.PasswordResetConfirmView):
    def form_valid(self, form):
        """A new password, chosen through the account's own mailbox, lifts the account's sign-in
        lock: the lockout page offers the reset as the way back in."""
        response = super().form_valid(form)
        if username := form.user.get_username():  # axes resets every account for no username
            axes_reset(username=username)
        return response

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        # A used, expired or mangled link: the page says so and asks for a new one.
        if response.status_code == 200 and not self.validlink:
            response.status_code = 400
        return response


urlpatterns = [
    path(
        "login/",
        public(address_throttled(SignInView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm))),
        name="login",
    ),
    path("logout/", public(auth.LogoutView.as_view()), name="logout"),
    path("password/", signed_in(PasswordChangeView.as_view()), name="password_change"),
    path("password/done/", signed_in(auth.PasswordChangeDoneView.as_view()), name="password_change_done"),
    path("password/reset/", public(PasswordResetView.as_view(form_class=FirstPasswordResetForm)), name="password_reset"),
    path("password/reset/sent/", public(auth.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        public(PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete"))),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", public(auth.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]
