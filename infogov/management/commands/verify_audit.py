from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from infogov import auditchain
from infogov.auditchain import Problem


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain and compare it with the last verification; "
        "exit 1 naming the first altered, removed or inserted entry. Run it daily from cron."
    )

    def handle(self, *args, **options) -> None:
        verification = auditchain.verify_and_record()
        values = {
            "entries": verification.entries,
            "seq": verification.head_seq,
            "hash": verification.head_hash,
            "seconds": verification.seconds,
        }
        if verification.intact:
            self.stdout.write(
                _(
                    "Audit trail intact: %(entries)s entries, the last #%(seq)s with hash "
                    "%(hash)s (%(seconds).2f s)."
                )
                % values
            )
            return
        problem = Problem.from_json(cast(dict[str, Any], verification.problem))  # not intact
        raise CommandError(
            _("Audit trail broken: %(problem)s The %(entries)s entries before it are intact.")
            % {**values, "problem": problem}
        )
