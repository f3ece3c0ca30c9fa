"""The public announcement lists (公示) as PDF data: finalists and winners per track.

What is public, and when, is decided by contest/awards/public_results.py (finalists once the
advancement into the final is published, winners once the awards are); this module only
lays those lists out for contest/awards/announcement_pdf.py. Before anything is published there
is nothing to announce (404).

The text is Chinese whatever the reader's language, like the certificates: a 公示 is an
official notice in the contest's own language, printed and posted as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from contest.awards import public_results
from contest.awards.announcement_pdf import (
    FINALIST_COLUMNS,
    WINNER_COLUMNS,
    AnnouncementData,
    AnnouncementSection,
)
from contest.awards.certificate_pdf import TIER_STYLES
from contest.awards.public_results import PublicResults
from contest.core.errors import NotFound
from contest.models import Contest

ListKind = Literal["finalists", "winners"]
OVERALL_SECTION = "全部组别"
CLOSING = (
    "公示期为自公示之日起5个工作日。公示期内，如对上述名单有异议，"
    "请以书面形式实名向大赛组委会反映，并提供必要的证明材料。",
)


def available_lists(found: PublicResults) -> list[ListKind]:
    """Which lists are published, in the order they were: finalists, then winners."""
    kinds: list[ListKind] = []
    if found.finalists is not None:
        kinds.append("finalists")
    if found.winners is not None:
        kinds.append("winners")
    return kinds


def _day(moment: datetime | None, zone: ZoneInfo) -> date:
    assert moment is not None
    return moment.astimezone(zone).date()


def finalists(found: PublicResults, zone: ZoneInfo) -> AnnouncementData | None:
    """决赛入围名单公示: each track's finalists in registration order (排名不分先后)."""
    if found.finalists is None:
        return None
    sections = [
        AnnouncementSection(
            track_name=section.name,
            rows=[
                (str(n), e.title, e.institution, e.leader_name)
                for n, e in enumerate(section.entries, start=1)
            ],
            columns=FINALIST_COLUMNS,
            note="排名不分先后",
        )
        for section in found.finalists
        if section.entries
    ]
    count = sum(len(section.rows) for section in sections)
    return AnnouncementData(
        contest_name=found.contest.name,
        heading="决赛入围名单公示",
        intro=(
            f"经大赛组委会组织专家评审，共有{count}个项目入围决赛。"
            "现将入围名单予以公示（按组别列出，排名不分先后）。"
        ),
        sections=sections,
        published_on=_day(found.finalists_published_at, zone),
        closing=CLOSING,
    )


def winners(found: PublicResults, zone: ZoneInfo) -> AnnouncementData | None:
    """获奖名单公示: the awards as they were given (per track, or overall), gold first."""
    if found.winners is None:
        return None
    sections = [
        AnnouncementSection(
            track_name=section.name or OVERALL_SECTION,
            rows=[
                (
                    line.award.custom_name or TIER_STYLES[line.award.tier].zh,
                    line.title,
                    line.institution,
                    line.leader_name,
                )
                for line in section.lines
            ],
            columns=WINNER_COLUMNS,
        )
        for section in found.winners
        if section.lines
    ]
    count = sum(len(section.rows) for section in sections)
    return AnnouncementData(
        contest_name=found.contest.name,
        heading="获奖名单公示",
        intro=f"经大赛组委会组织决赛路演评审，共评出获奖项目{count}项，现将获奖名单予以公示。",
        sections=sections,
        published_on=_day(found.awards_published_at, zone),
        closing=CLOSING,
    )


def announcement(
    found: PublicResults, kind: ListKind | None, zone: ZoneInfo
) -> AnnouncementData | None:
    """The list asked for, or the newest published one when `kind` is None."""
    if kind == "finalists":
        return finalists(found, zone)
    if kind == "winners":
        return winners(found, zone)
    return winners(found, zone) or finalists(found, zone)


def published_list(
    db: Session, contest_id: int, kind: ListKind | None, zone: ZoneInfo
) -> tuple[Contest, AnnouncementData]:
    """A contest's published list for anyone; NotFound before it is published."""
    contest = public_results.public_contest(db, contest_id)
    data = announcement(public_results.contest_results(db, contest), kind, zone)
    if data is None:
        raise NotFound()
    return contest, data
