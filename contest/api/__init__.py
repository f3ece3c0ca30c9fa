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
for module in (auth, contests, entries, judging, results, live, awards, certificates, exports):
    router.include_router(module.router)
