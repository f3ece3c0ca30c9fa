"""The judging panel: judges one by one or from CSV, and their declared conflicts."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from contest.accounts import mails
from contest.accounts import service as auth
from contest.core import audit
from contest.core.db import lock_row
from contest.core.enums import Role
from contest.core.errors import FieldError, InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.core.validation import invalid_input
from contest.models import Conflict, Contest, Entry, Judge, User
from contest.setup.schemas import JudgeCreate

CSV_COLUMNS = ("email", "name", "institution", "title", "expertise", "password")


@dataclass(frozen=True)
class AddedJudge:
    judge: Judge
    user: User
    # The name the organiser typed: the answer shows it, not the account's, so adding an
    # address that already had an account reveals nothing about it (README.md).
    name: str = ""


def panel(db: Session, contest_id: int) -> Sequence[tuple[Judge, User]]:
    rows = db.execute(
        select(Judge, User)
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.contest_id) == contest_id)
        .order_by(col(User.name), col(Judge.id))
    ).all()
    return [(judge, user) for judge, user in rows]


def _account(db: Session, data: JudgeCreate) -> tuple[User, str | None]:
    """The judge's account and, for a new one invited without a password, its
    set-password link's secret. An existing judge account is used as it is: nothing of
    it (name, institution, password) is changed, read back or told to the organiser. An
    investor guest's account becomes a judge's (its investor seats stay: it reaches both
    from the menu)."""
    existing = auth.user_by_email(db, data.email)
    if existing is not None:
        if existing.role == Role.investor:
            existing.role = Role.judge
            db.add(existing)
        elif existing.role != Role.judge:
            # One role per account: a team's or organiser's address cannot sit on a
            # panel. The message names no role and nothing of the account.
            raise InvalidInput.single(
                "email", _("This e-mail address cannot be used for a judge: use another one.")
            )
        auth.as_slow_as_a_new_account()
        return existing, None
    if data.password:  # kept for scripts: the organiser chose it
        user = auth.create_user(
            db,
            role=Role.judge,
            email=data.email,
            password=data.password,
            name=data.name,
            institution=data.institution,
        )
        return user, None
    return auth.create_invited(
        db, role=Role.judge, email=data.email, name=data.name, institution=data.institution
    )


def add_judge(db: Session, *, actor: User, contest: Contest, data: JudgeCreate) -> AddedJudge:
    """Put a judge on the contest's panel, creating their account if it is new, and mail
    them: a set-password link (7 days) for an account created here without a password,
    a log-in link otherwise. Both mails have the same subject and a hidden body on the
    outbox page, and the answer is the same: the organiser learns nothing of an account
    that already existed."""
    lock_row(db, contest)  # two organisers adding one judge: the second gets the 409
    user, token = _account(db, data)
    duplicate = db.scalars(
        select(Judge).where(col(Judge.contest_id) == contest.id, col(Judge.user_id) == user.id)
    ).first()
    if duplicate is not None:
        raise StateConflict(_("This judge is already on the panel."), judge_id=duplicate.id)
    judge = Judge(
        contest_id=contest.id,
        user_id=user.id,
        institution=data.institution,
        title=data.title,
        expertise=data.expertise,
        affiliations=data.affiliations,
        companies=[c.model_dump() for c in data.companies],
    )
    db.add(judge)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="judge.add",
        obj=judge,
        after={"email": user.email, **audit.snapshot(judge)},
    )
    mails.invitation(db, user, token, contest_id=contest.id, organiser=_organiser_name(contest))
    return AddedJudge(judge, user, data.name)


def _organiser_name(contest: Contest) -> str:
    """Who invites, in the mail: the contest's organising bodies, else its name."""
    return "、".join(contest.organisers) if contest.organisers else contest.name


def send_link(db: Session, *, actor: User, judge: Judge) -> None:
    """Mail the judge a link to choose a password (accounts.service.send_link_for)."""
    account = db.get(User, judge.user_id)
    assert account is not None  # judges.user_id is a foreign key
    auth.send_link_for(
        db, actor=actor, user=account, contest_id=judge.contest_id, about=f"judge:{judge.id}"
    )


def parse_judges_csv(content: bytes) -> list[JudgeCreate]:
    """Rows of a judges CSV (UTF-8, BOM optional); every bad row is reported, none kept."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("file", _("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"email", "name"} - {(name or "").strip().lower() for name in reader.fieldnames or []}
    if missing:
        raise InvalidInput.single(
            "file", _("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        )
    rows: list[JudgeCreate] = []
    errors: list[FieldError] = []
    for line, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {
            (k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None
        }
        row["expertise"] = [p.strip() for p in row.get("expertise", "").split(";") if p.strip()]
        try:
            rows.append(JudgeCreate(**{k: v for k, v in row.items() if k in CSV_COLUMNS}))
        except ValidationError as exc:
            errors.extend(invalid_input(exc, prefix=("line", line)).errors)
    if errors:
        raise InvalidInput(errors)
    if not rows:
        raise InvalidInput.single("file", _("The file has no rows."))
    return rows


def import_judges(
    db: Session, *, actor: User, contest: Contest, rows: list[JudgeCreate]
) -> list[AddedJudge]:
    """Add every row, or none: a judge already on the panel is reported like a bad row."""
    added: list[AddedJudge] = []
    errors: list[FieldError] = []
    for line, row in enumerate(rows, start=2):
        try:
            with db.begin_nested():
                added.append(add_judge(db, actor=actor, contest=contest, data=row))
        except InvalidInput as exc:
            errors.extend(FieldError(("line", line, *e.loc), e.message) for e in exc.errors)
        except StateConflict as exc:
            errors.append(FieldError(("line", line, "email"), exc.message))
    if errors:
        raise InvalidInput(errors)
    return added


def declare_conflict(
    db: Session, *, actor: User, judge: Judge, entry_id: int, reason: str = ""
) -> Conflict:
    lock_row(db, judge)  # declared twice at once: the second finds the first
    entry = db.get(Entry, entry_id)
    if entry is None or entry.contest_id != judge.contest_id:
        raise InvalidInput.single("entry_id", _("No such entry in this contest."))
    existing = db.scalars(
        select(Conflict).where(
            col(Conflict.judge_id) == judge.id, col(Conflict.entry_id) == entry_id
        )
    ).first()
    if existing is not None:
        return existing
    conflict = Conflict(judge_id=judge.id, entry_id=entry_id, reason=reason, created_by_id=actor.id)
    db.add(conflict)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="conflict.declare",
        obj=conflict,
        contest_id=judge.contest_id,
        after=audit.snapshot(conflict),
        reason=reason,
    )
    return conflict


def conflicts(db: Session, contest_id: int) -> Sequence[Conflict]:
    return db.scalars(
        select(Conflict)
        .join(Judge, col(Judge.id) == Conflict.judge_id)
        .where(col(Judge.contest_id) == contest_id)
        .order_by(col(Conflict.id))
    ).all()


def conflict_rows(db: Session, contest_id: int) -> Sequence[tuple[Conflict, User, Entry]]:
    """Conflicts with the judge's account and the entry, for the panel page."""
    rows = db.execute(
        select(Conflict, User, Entry)
        .join(Judge, col(Judge.id) == Conflict.judge_id)
        .join(User, col(User.id) == Judge.user_id)
        .join(Entry, col(Entry.id) == Conflict.entry_id)
        .where(col(Judge.contest_id) == contest_id)
        .order_by(col(Conflict.id))
    ).all()
    return [(conflict, user, entry) for conflict, user, entry in rows]


def judge_in_contest(db: Session, contest_id: int, judge_id: int) -> Judge:
    judge = db.get(Judge, judge_id)
    if judge is None or judge.contest_id != contest_id:
        raise NotFound()
    return judge


# Up to this many entries the conflict form offers a list to choose from; a national
# contest's 100,000 would make a page of megabytes, so there the number is typed.
ENTRY_CHOICES_MAX = 2000


def entry_choices(db: Session, contest_id: int) -> list[tuple[int, str]] | None:
    """(id, title) of the contest's entries for the conflict form, or None when too many."""
    rows = db.execute(
        select(col(Entry.id), col(Entry.title))
        .where(col(Entry.contest_id) == contest_id)
        .order_by(col(Entry.title), col(Entry.id))
        .limit(ENTRY_CHOICES_MAX + 1)
    ).all()
    if len(rows) > ENTRY_CHOICES_MAX:
        return None
    return [(entry_id, title) for entry_id, title in rows]
