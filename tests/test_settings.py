"""Settings: development generates its secrets, production demands them."""

from __future__ import annotations

import os
import secrets

import pytest

from idcard.settings import Settings, SettingsError


def test_development_generates_missing_secrets_once(tmp_path) -> None:
    first = Settings.from_env({"IDCARD_HOME": str(tmp_path)})
    again = Settings.from_env({"IDCARD_HOME": str(tmp_path)})
    assert first.master_key == again.master_key and len(first.master_key) == 32
    assert (tmp_path / "secrets" / "master_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'idcard.sqlite3'}"


def production_environ(tmp_path) -> dict[str, str]:
    return {"IDCARD_ENV": "production", "IDCARD_HOME": str(tmp_path),
            "IDCARD_PUBLIC_URL": "https://id.example-city.gov",
            "IDCARD_SECRET_KEY": secrets.token_hex(32), "IDCARD_MASTER_KEY": secrets.token_hex(32),
            "IDCARD_INDEX_KEY": secrets.token_hex(32)}


@pytest.mark.parametrize("weak", ["00" * 32, "11" * 32, "0123456789abcdef" * 4, "ab" * 32])
def test_production_refuses_trivial_secrets(tmp_path, weak: str) -> None:
    environ = {**production_environ(tmp_path), "IDCARD_MASTER_KEY": weak}
    with pytest.raises(SettingsError, match="IDCARD_MASTER_KEY is not random"):
        Settings.from_env(environ)


def test_production_refuses_one_secret_used_twice(tmp_path) -> None:
    environ = production_environ(tmp_path)
    environ["IDCARD_INDEX_KEY"] = environ["IDCARD_SECRET_KEY"]
    with pytest.raises(SettingsError, match="three different secrets"):
        Settings.from_env(environ)


def test_what_the_app_writes_is_owner_only(tmp_path) -> None:
    home = tmp_path / "new" / "home"
    old_umask = os.umask(0o022)
    try:
        settings = Settings.from_env({"IDCARD_HOME": str(home)})
        from idcard.db import make_engine

        make_engine(settings.database_url).dispose()
    finally:
        os.umask(old_umask)
    assert home.stat().st_mode & 0o777 == 0o700
    assert (home / "secrets").stat().st_mode & 0o777 == 0o700
    for name in ("secret_key", "master_key", "index_key"):
        assert (home / "secrets" / name).stat().st_mode & 0o777 == 0o600
    assert (home / "idcard.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("missing", ["IDCARD_SECRET_KEY", "IDCARD_MASTER_KEY",
                                     "IDCARD_INDEX_KEY", "IDCARD_PUBLIC_URL"])
def test_production_refuses_to_start_without_a_secret_and_names_it(tmp_path, missing) -> None:
    environ = production_environ(tmp_path)
    assert Settings.from_env(environ).production
    del environ[missing]
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(environ)
    assert not (tmp_path / "secrets").exists()


def test_secrets_must_be_the_right_length(tmp_path) -> None:
    with pytest.raises(SettingsError, match="32 bytes"):
        Settings.from_env({"IDCARD_HOME": str(tmp_path), "IDCARD_MASTER_KEY": "ab" * 8})
    with pytest.raises(SettingsError, match="hex"):
        Settings.from_env({"IDCARD_HOME": str(tmp_path), "IDCARD_MASTER_KEY": "zz" * 32})


def test_unknown_environment_is_refused(tmp_path) -> None:
    with pytest.raises(SettingsError, match="IDCARD_ENV"):
        Settings.from_env({"IDCARD_HOME": str(tmp_path), "IDCARD_ENV": "staging"})
