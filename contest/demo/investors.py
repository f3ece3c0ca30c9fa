"""The demo's investors and follow-up: three investment firms at the 2023 final, their
marks on the finalists, and what followed (the intent signed on the day of the award
ceremony, an incubation place, a hospital partnership), through the same services."""

import random
from datetime import date

from sqlmodel import Session

from contest.core.enums import DealKind, InterestLevel
from contest.investors import consent, deals, interest, service, showcase
from contest.investors.access import investor_seat
from contest.investors.schemas import (
    ConsentIn,
    DealCreate,
    InterestIn,
    InvestorCreate,
    InvestorPublic,
)
from contest.models import Contest, Entry, User

FIRMS = (
    ("investor01", "陈立言", "普陀生命健康创业投资基金"),
    ("investor02", "林若溪", "张江医疗器械产业基金"),
    ("investor03", "吴思远", "沪西天使投资联盟"),
)
NOTES = {
    InterestLevel.watch: "技术有新意，持续关注后续临床数据。",
    InterestLevel.meet: "路演表现好，希望会后与团队详谈商业模式。",
    InterestLevel.intent: "与基金方向契合，准备推进尽职调查。",
}
CEREMONY = date(2023, 11, 7)


def follow_up(
    db: Session,
    *,
    actor: User,
    contest: Contest,
    featured: Entry,
    password: str,
    domain: str,
    rng: random.Random,
) -> None:
    seats = [
        service.invite_investor(
            db,
            actor=actor,
            contest=contest,
            data=InvestorCreate(
                email=f"{login}@{domain}", name=name, organisation=firm, password=password
            ),
        )
        for login, name, firm in FIRMS
    ]
    finalists = [p.entry for p in showcase.finalists(db, contest.id)]
    _mark(db, seats, finalists, featured, rng)
    _agree(db, featured)
    _deals(db, actor, featured, finalists)


def _mark(
    db: Session,
    seats: list[InvestorPublic],
    finalists: list[Entry],
    featured: Entry,
    rng: random.Random,
) -> None:
    """Each firm marks a few finalists; the first intends to invest in the featured team."""
    for index, added in enumerate(seats):
        user = db.get(User, added.user_id)
        assert user is not None
        seat = investor_seat(db, user, added.contest_id)
        chosen = rng.sample(finalists, k=min(len(finalists), 4 + index))
        if index == 0 and featured not in chosen:
            chosen.append(featured)
        for entry in chosen:
            level = (
                InterestLevel.intent
                if entry is featured and index == 0
                else rng.choice(list(InterestLevel))
            )
            interest.set_interest(
                db,
                actor=user,
                seat=seat,
                entry_id=entry.id,
                data=InterestIn(level=level, note=NOTES[level]),
            )


def _agree(db: Session, featured: Entry) -> None:
    owner = db.get(User, featured.owner_id) if featured.owner_id else None
    if owner is None:
        return
    consent.set_consent(
        db,
        actor=owner,
        entry=featured,
        data=ConsentIn(share_business_plan=True, contact=True, publish_deals=True),
    )


def _deals(db: Session, actor: User, featured: Entry, finalists: list[Entry]) -> None:
    deals.record_deal(
        db,
        actor=actor,
        entry=featured,
        data=DealCreate(
            kind=DealKind.investment_intent,
            partner=FIRMS[0][2],
            signed_on=CEREMONY,
            note="颁奖典礼现场签署投资意向书（投资意向书）。",
            public=True,
        ),
    )
    deals.record_deal(
        db,
        actor=actor,
        entry=featured,
        data=DealCreate(
            kind=DealKind.incubation,
            partner="大学科技园",
            signed_on=date(2023, 12, 1),
            note="入驻科技园孵化器，免租一年。",
            public=True,
        ),
    )
    other = next((e for e in finalists if e.id != featured.id), None)
    if other is not None:
        deals.record_deal(
            db,
            actor=actor,
            entry=other,
            data=DealCreate(
                kind=DealKind.partnership,
                partner="上海市普陀区某康复医院",
                signed_on=CEREMONY,
                note="产学研医合作：临床验证。",
                public=False,
            ),
        )
