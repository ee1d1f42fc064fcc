"""Survey test helpers: a KoboToolbox-style XLSForm with skip logic."""

from __future__ import annotations

import io

from openpyxl import Workbook

SURVEY = [
    ["type", "name", "label::English (en)", "required", "relevant", "subscale", "reverse"],
    ["select_one teams", "team", "Your team", "true", "", "", ""],
    ["begin_group", "climate", "Your team's climate", "", "", "", ""],
    ["select_one agree5", "q1", "I can raise a worry.", "true", "", "safety", ""],
    ["select_one agree5", "q2", "Mistakes are held against you.", "true", "", "safety", "TRUE"],
    ["end_group", "", "", "", "", "", ""],
    ["select_one yesno", "sup", "Do you have supervision?", "", "", "", ""],
    ["select_one agree5", "s1", "Supervision helps.", "", "${sup} = 'yes'", "sup", ""],
    ["select_one agree5", "s2", "Supervision is regular.", "", "${sup} = 'yes'", "sup", ""],
    ["text", "comments", "Anything else?", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::English (en)"],
    *[["agree5", str(v), f"Level {v}"] for v in range(1, 6)],
    ["yesno", "yes", "Yes"],
    ["yesno", "no", "No"],
    ["teams", "T01", "Team one"],
]


def kobo_form(survey: list[list[str]] | None = None) -> bytes:
    book = Workbook()
    sheets = {"survey": survey or SURVEY, "choices": CHOICES,
              "settings": [["form_title", "version"], ["Team form", "v1"]]}  # fmt: skip
    for index, (name, rows) in enumerate(sheets.items()):
        ws = book.active if index == 0 else book.create_sheet()
        assert ws is not None
        ws.title = name
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
