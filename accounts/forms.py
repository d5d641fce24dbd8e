from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import throttling
from accounts.addresses import client_ip
from accounts.models import TOKEN_NAME_MAX_LENGTH, User


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email (optional)"), required=False)

    class Meta:
        model = User
        fields = ("username", "email")


class ThrottledLogin:
    """Refuses to even check the password while accounts.throttling says to wait; counts failures.

    Mixed into every form that checks a password by user name, the admin's login included, so
    no door is left without the limits.
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        wait = throttling.login_wait(username=username, ip=ip) if username else 0
        if wait:
            raise forms.ValidationError(throttling.login_refused_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttling.login_failed(username=username, ip=ip)
            raise
        throttling.login_succeeded(username=username, ip=ip)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("list_titles_open_copy",)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=TOKEN_NAME_MAX_LENGTH, required=False)


class AccountDeleteForm(forms.Form):
    """The account's own password, checked under the login limits so it cannot be guessed here."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, ip: str | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.ip = user, ip

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        wait = throttling.login_wait(username=self.user.get_username(), ip=self.ip)
        if wait:
            raise forms.ValidationError(throttling.login_refused_message(wait), code="throttled")
        if not self.user.check_password(password):
            throttling.login_failed(username=self.user.get_username(), ip=self.ip)
            raise forms.ValidationError(_("That is not your password."), code="password_incorrect")
        return password
