from django.core.management.base import BaseCommand, CommandError

from clinic.accounts import user_deactivate
from clinic.models import User


class Command(BaseCommand):
    help = "Deactivate a member of staff and end their sessions and API token at once."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        user_deactivate(user=user)
        self.stdout.write(f"{username} is deactivated; their sessions and API token ended.")
