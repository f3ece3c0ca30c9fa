"""What every screen of the live final polls: one snapshot of the state, read fresh from
the database each time (several worker processes answer the polls).

The public (the big screen, judges' phones) sees the current project, the timers, how
many judges have submitted, the revealed scores by anonymous seat and the leaderboard;
the contest's organisers also see the judges of the current project by name.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from contest.awards import public_results
from contest.awards import service as awards
from contest.core.enums import ContestStatus, LivePhase, RoundMode, Tier
from contest.core.errors import NotFound
from contest.core.i18n import _, current_locale
from contest.core.i18n.names import localized, sql_name
from contest.live import draw, preflight, presence
from contest.live import service as live
from contest.live.schemas import (
    CheckOut,
    CorrectionOut,
    LeaderLine,
    LiveOut,
    LivePublicationOut,
    OrderItemOut,
    PanelJudgeOut,
    PreflightOut,
    PresenceJudgeOut,
    PresenceOut,
    RevealedJudge,
    RevealedOut,
    TimersOut,
    TrackBoardOut,
)
from contest.models import (
    Award,
    Contest,
    Entry,
    LiveState,
    Round,
    RoundEntry,
    Track,
    User,
    utcnow,
)
from contest.notices.service import site_settings
from contest.publications import service as publications
from contest.setup import rounds
from contest.setup.access import organises
from scoring import Score, format_score


@dataclass(frozen=True, slots=True)
class OrderItem:
    entry_id: int
    position: int | None  # None before the draw
    title: str
    institution: str
    leader_name: str
    track_code: str
    track_name: str
    revealed: bool


@dataclass(frozen=True)
class LiveView:
    round: Round
    contest: Contest
    state: LiveState
    order: tuple[OrderItem, ...]
    submitted: int
    expected: int
    board: public_results.LiveBoard
    panel: tuple[live.PanelLine, ...] | None
    now: datetime
    # Organisers only: every judge of the round with their presence, and the screens.
    judges: tuple[preflight.JudgePresence, ...] | None = None
    screens: int = 0
    # After the final: entry id -> (tier, award name) of the published awards.
    awards: dict[int, tuple[str, str]] = field(default_factory=dict)
    # The publication of the round's results (the awards for the final), once there is one.
    publication: public_results.PublicationState | None = None

    @property
    def current(self) -> OrderItem | None:
        wanted = self.state.current_entry_id
        return next((item for item in self.order if item.entry_id == wanted), None)

    @property
    def stage(self) -> str | None:
        """ "pitch" or "qa" while a project is on stage, else None."""
        if self.state.phase != LivePhase.pitching:
            return None
        return "qa" if self.state.qa_started_at is not None else "pitch"

    @property
    def drawn(self) -> bool:
        return any(item.position is not None for item in self.order)

    @property
    def actions(self) -> list[str]:
        """The steps the state allows now (the server still checks each one)."""
        phase = self.state.phase
        if phase == LivePhase.waiting:
            return ["start"] if self.drawn else []
        if phase == LivePhase.pitching:
            return (["qa"] if self.stage == "pitch" else []) + ["score", "reveal"]
        if phase == LivePhase.scoring:
            return ["reveal"]
        if phase == LivePhase.revealed:
            waiting = any(not item.revealed for item in self.order)
            return (["next"] if waiting else []) + ["finish"]
        return []

    @property
    def next_step(self) -> str | None:
        """The one step the control page offers as the way forward now ("draw" before the
        order is drawn); the other steps are secondary or behind a confirmation."""
        phase = self.state.phase
        if phase == LivePhase.waiting:
            return "start" if self.drawn else "draw"
        if phase == LivePhase.pitching:
            if self.expected and self.submitted >= self.expected:
                return "reveal"  # every judge submitted during the questions
            return "qa" if self.stage == "pitch" and self.round.qa_seconds > 0 else "score"
        if phase == LivePhase.scoring:
            return "reveal"
        if phase == LivePhase.revealed:
            return "next" if any(not item.revealed for item in self.order) else "finish"
        return None


@dataclass(frozen=True)
class Audience:
    """Who polls: the round, and whether the caller organises its contest."""

    round: Round
    organiser: bool


def audience(db: Session, user: User | None, round_id: int) -> Audience:
    """A roadshow round is public unless its contest is a draft; its organisers always
    see it. Anything else is not found."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.mode != RoundMode.roadshow:
        raise NotFound()
    organiser = user is not None and organises(db, user, round_.contest_id)
    if not organiser:
        contest = db.get(Contest, round_.contest_id)
        if contest is None or contest.status == ContestStatus.draft:
            raise NotFound()
        # Nothing before it is published: who is in this round is news only once the
        # previous round's advancement list is out.
        before = rounds.previous_round(db, round_)
        if before is not None and not rounds.advancement_published(db, before):
            raise NotFound()
    return Audience(round_, organiser)


def public_round(db: Session, round_id: int) -> Round:
    """The round of a big screen: a roadshow round of a contest that is not a draft."""
    return audience(db, None, round_id).round


def live_view(db: Session, round_: Round, *, with_panel: bool = False) -> LiveView:
    state = live.state_of(db, round_.id)
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    order, revealed = _order(db, round_.id)
    submitted = expected = 0
    lines = None
    if state.current_entry_id is not None:
        submitted, expected = live.submitted_count(db, round_.id, state.current_entry_id)
        if with_panel:
            lines = tuple(live.panel(db, round_.id, state.current_entry_id))
    # One read of the contest's publications serves the board and the correction notice.
    published = publications.of_contest(db, contest.id, withdrawn=True)
    board = public_results.live_board(db, round_, revealed, published)
    if with_panel and lines is None:
        lines = ()
    judges, screens = None, 0
    if with_panel:
        judges = preflight.round_judges(db, round_)
        screens = presence.screens_online(presence.last_seen(db, round_.id))
    awarded = published_awards(db, contest.id) if state.phase == LivePhase.finished else {}
    return LiveView(
        round_,
        contest,
        state,
        order,
        submitted,
        expected,
        board,
        lines,
        utcnow(),
        judges,
        screens,
        awarded,
        public_results.round_publication(db, round_, published),
    )


def published_awards(db: Session, contest_id: int) -> dict[int, tuple[str, str]]:
    """entry id -> (tier, the award's name) of the contest's published awards."""
    rows = db.execute(
        select(col(Award.entry_id), col(Award.tier), sql_name(Award, "custom_name")).where(
            col(Award.contest_id) == contest_id, col(Award.published_at).is_not(None)
        )
    ).all()
    return {
        entry_id: (str(tier), name or awards.tier_label(Tier(tier)))
        for entry_id, tier, name in rows
    }


def _order(db: Session, round_id: int) -> tuple[tuple[OrderItem, ...], list[int]]:
    """The drawn order (before any draw, the round's entries by number), and the entries
    revealed so far in the order they were (``live.revealed_ids``, from the same rows:
    a poll every second saves the query)."""
    rows = db.execute(
        select(
            col(Entry.id),
            col(Entry.title),
            col(Entry.institution),
            col(Entry.leader_name),
            col(Track.code),
            sql_name(Track),
            col(RoundEntry.revealed_at),
            col(RoundEntry.presentation_order),
        )
        .join(Entry, col(Entry.id) == RoundEntry.entry_id)
        .join(Track, col(Track.id) == Entry.track_id)
        .where(col(RoundEntry.round_id) == round_id)
    ).all()
    details = {row[0]: row for row in rows}
    drawn = draw.current(db, round_id)
    placed: list[tuple[int | None, int]] = (
        list(enumerate(drawn.order, start=1))
        if drawn is not None
        else [(None, e) for e in draw.entries_in(db, round_id)]
    )
    order = tuple(
        OrderItem(
            entry_id=e,
            position=position,
            title=details[e][1],
            institution=details[e][2],
            leader_name=details[e][3],
            track_code=details[e][4],
            track_name=details[e][5],
            revealed=details[e][6] is not None,
        )
        for position, e in placed
        if e in details
    )
    shown = sorted(
        (row for row in rows if row[6] is not None),
        key=lambda row: (row[6], row[7] if row[7] is not None else -1),
    )
    return order, [row[0] for row in shown]


def _points(score: Score | None) -> float | None:
    return float(format_score(score)) if score is not None else None


def _item(item: OrderItem) -> OrderItemOut:
    return OrderItemOut(**{name: getattr(item, name) for name in OrderItemOut.model_fields})


def to_schema(view: LiveView) -> LiveOut:
    """The view as the API answers it (the pages embed the same for their first paint)."""
    state = view.state
    current = view.current
    return LiveOut(
        round_id=view.round.id,
        round_name=localized(view.round),
        contest_name=localized(view.contest),
        phase=state.phase,  # type: ignore[arg-type]
        stage=view.stage,  # type: ignore[arg-type]
        revision=state.revision,
        actions=view.actions,  # type: ignore[arg-type]
        next_step=view.next_step,  # type: ignore[arg-type]
        current_entry_id=state.current_entry_id,
        current=_item(current) if current else None,
        submitted=view.submitted,
        expected=view.expected,
        revealed=[
            RevealedOut(
                entry_id=r.entry_id,
                score=_points(r.score),
                score_text=format_score(r.score) if r.score is not None else "",
                round_score=_points(r.round_score),
                title=r.title,
                track_code=r.track_code,
                judges=[
                    RevealedJudge(
                        seat=m.seat, total=float(format_score(m.total)), dropped=m.dropped
                    )
                    for m in r.judges
                ],
            )
            for r in view.board.revealed
        ],
        leaderboard=[
            TrackBoardOut(
                track_code=board.code,
                track_name=localized(board),
                entries=[
                    LeaderLine(
                        rank=line.rank,
                        tie=line.tie,
                        tie_reason=line.tie_reason,
                        award=view.awards.get(line.entry_id, (None, ""))[0],  # type: ignore[arg-type]
                        award_name=view.awards.get(line.entry_id, (None, ""))[1],
                        entry_id=line.entry_id,
                        title=line.title,
                        institution=line.institution,
                        score=float(format_score(line.score)),
                        score_text=format_score(line.score),
                    )
                    for line in board.lines
                ],
            )
            for board in view.board.tracks
        ],
        order=[_item(item) for item in view.order],
        timers=TimersOut(
            pitch_seconds=view.round.pitch_seconds,
            qa_seconds=view.round.qa_seconds,
            pitch_started_at=state.pitch_started_at,
            qa_started_at=state.qa_started_at,
            phase_changed_at=state.phase_changed_at if state.revision else None,
            now=view.now,
        ),
        panel=_panel(view),
        presence=_presence(view),
        publication=_publication(view.publication),
    )


def _publication(state: public_results.PublicationState | None) -> LivePublicationOut | None:
    if state is None:
        return None
    return LivePublicationOut(
        version=state.version,
        final=state.final,
        withdrawn=state.withdrawn is not None,
        corrections=[
            CorrectionOut(
                version=c.version, published_at=c.published_at, withdrawn_at=c.withdrawn_at,
                reason=c.reason,
            )
            for c in state.corrections
        ],
        notice=publication_notice(state),
    )


def _day(value: datetime) -> str:
    """A date as the pages print it, in the site's zone (2026年12月5日 / 2026-12-05)."""
    day = value.astimezone(ZoneInfo(site_settings().timezone)).date()
    return f"{day.year}年{day.month}月{day.day}日" if current_locale() == "zh" else day.isoformat()


def publication_notice(state: public_results.PublicationState) -> str:
    """The big screen's line about a withdrawn or corrected publication, in words; ""
    for a first version that stands."""
    if state.withdrawn is not None:
        w = state.withdrawn
        return _(
            "Version %(v)s was withdrawn on %(date)s: %(reason)s. The corrected list will be "
            "published here."
        ) % {"v": w.version, "date": _day(w.withdrawn_at), "reason": w.reason}
    if not state.corrections:
        return ""
    history = "; ".join(
        _("Version %(v)s (published %(published)s) was withdrawn on %(date)s: %(reason)s")
        % {"v": c.version, "published": _day(c.published_at), "date": _day(c.withdrawn_at),
           "reason": c.reason}
        for c in state.corrections
    )
    return _("Corrected") + " · " + _("Version %(v)s") % {"v": state.version} + " · " + history


def _panel(view: LiveView) -> list[PanelJudgeOut] | None:
    if view.panel is None:
        return None
    online = {j.judge_id for j in view.judges or () if j.online}
    return [
        PanelJudgeOut(
            judge_id=p.judge_id,
            name=p.name,
            state=p.state,  # type: ignore[arg-type]
            online=p.judge_id in online,
        )
        for p in view.panel
    ]


def presence_judges(judges: tuple[preflight.JudgePresence, ...]) -> list[PresenceJudgeOut]:
    return [
        PresenceJudgeOut(
            judge_id=j.judge_id, name=j.name, entries=j.entries, seen_at=j.seen_at, online=j.online
        )
        for j in judges
    ]


def _presence(view: LiveView) -> PresenceOut | None:
    if view.judges is None:
        return None
    return PresenceOut(judges=presence_judges(view.judges), screens=view.screens)


def preflight_out(found: preflight.Preflight) -> PreflightOut:
    return PreflightOut(
        ready=found.ready,
        phase=found.phase,
        checks=[
            CheckOut(
                key=c.key,  # type: ignore[arg-type]
                ok=c.ok,
                title=c.title,
                detail=c.detail,
                fix_url=c.fix_url,
            )
            for c in found.checks
        ],
        judges=presence_judges(found.judges),
        screens=found.screens,
    )
