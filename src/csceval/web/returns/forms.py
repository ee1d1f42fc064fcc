"""Forms of the return pages, with error texts written the GOV.UK way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from csceval.web.returns.models import period_label
from csceval.web.returns.upload import MAX_UPLOAD_BYTES


def year_choices() -> list[tuple[str, str]]:
    """The last five years ending 31 March and the current one, newest first."""
    now = timezone.now()
    current = now.year + (1 if now.month > 3 else 0)
    return [
        (str(y), f"{period_label(y)} (year ending 31 March {y})")
        for y in range(current, current - 6, -1)
    ]


class StartForm(forms.Form):
    year = forms.TypedChoiceField(
        coerce=int,
        choices=year_choices,
        error_messages={
            "required": "Select the year of the return",
            "invalid_choice": "Select one of the years listed",
        },
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        error_messages={
            "required": "Select the completed return template",
            "empty": "The selected file is empty",
            "invalid": "Select the completed return template",
        }
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("The selected file must be an Excel workbook (.xlsx)")
        return upload


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("has_issues", "It has issues")],
        error_messages={"required": "Select whether you approve the return"},
    )
    comment = forms.CharField(required=False, max_length=4000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "has_issues" and not data.get("comment", "").strip():
            self.add_error("comment", "Say what the issues are")
        return data


class UnlockForm(forms.Form):
    reason = forms.CharField(
        max_length=4000, error_messages={"required": "Give the reason for unlocking the return"}
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        max_length=4000,
        error_messages={
            "required": "Enter a comment",
            "max_length": "The comment must be 4,000 characters or fewer",
        },
    )
