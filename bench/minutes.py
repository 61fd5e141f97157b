"""Render + sign time of minutes PDFs, 3 and 10 pages, and the process's peak memory.

`python bench/minutes.py` (also run by `make bench`). Median of several runs after one warm-up;
signs with a throwaway demo CA in a temporary folder. Targets (issue 4): ≤ 0.6 s for 3 pages,
≤ 1.5 s for 10 pages, ≤ 250 MB peak.
"""

import dataclasses
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infogov.settings")
os.environ["INFOGOV_SIGNING_DIR"] = tempfile.mkdtemp(prefix="infogov-bench-signing-")

import django  # noqa: E402

django.setup()

from bench.memory import peak_mb  # noqa: E402
from meetings.minutes import pdf, signing  # noqa: E402
from members.models import User  # noqa: E402
from tests.meetings.test_pdf import NARRATIVE, make_minutes  # noqa: E402

RUNS = 7
TARGETS = {3: 0.6, 10: 1.5}
TARGET_MB = 250


def document(pages: int):
    """A realistic document padded with narrative until it has ``pages`` pages."""
    narrative = NARRATIVE
    while True:
        doc = make_minutes(narrative=narrative)
        rendered = pdf.render_minutes(doc)
        if rendered.pages >= pages:
            return doc, rendered.pages
        narrative += "\n" + NARRATIVE


def measure(pages: int) -> None:
    """Render and sign a ``pages``-page document RUNS times in this process; print one row."""
    # The bench's signer is no seated leader (get_signer would refuse): its key is made
    # unchecked and used directly.
    signing.create_demo_signer("bench-leader", "孙其信", check_seat=False)
    backend = signing.DemoSigner(User(username="bench-leader", full_name="孙其信"))
    signed_at = dt.datetime.now(dt.UTC)
    doc, actual = document(pages)
    render_times, sign_times = [], []
    for run in range(RUNS + 1):
        t0 = time.perf_counter()
        rendered = pdf.render_minutes(dataclasses.replace(doc))
        t1 = time.perf_counter()
        backend.sign(
            rendered.data,
            stamp=rendered.stamp,
            name="孙其信",
            reason="签发",
            location="信息化工作领导小组",
            signed_at=signed_at,
        )
        t2 = time.perf_counter()
        if run:  # the first run warms the font cache
            render_times.append(t1 - t0)
            sign_times.append(t2 - t1)
    total = statistics.median(r + s for r, s in zip(render_times, sign_times, strict=True))
    target = TARGETS[pages]
    print(
        f"{f'{pages} pages':<12}{actual:>6}{statistics.median(render_times):>10.3f}"
        f"{statistics.median(sign_times):>9.3f}{total:>9.3f}{f'≤{target}':>8} "
        f"{'PASS' if total <= target else 'MISS'}{peak_mb():>9.0f}"
        f"{f'≤{TARGET_MB}':>7} {'PASS' if peak_mb() <= TARGET_MB else 'MISS'}"
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--pages":
        measure(int(sys.argv[2]))
        return 0
    # Each size in a fresh process, so that its peak memory is its own.
    print(
        f"{'document':<12}{'pages':>6}{'render s':>10}{'sign s':>9}{'total s':>9}{'target':>8}"
        f"      {'peak MB':>9}{'target':>7}"
    )
    for pages in TARGETS:
        done = subprocess.run([sys.executable, __file__, "--pages", str(pages)], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
