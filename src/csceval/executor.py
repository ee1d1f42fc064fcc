"""One executor for the Monte Carlo studies: calibration, recovery and power.

:func:`map_tasks` runs a module-level function over a list of items and returns the results in
the items' order, in this process (``jobs=1``), on a pool of local processes (``jobs>1``) or
on a Dask distributed cluster (``scheduler="tcp://host:port"``; ``"local"`` starts an
in-process ``LocalCluster`` of ``jobs`` thread workers, for tests).

Notes
-----
**Same items, same results, whatever the executor.** Every item carries everything its task
needs, its random seed included, and a task shares no state with another, so the executor
changes only where and when a task runs, never what it computes. Callers draw anything that
depends on a shared random stream (e.g. which pseudo-pilots a draw picks) before mapping.

**Local processes** are started with ``spawn``, not ``fork``: a fork copies the progress bar's
refresh thread and any lock it holds, and Python is deprecating fork in threaded processes.
Each worker imports csceval afresh (about a second), so a pool pays off from a few seconds of
work per task; and a script calling this with ``jobs>1`` needs the ``if __name__ ==
"__main__":`` guard, since each worker imports the script's main module again. Each worker
runs one BLAS thread (``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` 1 unless the user set them):
with a worker per core, BLAS's own threads only contend for the same cores (about 15% more CPU
for the same work, docs/benchmarks.md).

**Dask** is optional (``pip install "csceval[cluster]"``) and imported only when a scheduler
is given. Tasks are submitted with ``pure=False`` (each item runs once, even if two are equal)
and gathered in order. Before submitting, the executor waits for at least one worker and
checks that every worker runs this csceval version, since a worker on another version could
compute other numbers. The workers need csceval installed, and read no local file: the items
hold their data.

**A failing task** stops the map: the tasks not yet started are cancelled, and the task's
exception is raised with its original type and a note naming the task's number and item, so
a ``ValueError`` meant for the user stays a ``ValueError`` whichever executor ran it.
"""

from __future__ import annotations

import multiprocessing
import os
import reprlib
import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from csceval.errors import InputError, Problem
from csceval.terminal import count_bar
from csceval.version import __version__

T = TypeVar("T")
R = TypeVar("R")
Progress = bool | Callable[[int], None]
"""``True`` draws a count bar on stderr; a callable is called with the number of tasks done."""
LOCAL = "local"
"""The ``scheduler`` that starts an in-process Dask ``LocalCluster`` (for tests)."""
CONNECT_TIMEOUT = 20
"""Seconds to wait for the scheduler to answer and for its first worker."""
PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
"""Dask's communication protocols (an address ``PROTOCOL://HOST:PORT``; no protocol: tcp)."""
_ITEM_REPR = reprlib.Repr()
_ITEM_REPR.maxstring, _ITEM_REPR.maxother = 80, 160


def map_tasks(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    label: str = "",
    progress: Progress = False,
) -> list[R]:
    """``[fn(item) for item in items]``, in that order, on the chosen executor.

    ``fn`` must be a module-level function (it is pickled by reference for processes and
    Dask). ``jobs``: local worker processes (with ``scheduler="local"``, Dask thread workers;
    ignored for a remote scheduler, whose workers decide). ``label`` names the study in the
    progress bar and in a failing task's note. Raises :class:`~csceval.errors.InputError`
    (CSC-E5007/8/9) when Dask is missing, the scheduler cannot be reached, or a worker runs
    another csceval version; a task's own exception is re-raised with a note naming its item.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    tasks = list(items)
    with _ticker(progress, label, len(tasks)) as tick:
        if scheduler is not None:
            return _dask_map(fn, tasks, jobs, scheduler, label, tick)
        if jobs > 1 and len(tasks) > 1:
            return _pool_map(fn, tasks, jobs, label, tick)
        results = []
        for index, item in enumerate(tasks):
            try:
                results.append(fn(item))
            except Exception as exc:
                _name_task(exc, label, index, tasks)
                raise
            tick(index + 1)
        return results


@contextmanager
def _ticker(progress: Progress, label: str, total: int) -> Iterator[Callable[[int], None]]:
    if callable(progress):
        yield progress
        return
    with count_bar(progress, label or "running", total) as tick:
        yield lambda done: tick(done)


def _name_task(exc: BaseException, label: str, index: int, tasks: Sequence[Any]) -> None:
    """Add a note naming the failing task and its item (shown under the traceback)."""
    item = _ITEM_REPR.repr(tasks[index])
    exc.add_note(f"{label or 'task'} {index + 1} of {len(tasks)} failed; its item: {item}")


def _pool_map(
    fn: Callable[[T], R],
    tasks: list[T],
    jobs: int,
    label: str,
    tick: Callable[[int], None],
) -> list[R]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context) as pool:
        with _one_blas_thread():  # the workers start as the tasks are submitted
            futures = [pool.submit(fn, item) for item in tasks]
        position: dict[Future[R], int] = {f: i for i, f in enumerate(futures)}
        for done, future in enumerate(as_completed(futures), start=1):
            exc = future.exception()
            if exc is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                _name_task(exc, label, position[future], tasks)
                raise exc
            tick(done)
        return [f.result() for f in futures]


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """The environment a spawned worker inherits: one BLAS thread, unless the user chose."""
    added = [name for name in BLAS_THREADS if name not in os.environ]
    os.environ.update(dict.fromkeys(added, "1"))
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _dask_map(
    fn: Callable[[T], R],
    tasks: list[T],
    jobs: int,
    scheduler: str,
    label: str,
    tick: Callable[[int], None],
) -> list[R]:
    dd = require_dask()
    with ExitStack() as stack:
        if scheduler == LOCAL:
            cluster = dd.LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=False, dashboard_address=None
            )
            stack.callback(cluster.close)
            client = dd.Client(cluster)
        else:
            client = _connect(dd.Client, scheduler)
        stack.callback(client.close)
        _check_workers(client, scheduler)
        futures = client.map(fn, tasks, pure=False, key=f"csceval-{label or 'task'}")
        position = {f.key: i for i, f in enumerate(futures)}
        for done, future in enumerate(dd.as_completed(futures), start=1):
            if future.status == "error":
                error: BaseException = future.exception()
                client.cancel(futures)
                _name_task(error, label, position[future.key], tasks)
                raise error
            tick(done)
        results: list[R] = client.gather(futures)
        return results


def require_dask() -> Any:
    """The ``dask.distributed`` module, or :class:`InputError` CSC-E5007 naming the extra."""
    try:
        import dask.distributed as imported
    except ImportError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E5007",
                    f"--scheduler needs Dask distributed, which is not installed ({exc.name})",
                    fix='pip install "csceval[cluster]" (or leave out --scheduler to run on '
                    "local processes with --jobs)",
                )
            ]
        ) from None
    return imported


def _connect(client_class: Any, scheduler: str) -> Any:
    """A client of ``scheduler``, or CSC-E5008. A ``tcp://`` address is probed with a plain
    socket first, and the protocol checked: it fails at once, and a Dask client that fails to
    connect would leave its event-loop thread running."""
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        parts = urlsplit(address)
        if parts.scheme not in PROTOCOLS:
            raise ValueError(f"unknown protocol {parts.scheme!r}; Dask's are {PROTOCOLS}")
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            socket.create_connection((parts.hostname, parts.port), CONNECT_TIMEOUT).close()
        return client_class(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError([_unreachable(scheduler, str(exc))]) from None


def _unreachable(scheduler: str, why: str) -> Problem:
    return Problem(
        "CSC-E5008",
        f"cannot use the Dask scheduler at {scheduler}: {why}",
        value=scheduler,
        fix="start one with `dask scheduler` and at least one `dask worker ADDRESS`, and give "
        "its address as tcp://HOST:PORT",
    )


def _check_workers(client: Any, scheduler: str, expected: str = __version__) -> None:
    """At least one worker, and every worker on csceval ``expected`` (this one)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise InputError([_unreachable(scheduler, f"no worker joined ({exc})")]) from None
    try:
        versions: dict[str, str] = client.run(worker_version)
    except (ImportError, AttributeError) as exc:  # csceval missing or too old on a worker
        versions = {"a worker": f"none ({exc})"}
    other = {w: v for w, v in versions.items() if v != expected}
    if other:
        worker, version = next(iter(other.items()))
        message = (
            f"{len(other)} Dask worker(s) have csceval {version} (e.g. {worker}), not "
            f"{expected} as here, so they could compute other numbers"
        )
        fix = "install this csceval version in the workers' environment and restart them"
        raise InputError([Problem("CSC-E5009", message, value=scheduler, fix=fix)])


def worker_version() -> str:
    """The csceval version a worker runs (called on every Dask worker)."""
    return __version__


__all__ = ["CONNECT_TIMEOUT", "LOCAL", "Progress", "map_tasks", "require_dask", "worker_version"]
