"""A throwaway idcard server for benchmarks: fresh home, one demo card, gunicorn."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

UNLIMITED = "100000000 per minute"


@dataclass(frozen=True)
class BenchServer:
    base_url: str
    token: str  # a valid card's token
    home: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _valid_token(env: dict[str, str]) -> str:
    """Make one demo card in the benchmark's database and return its token."""
    from idcard import create_app
    from idcard.demo import make_demo
    from idcard.issuance.printing import card_token
    from idcard.migrate import upgrade_database
    from idcard.models import Card
    from idcard.services import services
    from idcard.settings import Settings

    settings = Settings.from_env(env)
    app = services(create_app(settings))
    upgrade_database(app.engine)
    with app.session() as session:
        make_demo(session, app.vault, app.rules, settings, 1, settings.home / "cards",
                  today=datetime.now(UTC).date(), seed=1)
        token = card_token(session, app.vault, session.exec(select(Card)).one())
    app.engine.dispose()
    return token


def _wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def bench_server(workers: int = 2) -> Iterator[BenchServer]:
    """Serve a fresh SQLite-backed app with gunicorn; limits off; cleaned up after."""
    home = Path(tempfile.mkdtemp(prefix="idcard-bench-"))
    port = free_port()
    env = {**os.environ, "IDCARD_HOME": str(home), "IDCARD_ENV": "development",
           "IDCARD_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "IDCARD_VERIFY_LIMIT": UNLIMITED, "IDCARD_API_LIMIT": UNLIMITED,
           "IDCARD_BIND": f"127.0.0.1:{port}", "IDCARD_WORKERS": str(workers)}
    token = _valid_token(env)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "idcard.wsgi:app"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        yield BenchServer(base, token, home)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
