"""Forms for setting up the evaluation; error texts written the GOV.UK way."""

from __future__ import annotations

from typing import Any

from django import forms

from csceval.indicators.catalogue import CATALOGUE
from csceval.project.settings import SITE_ROLES
from csceval.web.accounts.models import ALL_LAS, Role
from csceval.web.evaluation.models import Site


def _messages(label: str) -> dict[str, str]:
    return {
        "required": f"Enter {label}",
        "invalid": f"Enter {label} in the right format",
        "max_length": f"{label.capitalize()} is too long",
    }


class SiteForm(forms.ModelForm):
    """A site: its LA, name, role and adoption dates."""

    class Meta:
        model = Site
        fields = [
            "la_code",
            "name",
            "role",
            "framework",
            "implementation_start",
            "fully_embedded",
            "exit_date",
            "neighbour_group",
            "adoption_source",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "la_code": "the 3-digit DfE LA code",
            "name": "the site's name",
            "role": "the site's role",
            "framework": "the framework",
            "implementation_start": "the implementation start date",
            "fully_embedded": "the date the framework was fully embedded",
            "exit_date": "the exit date",
            "neighbour_group": "the statistical-neighbour group",
            "adoption_source": "where the adoption dates come from",
        }
        for name, label in labels.items():
            self.fields[name].error_messages.update(_messages(label))
        self.fields["role"].error_messages["invalid_choice"] = "Select the site's role"
        self.fields["la_code"].error_messages["unique"] = "A site with this LA code already exists"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, embedded, exit_date = (
            data.get("implementation_start"),
            data.get("fully_embedded"),
            data.get("exit_date"),
        )
        if data.get("role") in ("pilot", "exited") and start is None:
            self.add_error("implementation_start", "Enter the implementation start date")
        if start and embedded and embedded < start:
            self.add_error("fully_embedded", "The fully-embedded date must be after the start")
        if start and exit_date and exit_date < start:
            self.add_error("exit_date", "The exit date must be after the implementation start")
        if exit_date and data.get("role") != "exited":
            self.add_error("role", "A site with an exit date must have the role 'exited'")
        return data


ROLE_CHOICES = [(r, r.capitalize()) for r in SITE_ROLES]
COMPARATOR_MODELS = [
    ("", "Whichever the statistical-neighbour table holds"),
    ("2021", "DfE's 2021 model"),
    ("2025", "DfE's 2025 model"),
]


def _year(label: str) -> forms.IntegerField:
    return forms.IntegerField(min_value=2000, max_value=2100, error_messages=_messages(label))


class SetupForm(forms.Form):
    """The parts of evaluation.toml an evaluation admin edits most (with ``[comparators] model``
    and the baseline/follow-up windows of ``[analysis]``); the rest is imported."""

    name = forms.CharField(max_length=200, error_messages=_messages("the evaluation's name"))
    frameworks = forms.CharField(
        max_length=500,
        error_messages=_messages("at least one framework"),
        help_text="Separate several frameworks with commas.",
    )
    price_year = forms.RegexField(
        regex=r"^\d{4}-\d{2}\Z",
        error_messages={
            "required": "Enter the price year",
            "invalid": "Enter the price year like 2019-20",
        },
    )
    first_year = forms.IntegerField(
        min_value=2000, max_value=2100, error_messages=_messages("the first analysis year")
    )
    last_year = forms.IntegerField(
        min_value=2000, max_value=2100, error_messages=_messages("the last analysis year")
    )
    indicators = forms.MultipleChoiceField(
        choices=[(i.id, i.title) for i in CATALOGUE],
        error_messages={"required": "Select at least one indicator"},
    )
    comparators_model = forms.ChoiceField(
        choices=COMPARATOR_MODELS,
        required=False,
        error_messages={"invalid_choice": "Select a statistical-neighbour model"},
    )
    baseline_first = _year("the first year of the baseline window")
    baseline_last = _year("the last year of the baseline window")
    followup_first = _year("the first year of the follow-up window")
    followup_last = _year("the last year of the follow-up window")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and last < first:
            self.add_error("last_year", "The last year must be the same as or after the first")
        for window in ("baseline", "followup"):
            start, end = data.get(f"{window}_first"), data.get(f"{window}_last")
            if start and end and end < start:
                self.add_error(f"{window}_last", "The last year of a window must be the same as "
                               "or after its first")  # fmt: skip
        start, end = data.get("baseline_last"), data.get("followup_first")
        if start and end and end <= start:
            self.add_error("followup_first", "The follow-up window must start after the baseline")
        return data


class MembershipForm(forms.Form):
    """Grant a user a role in one LA (or every site) until a date."""

    username = forms.CharField(max_length=150, error_messages=_messages("the username"))
    la_code = forms.RegexField(
        regex=r"^(\d{3}|\*)\Z",
        error_messages={
            "required": "Enter the LA code",
            "invalid": f"Enter a 3-digit LA code, or {ALL_LAS} for every site",
        },
    )
    role = forms.ChoiceField(choices=Role.choices, error_messages={"required": "Select a role"})
    expires_on = forms.DateField(error_messages=_messages("the expiry date"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("la_code") == ALL_LAS and data.get("role") in (
            Role.LA_COORDINATOR,
            Role.AUDITOR,
        ):
            self.add_error(
                "la_code", "LA coordinators and auditors work for one LA: enter its code"
            )
        return data
