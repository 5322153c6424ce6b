"""The reports open in a real browser: headless Chromium, no console errors, charts drawn, not blank, A4.

Needs Debian's `chromium` (scripts/test.sh installs it); skipped with a reason where it is missing.
Console messages are read from Chromium's own log (`--enable-logging=stderr --v=0` prints every
console message as `INFO:CONSOLE...`); a control page with a deliberate error proves the harness
sees them, so a changed log format fails loudly instead of passing silently.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.render.conftest import Rendered
from tests.render.png import distinct_colours

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium; scripts/test.sh does)"
)
CONSOLE = re.compile(r"CONSOLE[(:]\d+")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
    "--enable-logging=stderr", "--v=0",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{uuid.uuid4().hex}"
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def console_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if CONSOLE.search(ln)]


@pytest.fixture(scope="module")
def reports_dir(rendered: Rendered, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    for name, text in rendered.files.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


def test_harness_sees_console_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><p>x</p><script>console.error('boom'); notDefined();</script>", encoding="utf-8")
    proc = chromium(tmp_path, "--dump-dom", bad.as_uri())
    assert "<p>x</p>" in proc.stdout
    assert console_lines(proc.stderr), "Chromium's console log was not captured:\n" + proc.stderr[-2000:]


@pytest.mark.parametrize(("page", "min_svgs"), [("index.html", 5), ("sanne-de-vries.html", 6)])
def test_report_opens_without_errors_and_draws_charts(reports_dir: Path, tmp_path: Path, page: str,
                                                      min_svgs: int) -> None:
    url = (reports_dir / page).as_uri()
    proc = chromium(tmp_path, "--dump-dom", url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_lines(proc.stderr) == []
    dom = proc.stdout
    assert "<h1>" in dom
    assert dom.count("<svg") >= min_svgs
    assert re.search(r"<svg[^>]*role=\"img\"", dom)
    assert "<circle" in dom and ("<polyline" in dom or "<line" in dom)

    shot = tmp_path / "shot.png"
    proc = chromium(tmp_path, "--window-size=1024,900", f"--screenshot={shot}", url)
    assert shot.is_file() and shot.stat().st_size > 5000, proc.stderr[-2000:]
    assert console_lines(proc.stderr) == []
    assert distinct_colours(shot) > 20, "screenshot looks blank"


def test_rep_report_prints_on_a4(reports_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "rep.pdf"
    proc = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    (reports_dir / "sanne-de-vries.html").as_uri())
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes, "no page boxes found in the PDF"
    for w, h in boxes:
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2  # A4 portrait in points
