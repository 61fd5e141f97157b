from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.minutes import signing
from members.models import User


def _describe(certificate) -> str:
    from cryptography.hazmat.primitives import hashes

    fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    until = timezone.localtime(certificate.not_valid_after_utc).date()
    return f"{certificate.subject.rfc4514_string()}\n    valid until {until}, SHA-256 {fingerprint}"


class Command(BaseCommand):
    help = (
        "Create the demo CA that signs minutes when INFOGOV_SIGNER is 'demo', and with "
        "--signer a demo signing key per leader (idempotent). Demo signatures are NOT legally "
        "reliable: the keys are made and kept by the server."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--signer",
            action="append",
            default=[],
            metavar="USERNAME",
            help="Also create a demo signing key for this person (repeatable).",
        )

    def handle(self, *args, **options) -> None:
        people = []
        for username in options["signer"]:
            try:
                people.append(User.objects.get(username=username))
            except User.DoesNotExist:
                raise CommandError(f"No person with username {username!r}.") from None

        try:
            ca, made = signing.create_demo_ca()
            results = [
                (person, *signing.create_demo_signer(person.username, person.get_full_name()))
                for person in people
            ]
        except (signing.SigningUnavailable, ValueError) as error:
            raise CommandError(str(error)) from None

        self.stdout.write(
            self.style.WARNING(
                "DEMO ONLY — not legally reliable (演示用，不具法律效力): these keys are made "
                "and kept by this server, so they do not meet Art. 13 of the Electronic "
                "Signature Law. Use a university CA's keys (INFOGOV_SIGNER='pkcs12' or "
                "'pkcs11') in production."
            )
        )
        verb = "Created" if made else "Exists "
        self.stdout.write(f"{verb} demo CA {signing.demo_ca_certificate_path()}")
        self.stdout.write(f"    {_describe(ca)}")
        for person, certificate, made in results:
            verb = "Created" if made else "Exists "
            self.stdout.write(
                f"{verb} demo signer {person.username} {signing.demo_signer_path(person.username)}"
            )
            self.stdout.write(f"    {_describe(certificate)}")
        backend = getattr(settings, "INFOGOV_SIGNER", "demo")
        if backend != "demo":
            self.stdout.write(
                self.style.WARNING(
                    f"INFOGOV_SIGNER is {backend!r}: these demo keys are not used for signing; "
                    "minutes signed with them earlier still verify while the CA certificate "
                    "stays in place."
                )
            )
        else:
            self.stdout.write(
                "Other leaders get their demo key automatically the first time they sign."
            )
