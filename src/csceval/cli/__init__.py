"""The csceval command line: a thin layer over the library functions the web platform also uses.

One module per command group: :mod:`~csceval.cli.project` (simulate, validate, run, demo),
:mod:`~csceval.cli.data`, :mod:`~csceval.cli.impact`, :mod:`~csceval.cli.costs`,
:mod:`~csceval.cli.reliability`, :mod:`~csceval.cli.childlevel` and :mod:`~csceval.cli.web` (the
web platform, which needs ``csceval[web]``); strands may contribute groups of their own. Every
user mistake ends in coded messages and exit status 2, never a traceback. ``docs/cli.md`` is
generated from this tree (:mod:`csceval.cli.docs`).
"""

from __future__ import annotations

import click

from csceval import __version__
from csceval.cli import project, web, web_audit, web_housekeeping, web_worker
from csceval.cli.childlevel import simulate_child_level_command
from csceval.cli.costs import costs
from csceval.cli.data import data_group
from csceval.cli.impact import impact
from csceval.cli.reliability import reliability


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="csceval", help="Show the version and exit.")
def main() -> None:
    """Evaluate a children's social care practice framework across English local authorities."""


for _command in (
    *project.COMMANDS,
    data_group,
    impact,
    costs,
    reliability,
    simulate_child_level_command,
    *web.COMMANDS,
    *web_audit.COMMANDS,
    *web_housekeeping.COMMANDS,
    *web_worker.COMMANDS,
):
    main.add_command(_command)

try:  # the command groups that strands contribute (the registry may be absent or broken)
    from csceval.registry import registered_strands
except ImportError:  # pragma: no cover - only while the registry is missing
    pass
else:
    for _strand in registered_strands():
        if _strand.cli is not None:
            main.add_command(_strand.cli)
