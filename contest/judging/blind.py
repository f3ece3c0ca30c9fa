"""Blind review: what a judge of a blind round never receives (docs/api.md "Fair judging").

One list for every route a judge reaches: the entry API, the documents list and
download, the scoring page. Judges never receive the leader's contact details in any
round; in a blind round nothing that names the team either.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import DocumentKind
from contest.core.i18n import _
from contest.models import Assignment, Judge, Round, User

# Fields of an entry a judge never sees in a blind round (cleared or nulled).
BLIND_FIELDS = (
    "institution",
    "city",
    "leader_name",
    "leader_email",
    "leader_phone",
    "members",
    "company_name",
    "credit_code",
    "founded_on",
    "video_url",
)


def blind_entries(db: Session, user: User, entry_ids: Sequence[int]) -> set[int]:
    """The entries this user reviews as a judge in a blind round (one such round is enough:
    what a judge saw once cannot be unseen in the next)."""
    rows = db.scalars(
        select(col(Assignment.entry_id))
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(Round, col(Round.id) == Assignment.round_id)
        .where(
            col(Judge.user_id) == user.id,
            col(Round.blind).is_(True),
            col(Assignment.entry_id).in_(entry_ids),
        )
    )
    return set(rows)


def neutral_filename(kind: str) -> str:
    """The name a document reaches a blind judge under, in the reader's language."""
    names = {
        DocumentKind.business_plan: _("business-plan.pdf"),
        DocumentKind.pitch_deck: _("pitch-deck.pdf"),
    }
    return names.get(DocumentKind(kind), _("document.pdf"))
