"""csceval: evaluate a children's social care practice framework across English LAs.

In a notebook::

    import csceval
    ev = csceval.evaluate("my-project")   # load the folder, run every available strand
    print(ev.summary())
    ev["impact"].to_frame()               # any strand's result as a tidy DataFrame
    ev.report("output")                   # the report, as `csceval run` writes it

``evaluate`` and ``Evaluation`` are imported on first use, so ``import csceval.project`` (or
any other part) does not load the pipeline and every strand. docs/api.md has runnable examples.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from csceval.version import __version__

if TYPE_CHECKING:
    from csceval.pipeline.evaluation import Evaluation, evaluate

__all__ = ["Evaluation", "__version__", "evaluate"]

_LAZY = {"Evaluation": "csceval.pipeline.evaluation", "evaluate": "csceval.pipeline.evaluation"}


def __getattr__(name: str) -> Any:
    """Import ``evaluate`` and ``Evaluation`` when first asked for (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
