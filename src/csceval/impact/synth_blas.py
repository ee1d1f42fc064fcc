"""One BLAS thread inside the synthetic-control estimators.

The estimators' linear algebra is many small products and solves; with BLAS's default thread
pool on a shared machine they oversubscribe the cores (measured on the LA inference set: 3.5x
slower on 2 cores under a load of 5, see docs/benchmarks.md). :func:`single_blas_thread` sets
numpy's bundled OpenBLAS to one thread for the duration of a block and restores the previous
setting, as ``threadpoolctl`` does (it is not a dependency). When numpy links another BLAS, or
the library cannot be found, the block runs unchanged: set ``OPENBLAS_NUM_THREADS=1`` /
``OMP_NUM_THREADS=1`` in the environment of the process (or worker) instead.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["single_blas_thread"]

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED = 0


def _find_openblas() -> tuple[Any, Any] | None:
    """numpy's bundled OpenBLAS ``(get_num_threads, set_num_threads)``, or ``None``."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libs.glob("libscipy_openblas*.so*")):
        try:
            lib = ctypes.CDLL(str(path))  # the copy numpy already loaded: same handle
        except OSError:
            continue
        for suffix in ("64_", "_64_", ""):
            get = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            put = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                put.restype = None
                return get, put
    return None


_OPENBLAS = _find_openblas()


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with one OpenBLAS thread (re-entrant; a no-op without numpy's OpenBLAS)."""
    global _DEPTH, _SAVED
    if _OPENBLAS is None:
        yield
        return
    get, put = _OPENBLAS
    with _LOCK:
        if _DEPTH == 0:
            _SAVED = int(get())
            if _SAVED != 1:
                put(1)
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0 and _SAVED != 1:
                put(_SAVED)
