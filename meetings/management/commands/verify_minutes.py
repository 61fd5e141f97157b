import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.minutes import signing


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


class Command(BaseCommand):
    help = (
        "Check the signature of a minutes PDF (signed, intact, trusted, covering the whole "
        "file, certified with no changes allowed). Exit status 0 if valid, 1 if not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The PDF to check.")
        parser.add_argument(
            "--trust-root",
            action="append",
            default=[],
            metavar="PEM",
            help="A CA certificate to trust besides the configured ones (repeatable).",
        )

    def handle(self, *args, **options) -> None:
        if options["verbosity"] < 2:
            # pyHanko logs every untrusted chain as a warning with a traceback; the result
            # lines below say it. Run with -v 2 to see them.
            logging.getLogger("pyhanko").setLevel(logging.ERROR)
            logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        roots = None
        if options["trust_root"]:
            try:
                roots = signing.trust_roots() + signing.load_certificates(options["trust_root"])
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read a trust root: {error}") from None

        check = signing.verify_pdf(data, trust_roots=roots)
        signer = check.signer_name or "—"
        if check.signed and signing.is_demo_signature(data):
            signer += "  (demo certificate — not legally reliable / 演示用，不具法律效力)"
        signed_at = (
            check.signed_at.strftime("%Y-%m-%d %H:%M:%S %Z (%z)") if check.signed_at else "—"
        )
        lines = [
            f"File:                   {path}",
            f"Signed:                 {_yes(check.signed)}",
            f"Intact:                 {_yes(check.intact)}",
            f"Trusted signer:         {_yes(check.trusted)}",
            f"Covers the whole file:  {_yes(check.covers_whole_file)}",
            f"Certified, no changes:  {_yes(check.certified_no_changes)}",
            f"Signer:                 {signer}",
            f"Signed at:              {signed_at}",
        ]
        for line in lines:
            self.stdout.write(line)
        for problem in check.problems:
            self.stdout.write(f"Problem:                {problem}")
        if check.valid:
            self.stdout.write(self.style.SUCCESS("Result:                 VALID"))
            return
        self.stdout.write(self.style.ERROR("Result:                 NOT VALID"))
        raise CommandError(f"{path}: the signature is not valid.", returncode=1)
