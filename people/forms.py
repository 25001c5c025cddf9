from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .models import User


class FirstPasswordResetForm(PasswordResetForm):
    """Also reaches people who have never set a password.

    Roster imports create logins without one; "Forgot your password?" is how they
    choose their first. Django's own form skips unusable passwords.
    """

    def get_users(self, email):
        return (u for u in User.objects.filter(email__iexact=email, is_active=True) if u.email)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any before anyone is asked: Django sets
    the length on the input only, and a longer one reached the lockout records (255 characters): a 500."""

    def clean(self):
        if len(self.cleaned_data.get("username") or "") > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return super().clean()
