"""One executor for the studies (csceval.executor): same items, same results, on any executor."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_calibrate import YEARS, noise_panel

from csceval import executor
from csceval.cli import main
from csceval.errors import InputError
from csceval.executor import LOCAL, map_tasks
from csceval.impact.calibrate import CalibrationResult, calibrate

EXECUTORS = {
    "in-process": {"jobs": 1},
    "processes": {"jobs": 2},
    "dask": {"jobs": 2, "scheduler": LOCAL},
}


@pytest.fixture
def no_leftovers() -> Iterator[None]:
    """The test leaves no thread or child process behind (Dask's process-wide offload thread,
    started once on first use, excepted)."""
    before = set(threading.enumerate())
    yield
    left = [
        t.name
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith("Dask-Offload")
    ]
    assert left == []
    assert multiprocessing.active_children() == []


def tables(result: CalibrationResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The size table and every draw's estimates in order (the order shows in the second)."""
    estimates = pd.DataFrame({m: pd.Series(c.estimates) for m, c in result.methods.items()})
    return result.table(), estimates


@pytest.mark.usefixtures("no_leftovers")
def test_every_executor_gives_the_same_calibration() -> None:
    """A real study: four calibration draws of every method, on each executor."""
    results = {
        name: calibrate(
            noise_panel(), "y", YEARS, n_draws=4, seed=3, synth_draws=19, n_boot=49, **options
        )
        for name, options in EXECUTORS.items()
    }
    table, estimates = tables(results["in-process"])
    assert estimates.notna().sum().to_dict() == {
        "synth_pooled": 4,
        "synth_rmspe": 14,  # of 16 pseudo-pilots, two fitted exactly (no ratio test)
        "did": 4,
        "sdid": 4,
        "its": 16,
    }
    for name in ("processes", "dask"):
        other_table, other_estimates = tables(results[name])
        pd.testing.assert_frame_equal(other_table, table)
        pd.testing.assert_frame_equal(other_estimates, estimates)


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize("name", list(EXECUTORS))
def test_results_keep_the_items_order_and_progress_counts_them(name: str) -> None:
    done: list[int] = []
    items = [7, 1, 5, 3, 6, 2]
    results = map_tasks(math.factorial, items, progress=done.append, **EXECUTORS[name])
    assert results == [5040, 1, 120, 6, 720, 2]
    assert sorted(done) == [1, 2, 3, 4, 5, 6]


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize("name", list(EXECUTORS))
def test_a_failing_task_keeps_its_error_and_names_its_item(name: str) -> None:
    with pytest.raises(ValueError, match="math domain error") as caught:
        map_tasks(math.sqrt, [4.0, 9.0, -2.5, 16.0], label="roots", **EXECUTORS[name])
    assert "roots 3 of 4 failed; its item: -2.5" in caught.value.__notes__


def test_no_items_no_tasks() -> None:
    assert map_tasks(math.factorial, [], jobs=2) == []
    with pytest.raises(ValueError, match="at least 1"):
        map_tasks(math.factorial, [1], jobs=0)


def test_a_scheduler_without_dask_is_a_coded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--scheduler`` without the cluster extra: CSC-E5007 naming the extra, from the library
    and from the command, before any work is done."""
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    with pytest.raises(InputError) as caught:
        map_tasks(math.factorial, [1, 2], scheduler="tcp://127.0.0.1:8786")
    (problem,) = caught.value.problems
    assert problem.code == "CSC-E5007"
    assert "csceval[cluster]" in problem.fix
    args = ["impact", "recovery", "--seeds", "1", "--scheduler", "tcp://127.0.0.1:8786"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "CSC-E5007" in result.output


@pytest.mark.usefixtures("no_leftovers")
@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "no-such-protocol://x"])
def test_an_unreachable_scheduler_is_a_coded_error(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 1)
    with pytest.raises(InputError) as caught:
        map_tasks(math.factorial, [1, 2], scheduler=address)
    (problem,) = caught.value.problems
    assert (problem.code, problem.value) == ("CSC-E5008", address)


@pytest.mark.usefixtures("no_leftovers")
def test_the_calibrate_command_prints_the_same_on_a_scheduler(tmp_path: Path) -> None:
    panel, noise = tmp_path / "panel.csv", noise_panel()
    y = noise.variable("y")
    rows = [(u, t, y[i, j]) for j, u in enumerate(noise.units) for i, t in enumerate(noise.times)]
    pd.DataFrame(rows, columns=["unit", "year", "y"]).to_csv(panel, index=False)
    args = [
        "impact", "calibrate", "--data", str(panel), "--unit", "unit", "--time", "year",
        "--outcome", "y", "--adoption-years", "2006,2008", "--method", "its",
        "--method", "did", "--bootstrap", "49", "--draws", "3", "--json",
    ]  # fmt: skip
    local = CliRunner().invoke(main, args)
    dask = CliRunner().invoke(main, [*args, "--scheduler", LOCAL, "--jobs", "2"])
    assert local.exit_code == 0, local.output
    assert dask.exit_code == 0, dask.output
    assert json.loads(dask.output) == json.loads(local.output)
    assert json.loads(local.output)["results"][0]["methods"]["its"]["tests"] == 6


@pytest.mark.usefixtures("no_leftovers")
def test_a_scheduler_address_its_workers_and_their_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scheduler reached by its tcp:// address, as on a real cluster: without a worker it
    is CSC-E5008; with one it runs the tasks; a worker on another csceval is CSC-E5009."""
    from dask.distributed import Client, LocalCluster

    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 1)
    common = {"processes": False, "protocol": "tcp", "dashboard_address": None}
    with LocalCluster(n_workers=0, **common) as empty:
        with pytest.raises(InputError) as caught:
            map_tasks(math.factorial, [3], scheduler=empty.scheduler_address)
        assert caught.value.problems[0].code == "CSC-E5008"
        assert "no worker joined" in caught.value.problems[0].message
    with LocalCluster(n_workers=1, threads_per_worker=1, **common) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        assert map_tasks(math.factorial, [3, 4], scheduler=address) == [6, 24]
        with Client(address) as client, pytest.raises(InputError) as caught:
            executor._check_workers(client, address, expected="0.0.0-another")
        assert caught.value.problems[0].code == "CSC-E5009"


def test_pool_workers_run_one_blas_thread_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spawned workers inherit one BLAS thread each; a user's own setting stands, and the
    parent's environment is left as it was."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    names = ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]
    assert map_tasks(os.getenv, names, jobs=2) == ["1", "1", "3"]
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    assert "OMP_NUM_THREADS" not in os.environ
