"""Pages: a round's settings and rubric, creating and editing rounds, opening and closing."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.enums import Aggregation, Normalization, RoundKind, RoundMode
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import (
    blank_to_none,
    datetime_local_value,
    form_values,
    local_datetime,
    validate,
)
from contest.core.web.templating import format_tenths, redirect, render
from contest.models import Contest, Round
from contest.setup import contests, rounds
from contest.setup.deps import OrganisedContest, OrganisedRound
from contest.setup.nav import contest_context, round_context
from contest.setup.schemas import RoundCreate, RoundUpdate, default_rubric

router = APIRouter(prefix="/manage")

RUBRIC_ROWS = 10  # blank rows offered after the existing criteria (ignored if left empty)
NUMBER_FIELDS = ("judges_per_entry", "trim_min_judges", "carry_over_weight")


def _criteria_from(form: dict[str, str]) -> list[dict[str, Any]]:
    items = []
    for index in range(40):
        name = form.get(f"criterion_name_{index}", "").strip()
        max_score = form.get(f"criterion_max_{index}", "").strip()
        if not name and not max_score:
            continue
        items.append(
            blank_to_none(
                {
                    "name": name,
                    "name_en": form.get(f"criterion_name_en_{index}", ""),
                    "description": form.get(f"criterion_description_{index}", ""),
                    "max_score": max_score,
                    "tiebreak_priority": form.get(f"criterion_tiebreak_{index}", ""),
                },
                "tiebreak_priority",
                "max_score",
            )
        )
    return items


def _round_values(form: dict[str, str], track_codes: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name, "") for name in NUMBER_FIELDS}
    values.update(
        name=form.get("name", ""),
        name_en=form.get("name_en", ""),
        mode=form.get("mode") or None,
        aggregation=form.get("aggregation", Aggregation.trimmed_mean),
        normalization=form.get("normalization", Normalization.none),
        blind=bool(form.get("blind")),
        opens_at=local_datetime(form.get("opens_at", "")),
        closes_at=local_datetime(form.get("closes_at", "")),
        advance_count={code: form.get(f"advance_{code}", "0") or "0" for code in track_codes},
        pitch_seconds=_minutes(form.get("pitch_minutes", "8")),
        qa_seconds=_minutes(form.get("qa_minutes", "7")),
        criteria=_criteria_from(form),
    )
    return values


def _minutes(value: str) -> int | str:
    try:
        return round(float(value) * 60)
    except ValueError:
        return value


def _form_from_round(db: DbSession, round_: Round) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(round_, name)
        for name in (
            "name",
            "name_en",
            "kind",
            "mode",
            "judges_per_entry",
            "aggregation",
            "trim_min_judges",
            "normalization",
            "blind",
        )
    }
    values.update(
        order=round_.position,
        carry_over_weight=str(round_.carry_over_weight.normalize()),
        opens_at=datetime_local_value(round_.opens_at),
        closes_at=datetime_local_value(round_.closes_at),
        pitch_minutes=f"{round_.pitch_seconds / 60:g}",
        qa_minutes=f"{round_.qa_seconds / 60:g}",
        **{f"advance_{code}": count for code, count in round_.advance_count.items()},
    )
    for index, criterion in enumerate(rounds.criteria(db, round_.id)):
        values[f"criterion_name_{index}"] = criterion.name
        values[f"criterion_name_en_{index}"] = criterion.name_en
        values[f"criterion_description_{index}"] = criterion.description
        values[f"criterion_max_{index}"] = format_tenths(criterion.max_tenths)
        values[f"criterion_tiebreak_{index}"] = criterion.tiebreak_priority or ""
    return values


def _english_names_of(db: DbSession, round_: Round, form: dict[str, str]) -> list[dict[str, Any]]:
    """The saved rubric with the English names the form gives (the rest is frozen)."""
    return [
        {
            "name": criterion.name,
            "name_en": form.get(f"criterion_name_en_{index}", criterion.name_en),
            "description": criterion.description,
            "max_score": format_tenths(criterion.max_tenths),
            "tiebreak_priority": criterion.tiebreak_priority,
        }
        for index, criterion in enumerate(rounds.criteria(db, round_.id))
    ]


def _new_round_defaults(db: DbSession, contest: Contest) -> dict[str, Any]:
    existing = rounds.rounds(db, contest.id)
    values: dict[str, Any] = {
        "order": len(existing) + 1,
        "kind": RoundKind.preliminary,
        "judges_per_entry": 5,
        "aggregation": Aggregation.trimmed_mean,
        "trim_min_judges": 5,
        "normalization": Normalization.none,
        "carry_over_weight": "0",
        "pitch_minutes": "8",
        "qa_minutes": "7",
    }
    for index, criterion in enumerate(default_rubric()):
        values[f"criterion_name_{index}"] = criterion.name
        values[f"criterion_name_en_{index}"] = criterion.name_en
        values[f"criterion_description_{index}"] = criterion.description
        values[f"criterion_max_{index}"] = f"{criterion.max_score:g}"
        values[f"criterion_tiebreak_{index}"] = criterion.tiebreak_priority or ""
    return values


def _form_page(
    request: Request,
    db: DbSession,
    contest: Contest,
    values: dict[str, Any],
    errors: dict[str, str],
    round_: Round | None = None,
    status_code: int = 200,
) -> Response:
    context = (
        round_context(db, round_, "settings")
        if round_
        else contest_context(db, contest, "overview")
    )
    rubric_rows = sum(1 for key in values if key.startswith("criterion_name_")) + RUBRIC_ROWS
    return render(
        request,
        "manage/round_form.html",
        {
            **context,
            "values": values,
            "errors": errors,
            "editing": round_,
            "tracks": contests.tracks(db, contest.id),
            "kinds": list(RoundKind),
            "modes": list(RoundMode),
            "aggregations": list(Aggregation),
            "normalizations": list(Normalization),
            "rubric_rows": min(rubric_rows, 40),
        },
        status_code=status_code,
    )


@router.get("/contests/{contest_id}/rounds/new", response_class=HTMLResponse)
def new_round_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return _form_page(request, db, contest, _new_round_defaults(db, contest), {})


@router.post("/contests/{contest_id}/rounds/new", response_class=HTMLResponse)
async def create_round(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    codes = [t.code for t in contests.tracks(db, contest.id)]
    values = {
        **_round_values(form, codes),
        "kind": form.get("kind", ""),
        "order": form.get("order", ""),
    }
    try:
        with db.begin_nested():
            round_ = rounds.add_round(
                db, actor=user, contest=contest, data=validate(RoundCreate, values)
            )
    except InvalidInput as exc:
        return _form_page(request, db, contest, form, exc.by_field(), status_code=422)
    return redirect(request, f"/manage/rounds/{round_.id}", _("Round created."))


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    return render(
        request,
        "manage/round.html",
        {
            **round_context(db, round_, "settings"),
            "criteria": rounds.criteria(db, round_.id),
            "tracks": contests.tracks(db, round_.contest_id),
            "has_sheets": rounds.has_sheets(db, round_.id),
        },
    )


@router.get("/rounds/{round_id}/edit", response_class=HTMLResponse)
def edit_round_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    return _form_page(request, db, contest, _form_from_round(db, round_), {}, round_)


@router.post("/rounds/{round_id}/edit", response_class=HTMLResponse)
async def edit_round(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    values = _round_values(form, [t.code for t in contests.tracks(db, contest.id)])
    if rounds.has_sheets(db, round_.id):
        # The rubric is frozen: only its English names are taken from the form.
        values["criteria"] = _english_names_of(db, round_, form)
    try:
        with db.begin_nested():
            rounds.update_round(
                db,
                actor=user,
                round_=round_,
                data=validate(RoundUpdate, values),
                reason=form.get("reason", ""),
            )
    except (InvalidInput, StateConflict) as exc:
        errors = exc.by_field() if isinstance(exc, InvalidInput) else {"__all__": exc.message}
        return _form_page(
            request,
            db,
            contest,
            {**_form_from_round(db, round_), **form},
            errors,
            round_,
            status_code=422,
        )
    return redirect(request, f"/manage/rounds/{round_.id}", _("Changes saved."))


@router.post("/rounds/{round_id}/open")
async def open_round(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    back = f"/manage/rounds/{round_.id}"
    reason = (await form_values(request)).get("reason", "").strip()
    if rounds.is_closed(round_) and not reason:
        message = _("Say why scoring of this closed round opens again.")
        return redirect(request, back, message, "error")
    try:
        with db.begin_nested():
            rounds.open_round(db, actor=user, round_=round_, reason=reason)
    except StateConflict as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, _("The round is open for scoring."))


@router.post("/rounds/{round_id}/close")
def close_round(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    rounds.close_round(db, actor=user, round_=round_)
    return redirect(request, f"/manage/rounds/{round_.id}", _("The round is closed."))
