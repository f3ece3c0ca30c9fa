"""An organiser sends an entry's team a link to choose a password (the team forgot it,
or its leader changed): the team account that owns the entry gets the mail."""

from sqlmodel import Session

from contest.accounts import service as auth
from contest.core.errors import StateConflict
from contest.core.i18n import _
from contest.models import Entry, User


def send_link(db: Session, *, actor: User, entry: Entry) -> None:
    """Mail the entry's team account a reset link (accounts.service.send_link_for:
    throttled, audited); 409 for an entry no team account owns (entered by an organiser)."""
    account = db.get(User, entry.owner_id) if entry.owner_id is not None else None
    if account is None:
        raise StateConflict(_("This entry has no team account: an organiser entered it."))
    auth.send_link_for(
        db, actor=actor, user=account, contest_id=entry.contest_id, about=f"entry:{entry.id}"
    )
