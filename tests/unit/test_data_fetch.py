"""``csceval data fetch`` against a local HTTP server serving files this test writes."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.data.fetch import Item, fetch, verify
from csceval.errors import InputError

EES = "time_period,time_identifier,geographic_level,country_code,country_name\n"
EES += "2024,Reporting year,National,E92000001,England\n"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; ``/flaky/...`` fails with 503 on the first request of each path."""

    failed: ClassVar[set[str]] = set()

    def do_GET(self) -> None:
        if self.path.startswith("/flaky/") and self.path not in self.failed:
            self.failed.add(self.path)
            self.send_error(503)
            return
        self.path = self.path.removeprefix("/flaky")
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    (root / "b1.csv").write_text(EES)
    (root / "las.csv").write_text("new_la_code,la_name\nE06000001,Hartlepool\n")
    (root / "page.html").write_text("<html>not a csv</html>")
    Handler.failed = set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_writes_files_checksums_and_manifest(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = server
    out = tmp_path / "out"
    items = [
        Item("dfe_csc_ees_la/b1.csv", f"{base}/flaky/b1.csv"),  # fails once, then succeeds
        Item("la_reference/ees_las.csv", f"{base}/las.csv"),
    ]
    written = fetch(out, items, retries=2, backoff=0.01)
    body = (out / "dfe_csc_ees_la" / "b1.csv").read_bytes()
    assert body == (root / "b1.csv").read_bytes()
    digest = (out / "dfe_csc_ees_la" / "b1.csv.sha256").read_text().split()[0]
    assert digest == hashlib.sha256(body).hexdigest()
    assert (out / "manifest.json").is_file()
    assert len(written) == 5
    assert verify(out) == []
    (out / "dfe_csc_ees_la" / "b1.csv").write_text(EES + "tampered\n")
    assert [p.code for p in verify(out)] == ["CSC-E4041"]


def test_a_failed_download_changes_nothing(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    items = [Item("la_reference/ees_las.csv", f"{base}/las.csv"), Item("x.csv", f"{base}/none")]
    with pytest.raises(InputError) as caught:
        fetch(out, items, retries=1, backoff=0.01)
    assert caught.value.problems[0].code == "CSC-E4040"
    assert "HTTP 404" in caught.value.problems[0].message
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_a_page_that_is_not_csv_is_refused(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(InputError) as caught:
        fetch(tmp_path / "out", [Item("dfe_csc_ees_la/p.csv", f"{base}/page.html")], retries=0)
    assert caught.value.problems[0].code == "CSC-E4041"


def test_fetch_command_with_a_manifest(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"name,url\ndfe_csc_ees_la/b1.csv,{base}/b1.csv\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["data", "fetch", "--out", str(out), "--manifest", str(manifest), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "dfe_csc_ees_la" / "b1.csv").read_text() == EES
    bad = tmp_path / "bad.csv"
    bad.write_text("name,url\nonly-a-name,\n")
    result = CliRunner().invoke(main, ["data", "fetch", "--out", str(out), "--manifest", str(bad)])
    assert result.exit_code == 2
    assert "CSC-E4041" in result.output
