"""gunicorn server hooks that keep a background worker beside the web server.

``csceval serve`` passes this module as gunicorn's config: when the master is ready it starts
``csceval worker`` as a child and a thread that starts it again if it dies (after a pause, so a
worker that cannot start does not spin); when the master exits it stops the worker
(SIGTERM: the current job finishes first, up to gunicorn's own shutdown wait, then SIGKILL and
the next worker settles the job). One worker per ``serve``: a handful of runs a day.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

WORKER = "import sys; from csceval.cli import main; sys.exit(main())"
RESTART_PAUSE = 5.0
STOP_WAIT = 30.0

_stopping = threading.Event()
_current: list[subprocess.Popen[bytes]] = []


def _supervise() -> None:
    while not _stopping.is_set():
        process = subprocess.Popen([sys.executable, "-c", WORKER, "worker"])
        _current[:] = [process]
        process.wait()
        if not _stopping.wait(RESTART_PAUSE):
            print(f"csceval worker exited ({process.returncode}); starting it again", flush=True)


def when_ready(server: Any) -> None:
    """Start the supervised worker once the web server listens."""
    threading.Thread(target=_supervise, name="csceval-worker", daemon=True).start()


def on_exit(server: Any) -> None:
    """Stop the worker with the web server."""
    _stopping.set()
    for process in _current:
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
