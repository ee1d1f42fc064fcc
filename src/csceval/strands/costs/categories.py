"""The cost categories of the implementation ledger (issue 6; the Phase 2 cost study's headings).

A ledger row names one of these ids. Staff time is entered as hours x a unit cost per hour
(``kind = time``); bought-in items as cash (``kind = cash``).
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "practitioner_training": "Practitioner and manager time in training and workshops",
    "trainers_consultancy": "Trainers and consultancy",
    "licences": "Licences",
    "backfill": "Backfill (cover for staff in training)",
    "practice_leads": "Practice leads",
    "leadership_time": "Leadership time",
    "recording_system": "Changes to the case-recording system and forms",
    "travel": "Travel",
    "overheads": "Overheads",
}
"""Category id -> title, in report order."""

TIMINGS = ("one_off", "ongoing")
KINDS = ("cash", "time")
