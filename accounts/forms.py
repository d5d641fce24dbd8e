from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import TOKEN_NAME_MAX_LENGTH, User


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email (optional)"), required=False)

    class Meta:
        model = User
        fields = ("username", "email")


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to even check the password after too many recent failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Please wait 15 minutes and try again."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = services.client_ip(self.request) if self.request else None
        if username and services.login_blocked(username=username, ip=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_failed(username=username, ip=ip)
            raise
        services.login_succeeded(username=username)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=TOKEN_NAME_MAX_LENGTH, required=False)
