"""The self-profile form: a 0-10 rating and evidence for every implementation element."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.strands.implementation.elements import RATING_MAX, RATING_MIN, Element, elements


def rating_field(element_id: str) -> str:
    return f"rating_{element_id}"


def evidence_field(element_id: str) -> str:
    return f"evidence_{element_id}"


class SelfProfileForm(forms.Form):
    """Built from the element list; ``submitting`` makes every rating required."""

    def __init__(self, *args: Any, submitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        for element in elements():
            title = element.title.lower()
            self.fields[rating_field(element.id)] = forms.IntegerField(
                required=False,
                min_value=RATING_MIN,
                max_value=RATING_MAX,
                error_messages={
                    "invalid": f"Enter the rating for {title} as a whole number from 0 to 10",
                    "min_value": f"The rating for {title} must be 0 or more",
                    "max_value": f"The rating for {title} must be 10 or less",
                },
            )
            self.fields[evidence_field(element.id)] = forms.CharField(
                required=False,
                max_length=2000,
                error_messages={"max_length": f"The evidence for {title} is too long"},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.submitting:
            for element in elements():
                name = rating_field(element.id)
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Enter a rating for {element.title.lower()}")
        return data

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        """(rating, evidence) by element id, from cleaned data."""
        return {
            e.id: (
                self.cleaned_data.get(rating_field(e.id)),
                self.cleaned_data.get(evidence_field(e.id), "").strip(),
            )
            for e in elements()
        }

    def rows(self) -> list[tuple[Element, Any, Any]]:
        """(element, rating bound field, evidence bound field) for the template."""
        return [(e, self[rating_field(e.id)], self[evidence_field(e.id)]) for e in elements()]
