"""The way `make run` starts Ombuds: migrate, demo data, server; then the home page answers."""

import os
import subprocess
import sys
import time
import urllib.request

from django.conf import settings

from tests.conftest import free_port


def test_quickstart_serves_the_home_page(tmp_path):
    port = free_port()
    env = {**os.environ, "OMBUDS_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ombuds.cli",
            "quickstart",
            "--addr",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        html = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    html = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "server.log").read_text()
        assert html is not None, output
        assert "Something went wrong? Tell us here." in html
        assert "log in as (password: demo)" in output
        for username in (
            "buyer",
            "buyer2",
            "supplier",
            "supplier2",
            "rightsholder",
            "agent2",
            "operator",
        ):
            assert f"  {username} " in output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/ombuds/ombuds.css") as css:
            assert css.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    assert (tmp_path / "ombuds.sqlite3").exists()
    assert settings.DATABASES["default"]["ENGINE"]


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "complaints.market.example",
        "OMBUDS_DATA_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "OMBUDS_DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "ombuds.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
