"""Parameters of synthetic England, calibrated once on the real DfE LA panel.

Every number here was computed ONCE, during development, from the real panel
``shared/data/csc_la_panel/csc_la_panel_wide.csv`` (DfE CIN census, SSDA903 and workforce
statistics by LA, 2010-2025) and ``shared/data/la_reference``; the simulator never reads those
files at run time. How each figure was obtained:

- ``Series.national``: for rates, the England rate = sum of LA counts / sum of ONS mid-(Y-1)
  populations aged 0-17 x 10,000, by year ending 31 March (e.g. CLA 59.8 in 2013, 67.9 in 2020,
  70.4 in 2023; CIN 329-346; referrals 503-575; CPP 38-46). CLA 2010-2012 (no population in the
  panel) are set from the published England rates (58-59). For percentages, workforce and
  caseload: the unweighted mean over LAs by year.
- ``Series.real``: three statistics of each indicator in the real panel (City of London and the
  Isles of Scilly excluded), on the log scale for rates and the logit scale for percentages: the
  SD across LAs of the LA mean, the robust SD (1.4826 x MAD) and the Spearman lag-1
  autocorrelation of the residuals of a two-way (LA + year) decomposition. ``la_sd``,
  ``noise_sd`` and ``ar1`` were then tuned by simulate-measure-adjust iterations (3 seeds) until
  the simulated panel reproduces them (within 0.01-0.02, except the lag-1 autocorrelation of
  CLA, 0.69 against 0.74, and of long-term stability, where binomial noise dominates).
- ``Series.dep``: correlation of the LA mean with the LA's mean child-poverty rate (log), our
  deprivation proxy (e.g. CLA 0.74, CPP 0.59, referrals 0.54, agency -0.14); ``loadings`` on
  LA factors reproduce the cross-indicator correlations of the LA means (CPP-ICPC 0.97, CIN-CLA
  0.78, agency-vacancy 0.88, 3+ placements-stability -0.65).
- Populations aged 0-17 (mid-2018): median 59,500, quartiles 42,750 and 91,200, 95th
  percentile 171,400, largest 331,400, smallest 340 and 670 (Isles of Scilly, City of London);
  England total 11.0m (mid-2009) rising to 12.2m (mid-2024). Region LA counts: 2019 geography.
- Suppressed (``c``) count cells in the real files: 0.03-0.9% by indicator, almost all in the two
  tiny LAs; ``cpp_2yrs_plus_pct`` is missing in about a third of LA-years. Closeness bands of
  the DfE 2025 statistical-neighbour model: about 55% "very close", 34% "close", 9% "somewhat
  close", 3% "not close".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FIRST_YEAR = 2010
LAST_YEAR = 2025
YEARS: tuple[int, ...] = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
POPULATION_LAST_YEAR = 2024
"""The latest ONS mid-year estimate a March-2025 publication can use."""


@dataclass(frozen=True, slots=True)
class Region:
    """An English region and how many LAs of each type it holds (real 2010 geography)."""

    code: str
    name: str
    london: int = 0
    metropolitan: int = 0
    unitary: int = 0
    county: int = 0
    deprivation_shift: float = 0.0


REGIONS: tuple[Region, ...] = (
    Region("E12000001", "North East", metropolitan=5, unitary=7, deprivation_shift=0.6),
    Region("E12000002", "North West", metropolitan=15, unitary=6, county=2, deprivation_shift=0.4),
    Region("E12000003", "Yorkshire and The Humber", metropolitan=9, unitary=5, county=1,
           deprivation_shift=0.3),
    Region("E12000004", "East Midlands", unitary=4, county=5, deprivation_shift=0.0),
    Region("E12000005", "West Midlands", metropolitan=7, unitary=4, county=3,
           deprivation_shift=0.3),
    Region("E12000006", "East of England", unitary=6, county=5, deprivation_shift=-0.3),
    Region("E12000007", "London", london=33, deprivation_shift=0.3),
    Region("E12000008", "South East", unitary=12, county=7, deprivation_shift=-0.6),
    Region("E12000009", "South West", unitary=12, county=4, deprivation_shift=-0.3),
)  # fmt: skip
"""152 LAs, as in England 2010-2019."""

NORTHERN_REGIONS = frozenset({"E12000001", "E12000002", "E12000003"})

LA_TYPES = ("london", "metropolitan", "unitary", "county")
GSS_PREFIX = {"london": "E09", "metropolitan": "E08", "unitary": "E06", "county": "E10"}
TYPE_DEPRIVATION = {"london": 0.2, "metropolitan": 0.7, "unitary": 0.0, "county": -0.7}
URBANITY = {"london": (0.95, 1.0), "metropolitan": (0.7, 0.95), "unitary": (0.3, 0.95),
            "county": (0.1, 0.4)}  # fmt: skip

POPULATION_2018: dict[str, tuple[float, float, float, float]] = {
    # LA type -> (median, log-SD, lowest, highest) of the mid-2018 population aged 0-17
    "london": (58_000, 0.25, 30_000, 100_000),
    "metropolitan": (66_000, 0.45, 28_000, 300_000),
    "unitary": (38_000, 0.50, 12_000, 115_000),
    "county": (150_000, 0.35, 75_000, 330_000),
}
TINY_POPULATION_2018 = {"london": 700.0, "unitary": 380.0}
"""One City-of-London-like borough and one Isles-of-Scilly-like unitary: the small counts."""

POPULATION_INDEX: dict[int, float] = {
    # England population aged 0-17, mid-year Y, relative to mid-2018 (ONS MYE via the panel)
    2009: 0.948, 2010: 0.955, 2011: 0.962, 2012: 0.969, 2013: 0.975, 2014: 0.981,
    2015: 0.986, 2016: 0.993, 2017: 0.997, 2018: 1.000, 2019: 1.006, 2020: 1.010,
    2021: 1.012, 2022: 1.020, 2023: 1.038, 2024: 1.048, 2025: 1.050,
}  # fmt: skip
POPULATION_TREND_SD = 0.004
"""SD across LAs of the LA's own yearly growth on top of the national index."""
POPULATION_NOISE_SD = 0.003

Scale = Literal["log", "logit"]
Kind = Literal["count", "percent", "direct_percent", "ratio"]
Timing = Literal["flow", "stock"]


@dataclass(frozen=True, slots=True)
class Series:
    """One simulated series and the latent model behind it.

    The latent value of LA ``i`` in year ``t`` is
    ``national(t) + alpha_i + beta_i (t - 2017.5) + u_i(t) + shock_i(t)`` on the log (rates) or
    logit (percentages) scale: ``alpha_i`` loads on deprivation and on LA factors; ``beta_i`` is
    an LA-specific trend (SD ``trend_sd`` a year); ``u_i(t)`` is AR(1) noise whose innovations
    are partly shared across the safeguarding family (``pressure``: the shared share).
    """

    id: str
    kind: Kind
    first_year: int
    national: tuple[float, ...]
    la_sd: float
    dep: float
    noise_sd: float
    ar1: float
    loadings: tuple[tuple[str, float], ...] = ()
    pressure: float = 0.0
    trend_sd: float = 0.0
    rate_id: str | None = None
    denominator: str | None = None
    denominator_share: float = 1.0
    timing: Timing = "flow"
    real: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """What the parameters were tuned to reproduce, measured on the real panel: SD across LAs of
    the LA mean, robust SD and lag-1 autocorrelation of the two-way (LA + year) residuals."""

    @property
    def scale(self) -> Scale:
        return "log" if self.kind in ("count", "ratio") else "logit"

    def national_by_year(self) -> dict[int, float]:
        """The national target for every simulated year (held flat before the series starts)."""
        values = dict(zip(range(self.first_year, LAST_YEAR + 1), self.national, strict=True))
        return {y: values.get(y, self.national[0]) for y in YEARS}


FACTORS = ("threshold", "workforce", "placements")
"""LA factors: a threshold/intervention culture, workforce instability, placement pressure."""

SERIES: tuple[Series, ...] = (
    Series("referrals_count", "count", 2013,
           national=(522.1, 574.9, 550.9, 535.2, 553.4, 559.4, 553.6, 545.3, 505.3, 551.1, 538.1,
                     503.1, 519.4),
           la_sd=0.195, dep=0.54, noise_sd=0.302, ar1=0.83, loadings=(("threshold", 0.55),),
           pressure=0.4, rate_id="referral_rate_per_10k", real=(0.274, 0.202, 0.57)),
    Series("cin_count_31mar", "count", 2013,
           national=(331.4, 344.5, 337.7, 339.4, 333.7, 345.6, 339.5, 330.1, 328.6, 342.7, 338.7,
                     331.4, 330.3),
           la_sd=0.266, dep=0.56, noise_sd=0.137, ar1=0.69, loadings=(("threshold", 0.65),),
           pressure=0.5, rate_id="cin_rate_per_10k", timing="stock", real=(0.25, 0.117, 0.49)),
    Series("s47_count", "count", 2013,
           national=(111.8, 124.7, 139.5, 149.0, 159.6, 169.6, 171.5, 170.5, 168.7, 185.3, 189.4,
                     183.6, 189.3),
           la_sd=0.263, dep=0.5, noise_sd=0.318, ar1=0.8, loadings=(("threshold", 0.72),),
           pressure=0.6, rate_id="s47_rate_per_10k", real=(0.319, 0.226, 0.54)),
    Series("icpc_count", "count", 2013,
           national=(52.6, 56.7, 61.7, 62.8, 65.8, 67.8, 65.8, 65.7, 61.5, 62.7, 62.5, 60.0, 59.2),
           la_sd=0.295, dep=0.56, noise_sd=0.243, ar1=0.65, loadings=(("threshold", 0.78),),
           pressure=0.6, rate_id="icpc_rate_per_10k", real=(0.304, 0.208, 0.42)),
    Series("cpp_count_31mar", "count", 2013,
           national=(37.8, 42.1, 43.0, 43.3, 43.8, 46.0, 44.5, 43.7, 42.4, 43.3, 42.7, 41.5, 40.6),
           la_sd=0.303, dep=0.59, noise_sd=0.23, ar1=0.59, loadings=(("threshold", 0.75),),
           pressure=0.6, rate_id="cpp_rate_per_10k", timing="stock", real=(0.31, 0.206, 0.37)),
    Series("cpp_starts_count", "count", 2013,
           national=(46.1, 52.0, 53.8, 54.4, 56.8, 58.7, 56.7, 56.3, 54.1, 54.7, 53.7, 51.5, 50.8),
           la_sd=0.289, dep=0.56, noise_sd=0.231, ar1=0.65, loadings=(("threshold", 0.78),),
           pressure=0.6, real=(0.304, 0.208, 0.42)),
    Series("cla_count_31mar", "count", 2010,
           national=(58.0, 58.6, 59.2, 59.8, 60.1, 60.3, 60.7, 62.2, 64.3, 66.5, 67.9, 68.5, 69.8,
                     70.4, 69.3, 67.1),
           la_sd=0.375, dep=0.74, noise_sd=0.081, ar1=0.97, loadings=(("threshold", 0.45),),
           pressure=0.3, trend_sd=0.025, rate_id="cla_rate_per_10k", timing="stock",
           real=(0.372, 0.114, 0.74)),
    Series("cla_starts_count", "count", 2015,
           national=(27.1, 27.7, 28.2, 27.5, 27.1, 26.3, 24.2, 26.4, 27.8, 27.5, 26.5),
           la_sd=0.312, dep=0.61, noise_sd=0.153, ar1=0.55, loadings=(("threshold", 0.55),),
           pressure=0.3, rate_id="cla_starts_rate_per_10k", real=(0.318, 0.154, 0.21)),
    Series("rereferral_within_12m_pct", "percent", 2013,
           national=(22.7, 21.6, 21.6, 20.2, 20.1, 20.2, 20.9, 21.4, 21.3, 19.9, 21.0, 20.7, 20.5),
           la_sd=0.194, dep=0.16, noise_sd=0.284, ar1=0.68, loadings=(("threshold", 0.25),),
           denominator="referrals_count", real=(0.246, 0.235, 0.46)),
    Series("repeat_cpp_pct", "percent", 2013,
           national=(14.7, 15.3, 16.5, 17.5, 18.6, 19.7, 20.7, 21.4, 21.4, 22.4, 23.5, 24.5, 23.8),
           la_sd=0.2, dep=0.0, noise_sd=0.214, ar1=0.44, loadings=(("threshold", 0.2),),
           denominator="cpp_starts_count", real=(0.233, 0.247, 0.12)),
    Series("cpp_2yrs_plus_pct", "percent", 2013,
           national=(3.7, 3.2, 2.7, 2.5, 2.5, 2.0, 2.4, 2.6, 2.5, 2.9, 2.7, 3.3, 3.0),
           la_sd=0.551, dep=0.04, noise_sd=0.493, ar1=0.57, denominator="cpp_starts_count",
           real=(0.597, 0.589, 0.16)),
    Series("assessments_within_45_days_pct", "percent", 2015,
           national=(81.5, 82.8, 82.1, 82.4, 83.1, 84.2, 87.9, 84.5, 82.2, 83.9, 84.9),
           la_sd=0.47, dep=-0.13, noise_sd=0.664, ar1=0.62, denominator="referrals_count",
           denominator_share=0.9, real=(0.645, 0.568, 0.42)),
    Series("icpc_within_15_days_pct", "percent", 2015,
           national=(76.7, 78.4, 78.4, 78.8, 79.4, 78.5, 83.2, 80.2, 78.8, 80.0, 81.9),
           la_sd=0.561, dep=-0.03, noise_sd=0.627, ar1=0.58, denominator="icpc_count",
           real=(0.683, 0.547, 0.32)),
    Series("cla_3plus_placements_pct", "percent", 2016,
           national=(10.3, 10.5, 10.8, 10.6, 11.0, 9.2, 10.1, 10.6, 10.9, 10.4),
           la_sd=0.204, dep=-0.11, noise_sd=0.182, ar1=0.63, loadings=(("placements", 0.8),),
           denominator="cla_count_31mar", denominator_share=1.3, timing="stock",
           real=(0.244, 0.211, 0.13)),
    Series("cla_long_term_stability_pct", "percent", 2018,
           national=(68.4, 68.0, 67.7, 69.2, 69.8, 67.7, 67.5, 68.1),
           la_sd=0.2, dep=-0.03, noise_sd=0.15, ar1=0.5, loadings=(("placements", -0.8),),
           denominator="cla_count_31mar", denominator_share=0.6, timing="stock",
           real=(0.244, 0.192, 0.24)),
    Series("sw_turnover_pct", "direct_percent", 2015,
           national=(17.7, 17.2, 15.0, 16.4, 16.0, 14.6, 16.2, 18.9, 16.4, 15.0, 13.1),
           la_sd=0.28, dep=-0.29, noise_sd=0.373, ar1=0.15, loadings=(("workforce", 0.55),),
           real=(0.326, 0.348, 0.04)),
    Series("sw_agency_pct", "direct_percent", 2015,
           national=(16.8, 17.1, 16.1, 15.5, 15.8, 15.5, 15.9, 18.6, 18.8, 17.3, 14.2),
           la_sd=0.642, dep=-0.14, noise_sd=0.789, ar1=0.8, loadings=(("workforce", 0.92),),
           real=(0.889, 0.525, 0.53)),
    Series("sw_vacancy_pct", "direct_percent", 2015,
           national=(16.8, 16.6, 16.5, 16.4, 16.0, 15.6, 16.5, 20.7, 19.3, 17.9, 15.0),
           la_sd=0.628, dep=-0.18, noise_sd=0.617, ar1=0.63, loadings=(("workforce", 0.92),),
           real=(0.741, 0.515, 0.45)),
    Series("sw_caseload", "ratio", 2016,
           national=(17.4, 17.8, 17.5, 17.0, 16.3, 16.5, 16.6, 15.9, 15.4, 15.4),
           la_sd=0.113, dep=0.48, noise_sd=0.106, ar1=0.4, loadings=(("threshold", 0.35),),
           real=(0.117, 0.095, 0.22)),
)  # fmt: skip
SERIES_BY_ID = {s.id: s for s in SERIES}

CIN_CENSUS = tuple(s.id for s in SERIES[:6] + SERIES[8:13])
WORKFORCE = ("sw_turnover_pct", "sw_agency_pct", "sw_vacancy_pct", "sw_caseload")
WORKFORCE_DERIVED = ("sw_fte",)
"""Workforce indicators derived from others (simulate.panel), missing with the return."""

# --- reorganisations, neighbours -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReorganisationSpec:
    year: int
    """First year (ending 31 March) of the new LA(s)."""
    region: str
    la_type: str


MERGER = ReorganisationSpec(2020, "E12000009", "unitary")
"""Two small unitaries end in March 2019 and one new code starts in 2020 (like BCP/Dorset)."""
SPLIT = ReorganisationSpec(2022, "E12000004", "county")
"""A county ends in March 2021 and two unitaries start in 2022 (like Northamptonshire)."""
SPLIT_SHARE = (0.40, 0.60)
N_NEIGHBOURS = 10
N_NEIGHBOUR_GROUPS = 12
CLOSENESS_QUANTILES = (0.55, 0.89, 0.97)
CLOSENESS = ("Very Close", "Close", "Somewhat close", "Not Close")

# --- shocks and gaps ------------------------------------------------------------------------
N_SHOCKS = 6
SHOCK_LOG_MAGNITUDE = (0.20, 0.40)
SHOCK_PROFILE = (1.0, 0.7, 0.4)
SHOCK_SERIES = {"s47_count": 1.0, "icpc_count": 1.0, "cpp_starts_count": 1.0,
                "cpp_count_31mar": 0.9, "referrals_count": 0.4, "cla_starts_count": 0.3,
                "cla_count_31mar": 0.15}  # fmt: skip
"""A scandal or critical inspection: child protection activity spikes for 2-3 years."""
N_MISSING_CIN_YEARS = 2
N_MISSING_WORKFORCE_YEARS = 3
