"""The tables organisers export (SPEC.md section 6): entries, assignments, raw score sheets,
round results and awards, and the whole-contest workbook made of all of them.

Each function returns a `Table` whose headers and value labels are already translated;
its rows are read later, from a server-side cursor (``yield_per``) where the table can
reach hundreds of thousands of rows, so memory stays flat while the file streams.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, and_, select
from sqlmodel import Session

from contest import results, rounds
from contest.contests import track_by_code
from contest.entries_export import entry_batches
from contest.entries_views import members_by_entry
from contest.errors import InvalidInput
from contest.exports import Column, Table, safe_filename
from contest.i18n import _
from contest.models import (
    Assignment,
    Award,
    Certificate,
    Contest,
    CriterionScore,
    Entry,
    Judge,
    Round,
    ScoreSheet,
    Track,
    User,
)

YIELD_PER = 2000
TIER_ORDER = {"gold": 0, "silver": 1, "bronze": 2, "excellence": 3}


def stream(db: Session, statement: Select[Any]) -> Iterator[Any]:
    """Rows from a server-side cursor, fetched YIELD_PER at a time."""
    result = db.execute(statement.execution_options(yield_per=YIELD_PER))
    try:
        for partition in result.partitions():
            yield from partition
    finally:
        result.close()


def _labels() -> dict[str, dict[str, str]]:
    """Translated values, resolved now (in the request's locale), used while streaming."""
    return {
        "status": {
            "in": _("In the round"),
            "advanced": _("Advanced"),
            "eliminated": _("Not advanced"),
            "withdrawn": _("Withdrawn"),
        },
        "tier": {
            "gold": _("Gold award"),
            "silver": _("Silver award"),
            "bronze": _("Bronze award"),
            "excellence": _("Excellence award"),
        },
        "sheet": {"todo": _("To do"), "draft": _("Draft"), "submitted": _("Submitted")},
        "source": {"auto": _("Automatic"), "manual": _("Manual"), "recusal": _("Reassigned")},
        "yes_no": {"yes": _("Yes"), "no": _("No")},
    }


def _name(contest: Contest, what: str) -> str:
    return safe_filename(f"{contest.name}-{what}")


# Entries.


def entries_table(contest: Contest) -> Table:
    """Every entry with its members, status and whether a business plan is on file."""
    labels = _labels()
    columns = (
        Column(_("Entry ID"), "int", 9),
        Column(_("Track"), width=10),
        Column(_("Project title"), width=36),
        Column(_("Summary"), width=40),
        Column(_("Field"), width=12),
        Column(_("Institution"), width=24),
        Column(_("City"), width=10),
        Column(_("Leader"), width=10),
        Column(_("Leader e-mail"), width=24),
        Column(_("Leader phone"), width=14),
        Column(_("Team members"), width=24),
        Column(_("Company name"), width=24),
        Column(_("Unified social credit code"), width=22),
        Column(_("Founded on"), "date", 12),
        Column(_("Video link"), width=20),
        Column(_("Status"), width=10),
        Column(_("Business plan"), width=10),
        Column(_("Registered at"), "datetime", 17),
    )
    contest_id = contest.id
    status, yes_no = labels["status"], labels["yes_no"]

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        for batch in entry_batches(db, contest_id):
            for row, members in batch:
                e = row.entry
                yield (
                    e.id, row.track.name, e.title, e.summary, e.field, e.institution, e.city,
                    e.leader_name, e.leader_email, e.leader_phone, ";".join(members),
                    e.company_name, e.credit_code, e.founded_on, e.video_url,
                    status.get(row.status.value, row.status.value),
                    yes_no["yes" if row.has_plan else "no"], e.created_at,
                )  # fmt: skip

    return Table(_("Entries"), _name(contest, _("Entries")), columns, rows)


# Assignments.


def assignments_table(contest: Contest, round_: Round) -> Table:
    """Who reviews what in a round, and how far each sheet has got."""
    labels = _labels()
    sheet, source = labels["sheet"], labels["source"]
    columns = (
        Column(_("Judge"), width=12),
        Column(_("Judge's institution"), width=24),
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Track"), width=10),
        Column(_("Assigned by"), width=10),
        Column(_("Assigned at"), "datetime", 17),
        Column(_("Sheet state"), width=10),
    )
    round_id = round_.id
    statement = (
        select(
            User.name, Judge.institution, Entry.id, Entry.title, Track.name,
            Assignment.source, Assignment.created_at, ScoreSheet.state,
        )
        .select_from(Assignment)
        .join(Judge, Judge.id == Assignment.judge_id)
        .join(User, User.id == Judge.user_id)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Track, Track.id == Entry.track_id)
        .outerjoin(
            ScoreSheet,
            and_(
                ScoreSheet.round_id == Assignment.round_id,
                ScoreSheet.judge_id == Assignment.judge_id,
                ScoreSheet.entry_id == Assignment.entry_id,
            ),
        )
        .where(Assignment.round_id == round_id)
        .order_by(Assignment.judge_id, Assignment.entry_id)
    )  # fmt: skip

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        for name, inst, entry_id, title, track, src, at, state in stream(db, statement):
            yield (
                name, inst, entry_id, title, track, source.get(src, src), at,
                sheet[state or "todo"],
            )  # fmt: skip

    what = _("%(round)s assignments") % {"round": round_.name}
    return Table(what, _name(contest, what), columns, rows)


# Raw score sheets.


def sheets_table(db: Session, contest: Contest, round_: Round) -> Table:
    """One row per judge x entry sheet (drafts too), every criterion a column, in points."""
    labels = _labels()
    criteria = rounds.criteria(db, round_.id)
    position = {c.id: i for i, c in enumerate(criteria)}
    columns = (
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Track"), width=10),
        Column(_("Judge"), width=12),
        Column(_("Judge's institution"), width=24),
        *(
            Column(_("%(name)s (max %(max)s)") % {"name": c.name, "max": _points(c.max_tenths)},
                   "score", 12)
            for c in criteria
        ),
        Column(_("Total"), "score", 9),
        Column(_("Sheet state"), width=9),
        Column(_("Comment"), width=40),
        Column(_("Submitted at"), "datetime", 17),
        Column(_("Last saved at"), "datetime", 17),
    )  # fmt: skip
    round_id, sheet_state = round_.id, labels["sheet"]
    sheets = (
        select(
            ScoreSheet.entry_id, ScoreSheet.judge_id, Entry.title, Track.name, User.name,
            Judge.institution, ScoreSheet.state, ScoreSheet.comment, ScoreSheet.submitted_at,
            ScoreSheet.updated_at,
        )
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .join(Track, Track.id == Entry.track_id)
        .join(Judge, Judge.id == ScoreSheet.judge_id)
        .join(User, User.id == Judge.user_id)
        .where(ScoreSheet.round_id == round_id)
        .order_by(ScoreSheet.entry_id, ScoreSheet.judge_id)
    )  # fmt: skip
    values = (
        select(
            ScoreSheet.entry_id, ScoreSheet.judge_id, CriterionScore.criterion_id,
            CriterionScore.value_tenths,
        )
        .join(ScoreSheet, ScoreSheet.id == CriterionScore.sheet_id)
        .where(ScoreSheet.round_id == round_id)
        .order_by(ScoreSheet.entry_id, ScoreSheet.judge_id)
    )  # fmt: skip

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        # Two cursors in the same order, merged: no GROUP BY over millions of scores.
        scores = stream(db, values)
        pending = next(scores, None)
        for entry_id, judge_id, title, track, judge, inst, state, comment, sub, upd in stream(
            db, sheets
        ):
            cells: list[Fraction | None] = [None] * len(criteria)
            total = 0
            while pending is not None and (pending[0], pending[1]) <= (entry_id, judge_id):
                if (pending[0], pending[1]) == (entry_id, judge_id) and pending[2] in position:
                    cells[position[pending[2]]] = Fraction(pending[3], 10)
                    total += pending[3]
                pending = next(scores, None)
            yield (
                entry_id, title, track, judge, inst, *cells, Fraction(total, 10),
                sheet_state.get(state, state), comment, sub, upd,
            )  # fmt: skip

    what = _("%(round)s score sheets") % {"round": round_.name}
    return Table(what, _name(contest, what), columns, rows)


def _points(tenths: int) -> str:
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


# Round results.


def results_table(
    db: Session, contest: Contest, round_: Round, track_code: str | None = None
) -> Table:
    """The round's ranking per track (contest/results.py), one track or all one after another."""
    if track_code and track_by_code(db, contest.id, track_code) is None:
        raise InvalidInput.single("track_code", _("No track has this code."))
    labels = _labels()
    status, yes_no = labels["status"], labels["yes_no"]
    columns = (
        Column(_("Track"), width=10),
        Column(_("Rank"), "int", 7),
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Institution"), width=24),
        Column(_("Combined score"), "score", 12),
        Column(_("Round score"), "score", 12),
        Column(_("Judge count"), "int", 8),
        Column(_("Tie"), width=6),
        Column(_("Status"), width=10),
    )

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        found = results.round_results(db, round_)
        names = {t.code: t.name for t in found.tracks}
        lines = found.lines(track_code) if track_code else found.all_lines()
        for line in lines:
            yield (
                names.get(line.track_code, line.track_code), line.rank, line.entry_id,
                line.title, line.institution, line.score, line.round_score, line.judge_count,
                yes_no["yes"] if line.tie else "", status.get(line.status, line.status),
            )  # fmt: skip

    what = _("%(round)s results") % {"round": round_.name}
    if track_code:
        what = f"{what}-{track_code}"
    return Table(what, _name(contest, what), columns, rows)


# Awards.


def awards_table(contest: Contest) -> Table:
    """Every award (published or not) with its certificate."""
    labels = _labels()
    tier, yes_no = labels["tier"], labels["yes_no"]
    valid, revoked = _("Valid"), _("Revoked")
    columns = (
        Column(_("Track"), width=10),
        Column(_("Award"), width=10),
        Column(_("Award name"), width=16),
        Column(_("Rank"), "int", 7),
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Institution"), width=24),
        Column(_("Leader"), width=10),
        Column(_("Team members"), width=24),
        Column(_("Published"), width=8),
        Column(_("Certificate code"), width=22),
        Column(_("Issued on"), "date", 12),
        Column(_("Certificate"), width=10),
        Column(_("Revoked at"), "datetime", 17),
    )
    contest_id = contest.id
    statement = (
        select(Award, Entry, Track, Certificate)
        .join(Entry, Entry.id == Award.entry_id)
        .outerjoin(Track, Track.id == Award.track_id)
        .outerjoin(Certificate, Certificate.award_id == Award.id)
        .where(Award.contest_id == contest_id)
    )

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        found = list(db.execute(statement).all())
        found.sort(key=lambda r: (r[2].position if r[2] else -1, TIER_ORDER[r[0].tier],
                                  r[0].rank or 0, r[1].id))  # fmt: skip
        members = members_by_entry(db, [entry.id for _a, entry, _t, _c in found])
        for award, entry, track, cert in found:
            state = (revoked if cert.revoked_at else valid) if cert else ""
            yield (
                track.name if track else _("Overall"), tier.get(award.tier, award.tier),
                award.custom_name, award.rank, entry.id, entry.title, entry.institution,
                entry.leader_name, ";".join(members.get(entry.id, [])),
                yes_no["yes" if award.published_at else "no"], cert.code if cert else "",
                cert.issued_on if cert else None, state, cert.revoked_at if cert else None,
            )  # fmt: skip

    return Table(_("Awards"), _name(contest, _("Awards")), columns, rows)


# The whole contest.


def contest_tables(db: Session, contest: Contest) -> list[Table]:
    """Entries, then each round's assignments, score sheets and results, then awards."""
    tables = [entries_table(contest)]
    for round_ in rounds.rounds(db, contest.id):
        tables += [
            assignments_table(contest, round_),
            sheets_table(db, contest, round_),
            results_table(db, contest, round_),
        ]
    tables.append(awards_table(contest))
    return tables


def workbook_name(contest: Contest) -> str:
    return _name(contest, _("Full export"))
