"""The architecture's import rules (pyproject.toml [tool.importlinter]) hold and bite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter over the `idcard` and `idcard_verifier` packages found in `root`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, check=False)


def test_every_import_contract_is_kept() -> None:
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_verification_importing_admin_code_breaks_a_contract(tmp_path: Path) -> None:
    for package in ("idcard", "idcard_verifier"):
        shutil.copytree(REPO / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "translations", "templates"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    checks = tmp_path / "idcard" / "verify" / "checks.py"
    checks.write_text(checks.read_text() + "\nfrom idcard.admin import partners  # noqa\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "Verification stands alone: no enrollment, printing, staff or admin code BROKEN" \
        in done.stdout
    assert "idcard.verify.checks -> idcard.admin.partners" in done.stdout
