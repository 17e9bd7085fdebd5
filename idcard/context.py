"""The app's long-lived objects, for views: settings, vault, document rules."""

from __future__ import annotations

from flask import current_app

from idcard.issuance.documents import DocumentRules
from idcard.settings import Settings
from idcard.vault import Vault


def settings() -> Settings:
    return current_app.config["IDCARD_SETTINGS"]  # type: ignore[no-any-return]


def vault() -> Vault:
    return current_app.extensions["idcard.vault"]  # type: ignore[no-any-return]


def document_rules() -> DocumentRules:
    return current_app.extensions["idcard.rules"]  # type: ignore[no-any-return]
