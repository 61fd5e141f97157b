from django.core.management.base import BaseCommand

from members.services import sync_permissions


class Command(BaseCommand):
    help = "Make every person's object permissions exactly what their seats confer today."

    def handle(self, *args, **options) -> None:
        changes = sync_permissions()
        for user_id, codename, on, target in sorted(changes.added):
            self.stdout.write(f"granted  user={user_id} {codename} {on}={target}")
        for user_id, codename, on, target in sorted(changes.removed):
            self.stdout.write(f"revoked  user={user_id} {codename} {on}={target}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(changes.added)} granted, {len(changes.removed)} revoked."
                if changes
                else "Permissions already match the seats: nothing changed."
            )
        )
