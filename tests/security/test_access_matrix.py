"""Who may call what: every route of the app, called as every kind of person.

The routes come from the app's own route table; a route missing from MATRIX fails
`test_every_route_has_an_access_rule`, so a new route cannot ship without a decision.

People: anonymous, the entry's team, another team, a judge assigned to the entry,
a judge of the contest not assigned to it, the contest's organiser (its owner), the
organiser of another contest, and two more of the contest's organiser team: a
co-organiser and a viewer (监督). Each rule says what each of them gets:

- "ok": the permission checks let them through (anything but 401/403/404, a redirect
  to the log-in page, or a server error; 409 and 422 mean the checks passed);
- 401 / 403 / 404: exactly that status;
- "login": a page redirect to /login (anonymous visitors of pages).

Rules are written for the first seven people; `with_team` adds the last two
mechanically: a co-organiser gets what the organiser gets, a viewer too for reads and
403 for every write the organiser may make in the contest. Rules that differ (the team's
management, a job seen only by who started it) are written out for all nine.
"""

from collections.abc import Callable

import pytest

from contest.core.enums import Role, TeamRole
from contest.models import ContestOrganiser, Entry
from tests import factories
from tests.app_client import TestClient
from tests.routes import app_routes

PEOPLE = ("anonymous", "team", "other_team", "judge", "unassigned_judge", "organiser",
          "other_organiser", "co_organiser", "viewer")

# Rules, as what each person gets, in the order of PEOPLE.
PUBLIC = ("ok",) * 9
API_ORGANISER = (401, 403, 403, 403, 403, "ok", 404)
PAGE_ORGANISER = ("login", 403, 403, 403, 403, "ok", 404)
API_USER = (401, "ok", "ok", "ok", "ok", "ok", "ok")
API_CONTEST_CREATE = (401, 403, 403, 403, 403, "ok", "ok")
PAGE_ORGANISER_ANY = ("login", 403, 403, 403, 403, "ok", "ok")
API_ENTRY_READ = (401, "ok", 404, "ok", 404, "ok", 404)
API_ENTRY_WRITE = (401, "ok", 404, 403, 404, "ok", 404)
# Teams list and create their own entries; judges go through their assignments.
API_ENTRY_LIST = (401, "ok", "ok", 403, 403, "ok", 404)
PAGE_DOCUMENT = ("login", "ok", 404, "ok", 404, "ok", 404)
API_JUDGE_ANY = (401, 403, 403, "ok", "ok", 403, 403)
PAGE_JUDGE_ANY = ("login", 403, 403, "ok", "ok", 403, 403)
API_JUDGE_ASSIGNED = (401, 403, 403, "ok", 404, 403, 403)
PAGE_JUDGE_ASSIGNED = ("login", 403, 403, "ok", 404, 403, 403)
PAGE_TEAM_ANY = ("login", "ok", "ok", 403, 403, 403, 403)
PAGE_TEAM_OWNER = ("login", "ok", 404, 403, 403, 403, 403)
API_CERTIFICATE = (401, "ok", 404, 404, 404, "ok", 404)
PAGE_CONTEST_FOR_TEAMS = ("login", "ok", "ok", 403, 403, 403, 403)
# A background job is seen by whoever started it (here the organiser), by nobody else.
API_JOB_STARTER = (401, 404, 404, 404, 404, "ok", 404, 404, 404)
PAGE_JOB_STARTER = ("login", 404, 404, 404, 404, "ok", 404, 404, 404)
# The organiser team is managed by its owner alone; everyone in it reads it.
API_CONTEST_OWNER = (401, 403, 403, 403, 403, "ok", 404, 403, 403)
PAGE_CONTEST_OWNER = ("login", 403, 403, 403, 403, "ok", 404, 403, 403)
# Investors' own routes: nobody in PEOPLE is an investor (tests/security/test_investor_access.py
# plays the investor); teams' consents and what investors think of their own entry.
API_INVESTOR = (401, 403, 403, 403, 403, 403, 403)
PAGE_INVESTOR = ("login", 403, 403, 403, 403, 403, 403)
API_TEAM_OWNER = (401, "ok", 404, 403, 403, 403, 403)
API_TEAM_ANY = (401, "ok", "ok", 403, 403, 403, 403)
API_OBJECTION_READ = (401, "ok", 404, 404, 404, "ok", 404)
API_OBJECTION_FILER = (401, "ok", 404, 404, 404, 404, 404)
PAGE_USER = ("login", "ok", "ok", "ok", "ok", "ok", "ok")

MATRIX: dict[tuple[str, str], tuple[object, ...]] = {
    # Accounts, language, public pages
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/{code}"): PUBLIC,
    ("GET", "/live/{round_id}"): PUBLIC,
    ("GET", "/results/{contest_id}"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("GET", "/api/v1/verify/{code}"): PUBLIC,
    ("GET", "/api/v1/rounds/{round_id}/live"): PUBLIC,
    ("GET", "/api/v1/contests/{contest_id}/results.pdf"): PUBLIC,
    ("GET", "/api/v1/me"): API_USER,
    # The account's life cycle: links by mail are public; one's own password and sessions
    ("DELETE", "/api/v1/auth/token"): API_USER,
    ("POST", "/api/v1/auth/confirm"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset/confirm"): PUBLIC,
    ("POST", "/api/v1/me/password"): API_USER,
    ("GET", "/api/v1/me/sessions"): API_USER,
    ("DELETE", "/api/v1/me/sessions/{session_id}"): API_USER,
    ("GET", "/confirm/{token}"): PUBLIC,
    ("POST", "/confirm/{token}"): PUBLIC,
    ("GET", "/forgot"): PUBLIC,
    ("POST", "/forgot"): PUBLIC,
    ("GET", "/reset/{token}"): PUBLIC,
    ("POST", "/reset/{token}"): PUBLIC,
    ("GET", "/account"): PAGE_USER,
    ("POST", "/account/password"): PAGE_USER,
    ("POST", "/account/sessions/end"): PAGE_USER,
    # Contest set-up
    ("GET", "/api/v1/contests"): API_CONTEST_CREATE,
    ("POST", "/api/v1/contests"): API_CONTEST_CREATE,
    ("GET", "/api/v1/contests/{contest_id}"): API_ORGANISER,
    ("PATCH", "/api/v1/contests/{contest_id}"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/copy"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/audit"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/tracks"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/tracks"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/rounds"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/rounds"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}"): API_ORGANISER,
    ("PATCH", "/api/v1/rounds/{round_id}"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/open"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/close"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/judges"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/judges"): API_ORGANISER,
    ("POST", "/api/v1/judges/{judge_id}/conflicts"): API_ORGANISER,
    ("PATCH", "/api/v1/judges/{judge_id}"): API_ORGANISER,
    ("POST", "/api/v1/judges/{judge_id}/deactivate"): API_ORGANISER,
    ("POST", "/api/v1/judges/{judge_id}/reactivate"): API_ORGANISER,
    ("DELETE", "/api/v1/judges/{judge_id}"): API_ORGANISER,
    ("POST", "/api/v1/judges/{judge_id}/password-reset"): API_ORGANISER,
    ("POST", "/manage/judges/{judge_id}/password-reset"): PAGE_ORGANISER,
    ("GET", "/manage/judges/{judge_id}"): PAGE_ORGANISER,
    ("POST", "/manage/judges/{judge_id}"): PAGE_ORGANISER,
    ("POST", "/manage/judges/{judge_id}/deactivate"): PAGE_ORGANISER,
    ("POST", "/manage/judges/{judge_id}/reactivate"): PAGE_ORGANISER,
    ("POST", "/manage/judges/{judge_id}/remove"): PAGE_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/conflicts"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/fairness"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/fairness.csv"): API_ORGANISER,
    ("GET", "/api/v1/me/declarations"): API_JUDGE_ANY,
    ("GET", "/manage/rounds/{round_id}/conflicts"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/conflicts/families"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/conflicts/families/{family_id}/delete"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/conflicts/exceptions"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/fairness"): PAGE_ORGANISER,
    ("GET", "/judge/contests/{contest_id}/declarations"): PAGE_JUDGE_ANY,
    ("POST", "/judge/contests/{contest_id}/declarations"): PAGE_JUDGE_ANY,
    ("PUT", "/api/v1/me/declarations"): API_JUDGE_ANY,
    ("GET", "/api/v1/contests/{contest_id}/institution-families"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/institution-families"): API_ORGANISER,
    ("DELETE", "/api/v1/contests/{contest_id}/institution-families/{family_id}"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/conflict-exceptions"): API_ORGANISER,
    ("DELETE", "/api/v1/contests/{contest_id}/conflict-exceptions"): API_ORGANISER,
    ("GET", "/manage"): PAGE_ORGANISER_ANY,
    ("GET", "/manage/contests/new"): PAGE_ORGANISER_ANY,
    ("POST", "/manage/contests/new"): PAGE_ORGANISER_ANY,
    ("GET", "/manage/contests/{contest_id}"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/copy"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/status"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/audit"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/audit.csv"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/tracks"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/tracks/{track_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/tracks/{track_id}/edit"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/rounds/new"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/rounds/new"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/open"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/close"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/judges"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/judges"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/judges/import"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/conflicts"): PAGE_ORGANISER,
    # Entries
    ("GET", "/api/v1/contests/{contest_id}/entries"): API_ENTRY_LIST,
    ("POST", "/api/v1/contests/{contest_id}/entries"): API_ENTRY_LIST,
    ("POST", "/api/v1/contests/{contest_id}/entries/import"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/entries.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/entries.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/entries/{entry_id}"): API_ENTRY_READ,
    ("PATCH", "/api/v1/entries/{entry_id}"): API_ENTRY_WRITE,
    ("POST", "/api/v1/entries/{entry_id}/withdraw"): API_ENTRY_WRITE,
    ("POST", "/api/v1/entries/{entry_id}/password-reset"): API_ORGANISER,
    ("GET", "/api/v1/entries/{entry_id}/documents"): API_ENTRY_READ,
    ("POST", "/api/v1/entries/{entry_id}/documents"): API_ENTRY_WRITE,
    ("GET", "/api/v1/documents/{document_id}"): API_ENTRY_READ,
    ("GET", "/documents/{document_id}"): PAGE_DOCUMENT,
    ("GET", "/team"): PAGE_TEAM_ANY,
    ("GET", "/team/contests/{contest_id}/enter"): PAGE_CONTEST_FOR_TEAMS,
    ("POST", "/team/contests/{contest_id}/enter"): PAGE_CONTEST_FOR_TEAMS,
    ("GET", "/team/entries/{entry_id}/edit"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/edit"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/documents"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/withdraw"): PAGE_TEAM_OWNER,
    ("GET", "/manage/contests/{contest_id}/entries"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/new"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/entries/new"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/import"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/entries/import"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/entries/bulk"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/import/template.csv"): PAGE_ORGANISER,
    ("GET", "/manage/entries/{entry_id}"): PAGE_ORGANISER,
    ("GET", "/manage/entries/{entry_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/documents"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/withdraw"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/password-reset"): PAGE_ORGANISER,
    # Judging
    ("POST", "/api/v1/rounds/{round_id}/assignments/auto"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("DELETE", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/me/assignments"): API_JUDGE_ANY,
    ("GET", "/api/v1/rounds/{round_id}/entries/{entry_id}/sheet"): API_JUDGE_ASSIGNED,
    ("PUT", "/api/v1/rounds/{round_id}/entries/{entry_id}/sheet"): API_JUDGE_ASSIGNED,
    ("POST", "/api/v1/rounds/{round_id}/entries/{entry_id}/recuse"): API_JUDGE_ASSIGNED,
    ("POST", "/api/v1/rounds/{round_id}/sheets/reopen"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/progress"): API_ORGANISER,
    ("GET", "/judge"): PAGE_JUDGE_ANY,
    ("GET", "/judge/rounds/{round_id}/entries/{entry_id}"): PAGE_JUDGE_ASSIGNED,
    ("POST", "/judge/rounds/{round_id}/entries/{entry_id}"): PAGE_JUDGE_ASSIGNED,
    ("POST", "/judge/rounds/{round_id}/entries/{entry_id}/recuse"): PAGE_JUDGE_ASSIGNED,
    ("GET", "/manage/rounds/{round_id}/assignments"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/auto"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/add"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/remove"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/progress"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/sheets/reopen"): PAGE_ORGANISER,
    # Results and advancement
    ("GET", "/api/v1/rounds/{round_id}/results"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/results.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/results.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/sheets.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/sheets.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/advancement"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/advancement"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/advancement/publish"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/feedback/publish"): API_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/results"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/advancement"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/advancement"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/advancement/publish"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/feedback/publish"): PAGE_ORGANISER,
    # The live final and awards
    ("GET", "/api/v1/rounds/{round_id}/draw"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/draw"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/live"): API_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/live"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/live"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/live/draw"): PAGE_ORGANISER,
    ("GET", "/judge/rounds/{round_id}/live"): PAGE_JUDGE_ANY,  # any judge on the panel
    ("GET", "/api/v1/rounds/{round_id}/live/preflight"): API_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/live/preflight"): PAGE_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/live/presence"): API_JUDGE_ANY,  # a judge's phone
    # A big screen has no account: it proves itself with the pass in its link (422/403).
    ("POST", "/api/v1/rounds/{round_id}/live/screens"): PUBLIC,
    ("GET", "/api/v1/contests/{contest_id}/awards"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/awards"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/awards/publish"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/awards.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/awards.xlsx"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/awards"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/awards"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/awards/publish"): PAGE_ORGANISER,
    # Certificates and exports
    ("GET", "/api/v1/awards/{award_id}/certificate.pdf"): API_CERTIFICATE,
    ("GET", "/api/v1/contests/{contest_id}/certificates"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/certificates.zip"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/certificates.pdf"): API_ORGANISER,
    ("POST", "/api/v1/certificates/{code}/revoke"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/export.xlsx"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/certificates"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/certificates/revoke"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/exports"): PAGE_ORGANISER,
    # Background jobs and mail
    ("GET", "/api/v1/jobs/{job_id}"): API_JOB_STARTER,
    ("GET", "/jobs/{job_id}"): PAGE_JOB_STARTER,
    ("GET", "/jobs/{job_id}/result"): PAGE_JOB_STARTER,
    # Investors and follow-up
    ("GET", "/api/v1/contests/{contest_id}/investors"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/investors"): API_ORGANISER,
    ("PUT", "/api/v1/contests/{contest_id}/stakes"): API_INVESTOR,
    ("GET", "/api/v1/contests/{contest_id}/showcase"): API_INVESTOR,
    ("GET", "/api/v1/entries/{entry_id}/business-plan"): API_INVESTOR,
    ("PUT", "/api/v1/entries/{entry_id}/interest"): API_INVESTOR,
    ("DELETE", "/api/v1/entries/{entry_id}/interest"): API_INVESTOR,
    ("GET", "/api/v1/entries/{entry_id}/interest"): API_TEAM_OWNER,
    ("GET", "/api/v1/entries/{entry_id}/consent"): API_TEAM_OWNER,
    ("PUT", "/api/v1/entries/{entry_id}/consent"): API_TEAM_OWNER,
    ("GET", "/api/v1/contests/{contest_id}/leads"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/leads.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/leads.xlsx"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/meetings"): API_ORGANISER,
    ("POST", "/api/v1/entries/{entry_id}/deals"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/deals"): PUBLIC,
    ("POST", "/api/v1/deals/{deal_id}/withdraw"): API_ORGANISER,
    ("POST", "/api/v1/deals/{deal_id}/document"): API_ORGANISER,
    # The signed document: the organisers and the team that owns the entry, nobody else.
    ("GET", "/api/v1/deals/{deal_id}/document"): (401, "ok", 404, 404, 404, "ok", 404),
    ("GET", "/api/v1/contests/{contest_id}/deals.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/deals.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/follow-up"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/follow-up.xlsx"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/outbox"): PAGE_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/certificates/jobs"): API_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/certificates/prepare"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/exports/workbook"): PAGE_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/reminders"): API_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/reminders"): PAGE_ORGANISER,
    ("GET", "/invest"): PAGE_INVESTOR,
    ("GET", "/invest/contests/{contest_id}"): PAGE_INVESTOR,
    ("POST", "/invest/contests/{contest_id}/stakes"): PAGE_INVESTOR,
    ("POST", "/invest/entries/{entry_id}/interest"): PAGE_INVESTOR,
    ("GET", "/invest/entries/{entry_id}/business-plan"): PAGE_INVESTOR,
    ("GET", "/manage/contests/{contest_id}/investors"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/investors"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/meetings"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/follow-up"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/deals"): PAGE_ORGANISER,
    ("POST", "/manage/deals/{deal_id}/withdraw"): PAGE_ORGANISER,
    ("POST", "/manage/deals/{deal_id}/document"): PAGE_ORGANISER,
    ("GET", "/team/entries/{entry_id}/investors"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/investors"): PAGE_TEAM_OWNER,
    ("GET", "/results/{contest_id}/signed"): PUBLIC,
    # Publications and objections
    ("GET", "/api/v1/contests/{contest_id}/publications"): PUBLIC,
    ("POST", "/api/v1/publications/{publication_id}/withdraw"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/objections"): API_TEAM_ANY,
    ("GET", "/api/v1/contests/{contest_id}/objections"): API_ENTRY_LIST,
    ("GET", "/api/v1/objections/{objection_id}"): API_OBJECTION_READ,
    ("POST", "/api/v1/objections/{objection_id}/answer"): API_ORGANISER,
    ("POST", "/api/v1/objections/{objection_id}/decide"): API_ORGANISER,
    ("POST", "/api/v1/objections/{objection_id}/documents"): API_OBJECTION_FILER,
    ("GET", "/api/v1/objections/{objection_id}/document"): API_OBJECTION_READ,
    ("GET", "/manage/contests/{contest_id}/publications"): PAGE_ORGANISER,
    ("POST", "/manage/publications/{publication_id}/withdraw"): PAGE_ORGANISER,
    ("POST", "/manage/objections/{objection_id}/decide"): PAGE_ORGANISER,
    ("GET", "/team/contests/{contest_id}/objections"): PAGE_CONTEST_FOR_TEAMS,
    ("POST", "/team/contests/{contest_id}/objections"): PAGE_CONTEST_FOR_TEAMS,
    # Privacy notices (public to read) and a team's personal data (organisers)
    ("GET", "/privacy"): PUBLIC,
    ("GET", "/contests/{contest_id}/privacy"): PUBLIC,
    ("GET", "/api/v1/privacy-notice"): PUBLIC,
    ("GET", "/api/v1/contests/{contest_id}/privacy-notice"): PUBLIC,
    ("PUT", "/api/v1/contests/{contest_id}/privacy-notice"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/privacy"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/privacy"): PAGE_ORGANISER,
    ("GET", "/api/v1/entries/{entry_id}/personal-data"): API_ORGANISER,
    ("GET", "/api/v1/entries/{entry_id}/personal-data.xlsx"): API_ORGANISER,
    ("POST", "/api/v1/entries/{entry_id}/personal-data/erase"): API_ORGANISER,
    ("GET", "/manage/entries/{entry_id}/personal-data"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/personal-data/erase"): PAGE_ORGANISER,
    # Like the API: an objection is unknown (404) to anyone but its filer.
    ("POST", "/team/objections/{objection_id}/documents"): ("login", "ok", 404, 404, 404, 404, 404),
    # The organiser team
    ("GET", "/api/v1/contests/{contest_id}/organisers"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/organisers"): API_CONTEST_OWNER,
    ("DELETE", "/api/v1/contests/{contest_id}/organisers/{user_id}"): API_CONTEST_OWNER,
}


def with_team(method: str, rule: tuple[object, ...]) -> tuple[object, ...]:
    """The rule with the co-organiser's and the viewer's columns (see the docstring)."""
    if len(rule) == len(PEOPLE):
        return rule
    organiser, other_organiser = rule[5], rule[6]
    if method == "GET":
        viewer = organiser
    elif organiser == "ok":
        # Any organiser may (create a contest, log out): so may a viewer, elsewhere.
        viewer = "ok" if other_organiser == "ok" else 403
    else:
        # The path names an object of the contest: the viewer is refused before the route
        # looks for the object.
        viewer = 403 if organiser == 404 else organiser
    return (*rule, organiser, viewer)


MATRIX = {route: with_team(route[0], rule) for route, rule in MATRIX.items()}

# Routes whose {round_id} means the live final rather than the preliminary.
FINAL_ROUND_ROUTES = ("/live", "/draw")


def concrete(path: str, values: dict[str, int | str]) -> str:
    round_id = values["final_round_id"] if any(
        path.endswith(part) or f"{part}/" in path for part in FINAL_ROUND_ROUTES
    ) else values["round_id"]
    code = values["lang_code"] if path.startswith("/lang/") else values["code"]
    return path.format(contest_id=values["contest_id"], round_id=round_id,
                       entry_id=values["entry_id"], document_id=values["document_id"],
                       judge_id=values["judge_id"], track_id=values["track_id"],
                       award_id=values["award_id"], deal_id=values["deal_id"], code=code,
                       job_id=values["job_id"], publication_id=values["publication_id"],
                       objection_id=values["objection_id"], user_id=values["user_id"],
                       # Two families: the API and the page each remove their own.
                       family_id=values["page_family_id" if path.startswith("/manage/")
                                        else "family_id"],
                       token="no-such-link", session_id="0" * 64)


def caller(client: TestClient, world, person: str) -> Callable[..., object]:
    """A way to call the app as this person, through a new client of its own: a bearer
    token for the API, a logged-in browser (with its CSRF token) for pages."""
    accounts = {"team": world.team, "other_team": world.other_team,
                "judge": world.judge_users[0], "unassigned_judge": world.judge_users[1],
                "organiser": world.organiser, "other_organiser": world.other_organiser,
                "co_organiser": world.extra.get("co_organiser"),
                "viewer": world.extra.get("viewer")}
    account = accounts.get(person)
    headers = factories.bearer(client, account) if account else {}
    if account:
        factories.login(client, account)
    else:
        client.get("/login")  # a visitor's browser has a CSRF cookie
    return _caller(client, headers)


def _caller(client: TestClient, api_headers: dict[str, str]):  # type: ignore[no-untyped-def]
    def call(method: str, url: str):  # type: ignore[no-untyped-def]
        if url.startswith("/api/"):
            return client.request(method, url, headers=api_headers, json={})
        token = client.cookies.get("tj_csrf", "")
        data = {"csrf_token": token} if method != "GET" else None
        # The header too: upload routes read no urlencoded body, only a multipart one.
        return client.request(method, url, data=data, headers={"X-CSRF-Token": token},
                              follow_redirects=False)

    return call


def verdict(response) -> object:  # type: ignore[no-untyped-def]
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (301, 302, 303, 307) and response.headers.get("location", "").startswith(
            "/login"):
        return "login"
    if status in (401, 403, 404):
        return status
    return "ok"


def test_every_route_has_an_access_rule(app):
    routes = set(app_routes(app))

    assert sorted(routes - set(MATRIX)) == [], "decide who may call these routes"
    assert sorted(set(MATRIX) - routes) == [], "these routes no longer exist"


@pytest.fixture
def seated_judge(db, world, scene) -> None:
    """The scene's judge has a submitted sheet (in the semifinal, out of every other
    route's way), so removing them is refused (409) and every route after still finds them."""
    entry = db.get(Entry, scene["entry_id"])
    factories.sheet(db, world.semifinal, world.judges[0], entry, [100])
    db.commit()


@pytest.fixture
def organiser_team(db, world, scene) -> None:
    """A co-organiser and a viewer in the scene's contest (world.extra)."""
    for role in ("co_organiser", "viewer"):
        account = factories.user(db, Role.organiser, email=f"{role}@example.com")
        db.add(ContestOrganiser(contest_id=world.contest.id, user_id=account.id,
                                role=TeamRole.viewer if role == "viewer" else TeamRole.organiser))
        world.extra[role] = account
    db.commit()


@pytest.mark.slow
@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(make_client, world, scene, seated_judge, organiser_team, person):
    """One person per test (and per app and database), so the suite spreads them over
    its processes."""
    call = caller(make_client(), world, person)
    column = PEOPLE.index(person)
    ordered = sorted(MATRIX.items(), key=lambda item: _order(item[0]))
    problems = []
    # What the person may not call goes first, while everything is as arranged; then what
    # they may, reads before writes, judges' and teams' routes before organisers' ones.
    for phase in ("denied", "allowed"):
        for (method, path), rule in ordered:
            expected = rule[column]
            if (expected == "ok") != (phase == "allowed"):
                continue
            url = concrete(path, scene)
            got = verdict(call(method, url))
            if got != expected:
                problems.append(f"{method} {url} as {person}: expected {expected}, got {got}")

    assert problems == [], "\n".join(problems)


def _order(route: tuple[str, str]) -> tuple[int, str]:
    method, path = route
    if path == "/logout" or (method, path) == ("DELETE", "/api/v1/auth/token"):
        return (9, path)  # they end the caller's session or token
    if method == "GET":
        return (0, path)
    return (1 if "/judge" in path or "/team" in path or "sheet" in path else 2, path)

