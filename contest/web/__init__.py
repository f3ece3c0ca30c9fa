"""Server-rendered pages, one router per concept.

Every page router sits under `router`, whose CSRF check covers every form that
changes something. Routes that must read a large multipart body themselves
(streamed uploads) go on `streaming_router` and check the token as they parse.
"""

from fastapi import APIRouter, Depends

from contest.deps import csrf_protect
from contest.web import (
    accounts,
    awards,
    certificates,
    entries,
    exports,
    judging,
    live,
    manage,
    manage_judges,
    manage_rounds,
    pages,
    results,
)

router = APIRouter(include_in_schema=False)
protected = APIRouter(dependencies=[Depends(csrf_protect)])
for module in (
    pages,
    accounts,
    manage,
    manage_rounds,
    manage_judges,
    entries,
    judging,
    results,
    live,
    awards,
    certificates,
    exports,
):
    protected.include_router(module.router)
    streaming = getattr(module, "streaming_router", None)
    if streaming is not None:
        router.include_router(streaming)
router.include_router(protected)
