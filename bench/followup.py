"""The follow-up ledger in the bench: seeded items, and the .xlsx export of 10,000 of them.

bench/run.py seeds the items (``seed_ledger``) into its PostgreSQL database, serves the
ledger page under load as an Office clerk next to the minimal GET, and runs
``python bench/followup.py`` against the same database to export the whole ledger in a fresh
process: the time of the export and the process's peak memory (targets: <= 3 s, <= 200 MB).
Run alone, it prints the figures as JSON (Django's settings come from the environment).
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPORT_ITEMS = 10_000
TARGET_EXPORT_SECONDS = 3.0
TARGET_EXPORT_MB = 200
CLERK = "bench-office-clerk"


def seed_ledger(n: int = EXPORT_ITEMS):
    """Seat an Office clerk and write ``n`` items over the member units, in every state."""
    from django.utils import timezone

    from followup.models import Item
    from followup.rules import ItemStatus, Source
    from members import services as roster_services
    from members.models import Body, Role, Unit, User

    office = Body.objects.get(kind=Body.Kind.OFFICE)
    clerk = User.objects.create_user(username=CLERK, full_name="基准·办公室秘书")
    seat = roster_services.add_seat(actor=None, body=office, role=Role.OFFICE_STAFF)
    roster_services.fill_seat(actor=None, seat=seat, person=clerk, started_on=timezone.localdate())
    units = list(Unit.objects.filter(is_member_unit=True))
    leader = User.objects.get(username="sunqixin")
    statuses = list(ItemStatus)
    today = timezone.localdate()
    Item.objects.bulk_create(
        (
            Item(
                title=f"基准督办事项{i:05d}",
                source=Source.INSTRUCTION,
                instructed_by=leader,
                lead_unit=units[i % len(units)],
                responsible=clerk,
                due_date=today + dt.timedelta(days=i % 90 - 30),
                original_due_date=today + dt.timedelta(days=i % 90 - 30),
                status=statuses[i % len(statuses)],
                percent=i % 101,
                assigned_at=timezone.now(),
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    return clerk


def measure_export() -> dict:
    """Export the whole ledger as the bench clerk, in this process."""
    from bench import memory
    from followup import export, ledger
    from members.models import User

    clerk = User.objects.get(username=CLERK)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        started, cpu = time.perf_counter(), time.process_time()
        rows = export.write_ledger(out.name, ledger.ledger(clerk, ledger.Filters()))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = os.path.getsize(out.name)
    peak_mb = memory.peak_mb()
    # cpu_seconds: this process alone (not PostgreSQL's), which a busy machine does not inflate.
    return {
        "rows": rows, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb, "bytes": size,
    }  # fmt: skip


def export_in_subprocess(env: dict[str, str]) -> dict:
    """Run ``measure_export`` in a fresh process, so that its peak memory is the export's own
    (plus Django's), not that of the seeding bench."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infogov.settings")
    import django

    django.setup()
    print(json.dumps(measure_export()))
