"""The tables organisers export (docs/rules.md section 6): entries, assignments, raw score sheets,
round results and awards, and the whole-contest workbook made of all of them.

Each function returns a `Table` whose headers and value labels are already translated;
its rows are read later, from a server-side cursor (``yield_per``) where the table can
reach hundreds of thousands of rows, so memory stays flat while the file streams.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import count
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    and_,
    cast,
    extract,
    func,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.awards.certificate_pdf import TIER_STYLES
from contest.core.db import AnySelect
from contest.core.enums import Tier
from contest.core.errors import InvalidInput
from contest.core.i18n import _, current_locale
from contest.core.i18n.names import localized, pick
from contest.entries.export import entry_batches, entry_columns
from contest.entries.views import members_by_entry
from contest.kit.tables import Column, Table, safe_filename
from contest.models import (
    Assignment,
    Award,
    Certificate,
    Contest,
    CriterionScore,
    Entry,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    Track,
    User,
)
from contest.publications import service as publications
from contest.results import service as results
from contest.results.publication import published_results, published_score, tie_text_of
from contest.setup import rounds
from contest.setup.contests import track_by_code
from scoring import points_text

YIELD_PER = 2000
_cursor_numbers = count()
# Entries with low <= id < high (None: no bound), or all of them when None: the big
# tables are written in such slices by several processes (contest/exports/parallel.py).
EntryIds = tuple[int | None, int | None] | None


def stream(db: Session, statement: AnySelect) -> Iterator[Sequence[Any]]:
    """The rows YIELD_PER at a time, never all in memory, as the driver's plain tuples:
    Core's rows cost a tenth of a big export's time. So the columns must need no
    conversion on the way (integers, text; times as epoch_seconds). SQLite's cursor steps
    through the result as it is read; PostgreSQL reads from a server-side cursor, opened
    here because SQLAlchemy's own (stream_results) reads a row ahead of its caller."""
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        yield from _server_side(connection, statement)
        return
    result = connection.execute(statement)
    cursor = result.cursor
    assert cursor is not None
    try:
        while rows := cursor.fetchmany(YIELD_PER):
            yield from rows
    finally:
        result.close()


def _server_side(connection: Connection, statement: AnySelect) -> Iterator[Sequence[Any]]:
    compiled = statement.compile(dialect=connection.dialect)
    driver = connection.connection.dbapi_connection
    assert driver is not None
    # psycopg: a named cursor lives on the server, in the session's transaction. closing():
    # what its own `with` does, and the DB-API's typing knows no `with` on a cursor.
    with closing(driver.cursor(name=f"tianjiao_export_{next(_cursor_numbers)}")) as cursor:
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(YIELD_PER):
            yield from rows


class epoch_seconds(FunctionElement[int]):  # noqa: N801 (used like func.x)
    """A stored moment as whole seconds since 1970 UTC, worked out by the database. The
    big exports read their times this way: turning 1.5 million stored times into aware
    datetimes and then into serials took a fifth of the whole-contest workbook's time."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC moments as text without a zone, which strftime reads as UTC.
    column = list(element.clauses)[0]
    return compiler.process(cast(func.strftime("%s", column), Integer), **kw)


@compiles(epoch_seconds)
def _epoch_seconds(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    column = list(element.clauses)[0]
    return compiler.process(cast(func.floor(extract("epoch", column)), BigInteger), **kw)


def _within(column: Mapped[int], ids: EntryIds) -> list[ColumnElement[bool]]:
    """Conditions keeping `column` (an entry id) inside the slice `ids`."""
    if ids is None:
        return []
    low, high = ids
    return [
        *([column >= low] if low is not None else []),
        *([column < high] if high is not None else []),
    ]


def _labels() -> dict[str, dict[str, str]]:
    """Translated values, resolved now (in the request's locale), used while streaming."""
    return {
        "status": {
            "in": _("In the round"),
            "advanced": _("Advanced"),
            "eliminated": _("Not advanced"),
            "withdrawn": _("Withdrawn"),
        },
        "sheet": {"todo": _("To do"), "draft": _("Draft"), "submitted": _("Submitted")},
        "source": {"auto": _("Automatic"), "manual": _("Manual"), "recusal": _("Reassigned")},
        "yes_no": {"yes": _("Yes"), "no": _("No")},
    }


def _name(contest: Contest, what: str) -> str:
    return safe_filename(f"{localized(contest)}-{what}")


# Entries.


def entries_table(contest: Contest, ids: EntryIds = None) -> Table:
    """Every entry with its members, status and whether a business plan is on file."""
    labels = _labels()
    columns = entry_columns()
    contest_id = contest.id
    status, yes_no = labels["status"], labels["yes_no"]
    locale = current_locale()  # names in the export's language, fixed before streaming

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        for batch in entry_batches(db, contest_id, ids):
            for row, members in batch:
                e = row.entry
                yield (
                    e.id, localized(row.track, locale=locale), e.title, e.summary, e.field,
                    e.institution, e.city,
                    e.leader_name, e.leader_email, e.leader_phone, ";".join(members),
                    e.company_name, e.credit_code, e.founded_on, e.video_url,
                    status.get(row.status.value, row.status.value),
                    yes_no["yes" if row.has_plan else "no"], e.created_at,
                )  # fmt: skip

    return Table(_("Entries"), _name(contest, _("Entries")), columns, rows)


# Assignments.


def assignments_table(contest: Contest, round_: Round, ids: EntryIds = None) -> Table:
    """Who reviews what in a round, and how far each sheet has got, entry by entry (the
    order of the score sheets, and the index's: judge by judge took half as long again)."""
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
    round_id, contest_id = round_.id, contest.id
    statement = (
        select(
            col(Assignment.judge_id), col(Entry.id), col(Entry.title), col(Entry.track_id),
            col(Assignment.source), epoch_seconds(col(Assignment.created_at)),
            col(ScoreSheet.state),
        )
        .select_from(Assignment)
        .join(Entry, col(Entry.id) == Assignment.entry_id)
        .outerjoin(
            ScoreSheet,
            and_(
                col(ScoreSheet.round_id) == Assignment.round_id,
                col(ScoreSheet.judge_id) == Assignment.judge_id,
                col(ScoreSheet.entry_id) == Assignment.entry_id,
            ),
        )
        .where(
            col(Assignment.round_id) == round_id,
            *_within(col(Assignment.entry_id), ids),
            *_within(col(Entry.id), ids),  # the same, said of the join: PostgreSQL reads less
        )
        .order_by(col(Assignment.entry_id), col(Assignment.judge_id))
    )  # fmt: skip

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        judges, tracks = _judges(db, contest_id), _track_names(db, contest_id)
        for judge_id, entry_id, title, track_id, src, at, state in stream(db, statement):
            yield (
                *judges[judge_id], entry_id, title, tracks[track_id], source.get(src, src), at,
                sheet[state or "todo"],
            )  # fmt: skip

    what = _("%(round)s assignments") % {"round": round_.name}
    return Table(what, _name(contest, what), columns, rows)


# Raw score sheets.


def sheets_table(db: Session, contest: Contest, round_: Round, ids: EntryIds = None) -> Table:
    """One row per judge x entry sheet (drafts too), every criterion a column, in points."""
    labels = _labels()
    criteria = rounds.criteria(db, round_.id)
    columns = (
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Track"), width=10),
        Column(_("Judge"), width=12),
        Column(_("Judge's institution"), width=24),
        *(
            Column(_("%(name)s (max %(max)s)") % {"name": c.name, "max": points_text(c.max_tenths)},
                   "tenths", 12)
            for c in criteria
        ),
        Column(_("Total"), "tenths", 9),
        Column(_("Sheet state"), width=9),
        Column(_("Comment"), width=40),  # the feedback published to the team
        Column(_("Note to the committee"), width=30),
        Column(_("Submitted at"), "datetime", 17),
        Column(_("Last saved at"), "datetime", 17),
    )  # fmt: skip
    round_id, contest_id, sheet_state = round_.id, contest.id, labels["sheet"]
    criterion_ids = [c.id for c in criteria]
    values, pivoted = _criterion_values(db.get_bind().dialect.name, criterion_ids)
    statement = (
        select(
            col(ScoreSheet.entry_id), col(Entry.title), col(Entry.track_id),
            col(ScoreSheet.judge_id), *values, col(ScoreSheet.state), col(ScoreSheet.comment),
            col(ScoreSheet.committee_note),
            epoch_seconds(col(ScoreSheet.submitted_at)), epoch_seconds(col(ScoreSheet.updated_at)),
        )
        .join(Entry, col(Entry.id) == ScoreSheet.entry_id)
        .where(
            col(ScoreSheet.round_id) == round_id,
            *_within(col(ScoreSheet.entry_id), ids),
            *_within(col(Entry.id), ids),  # the same, said of the join: PostgreSQL reads less
        )
        .order_by(col(ScoreSheet.entry_id), col(ScoreSheet.judge_id))
    )  # fmt: skip
    statement = pivoted(statement)
    k = len(criteria)

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        judges, tracks = _judges(db, contest_id), _track_names(db, contest_id)
        for row in stream(db, statement):
            entry_id, title, track_id, judge_id = row[:4]
            cells = row[4 : 4 + k]
            state, comment, note, submitted, saved = row[4 + k :]
            total = sum(v for v in cells if v is not None)
            yield (
                entry_id, title, tracks[track_id], *judges[judge_id], *cells, total,
                sheet_state.get(state, state), comment, note, submitted, saved,
            )  # fmt: skip

    what = _("%(round)s score sheets") % {"round": round_.name}
    return Table(what, _name(contest, what), columns, rows)


def _criterion_values(
    dialect: str, criterion_ids: list[int]
) -> tuple[list[Any], Callable[[AnySelect], AnySelect]]:
    """Each criterion's value of a sheet as a column, and how to join them to the sheets:
    pivoted by the database, one row per sheet, with no GROUP BY over a round's millions of
    scores. SQLite: one outer join per criterion through the clustered (sheet_id,
    criterion_id) key. PostgreSQL would hash the whole round's scores for those joins, in
    every slice of the export (1.2 s a slice of 125,000 sheets); a LATERAL read of each
    sheet's few scores through the same key takes 0.5 s."""
    if dialect == "postgresql":
        value = col(CriterionScore.value_tenths)
        per_sheet = (
            select(
                *(
                    func.max(value).filter(col(CriterionScore.criterion_id) == c).label(f"c{n}")
                    for n, c in enumerate(criterion_ids)
                )
            )
            .where(col(CriterionScore.sheet_id) == ScoreSheet.id)
            .lateral()
        )
        return list(per_sheet.c), lambda s: s.outerjoin(per_sheet, true())
    scores = [aliased(CriterionScore) for _c in criterion_ids]

    def joined(statement: AnySelect) -> AnySelect:
        for score, criterion_id in zip(scores, criterion_ids, strict=True):
            statement = statement.outerjoin(
                score,
                and_(col(score.sheet_id) == ScoreSheet.id, col(score.criterion_id) == criterion_id),
            )
        return statement

    return [col(score.value_tenths) for score in scores], joined


def _judges(db: Session, contest_id: int | None) -> dict[int, tuple[str, str]]:
    """judge_id -> (name, institution) of the contest's panel: a few hundred people,
    looked up here rather than joined to each of a round's 500,000 rows (a tenth faster)."""
    rows = db.execute(
        select(col(Judge.id), col(User.name), col(Judge.institution))
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.contest_id) == contest_id)
    )
    return {judge_id: (name, institution) for judge_id, name, institution in rows}


def _track_names(db: Session, contest_id: int | None) -> dict[int, str]:
    rows = db.execute(
        select(col(Track.id), col(Track.name)).where(col(Track.contest_id) == contest_id)
    )
    return {track_id: name for track_id, name in rows}


# Round results.


def results_table(
    db: Session, contest: Contest, round_: Round, track_code: str | None = None
) -> Table:
    """The round's ranking per track (contest/results/service.py), one track or all in turn."""
    if track_code and track_by_code(db, contest.id, track_code) is None:
        raise InvalidInput.single("track_code", _("No track has this code."))
    labels = _labels()
    status = labels["status"]
    locale = current_locale()
    if rounds.is_closed(round_) and rounds.next_round(db, round_) is None:
        # Nobody advances from the last round: once it has closed (finishing the live
        # final closes it), its entries have completed the contest, not "in the round".
        status = {**status, "in": _("Completed")}
    columns = (
        Column(_("Track"), width=10),
        Column(_("Rank"), "int", 7),
        Column(_("Entry ID"), "int", 9),
        Column(_("Project title"), width=36),
        Column(_("Institution"), width=24),
        Column(_("Combined score"), "score", 12),
        Column(_("Round score"), "score", 12),
        Column(_("Judge count"), "int", 8),
        # 并列, or the tie-breaker that decided the rank (同分，按…决胜), beside the rank:
        # the rank itself stays a number so that spreadsheets sort it.
        Column(_("Tie"), width=14),
        Column(_("Status"), width=10),
    )

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        published = published_results(db, round_)
        if published is not None:
            yield from _published_rows(published[1], track_code, status, locale)
            return
        found = results.round_results(db, round_)
        names = {t.code: localized(t, locale=locale) for t in found.tracks}
        lines = found.lines(track_code) if track_code else found.all_lines()
        for line in lines:
            yield (
                names.get(line.track_code, line.track_code), line.rank, line.entry_id,
                line.title, line.institution, line.score, line.round_score, line.judge_count,
                found.tie_break_text(line, overall=False), status.get(line.status, line.status),
            )  # fmt: skip

    what = _("%(round)s results") % {"round": localized(round_)}
    if track_code:
        what = f"{what}-{track_code}"
    return Table(what, _name(contest, what), columns, rows)


def _published_rows(
    snapshot: dict[str, Any], track_code: str | None, status: dict[str, str], locale: str
) -> Iterator[Sequence[Any]]:
    """A published round's rows as its publication froze them (not recomputed): the
    digits, ranks, ties and tie-break reasons everyone saw."""
    for track in snapshot.get("tracks", []):
        if track_code and track["code"] != track_code:
            continue
        for line in track["lines"]:
            yield (
                pick(track["name"], track.get("name_en", ""), locale), line["rank"],
                line["entry_id"], line["title"],
                line["institution"], published_score(line), published_score(line, "round_score"),
                line["judge_count"], tie_text_of(line, snapshot),
                status.get(line["status"], line["status"]),
            )  # fmt: skip


# Awards.


def awards_table(contest: Contest) -> Table:
    """Every award (published or not) with its certificate. While the awards' publication
    stands, what it froze (titles, institutions, names, ranks, ties) is what is listed."""
    yes_no = _labels()["yes_no"]
    tiers = {tier: awards.tier_label(tier) for tier in Tier}
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
        # Last, so the columns before keep their places: 并列 / the deciding tie-breaker.
        Column(_("Tie"), width=14),
        # The award's English wording, as the certificate prints it under the Chinese one
        # (for a ceremony read in both languages), and the track's English name.
        Column(_("Award in English"), width=18),
        Column(_("Track in English"), width=14),
    )
    contest_id = contest.id
    locale = current_locale()

    def rows(db: Session) -> Iterator[Sequence[Any]]:
        lines = awards.saved_awards(db, contest_id)
        ids = [line.award.id for line in lines]
        certificates = {
            c.award_id: c
            for c in db.scalars(select(Certificate).where(col(Certificate.award_id).in_(ids)))
        }
        members = members_by_entry(db, [line.award.entry_id for line in lines])
        frozen, ties = _awards_as_published(db, contest_id)
        for line in lines:
            award, cert = line.award, certificates.get(line.award.id)
            state = (revoked if cert.revoked_at else valid) if cert else ""
            shown = frozen.get((award.entry_id, str(award.tier)), {})
            tie = ties.get(award.entry_id, "") if str(award.scope) == "per_track" else ""
            chinese_name = shown.get("custom_name", award.custom_name)
            english_name = shown.get("custom_name_en", award.custom_name_en)
            track_en = shown.get("track_name_en", line.track_name_en)
            yield (
                pick(shown.get("track_name", line.track_name), track_en, locale), tiers[line.tier],
                pick(chinese_name, english_name, locale), shown.get("rank", award.rank),
                award.entry_id, shown.get("title", line.title),
                shown.get("institution", line.institution),
                shown.get("leader_name", line.leader_name),
                ";".join(members.get(award.entry_id, [])),
                yes_no["yes" if award.published_at else "no"], cert.code if cert else "",
                cert.issued_on if cert else None, state, cert.revoked_at if cert else None, tie,
                english_name if chinese_name else TIER_STYLES[line.tier].en,
                track_en,
            )  # fmt: skip

    return Table(_("Awards"), _name(contest, _("Awards")), columns, rows)


def _awards_as_published(
    db: Session, contest_id: int | None
) -> tuple[dict[tuple[int, str], dict[str, Any]], dict[int, str]]:
    """(entry id, tier) -> the award as its standing publication froze it, and entry id
    -> the tie text of its rank in the final's track (from that snapshot; recomputed
    while the awards are not published)."""
    found = publications.standing(db, contest_id, publications.AWARDS) if contest_id else None
    if found is not None:
        frozen = {(item["entry_id"], item["tier"]): item for item in found.snapshot["awards"]}
        final = found.snapshot.get("final") or {}
        ties = {
            line["entry_id"]: tie_text_of(line, final)
            for track in final.get("tracks", [])
            for line in track["lines"]
        }
        return frozen, ties
    final_round = awards.final_round(db, contest_id) if contest_id else None
    if final_round is None:
        return {}, {}
    outcome = results.round_results(db, final_round)
    return {}, {line.entry_id: outcome.tie_break_text(line) for line in outcome.all_lines()}


# The whole contest.


# (kind, round) of every sheet of the whole-contest workbook, in order.
Sheet = tuple[str, Round | None]


def contest_sheets(db: Session, contest: Contest) -> list[Sheet]:
    """Entries, then each round's assignments, score sheets and results, then awards."""
    sheets: list[Sheet] = [("entries", None)]
    for round_ in rounds.rounds(db, contest.id):
        sheets += [("assignments", round_), ("sheets", round_), ("results", round_)]
    sheets.append(("awards", None))
    return sheets


# The sheets that can be cut into slices of entries (results rank the whole round).
SLICEABLE = frozenset({"entries", "assignments", "sheets"})


def sheet_table(db: Session, contest: Contest, sheet: Sheet, ids: EntryIds = None) -> Table:
    kind, round_ = sheet
    if kind == "entries":
        return entries_table(contest, ids)
    if kind == "awards":
        return awards_table(contest)
    assert round_ is not None
    if kind == "assignments":
        return assignments_table(contest, round_, ids)
    if kind == "sheets":
        return sheets_table(db, contest, round_, ids)
    return results_table(db, contest, round_)


def contest_tables(db: Session, contest: Contest) -> list[Table]:
    """Every sheet of the whole-contest workbook as a table, in order."""
    return [sheet_table(db, contest, sheet) for sheet in contest_sheets(db, contest)]


def workbook_name(contest: Contest) -> str:
    return _name(contest, _("Full export"))


@dataclass(frozen=True)
class RoundCounts:
    round: Round
    assignments: int
    sheets: int
    ranked: int


@dataclass(frozen=True)
class Overview:
    """How many rows each export holds, for the exports page."""

    entries: int
    awards: int
    rounds: list[RoundCounts]


def _counts(db: Session, column: Any, round_ids: list[int]) -> dict[int, int]:
    rows = db.execute(
        select(column, func.count()).where(column.in_(round_ids)).group_by(column)
    ).all()
    return {round_id: count for round_id, count in rows}


def entry_count(db: Session, contest_id: int | None) -> int:
    return db.scalar(select(func.count()).where(col(Entry.contest_id) == contest_id)) or 0


def overview(db: Session, contest: Contest) -> Overview:
    """Row counts of every export of the contest, in five grouped queries."""
    all_rounds = list(rounds.rounds(db, contest.id))
    ids = [r.id for r in all_rounds if r.id is not None]
    assigned = _counts(db, Assignment.round_id, ids)
    sheets = _counts(db, ScoreSheet.round_id, ids)
    ranked = _counts(db, RoundEntry.round_id, ids)
    entries = entry_count(db, contest.id)
    given = db.scalar(select(func.count()).where(col(Award.contest_id) == contest.id)) or 0
    return Overview(
        entries,
        given,
        [
            RoundCounts(r, assigned.get(r.id, 0), sheets.get(r.id, 0), ranked.get(r.id, 0))
            for r in all_rounds
        ],
    )
