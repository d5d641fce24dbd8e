from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from snapshots.links.tagging import split_tag_string
from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    NOTES_INPUT_MAX_LENGTH,
    TAG_INPUT_MAX_LENGTH,
    TAGS_INPUT_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    URL_INPUT_MAX_LENGTH,
    Link,
)

# Django's own Chinese catalog leaves the label suffix ":" in ASCII (标题:); naming it here puts
# it in ours, which goes first, as a Chinese colon (标题：).
gettext_noop(":")

# The chip widget (static/js/tags.js) reads its remove button's label from the field.
_TAGS_INPUT_ATTRS = {"list": "tag-suggestions", "autocomplete": "off", "data-chip-remove": _("Remove tag")}


class LinkForm(forms.Form):
    """Input shape only; the rules (normalising, duplicates, tag limits) live in services."""

    url = forms.CharField(
        label=_("URL"),
        max_length=URL_INPUT_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autofocus": True, "placeholder": "https://", "inputmode": "url"}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=TAGS_INPUT_MAX_LENGTH,
        help_text=_("Separate tags with commas, e.g. <kbd>政府, 报告</kbd>"),
        widget=forms.TextInput(attrs=_TAGS_INPUT_ATTRS),
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_INPUT_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_INPUT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        help_text=_("Private: never shown in shared collections."),
        max_length=NOTES_INPUT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unread = forms.BooleanField(label=_("Mark as unread"), required=False)
    keep_as_served = forms.BooleanField(
        label=_("Keep the page exactly as served"),
        required=False,
        help_text=_("Do not hide cookie dialogs, login walls or “open in app” bars in the screenshot."),
    )
    recapture = forms.ChoiceField(label=_("Re-capture"), choices=Link.Schedule.choices, required=False)

    def __init__(self, *args: object, stored: Mapping[str, str] | None = None, **kwargs: object) -> None:
        """`stored`: the link's values as saved. One longer than today's input limit (saved before
        the limit existed) can be sent back, unchanged or edited: the field makes room for it and
        its usual limit again, and the service judges what changed, in its own words."""
        super().__init__(*args, **kwargs)
        for name, value in (stored or {}).items():
            field = self.fields[name]
            if isinstance(field, forms.CharField) and field.max_length and len(value) > field.max_length:
                field.max_length += len(value)
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs["maxlength"] = str(field.max_length)

    def tag_list(self) -> list[str]:
        return split_tag_string(self.cleaned_data.get("tags", ""))


class PageUploadForm(forms.Form):
    """A page the owner saved in their own browser; the file is vetted by links.uploads."""

    url = forms.CharField(
        label=_("Address of the page"),
        max_length=URL_INPUT_MAX_LENGTH,
        help_text=_("Where the page was when you saved it. If you saved it already, it becomes a new version."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    file = forms.FileField(
        label=_("Saved page (.html or .mhtml)"),
        help_text=_("Saved with your browser's “Save page as” or with SingleFile. Scripts in it never run."),
        widget=forms.ClearableFileInput(attrs={"accept": ".html,.htm,.mhtml,.mht,text/html,multipart/related"}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=TAGS_INPUT_MAX_LENGTH,
        widget=forms.TextInput(attrs=_TAGS_INPUT_ATTRS),
    )

    def tag_list(self) -> list[str]:
        return split_tag_string(self.cleaned_data.get("tags", ""))


class TagRenameForm(forms.Form):
    old = forms.CharField(label=_("Tag"), max_length=TAG_INPUT_MAX_LENGTH, widget=forms.HiddenInput)
    new = forms.CharField(
        label=_("New name"), max_length=TAG_INPUT_MAX_LENGTH, error_messages={"required": _("Enter a new tag name.")}
    )


_MERGE_REQUIRED = {"required": _("Name the tags to merge and the tag to merge them into.")}


class TagMergeForm(forms.Form):
    sources = forms.CharField(
        label=_("Tags to merge"),
        help_text=_("Comma-separated"),
        max_length=TAGS_INPUT_MAX_LENGTH,
        error_messages=_MERGE_REQUIRED,
    )
    target = forms.CharField(label=_("Into tag"), max_length=TAG_INPUT_MAX_LENGTH, error_messages=_MERGE_REQUIRED)
