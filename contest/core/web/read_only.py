"""A contest's viewers (监督, supervisors) read everything and change nothing.

The check is made on the request's path, before any route runs: an organiser account
calling a path that names an object (`{contest_id}`, `{round_id}`, `{entry_id}`, ...) of
a contest where it is a viewer is marked read-only (`request.state.read_only`), and
`deps.check_user` refuses its writes (any method but GET, HEAD and OPTIONS) with 403.

Why the path and not each route's loaders: a write route added tomorrow is covered
without anybody remembering to; the 403 comes before the body is read or validated, so
a viewer never learns more from a 422 than from a 403; and pages learn from the same
mark that they should hide their write buttons and say 只读.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import Session, col

from contest.core.enums import TeamRole
from contest.core.validation import ascii_int
from contest.models import (
    Award,
    Certificate,
    ContestOrganiser,
    Deal,
    Document,
    Entry,
    Judge,
    Objection,
    Publication,
    Round,
    Track,
    User,
)


def _contest_of(name: str, raw: str) -> Any:
    """A scalar subquery for the contest of the object the path parameter names, or None
    if the parameter names no contest's object (or cannot be a valid id)."""
    if name == "code":
        return (
            select(col(Award.contest_id))
            .join(Certificate, col(Certificate.award_id) == Award.id)
            .where(col(Certificate.code) == raw[:32])
            .scalar_subquery()
        )
    value = ascii_int(raw)
    if value is None:
        return None
    if name == "contest_id":
        return value
    if name == "document_id":
        return (
            select(col(Entry.contest_id))
            .join(Document, col(Document.entry_id) == Entry.id)
            .where(col(Document.id) == value)
            .scalar_subquery()
        )
    model = _OWNED_BY_CONTEST.get(name)
    if model is None:
        return None
    return select(model.contest_id).where(col(model.id) == value).scalar_subquery()


# Path parameters naming an object with its own `contest_id` column.
_OWNED_BY_CONTEST: dict[str, Any] = {
    "round_id": Round,
    "judge_id": Judge,
    "entry_id": Entry,
    "track_id": Track,
    "award_id": Award,
    "deal_id": Deal,
    "publication_id": Publication,
    "objection_id": Objection,
}


def viewer_here(db: Session, user: User, path_params: Mapping[str, Any]) -> bool:
    """Whether the path names an object of a contest where `user` is a viewer."""
    contests = [
        contest
        for name, raw in path_params.items()
        if isinstance(raw, str) and (contest := _contest_of(name, raw)) is not None
    ]
    if not contests:
        return False
    matches: list[ColumnElement[bool]] = [
        col(ContestOrganiser.contest_id) == contest for contest in contests
    ]
    roles = db.scalars(
        select(col(ContestOrganiser.role)).where(
            col(ContestOrganiser.user_id) == user.id, or_(*matches)
        )
    ).all()
    return TeamRole.viewer in roles
