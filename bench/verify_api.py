"""JSON verify throughput under gunicorn (2 workers) against a no-op JSON route, with wrk.

Both routes run in the same app with the same configuration (each behind one
rate-limit check, in memory); the ratio verify/no-op shows what checking a card costs
on top of the web stack (goal: at least 0.9).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def valid_token(env: dict[str, str]) -> str:
    """Make one demo card in the benchmark's database and return its token."""
    from idcard import create_app
    from idcard.demo import make_demo
    from idcard.issuance.printing import card_token
    from idcard.migrate import upgrade_database
    from idcard.models import Card
    from idcard.settings import Settings

    settings = Settings.from_env(env)
    app = create_app(settings)
    engine = app.extensions["idcard.engine"]
    upgrade_database(engine)
    with Session(engine) as session:
        make_demo(session, app.extensions["idcard.vault"], app.extensions["idcard.rules"],
                  settings, 1, settings.home / "cards", today=datetime.now(UTC).date(), seed=1)
        token = card_token(session, settings, session.exec(select(Card)).one())
    engine.dispose()
    return token


def wrk(url: str, script: Path | None) -> tuple[float, str]:
    """Requests per second and p99 latency of one wrk run."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", output).group(1)  # type: ignore[union-attr]
    return rate, p99


def wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    if not shutil.which("wrk"):
        print("verify api: wrk is not installed (apt-get install wrk); skipped")
        return
    home = Path(tempfile.mkdtemp(prefix="idcard-bench-"))
    port = free_port()
    env = {**os.environ, "IDCARD_HOME": str(home), "IDCARD_ENV": "development",
           "IDCARD_VERIFY_LIMIT": "100000000 per minute",
           "IDCARD_API_LIMIT": "100000000 per minute", "IDCARD_BIND": f"127.0.0.1:{port}",
           "IDCARD_WORKERS": "2"}
    token = valid_token(env)
    script = home / "verify.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f'wrk.body = \'{{"token": "{token}"}}\'\n')
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "idcard.wsgi:app"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        wrk(f"{base}/api/v1/health", None)  # warm both workers
        noop_rate, noop_p99 = wrk(f"{base}/api/v1/health", None)
        verify_rate, verify_p99 = wrk(f"{base}/api/v1/verify", script)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    print(f"verify api: no-op JSON route {noop_rate:,.0f} req/s (p99 {noop_p99}), "
          f"verify {verify_rate:,.0f} req/s (p99 {verify_p99}), "
          f"ratio {verify_rate / noop_rate:.2f} (goal >= 0.9); gunicorn 2 workers, "
          f"wrk {CONNECTIONS} connections, {SECONDS} s each")


if __name__ == "__main__":
    main()
