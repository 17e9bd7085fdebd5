"""Typed, frozen settings read once from IDCARD_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DOCUMENT_RULES = PACKAGE_DIR / "issuance" / "document_rules.toml"

# Each secret: (environment variable, file name under IDCARD_HOME/secrets, bytes).
SECRETS = {
    "secret_key": ("IDCARD_SECRET_KEY", "secret_key", 32),
    "master_key": ("IDCARD_MASTER_KEY", "master_key", 32),
    "index_key": ("IDCARD_INDEX_KEY", "index_key", 32),
}


class SettingsError(RuntimeError):
    """The configuration cannot run the app; the message says what to fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, decided once at start-up."""

    env: str
    home: Path
    database_url: str
    secret_key: bytes
    master_key: bytes
    index_key: bytes
    public_url: str = "http://127.0.0.1:5000"
    city_name: str = "City of Example"
    ratelimit_storage_url: str = "memory://"
    login_limit: str = "10 per minute"
    document_rules_path: Path = DEFAULT_DOCUMENT_RULES
    max_photo_bytes: int = 15 * 1024 * 1024
    languages: tuple[str, ...] = ("en", "es")

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from IDCARD_* variables; generate dev secrets, demand them in prod."""
        environ = os.environ if environ is None else environ
        env = environ.get("IDCARD_ENV", "development")
        if env not in ("development", "production", "testing"):
            raise SettingsError(f"IDCARD_ENV must be development, production or testing, not {env!r}")
        home = Path(environ.get("IDCARD_HOME", "instance")).resolve()
        home.mkdir(parents=True, exist_ok=True)
        keys = {
            name: load_secret(environ, home, name, generate=env != "production")
            for name in SECRETS
        }
        optional: dict[str, object] = {}
        for key, var in (
            ("public_url", "IDCARD_PUBLIC_URL"),
            ("city_name", "IDCARD_CITY_NAME"),
            ("ratelimit_storage_url", "IDCARD_RATELIMIT_STORAGE_URL"),
            ("login_limit", "IDCARD_LOGIN_LIMIT"),
        ):
            if environ.get(var):
                optional[key] = environ[var]
        if environ.get("IDCARD_DOCUMENT_RULES"):
            optional["document_rules_path"] = Path(environ["IDCARD_DOCUMENT_RULES"])
        if env == "production" and "public_url" not in optional:
            raise SettingsError("IDCARD_PUBLIC_URL is missing: cards carry it in their QR code")
        database_url = environ.get("IDCARD_DATABASE_URL") or f"sqlite:///{home / 'idcard.sqlite3'}"
        return cls(env=env, home=home, database_url=database_url, **keys, **optional)  # type: ignore[arg-type]


def load_secret(environ: Mapping[str, str], home: Path, name: str, *, generate: bool) -> bytes:
    """Return a secret from its variable (hex) or file; create the file if allowed."""
    var, filename, size = SECRETS[name]
    if environ.get(var):
        return _decode_hex(var, environ[var], size)
    path = home / "secrets" / filename
    if path.exists():
        return _decode_hex(str(path), path.read_text().strip(), size)
    if not generate:
        raise SettingsError(
            f"{var} is missing: set it to {size * 2} hex characters or write them to {path}"
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_bytes(size)
    path.touch(mode=0o600)
    path.write_text(value.hex())
    return value


def _decode_hex(source: str, text: str, size: int) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise SettingsError(f"{source} must be hex") from None
    if len(value) != size:
        raise SettingsError(f"{source} must be {size} bytes ({size * 2} hex characters)")
    return value
