"""Test data without surprises: each function makes exactly what its name says.

Rows are inserted directly (not through services) so a test of a service is not
arranged by the same service. Every account's password is PASSWORD.
"""

import hashlib
import io
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import (
    ContestStatus,
    DocumentKind,
    EntryStatus,
    Role,
    RoundKind,
    RoundMode,
    SheetState,
)
from contest.core.settings import Settings
from contest.entries.documents import make_clean_copy
from contest.kit.pdf_clean import first_page_text
from contest.models import (
    Assignment,
    Contest,
    ContestOrganiser,
    Criterion,
    CriterionScore,
    Document,
    Entry,
    EntryMember,
    Job,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    Track,
    User,
    utcnow,
)
from tests.app_client import TestClient

PASSWORD = "correct horse battery"
# The test accounts' hash is made with argon2's cheapest parameters: verifying it (every
# log-in of a test) takes ~1 ms instead of ~60. The app verifies with the parameters
# stored in the hash, so its code path is the same; new passwords it hashes itself
# still use the production parameters.
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
_serial = itertools.count(1)


def user(
    db: Session,
    role: Role | str,
    *,
    email: str | None = None,
    name: str | None = None,
    institution: str = "",
    flush: bool = True,
) -> User:
    n = next(_serial)
    account = User(
        email=email or f"{role}{n}@example.com",
        name=name or f"{role} {n}",
        role=Role(role),
        password_hash=_PASSWORD_HASH,
        institution=institution,
    )
    db.add(account)
    if flush:
        db.flush()
    return account


def contest(
    db: Session,
    organiser: User,
    *,
    name: str = "2023年第二届“天骄湾杯”生命健康创新创业大赛",
    status: ContestStatus = ContestStatus.open,
    flush: bool = True,
    **values: object,
) -> Contest:
    item = Contest(
        name=name,
        year=2023,
        edition=2,
        series="天骄湾杯",
        status=status,
        organisers=["上海市普陀区科学技术委员会", "某大学科技园"],
        **values,
    )
    db.add(item)
    db.flush()
    db.add(ContestOrganiser(contest_id=item.id, user_id=organiser.id))
    if flush:
        db.flush()
    return item


def track(
    db: Session,
    contest_: Contest,
    code: str,
    *,
    requires_company: bool = False,
    name: str | None = None,
    flush: bool = True,
    **values: object,
) -> Track:
    item = Track(
        contest_id=contest_.id,
        code=code,
        name=name or code,
        requires_company=requires_company,
        **values,
    )
    db.add(item)
    if flush:
        db.flush()
    return item


RUBRIC = (
    ("技术与创新", 300, 1),
    ("市场与商业模式", 250, 2),
    ("团队", 200, 3),
    ("进展与可行性", 150, None),
    ("社会与临床价值", 100, None),
)


def round_(
    db: Session,
    contest_: Contest,
    kind: RoundKind = RoundKind.preliminary,
    *,
    position: int = 1,
    is_open: bool = True,
    rubric: tuple[tuple[str, int, int | None], ...] = RUBRIC,
    flush: bool = True,
    **values: object,
) -> Round:
    now = utcnow()
    item = Round(
        contest_id=contest_.id,
        name=str(kind),
        kind=kind,
        position=position,
        mode=RoundMode.roadshow if kind == RoundKind.final else RoundMode.online_review,
        opens_at=now - timedelta(days=1) if is_open else None,
        **{"carry_over_weight": Decimal(0), **values},
    )
    db.add(item)
    db.flush()
    for index, (criterion_name, max_tenths, priority) in enumerate(rubric):
        db.add(
            Criterion(
                round_id=item.id,
                name=criterion_name,
                max_tenths=max_tenths,
                tiebreak_priority=priority,
                position=index,
            )
        )
    if flush:
        db.flush()
    return item


def criteria(db: Session, round_item: Round) -> list[Criterion]:
    return list(
        db.scalars(
            select(Criterion)
            .where(Criterion.round_id == round_item.id)
            .order_by(Criterion.position)
        )
    )


def entry(
    db: Session,
    contest_: Contest,
    track_: Track,
    *,
    owner: User | None = None,
    title: str | None = None,
    institution: str = "复旦大学",
    rounds: tuple[Round, ...] = (),
    members: tuple[str, ...] = ("张三", "李四"),
    **values: object,
) -> Entry:
    n = next(_serial)
    item = Entry(
        contest_id=contest_.id,
        track_id=track_.id,
        owner_id=owner.id if owner else None,
        title=title or f"项目 {n}",
        summary="一个生命健康项目",
        field="医疗器械",
        institution=institution,
        city="上海",
        leader_name="王五",
        leader_email=f"leader{n}@example.com",
        leader_phone="+8613800138000",
        **values,
    )
    db.add(item)
    db.flush()
    for position, member in enumerate(members):
        db.add(EntryMember(entry_id=item.id, position=position, name=member))
    for each in rounds:
        db.add(RoundEntry(round_id=each.id, entry_id=item.id))
    db.flush()
    return item


def judge(
    db: Session,
    contest_: Contest,
    *,
    account: User | None = None,
    institution: str = "上海交通大学",
    flush: bool = True,
) -> Judge:
    account = account or user(db, Role.judge, institution=institution)
    item = Judge(contest_id=contest_.id, user_id=account.id, institution=institution)
    db.add(item)
    if flush:
        db.flush()
    return item


def assign(db: Session, round_item: Round, judge_item: Judge, entry_item: Entry) -> Assignment:
    item = Assignment(
        round_id=round_item.id, judge_id=judge_item.id, entry_id=entry_item.id, source="manual"
    )
    db.add(item)
    db.flush()
    return item


def sheet(
    db: Session,
    round_item: Round,
    judge_item: Judge,
    entry_item: Entry,
    values_tenths: list[int],
    *,
    submitted: bool = True,
    comment: str = "",
) -> ScoreSheet:
    item = ScoreSheet(
        round_id=round_item.id,
        judge_id=judge_item.id,
        entry_id=entry_item.id,
        state=SheetState.submitted if submitted else SheetState.draft,
        comment=comment,
        submitted_at=utcnow() if submitted else None,
    )
    db.add(item)
    db.flush()
    for criterion, value in zip(criteria(db, round_item), values_tenths, strict=False):
        db.add(CriterionScore(sheet_id=item.id, criterion_id=criterion.id, value_tenths=value))
        item.total_tenths += value  # as every save keeps it
    db.flush()
    return item


@dataclass
class World:
    """One contest as most tests need it, plus a second contest run by someone else."""

    organiser: User
    contest: Contest
    startup: Track
    creative: Track
    preliminary: Round
    semifinal: Round
    final: Round
    judges: list[Judge]
    judge_users: list[User]
    team: User
    other_team: User
    other_organiser: User
    other_contest: Contest
    extra: dict[str, object] = field(default_factory=dict)


def build_world(db: Session) -> World:
    """Made in seven flushes, not twenty-two (nearly every test builds it): a flush is a
    round trip to the database and a unit of work, and rows of one table added together
    go in one INSERT. Rows get the ids they would get one at a time (1, 2, 3... in the
    order added)."""
    organiser = user(db, Role.organiser, email="organiser@example.com", name="组委会",
                     flush=False)
    judge_users = [
        user(db, Role.judge, email=f"judge{i}@example.com", name=f"评委{i}",
             institution=f"机构{i}", flush=False)
        for i in range(1, 4)
    ]
    team = user(db, Role.team, email="team@example.com", name="队长甲", flush=False)
    other_team = user(db, Role.team, email="team2@example.com", name="队长乙", flush=False)
    other_organiser = user(db, Role.organiser, email="other-organiser@example.com",
                           flush=False)
    db.flush()
    item = contest(db, organiser, flush=False)
    other = contest(db, other_organiser, name="另一个大赛", flush=False)
    startup = track(db, item, "startup", requires_company=True, name="创业组", flush=False)
    creative = track(db, item, "creative", name="创意组", flush=False)
    preliminary = round_(
        db, item, RoundKind.preliminary, position=1, advance_count={"startup": 2, "creative": 2},
        flush=False,
    )
    semifinal = round_(db, item, RoundKind.semifinal, position=2, is_open=False, flush=False)
    final = round_(db, item, RoundKind.final, position=3, is_open=False, judges_per_entry=5,
                   flush=False)
    panel = [judge(db, item, account=u, institution=u.institution, flush=False)
             for u in judge_users]
    db.commit()
    return World(
        organiser,
        item,
        startup,
        creative,
        preliminary,
        semifinal,
        final,
        panel,
        judge_users,
        team,
        other_team,
        other_organiser,
        other,
    )


# Logging in from tests, as a browser (cookie + CSRF) or as an API client (bearer token).


def csrf_token(client: TestClient) -> str:
    if "tj_csrf" not in client.cookies:
        client.get("/login")
    return client.cookies["tj_csrf"]


def login(client: TestClient, account: User) -> TestClient:
    response = client.post(
        "/login",
        data={"email": account.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def bearer(client: TestClient, account: User) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def form(client: TestClient, values: dict[str, object] | None = None) -> dict[str, object]:
    """Form fields with the CSRF token added."""
    return {"csrf_token": csrf_token(client), **(values or {})}


# Entries' documents and round places.


def pdf_bytes(text: str = "Business plan", pages: int = 1) -> bytes:
    """A small, valid PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for number in range(pages):
        canvas.drawString(72, 720, f"{text} {number + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def document(
    db: Session,
    entry_item: Entry,
    settings: Settings,
    *,
    kind: DocumentKind = DocumentKind.business_plan,
    filename: str = "商业计划书.pdf",
    data: bytes | None = None,
) -> Document:
    """A document row and its file in the uploads folder."""
    content = data if data is not None else pdf_bytes(filename)
    token = secrets.token_hex(16)
    stored_name = f"{token[:2]}/{token}.pdf"
    path = settings.uploads_dir / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    # As an upload does (contest/entries/documents.py): a cleaned copy, if pypdf can make one.
    clean_name = make_clean_copy(settings, stored_name)
    item = Document(
        entry_id=entry_item.id,
        kind=kind,
        filename=filename,
        stored_name=stored_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        clean_stored_name=clean_name,
        first_page_text=first_page_text(path),
    )
    db.add(item)
    db.flush()
    return item


def enrol(
    db: Session, round_item: Round, entry_item: Entry, status: EntryStatus = EntryStatus.in_
) -> RoundEntry:
    item = RoundEntry(round_id=round_item.id, entry_id=entry_item.id, status=status)
    db.add(item)
    db.flush()
    return item


def finished_job(db: Session, owner: User, settings: Settings) -> Job:
    """A background job `owner` started, done, with a result file to download."""
    folder = settings.data_dir / "jobs" / "factory"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "result.txt"
    path.write_text("done", encoding="utf-8")
    job = Job(kind="notices.deliver", state="done", progress=1.0, user_id=owner.id,
              result_path=str(path), result_name="result.txt", finished_at=utcnow())
    db.add(job)
    db.flush()
    return job
