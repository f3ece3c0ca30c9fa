"""The whole-contest workbook as a background job, started from the exports page."""

import io
from urllib.parse import unquote

import openpyxl
from bs4 import BeautifulSoup

from tests import factories
from tests.factories import csrf_token, login


def test_the_workbook_job_offers_the_workbook(client, db, world, run_jobs):
    factories.entry(db, world.contest, world.startup, title="智能康复机器人",
                    rounds=(world.preliminary,))
    db.commit()
    login(client, world.organiser)
    page = BeautifulSoup(client.get(f"/manage/contests/{world.contest.id}/exports").text,
                         "html.parser")
    form = page.select_one("form.background-job-form")
    started = client.post(form["action"], data={"csrf_token": csrf_token(client)},
                          follow_redirects=False)
    assert started.status_code == 303
    job_id = int(unquote(started.headers["location"]).split("/")[2].split("?")[0])
    assert client.get(f"/api/v1/jobs/{job_id}").json()["state"] == "queued"
    run_jobs()
    done = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (done["state"], done["kind"]) == ("done", "exports.workbook")
    download = client.get(done["result_url"])
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    assert workbook.sheetnames[0] == "参赛项目"
    entries = workbook["参赛项目"]
    assert any(cell.value == "智能康复机器人" for row in entries.iter_rows() for cell in row)
