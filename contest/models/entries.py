"""Entries, their members and documents, and their status in each round."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.core.enums import DocumentKind, EntryStatus
from contest.models.base import optional_time, primary_key, timestamp


class Entry(SQLModel, table=True):
    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("contest_id", "title"),)

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    track_id: int = Field(foreign_key="tracks.id", index=True)
    # The team account that owns the entry; empty for entries an organiser imported.
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    field: str = Field(default="", max_length=50)
    institution: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=50)
    leader_name: str = Field(max_length=50)
    leader_email: str = Field(default="", max_length=254)
    leader_phone: str = Field(default="", max_length=32)
    company_name: str = Field(default="", max_length=200)
    credit_code: str = Field(default="", max_length=18)
    founded_on: date | None = None
    video_url: str = Field(default="", max_length=500)
    withdrawn_at: datetime | None = optional_time()
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    # The contest's privacy notice the team agreed to (privacy_notices.version) and when;
    # None for imported entries and those made before consent existed.
    privacy_version: int | None = None
    privacy_consented_at: datetime | None = optional_time()
    # Set when an organiser erased the team's personal data after the contest.
    personal_data_erased_at: datetime | None = optional_time()


class EntryMember(SQLModel, table=True):
    __tablename__ = "entry_members"
    __table_args__ = (UniqueConstraint("entry_id", "position"),)

    id: int = primary_key()
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    position: int
    name: str = Field(max_length=50)


class Document(SQLModel, table=True):
    """An uploaded PDF. Replaced documents are kept (replaced_at set), never deleted silently."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("kind IN ('business_plan', 'pitch_deck', 'other')", name="kind"),
        CheckConstraint("size > 0", name="size"),
    )

    id: int = primary_key()
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    kind: DocumentKind = Field(sa_type=String(16))
    # Display text only: the client's name with path parts stripped, never used on disk.
    filename: str = Field(max_length=255)
    stored_name: str = Field(max_length=64, unique=True)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = timestamp()
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    replaced_at: datetime | None = optional_time()
    # The copy judges get (docs/api.md "Fair judging"): no document information, XMP,
    # JavaScript, actions or embedded files; made at upload. None when cleaning failed:
    # the original is then only ever served as an attachment.
    clean_stored_name: str | None = Field(default=None, max_length=64)
    # The first page's text (cut short), to warn organisers of names on a blind document.
    first_page_text: str = Field(default="", sa_type=Text)

    @property
    def opens_in_browser(self) -> bool:
        """Only the cleaned copy is shown in a browser; an original is only a download."""
        return self.clean_stored_name is not None


class RoundEntry(SQLModel, table=True):
    """An entry taking part in a round, with its status there and its place in the order."""

    __tablename__ = "round_entries"
    __table_args__ = (
        UniqueConstraint("round_id", "entry_id"),
        UniqueConstraint("round_id", "presentation_order"),
        CheckConstraint("status IN ('in', 'advanced', 'eliminated', 'withdrawn')", name="status"),
    )

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    status: EntryStatus = Field(default=EntryStatus.in_, sa_type=String(16))
    presentation_order: int | None = None
    revealed_at: datetime | None = optional_time()
