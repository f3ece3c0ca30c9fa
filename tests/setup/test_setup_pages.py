"""Organiser set-up pages: forms that create and change, with errors shown in place."""

import io

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Conflict, Contest, Criterion, Judge, Round, Track, User
from contest.notices import service as notices
from tests import factories


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_my_contests_lists_only_mine(client, world) -> None:
    factories.login(client, world.organiser)

    page = page_of(client.get("/manage"))

    titles = [a.get_text(strip=True) for a in page.select(".contest-card h2 a")]
    assert titles == [world.contest.name]


def test_create_contest_with_standard_setup(client, db, world) -> None:
    factories.login(client, world.organiser)

    response = client.post(
        "/manage/contests/new",
        data=factories.form(
            client,
            {
                "name": "2024年第三届“天骄湾杯”",
                "year": "2024",
                "edition": "3",
                "organisers": "普陀区科委\n某医学院\n",
                "registration_closes_at": "2024-07-15T18:00",
                "standard": "1",
            },
        ),
        follow_redirects=False,
    )

    contest = db.scalars(select(Contest).where(Contest.year == 2024)).one()
    assert response.headers["location"] == f"/manage/contests/{contest.id}"
    assert contest.organisers == ["普陀区科委", "某医学院"]
    # Entered in Shanghai time, stored in UTC.
    assert contest.registration_closes_at.isoformat() == "2024-07-15T10:00:00+00:00"
    tracks = db.scalars(select(Track).where(Track.contest_id == contest.id)).all()
    assert [(t.code, t.name, t.requires_company) for t in tracks] == [
        ("startup", "创业组", True),
        ("creative", "创意组", False),
    ]
    rounds = db.scalars(
        select(Round).where(Round.contest_id == contest.id).order_by(Round.position)
    ).all()
    assert [(r.name, r.kind, r.mode) for r in rounds] == [
        ("初赛", "preliminary", "online_review"),
        ("复赛", "semifinal", "online_review"),
        ("决赛路演", "final", "roadshow"),
    ]
    assert rounds[0].advance_count == {"startup": 35, "creative": 35}
    points = db.scalars(
        select(Criterion.max_tenths)
        .where(Criterion.round_id == rounds[0].id)
        .order_by(Criterion.position)
    ).all()
    assert points == [300, 250, 200, 150, 100]


def test_create_contest_shows_errors_next_to_fields(client, db, world) -> None:
    factories.login(client, world.organiser)

    response = client.post(
        "/manage/contests/new", data=factories.form(client, {"name": "", "year": "19"})
    )

    page = page_of(response)
    assert response.status_code == 422
    assert page.select_one("#e-name").get_text(strip=True) == "此项为必填。"
    assert page.select_one("#e-year").get_text(strip=True) == "不能小于 2000。"
    assert len(db.scalars(select(Contest)).all()) == 2


def test_add_track_form(client, db, world) -> None:
    factories.login(client, world.organiser)

    client.post(
        f"/manage/contests/{world.contest.id}/tracks",
        data=factories.form(
            client,
            {
                "code": "device",
                "name": "器械组",
                "requires_company": "1",
                "max_company_age_years": "3",
            },
        ),
    )

    track = db.scalars(select(Track).where(Track.code == "device")).one()
    assert (track.name, track.requires_company, track.max_company_age_years) == ("器械组", True, 3)


def test_add_track_form_with_duplicate_code(client, db, world) -> None:
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/contests/{world.contest.id}/tracks",
        data=factories.form(client, {"code": "startup", "name": "x"}),
    )

    assert response.status_code == 422
    assert (
        page_of(response).select_one("#e-code").get_text(strip=True) == "本赛事已有相同代码的组别。"
    )


def test_create_round_with_custom_rubric(client, db, world) -> None:
    factories.login(client, world.organiser)
    form = {
        "name": "网评",
        "kind": "semifinal",
        "order": "4",
        "judges_per_entry": "3",
        "aggregation": "mean",
        "trim_min_judges": "5",
        "normalization": "zscore",
        "carry_over_weight": "0.2",
        "advance_startup": "3",
        "advance_creative": "2",
        "pitch_minutes": "8",
        "qa_minutes": "5",
        "blind": "1",
        "criterion_name_0": "创新",
        "criterion_max_0": "60",
        "criterion_tiebreak_0": "1",
        "criterion_name_1": "市场",
        "criterion_max_1": "40",
        "criterion_description_1": "规模",
    }

    response = client.post(
        f"/manage/contests/{world.contest.id}/rounds/new",
        data=factories.form(client, form),
        follow_redirects=False,
    )

    created = db.scalars(select(Round).where(Round.name == "网评")).one()
    assert response.headers["location"] == f"/manage/rounds/{created.id}"
    assert (
        created.judges_per_entry,
        created.aggregation,
        created.normalization,
        str(created.carry_over_weight),
        created.blind,
        created.advance_count,
        created.qa_seconds,
    ) == (3, "mean", "zscore", "0.2000", True, {"startup": 3, "creative": 2}, 300)
    rubric = db.scalars(
        select(Criterion).where(Criterion.round_id == created.id).order_by(Criterion.position)
    ).all()
    assert [(c.name, c.max_tenths, c.tiebreak_priority, c.description) for c in rubric] == [
        ("创新", 600, 1, ""),
        ("市场", 400, None, "规模"),
    ]


def test_round_form_rejects_bad_values_in_place(client, db, world) -> None:
    factories.login(client, world.organiser)
    form = {
        "name": "x",
        "kind": "semifinal",
        "order": "4",
        "judges_per_entry": "0",
        "trim_min_judges": "5",
        "carry_over_weight": "1",
        "criterion_name_0": "A",
        "criterion_max_0": "-3",
    }

    response = client.post(
        f"/manage/contests/{world.contest.id}/rounds/new", data=factories.form(client, form)
    )

    page = page_of(response)
    assert response.status_code == 422
    assert page.select_one("#e-judges_per_entry").get_text(strip=True) == "不能小于 1。"
    assert page.select_one("#e-carry_over_weight").get_text(strip=True) == "必须小于 1。"
    assert page.select_one("input[name=criterion_max_0]")["value"] == "-3"
    assert db.scalars(select(Round).where(Round.name == "x")).all() == []


def test_round_page_shows_rubric_and_open_button(client, world) -> None:
    factories.login(client, world.organiser)

    page = page_of(client.get(f"/manage/rounds/{world.semifinal.id}"))

    rows = [
        [td.get_text(strip=True) for td in tr.select("td")] for tr in page.select(".table tbody tr")
    ]
    assert rows[0][1:] == ["30.0", "1"]
    assert page.select_one("tfoot .num").get_text(strip=True) == "100.0"
    assert page.select_one(f"form[action='/manage/rounds/{world.semifinal.id}/open']")


def test_open_round_button(client, db, world) -> None:
    factories.login(client, world.organiser)

    client.post(f"/manage/rounds/{world.semifinal.id}/open", data=factories.form(client))

    db.refresh(world.semifinal)
    assert world.semifinal.opens_at is not None
    assert world.semifinal.closes_at is None


def test_add_judge_without_password_invites_by_mail_and_shows_no_password(
        client, db, world) -> None:
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/contests/{world.contest.id}/judges",
        data=factories.form(
            client,
            {
                "name": "周评委",
                "email": "zhou@vc.cn",
                "institution": "某资本",
                "expertise": "数字健康；医疗器械",
            },
        ),
    )

    page = page_of(response)
    flashes = [f.get_text(strip=True) for f in page.select(".flash")]
    held = "未配置邮件服务器：邀请邮件保存在发件箱和服务器日志中，未发出。"
    assert f"已添加 1 位评委。{held}" in flashes
    assert page.select(".flash code") == []
    [mail] = notices.mails_to(db, "zhou@vc.cn")
    assert (mail.kind, mail.secret) == ("judge_invitation", True)
    judge = db.scalars(
        select(Judge).join(User, User.id == Judge.user_id).where(User.email == "zhou@vc.cn")
    ).one()
    assert judge.expertise == ["数字健康", "医疗器械"]
    assert page.select_one(f"form[action='/manage/judges/{judge.id}/password-reset'] button")


def test_judges_csv_upload_imports_all_rows(client, db, world) -> None:
    factories.login(client, world.organiser)
    csv_text = (
        "\ufeffemail,name,institution,title,expertise,password\n"
        "a@h.cn,甲,瑞金医院,主任医师,医疗器械;体外诊断,password-a\n"
        "b@h.cn,乙,中山医院,,,password-b\n"
    )

    client.post(
        f"/manage/contests/{world.contest.id}/judges/import",
        data={"csrf_token": factories.csrf_token(client)},
        files={"file": ("judges.csv", io.BytesIO(csv_text.encode()), "text/csv")},
    )

    emails = set(
        db.scalars(
            select(User.email)
            .join(Judge, Judge.user_id == User.id)
            .where(Judge.contest_id == world.contest.id)
        ).all()
    )
    assert {"a@h.cn", "b@h.cn"} <= emails


def test_judges_csv_with_a_bad_row_imports_nothing(client, db, world) -> None:
    factories.login(client, world.organiser)
    csv_text = "email,name,institution\nok@h.cn,好,医院\nbad-email,坏,医院\nnoname@h.cn,,医院\n"

    response = client.post(
        f"/manage/contests/{world.contest.id}/judges/import",
        data={"csrf_token": factories.csrf_token(client)},
        files={"file": ("j.csv", io.BytesIO(csv_text.encode()), "text/csv")},
    )

    messages = [li.get_text(strip=True) for li in page_of(response).select(".flash-error li")]
    assert response.status_code == 422
    assert messages == ["line.3.email: 请输入有效的电子邮箱地址。", "line.4.name: 此项为必填。"]
    assert db.scalars(select(User).where(User.email == "ok@h.cn")).all() == []


def test_declare_conflict_form(client, db, world) -> None:
    entry = factories.entry(db, world.contest, world.creative)
    db.commit()
    factories.login(client, world.organiser)

    client.post(
        f"/manage/contests/{world.contest.id}/conflicts",
        data=factories.form(
            client,
            {"judge_id": str(world.judges[2].id), "entry_id": str(entry.id), "reason": "同事"},
        ),
    )

    conflict = db.scalars(select(Conflict)).one()
    assert (conflict.judge_id, conflict.entry_id) == (world.judges[2].id, entry.id)


def test_another_organisers_contest_pages_are_404(client, world) -> None:
    factories.login(client, world.other_organiser)

    statuses = {
        url: client.get(url).status_code
        for url in (
            f"/manage/contests/{world.contest.id}",
            f"/manage/contests/{world.contest.id}/edit",
            f"/manage/contests/{world.contest.id}/judges",
            f"/manage/contests/{world.contest.id}/audit",
            f"/manage/contests/{world.contest.id}/rounds/new",
            f"/manage/rounds/{world.final.id}",
            f"/manage/rounds/{world.final.id}/edit",
        )
    }

    assert set(statuses.values()) == {404}


def test_judge_and_team_get_403_on_setup_pages(client, db, world) -> None:
    for account in (world.judge_users[0], world.team):
        factories.login(client, account)

        response = client.get(f"/manage/contests/{world.contest.id}")

        assert response.status_code == 403


def test_round_mistakes_get_the_same_messages_through_the_api_and_the_page(
    client, make_client, db, world
) -> None:
    factories.login(client, world.organiser)
    form = {"name": "x", "kind": "semifinal", "order": "4", "judges_per_entry": "0",
            "trim_min_judges": "5", "carry_over_weight": "1",
            "criterion_name_0": "A", "criterion_max_0": "30"}  # fmt: skip
    body = {"name": "x", "kind": "semifinal", "order": 4, "mode": "online_review",
            "judges_per_entry": 0, "trim_min_judges": 5, "carry_over_weight": 1,
            "criteria": [{"name": "A", "max_score": 30}]}  # fmt: skip
    api = make_client()

    page = client.post(
        f"/manage/contests/{world.contest.id}/rounds/new", data=factories.form(client, form)
    )
    answer = api.post(
        f"/api/v1/contests/{world.contest.id}/rounds",
        json=body,
        headers={**factories.bearer(api, world.organiser), "Accept-Language": "zh"},
    )

    assert (page.status_code, answer.status_code) == (422, 422)
    in_api = {e["loc"][-1]: e["msg"] for e in answer.json()["detail"]}
    on_page = {
        name: page_of(page).select_one(f"#e-{name}").get_text(strip=True) for name in in_api
    }
    assert set(in_api) == {"judges_per_entry", "carry_over_weight"}
    assert on_page == in_api
    assert db.scalars(select(Round).where(Round.name == "x")).all() == []
