"""Input shapes for sharing and reporting; the rules live in sharing.py and moderation.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from snapshots.models import (
    AUDIT_REASON_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    REPORT_MESSAGE_MAX_LENGTH,
    SHARE_TITLE_MAX_LENGTH,
    TAG_MAX_LENGTH,
    Report,
)
from snapshots.sharing.auditlog import ACTIONS, AuditFilter
from snapshots.sharing.moderation import Action

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


class ShareForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=TAG_MAX_LENGTH, widget=forms.TextInput(attrs={"list": "my-tags"}))
    title = forms.CharField(label=_("Title"), max_length=SHARE_TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Leave empty to keep the collection online until you pause or delete it."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ShareEditForm(ShareForm):
    active = forms.BooleanField(label=_("Online (uncheck to pause)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["tag"]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.Reason.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=REPORT_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResolveForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=Action.choices)
    reason = forms.CharField(
        label=_("Why"),
        max_length=AUDIT_REASON_MAX_LENGTH,
        help_text=_("Written to the audit log. If you hide a link, its owner reads this too."),
        widget=forms.TextInput,
    )

    def __init__(self, *args, actions: list[tuple[str, str]] | None = None, **kwargs):
        """`actions`: the decisions this report allows (moderation.actions_for); others are refused."""
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["action"].choices = actions


class AuditFilterForm(forms.Form):
    """The audit page's filters, read from the query string; every one may be left empty."""

    action = forms.ChoiceField(label=pgettext_lazy("audit log", "Action"), required=False)
    actor = forms.CharField(label=_("Staff member"), required=False, max_length=USERNAME_MAX_LENGTH)
    target_user = forms.CharField(label=_("About the account"), required=False, max_length=USERNAME_MAX_LENGTH)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Every action")), *ACTIONS.items()]
        self.fields["actor"].widget.attrs["list"] = "staff-names"

    def chosen(self) -> AuditFilter:
        """The filter asked for; a field that does not validate is left out rather than failing the page."""
        self.is_valid()  # cleaned_data keeps the fields that validated
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action") or "",
            actor=(data.get("actor") or "").strip(),
            target_user=(data.get("target_user") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
