"""Request bodies are bounded per route while they arrive: 413 before the app works on them,
and nothing of an oversized body is kept."""

import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from contest.core.web.limits import (
    FORM_HEADROOM,
    IMPORT_LIMIT,
    JSON_LIMIT,
    SCORE_LIMIT,
    limit_for,
    size_text,
)
from contest.models import ScoreSheet, User
from tests import factories
from tests.judging_setup import arrange_scoring

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


def users(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(User))


def register_body(size: int) -> bytes:
    return json.dumps({"email": "big@example.com", "password": "x" * size, "name": "n"}).encode()


def test_a_json_body_over_1_mb_is_refused_unread_with_413(client, db, world):
    before = users(db)

    response = client.post("/api/v1/auth/register", content=register_body(2 * MB),
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large: at most 1 MB may be sent here."}
    assert len(response.content) < 200
    assert users(db) == before


def test_a_chunked_json_body_is_stopped_when_it_crosses_1_mb(client, db, world):
    before = users(db)
    body = register_body(3 * MB)
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))

    response = client.post("/api/v1/auth/register", content=chunks,
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["detail"].endswith("at most 1 MB may be sent here.")
    assert users(db) == before


def test_a_score_save_over_64_kb_is_refused_before_authentication(client, db, world):
    scoring = arrange_scoring(db, world)
    body = json.dumps({"scores": {}, "comment": "长" * 40_000, "submit": False})

    anonymous = client.put(scoring.url(scoring.entries[0]), content=body,
                           headers={"Content-Type": "application/json"})
    judge = client.put(scoring.url(scoring.entries[0]), content=body,
                       headers={**factories.bearer(client, world.judge_users[0]),
                                "Content-Type": "application/json"})

    assert (anonymous.status_code, judge.status_code) == (413, 413)
    assert judge.json()["detail"] == "The request is too large: at most 64 KB may be sent here."
    assert db.scalar(select(func.count()).select_from(ScoreSheet)) == 0


def test_an_import_over_10_mb_is_refused_with_413(client, world):
    headers = factories.bearer(client, world.organiser)
    data = b"title\n" + b"x" * (IMPORT_LIMIT + FORM_HEADROOM)

    response = client.post(f"/api/v1/contests/{world.contest.id}/entries/import",
                           files={"file": ("big.csv", data, "text/csv")}, headers=headers)

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request is too large: at most 10 MB may be sent here.")


def test_a_page_form_over_1_mb_gets_the_error_page(client, world):
    response = client.post("/login", data={"email": "a@b.cn", "password": "x" * (2 * MB)})

    assert response.status_code == 413
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one(".error-code").get_text() == "413"
    assert "at most 1 MB" in page.select_one(".lead").get_text()
    assert response.headers["content-security-policy"]


@pytest.mark.parametrize(("method", "path", "limit"), [
    ("POST", "/api/v1/auth/register", JSON_LIMIT),
    ("PUT", "/api/v1/rounds/3/entries/41/sheet", SCORE_LIMIT),
    ("POST", "/judge/rounds/3/entries/41", SCORE_LIMIT),
    ("POST", "/api/v1/entries/41/documents", 20 * MB + FORM_HEADROOM),
    ("POST", "/team/entries/41/documents", 20 * MB + FORM_HEADROOM),
    ("POST", "/manage/entries/41/documents", 20 * MB + FORM_HEADROOM),
    ("POST", "/api/v1/contests/1/entries/import", IMPORT_LIMIT + FORM_HEADROOM),
    ("POST", "/manage/contests/1/entries/import", IMPORT_LIMIT + FORM_HEADROOM),
    ("POST", "/manage/contests/1/judges/import", IMPORT_LIMIT + FORM_HEADROOM),
    ("GET", "/api/v1/entries/41/documents", JSON_LIMIT),
    ("PUT", "/api/v1/rounds/3/entries/41/sheet/extra", JSON_LIMIT),
])
def test_each_route_kind_has_its_limit(method, path, limit):
    assert limit_for(method, path, upload_limit=20 * MB)[0] == limit


def test_sizes_read_as_people_write_them():
    assert [size_text(n) for n in (JSON_LIMIT, SCORE_LIMIT, 20 * MB, 1536 * 1024)] == [
        "1 MB", "64 KB", "20 MB", "1.5 MB"]
