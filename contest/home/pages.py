"""Pages anyone can see: the home page and the language switch."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from contest.accounts.service import ROLE_HOMES
from contest.core.i18n import LOCALES
from contest.core.web.deps import DbSession, OptionalUser
from contest.core.web.middleware import LANG_COOKIE
from contest.core.web.templating import render, safe_next
from contest.setup import contests

router = APIRouter()

@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: DbSession, user: OptionalUser) -> HTMLResponse:
    return render(
        request,
        "home.html",
        {
            "contests": contests.public_contests(db),
            "role_home": ROLE_HOMES.get(user.role) if user else None,
        },
    )


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response
