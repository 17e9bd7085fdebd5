"""The app's long-lived services in one typed object, built once by create_app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlmodel import Session

from idcard.settings import Settings
from idcard.vault import Vault

if TYPE_CHECKING:  # types only: core modules import no blueprint package at run time
    from idcard.issuance.documents import DocumentRules
    from idcard.verify.partners import PartnerKeys, UsageCounter
    from idcard.verify.status import SignedLists, VerificationState

EXTENSION_KEY = "idcard"


@dataclass(frozen=True)
class Services:
    """Everything a request or command needs beyond its own input."""

    settings: Settings
    engine: Engine
    vault: Vault
    rules: DocumentRules
    verification: VerificationState  # keys and status bits, kept in memory per process
    partner_keys: PartnerKeys
    usage: UsageCounter  # verifications per partner per day
    signed_lists: SignedLists

    def session(self) -> Session:
        """A new database session, for commands and work outside a request."""
        return Session(self.engine, expire_on_commit=False)


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the app handling this request or command."""
    return (app or current_app).extensions[EXTENSION_KEY]
