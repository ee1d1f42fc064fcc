"""The command line documents itself (as sqlite-utils tests its docs).

Every command and option has help text, every default is shown, and docs/cli.md is what
:mod:`csceval.cli.docs` generates.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from csceval.cli import main
from csceval.cli.docs import cli_page, walk

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = list(walk(main))
OPTIONS = [
    (param, ctx)
    for command, ctx in COMMANDS
    for param in command.get_params(ctx)
    if isinstance(param, click.Option) and not param.hidden
]


def option_id(param: click.Option, ctx: click.Context) -> str:
    """The option's longest name: click orders the help option's names by set order, which
    changes between processes, and xdist needs every worker to collect the same ids."""
    return f"{ctx.command_path} {max(param.opts, key=lambda name: (len(name), name))}"


def has_default(param: click.Option) -> bool:
    """A default worth showing: given, not an empty repeatable option, not an off flag."""
    default = param.to_info_dict()["default"]  # None when unset (click's own sentinel hidden)
    if default is None or (param.multiple and not default):
        return False
    return not (param.is_flag and default is False)


def default_shown(param: click.Option, ctx: click.Context) -> bool:
    record = param.get_help_record(ctx)
    return record is not None and "[default:" in record[1]


def test_the_tree_is_walked() -> None:
    paths = {ctx.command_path for _, ctx in COMMANDS}
    assert {"csceval", "csceval demo", "csceval impact synth", "csceval audit verify"} <= paths


@pytest.mark.parametrize(("command", "ctx"), COMMANDS, ids=[c.command_path for _, c in COMMANDS])
def test_every_command_has_help(command: click.Command, ctx: click.Context) -> None:
    assert (command.help or "").strip(), f"{ctx.command_path} has no help text"


@pytest.mark.parametrize(("param", "ctx"), OPTIONS, ids=[option_id(*o) for o in OPTIONS])
def test_every_option_has_help(param: click.Option, ctx: click.Context) -> None:
    assert (param.help or "").strip(), f"{option_id(param, ctx)} has no help text"


WITH_DEFAULT = [(param, ctx) for param, ctx in OPTIONS if has_default(param)]


@pytest.mark.parametrize(("param", "ctx"), WITH_DEFAULT, ids=[option_id(*o) for o in WITH_DEFAULT])
def test_every_default_is_shown(param: click.Option, ctx: click.Context) -> None:
    assert default_shown(param, ctx), f"{option_id(param, ctx)}: add show_default=True"


def test_a_hidden_default_is_caught() -> None:
    command = click.Command("x", params=[click.Option(["--n"], default=3, help="N.")])
    ctx = click.Context(command)
    (param,) = [p for p in command.get_params(ctx) if p.name == "n"]
    assert isinstance(param, click.Option)
    assert has_default(param)
    assert not default_shown(param, ctx)


@pytest.mark.parametrize(
    ("name", "spelling"),
    [
        ("quiet", ("-q", "--quiet")),
        ("out", ("--out",)),
        ("as_json", ("--json",)),
        ("seed", ("--seed",)),
    ],
)
def test_shared_options_are_spelt_the_same_everywhere(name: str, spelling: tuple[str, ...]) -> None:
    found = [(option_id(p, c), tuple(p.opts)) for p, c in OPTIONS if p.name == name]
    assert found, name
    assert all(opts == spelling for _, opts in found), found


def test_cli_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_page(), "docs/cli.md is stale: run python -m csceval.docgen"


def test_every_command_is_in_cli_md() -> None:
    page = cli_page()
    for _, ctx in COMMANDS:
        assert f"## {ctx.command_path}\n" in page
