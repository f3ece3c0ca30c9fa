"""The JSON API under /api/v1, one router per concept."""

from fastapi import APIRouter

from contest.api import (
    auth,
    awards,
    certificates,
    contests,
    entries,
    exports,
    judging,
    live,
    results,
)

router = APIRouter(prefix="/api/v1")
# Routes are matched in order: the judges' autosaves and the big screen's polls, most of
# a contest day's requests, come first instead of after a hundred other routes.
for module in (judging, live, auth, contests, entries, results, awards, certificates, exports):
    router.include_router(module.router)
