"""Forms: adding a family, setting a goal with its five-level scale, rating goals at review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from csceval.strands.family_goals.tables import LEVEL_COLUMNS, LEVELS
from csceval.web.family_goals.models import Goal, GoalSource

DESCRIPTION_MAX = 500
NOT_RATED = "none"
LEVEL_LABELS = {
    "-2": "-2: much less than expected",
    "-1": "-1: somewhat less than expected",
    "0": "0: the expected outcome",
    "1": "+1: somewhat more than expected",
    "2": "+2: much more than expected",
}
"""The five attainment levels as a rater reads them (Kiresuk & Sherman 1968)."""


def _date_of(data: dict[str, Any], prefix: str, required: bool) -> date | None:
    parts = [data.get(f"{prefix}_{p}") for p in ("day", "month", "year")]
    if all(p in (None, "") for p in parts):
        if required:
            raise forms.ValidationError("Enter the date", code="required")
        return None
    try:
        day, month, year = (int(str(p)) for p in parts)
        return date(year, month, day)
    except (TypeError, ValueError):
        raise forms.ValidationError(
            "Enter a real date, for example 14 6 2019", code="invalid"
        ) from None


class DateFields(forms.Form):
    """A GOV.UK date input: day, month and year fields read together as one date."""

    date_prefix = "set_on"
    date_required = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part, width in (("day", 2), ("month", 2), ("year", 4)):
            self.fields[f"{self.date_prefix}_{part}"] = forms.CharField(
                required=False, max_length=width
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data[self.date_prefix] = _date_of(data, self.date_prefix, self.date_required)
        except forms.ValidationError as exc:
            self.add_error(f"{self.date_prefix}_day", exc)
        return data


class FamilyForm(forms.Form):
    time_point = forms.ChoiceField(error_messages={"required": "Select the review time point"})
    pseudonym = forms.CharField(required=False, max_length=66)

    def __init__(self, *args: Any, time_points: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_point"].choices = [(tp["id"], tp["label"]) for tp in time_points]


class GoalForm(DateFields):
    """One goal: whose it is, the goal in words, what each level looks like, weight, date set."""

    source = forms.ChoiceField(
        choices=GoalSource.choices, error_messages={"required": "Select whose goal it is"}
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        error_messages={
            "required": "Enter the goal",
            "max_length": f"The goal must be {DESCRIPTION_MAX} characters or fewer",
        },
    )
    level_m2 = forms.CharField(required=False, max_length=DESCRIPTION_MAX)
    level_m1 = forms.CharField(required=False, max_length=DESCRIPTION_MAX)
    level_0 = forms.CharField(
        max_length=DESCRIPTION_MAX,
        error_messages={"required": "Enter what the expected outcome (0) looks like"},
    )
    level_p1 = forms.CharField(required=False, max_length=DESCRIPTION_MAX)
    level_p2 = forms.CharField(required=False, max_length=DESCRIPTION_MAX)
    weight = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=1,
        error_messages={
            "required": "Enter the importance weight",
            "invalid": "Enter the importance weight as a number, for example 1 or 2.5",
            "min_value": "The importance weight must be greater than 0",
            "max_value": "The importance weight must be 100 or less",
            "max_decimal_places": "Give the weight with at most 2 decimal places",
        },
    )
    baseline = forms.ChoiceField(
        required=False, choices=[("", "Not recorded"), ("-1", "-1"), ("-2", "-2")]
    )

    def goal_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            name: data[name] for name in ("source", "description", "weight", "set_on")
        }
        fields.update({name: data[name] for name, _ in LEVEL_COLUMNS.values()})
        fields["baseline"] = int(data["baseline"]) if data.get("baseline") else None
        return fields


def goal_initial(goal: Goal) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(goal, name) for name in ("source", "description", "weight")
    }
    initial.update({name: getattr(goal, name) for name, _ in LEVEL_COLUMNS.values()})
    initial["baseline"] = "" if goal.baseline is None else str(goal.baseline)
    initial.update(
        set_on_day=goal.set_on.day, set_on_month=goal.set_on.month, set_on_year=goal.set_on.year
    )
    return initial


class RatingForm(DateFields):
    """The review: each goal rated on its scale, or marked as not possible to rate."""

    date_prefix = "rated_on"
    date_required = False

    def __init__(
        self,
        *args: Any,
        goals: list[Goal],
        labels: dict[str, str] = LEVEL_LABELS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.goal}"] = forms.ChoiceField(
                choices=[(v, labels[v]) for v in LEVELS] + [(NOT_RATED, "Could not be rated")],
                error_messages={"required": f"Select how far goal {goal.goal} was attained"},
            )

    def ratings(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for goal in self.goals:
            value = self.cleaned_data[f"goal_{goal.goal}"]
            out[goal.goal] = None if value == NOT_RATED else int(value)
        return out


def rating_initial(values: dict[str, int | None]) -> dict[str, str]:
    return {f"goal_{g}": NOT_RATED if v is None else str(v) for g, v in values.items()}
