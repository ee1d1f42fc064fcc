"""``csceval worker``: run the background jobs (analysis runs, exports) of the web platform.

``csceval serve`` starts one beside the web server (:mod:`csceval.web.gunicorn_hooks`); run
``csceval worker`` alone when the web server is run another way (gunicorn under systemd, a
container per role). Jobs wait in the database, so the worker may start before or after the
web server. See docs/security.md, "Background jobs".
"""

from __future__ import annotations

import click

from csceval.cli.web import report_recovered, require_migrated, setup_django


@click.command()
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 60),
    default=1.0,
    show_default=True,
    help="Seconds between looks at an empty queue.",
)
@click.option("--batch", is_flag=True, help="Do the queued jobs, then exit.")
def worker(interval: float, batch: bool) -> None:
    """Run the web platform's background jobs (analysis runs, exports) until stopped.

    Ctrl+C or SIGTERM lets the current job finish; a second one stops it (the job is marked
    failed). A job whose worker was killed is queued once more when the next worker starts.
    """
    from csceval.web.gunicorn_hooks import bind_to_parent

    bind_to_parent()  # started by `csceval serve`: do not outlive it
    setup_django()
    require_migrated()
    from csceval.web.evaluation.jobs import new_worker_id, run_worker

    me = new_worker_id()
    report_recovered(me)
    run_worker(me, interval=interval, batch=batch)


COMMANDS = (worker,)
