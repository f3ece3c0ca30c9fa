"""An upload whose body is still arriving holds up nobody (issue 19, point 6): it takes its
turn at the database for the checks before the body, gives it back while the body
streams in, and takes it again to store the file. On SQLite the turn includes the
process's write queue: had the upload kept it, a judge's save would wait for the whole
upload and then answer 503."""

import socket
import time
import uuid

import httpx
from sqlalchemy import select

from contest.kit.uploads import INCOMING
from contest.models import Document
from tests import factories
from tests.judging_setup import arrange_scoring, full_scores
from tests.serving import serving

PDF = factories.pdf_bytes("计划书", pages=2)


def multipart(fields: dict[str, str], file: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    parts += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="plan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    return boundary, parts + file + f"\r\n--{boundary}--\r\n".encode()


def answer_of(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_judge_saves_while_an_upload_is_half_sent(app, db, world, settings):
    scoring = arrange_scoring(db, world)
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    with serving(app) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            team = factories.bearer(client, world.team)
            judge = factories.bearer(client, world.judge_users[0])
        boundary, body = multipart({"kind": "business_plan"}, PDF)
        host, port = base.removeprefix("http://").split(":")
        upload = socket.create_connection((host, int(port)), timeout=30)
        upload.sendall(
            f"POST /api/v1/entries/{entry.id}/documents HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: {team['Authorization']}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        try:
            # Its checks are done and its file is being written: the body is streaming in.
            incoming = settings.uploads_dir / INCOMING
            deadline = time.monotonic() + 60  # a broken upload must fail, not hang
            while not (incoming.is_dir() and any(incoming.iterdir())):
                assert time.monotonic() < deadline, "the upload never began to stream"
                time.sleep(0.01)
            with httpx.Client(base_url=base, timeout=30) as client:
                saved = client.put(
                    scoring.url(scoring.entries[0]),
                    json={"scores": full_scores(scoring)},
                    headers=judge,
                )
            upload.sendall(body[len(body) // 2 :])
            answer = answer_of(upload)
        finally:
            upload.close()

    assert saved.status_code == 200, saved.text
    assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
    db.commit()
    stored = db.scalars(select(Document).where(Document.entry_id == entry.id)).all()
    assert [d.size for d in stored] == [len(PDF)]
