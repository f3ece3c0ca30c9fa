"""`python main.py demo`: load the 2023 Tianjiao Bay Cup, from set-up to published awards.

Each stage is a function over one session; `load` runs them in order inside one
transaction and does nothing if the demo contest is already there (idempotent).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from contest.accounts.service import create_user, user_by_email
from contest.core.db import Database
from contest.core.enums import ContestStatus, Role, RoundKind, RoundMode, Tier
from contest.core.security import hash_password, one_hash_per_password
from contest.core.settings import Settings
from contest.demo import data as demo_data
from contest.demo import documents as demo_documents
from contest.demo import investors as demo_investors
from contest.demo import live as demo_live
from contest.demo import objections as demo_objections
from contest.demo import results as demo_results
from contest.demo import scores as demo_scores
from contest.entries import documents
from contest.entries import service as entries
from contest.entries.eligibility import credit_code_check_character
from contest.judging import assignment
from contest.models import (
    Assignment,
    AuditRecord,
    Award,
    Certificate,
    Contest,
    Entry,
    EntryMember,
    Judge,
    Objection,
    Round,
    RoundEntry,
    Track,
    User,
)
from contest.setup import contests, judges, rounds
from contest.setup.schemas import ContestCreate, JudgeCreate, RoundCreate, TrackCreate

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "tianjiao2023"  # noqa: S105 - the demo's published password
DOMAIN = "tianjiao.demo"
SEED = 2023


@dataclass
class Demo:
    """What the stages share: the accounts, the contest and its parts."""

    db: Session
    settings: Settings
    rng: random.Random
    organiser: User | None = None
    contest: Contest | None = None
    tracks: dict[str, Track] = field(default_factory=dict)
    rounds: dict[RoundKind, Round] = field(default_factory=dict)
    judge_ids: list[int] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    teams: dict[int, User] = field(default_factory=dict)  # entry id -> team account
    # Kept across rounds, so a strong project stays strong and a strict judge strict.
    judge_bias: dict[int, float] = field(default_factory=dict)
    quality: dict[int, float] = field(default_factory=dict)
    objection: Objection | None = None


@dataclass(frozen=True)
class Logins:
    organiser: str
    judge: str
    team: str
    investor: str = f"investor01@{DOMAIN}"
    password: str = PASSWORD
    contest_id: int | None = None
    final_round_id: int | None = None


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def build_contest(demo: Demo) -> None:
    db = demo.db
    demo.organiser = create_user(
        db, role=Role.organiser, email=f"organiser@{DOMAIN}", password=PASSWORD, name="大赛组委会"
    )
    create_user(
        db, role=Role.organiser, email=f"staff@{DOMAIN}", password=PASSWORD, name="组委会秘书处"
    )
    demo.contest = contests.create_contest(
        db,
        actor=demo.organiser,
        data=ContestCreate(
            name=demo_data.CONTEST_NAME,
            name_en=demo_data.CONTEST_NAME_EN,
            year=2023,
            edition=2,
            series=demo_data.SERIES,
            description=demo_data.DESCRIPTION,
            organisers=list(demo_data.ORGANISERS),
            registration_opens_at=at("2023-05-15"),
            registration_closes_at=at("2023-07-15", 18),
        ),
    )
    for code, name, name_en, requires_company, age in (
        ("startup", "创业组", "Startup track", True, 5),
        ("creative", "创意组", "Creative track", False, None),
    ):
        demo.tracks[code] = contests.add_track(
            db,
            actor=demo.organiser,
            contest=demo.contest,
            data=TrackCreate(
                code=code,
                name=name,
                name_en=name_en,
                requires_company=requires_company,
                max_company_age_years=age,
            ),
        )


FINAL_DAY = "2023-11-07"

# name, English name, kind, mode, judges per entry, advance per track, window
RoundPlan = tuple[str, str, RoundKind, RoundMode, int, dict[str, int], tuple[str, str]]
ROUND_PLAN: tuple[RoundPlan, ...] = (
    (
        "初赛（网络评审）",
        "Preliminary (online review)",
        RoundKind.preliminary,
        RoundMode.online_review,
        5,
        {"startup": 36, "creative": 34},
        ("2023-07-20", "2023-08-10"),
    ),
    (
        "复赛（网络评审）",
        "Semifinal (online review)",
        RoundKind.semifinal,
        RoundMode.online_review,
        5,
        {"startup": 6, "creative": 6},
        ("2023-08-20", "2023-09-05"),
    ),
    # The final and the award ceremony: 7 November 2023, Putuo district (docs/rules.md, the demo).
    (
        "决赛（现场路演）",
        "Final (live roadshow)",
        RoundKind.final,
        RoundMode.roadshow,
        9,
        {},
        (FINAL_DAY, FINAL_DAY),
    ),
)


def build_rounds(demo: Demo) -> None:
    assert demo.contest
    assert demo.organiser
    for order, (name, name_en, kind, mode, per_entry, advance, (opens, closes)) in enumerate(
        ROUND_PLAN, start=1
    ):
        demo.rounds[kind] = rounds.add_round(
            demo.db,
            actor=demo.organiser,
            contest=demo.contest,
            data=RoundCreate(
                name=name,
                name_en=name_en,
                kind=kind,
                order=order,
                mode=mode,
                judges_per_entry=per_entry,
                advance_count=advance,
                opens_at=at(opens),
                closes_at=at(closes, 18),
                carry_over_weight=Decimal("0.3") if kind == RoundKind.semifinal else Decimal(0),
                blind=kind == RoundKind.preliminary,
                pitch_seconds=480,
                qa_seconds=420,
            ),
        )


# The demo's lenient judge (刘子健, an investor) and how generous: 15 % of each maximum.
LENIENT_JUDGE = 10
LENIENT_BIAS = 0.15


def build_panel(demo: Demo) -> None:
    assert demo.contest
    assert demo.organiser
    for number, (name, institution, title, expertise) in enumerate(demo_data.JUDGES, start=1):
        added = judges.add_judge(
            demo.db,
            actor=demo.organiser,
            contest=demo.contest,
            data=JudgeCreate(
                email=f"judge{number:02d}@{DOMAIN}",
                name=name,
                institution=institution,
                title=title,
                password=PASSWORD,
                expertise=list(expertise),
            ),
        )
        demo.judge_ids.append(added.judge.id)
    demo.judge_bias = demo_scores.judge_biases(demo.judge_ids, demo.rng)
    # One clearly lenient judge, for the fairness page to find (contest/results/README.md).
    demo.judge_bias[demo.judge_ids[LENIENT_JUDGE]] = LENIENT_BIAS


def person(rng: random.Random) -> str:
    return rng.choice(demo_data.SURNAMES) + rng.choice(demo_data.GIVEN)


def mobile(rng: random.Random) -> str:
    """A mainland mobile as entries store it (E.164, contest/core/phones.py)."""
    return f"+8613{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def credit_code(city: str, rng: random.Random) -> str:
    """A well-formed code: 9 (enterprise) 1 (company), the city's area, an organisation code."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + demo_data.AREA_CODES[city] + "".join(rng.choice(charset) for _ in range(9))
    return body + credit_code_check_character(body)


def summary(field_name: str, rng: random.Random) -> str:
    opening = rng.choice(demo_data.SUMMARY_OPENINGS).format(need=demo_data.NEEDS[field_name])
    body = rng.choice(demo_data.SUMMARY_BODIES).format(
        patents=rng.randint(2, 12),
        stage=rng.choice(demo_data.STAGES),
        next=rng.choice(demo_data.NEXT_STEPS),
    )
    return opening + body


def build_entries(demo: Demo) -> None:
    """98 entries: about half startups with a company, from 24 universities in 14 cities."""
    assert demo.contest
    db, rng = demo.db, demo.rng
    team_hash = hash_password(PASSWORD)  # within load(): the one hash of every demo account
    titles = [(f, t) for f, items in demo_data.TITLES.items() for t in items]
    rng.shuffle(titles)
    first_round = demo.rounds[RoundKind.preliminary]
    for number, (field_name, title) in enumerate(titles, start=1):
        university, city = demo_data.UNIVERSITIES[(number - 1) % len(demo_data.UNIVERSITIES)]
        startup = number % 2 == 1
        leader = person(rng)
        team = User(
            email=f"team{number:02d}@{DOMAIN}", name=leader, role=Role.team, password_hash=team_hash
        )
        db.add(team)
        db.flush()
        company: dict[str, Any] = {}
        if startup:
            founded = date(2023, 6, 30) - timedelta(days=rng.randint(120, 4 * 365))
            company = {
                "company_name": city
                + rng.choice(demo_data.COMPANY_WORDS)
                + rng.choice(demo_data.COMPANY_SUFFIXES),
                "credit_code": credit_code(city, rng),
                "founded_on": founded,
            }
        created = at("2023-05-20") + timedelta(hours=rng.randint(0, 55 * 24))
        entry = Entry(
            contest_id=demo.contest.id,
            track_id=demo.tracks["startup" if startup else "creative"].id,
            owner_id=team.id,
            title=title,
            summary=summary(field_name, rng),
            field=field_name,
            institution=university,
            city=city,
            leader_name=leader,
            leader_email=team.email,
            leader_phone=mobile(rng),
            created_at=created,
            updated_at=created,
            **company,
        )
        db.add(entry)
        db.flush()
        names = [leader] + [person(rng) for _ in range(rng.randint(2, 6))]
        db.add_all(EntryMember(entry_id=entry.id, position=i, name=n) for i, n in enumerate(names))
        db.add(RoundEntry(round_id=first_round.id, entry_id=entry.id))
        demo.entries.append(entry)
        demo.quality[entry.id] = demo.rng.gauss(0.72, 0.09)
        demo.teams[entry.id] = team
    db.flush()


def add_documents(demo: Demo) -> None:
    """Every entry gets a generated business plan, stored exactly as an upload would be."""
    assert demo.contest
    assert demo.organiser
    track_names = {t.id: t.name for t in demo.tracks.values()}
    for entry in demo.entries:
        facts = demo_documents.facts_for(
            entry,
            members=entries.member_names(demo.db, entry.id),
            track_name=track_names[entry.track_id],
            contest_name=demo.contest.name,
            year=2023,
        )
        pdf = demo_documents.business_plan_pdf(facts)
        documents.store_document(
            demo.db,
            actor=demo.organiser,
            entry=entry,
            kind="business_plan",
            filename=f"{entry.title}-商业计划书.pdf",
            chunks=[pdf],
            settings=demo.settings,
        )


def judge_round(demo: Demo, kind: RoundKind) -> None:
    """Assign the round's entries, score them all (strict and lenient judges alike)."""
    assert demo.organiser
    round_ = demo.rounds[kind]
    assignment.auto_assign(
        demo.db, actor=demo.organiser, round_=round_, seed=SEED, held_before=True
    )
    demo_scores.score_round(
        demo.db, round_, demo.rng, judge_bias=demo.judge_bias, quality=demo.quality
    )


def judge_preliminary(demo: Demo) -> None:
    judge_round(demo, RoundKind.preliminary)


def advance_preliminary(demo: Demo) -> None:
    """70 of 98 entries into the semifinal, as in 2023; published, judges' comments too."""
    assert demo.organiser
    demo_results.advance_round(
        demo.db, actor=demo.organiser, round_=demo.rounds[RoundKind.preliminary]
    )


def judge_semifinal(demo: Demo) -> None:
    judge_round(demo, RoundKind.semifinal)


def advance_semifinal(demo: Demo) -> None:
    """The 12 finalists."""
    assert demo.organiser
    demo_results.advance_round(
        demo.db, actor=demo.organiser, round_=demo.rounds[RoundKind.semifinal]
    )


def final_roadshow(demo: Demo) -> None:
    """The live final: order drawn, 12 pitches scored by 9 judges each, every score revealed."""
    assert demo.organiser
    assert demo.contest
    # Judging is under way (a draft contest cannot start its live final); finished at the end.
    demo.contest.status = ContestStatus.judging
    demo.db.add(demo.contest)
    demo_live.run_final(
        demo.db,
        actor=demo.organiser,
        round_=demo.rounds[RoundKind.final],
        rng=demo.rng,
        on=date.fromisoformat(FINAL_DAY),
    )


# The 2023 final and award ceremony took one day; the results went out that evening.
PUBLISHED = (FINAL_DAY, 19)


def publish_awards(demo: Demo) -> None:
    """Gold, silver and bronze per track, published with their certificates, dated the
    evening of the 2023 final (the services stamp today, which a 2023 contest's
    certificates and public results must not show)."""
    assert demo.organiser
    assert demo.contest
    demo_live.award(demo.db, actor=demo.organiser, contest=demo.contest)
    when = at(*PUBLISHED)
    awarded = select(col(Award.id)).where(col(Award.contest_id) == demo.contest.id)
    demo.db.execute(update(Award).where(col(Award.id).in_(awarded)).values(published_at=when))
    demo.db.execute(
        update(Certificate)
        .where(col(Certificate.award_id).in_(awarded))
        .values(issued_on=when.date())
    )
    demo.contest.results_published_at = when
    demo.db.add(demo.contest)


def investors_follow_up(demo: Demo) -> None:
    """Investors at the final, their marks, and the intent signed at the 2023 ceremony."""
    assert demo.organiser
    assert demo.contest
    featured = featured_team_email(demo.db, demo.contest)
    entry = demo.db.scalars(
        select(Entry).join(User, col(User.id) == Entry.owner_id).where(
            col(User.email) == featured, col(Entry.contest_id) == demo.contest.id)
    ).first()
    assert entry is not None
    demo_investors.follow_up(demo.db, actor=demo.organiser, contest=demo.contest,
                             featured=entry, password=PASSWORD, domain=DOMAIN, rng=demo.rng)


def objection_filed(demo: Demo) -> None:
    """A bronze winner objects to a silver award, the day after the awards are published."""
    assert demo.contest
    demo.objection = demo_objections.filed_objection(
        demo.db, contest=demo.contest, teams=demo.teams
    )


def objection_decided(demo: Demo) -> None:
    """The objection answered and rejected; every publication dated 2023."""
    assert demo.organiser
    assert demo.contest
    if demo.objection is not None:
        demo_objections.rejected_objection(demo.db, actor=demo.organiser, objection=demo.objection)
    demo_objections.date_publications(demo.db, contest=demo.contest, awards_at=at(*PUBLISHED))


# Each stage of the 2023 contest and when it happened: the audit log's records of a stage
# carry its time (a second apart, in order), not the day the demo was loaded.
STAGES = (
    (build_contest, ("2023-05-10", 9)),
    (build_rounds, ("2023-05-10", 10)),
    (build_panel, ("2023-05-12", 9)),
    (build_entries, ("2023-05-20", 9)),
    (add_documents, ("2023-07-15", 9)),
    (judge_preliminary, ("2023-08-10", 17)),
    (advance_preliminary, ("2023-08-10", 20)),
    (judge_semifinal, ("2023-09-05", 17)),
    (advance_semifinal, ("2023-09-05", 20)),
    (final_roadshow, (FINAL_DAY, 14)),
    (publish_awards, PUBLISHED),
    (investors_follow_up, (FINAL_DAY, 20)),
    # date_publications: an objection filed a day after the awards, decided two days later.
    (objection_filed, ("2023-11-08", 19)),
    (objection_decided, ("2023-11-10", 19)),
)


def date_audit_records(db: Session, *, after_id: int, when: datetime) -> int:
    """The audit records added since `after_id` dated `when`, a second apart in order;
    the last one's id (or `after_id`), where the next stage's records begin."""
    db.flush()
    added = db.scalars(
        select(AuditRecord).where(col(AuditRecord.id) > after_id).order_by(col(AuditRecord.id))
    ).all()
    for offset, item in enumerate(added):
        item.at = when + timedelta(seconds=offset)
    return added[-1].id if added else after_id


def existing_logins(db: Session) -> Logins | None:
    contest = db.scalars(select(Contest).where(col(Contest.name) == demo_data.CONTEST_NAME)).first()
    if contest is None:
        return None
    final = db.scalars(
        select(Round).where(col(Round.contest_id) == contest.id, col(Round.kind) == RoundKind.final)
    ).first()
    return Logins(
        organiser=f"organiser@{DOMAIN}",
        judge=featured_judge_email(db, final),
        team=featured_team_email(db, contest),
        contest_id=contest.id,
        final_round_id=final.id if final else None,
    )


def featured_judge_email(db: Session, final: Round | None) -> str:
    """A judge who scored in the final too, so every judge page has something to show."""
    email = None
    if final is not None:
        email = db.scalars(
            select(col(User.email))
            .join(Judge, col(Judge.user_id) == User.id)
            .join(Assignment, col(Assignment.judge_id) == Judge.id)
            .where(col(Assignment.round_id) == final.id)
            .order_by(User.email)
        ).first()
    return email or f"judge01@{DOMAIN}"


def featured_team_email(db: Session, contest: Contest) -> str:
    """The team to log in as: the gold winner of the startup track, whose story goes furthest."""
    owner = db.scalars(
        select(col(User.email))
        .join(Entry, col(Entry.owner_id) == User.id)
        .join(Award, col(Award.entry_id) == Entry.id)
        .join(Track, col(Track.id) == Entry.track_id)
        .where(
            col(Award.contest_id) == contest.id,
            col(Award.tier) == Tier.gold,
            col(Track.code) == "startup",
        )
    ).first()
    return owner or f"team01@{DOMAIN}"


def load(database: Database, settings: Settings) -> Logins:
    """Load the demo once; afterwards, just say how to log in."""
    with database.session() as db:
        existing = existing_logins(db)
        if existing is not None:
            return existing
        if user_by_email(db, f"organiser@{DOMAIN}") is not None:
            raise RuntimeError("demo accounts exist without the demo contest; use a fresh database")
        demo = Demo(db=db, settings=settings, rng=random.Random(SEED))
        with one_hash_per_password():
            dated = db.scalar(select(func.max(AuditRecord.id))) or 0
            for stage, (day, hour) in STAGES:
                stage(demo)
                dated = date_audit_records(db, after_id=dated, when=at(day, hour))
        assert demo.contest is not None
        demo.contest.status = ContestStatus.finished
        db.flush()
    with database.session() as db:
        logins = existing_logins(db)
    assert logins is not None
    return logins


def print_logins(logins: Logins, base_url: str) -> None:
    rows = (
        ("organiser / 组委会", logins.organiser),
        ("judge / 评委", logins.judge),
        ("team / 参赛团队", logins.team),
        ("investor / 投资人", logins.investor),
    )
    print()
    print("Tianjiao demo: 2023年第二届“天骄湾杯”生命健康创新创业大赛")
    print(f"  open {base_url}/  and log in with password {logins.password!r}:")
    for role, email in rows:
        print(f"    {role:<20} {email}")
    if logins.final_round_id:
        print(f"  big screen of the final: {base_url}/live/{logins.final_round_id}")
    print(f"  public results: {base_url}/results/{logins.contest_id}")
    print()
