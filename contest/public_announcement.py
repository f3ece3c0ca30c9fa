"""The public announcement lists (公示): finalists and winners, built from the database.

Finalists are public once the advancement into the final (the decision of the round
before it) is published; winners once the awards are published. Before that there is
nothing to announce. The PDF itself is a pure function (contest/announcement_pdf.py).

The text is Chinese whatever the reader's language, like the certificates: a 公示 is an
official notice in the contest's own language, printed and posted as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from contest import advancement, rounds
from contest.announcement_pdf import (
    FINALIST_COLUMNS,
    WINNER_COLUMNS,
    AnnouncementData,
    AnnouncementSection,
)
from contest.certificate_pdf import TIER_STYLES
from contest.contests import tracks
from contest.enums import RoundKind
from contest.errors import NotFound
from contest.models import Award, Contest, Entry, Round

ListKind = Literal["finalists", "winners"]
TIER_ORDER = {"gold": 0, "silver": 1, "bronze": 2, "excellence": 3}
CLOSING = (
    "公示期为自公示之日起5个工作日。公示期内，如对上述名单有异议，"
    "请以书面形式实名向大赛组委会反映，并提供必要的证明材料。",
)


def final_round(db: Session, contest_id: int) -> Round | None:
    return next((r for r in rounds.rounds(db, contest_id) if r.kind == RoundKind.final), None)


def _finalists_decision(db: Session, contest_id: int) -> advancement.Decision | None:
    """The published decision of the round that leads into the final, if any."""
    final = final_round(db, contest_id)
    before = rounds.previous_round(db, final) if final is not None else None
    found = advancement.decision(db, before) if before is not None else None
    return found if found is not None and found.published_at is not None else None


def _published_awards(db: Session, contest_id: int) -> list[tuple[Award, Entry]]:
    rows = db.execute(
        select(Award, Entry)
        .join(Entry, Entry.id == Award.entry_id)
        .where(Award.contest_id == contest_id, Award.published_at.is_not(None))
    ).all()
    return sorted(rows, key=lambda r: (TIER_ORDER.get(r[0].tier, 9), r[0].rank or 0, r[1].id))


def _section_of(award: Award, entry: Entry) -> int | None:
    """Per-track awards sit under their entry's track; overall ones in a table of their own."""
    return entry.track_id if award.scope == "per_track" else None


def available_lists(db: Session, contest_id: int) -> list[ListKind]:
    """Which lists are published, newest last: finalists, then winners."""
    found: list[ListKind] = []
    if _finalists_decision(db, contest_id) is not None:
        found.append("finalists")
    if _published_awards(db, contest_id):
        found.append("winners")
    return found


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def finalists(db: Session, contest: Contest, zone: ZoneInfo) -> AnnouncementData | None:
    """决赛入围名单公示: each track's finalists, in registration order (排名不分先后)."""
    found = _finalists_decision(db, contest.id)
    if found is None or found.published_at is None:
        return None
    entries = db.scalars(
        select(Entry).where(Entry.id.in_(found.advanced_ids)).order_by(Entry.id)
    ).all()
    sections = []
    for track in tracks(db, contest.id):
        mine = [e for e in entries if e.track_id == track.id]
        rows = [(str(n), e.title, e.institution, e.leader_name) for n, e in enumerate(mine, 1)]
        if rows:
            sections.append(
                AnnouncementSection(
                    track_name=track.name, rows=rows, columns=FINALIST_COLUMNS, note="排名不分先后"
                )
            )
    return AnnouncementData(
        contest_name=contest.name,
        heading="决赛入围名单公示",
        intro=(
            f"经大赛组委会组织专家评审，共有{len(entries)}个项目入围决赛。"
            "现将入围名单予以公示（按组别列出，排名不分先后）。"
        ),
        sections=sections,
        published_on=_day(found.published_at, zone),
        closing=CLOSING,
    )


def winners(db: Session, contest: Contest, zone: ZoneInfo) -> AnnouncementData | None:
    """获奖名单公示: each track's awards, gold first (overall awards in their own table)."""
    found = _published_awards(db, contest.id)
    if not found:
        return None
    sections = []
    groups: list[tuple[int | None, str]] = [(t.id, t.name) for t in tracks(db, contest.id)]
    groups.append((None, "总体奖项"))
    for track_id, name in groups:
        rows = [
            (award.custom_name or TIER_STYLES[award.tier].zh, e.title, e.institution, e.leader_name)
            for award, e in found
            if _section_of(award, e) == track_id
        ]
        if rows:
            sections.append(AnnouncementSection(track_name=name, rows=rows, columns=WINNER_COLUMNS))
    published = max(award.published_at for award, _e in found if award.published_at)
    return AnnouncementData(
        contest_name=contest.name,
        heading="获奖名单公示",
        intro=(
            f"经大赛组委会组织决赛路演评审，共评出获奖项目{len(found)}项。现将获奖名单予以公示。"
        ),
        sections=sections,
        published_on=_day(published, zone),
        closing=CLOSING,
    )


def announcement(
    db: Session, contest: Contest, kind: ListKind | None, zone: ZoneInfo
) -> AnnouncementData | None:
    """The list asked for, or the newest published one when `kind` is None."""
    if kind == "finalists":
        return finalists(db, contest, zone)
    if kind == "winners":
        return winners(db, contest, zone)
    return winners(db, contest, zone) or finalists(db, contest, zone)


def published_list(
    db: Session, contest_id: int, kind: ListKind | None, zone: ZoneInfo
) -> tuple[Contest, AnnouncementData]:
    """A contest's published list for the public; NotFound before anything is published."""
    contest = db.get(Contest, contest_id)
    data = announcement(db, contest, kind, zone) if contest is not None else None
    if contest is None or data is None:
        raise NotFound()
    return contest, data
