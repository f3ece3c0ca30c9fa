"""API routes: a round's results and its advancement (organisers of the contest)."""

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Response

from contest.core.i18n import _
from contest.core.validation import excerpt
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.models import Round
from contest.results import advancement, fairness
from contest.results import service as results
from contest.results.fairness_csv import fairness_csv
from contest.results.schemas import (
    AdvancementConfirmOut,
    AdvancementIn,
    AdvancementOut,
    CutoffOut,
    DecisionOut,
    FairnessOut,
    JudgeFairnessOut,
    JudgeTotalOut,
    NormalizationName,
    PublishIn,
    PublishOut,
    ResultOut,
    TrackAdvancementOut,
    UnstableEntryOut,
)
from contest.setup.deps import OrganisedRound

router = APIRouter(tags=["results"])


def _number(score: object) -> float | None:
    return None if score is None else float(score)  # type: ignore[arg-type]


def result_out(
    outcome: results.RoundResults, line: results.ResultLine, *, overall: bool = False
) -> ResultOut:
    return ResultOut(
        entry_id=line.entry_id,
        track_code=line.track_code,
        rank=line.rank,
        score=_number(line.score),
        round_score=_number(line.round_score),
        judge_count=line.judge_count,
        tie=line.tie,
        tie_break=outcome.tie_break(line, overall=overall),
        status=line.status,
        title=line.title,
        judges=[
            JudgeTotalOut(judge_id=j.judge_id, total=float(j.total), dropped=j.dropped)
            for j in outcome.judges(line)
        ],
    )


def _unknown_track(code: str) -> HTTPException:
    message = _("Unknown track code: %(codes)s.") % {"codes": excerpt(code)}
    return HTTPException(
        422,
        [{"loc": ["query", "track_code"], "msg": message, "type": "unknown"}],
    )


@router.get("/rounds/{round_id}/results", response_model=list[ResultOut])
def round_results(
    round_: OrganisedRound,
    db: DbSession,
    track_code: str | None = None,
    normalization: NormalizationName | None = None,
    overall: bool = False,
) -> list[ResultOut]:
    """One track's ranking (``track_code``), the overall one (``overall=true``), or every
    track's one after the other; ``normalization`` overrides the round's for a look."""
    outcome = results.round_results(db, round_, normalization=normalization, overall=overall)
    if track_code and track_code not in outcome.rankings:
        raise _unknown_track(track_code)
    if track_code:
        lines = outcome.lines(track_code)
    else:
        lines = outcome.lines(None) if overall else tuple(outcome.all_lines())
    whole = overall and not track_code
    return [result_out(outcome, line, overall=whole) for line in lines]


def advancement_out(view: advancement.Overview) -> AdvancementOut:
    found = view.decision
    return AdvancementOut(
        per_track={
            t.code: TrackAdvancementOut(
                count=t.count,
                entry_ids=list(t.entry_ids),
                boundary_tie=t.boundary_tie,
                tied_entry_ids=list(t.tied_entry_ids),
                places_left=t.places_left,
            )
            for t in view.tracks
        },
        decision=None
        if found is None
        else DecisionOut(
            confirmed_at=found.confirmed_at,
            confirmed_by_id=found.confirmed_by_id,
            reason=found.reason,
            published_at=found.published_at,
            entry_ids=sorted(found.advanced_ids),
        ),
        blocked=view.blocked,
    )


@router.get("/rounds/{round_id}/advancement", response_model=AdvancementOut)
def advancement_preview(round_: OrganisedRound, db: DbSession) -> AdvancementOut:
    return advancement_out(advancement.overview(db, round_))


@router.post("/rounds/{round_id}/advancement", response_model=AdvancementConfirmOut)
def confirm_advancement(
    body: AdvancementIn, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> AdvancementConfirmOut:
    confirmed = advancement.confirm_advancement(
        db,
        actor=user,
        round_=round_,
        entry_ids=body.entry_ids,
        reason=body.reason,
        counts=body.counts,
    )
    return AdvancementConfirmOut(
        advanced=confirmed.advanced,
        eliminated=confirmed.eliminated,
        enrolled=confirmed.enrolled,
        unenrolled=confirmed.unenrolled,
    )


def _published(round_: Round, published_at: object) -> PublishOut:
    return PublishOut(
        published_at=published_at,  # type: ignore[arg-type]
        feedback_published_at=round_.feedback_published_at,
    )


@router.post("/rounds/{round_id}/advancement/publish", response_model=PublishOut)
def publish_advancement(
    round_: OrganisedRound, db: DbSession, user: CurrentOrganiser, body: PublishIn | None = None
) -> PublishOut:
    feedback = body.feedback if body else False
    item = advancement.publish_advancement(db, actor=user, round_=round_, feedback=feedback)
    return _published(round_, item.published_at)


@router.post("/rounds/{round_id}/feedback/publish", response_model=PublishOut)
def publish_feedback(round_: OrganisedRound, db: DbSession, user: CurrentOrganiser) -> PublishOut:
    advancement.publish_feedback(db, actor=user, round_=round_)
    found = advancement.decision(db, round_)
    return _published(round_, found.published_at if found else None)


# Fairness (contest/results/README.md "Fairness").


def fairness_out(view: fairness.Fairness) -> FairnessOut:
    return FairnessOut(
        judges=[JudgeFairnessOut(name=line.name, **asdict(line.stats)) for line in view.judges],
        icc=view.icc,
        cutoff={
            track.code: CutoffOut(
                unstable_entry_ids=[u.entry_id for u in track.unstable],
                entries=[
                    UnstableEntryOut(**{**u.__dict__, "reasons": list(u.reasons)})
                    for u in track.unstable
                ],
                count=track.count,
                gap=track.gap,
                noise=track.noise,
                within_noise=track.within_noise,
            )
            for track in view.tracks
        },
    )


@router.get("/rounds/{round_id}/fairness", response_model=FairnessOut)
def round_fairness(round_: OrganisedRound, db: DbSession) -> FairnessOut:
    return fairness_out(fairness.round_fairness(db, round_))


@router.get("/rounds/{round_id}/fairness.csv", responses={200: {"content": {"text/csv": {}}}})
def round_fairness_csv(round_: OrganisedRound, db: DbSession) -> Response:
    body = fairness_csv(fairness.round_fairness(db, round_))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="fairness-round-{round_.id}.csv"'},
    )
