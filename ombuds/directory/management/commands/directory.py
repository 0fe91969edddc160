from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ombuds.directory.exporter import write_csv, write_jsonl
from ombuds.directory.importer import ImportFormatError, import_file
from ombuds.directory.records import ORDER_OF_KINDS


class Command(BaseCommand):
    help = "Import or export the marketplace directory (members, stores, listings, orders)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Upsert records from a CSV or JSON lines file.")
        imp.add_argument("file")
        imp.add_argument("--format", choices=["csv", "jsonl"])
        imp.add_argument("--kind", choices=ORDER_OF_KINDS, help="What a CSV file holds.")
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid lines even when others have errors.",
        )
        exp = sub.add_parser("export", help="Write the directory as JSON lines or CSV.")
        exp.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
        exp.add_argument("--kind", choices=ORDER_OF_KINDS)
        exp.add_argument(
            "--output",
            help="A file (JSON lines, or CSV of one kind) or, for CSV of every kind, a folder.",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, object]) -> None:
        path = str(options["file"])
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file")
        try:
            report = import_file(
                path,
                fmt=options.get("format"),  # type: ignore[arg-type]
                kind=options.get("kind"),  # type: ignore[arg-type]
                skip_invalid=bool(options.get("skip_invalid")),
            )
        except ImportFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        for error in report.errors:
            self.stderr.write(f"{path}: {error}")
        if not report.written:
            raise CommandError(
                f"{path}: {len(report.errors)} line(s) with errors; nothing was imported. "
                "Fix them, or use --skip-invalid to import the other lines."
            )
        skipped = f" ({len(report.errors)} invalid line(s) skipped)" if report.errors else ""
        self.stdout.write(f"Imported {report.summary()}{skipped}.")

    def _export(self, options: dict[str, object]) -> None:
        fmt, kind, output = options["format"], options.get("kind"), options.get("output")
        kinds = (kind,) if kind else ORDER_OF_KINDS
        if fmt == "jsonl":
            if output:
                with open(str(output), "w", encoding="utf-8") as stream:
                    count = write_jsonl(stream, kinds)  # type: ignore[arg-type]
                self.stderr.write(f"Wrote {count} records to {output}.")
            else:
                write_jsonl(self.stdout, kinds)  # type: ignore[arg-type]
            return
        if kind:
            if output:
                with open(str(output), "w", encoding="utf-8", newline="") as stream:
                    write_csv(str(kind), stream)
            else:
                write_csv(str(kind), self.stdout)
            return
        if not output:
            raise CommandError("CSV of every kind needs --output FOLDER (or give --kind).")
        folder = Path(str(output))
        folder.mkdir(parents=True, exist_ok=True)
        for name in ORDER_OF_KINDS:
            with (folder / f"{name}s.csv").open("w", encoding="utf-8", newline="") as stream:
                count = write_csv(name, stream)
            self.stderr.write(f"Wrote {count} {name}s to {folder / (name + 's.csv')}.")
