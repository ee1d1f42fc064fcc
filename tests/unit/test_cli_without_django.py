"""``pip install csceval`` has no Django: the CLI still works, and the web commands say what to do.

Django's absence is simulated with ``sys.modules["django"] = None`` (every ``import django`` then
fails), in this process for the web commands and in a fresh interpreter for start-up.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from csceval.cli import main

WEB_COMMANDS = [
    ["serve"],
    ["migrate"],
    ["createadmin", "--username", "someone"],
    ["audit", "verify"],
    ["audit", "head"],
    ["import-project", "some-folder"],
    ["export-project", "--out", "some-folder"],
]


@pytest.mark.parametrize("args", WEB_COMMANDS, ids=[" ".join(a) for a in WEB_COMMANDS])
def test_a_web_command_without_django_says_how_to_install_it(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "django", None)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "csceval.web.settings")  # restored afterwards
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("CSC-E5003 ")
    assert 'pip install "csceval[web]"' in lines[0]
    assert "Traceback" not in result.output


def test_the_cli_starts_without_django() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["django"] = None
        from click.testing import CliRunner
        from csceval.cli import main
        from csceval.cli.docs import walk

        assert not any(m.startswith("django.") for m in sys.modules), "django was imported"
        runner = CliRunner()
        for command, ctx in walk(main):
            args = ctx.command_path.split()[1:]
            result = runner.invoke(main, [*args, "--help"])
            assert result.exit_code == 0, (args, result.output)
        missing = runner.invoke(main, ["validate", "no-such-project"])
        assert missing.exit_code == 2 and "CSC-E" in missing.output, missing.output
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
