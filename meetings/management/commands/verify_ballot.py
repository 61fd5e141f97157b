"""``manage.py verify_ballot MOTION_ID``: recompute a secret ballot from its published box (the
key and commitments, every ballot's proofs, the receipts, the partial decryptions and their
proofs, the totals) and exit non-zero on any mismatch."""

from django.core.management.base import BaseCommand, CommandError

from meetings.ballots import services as ballots
from meetings.models import Motion


class Command(BaseCommand):
    help = "Recompute a secret ballot's count from its box; exit 1 on any mismatch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("motion_id", type=int)

    def handle(self, *args, motion_id: int, **options) -> None:
        try:
            motion = Motion.objects.get(pk=motion_id, method=Motion.Method.SECRET)
        except Motion.DoesNotExist:
            raise CommandError(f"no secret ballot {motion_id}") from None
        problems = ballots.verify(motion)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"ballot {motion_id}: {len(problems)} mismatch(es)")
        n = motion.ballots.count()
        if motion.counted == Motion.Counted.CRYPTO:
            self.stdout.write(
                f"ballot {motion_id}: {n} ballots verified; totals {motion.yes} yes, "
                f"{motion.no} no, {motion.abstain} abstain"
            )
        else:
            self.stdout.write(f"ballot {motion_id}: {n} ballots verified; not counted from them")
