"""The suite's test client (tests/app_client.py) behaves as Starlette's does."""

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse

from tests.app_client import TestClient

app = FastAPI()


@app.get("/stream")
def stream() -> StreamingResponse:
    return StreamingResponse(iter([b"one,", b"two,", b"three"]), media_type="text/csv")


@app.api_route("/echo", methods=["GET", "HEAD", "POST"])
async def echo(request: Request) -> Response:
    body = await request.body()
    response = Response(body or request.url.query.encode(), media_type="text/plain")
    response.set_cookie("seen", request.cookies.get("seen", "") + "x")
    return response


@app.get("/broken")
def broken() -> None:
    raise RuntimeError("the route failed")


@pytest.mark.parametrize("opened", [True, False], ids=["with", "without-with"])
def test_a_streamed_answer_arrives_whole(opened):
    client = TestClient(app)
    with client if opened else client:
        response = client.get("/stream")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == "one,two,three"


def test_the_body_query_and_cookies_go_to_the_app_and_back():
    with TestClient(app) as client:
        posted = client.post("/echo", content="天骄".encode())
        asked = client.get("/echo?q=1")

    assert posted.text == "天骄"
    assert asked.text == "q=1"
    assert client.cookies["seen"] == "xx"  # the cookie of the first answer was sent back


def test_a_head_answer_has_no_body():
    with TestClient(app) as client:
        response = client.head("/echo?q=1")

    assert response.status_code == 200
    assert response.content == b""


def test_an_exception_in_the_app_reaches_the_test():
    with TestClient(app) as client, pytest.raises(RuntimeError, match="the route failed"):
        client.get("/broken")


def test_without_raising_it_is_a_server_error():
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")

    assert response.status_code == 500
