"""Forms of the interview pages (each field with its own GOV.UK-style error messages)."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.strands.interviews.tables import ROLES, SCOPES
from csceval.web.family_goals.forms import DateFields
from csceval.web.interviews.review import KINDS

ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
CODE_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


def _req(text: str, invalid: str = "") -> dict[str, str]:
    return {"required": text, "invalid": invalid or text, "max_length": invalid or text}


class InterviewForm(forms.Form):
    interview_id = forms.RegexField(
        ID,
        error_messages=_req(
            "Enter the interview id",
            "Enter an id of letters, digits, dots, dashes or underscores, "
            "for example INT-871-T1-03",
        ),
    )
    time_point = forms.ChoiceField(error_messages=_req("Select the time point"))
    kind = forms.ChoiceField(
        choices=[("interview", "Interview"), ("focus_group", "Focus group")],
        error_messages=_req("Select interview or focus group"),
    )

    def __init__(self, *args: Any, time_points: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_point"].choices = [
            (tp["id"], tp["id"] if tp["label"] == tp["id"] else f"{tp['id']}: {tp['label']}")
            for tp in time_points
        ]


class ParticipantForm(DateFields):
    date_prefix = "consent_date"
    pseudonym = forms.RegexField(
        r"^R-[A-Za-z0-9]{1,16}$",
        error_messages=_req(
            "Enter the participant's pseudonym", "Enter a pseudonym like R-0101, never a name"
        ),
    )
    role = forms.ChoiceField(
        choices=[(r, r.replace("_", " ").capitalize()) for r in ROLES],
        error_messages=_req("Select the role group"),
    )
    form_version = forms.CharField(
        max_length=16,
        error_messages=_req(
            "Enter the consent form version", "Enter a version of 16 characters or fewer"
        ),
    )
    scope = forms.ChoiceField(
        choices=[(s, s.replace("_", " ").capitalize()) for s in SCOPES],
        error_messages=_req("Select what the consent covers"),
    )

    def participant_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d[k] for k in ("pseudonym", "role", "form_version", "consent_date", "scope")}


class UploadForm(forms.Form):
    file = forms.FileField(
        error_messages=_req(
            "Choose a transcript file to upload", "Choose a transcript file to upload"
        )
    )


class MissedForm(forms.Form):
    words = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=[(k, k.replace("_", " ")) for k in KINDS], required=False)


class SegmentForm(forms.Form):
    """A segment chosen by keyboard (turn, then characters) or filled in by mouse selection."""

    turn = forms.IntegerField(
        min_value=1,
        error_messages=_req(
            "Enter the turn number", "Enter a turn number shown beside the transcript"
        ),
    )
    start = forms.IntegerField(
        min_value=1,
        required=False,
        error_messages=_req("Enter the first character as a whole number, 1 or more"),
    )
    end = forms.IntegerField(
        min_value=1,
        required=False,
        error_messages=_req("Enter the last character as a whole number"),
    )
    codes = forms.MultipleChoiceField(
        error_messages={
            "required": "Select at least one code",
            "invalid_choice": "Select codes of the codebook",
        }
    )

    def __init__(self, *args: Any, code_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = code_choices


class CodeForm(forms.Form):
    code_id = forms.RegexField(
        CODE_ID,
        error_messages=_req(
            "Enter the new code's id", "Enter an id of small letters, digits, dashes or underscores"
        ),
    )
    title = forms.CharField(max_length=200, error_messages=_req("Enter the code's title"))
    definition = forms.CharField(max_length=2000, error_messages=_req("Enter a definition"))
    parent = forms.CharField(max_length=64, required=False)


class MemoForm(forms.Form):
    target = forms.CharField(max_length=80, error_messages=_req("Select what the memo is about"))
    text = forms.CharField(max_length=10_000, error_messages=_req("Write the memo"))
    version = forms.IntegerField(required=False, min_value=1)


class ShareForm(forms.Form):
    share = forms.IntegerField(
        min_value=1,
        max_value=100,
        error_messages=_req(
            "Enter the share of transcripts to double code", "Enter a whole number from 1 to 100"
        ),
    )
    first = forms.ChoiceField(error_messages=_req("Select the first coder"))
    second = forms.ChoiceField(error_messages=_req("Select the second coder"))

    def __init__(self, *args: Any, coders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first"].choices = coders
        self.fields["second"].choices = coders
