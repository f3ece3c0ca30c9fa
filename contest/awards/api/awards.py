"""API routes: awards from the final's ranking, and publishing them."""

from fastapi import APIRouter

from contest.awards import service as awards
from contest.awards.schemas import AwardOut, AwardsIn
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.setup.deps import OrganisedContest

router = APIRouter(tags=["awards"])


def _planned(item: awards.Planned, scope: str) -> AwardOut:
    return AwardOut(
        id=None,
        entry_id=item.entry_id,
        tier=item.tier.value,
        track_code=item.track_code,
        rank=item.rank,
        title=item.title,
        custom_name=item.custom_name,
        custom_name_en=item.custom_name_en,
        scope=scope,  # type: ignore[arg-type]
    )


def _saved(line: awards.AwardLine) -> AwardOut:
    award = line.award
    return AwardOut(
        id=award.id,
        entry_id=award.entry_id,
        tier=line.tier.value,
        track_code=line.track_code,
        rank=award.rank,
        title=line.title,
        custom_name=award.custom_name,
        custom_name_en=award.custom_name_en,
        scope=award.scope,  # type: ignore[arg-type]
        published_at=award.published_at,
        certificate_code=line.certificate_code,
        issued_on=line.certificate.issued_on if line.certificate else None,
    )


@router.post("/contests/{contest_id}/awards", response_model=list[AwardOut])
def save_awards(
    body: AwardsIn, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> list[AwardOut]:
    request = awards.request_of(body)
    if body.dry_run:
        planned = awards.preview_awards(db, contest=contest, request=request)
        return [_planned(item, body.scope) for item in planned]
    return [
        _saved(line)
        for line in awards.save_awards(db, actor=user, contest=contest, request=request)
    ]


@router.post("/contests/{contest_id}/awards/publish", response_model=list[AwardOut])
def publish(contest: OrganisedContest, db: DbSession, user: CurrentOrganiser) -> list[AwardOut]:
    return [_saved(line) for line in awards.publish_awards(db, actor=user, contest=contest)]


@router.get("/contests/{contest_id}/awards", response_model=list[AwardOut])
def list_awards(contest: OrganisedContest, db: DbSession) -> list[AwardOut]:
    return [_saved(line) for line in awards.saved_awards(db, contest.id)]
