"""De-identification of a row-level export (SEC-E3, following REDCap's options).

- Free-text variables are dropped (they may name people).
- Identifier variables are replaced by ``HMAC-SHA256(per-export key, value)``, first 16 hex
  digits: the same id gives the same hash within one export (rows stay linkable), but hashes
  differ between exports, and the key is thrown away, so they cannot be reversed or joined.
- Date variables are shifted by a per-record offset of -182..+182 days drawn from the HMAC of
  the record key: every date of a record moves by the same number of days, so intervals within a
  record are preserved while calendar dates are not.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd

from csceval.web.exports.registry import Dataset, Privacy

MAX_SHIFT_DAYS = 182


def _digest(key: bytes, value: object) -> bytes:
    return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).digest()


def deidentify(frame: pd.DataFrame, dataset: Dataset, key: bytes | None = None) -> pd.DataFrame:
    """A de-identified copy of ``frame``; ``key`` (random when None) is the per-export secret."""
    key = key or secrets.token_bytes(32)
    out = frame.copy()
    if dataset.record_key is not None:
        offsets = [
            int.from_bytes(_digest(key + b"shift", v)[:4], "big") % (2 * MAX_SHIFT_DAYS + 1)
            - MAX_SHIFT_DAYS
            for v in frame[dataset.record_key]
        ]
    else:
        offsets = [
            int.from_bytes(_digest(key + b"shift", i)[:4], "big") % (2 * MAX_SHIFT_DAYS + 1)
            - MAX_SHIFT_DAYS
            for i in range(len(frame))
        ]
    shift = pd.to_timedelta(pd.Series(offsets, index=frame.index), unit="D")
    for var in dataset.variables:
        if var.privacy is Privacy.FREE_TEXT:
            out = out.drop(columns=var.name)
        elif var.privacy is Privacy.IDENTIFIER:
            out[var.name] = [
                None if pd.isna(v) else _digest(key, v).hex()[:16] for v in frame[var.name]
            ]
        elif var.privacy is Privacy.DATE:
            dates = pd.to_datetime(frame[var.name])
            out[var.name] = [None if pd.isna(d) else d.date() for d in (dates + shift)]
    return out
