from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView, PasswordResetView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services, throttling
from accounts.addresses import client_ip
from accounts.forms import AccountDeleteForm, PreferencesForm, SignupForm, TokenForm
from snapshots.storage.quota import storage_usage


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("snapshots:link_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to linkhome! Save your first link below."))
        return redirect("snapshots:link_list")
    return render(request, "accounts/signup.html", {"form": form})


class LogoutWithNotice(LogoutView):
    """Log out, then say so on the page that follows: without a word, a click on "Log out" that
    lands on the welcome page looks like nothing happened, or like the session expired."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        was_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_in:
            # The session is gone; the message travels in the message cookie.
            messages.success(request, _("You have logged out. See you soon."))
        return response


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    new_secret = request.session.pop("new_token_secret", None)
    return render(
        request,
        "accounts/settings.html",
        {
            "tokens": request.user.api_tokens.filter(revoked__isnull=True),
            "token_form": TokenForm(),
            "preferences_form": PreferencesForm(instance=request.user),
            "new_secret": new_secret,
            "storage": storage_usage(request.user),
        },
    )


@login_required
@require_POST
def preferences_save(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
    return redirect("accounts:settings")


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        _token, secret = services.token_create(user=request.user, name=form.cleaned_data["name"])
        request.session["new_token_secret"] = secret
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
    return redirect("accounts:settings")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id, revoked__isnull=True)
    services.token_revoke(token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:settings")


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user, ip=client_ip(request))
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account, its links, snapshots and collections have been deleted."))
        return redirect("accounts:login")
    context = {"form": form, "links": request.user.links.count(), "shares": request.user.shares.count()}
    return render(request, "accounts/delete.html", context)


class LimitedPasswordResetView(PasswordResetView):
    """Reset mail within accounts.throttling's limits; the page never says whether an account exists."""

    def form_valid(self, form):
        try:
            send = throttling.password_reset_record(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except throttling.ResetRateExceeded:
            form.add_error(None, _("You have asked for many reset mails recently. Please try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if not send:
            return HttpResponseRedirect(self.get_success_url())  # the same page as when mail went
        return super().form_valid(form)
