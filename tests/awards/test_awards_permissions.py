"""Only the contest's organisers allocate, publish and list awards."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Award
from tests import factories
from tests.awards_setup import Ranked, arrange_ranked
from tests.judging_setup import read


@pytest.fixture
def ranked(db: Session, world: factories.World) -> Ranked:
    return arrange_ranked(db, world)


EXPECTED = {"anonymous": 401, "team": 403, "judge": 403, "other_organiser": 404}


def client_as(make_client, world, role):  # type: ignore[no-untyped-def]
    client = make_client()
    account = {
        "anonymous": None,
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
        "organiser": world.organiser,
    }[role]
    if account is not None:
        client.headers.update(factories.bearer(client, account))
    return client


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize(("method", "suffix"), [("POST", ""), ("POST", "/publish"), ("GET", "")])
def test_awards_routes_refuse_everyone_but_the_organiser(
    make_client, db, world, ranked, role, method, suffix
):  # type: ignore[no-untyped-def]
    client = client_as(make_client, world, role)

    response = client.request(method, ranked.url + suffix, json={} if method == "POST" else None)

    assert response.status_code == EXPECTED[role]
    assert read(db, select(Award.id)) == []


def test_the_organiser_may_save_publish_and_list(make_client, world, ranked):
    client = client_as(make_client, world, "organiser")

    statuses = (
        client.post(ranked.url, json={}).status_code,
        client.post(ranked.url + "/publish").status_code,
        client.get(ranked.url).status_code,
    )

    assert statuses == (200, 200, 200)
