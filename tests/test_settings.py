"""Settings: development generates its secrets, production demands them."""

from __future__ import annotations

import pytest

from idcard.settings import Settings, SettingsError


def test_development_generates_missing_secrets_once(tmp_path) -> None:
    first = Settings.from_env({"IDCARD_HOME": str(tmp_path)})
    again = Settings.from_env({"IDCARD_HOME": str(tmp_path)})
    assert first.master_key == again.master_key and len(first.master_key) == 32
    assert (tmp_path / "secrets" / "master_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'idcard.sqlite3'}"


@pytest.mark.parametrize("missing", ["IDCARD_SECRET_KEY", "IDCARD_MASTER_KEY",
                                     "IDCARD_INDEX_KEY", "IDCARD_PUBLIC_URL"])
def test_production_refuses_to_start_without_a_secret_and_names_it(tmp_path, missing) -> None:
    environ = {"IDCARD_ENV": "production", "IDCARD_HOME": str(tmp_path),
               "IDCARD_PUBLIC_URL": "https://id.example-city.gov",
               "IDCARD_SECRET_KEY": "11" * 32, "IDCARD_MASTER_KEY": "22" * 32,
               "IDCARD_INDEX_KEY": "33" * 32}
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
