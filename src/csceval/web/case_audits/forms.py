"""Forms: drawing a sample, rating a case from its instrument, reconciling disagreements."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.strands.quality_of_recording.identifiers import identifier_kind
from csceval.strands.quality_of_recording.instrument import (
    NA,
    NO,
    YES,
    AuditSection,
    Instrument,
    Item,
    Scale,
)
from csceval.strands.quality_of_recording.sampling import ALLOCATIONS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
"""Below Django's FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), so a case list never touches the disk."""
FREE_TEXT_MAX = 1000
SUFFIXES = (".csv", ".xlsx")


class SampleForm(forms.Form):
    """The case list, the LA's key (never rendered back), time point, size and second share."""

    file = forms.FileField(
        error_messages={
            "required": "Select the LA's case list (a CSV or .xlsx file up to 2 MB)",
            "empty": "The selected file is empty",
            "invalid": "Select the LA's case list",
        }
    )
    key = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "Enter the LA's pseudonym key"},
    )
    time_point = forms.ChoiceField(error_messages={"required": "Select the time point"})
    n = forms.IntegerField(
        initial=10,
        min_value=1,
        max_value=200,
        error_messages={
            "required": "Enter the number of cases to sample",
            "invalid": "Enter the number of cases as a whole number",
            "min_value": "Sample at least 1 case",
            "max_value": "Sample at most 200 cases",
        },
    )
    allocation = forms.ChoiceField(
        choices=[(a, a.capitalize()) for a in ALLOCATIONS],
        initial=ALLOCATIONS[0],
        error_messages={"required": "Select how the sample is shared between strata"},
    )
    second_share = forms.IntegerField(
        initial=20,
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the share of cases to rate twice",
            "invalid": "Enter the share of cases to rate twice as a whole number",
            "min_value": "The share of cases to rate twice must be 0 or more",
            "max_value": "The share of cases to rate twice must be 100 or less",
        },
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        error_messages={
            "invalid": "Enter the seed as a whole number",
            "min_value": "The seed must be 0 or more",
            "max_value": "The seed is too large",
        },
    )

    def __init__(self, *args: Any, time_points: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_point"].choices = [(tp["id"], tp["label"]) for tp in time_points]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2 MB")
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError("The selected file must be a CSV file or an Excel .xlsx")
        return upload


def identifier_in_text(text: str) -> str | None:
    """The kind of direct identifier a free-text note holds (NHS number, UPN, postcode), if any.

    Every run of one to three words is checked, so ``943 476 5919`` and ``SW1A 1AA`` are found.
    """
    words = [w.strip(".,;:()[]'\"") for w in text.split()]
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            kind = identifier_kind(" ".join(words[i : i + size]))
            if kind is not None:
                return kind
    return None


def field_name(item_id: str) -> str:
    return f"item_{item_id}"


def choices(scale: Scale) -> list[tuple[str, str, str]]:
    """(value, label, hint) for each answer an auditor may give on ``scale``."""
    if scale.kind == "ordinal":
        out = [(str(a.value), f"{a.value}: {a.label}", a.meaning) for a in scale.anchors]
    elif scale.kind == "yes_no":
        out = [(YES, "Yes", ""), (NO, "No", "")]
    else:
        out = []
    return out + ([(NA, "Not applicable", "")] if scale.allow_na else [])


class RatingForm(forms.Form):
    """One field per instrument item; ``completing`` makes every scored item required."""

    def __init__(
        self, *args: Any, instrument: Instrument, completing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.completing = completing
        for _, item, scale in instrument.items():
            if scale.kind == "free_text":
                self.fields[field_name(item.id)] = forms.CharField(
                    required=False,
                    max_length=FREE_TEXT_MAX,
                    error_messages={"max_length": f"The note on '{item.text}' is too long"},
                )
            else:
                self.fields[field_name(item.id)] = forms.ChoiceField(
                    required=False,
                    choices=[(v, label) for v, label, _ in choices(scale)],
                    error_messages={"invalid_choice": "Select one of the answers given"},
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for _, item, scale in self.instrument.items():
            name = field_name(item.id)
            kind = (
                identifier_in_text(str(data.get(name) or "")) if scale.kind == "free_text" else None
            )
            if kind is not None:
                self.add_error(
                    name,
                    f"This note seems to hold {'an' if kind[0] in 'NU' else 'a'} {kind}: "
                    "remove personal details",
                )
        if self.completing:
            for _, item, scale in self.instrument.items():
                name = field_name(item.id)
                if scale.scored and not data.get(name) and name not in self.errors:
                    self.add_error(name, "Select an answer")
        return data

    def answers(self) -> dict[str, str]:
        """Answered items (value as text); unanswered ones are left out."""
        out = {}
        for _, item, _ in self.instrument.items():
            value = str(self.cleaned_data.get(field_name(item.id)) or "").strip()
            if value:
                out[item.id] = value
        return out

    def sections(self) -> list[tuple[AuditSection, list[tuple[Item, Scale, Any]]]]:
        """(section, [(item, scale, bound field)]) for the template."""
        return [
            (
                s,
                [(i, self.instrument.scale(i.scale), self[field_name(i.id)]) for i in s.items],
            )
            for s in self.instrument.sections
        ]

    def error_list(self) -> list[dict[str, str]]:
        """The error summary: one entry per section, linking to its first unanswered item."""
        out = []
        for section in self.instrument.sections:
            bad = [i for i in section.items if field_name(i.id) in self.errors]
            if bad:
                first = bad[0]
                missing = sum(self.errors[field_name(i.id)][0] == "Select an answer" for i in bad)
                text = (
                    f"{section.title}: answer {missing} more question{'s' if missing > 1 else ''}"
                    if missing == len(bad)
                    else f"{section.title}: {self.errors[field_name(first.id)][0]}"
                )
                out.append({"text": text, "href": f"#{field_name(first.id)}"})
        return out
