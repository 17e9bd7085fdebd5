"""All database tables.

Privacy rule 1 is enforced by `tests/test_privacy_schema.py`: columns about
immigration status, citizenship, nationality or any document's number are forbidden.
Personal data lives only in sealed columns (`*_sealed`); data keys live in their
own table so that deleting a key shreds the resident.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, LargeBinary, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every engine (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def new_id() -> str:
    return uuid.uuid4().hex


class Role(enum.StrEnum):
    """Staff roles; each can do everything the one before it can."""

    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class SiteKind(enum.StrEnum):
    CENTER = "center"
    POPUP = "popup"


class Site(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_id, max_length=32, unique=True, index=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(default=SiteKind.CENTER, max_length=16)
    active: bool = True
    # Cards made here become valid only when handed over in person, not when printed.
    requires_pickup: bool = False
    # Supervisors and admins always sign in with a second factor; clerks where this is set.
    clerks_need_totp: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_id, max_length=32, unique=True, index=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.CLERK, max_length=16)
    site_id: int | None = Field(default=None, foreign_key="site.id")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The TOTP secret, sealed under the master key; in use once confirmed (totp_since).
    totp_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    totp_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_last_step: int = 0  # the newest time step accepted: a code works only once


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is kept here."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    second_factor_done: bool = False  # until then the session opens no staff page
    failed_codes: int = 0
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the authenticator app; kept as Argon2id hash."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    lookup: str = Field(max_length=8)  # the code's first characters, to find its hash
    code_hash: str = Field(max_length=255)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SetupLink(SQLModel, table=True):
    """A one-time link to create the first admin; only its hash is kept."""

    __tablename__ = "setup_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewState(enum.StrEnum):
    APPROVED = "approved"
    POSSIBLE_DUPLICATE = "possible_duplicate"


class Resident(SQLModel, table=True):
    """An enrolled person. Every personal detail is sealed with the resident's data key."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    details_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    photo_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    name_dob_index: str = Field(max_length=64, index=True)
    review: str = Field(default=ReviewState.APPROVED, max_length=24, index=True)
    site_id: int = Field(foreign_key="site.id")
    enrolled_by: int = Field(foreign_key="staff_user.id")
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DataKey(SQLModel, table=True):
    """A resident's data key, wrapped by the master key. Deleting it shreds the resident."""

    __tablename__ = "data_key"

    resident_id: str = Field(primary_key=True, max_length=32)
    wrapped_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentCheck(SQLModel, table=True):
    """That a clerk saw an original document of a type: never its number or a copy."""

    __tablename__ = "document_check"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="resident.id", index=True, max_length=32)
    document_type: str = Field(max_length=64)
    identity_points: int = 0
    residency_points: int = 0
    for_caretaker: bool = False
    checked_by: int = Field(foreign_key="staff_user.id")
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """Append-only record of staff actions: who, what, which record, when, where.

    Events form a hash chain in `seq` order (idcard/audit_chain.py): each `chain_hash`
    covers the event and the hash before it, so a removed or rewritten row shows.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, unique=True, index=True, nullable=False)  # at commit
    chain_hash: str | None = Field(default=None, max_length=64, nullable=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    site_id: int | None = Field(default=None, foreign_key="site.id")
    action: str = Field(max_length=48)
    record_type: str | None = Field(default=None, max_length=24)
    record_id: str | None = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """The newest link of the audit chain; its row lock orders concurrent appends."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    chain_hash: str = Field(max_length=64)


class SigningKeyRecord(SQLModel, table=True):
    """An Ed25519 key that signs card tokens and status lists; private half sealed."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=16)  # hex of the 8-byte COSE key id
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    private_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # signs no more
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # verifies no more


class StatusListRecord(SQLModel, table=True):
    """One bitstring status list; cards take its entries in a keyed random order."""

    __tablename__ = "status_list"

    id: int | None = Field(default=None, primary_key=True)
    size: int
    used: int = 0  # how many entries are handed out; the next card takes slot `used`
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatusClock(SQLModel, table=True):
    """A counter bumped by every change of a card's validity, so verifiers catch up cheaply."""

    __tablename__ = "status_clock"

    id: int = Field(default=1, primary_key=True)
    tick: int = 0


class CardState(enum.StrEnum):
    """Where a card is in its life. Only ACTIVE verifies as valid."""

    AWAITING_PRINT = "awaiting_print"
    AWAITING_PICKUP = "awaiting_pickup"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Card(SQLModel, table=True):
    """A card issued to a resident. Its number is kept sealed and as a blind index."""

    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_id, max_length=32, unique=True, index=True)
    resident_id: str = Field(foreign_key="resident.id", index=True, max_length=32)
    number_index: str = Field(max_length=64, unique=True)
    number_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    handle: bytes = Field(sa_column=Column(LargeBinary(16), nullable=False, unique=True))
    status_list_id: int = Field(foreign_key="status_list.id")
    status_index: int
    status_tick: int = Field(default=0, index=True)
    kid: str = Field(foreign_key="signing_key.kid", max_length=16)
    state: str = Field(default=CardState.AWAITING_PRINT, max_length=20, index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    issued_by: int = Field(foreign_key="staff_user.id")
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_on: date
    printed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handed_over_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=24)
    fee_waived: bool = False


class Partner(SQLModel, table=True):
    """An organization that checks cards through the API (a library, a clinic...)."""

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_id, max_length=32, unique=True, index=True)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerKey(SQLModel, table=True):
    """A partner's API key; only its hash is kept, the key itself is shown once."""

    __tablename__ = "partner_key"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_id, max_length=32, unique=True, index=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    prefix: str = Field(max_length=12)  # shown in lists so admins can tell keys apart
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # set by rotation
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PartnerDailyCount(SQLModel, table=True):
    """How many verifications a partner made on a day: the only usage record kept."""

    __tablename__ = "partner_daily_count"

    partner_id: int = Field(foreign_key="partner.id", primary_key=True)
    day: date = Field(primary_key=True)
    count: int = 0
