"""Files the app writes hold secrets or personal data: owner-only, always.

Folders the app creates are 0700 and files 0600, whatever the process umask says.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) readable by the owner only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create an empty owner-only file if none exists; tighten an existing one."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)
    return path


def open_private(path: Path) -> BinaryIO:
    """Open a file for writing (truncated), created owner-only."""
    private_file(path)
    return path.open("wb")
