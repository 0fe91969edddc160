"""The package order of ARCHITECTURE.md is a contract (`[tool.importlinter]` in pyproject.toml):
a package imports only from those below it, and every test run checks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))"
)


def test_the_package_order_holds():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _lint_a_copy_with(tmp_path: Path, module: str, source: str) -> subprocess.CompletedProcess:
    shutil.copytree(ROOT / "ombuds", tmp_path / "ombuds", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / Path(*module.split("."))).with_suffix(".py").write_text(source)
    return subprocess.run(
        [sys.executable, "-c", LINT],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_lower_package_importing_a_higher_one_breaks_the_contract(tmp_path):
    done = _lint_a_copy_with(
        tmp_path, "ombuds.notify.reach_up", "from ombuds.cases.models import Case\n"
    )
    assert done.returncode != 0, done.stdout
    assert "ombuds.notify is not allowed to import ombuds.cases" in done.stdout
    assert "ombuds.notify.reach_up -> ombuds.cases.models" in done.stdout


def test_the_two_shells_do_not_import_each_other(tmp_path):
    done = _lint_a_copy_with(tmp_path, "ombuds.web.borrowed", "from ombuds.api import urls\n")
    assert done.returncode != 0, done.stdout
    assert "ombuds.web is not allowed to import ombuds.api" in done.stdout
