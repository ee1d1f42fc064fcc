"""Forms of the scoping pages: the as-at day, a register episode, a review, an upload, and the
survey an LA answers through its link."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.project.tables import FRAMEWORK_REGISTER
from csceval.strands.scoping.responses_io import MAX_BYTES
from csceval.strands.scoping.survey import framework_list, parse_since
from csceval.strands.scoping.tables import ROLES

DAY = ["%Y-%m-%d"]
KNOWN_FRAMEWORKS = (
    "Signs of Safety",
    "Family Safeguarding",
    "Systemic practice",
    "Restorative practice",
    "Motivational practice",
    "Strengthening families",
)
"""Frameworks the survey offers as choices (besides the evaluation's own and any other)."""

LABELS: dict[str, str] = {
    "whole_service": "The whole children's social care service",
    "some_teams": "Some teams only",
    "unknown": "Not known",
    "external": "The framework's own or licensed trainers",
    "in_house": "The council's own trainers",
    "mixed": "Both",
    "none": "No training",
    "licensed": "Yes, we hold a licence or agreement",
    "unlicensed": "No licence",
    "not_applicable": "Not applicable (the framework needs no licence)",
    "director": "Director of children's services",
    "assistant_director": "Assistant director",
    "head_of_service": "Head of service",
    "principal_social_worker": "Principal social worker",
    "practice_lead": "Practice lead",
    "performance_analyst": "Performance analyst",
    "other": "Another role",
}


def choices(column: str) -> list[tuple[str, str]]:
    """A register column's allowed values with plain labels."""
    allowed = FRAMEWORK_REGISTER.column(column).allowed or ()
    return [(v, LABELS.get(v, v.replace("_", " ").capitalize())) for v in allowed]


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        required=required,
        input_formats=DAY,
        error_messages={
            "required": f"Enter {label}",
            "invalid": f"Enter {label} as a date like 2019-04-01",
        },
    )


class AsAtForm(forms.Form):
    as_at = _date("the day to read the register at")
    history = forms.BooleanField(required=False)


class EpisodeForm(forms.Form):
    """One episode's values; a reason is required for every change (it joins the history)."""

    framework = forms.CharField(
        max_length=200, error_messages={"required": "Enter the framework's name"}
    )
    extent = forms.ChoiceField(
        choices=choices("extent"), error_messages={"required": "Select how widely it is used"}
    )
    started = _date("the first day of use")
    ended = _date("the last day of use")
    precision = forms.ChoiceField(
        choices=[("", "Not given"), *choices("precision")], required=False
    )
    training = forms.ChoiceField(
        choices=choices("training"), error_messages={"required": "Select who trains staff"}
    )
    licensing = forms.ChoiceField(
        choices=choices("licensing"), error_messages={"required": "Select the licensing"}
    )
    source = forms.ChoiceField(
        choices=choices("source"), error_messages={"required": "Select the source"}
    )
    confidence = forms.ChoiceField(
        choices=choices("confidence"), error_messages={"required": "Select the confidence"}
    )
    recorded = _date("the day it was recorded")
    reason = forms.CharField(
        max_length=500, error_messages={"required": "Say why the register changes"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        started, ended = data.get("started"), data.get("ended")
        if started and ended and ended < started:
            self.add_error("ended", "CSC-E2021: the last day of use must be on or after the first")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=500, error_messages={"required": "Say why the episode is withdrawn"}
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accepted", "Accept into the register"),
            ("query", "Send back to the LA with a query"),
            ("rejected", "Reject"),
        ],
        error_messages={"required": "Select a decision"},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        error_messages={
            "required": "Select a CSV or Excel file of responses",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or Excel file of responses",
        }
    )
    sheet = forms.CharField(max_length=31, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"CSC-E3501: the selected file must be smaller than {MAX_BYTES // 1_000_000} MB"
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                "CSC-E3501: the selected file must be a CSV (.csv) or Excel workbook (.xlsx)"
            )
        return upload


NONE_CHOICE = "none"


class SurveyForm(forms.Form):
    """The scoping survey: which framework(s), how widely, since when, training, licence, role."""

    frameworks = forms.MultipleChoiceField(required=False)
    other = forms.CharField(max_length=200, required=False)
    extent = forms.ChoiceField(
        choices=choices("extent"), error_messages={"required": "Select how widely it is used"}
    )
    since = forms.CharField(max_length=10, required=False)
    training = forms.ChoiceField(
        choices=choices("training"), error_messages={"required": "Select who trains your staff"}
    )
    licensing = forms.ChoiceField(
        choices=choices("licensing"),
        error_messages={"required": "Select whether you hold a licence"},
    )
    respondent_role = forms.ChoiceField(
        choices=[(r, LABELS[r]) for r in ROLES], error_messages={"required": "Select your role"}
    )

    def __init__(self, *args: Any, offered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["frameworks"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [*((f, f) for f in offered), (NONE_CHOICE, "None: we use no framework")]

    def clean_since(self) -> str:
        text = str(self.cleaned_data.get("since") or "").strip()
        try:
            parse_since(text)
        except ValueError:
            raise forms.ValidationError(
                "CSC-E3504: enter since when as a year like 2016, a month like 2016-04 or a "
                "date like 2016-04-01"
            ) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = list(data.get("frameworks") or [])
        other = framework_list(str(data.get("other") or "").replace(",", ";"))
        if NONE_CHOICE in chosen and (len(chosen) > 1 or other):
            self.add_error("frameworks", "Select none, or the frameworks you use, not both")
        elif not chosen and not other:
            self.add_error("frameworks", "Select the frameworks you use, or none")
        return data

    def full_clean(self) -> None:
        """Errors in the order of the questions, so the error summary follows the page."""
        super().full_clean()
        errors = self.errors
        order = {name: k for k, name in enumerate(self.fields)}
        ordered = sorted(errors.items(), key=lambda item: order.get(item[0], -1))
        errors.clear()
        errors.update(ordered)

    def named(self) -> str:
        """The frameworks answered, as the responses table writes them (``a; b`` or ``none``)."""
        chosen = [f for f in self.cleaned_data["frameworks"] if f != NONE_CHOICE]
        other = framework_list(str(self.cleaned_data.get("other") or "").replace(",", ";"))
        names = list(dict.fromkeys([*chosen, *other]))
        return "; ".join(names) if names else NONE_CHOICE
