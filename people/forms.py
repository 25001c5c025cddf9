from django.contrib.auth.forms import PasswordResetForm

from .models import User


class FirstPasswordResetForm(PasswordResetForm):
    """Also reaches people who have never set a password.

    Roster imports create logins without one; "Forgot your password?" is how they
    choose their first. Django's own form skips unusable passwords.
    """

    def get_users(self, email):
        return (u for u in User.objects.filter(email__iexact=email, is_active=True) if u.email)
