"""An analysis run that stops on an unexpected error says so with a reference and nothing else;
the application log has the traceback under that reference (docs/security.md, SEC-D5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from csceval.web.evaluation import runs
from csceval.web.evaluation.models import AnalysisRun


@pytest.mark.django_db
def test_an_unexpected_error_in_a_run_is_logged_under_a_reference_and_not_shown(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.CSCEVAL_DATA_DIR = str(tmp_path)

    def broken(*_: Any, **__: Any) -> None:  # a fault the code does not expect
        raise KeyError(f"{tmp_path}/runs: child LA001-0042")

    monkeypatch.setattr(runs, "run_project", broken)
    run = AnalysisRun.objects.create()
    with caplog.at_level("ERROR", logger="csceval.jobs"):
        runs.execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.step) == (AnalysisRun.Status.FAILED, "failed")
    assert run.finished_at is not None
    for secret in (str(tmp_path), "LA001-0042", "KeyError"):
        assert secret not in run.error
    (record,) = [r for r in caplog.records if r.name == "csceval.jobs"]
    assert record.args == ("AnalysisRun", run.pk, record.args[2])  # type: ignore[index]
    assert f"reference {record.args[2]}" in run.error  # type: ignore[index]
