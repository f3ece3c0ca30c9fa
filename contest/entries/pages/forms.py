"""Helpers shared by the team's and the organiser's entry pages: the form and uploads."""

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from contest.consent import service as consent
from contest.core import phones
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _, current_locale
from contest.core.web.deps import CSRF_FIELD, csrf_ok
from contest.core.web.templating import redirect
from contest.entries import service as entries
from contest.entries.deps import receive_document
from contest.entries.schemas import EntryCreate, split_members
from contest.kit.uploads import CsrfCheck
from contest.models import Contest, Entry, User

FORM_FIELDS = (
    "track_code",
    "title",
    "summary",
    "field",
    "institution",
    "city",
    "leader_name",
    "leader_phone",
    "leader_email",
    "members",
    "company_name",
    "credit_code",
    "founded_on",
    "video_url",
)


def entry_values(form: dict[str, str]) -> dict[str, str]:
    """The entry form's fields as typed, to show again when something is wrong."""
    return {name: form.get(name, "") for name in (*FORM_FIELDS, "reason", "privacy_consent")}


def parse_new_entry(
    db: Session, *, contest: Contest, values: dict[str, str], owner: User | None = None
) -> tuple[EntryCreate, bool | None]:
    """A new entry's form as EntryCreate and the privacy consent (True, or None when the
    box was not ticked); every problem at once, the missing consent among them."""
    agreed = values.get("privacy_consent") == "1"
    try:
        data = entries.parse_entry(db, contest=contest, raw=entry_raw(values), owner=owner)
    except InvalidInput as exc:
        refusal = [] if agreed else list(consent.refusal().errors)
        raise InvalidInput([*exc.errors, *refusal]) from None
    return data, agreed or None


def notice_of(db: Session, contest: Contest) -> consent.Notice:
    return consent.current(db, contest)


def entry_raw(values: dict[str, str]) -> dict[str, Any]:
    """Form text as EntryCreate's input: members one per line, an empty date is none."""
    raw: dict[str, Any] = {name: values.get(name, "") for name in FORM_FIELDS}
    raw["members"] = split_members(values.get("members", ""))
    raw["founded_on"] = raw["founded_on"] or None
    return raw


def stored_values(db: Session, entry: Entry) -> dict[str, str]:
    current = entries.current_values(db, entry)
    values = {name: "" if current.get(name) is None else str(current[name]) for name in FORM_FIELDS}
    values["members"] = "\n".join(current["members"])
    values["leader_phone"] = phones.display(values["leader_phone"], current_locale())
    return values


def form_errors(exc: InvalidInput) -> dict[str, str]:
    """Messages per form field; the team limit is about the whole form."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        name = str(error.loc[0]) if error.loc else "__all__"
        errors.setdefault("__all__" if name == "contest_id" else name, error.message)
    return errors


def upload_csrf(request: Request) -> CsrfCheck:
    return lambda fields: csrf_ok(request, fields.get(CSRF_FIELD))


async def upload_and_redirect(
    request: Request, db: Session, *, user: User, entry: Entry, settings: Any, back: str
) -> Response:
    """Store the streamed file, then go back with a message saying what happened."""
    try:
        document = await receive_document(
            request, db, user=user, entry=entry, settings=settings, csrf=upload_csrf(request)
        )
    except InvalidInput as exc:
        return redirect(request, back, "; ".join(e.message for e in exc.errors), "error")
    except StateConflict as exc:
        return redirect(request, back, exc.message, "error")
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        return redirect(request, back, str(exc.detail), "error")
    message = _("Uploaded “%(name)s”.") % {"name": document.filename}
    return redirect(request, back, message)
