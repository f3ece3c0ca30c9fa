"""The organiser's outbox page: the contest's mails, secret bodies hidden."""

from bs4 import BeautifulSoup

from contest.notices import kinds
from contest.notices import service as notices
from tests.factories import login

kinds.register(kinds.MailKind(name="test_secret", subject="Secret link", paragraphs=("%(link)s",),
                              secret=True))


def _page(client, contest_id):
    return BeautifulSoup(client.get(f"/manage/contests/{contest_id}/outbox").text, "html.parser")


def test_outbox_lists_the_contests_mails(client, db, world):
    notices.enqueue(db, to="team@example.com", kind="test", context={},
                    contest_id=world.contest.id)
    notices.enqueue(db, to="judge1@example.com", kind="test_secret",
                    context={"link": "http://testserver/reset/TOKEN123"},
                    contest_id=world.contest.id)
    notices.enqueue(db, to="elsewhere@example.com", kind="test", context={},
                    contest_id=world.other_contest.id)
    db.commit()
    login(client, world.organiser)
    page = _page(client, world.contest.id)
    rows = page.select("tr[data-mail-id]")
    assert [row.select_one(".outbox-to").text for row in rows] == [
        "judge1@example.com", "team@example.com"]
    assert "TOKEN123" not in str(page)
    assert page.select_one("pre.mail-text") is not None  # the plain mail's text is shown
    assert page.select_one(".flash-info") is not None  # no SMTP: said so
    assert page.select_one("a[aria-current=page][href$='/outbox']") is not None


def test_outbox_page_numbers_are_bounded(client, db, world):
    login(client, world.organiser)
    # A page answers a bad query with 400, as every page does.
    assert client.get(f"/manage/contests/{world.contest.id}/outbox?page=0").status_code == 400
    assert client.get(f"/manage/contests/{world.contest.id}/outbox?page=99").status_code == 200
