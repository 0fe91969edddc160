from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.notify import worker


class Command(BaseCommand):
    help = (
        "Run background work: send emails and webhooks, run the periodic checks. Tasks go "
        "through the configured backend (OMBUDS_TASK_BACKEND: database or rq). SIGTERM: "
        "finish the batch in progress (its unsent rest goes back to the queue), exit 0."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do what is due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks for work."
        )

    def handle(self, *args: object, once: bool, interval: float, **options: object) -> None:
        worker.configure_logging()
        try:
            worker.run(interval=interval, once=once)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
