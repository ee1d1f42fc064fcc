"""The two-step cross-validation of predictor weights V (Abadie, Diamond & Hainmueller 2015).

ADH (2015, *AJPS* 59(2):495-510, section "Estimation") choose V out of sample: the pre-period is
split into a training and a validation period. Step 1 measures the predictors in the training
period and picks the V whose synthetic control best predicts the outcome over the validation
period (the nested search, its loss window being the validation period). Step 2 measures the
predictors in the validation period and computes the donor weights W with that V, fixed. For
German reunification (treatment 1990): predictors over 1971-80, V chosen on the 1981-90 fit,
then predictors over 1981-90 and W for that V, giving Austria .42, USA .22, Japan .16,
Switzerland .11, the Netherlands .10 (their Table 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from csceval.impact.synth_data import Predictor, SynthPanel, SynthSpec
from csceval.impact.synth_fit import SynthResult, design_for, json_float, solve_batch
from csceval.impact.synth_placebo import PlaceboResult, all_donors, placebo_in_space
from csceval.impact.synth_spec import VMethod


@dataclass(frozen=True)
class CrossValidation:
    """A cross-validated synthetic control: the training fit (V) and the main fit (W).

    Parameters
    ----------
    validation
        ``(first, last)`` years of the validation period (step 1's loss window).
    training
        Step 1's fit: predictors in the training period, V by the nested search.
    fit
        Step 2's fit: the specification's predictors, V fixed at ``training.v``.
    placebos
        In-space placebo inference on step 2 (each placebo refitted with the same V), or
        ``None`` when not asked for.
    """

    validation: tuple[int, int]
    training: SynthResult
    fit: SynthResult
    placebos: PlaceboResult | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        return {
            "validation": list(self.validation),
            "training": self.training.to_dict(),
            "fit": self.fit.to_dict(),
            "training_loss": json_float(self.training.loss_v),
            "placebos": None if self.placebos is None else self.placebos.to_dict(),
        }


def training_predictors(spec: SynthSpec, validation: tuple[int, int]) -> tuple[Predictor, ...]:
    """The specification's predictors moved back by the validation period's length."""
    lag = validation[1] - validation[0] + 1
    return tuple(p.shifted(-lag) for p in spec.predictors)


def cross_validate(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    validation: tuple[int, int],
    donors: Iterable[str] | None = None,
    *,
    training: Iterable[Predictor] | None = None,
    training_v_method: VMethod = "nested",
    placebos: bool = False,
) -> CrossValidation:
    """ADH (2015) two-step cross-validation of V, then the fit with that V.

    Parameters
    ----------
    panel, spec, treated, treatment_time, donors
        As :func:`csceval.impact.synth.fit_synth`; ``spec.predictors`` are step 2's.
    validation
        ``(first, last)`` years of the validation period, before ``treatment_time``.
    training
        Step 1's predictors; default ``spec.predictors`` moved back by the validation
        period's length (a variable measured once per decade, such as ADH's ``invest70`` and
        ``invest80``, needs them given).
    training_v_method
        How step 1 chooses V (default the nested search with ``spec``'s starts).
    placebos
        Also run in-space placebos on step 2 with the cross-validated V.

    Returns
    -------
    CrossValidation

    Raises
    ------
    ValueError
        No predictors, a validation period that is not before ``treatment_time``, or as
        ``fit_synth``.
    """
    first, last = (int(validation[0]), int(validation[1]))
    if not spec.predictors:
        raise ValueError("cross-validation needs predictors (--predictor)")
    if first > last:
        raise ValueError(f"validation period {first}-{last} ends before it starts")
    if first >= treatment_time:
        raise ValueError(
            f"validation period {first}-{last} must start before the treatment ({treatment_time})"
        )
    train_preds = training_predictors(spec, (first, last)) if training is None else tuple(training)
    if len(train_preds) != len(spec.predictors):
        raise ValueError(
            f"{len(train_preds)} training predictors for {len(spec.predictors)} predictors: "
            "step 1's V must weigh the same predictors"
        )
    # the main specification is checked first, so a mistake in it costs no search
    design_for(
        panel, replace(spec, v_method="equal", custom_v=None), treated, treatment_time, donors
    )
    train_spec = replace(
        spec,
        predictors=train_preds,
        v_method=training_v_method,
        optimize_window=(first, last),
        custom_v=None if training_v_method != "custom" else spec.custom_v,
    )
    # Step 1 treats the end of the validation period as the "treatment" (so its predictors
    # and loss window are all before it); its post-period is never used.
    step1 = fit_synth(panel, train_spec, treated, last + 1, donors)
    main_spec = replace(spec, v_method="custom", custom_v=tuple(step1.v.values()))
    note = (
        f"V cross-validated (ADH 2015): chosen on predictors {[p.label for p in train_preds]} "
        f"for the fit over {first}-{last} (loss {step1.loss_v:.6g}), then held fixed"
    )
    if placebos:
        pl = placebo_in_space(panel, main_spec, treated, treatment_time, donors)
        fit = replace(pl.fit, notes=(note, *pl.fit.notes))
        return CrossValidation((first, last), step1, fit, replace(pl, fit=fit))
    fit = fit_synth(panel, main_spec, treated, treatment_time, donors)
    return CrossValidation((first, last), step1, replace(fit, notes=(note, *fit.notes)))


def fit_synth(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None,
) -> SynthResult:
    """:func:`csceval.impact.synth.fit_synth` (repeated here: that module imports this one)."""
    design = design_for(panel, spec, treated, treatment_time, donors)
    target = np.array([panel.index_of(treated)])
    return solve_batch(design, target, all_donors(design, 1)).result(0)
