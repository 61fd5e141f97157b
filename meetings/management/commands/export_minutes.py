import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.minutes.models import IssuedMinutes


class Command(BaseCommand):
    help = (
        "Write the PDF of issued minutes, exactly as signed, to PATH (a file, or a directory "
        "to write NUMBER.pdf into). Exit status 1 if no minutes carry NUMBER."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("number", help="The document number, e.g. 信息化纪要〔2026〕3号.")
        parser.add_argument("path", help="Where to write the PDF.")

    def handle(self, *args, **options) -> None:
        number = options["number"].strip()
        issued = IssuedMinutes.objects.filter(number=number).first()
        if issued is None:
            raise CommandError(f"No issued minutes are numbered {number!r}.")
        data = bytes(issued.pdf)
        digest = hashlib.sha256(data).hexdigest()
        if digest != issued.pdf_sha256:  # the triggers forbid it; say so loudly if it happened
            raise CommandError(
                f"The PDF of {number} does not match its recorded SHA-256 "
                f"({digest} != {issued.pdf_sha256}): not written."
            )
        path = Path(options["path"])
        if path.is_dir():
            path = path / f"{number}.pdf"
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}") from None
        self.stdout.write(f"Wrote {number} ({len(data)} bytes, SHA-256 {digest}) to {path}")
