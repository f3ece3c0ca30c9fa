"""Blind review through every route a judge reaches: nothing names the team.

The team's names are searched for in every answer a judge of a blind round gets: the
entry API, the documents list, the PDF itself (its document information, XMP and
text outside the pages), the judge's pages and the queue.
"""

import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject
from sqlmodel import Session

from contest.models import Document, Entry
from tests import factories
from tests.routes import app_routes
from tests.security.test_access_matrix import MATRIX, PEOPLE

NAMES = ("秘密大学", "SecretUni", "张秘密", "ZhangMimi", "李成员", "秘密科技", "91310000MA1FL4C54X",
         "秘密市", "video.example", "2019-05-06", "leader-secret@example.com", "13912345678")


def _hostile_pdf() -> bytes:
    """A business plan whose metadata, script and attachment all name the team."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(factories.pdf_bytes("Business plan"))))
    writer.add_metadata(
        {"/Author": "ZhangMimi", "/Title": "SecretUni TeamA", "/Subject": "SecretUni",
         "/Keywords": "SecretUni", "/Creator": "ZhangMimi", "/Producer": "SecretUni Office"}
    )
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"),
         NameObject("/JS"): TextStringObject("app.alert('SecretUni')")}
    )
    writer.add_attachment("SecretUni.txt", b"ZhangMimi")
    xmp = StreamObject()
    xmp.set_data(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>ZhangMimi</dc:creator>'
                 b"<dc:title>SecretUni TeamA</dc:title></x:xmpmeta>")
    xmp.update({NameObject("/Type"): NameObject("/Metadata"),
                NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def blind(db: Session, world: factories.World) -> Entry:
    world.preliminary.blind = True
    entry = factories.entry(
        db,
        world.contest,
        world.startup,
        owner=world.team,
        title="一种新型心脏支架",
        institution="秘密大学",
        members=("李成员",),
        company_name="秘密科技有限公司",
        credit_code="91310000MA1FL4C54X",
        founded_on=date(2019, 5, 6),
        video_url="https://video.example/pitch",
        rounds=(world.preliminary,),
    )
    entry.city, entry.leader_name = "秘密市", "张秘密"
    entry.leader_email = "leader-secret@example.com"
    entry.leader_phone = "13912345678"
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.criteria(db, world.preliminary)
    db.commit()
    return entry


def _upload(client, world, entry: Entry) -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/entries/{entry.id}/documents",
        data={"kind": "business_plan"},
        files={"file": ("SecretUni-ZhangMimi-TeamA-BP.pdf", _hostile_pdf(), "application/pdf")},
        headers=factories.bearer(client, world.organiser),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _leaks(content: bytes) -> list[str]:
    return [name for name in NAMES if name.encode() in content]


def test_blind_judge_receives_no_name_through_any_route(client, db, world, blind):
    document_id = _upload(client, world, blind)
    headers = factories.bearer(client, world.judge_users[0])
    round_id = world.preliminary.id
    api = [
        f"/api/v1/entries/{blind.id}",
        f"/api/v1/entries/{blind.id}/documents",
        f"/api/v1/documents/{document_id}",
        f"/api/v1/documents/{document_id}?inline=1",
        f"/api/v1/me/assignments?round_id={round_id}",
        f"/api/v1/rounds/{round_id}/entries/{blind.id}/sheet",
    ]
    answers = {url: client.get(url, headers=headers) for url in api}
    factories.login(client, world.judge_users[0])
    for url in ("/judge", f"/judge/rounds/{round_id}/entries/{blind.id}",
                f"/documents/{document_id}?inline=1"):
        answers[url] = client.get(url)

    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    leaks = {url: _leaks(r.content) for url, r in answers.items()}
    assert leaks == dict.fromkeys(answers, [])
    # The team's own names are really there for the organiser: the search can fail.
    organiser = factories.bearer(client, world.organiser)
    shown = client.get(f"/api/v1/entries/{blind.id}", headers=organiser)
    assert set(_leaks(shown.content)) >= {"秘密大学", "张秘密", "李成员"}


def test_every_route_open_to_a_blind_judge_is_searched(client, app, db, world, blind):
    """Not a list kept by hand: every GET route the access matrix opens to a judge (API,
    pages, documents, public pages and exports), called as the blind judge with the blind
    entry, its round and its document; plus the answer to saving a sheet."""
    document_id = _upload(client, world, blind)
    judge_column = PEOPLE.index("judge")
    routes = [path for (method, path), rule in MATRIX.items()
              if method == "GET" and rule[judge_column] == "ok"]
    assert set(routes) <= {path for method, path in app_routes(app) if method == "GET"}
    values = {"contest_id": world.contest.id, "round_id": world.preliminary.id,
              "entry_id": blind.id, "document_id": document_id, "code": "TJ-NONE",
              "token": "no-such-link"}
    urls = [path.format(**values) for path in routes if not path.startswith("/lang/")]
    urls += [f"/api/v1/documents/{document_id}?inline=1", f"/documents/{document_id}?inline=1",
             f"/api/v1/me/assignments?round_id={world.preliminary.id}",
             f"/api/v1/me/declarations?contest_id={world.contest.id}"]
    headers = factories.bearer(client, world.judge_users[0])
    answers = {url: client.get(url, headers=headers) for url in urls if url.startswith("/api/")}
    saved = client.put(f"/api/v1/rounds/{world.preliminary.id}/entries/{blind.id}/sheet",
                       json={"scores": {}}, headers=headers)
    answers["PUT sheet"] = saved
    factories.login(client, world.judge_users[0])
    answers |= {url: client.get(url) for url in urls if not url.startswith("/api/")}

    statuses = {url: r.status_code for url, r in answers.items()}
    assert [url for url, status in statuses.items() if status >= 500] == []
    # The judge really reached the entry, its documents, its sheet and the pages.
    reached = [f"/api/v1/entries/{blind.id}", f"/api/v1/entries/{blind.id}/documents",
               f"/api/v1/documents/{document_id}", f"/documents/{document_id}?inline=1",
               f"/judge/rounds/{world.preliminary.id}/entries/{blind.id}", "/judge",
               f"/judge/contests/{world.contest.id}/declarations", "PUT sheet"]
    assert {url: statuses[url] for url in reached} == dict.fromkeys(reached, 200)
    leaks = {url: _leaks(r.content) for url, r in answers.items() if _leaks(r.content)}
    assert leaks == {}


def test_blind_judge_gets_neutral_names_and_clean_pdf(client, db, world, blind):
    document_id = _upload(client, world, blind)
    headers = factories.bearer(client, world.judge_users[0])
    client.headers["Accept-Language"] = "zh"

    listed = client.get(f"/api/v1/entries/{blind.id}/documents", headers=headers).json()
    pdf = client.get(f"/api/v1/documents/{document_id}?inline=1", headers=headers)

    assert [d["filename"] for d in listed] == ["商业计划书.pdf"]
    assert "inline" in pdf.headers["content-disposition"]
    assert "%E5%95%86%E4%B8%9A%E8%AE%A1%E5%88%92%E4%B9%A6.pdf" in pdf.headers[
        "content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    info = reader.metadata or {}
    assert [k for k in ("/Author", "/Title", "/Subject", "/Keywords", "/Creator", "/Producer")
            if k in info] == []
    assert "/OpenAction" not in reader.trailer["/Root"]
    assert "/Metadata" not in reader.trailer["/Root"]  # no XMP
    assert "/Names" not in reader.trailer["/Root"]
    assert b"JavaScript" not in pdf.content
    assert len(reader.pages) == 1


def _hostile_pdf_sent(db: Session, settings, document_id: int) -> bytes:  # type: ignore[no-untyped-def]
    document = db.get(Document, document_id)
    assert document is not None
    return bytes((settings.uploads_dir / document.stored_name).read_bytes())


def test_organiser_still_gets_the_uploaded_name(client, db, world, blind, settings):
    document_id = _upload(client, world, blind)
    organiser = factories.bearer(client, world.organiser)

    listed = client.get(f"/api/v1/entries/{blind.id}/documents", headers=organiser).json()
    pdf = client.get(f"/api/v1/documents/{document_id}", headers=organiser)
    read = client.get(f"/api/v1/documents/{document_id}?inline=1", headers=organiser)

    assert [d["filename"] for d in listed] == ["SecretUni-ZhangMimi-TeamA-BP.pdf"]
    assert "SecretUni-ZhangMimi-TeamA-BP.pdf" in pdf.headers["content-disposition"]
    assert pdf.content == _hostile_pdf_sent(db, settings, document_id)  # the original
    assert b"JavaScript" not in read.content  # read in the browser: the cleaned copy


def test_pdf_that_cannot_be_cleaned_is_never_inline(client, db, world, blind, settings):
    document_id = _upload(client, world, blind)
    document = db.get(Document, document_id)
    assert document is not None
    assert document.clean_stored_name is not None
    document.clean_stored_name = None  # as when pypdf could not copy it
    world.preliminary.blind = False
    db.commit()
    headers = factories.bearer(client, world.judge_users[0])

    open_ = client.get(f"/api/v1/documents/{document_id}?inline=1", headers=headers)
    world.preliminary.blind = True
    db.add(world.preliminary)
    db.commit()
    blind_ = client.get(f"/api/v1/documents/{document_id}?inline=1", headers=headers)

    assert open_.status_code == 200
    assert open_.headers["content-disposition"].startswith("attachment")
    assert blind_.status_code == 409


def test_open_round_judge_still_sees_the_team(client, db, world, blind):
    world.preliminary.blind = False
    db.add(world.preliminary)
    db.commit()

    body = client.get(
        f"/api/v1/entries/{blind.id}", headers=factories.bearer(client, world.judge_users[0])
    ).json()

    assert (body["institution"], body["leader_name"], body["members"]) == (
        "秘密大学", "张秘密", ["李成员"])
    assert body["leader_email"] is None


def test_organiser_is_warned_of_names_on_the_first_page(client, db, world, settings):
    entry = factories.entry(
        db, world.contest, world.startup, institution="Fudan University",
        rounds=(world.preliminary,),
    )
    entry.leader_name = "Zhang San"
    db.commit()
    organiser = factories.bearer(client, world.organiser)
    client.post(
        f"/api/v1/entries/{entry.id}/documents",
        data={"kind": "business_plan"},
        files={"file": ("bp.pdf", factories.pdf_bytes("Team of FUDAN  University"),
                        "application/pdf")},
        headers=organiser,
    )
    client.post(
        f"/api/v1/entries/{entry.id}/documents",
        data={"kind": "pitch_deck"},
        files={"file": ("deck.pdf", factories.pdf_bytes("A cover without names"),
                        "application/pdf")},
        headers=organiser,
    )
    factories.login(client, world.organiser)

    soup = BeautifulSoup(client.get(f"/manage/entries/{entry.id}").text, "html.parser")

    warnings = [w.get_text() for w in soup.select(".name-warning")]
    assert len(warnings) == 1
    assert "bp.pdf" in warnings[0]
    assert "Fudan University" in warnings[0]
