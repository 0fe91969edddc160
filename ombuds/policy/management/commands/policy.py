from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.policy.loader import PolicyError, get_loaded_policy, load_policy_file


class Command(BaseCommand):
    help = "Check a policy file, or show the policy in force."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate a policy file and print every problem.")
        check.add_argument("file")
        sub.add_parser("show", help="Summarize the policy in force.")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "check":
            self._check(str(options["file"]))
        else:
            self._show()

    def _check(self, path: str) -> None:
        try:
            loaded = load_policy_file(path)
        except PolicyError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path}: {len(exc.problems)} problem(s); the policy is not valid."
            ) from exc
        policy = loaded.policy
        self.stdout.write(
            f"{path}: valid — {policy.name}; {len(policy.types)} types, "
            f"{len(policy.departments)} departments, digest {loaded.digest[:12]}"
        )

    def _show(self) -> None:
        try:
            loaded = get_loaded_policy()
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
        policy = loaded.policy
        self.stdout.write(f"{policy.name} ({loaded.source}, digest {loaded.digest[:12]})")
        for key, complaint_type in policy.types.items():
            self.stdout.write(
                f"  {key:24} {complaint_type.kind:9} {complaint_type.department:20} "
                f"{complaint_type.label}"
            )
