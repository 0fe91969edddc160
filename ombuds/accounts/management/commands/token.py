from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.accounts.models import ApiToken, User
from ombuds.accounts.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown only once).")
        who = create.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="The username the token acts for.")
        who.add_argument("--service", help="A name for a token of the marketplace's service.")
        create.add_argument("--name", help="What the token is for.")
        sub.add_parser("list", help="List tokens (never their secret).")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "create":
            self._create(options)
        elif action == "list":
            for token in ApiToken.objects.select_related("user").order_by("created_at"):
                owner = token.user.username if token.user else "(marketplace service)"
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}  {token.kind:8} {owner:24} {state:8} {token.name}"
                )
        elif not revoke_token(str(options["prefix"])):
            raise CommandError(f"No active token with prefix {options['prefix']}.")
        else:
            self.stdout.write(f"Revoked {options['prefix']}.")

    def _create(self, options: dict[str, object]) -> None:
        username = options.get("user")
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            _, token = create_token(name=str(options.get("name") or f"{username} token"), user=user)
        else:
            _, token = create_token(name=str(options.get("name") or options["service"]))
        self.stdout.write(token)
