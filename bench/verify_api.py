"""JSON verify throughput under gunicorn (2 workers) against a no-op JSON route, with wrk.

Both routes run in the same app with the same configuration (each behind one
rate-limit check, in memory); the ratio verify/no-op shows what checking a card costs
on top of the web stack (goal: at least 0.9). A second ratio compares with the same
POST carrying JSON without a token (answered 400 before any check): it separates the
cost of the check from the cost of a POST with a JSON body.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

from bench.server import bench_server

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = 4  # alternate the two routes, so drift in the machine's speed hits both alike
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
        script = _post_script(server.home / "verify.lua", f'{{"token": "{server.token}"}}')
        untokened = _post_script(server.home / "no-token.lua", '{"tok": "x"}')
        wrk(f"{server.base_url}/api/v1/health", None)  # warm both workers
        noop, verify, posts = [], [], []
        for _ in range(ROUNDS):
            noop.append(wrk(f"{server.base_url}/api/v1/health", None))
            verify.append(wrk(f"{server.base_url}/api/v1/verify", script))
            posts.append(wrk(f"{server.base_url}/api/v1/verify", untokened))
    noop_rate, noop_p99 = statistics.median(r for r, _ in noop), _median_p99(noop)
    verify_rate, verify_p99 = statistics.median(r for r, _ in verify), _median_p99(verify)
    print(f"verify api: no-op JSON route {noop_rate:,.0f} req/s (p99 {noop_p99}), "
          f"verify {verify_rate:,.0f} req/s (p99 {verify_p99}), "
          f"ratio {verify_rate / noop_rate:.2f} (goal >= 0.9); per-round ratios "
          f"{', '.join(f'{v[0] / n[0]:.2f}' for n, v in zip(noop, verify, strict=True))}; "
          f"gunicorn 2 workers, wrk {CONNECTIONS} connections, {ROUNDS} x {SECONDS} s each")
    post_rate = statistics.median(r for r, _ in posts)
    print(f"verify api: the same POST without a token {post_rate:,.0f} req/s: "
          f"verify/that {verify_rate / post_rate:.2f}, that/no-op {post_rate / noop_rate:.2f}")


def _post_script(path: Path, body: str) -> Path:
    path.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = '{body}'\n")
    return path


def _median_p99(runs: list[tuple[float, str]]) -> str:
    return sorted((p99 for _, p99 in runs), key=_milliseconds)[len(runs) // 2]


def _milliseconds(text: str) -> float:
    number = float(re.sub(r"[a-z]+$", "", text))
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[re.sub(r"^[\d.]+", "", text)]


if __name__ == "__main__":
    main()
