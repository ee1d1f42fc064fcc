"""Benchmark: the demo's report as pages and as one PDF (``csceval demo --pdf``).

Run: .venv/bin/python benchmarks/report_pdf.py
Simulates the demo (seed 2018), runs it with ``pdf=True`` and prints the number and sizes of the
HTML pages, the PDF's size and page count (Poppler's ``pdfinfo``) and the time taken. Needs
WeasyPrint and poppler-utils. Record the result in docs/benchmarks.md ("Report pages and PDF").
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from csceval.pipeline import run_project, simulate_project
from csceval.report.pdf import PDF_NAME


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        simulate_project(root / "project", seed=2018)
        t0, c0 = time.perf_counter(), time.process_time()
        run_project(root / "project", root / "site", command="benchmark")
        t1, c1 = time.perf_counter(), time.process_time()
        run_project(root / "project", root / "pdf", command="benchmark", pdf=True)
        t2, c2 = time.perf_counter(), time.process_time()
        pages = sorted((root / "site" / "report").glob("*.html"))
        sizes = [p.stat().st_size for p in pages]
        pdf = root / "pdf" / "report" / PDF_NAME
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        count = re.search(r"Pages:\s+(\d+)", info.stdout)
        n_pages = count.group(1) if count else "?"
        print(f"HTML pages: {len(pages)}, largest {max(sizes) / 1024:.0f} KB, total "
              f"{sum(sizes) / 1024:.0f} KB; run without PDF {t1 - t0:.1f} s")  # fmt: skip
        print(f"PDF: {n_pages} pages, {pdf.stat().st_size / 1e6:.2f} MB; run with PDF "
              f"{t2 - t1:.1f} s (the PDF alone ~{(t2 - t1) - (t1 - t0):.0f} s)")  # fmt: skip
        print(f"CPU (one core): run {c1 - c0:.1f} s, with PDF {c2 - c1:.1f} s (the PDF alone "
              f"~{(c2 - c1) - (c1 - c0):.0f} s)")  # fmt: skip
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
