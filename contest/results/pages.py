"""Pages: a round's results and its advancement, for the contest's organisers.

Judges and teams never reach these pages (403; another organiser's round is 404), so
every judge's total can be shown here.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRouter

from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import is_ascii_number
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.templating import redirect, render
from contest.models import Round
from contest.results import advancement, fairness
from contest.results import service as results
from contest.results.fairness_plot import strip_plot
from contest.setup.deps import OrganisedRound
from contest.setup.nav import round_context
from scoring import Ranking, preview_advancement

router = APIRouter(prefix="/manage/rounds/{round_id}")

PER_PAGE = 100
VIEWS = ("", "none", "zscore", "compare")
# A track of at most this many entries is shown whole on the advancement page; a longer
# one shows its top and the rows around the boundary (the rest keep their selection).
WHOLE_TRACK = 300
EDGE = 20


def _page(items: tuple[Any, ...] | list[Any], page: int) -> tuple[list[Any], int, int]:
    pages = max((len(items) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * PER_PAGE : page * PER_PAGE]), page, pages


def _percent(round_: Round) -> str:
    """The carry-over weight as a percentage ("30", "12.5"); empty without carry-over."""
    if not round_.carry_over_weight:
        return ""
    return format(round_.carry_over_weight * 100, "f").rstrip("0").rstrip(".")


def _cut(lines: Sequence[results.ResultLine], count: int) -> tuple[int | None, bool]:
    """After which entry the page draws the advancement line (the N-th, or the last of a
    tie across it, as scoring's preview decides), and whether a tie crosses it; (None,
    False) when no line falls inside the list."""
    if not 0 < count < sum(1 for line in lines if line.rank is not None):
        return None, False
    preview = preview_advancement(Ranking(None, tuple(line.ranked for line in lines)), count)
    group = preview.tied_entry_ids if preview.boundary_tie else preview.entry_ids
    return group[-1], preview.boundary_tie


def _results_context(
    db: DbSession, round_: Round, track: str, view: str, page: int, changed: bool
) -> dict[str, Any]:
    view = view if view in VIEWS else ""
    context: dict[str, Any] = {**round_context(db, round_, "results"), "view": view}
    if view == "compare":
        comparison = results.compare_normalization(db, round_)
        codes = [t.code for t in comparison.tracks]
        track = track if track in codes else (codes[0] if codes else "")
        compared = comparison.lines.get(track, ())
        shown = [line for line in compared if line.rank_change or line.advancement_changes]
        rows, page, pages = _page(shown if changed else compared, page)
        counts = {code: len(items) for code, items in comparison.lines.items()}
        return context | {
            "comparison": comparison,
            "tracks": comparison.tracks,
            "counts": counts,
            "track": track,
            "rows": rows,
            "page": page,
            "pages": pages,
            "changed": changed,
            "shown_count": len(shown),
        }
    outcome = results.round_results(db, round_, normalization=view or None, overall=track == "all")
    if track != "all" and track not in outcome.track_codes:
        track = outcome.track_codes[0] if outcome.track_codes else ""
    lines = outcome.rankings.get(None if track == "all" else track, ())
    rows, page, pages = _page(lines, page)
    counts = {code: len(outcome.lines(code)) for code in outcome.track_codes}
    own = view in ("", round_.normalization)
    count = round_.advance_count.get(track, 0) if own and track != "all" else 0
    return context | {
        "outcome": outcome,
        "tracks": outcome.tracks,
        "counts": counts,
        "track": track,
        "rows": rows,
        "page": page,
        "pages": pages,
        "cut": _cut(lines, count),
        "cut_count": count,
        "carry": _percent(round_),
    }


@router.get("/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    round_: OrganisedRound,
    db: DbSession,
    track: str = "",
    view: str = "",
    page: int = 1,
    changed: bool = False,
) -> Response:
    context = _results_context(db, round_, track, view, page, changed)
    return render(request, "manage/results.html", context)


# Advancement.


def _counts(query: dict[str, str]) -> dict[str, int] | None:
    """Places per track from fields n_<track code>; None when the page gives none."""
    counts = {}
    for key, value in query.items():
        if key.startswith("n_") and value.strip():
            if not is_ascii_number(value.strip(), 9):
                raise InvalidInput.single(
                    "counts", _("Each number must be a whole number, 0 or more.")
                )
            counts[key[2:]] = int(value.strip())
    return counts or None


def _window(lines: tuple[results.ResultLine, ...], count: int, tied: tuple[int, ...]) -> list[Any]:
    """The rows to show: all of a short track; else its top, then the rows around the
    boundary and the whole tie across it. None marks a gap."""
    if len(lines) <= WHOLE_TRACK:
        return list(lines)
    keep = set(range(min(EDGE, len(lines))))
    keep |= set(range(max(count - EDGE, 0), min(count + EDGE, len(lines))))
    keep |= {i for i, line in enumerate(lines) if line.entry_id in tied}
    shown: list[Any] = []
    for i in sorted(keep):
        if shown and i - 1 not in keep:
            shown.append(None)
        shown.append(lines[i])
    return shown


def _advancement_context(
    db: DbSession,
    round_: Round,
    counts: Mapping[str, int] | None,
    choice: advancement.Choice | None = None,
    **extra: Any,
) -> dict[str, Any]:
    view = advancement.overview(db, round_, counts=counts)
    if choice is None:
        from_decision = view.decision is not None and counts is None
        selected = advancement.initial_selection(view, from_decision=from_decision)
    else:
        # The page again after a refusal: the organiser's own ticks.
        from_decision = choice.from_decision
        base = advancement.initial_selection(view, from_decision=from_decision)
        selected = (base - choice.shown) | choice.checked
    windows = {t.code: _window(t.lines, t.count, t.tied_entry_ids) for t in view.tracks}
    # The N-th row of each track, after which the page draws the advancement line.
    cut_after = {
        t.code: t.lines[t.count - 1].entry_id for t in view.tracks if 0 < t.count <= len(t.lines)
    }
    return {
        **round_context(db, round_, "advancement"),
        "overview": view,
        "windows": windows,
        "cut_after": cut_after,
        "selected": selected,
        "from_decision": from_decision,
        "counts": counts,
        "errors": {},
        "error": None,
        # Confirming the decision again as it stands needs its reason again.
        "reason": view.decision.reason if from_decision and view.decision else "",
        "add": "",
        "remove": "",
        **extra,
    }


@router.get("/advancement", response_class=HTMLResponse)
def advancement_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    try:
        counts = _counts(dict(request.query_params))
        context = _advancement_context(db, round_, counts)
    except InvalidInput as exc:
        context = _advancement_context(db, round_, None, errors=exc.by_field())
    return render(request, "manage/advancement.html", context)


_NUMBER = re.compile(r"[0-9]{1,18}")


def _numbers(text: str) -> frozenset[int] | None:
    """Entry numbers typed by the organiser, separated by spaces, commas or 、; None if
    something else was typed."""
    parts = [p.removeprefix("#") for p in re.split(r"[\s,，、;；]+", text.strip()) if p]
    if any(not _NUMBER.fullmatch(p) for p in parts):
        return None
    return frozenset(int(p) for p in parts)


def _ids(values: list[Any]) -> frozenset[int]:
    return frozenset(int(v) for v in values if isinstance(v, str) and is_ascii_number(v))


async def _choice(request: Request) -> tuple[advancement.Choice, dict[str, str]]:
    """The form as a Choice, and its texts to show again; InvalidInput after both are
    known, so that a refusal keeps what the organiser ticked and typed."""
    form = await request.form()
    plain = {k: v for k, v in form.items() if isinstance(v, str)}
    echo = {name: plain.get(name, "") for name in ("reason", "add", "remove")}
    add, remove = _numbers(echo["add"]), _numbers(echo["remove"])
    try:
        counts = _counts(plain)
    except InvalidInput:
        counts = None
    choice = advancement.Choice(
        counts=counts,
        from_decision=plain.get("base") == "decision",
        shown=_ids(form.getlist("shown")),
        checked=_ids(form.getlist("entry")),
        add=add or frozenset(),
        remove=remove or frozenset(),
        reason=echo["reason"],
    )
    return choice, echo


def _typed_numbers_ok(echo: dict[str, str]) -> None:
    for field in ("add", "remove"):
        if _numbers(echo[field]) is None:
            raise InvalidInput.single(field, _("Enter entry numbers separated by commas."))


@router.post("/advancement", response_class=HTMLResponse)
async def confirm_advancement(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    choice, echo = await _choice(request)
    try:
        _typed_numbers_ok(echo)
        confirmed = advancement.confirm_choice(db, actor=user, round_=round_, choice=choice)
    except InvalidInput as exc:
        errors = exc.by_field()
        if "entry_ids" in errors:
            # The page names entries in the "add" field; unknown numbers are shown there.
            errors["add"] = errors.pop("entry_ids")
        return _form_again(request, db, round_, choice, echo, errors=errors, status=422)
    except StateConflict as exc:
        return _form_again(request, db, round_, choice, echo, error=exc.message, status=409)
    message = _("Advancement confirmed: %(advanced)s entries advance, %(eliminated)s do not.") % {
        "advanced": confirmed.advanced,
        "eliminated": confirmed.eliminated,
    }
    return redirect(request, f"/manage/rounds/{round_.id}/advancement", message)


def _form_again(
    request: Request,
    db: DbSession,
    round_: Round,
    choice: advancement.Choice,
    echo: dict[str, str],
    *,
    status: int,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    """The page again with the organiser's ticks, texts and the messages."""
    context = _advancement_context(
        db, round_, choice.counts, choice, **echo, errors=errors or {}, error=error
    )
    return render(request, "manage/advancement.html", context, status_code=status)


@router.post("/advancement/publish", response_class=HTMLResponse)
async def publish_advancement(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await request.form()
    feedback = form.get("feedback") == "1"
    url = f"/manage/rounds/{round_.id}/advancement"
    try:
        advancement.publish_advancement(db, actor=user, round_=round_, feedback=feedback)
    except StateConflict as exc:
        return redirect(request, url, exc.message, "error")
    return redirect(request, url, _("The list is published: teams now see their status."))


@router.post("/feedback/publish", response_class=HTMLResponse)
def publish_feedback(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    url = f"/manage/rounds/{round_.id}/advancement"
    try:
        advancement.publish_feedback(db, actor=user, round_=round_)
    except StateConflict as exc:
        return redirect(request, url, exc.message, "error")
    return redirect(request, url, _("Judges' comments are published to the teams."))


@router.get("/fairness", response_class=HTMLResponse)
def fairness_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    """How each judge scores and how stable each cut-off is (contest/results/README.md)."""
    view = fairness.round_fairness(db, round_)
    return render(
        request,
        "manage/fairness.html",
        {
            **round_context(db, round_, "fairness"),
            "view": view,
            "plot": strip_plot(view.judges),
            "names": {line.stats.judge_id: line.name for line in view.judges},
        },
    )
