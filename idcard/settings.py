"""Typed, frozen settings read once from IDCARD_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from idcard.files import private_dir, private_file

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
    card_primary_color: str = "#004c8c"
    card_accent_color: str = "#f2a900"
    card_logo: Path | None = None
    card_years: int = 5
    young_card_years: int = 2
    ratelimit_storage_url: str = "memory://"
    ratelimit_key_prefix: str = "idcard"
    login_limit: str = "10 per minute"  # per address, and failures per account + address
    login_account_limit: str = "30 per hour"  # failures per account from unknown browsers
    session_idle_minutes: int = 30
    session_lifetime_hours: int = 12
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is believed
    verify_limit: str = "60 per minute"
    partner_verify_limit: str = "6000 per minute"
    api_limit: str = "600 per minute"  # key set, status lists, health: per address
    status_list_ttl: int = 300
    status_list_max_age: int = 86400
    status_refresh_seconds: float = 1.0
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
            raise SettingsError(
                f"IDCARD_ENV must be development, production or testing, not {env!r}")
        home = private_dir(Path(environ.get("IDCARD_HOME", "instance")).resolve())
        keys = {
            name: load_secret(environ, home, name, generate=env != "production")
            for name in SECRETS
        }
        if env == "production":
            refuse_weak_secrets(keys)
        optional = _optional_settings(environ)
        if env == "production" and "public_url" not in optional:
            raise SettingsError("IDCARD_PUBLIC_URL is missing: cards carry it in their QR code")
        database_url = environ.get("IDCARD_DATABASE_URL") or f"sqlite:///{home / 'idcard.sqlite3'}"
        return cls(env=env, home=home, database_url=database_url, **keys, **optional)  # type: ignore[arg-type]


# Optional settings: field name -> (environment variable, type).
OPTIONAL = {
    "public_url": ("IDCARD_PUBLIC_URL", str),
    "city_name": ("IDCARD_CITY_NAME", str),
    "card_primary_color": ("IDCARD_CARD_PRIMARY_COLOR", str),
    "card_accent_color": ("IDCARD_CARD_ACCENT_COLOR", str),
    "card_logo": ("IDCARD_CARD_LOGO", Path),
    "card_years": ("IDCARD_CARD_YEARS", int),
    "young_card_years": ("IDCARD_YOUNG_CARD_YEARS", int),
    "ratelimit_storage_url": ("IDCARD_RATELIMIT_STORAGE_URL", str),
    "ratelimit_key_prefix": ("IDCARD_RATELIMIT_KEY_PREFIX", str),
    "login_limit": ("IDCARD_LOGIN_LIMIT", str),
    "login_account_limit": ("IDCARD_LOGIN_ACCOUNT_LIMIT", str),
    "session_idle_minutes": ("IDCARD_SESSION_IDLE_MINUTES", int),
    "session_lifetime_hours": ("IDCARD_SESSION_LIFETIME_HOURS", int),
    "forwarded_allow_ips": ("IDCARD_FORWARDED_ALLOW_IPS", str),
    "verify_limit": ("IDCARD_VERIFY_LIMIT", str),
    "partner_verify_limit": ("IDCARD_PARTNER_VERIFY_LIMIT", str),
    "api_limit": ("IDCARD_API_LIMIT", str),
    "status_list_ttl": ("IDCARD_STATUS_LIST_TTL", int),
    "status_list_max_age": ("IDCARD_STATUS_LIST_MAX_AGE", int),
    "status_refresh_seconds": ("IDCARD_STATUS_REFRESH_SECONDS", float),
    "document_rules_path": ("IDCARD_DOCUMENT_RULES", Path),
}


def _optional_settings(environ: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, (var, kind) in OPTIONAL.items():
        if environ.get(var):
            try:
                values[name] = kind(environ[var])
            except ValueError:
                raise SettingsError(f"{var} must be a {kind.__name__}") from None
    return values


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
    value = secrets.token_bytes(size)
    private_file(path).write_text(value.hex())
    return value


MIN_DISTINCT_BYTES = 12  # 32 random bytes have ~30 distinct values; fewer means typed by hand


def refuse_weak_secrets(keys: Mapping[str, bytes]) -> None:
    """Production refuses a secret used twice, or one that is clearly not random."""
    for name, value in keys.items():
        if len(set(value)) < MIN_DISTINCT_BYTES:
            raise SettingsError(f"{SECRETS[name][0]} is not random: generate it with "
                                "python -c 'import secrets; print(secrets.token_hex(32))'")
    if len(set(keys.values())) < len(keys):
        raise SettingsError("IDCARD_SECRET_KEY, IDCARD_MASTER_KEY and IDCARD_INDEX_KEY "
                            "must be three different secrets")


def _decode_hex(source: str, text: str, size: int) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise SettingsError(f"{source} must be hex") from None
    if len(value) != size:
        raise SettingsError(f"{source} must be {size} bytes ({size * 2} hex characters)")
    return value
