"""gunicorn server hooks that keep a background worker beside the web server.

``csceval serve`` passes this module as gunicorn's config: when the master is ready it starts
``csceval worker`` as a child and a thread that starts it again if it dies (after a pause, so a
worker that cannot start does not spin); when the master exits it stops the worker
(SIGTERM: the current job finishes first, up to gunicorn's own shutdown wait, then SIGKILL and
the next worker settles the job). One worker per ``serve``: a handful of runs a day.

A master killed outright (SIGKILL, out of memory) runs no hook, so the worker ends itself
(:func:`bind_to_parent`): on Linux the kernel kills it when the thread that started it dies
(``prctl(PR_SET_PDEATHSIG)``), and everywhere a thread checks once a second that its parent is
still the master (``os.getppid()`` changes when the parent dies). Its job stays "running" and
the next worker settles it (:mod:`csceval.web.evaluation.jobs`), so no orphan keeps working
unsupervised beside a restarted ``serve``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

WORKER = "import sys; from csceval.cli import main; sys.exit(main())"
PARENT = "CSCEVAL_WORKER_PARENT"
"""The environment variable naming the process id a supervised worker must not outlive."""
RESTART_PAUSE = 5.0
STOP_WAIT = 30.0
PARENT_POLL = 1.0
PR_SET_PDEATHSIG = 1

_stopping = threading.Event()
_current: list[subprocess.Popen[bytes]] = []


def _supervise() -> None:
    env = {**os.environ, PARENT: str(os.getpid())}
    while not _stopping.is_set():
        process = subprocess.Popen([sys.executable, "-c", WORKER, "worker"], env=env)
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


def bind_to_parent() -> None:
    """In a worker started by :func:`_supervise`: exit when the process that started it dies.

    A no-op for a worker started any other way (``csceval worker`` under systemd). The death
    signal is SIGKILL, not SIGTERM: a graceful stop would finish the current job, for as long as
    a run takes, with nobody supervising; the next worker queues the job again instead."""
    expected = os.environ.pop(PARENT, "")
    if not expected.isdigit():
        return
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the poll below still works
            pass
    watcher = threading.Thread(
        target=_exit_when_orphaned, args=(int(expected),), name="csceval-parent", daemon=True
    )
    watcher.start()


def _exit_when_orphaned(parent: int) -> None:
    """Poll the parent (the check also covers a parent that died before ``prctl`` ran)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    print("csceval worker: csceval serve has gone; stopping", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
