"""The demo's report as a product (issue 14), read as a person would: the summary's first screen,
pages under 400 KB, no rendering defects (text lint; Chromium layout), axe-core on every template,
a keyboard journey, the print edition as a PDF whose pages render, and spreadsheets safe to
open. They read the session's demo run (``demo_run``: ``csceval run``, with ``--pdf`` when
WeasyPrint is installed); the output checks that need it live here too, and the check that the
API writes the same bytes is in tests/unit/test_api.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.formula_injection import neutralise
from csceval.report.pdf import PDF_NAME, pdf_available

CHROMIUM = Path("/usr/bin/chromium")
CHECKS = (Path(__file__).parent / "report_checks.js").read_text(encoding="utf-8")
PAGE_LIMIT = 400_000
PDF = pdf_available() and shutil.which("pdftoppm") is not None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_project: Path, demo_run: Path) -> Path:
    """The demo as ``csceval demo`` lays it out: ROOT/project and ROOT/output, the session's
    simulation and its ``csceval run`` (``--pdf`` too, when WeasyPrint is there), read only."""
    root = tmp_path_factory.mktemp("demo-run")
    (root / "project").symlink_to(demo_project, target_is_directory=True)
    (root / "output").symlink_to(demo_run, target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def pages(demo: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted((demo / "output" / "report").glob("*.html"))}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (make test installs it)")
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium.new_page(viewport={"width": 1366, "height": 768})
        chromium.close()


def test_demo_writes_every_output(demo: Path, pages: dict[str, Path]) -> None:
    out = demo / "output"
    assert {"index.html", "about.html", "impact.html", "costs.html"} <= set(pages)
    assert sum(p.read_text(encoding="utf-8").count("<svg") for p in pages.values()) >= 10
    assert "Key indicators over time" in pages["index.html"].read_text(encoding="utf-8")
    tables = sorted((out / "tables").glob("*.csv"))
    assert len(tables) >= 10
    workbook = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "Contents"
    assert len(workbook.sheetnames) == len(tables) + 1
    assert all(len(n) <= 31 and re.match(r"\d+ [A-Z]", n) for n in workbook.sheetnames[1:])
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["seed"] == 2018
    assert re.fullmatch(r"[0-9a-f]{64}", provenance["inputs"]["data/indicators.csv"])
    assert provenance["command"].startswith("csceval")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", provenance["run_at"])
    assert provenance["git_commit"] is None or re.fullmatch(
        r"[0-9a-f]{40}", provenance["git_commit"]
    )
    costs = openpyxl.load_workbook(out / "costs_workbook.xlsx")  # the costs strand's audit book
    assert len(costs.sheetnames) >= 3


def test_england_rate_is_the_pooled_rate(demo: Path) -> None:
    """The published England CLA rate equals total children looked after / total population."""
    rows = pd.read_csv(demo / "project" / "data" / "indicators.csv", dtype={"la_code": str})
    wide = rows.pivot_table(
        index=["la_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    count = pd.to_numeric(wide["cla_count_31mar"], errors="coerce").xs(2020, level="year")
    population = pd.to_numeric(wide["population_0_17"], errors="coerce").xs(2019, level="year")
    both = pd.concat([count, population], axis=1, keys=["n", "pop"]).dropna()
    pooled = both["n"].sum() / both["pop"].sum() * 10_000
    table = pd.read_csv(demo / "output" / "tables" / "trend-cla_rate_per_10k.csv", dtype=str)
    assert list(table.columns)[:4] == ["year", "pilots", "comparators", "england"]
    published = float(table.loc[table["year"] == "2020", "england"].iat[0])
    assert published == pytest.approx(pooled, abs=0.15)


def test_source_date_epoch_fixes_the_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from csceval.pipeline.run import run_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_time() == "2023-11-14T22:13:20+00:00"


def test_validate_accepts_the_simulated_project(demo: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(demo / "project")])
    assert result.exit_code == 0, result.output


def test_every_page_is_under_400_kb(pages: dict[str, Path]) -> None:
    sizes = {name: path.stat().st_size for name, path in pages.items()}
    assert any(name.startswith("benchmarks-") for name in sizes), "benchmarks have LA pages"
    assert max(sizes.values()) < PAGE_LIMIT, sizes


class Texts(HTMLParser):
    """The text of each block element (paragraph, list item, cell, caption, chart label)."""

    BLOCKS = frozenset({"p", "li", "dd", "dt", "td", "th", "caption", "h1", "h2", "h3", "text"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[str]]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "title", "desc")
        if tag in self.BLOCKS:
            self.blocks.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "title", "desc")

    def handle_data(self, data: str) -> None:
        if self.blocks and not self.skip:
            self.blocks[-1][1].append(data)


DOUBLED_UNIT = re.compile(r"(\([^()]{2,}\))\s*\1")
DOUBLED_PUNCTUATION = re.compile(r"(?<!\.)\.\.(?!\.)|,,|;;|::|\.\s+\.(?!\.)|,\.|\.,")
RAW_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+){2,}\b")


def lint(html: str) -> list[str]:
    """Doubled units, doubled punctuation, a sentence said twice in one element, a label that
    repeats its tag, and raw snake_case ids in chart labels."""
    parser = Texts()
    parser.feed(html)
    problems = []
    for tag, parts in parser.blocks:
        text = " ".join("".join(parts).split())
        if not text:
            continue
        problems += [
            f"doubled unit {m.group(0)!r} in {text!r}" for m in DOUBLED_UNIT.finditer(text)
        ]
        problems += [f"doubled punctuation in {text!r}" for _ in DOUBLED_PUNCTUATION.finditer(text)]
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
        problems += [f"repeated sentence {s!r}" for s in set(sentences) if sentences.count(s) > 1]
        if text.count("Strength of evidence") > 1:
            problems.append(f"strength of evidence said twice in {text!r}")
        if tag == "text" and RAW_ID.search(text):
            problems.append(f"raw id in a chart label: {text!r}")
    return problems


def test_text_lint_on_every_page(pages: dict[str, Path]) -> None:
    assert len(lint("<p>Rate (% change) (% change)</p><li>Done.. twice</li>")) == 2
    assert lint("<p>The data are in the table below. The data are in the table below.</p>")
    assert lint("<svg><text>looked_after_child_year</text></svg>")
    problems = {name: lint(p.read_text(encoding="utf-8")) for name, p in pages.items()}
    assert not {k: v for k, v in problems.items() if v}, problems


def test_summary_answers_the_questions_on_its_first_screen(browser: Any, pages: dict) -> None:
    page = browser
    page.goto(pages["index.html"].as_uri())
    first_screen = page.evaluate(
        """() => {
          const walker = document.createTreeWalker(document.querySelector("main"), 4);
          const seen = [];
          while (walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(walker.currentNode);
            const box = range.getBoundingClientRect();
            const node = walker.currentNode;
            if (box.height > 0 && box.bottom <= window.innerHeight) seen.push(node.textContent);
          }
          return seen.join(" ").replace(/\\s+/g, " ");
        }"""
    )
    questions = page.locator("dl.answers dt").all_inner_texts()
    assert len(questions) == 5, questions  # every default question has data in the demo
    for question in questions:
        assert question in first_screen, f"{question!r} is not on the first screen"
    answers = page.locator("dl.answers dd").all_inner_texts()
    for answer in answers:
        sentence = answer.split(" Strength of evidence")[0]
        assert sentence in first_screen, f"{sentence!r} is not on the first screen"
        assert "Strength of evidence:" in answer
        assert "not graded" not in answer, "costs and cost-benefit are graded too"
    assert "Not evaluated" in first_screen
    impact = next(a for a in answers if "indicators is weaker" in a or "No clear change" in a)
    assert "%" in impact
    assert not re.search(r"[+-]\d", impact), "direction words, not signs"


def one_per_template(pages: dict[str, Path]) -> set[str]:
    """Every page but the per-LA benchmarking pages, of which one (the largest): they share
    one template and differ only in numbers and names, which the layout checks cover on each."""
    per_la = sorted((p for n, p in pages.items() if n.startswith("benchmarks-")),
                    key=lambda p: p.stat().st_size)  # fmt: skip
    return {n for n in pages if not n.startswith("benchmarks-")} | {p.name for p in per_la[-1:]}


def _axe_problems(page: Any) -> list[str]:
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_every_page_lays_out_cleanly_and_passes_axe(browser: Any, pages: dict) -> None:
    """axe-core on every page template (:func:`one_per_template`), with <details> closed as a
    reader first sees the page, then the layout checks on every page (they open every
    <details>). axe's script is registered once, on a page of
    its own, and runs in each document as it loads."""
    from axe_playwright_python.sync_playwright import Axe

    page, problems = browser.context.browser.new_page(viewport=browser.viewport_size), {}
    axed = one_per_template(pages)
    page.add_init_script(Axe().axe_script)
    try:
        for name, path in pages.items():
            page.goto(path.as_uri())
            bad = _axe_problems(page) if name in axed else []
            bad += page.evaluate(CHECKS)
            if bad:
                problems[name] = bad
        page.set_content('<main><p style="color:#eee;background:#fff">faint</p></main>')
        faint = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.close()
    assert not problems, problems
    assert len(pages) >= 24
    assert "color-contrast" in {v["id"] for v in faint["violations"]}, "axe ran and can fail"


def test_layout_check_can_fail(browser: Any) -> None:
    page = browser
    page.set_content(
        '<main style="width:300px"><table><tr><td style="padding:0">1.88</td>'
        '<td style="padding:0">7.0%</td></tr></table><div><table style="width:900px"><tr>'
        "<td>wide</td></tr></table></div><svg width='200' height='50'><text x='10' y='20'>"
        "First pilot starts</text><text x='20' y='20'>Pilots embedded</text></svg></main>"
    )
    problems = " ".join(page.evaluate(CHECKS))
    assert "cells run together" in problems
    assert "without a scroll wrapper" in problems
    assert "chart labels collide" in problems


def test_a_policymaker_goes_summary_impact_costs_and_back_by_keyboard(
    browser: Any, pages: dict
) -> None:
    page = browser
    page.goto(pages["index.html"].as_uri())

    def follow(link_text: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == link_text:
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                return
        raise AssertionError(f"no link {link_text!r} reachable by Tab")

    follow("Impact on key indicators")
    assert page.url.endswith("/impact.html")
    assert page.locator("h1").inner_text() == "Impact on key indicators"
    follow("Costs and value")
    assert page.url.endswith("/costs.html")
    assert page.locator("text=net present value").count() >= 1
    page.go_back()
    assert page.url.endswith("/impact.html")


def test_spreadsheets_neutralise_formulas(demo: Path) -> None:
    """Every text cell of report.xlsx and tables/*.csv is as neutralise leaves it: nothing a
    spreadsheet would run as a formula, numbers as they are."""
    out = demo / "output"
    workbook = openpyxl.load_workbook(out / "report.xlsx")
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for path in (out / "tables").glob("*.csv"):
        texts += pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel().tolist()
    assert texts
    assert [t for t in texts if neutralise(t) != t] == []


def _pdf_text(pdf: Path) -> tuple[int, str]:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert re.search(r"Tagged:\s+yes", info)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


@pytest.mark.skipif(not PDF, reason="needs WeasyPrint and Poppler (pdftoppm)")
def test_the_demo_pdf_is_a_print_edition_whose_pages_render(demo: Path, tmp_path: Path) -> None:
    """``csceval run --pdf`` on the demo (the module's run): a print edition of a few dozen
    pages with contents, page numbers and the summary's answers graded; its first, middle and
    last pages render to PNG with pdftoppm and carry ink."""
    from PIL import Image  # WeasyPrint's own dependency

    pdf = demo / "output" / "report" / PDF_NAME
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages, text = _pdf_text(pdf)
    assert 20 <= pages <= 120, pages  # the print edition, not every table (once 493 pages)
    assert pdf.stat().st_size < 3_000_000
    assert "This is the print edition of the report" in text
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert re.search(r"Impact on key indicators\s*\.+\s*\d+", text), "contents with page numbers"
    assert "not printed: see" in text, "detail is pointed to"
    assert "report.xlsx" in text
    assert "Assumptions" in text
    assert "adoption dates" in text.lower()
    assert "not graded" not in text, "every answer has a strength of evidence"
    for n in sorted({1, (pages + 1) // 2, pages}):
        stem = tmp_path / f"page-{n}"
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-singlefile", "-f", str(n), "-l", str(n), str(pdf),
             str(stem)],
            check=True,
            timeout=120,
        )  # fmt: skip
        with Image.open(stem.with_suffix(".png")) as image:
            assert image.size[0] > 200
            darkest, lightest = image.convert("L").getextrema()
            assert darkest < 100 < lightest, f"page {n} is blank"
