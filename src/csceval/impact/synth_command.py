"""What ``csceval impact synth`` runs, as functions a notebook can call too.

:func:`synth_command_options` turns the command's options into a :class:`SynthSpec` (and the
cross-validation's windows), reporting every mistake as a coded problem; :func:`run_synth_command`
fits (with placebos and cross-validation when asked) and returns a :class:`SynthReport`: the JSON
payload and the lines an analyst compares with a paper (W, V, predictor balance with the donors'
sample mean, pre-period RMSPE, gaps, placebo ratios).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from csceval.errors import InputError, Problem
from csceval.impact.synth_cv import cross_validate, fit_synth
from csceval.impact.synth_data import Predictor, SynthPanel, SynthSpec
from csceval.impact.synth_fit import SynthResult
from csceval.impact.synth_options import parse_custom_v, parse_synth_predictors, parse_window
from csceval.impact.synth_placebo import PlaceboResult, placebo_in_space
from csceval.impact.synth_spec import VMethod

__all__ = ["SynthCommandOptions", "SynthReport", "run_synth_command", "synth_command_options"]


@dataclass(frozen=True)
class SynthCommandOptions:
    """A parsed ``csceval impact synth`` command line."""

    spec: SynthSpec
    validation: tuple[int, int] | None
    training: tuple[Predictor, ...] | None

    @property
    def variables(self) -> list[str]:
        """Every panel column the fit reads."""
        names = {self.spec.outcome, *(p.variable for p in self.spec.predictors)}
        names |= {p.variable for p in self.training or ()}
        return sorted(names)

    @property
    def columns(self) -> dict[str, str]:
        """The columns by role, for the panel reader's messages."""
        roles = {"outcome": self.spec.outcome}
        roles |= {f"predictor {p.variable}": p.variable for p in self.spec.predictors}
        roles |= {f"training predictor {p.variable}": p.variable for p in self.training or ()}
        return roles


def synth_command_options(
    outcome: str,
    predictors: tuple[str, ...],
    *,
    v_method: str = "regression",
    custom_v: str | None = None,
    optimize_window: str | None = None,
    v_starts: int = 5,
    v_seed: int = 0,
    two_starts: bool = False,
    allow_post_predictors: bool = False,
    demean: bool = False,
    cross_validate: str | None = None,
    training_predictors: tuple[str, ...] = (),
) -> SynthCommandOptions:
    """The specification the options describe; :class:`InputError` with every mistake."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    steps = (
        ("predictors", lambda: parse_synth_predictors(predictors)),
        ("training", lambda: parse_synth_predictors(training_predictors, "--training-predictor")),
        ("window", lambda: parse_window(optimize_window, "--optimize-window")),
        ("validation", lambda: parse_window(cross_validate, "--cross-validate")),
    )
    for key, step in steps:
        try:
            parsed[key] = step()
        except InputError as exc:
            problems += exc.problems
    preds = cast(tuple[Predictor, ...], parsed.get("predictors", ()))
    cv: tuple[float, ...] | None = None
    if custom_v is not None or v_method == "custom":
        try:
            cv = parse_custom_v(custom_v or "", len(preds) if preds else None)
        except InputError as exc:
            problems += exc.problems
        v_method = "custom"
    if cross_validate is not None and v_method == "custom":
        problems.append(
            Problem(
                "CSC-E7108",
                "--cross-validate chooses V itself: it cannot be combined with --custom-v",
                column="--cross-validate",
                value=cross_validate,
                fix="drop --custom-v, or drop --cross-validate",
            )
        )
    training = cast(tuple[Predictor, ...], parsed.get("training", ()))
    if training and cross_validate is None:
        problems.append(
            Problem(
                "CSC-E7108",
                "--training-predictor is only used with --cross-validate",
                column="--training-predictor",
                fix="add --cross-validate FIRST-LAST, or drop --training-predictor",
            )
        )
    if problems:
        raise InputError(problems)
    spec = SynthSpec(
        outcome,
        predictors=preds,
        v_method=cast(VMethod, v_method),
        custom_v=cv,
        optimize_window=cast(tuple[int, int] | None, parsed["window"]),
        nested_multistart=not two_starts,
        v_starts=v_starts,
        v_seed=v_seed,
        allow_post_predictors=allow_post_predictors,
        demean=demean,
    )
    validation = cast(tuple[int, int] | None, parsed["validation"])
    return SynthCommandOptions(spec, validation, training or None)


@dataclass(frozen=True)
class SynthReport:
    """The fit (and its placebos and cross-validation) as JSON and as printed lines."""

    fit: SynthResult
    placebos: PlaceboResult | None
    payload: dict[str, object]
    training: SynthResult | None = None

    def lines(self) -> list[str]:
        """What the command prints: the numbers a paper's tables report."""
        f = self.fit
        out = [f"Synthetic control for {f.treated}, {f.outcome}, treated from {f.treatment_time}"]
        out.append(f"  average effect (treated - synthetic) after {f.treatment_time}: {f.att:.4g}")
        out.append(f"  pre-period RMSPE {f.pre_rmspe:.4g}; post/pre ratio {f.rmspe_ratio:.4g}")
        top = list(f.top_donors().items())
        out.append("  donor weights (W): " + ", ".join(f"{u} {w:.3f}" for u, w in top[:10]))
        if self.training is not None:
            out.append(f"  V cross-validated: step 1 loss {self.training.loss_v:.6g}")
        out.append("  predictor balance: V | treated | synthetic | donors' sample mean")
        for row in f.balance_table():
            out.append(
                f"    {row['predictor']}: {_num(row['v'])} | {_num(row['treated'])} | "
                f"{_num(row['synthetic'])} | {_num(row['sample_mean'])}"
            )
        if self.placebos is not None:
            pl = self.placebos
            out.append(
                f"  placebo rank {pl.rank} of {pl.n_placebos + 1}: "
                f"p = {pl.p_value:.3f} (ratio), {pl.p_value_att:.3f} (effect size)"
            )
        out += [f"  note: {n}" for n in f.notes]
        return out


def _num(value: object) -> str:
    return "-" if value is None else f"{float(cast(float, value)):.4g}"


def run_synth_command(
    panel: SynthPanel,
    options: SynthCommandOptions,
    treated: str,
    start: int,
    *,
    placebos: bool = True,
) -> SynthReport:
    """Fit as the command's options say; ``ValueError`` for input the estimator refuses."""
    spec = options.spec
    if options.validation is not None:
        cvr = cross_validate(
            panel,
            spec,
            treated,
            start,
            options.validation,
            training=options.training,
            training_v_method="nested",  # the paper's step 1
            placebos=placebos,
        )
        payload = cvr.to_dict()
        if cvr.placebos is not None:
            payload |= {k: v for k, v in cvr.placebos.to_dict().items() if k != "fit"}
        return SynthReport(cvr.fit, cvr.placebos, payload, cvr.training)
    if placebos:
        result = placebo_in_space(panel, spec, treated, start)
        return SynthReport(result.fit, result, result.to_dict())
    fit = fit_synth(panel, spec, treated, start, None)
    return SynthReport(fit, None, {"fit": fit.to_dict()})
