"""The public announcement lists (公示) as PDF data: finalists and winners per track.

What is public, and when, is decided by contest/awards/public_results.py (finalists once the
advancement into the final is published, winners once the awards are); this module only
lays those lists out for contest/awards/announcement_pdf.py. Before anything is published there
is nothing to announce (404).

A 公示 is an official notice in the contest's own language: the list is Chinese unless its
English version is asked for (``language="en"``: the English names of the contest, tracks
and awards where set, else the Chinese ones; English headings, columns and dates), which
says that the Chinese notice is the official one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from contest.awards import public_results
from contest.awards.announcement_pdf import (
    FINALIST_COLUMNS,
    FINALIST_COLUMNS_EN,
    WINNER_COLUMNS,
    WINNER_COLUMNS_EN,
    AnnouncementData,
    AnnouncementSection,
)
from contest.awards.certificate_pdf import TIER_STYLES
from contest.awards.public_results import PublicationState, PublicResults
from contest.core.errors import NotFound
from contest.core.i18n.names import pick
from contest.models import Contest

ListKind = Literal["finalists", "winners"]
Language = Literal["zh", "en"]
OVERALL_SECTION = "全部组别"
OVERALL_SECTION_EN = "All tracks"
OFFICIAL_EN = "This is an English version for information; the Chinese notice is the official one."
PUBLISHER_EN = "Organising Committee"


def legacy_closing(objection_days: int) -> tuple[str, ...]:
    """For a list published before publications were recorded: the contest's window in
    days, without a date (none was kept)."""
    return (
        f"公示期为自公示之日起{objection_days}日。公示期内，如对上述名单有异议，"
        "请以书面形式实名向大赛组委会反映，并提供必要的证明材料。",
    )


def closing(
    state: PublicationState | None, zone: ZoneInfo, objection_days: int
) -> tuple[str, ...]:
    """The notice's last lines: its version and corrections (更正), its objection window
    (公示期, the contest's setting) and how to object, or that it is final (最终)."""
    if state is None:
        return legacy_closing(objection_days)
    lines: list[str] = []
    for c in state.corrections:
        lines.append(
            f"更正：本名单第{c.version}版（{_day(c.published_at, zone):%Y年%m月%d日}公示）"
            f"已于{_day(c.withdrawn_at, zone):%Y年%m月%d日}撤回，原因：{c.reason}。"
        )
    if state.corrections:
        lines.append(f"本名单为更正后的第{state.version}版。")
    until = f"{_day(state.objections_close_at, zone):%Y年%m月%d日}"
    if state.final:
        lines.append(f"公示期已于{until}结束，本名单为最终结果。")
    else:
        lines.append(
            f"公示期自公示之日起至{until}止。公示期内，如对上述名单有异议，"
            "请登录大赛平台以参赛团队身份实名提出异议，并可上传必要的证明材料（PDF）。"
        )
    return tuple(lines)


def closing_en(
    state: PublicationState | None, zone: ZoneInfo, objection_days: int
) -> tuple[str, ...]:
    """`closing` in English, ending with the note that the Chinese notice is official."""
    if state is None:
        return (
            "Objections may be raised in writing, with supporting documents, within "
            f"{objection_days} days of publication.",
            OFFICIAL_EN,
        )
    lines: list[str] = []
    for c in state.corrections:
        lines.append(
            f"Correction: version {c.version} of this list (published {_en(c.published_at, zone)})"
            f" was withdrawn on {_en(c.withdrawn_at, zone)}. Reason: {c.reason}"
        )
    if state.corrections:
        lines.append(f"This is version {state.version} of the list, as corrected.")
    until = _en(state.objections_close_at, zone)
    if state.final:
        lines.append(f"The objection period ended on {until}; this list is final.")
    else:
        lines.append(
            f"Objections may be raised until {until}: a team signs in to the contest's "
            "platform and files its objection, with supporting documents (PDF)."
        )
    return (*lines, OFFICIAL_EN)


def _en(moment: datetime | None, zone: ZoneInfo) -> str:
    return f"{_day(moment, zone):%d %B %Y}".lstrip("0")


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


def finalists(
    found: PublicResults, zone: ZoneInfo, language: Language = "zh"
) -> AnnouncementData | None:
    """决赛入围名单公示: each track's finalists in registration order (排名不分先后)."""
    if found.finalists is None:
        return None
    english = language == "en"
    sections = [
        AnnouncementSection(
            track_name=pick(section.name, section.name_en, language),
            rows=[
                (str(n), e.title, e.institution, e.leader_name)
                for n, e in enumerate(section.entries, start=1)
            ],
            columns=FINALIST_COLUMNS_EN if english else FINALIST_COLUMNS,
            note="In no particular order" if english else "排名不分先后",
        )
        for section in found.finalists
        if section.entries
    ]
    count = sum(len(section.rows) for section in sections)
    if english:
        return AnnouncementData(
            contest_name=pick(found.contest.name, found.contest.name_en, language),
            heading="Finalists: public notice",
            intro=(
                f"After review by the contest's expert panels, {count} projects go through "
                "to the final. They are listed below by track, in no particular order."
            ),
            sections=sections,
            published_on=_day(found.finalists_published_at, zone),
            closing=closing_en(found.finalists_state, zone, found.contest.objection_days),
            publisher=PUBLISHER_EN,
            language=language,
        )
    return AnnouncementData(
        contest_name=found.contest.name,
        heading="决赛入围名单公示",
        intro=(
            f"经大赛组委会组织专家评审，共有{count}个项目入围决赛。"
            "现将入围名单予以公示（按组别列出，排名不分先后）。"
        ),
        sections=sections,
        published_on=_day(found.finalists_published_at, zone),
        closing=closing(found.finalists_state, zone, found.contest.objection_days),
    )


def _award_name(line: object, language: Language) -> str:
    award = line.award  # type: ignore[attr-defined]
    if award.custom_name:
        return pick(award.custom_name, getattr(award, "custom_name_en", ""), language)
    style = TIER_STYLES[award.tier]
    return style.en if language == "en" else style.zh


def winners(
    found: PublicResults, zone: ZoneInfo, language: Language = "zh"
) -> AnnouncementData | None:
    """获奖名单公示: the awards as they were given (per track, or overall), gold first."""
    if found.winners is None:
        return None
    english = language == "en"
    sections = [
        AnnouncementSection(
            track_name=pick(section.name, section.name_en, language)
            or (OVERALL_SECTION_EN if english else OVERALL_SECTION),
            rows=[
                (_award_name(line, language), line.title, line.institution, line.leader_name)
                for line in section.lines
            ],
            columns=WINNER_COLUMNS_EN if english else WINNER_COLUMNS,
        )
        for section in found.winners
        if section.lines
    ]
    count = sum(len(section.rows) for section in sections)
    if english:
        return AnnouncementData(
            contest_name=pick(found.contest.name, found.contest.name_en, language),
            heading="Award winners: public notice",
            intro=f"After the live roadshow final, {count} projects have won awards; "
            "they are listed below.",
            sections=sections,
            published_on=_day(found.awards_published_at, zone),
            closing=closing_en(found.winners_state, zone, found.contest.objection_days),
            publisher=PUBLISHER_EN,
            language=language,
        )
    return AnnouncementData(
        contest_name=found.contest.name,
        heading="获奖名单公示",
        intro=f"经大赛组委会组织决赛路演评审，共评出获奖项目{count}项，现将获奖名单予以公示。",
        sections=sections,
        published_on=_day(found.awards_published_at, zone),
        closing=closing(found.winners_state, zone, found.contest.objection_days),
    )


def announcement(
    found: PublicResults, kind: ListKind | None, zone: ZoneInfo, language: Language = "zh"
) -> AnnouncementData | None:
    """The list asked for, or the newest published one when `kind` is None."""
    if kind == "finalists":
        return finalists(found, zone, language)
    if kind == "winners":
        return winners(found, zone, language)
    return winners(found, zone, language) or finalists(found, zone, language)


def published_list(
    db: Session, contest_id: int, kind: ListKind | None, zone: ZoneInfo, language: Language = "zh"
) -> tuple[Contest, AnnouncementData]:
    """A contest's published list for anyone; NotFound before it is published."""
    contest = public_results.public_contest(db, contest_id)
    data = announcement(public_results.contest_results(db, contest), kind, zone, language)
    if data is None:
        raise NotFound()
    return contest, data
