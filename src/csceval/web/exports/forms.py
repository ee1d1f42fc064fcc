"""The export form: format, de-identification and, for row-level data, the purpose."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.web.exports.services import MIN_PURPOSE_CHARS
from csceval.web.exports.writers import FORMATS


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in FORMATS.items()],
        error_messages={
            "required": "Select a file format",
            "invalid_choice": "Select one of the file formats listed",
        },
    )
    deidentified = forms.BooleanField(required=False)
    purpose = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, rowlevel: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rowlevel = rowlevel

    def clean_purpose(self) -> str:
        purpose = str(self.cleaned_data.get("purpose", "")).strip()
        if self.rowlevel and len(purpose) < MIN_PURPOSE_CHARS:
            raise forms.ValidationError(
                "Say what you need the row-level data for"
                f" (at least {MIN_PURPOSE_CHARS} characters)"
            )
        return purpose
