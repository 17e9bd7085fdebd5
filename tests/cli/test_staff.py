"""The service and staff commands: `make run` in miniature (migrate, serve, the printed
setup link opens) and creating accounts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from sqlmodel import select

from idcard.models import Role, StaffUser
from tests.helpers import PASSWORD, free_port


def test_serve_prints_a_setup_link_that_opens(tmp_path: Path) -> None:
    idcard = str(Path(sys.executable).with_name("idcard"))
    env = {**os.environ, "IDCARD_HOME": str(tmp_path)}
    env.pop("IDCARD_DATABASE_URL", None)
    subprocess.run([idcard, "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([idcard, "serve", "--port", str(port)], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        link = None
        for line in server.stdout:  # type: ignore[union-attr]
            match = re.search(r"(http://127\.0\.0\.1:\d+/staff/setup/\S+)", line)
            if match:
                link = match.group(1)
            if "Running on" in line:
                break
        assert link, "no setup link printed"
        with urllib.request.urlopen(link, timeout=10) as page:  # noqa: S310 - loopback
            assert page.status == 200 and b"Create the first admin" in page.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()  # type: ignore[union-attr]
    assert (tmp_path / "idcard.sqlite3").exists()


def test_create_user_command(app, site, db_session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "grace", "--role", "supervisor", "--site",
                                 site.name, "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = db_session.exec(select(StaffUser).where(StaffUser.username == "grace")).one()
    assert (user.role, user.site_id) == (Role.SUPERVISOR, site.id)
    result = runner.invoke(args=["create-user", "grace", "--password", PASSWORD, "--site",
                                 site.name])
    assert result.exit_code != 0 and "taken" in result.output
    result = runner.invoke(args=["create-user", "bob", "--password", PASSWORD])
    assert result.exit_code != 0 and "must work at a site" in result.output
