"""JSON verify throughput under gunicorn (2 workers) against a no-op JSON route, with wrk.

Both routes run in the same app with the same configuration (each behind one
rate-limit check, in memory); the ratio verify/no-op shows what checking a card costs
on top of the web stack (goal: at least 0.9).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from bench.server import bench_server

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 32


def wrk(url: str, script: Path | None) -> tuple[float, str]:
    """Requests per second and p99 latency of one wrk run."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", output).group(1)  # type: ignore[union-attr]
    return rate, p99


def main() -> None:
    if not shutil.which("wrk"):
        print("verify api: wrk is not installed (apt-get install wrk); skipped")
        return
    with bench_server(workers=2) as server:
        script = server.home / "verify.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          f'wrk.body = \'{{"token": "{server.token}"}}\'\n')
        wrk(f"{server.base_url}/api/v1/health", None)  # warm both workers
        noop_rate, noop_p99 = wrk(f"{server.base_url}/api/v1/health", None)
        verify_rate, verify_p99 = wrk(f"{server.base_url}/api/v1/verify", script)
    print(f"verify api: no-op JSON route {noop_rate:,.0f} req/s (p99 {noop_p99}), "
          f"verify {verify_rate:,.0f} req/s (p99 {verify_p99}), "
          f"ratio {verify_rate / noop_rate:.2f} (goal >= 0.9); gunicorn 2 workers, "
          f"wrk {CONNECTIONS} connections, {SECONDS} s each")


if __name__ == "__main__":
    main()
