"""Every page form that changes something refuses a request without the CSRF token."""

from sqlalchemy import func, select

from contest.models import AuditRecord, AuthSession, Contest, Entry, User
from tests import factories
from tests.routes import app_routes
from tests.security.test_access_matrix import concrete


def test_every_page_post_needs_the_csrf_token(app, client, make_client, db, world, scene):
    factories.login(client, world.organiser)
    # A team's own things (its objection) are unknown to anyone else, so the team asks.
    team = factories.login(make_client(), world.team)
    web_posts = [path for method, path in app_routes(app)
                 if method == "POST" and not path.startswith("/api/")]
    counts_before = counts(db)

    answers = {
        path: (team if path.startswith("/team/") else client).post(
            concrete(path, scene), data={"name": "x"}, follow_redirects=False
        ).status_code
        for path in web_posts
    }

    assert {"/login", "/logout", "/manage/contests/new"} <= set(web_posts)
    assert {path for path, status in answers.items() if status != 403} == set()
    assert counts(db) == counts_before
    assert client.get("/api/v1/me").status_code == 200  # not even logged out


def test_a_token_from_another_browser_is_refused(app, client, make_client, db, world, scene):
    factories.login(client, world.organiser)
    stranger = make_client()
    stranger_token = factories.csrf_token(stranger)

    response = client.post(f"/manage/contests/{world.contest.id}/edit",
                           data={"name": "篡改", "year": "2024", "csrf_token": stranger_token})

    assert response.status_code == 403
    db.refresh(world.contest)
    assert world.contest.name != "篡改"


def counts(db) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(model))
                 for model in (AuditRecord, AuthSession, Contest, Entry, User))
