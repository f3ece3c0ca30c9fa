"""The demo's publications, dated as in 2023, and one objection, filed and decided.

The services stamp today; a 2023 contest must show 2023 dates and lists whose objection
periods (公示期) are long over, so its publications are re-dated here. One team objects
to the awards (asking for the silver award's scores to be checked); the organisers
answer and reject it with a reason, through the same services as the product.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from contest.models import Award, Contest, Objection, Publication, Round, User
from contest.objections import service as objections
from contest.publications import service as publications

REASON = (
    "我们对本组银奖项目的决赛得分有疑问：路演时有评委提前离场，"
    "请组委会核实该项目的有效评分人数与计算。"
)
ANSWER = (
    "组委会已调阅该项目九位评委的全部评分表与现场录像：每位评委均完成评分，"
    "去掉最高分和最低分后取平均，计算无误。"
)
DECISION = "经复核，评分与计算均无误，维持原获奖结果。"


def decided_objection(
    db: Session, *, actor: User, contest: Contest, teams: dict[int, User]
) -> Objection | None:
    """A bronze winner objects to a silver award (every finalist of the demo has an
    award); the organisers answer and reject it."""
    item = filed_objection(db, contest=contest, teams=teams)
    return rejected_objection(db, actor=actor, objection=item) if item else None


def filed_objection(db: Session, *, contest: Contest, teams: dict[int, User]) -> Objection | None:
    """A bronze winner's objection to a silver award, as filed."""
    found = publications.standing(db, contest.id, publications.AWARDS)
    if found is None:
        return None
    awarded = sorted(
        (a.entry_id, str(a.tier))
        for a in db.scalars(select(Award).where(col(Award.contest_id) == contest.id))
    )
    silver = next((e for e, tier in awarded if tier == "silver"), None)
    bronze = next((e for e, tier in awarded if tier == "bronze"), None)
    filer = teams.get(bronze) if bronze is not None else None
    if silver is None or filer is None:
        return None
    return objections.file_objection(
        db, actor=filer, contest=contest, publication_id=found.id, entry_id=silver, reason=REASON
    )


def rejected_objection(db: Session, *, actor: User, objection: Objection) -> Objection:
    """The organisers' answer to the objection, and their decision: rejected."""
    objections.answer(db, actor=actor, objection=objection, text=ANSWER)
    return objections.decide(
        db, actor=actor, objection=objection, decision="rejected", reason=DECISION
    )


def date_publications(db: Session, *, contest: Contest, awards_at: datetime) -> None:
    """Advancement lists dated the evening their round closed, the awards ``awards_at``;
    each objection period as long as the contest's; the objection inside the awards'."""
    days = timedelta(days=contest.objection_days)
    for item in db.scalars(select(Publication).where(col(Publication.contest_id) == contest.id)):
        when = awards_at
        if item.round_id is not None:
            round_ = db.get(Round, item.round_id)
            assert round_ is not None
            assert round_.closes_at is not None
            when = round_.closes_at + timedelta(hours=2)
        item.published_at, item.objections_close_at = when, when + days
        db.add(item)
        if item.kind == publications.AWARDS:
            db.execute(
                update(Objection)
                .where(col(Objection.publication_id) == item.id)
                .values(created_at=when + timedelta(days=1), decided_at=when + timedelta(days=3))
            )
    db.flush()
