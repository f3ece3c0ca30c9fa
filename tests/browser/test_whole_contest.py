"""The whole contest in one browser test, from an empty database: only the organiser's
account is made by a factory; everything else happens in Chromium, one browser context
per person, the way the organiser, seven teams, four judges, a big screen and the
public would do it.

Set-up (standard template, tuned for a small contest) -> registration on /register with
PDFs -> judges one by one and by CSV -> preliminary (auto-assignment, scoring, results,
advancement) -> semifinal -> the live final with the big screen -> awards with a tie
settled by the organiser -> certificates downloaded, verified and one revoked ->
exports opened with csv and openpyxl. Screenshots of each step: test-artifacts/.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import Role
from contest.entries.eligibility import credit_code_check_character
from contest.models import Contest, Entry, LiveState, Round, RoundEntry
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll

MAXIMA = (300, 250, 200, 150, 100)  # the standard rubric, in tenths
JUDGE_OFFSETS = (-5, 0, 5, 10)  # tenths added to each judge's total: judges differ a little


@dataclass(frozen=True)
class Team:
    title: str
    track: str
    leader: str
    institution: str
    city: str
    totals: tuple[float, ...]  # each round's total before a judge's offset
    phone: bool = False
    locale: str = "zh-CN"  # "en": this team reads the pages in English

    @property
    def email(self) -> str:
        return f"team{TEAMS.index(self) + 1}@example.com"


# Startup: 3 advance from the preliminary and 2 from the semifinal; creative: 2 then 1.
# The two startup finalists get identical sheets in the final: a tie for gold.
TEAMS = (
    Team("单细胞测序肿瘤早筛平台", "startup", "周子涵", "复旦大学", "上海", (88, 90, 91)),
    Team("可穿戴连续血糖监测贴片", "startup", "吴思远", "同济大学", "上海", (84, 86, 91), True),
    Team("术中快速病理诊断仪", "startup", "郑雨桐", "浙江大学", "杭州", (79, 80)),
    Team("基层慢病管理数字平台", "startup", "孙浩然", "上海大学", "上海", (72,), True),
    Team("老年认知障碍早筛小程序", "creative", "钱梦琪", "上海中医药大学", "上海", (86, 87, 89)),
    Team("新型可降解止血材料", "creative", "冯嘉怡", "东华大学", "上海", (80, 82), True),
    Team(
        "中药活性成分高通量筛选", "creative", "陈一鸣", "华东理工大学", "上海", (70,), False, "en"
    ),
)
BY_TITLE = {t.title: t for t in TEAMS}
# name, e-mail, institution, title, expertise; the first two are added one by one.
JUDGES = (
    ("王建国", "wang.jianguo@judges.example.com", "上海交通大学医学院", "教授", "医疗器械;诊断"),
    ("李雪梅", "li.xuemei@judges.example.com", "中国科学院上海药物研究所", "研究员", "创新药"),
    ("张伟", "zhang.wei@judges.example.com", "浦江生命健康投资基金", "投资合伙人", "数字健康"),
    # Not a Fudan hospital: the final needs all four judges for the 复旦大学 entry.
    ("陈静", "chen.jing@judges.example.com", "上海市第六人民医院", "主任医师", "临床;诊断"),
)
COMMENTS = (
    "技术路线清晰，建议补充临床验证数据。",
    "市场定位明确，商业模式仍需打磨。",
    "团队背景扎实，注册路径规划合理。",
    "Strong team; the reimbursement path needs more work.",
)
SCORE = re.compile(r"^\d+\.\d\d$")


def credit_code(serial: int) -> str:
    first17 = f"91310107MA1G{serial:05d}"
    return first17 + credit_code_check_character(first17)


def marks(total: float, offset: int) -> list[str]:
    """The criterion values (points) of a sheet totalling total + offset tenths."""
    tenths = round(total * 10) + offset
    values = [most * tenths // 1000 for most in MAXIMA]
    values[0] += tenths - sum(values)
    return [f"{v / 10:g}" for v in values]


def login(page: Page, base: str, email: str, home: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}{home}")


def submit_form(page: Page, selector: str) -> None:
    # The navigation's own (longer) timeout governs, not the click's: under CI load an
    # upload's answer can take more than the 10 s a click waits.
    with page.expect_navigation():
        page.click(selector, no_wait_after=True)


def local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def titles_in(db: Session, round_id: int) -> set[str]:
    rows = db.execute(
        select(Entry.title).join(RoundEntry).where(RoundEntry.round_id == round_id)
    ).all()
    return {title for (title,) in rows}


class Story:
    """The people of the contest and what they share: URLs, ids, pages."""

    def __init__(self, base, new_context, screenshot, db, tmp_path):  # type: ignore[no-untyped-def]
        self.base, self.new_context, self.shot, self.db = base, new_context, screenshot, db
        self.tmp = tmp_path
        self.organiser = new_context().new_page()
        self.organiser.on("dialog", lambda dialog: dialog.accept())
        self.teams: dict[str, Page] = {}
        self.judges: list[Page] = []
        self.contest_id = 0
        self.rounds: list[int] = []

    def goto(self, path: str) -> Page:
        self.organiser.goto(f"{self.base}{path}")
        return self.organiser

    def flash(self, page: Page | None = None) -> str:
        return (page or self.organiser).locator(".flash-success").inner_text()

    # 1. Set-up.

    def create_contest(self, email: str) -> None:
        page = self.organiser
        login(page, self.base, email, "/manage")
        page.goto(f"{self.base}/manage/contests/new")
        now = datetime.now().astimezone()
        page.fill("#f-name", "2026年第五届“天骄湾杯”生命健康创新创业大赛")
        page.fill("#f-series", "天骄湾杯")
        page.fill("#f-edition", "5")
        page.fill("#f-year", "2026")
        page.fill("#f-registration_opens_at", local(now - timedelta(days=1)))
        page.fill("#f-registration_closes_at", local(now + timedelta(days=30)))
        page.fill("#f-organisers", "上海天骄湾科技园\n华东医学院")
        expect(page.locator("input[name=standard]")).to_be_checked()
        self.shot(page, "01-new-contest")
        submit_form(page, "form.card button[type=submit]")
        self.contest_id = int(re.search(r"/manage/contests/(\d+)$", page.url)[1])  # type: ignore[index]
        links = page.locator("ol.round-list a").evaluate_all("els => els.map(a => a.href)")
        self.rounds = [int(href.rsplit("/", 1)[1]) for href in links]
        assert len(self.rounds) == 3
        for round_id, judges, startup, creative in zip(
            self.rounds, (3, 3, 4), (3, 2, 0), (2, 1, 0), strict=True
        ):
            page.goto(f"{self.base}/manage/rounds/{round_id}/edit")
            page.fill("#f-judges_per_entry", str(judges))
            page.fill("#f-advance_startup", str(startup))
            page.fill("#f-advance_creative", str(creative))
            submit_form(page, "form.round-form button[type=submit]")
            assert self.flash() == "修改已保存。"
        self.shot(page, "02-final-round")

        page.goto(f"{self.base}/manage/contests/{self.contest_id}")
        self.set_status("open")
        expect(page.locator(".facts .badge-open")).to_be_visible()
        self.shot(page, "03-contest-open")

    def set_status(self, status: str) -> None:
        page = self.goto(f"/manage/contests/{self.contest_id}")
        page.select_option("#f-status", status)
        submit_form(page, "form[action$='/status'] button[type=submit]")

    def add_judges(self) -> None:
        page = self.goto(f"/manage/contests/{self.contest_id}/judges")
        for name, email, institution, title, expertise in JUDGES[:2]:
            form = page.locator(f"form[action='/manage/contests/{self.contest_id}/judges']")
            form.locator("#f-name").fill(name)
            form.locator("#f-email").fill(email)
            form.locator("#f-institution").fill(institution)
            form.locator("#f-title").fill(title)
            form.locator("#f-expertise").fill(expertise)
            form.locator("#f-password").fill(factories.PASSWORD)
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
            assert self.flash().startswith("已添加 1 位评委。")
        upload = self.tmp / "评委名单.csv"
        with upload.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["email", "name", "institution", "title", "expertise", "password"])
            for name, email, institution, title, expertise in JUDGES[2:]:
                writer.writerow([email, name, institution, title, expertise, factories.PASSWORD])
        page.set_input_files("#f-file", str(upload))
        submit_form(page, "form[action$='/judges/import'] button[type=submit]")
        assert self.flash().startswith("已添加 2 位评委。")
        expect(page.locator("table.table").first.locator("tbody tr")).to_have_count(4)
        self.shot(page, "04-judges")

    # 2. Teams.

    def register(self, serial: int, team: Team) -> None:
        page = self.new_context(phone=team.phone, locale=team.locale).new_page()
        self.teams[team.title] = page
        page.goto(self.base)
        page.locator("main a[href='/register']").first.click()
        page.fill("#f-name", team.leader)
        page.fill("#f-email", team.email)
        page.fill("#f-password", factories.PASSWORD)
        page.check("#f-privacy_consent")
        submit_form(page, "form.stack button[type=submit]")
        assert page.url == f"{self.base}/team"
        page.click(f"a[href='/team/contests/{self.contest_id}/enter']")
        page.check(f"input[name=track_code][value={team.track}]")
        page.fill("#f-title", team.title)
        page.fill("#f-summary", f"{team.title}：面向临床与基层医疗的创新方案，已完成原型验证。")
        page.fill("#f-field", "医疗器械" if team.track == "startup" else "数字健康")
        page.fill("#f-city", team.city)
        page.fill("#f-institution", team.institution)
        page.fill("#f-leader_name", team.leader)
        page.fill("#f-leader_phone", f"1380013{serial:04d}")
        page.fill("#f-members", "李雷\n韩梅梅")
        if team.track == "startup":
            page.fill("#f-company_name", f"上海{team.leader}医疗科技有限公司")
            page.fill("#f-credit_code", credit_code(serial))
            page.fill("#f-founded_on", "2023-06-01")
        page.check("#f-privacy_consent")
        if serial == 0:
            self.shot(page, "05-entry-form")
        submit_form(page, ".entry-form button[type=submit]")
        assert page.url.startswith(f"{self.base}/team")
        plan = self.tmp / f"商业计划书-{serial}.pdf"
        plan.write_bytes(factories.pdf_bytes(f"Business plan {serial}", pages=2))
        page.set_input_files("form.upload-form input[type=file]", str(plan))
        submit_form(page, "form.upload-form button[type=submit]")
        card = page.locator("article.entry-card")
        expect(card.locator(".doc-main a")).to_have_text(plan.name)
        expect(card.locator(".entry-badges .badge-ok")).to_be_visible()
        if team.phone:
            assert_no_sideways_scroll(page)
        if serial in (0, 1):
            self.shot(page, f"06-team-dashboard-{'phone' if team.phone else 'desktop'}")

    # 3. Online rounds.

    def judges_log_in(self) -> None:
        for n, (_name, email, *_rest) in enumerate(JUDGES):
            # The last judge reads the pages in English.
            locale = "en-US" if n == len(JUDGES) - 1 else "zh-CN"
            page = self.new_context(phone=n % 2 == 1, locale=locale).new_page()
            login(page, self.base, email, "/judge")
            self.judges.append(page)

    def assign(self, round_id: int, expected: int) -> None:
        page = self.goto(f"/manage/rounds/{round_id}/assignments")
        page.fill("#f-seed", "2026")
        submit_form(page, "form.assign-run button[type=submit]")
        assert page.locator(".stats .stat .value").nth(3).inner_text() == str(expected)
        assert page.locator(".stats .stat .value").nth(5).inner_text() == "0"

    def open_round(self, round_id: int) -> None:
        page = self.goto(f"/manage/rounds/{round_id}")
        submit_form(page, f"form[action='/manage/rounds/{round_id}/open'] button")
        assert self.flash() == "本赛段已开放评分。"

    def score_online(self, round_id: int, stage: int, step: str) -> int:
        sheets = 0
        for n, page in enumerate(self.judges):
            page.goto(f"{self.base}/judge")
            links = page.locator(f"a[href^='/judge/rounds/{round_id}/entries/']")
            hrefs = list(dict.fromkeys(links.evaluate_all("els => els.map(a => a.href)")))
            for href in hrefs:
                page.goto(href)
                team = BY_TITLE[page.locator("h1").inner_text()]
                values = marks(team.totals[stage], JUDGE_OFFSETS[n])
                inputs = page.locator("#sheet-form input[type=number]")
                expect(inputs).to_have_count(len(MAXIMA))
                for i, value in enumerate(values):
                    inputs.nth(i).fill(value)
                page.fill("#f-comment", COMMENTS[n])
                page.click("#submit-sheet")
                dialog = page.locator("#confirm-dialog")
                total = (round(team.totals[stage] * 10) + JUDGE_OFFSETS[n]) / 10
                expect(dialog.locator("[data-total]")).to_have_text(f"{total:.1f}")
                if sheets == 0:
                    self.shot(page, f"{step}-judge-confirm-{'phone' if n % 2 else 'desktop'}")
                dialog.locator("[data-confirm-submit]").click()
                expect(page.locator(".sheet-card .flash-success")).to_be_visible()
                sheets += 1
            page.goto(f"{self.base}/judge")
            if n == 1:
                self.shot(page, f"{step}-judge-done-phone")
        return sheets

    def close_and_advance(self, round_id: int, step: str) -> None:
        page = self.goto(f"/manage/rounds/{round_id}/progress")
        self.shot(page, f"{step}-progress")
        page = self.goto(f"/manage/rounds/{round_id}")
        submit_form(page, f"form[action='/manage/rounds/{round_id}/close'] button")
        assert self.flash() == "本赛段已关闭评分。"
        page.goto(f"{self.base}/manage/rounds/{round_id}/results")
        expect(page.locator("table.results-table").first).to_be_visible()
        for score in page.locator("table.results-table td.score").all_inner_texts():
            assert SCORE.match(score.strip()), score
        self.shot(page, f"{step}-results")
        page.goto(f"{self.base}/manage/rounds/{round_id}/advancement")
        expect(page.locator(".tie-note")).to_have_count(0)
        page.click(".confirm-actions button[type=submit]")
        expect(page.locator("section.decision")).to_be_visible()
        page.check(".publish-forms input[name=feedback]")
        page.click(".publish-forms button.btn-primary")
        expect(page.locator("section.decision .badge-advanced")).to_be_visible()
        self.shot(page, f"{step}-advancement-published")

    # 4. The live final.

    def live_final(self) -> dict[str, str]:
        final = self.rounds[2]
        self.assign(final, 3 * len(JUDGES))
        control = self.goto(f"/manage/rounds/{final}/live")
        control.fill("#f-seed", "2026")
        submit_form(control, "form.live-draw button[type=submit]")
        expect(control.locator(".flash-success")).to_contain_text("2026")
        screen = self.new_context().new_page()
        screen.set_viewport_size({"width": 1600, "height": 900})
        screen.goto(f"{self.base}/live/{final}")
        expect(screen.locator("[data-bs=order] li")).to_have_count(3)
        self.shot(screen, "30-big-screen-order")
        for page in self.judges:
            page.goto(f"{self.base}/judge")
            page.click(f"a[href='/judge/rounds/{final}/live']")
            expect(page.locator("[data-view=waiting]")).to_be_visible()
        self.shot(self.judges[1], "31-judge-waiting-phone")
        control.click("form[data-step=start] button")
        expect(control.locator("[data-live=phase]")).to_have_text("路演中")
        shown: dict[str, str] = {}
        for pitch in range(3):
            title = self.pitch(final, control, screen, pitch)
            shown[title] = screen.locator("[data-bs=score]").inner_text()
            if pitch < 2:
                control.click("form[data-step=next] button")
                expect(control.locator("[data-live=phase]")).to_have_text("路演中")
        self.shot(control, "35-control-all-revealed")
        control.click("form[data-step=finish] button")
        expect(screen.locator("[data-bs=phase]")).to_have_text("决赛已结束")
        expect(screen.locator(".bs-board-score")).to_have_count(3)
        for page in self.judges:
            expect(page.locator("[data-view=finished]")).to_be_visible()
        self.shot(screen, "36-big-screen-final")
        self.judges[-1].goto(f"{self.base}/judge")
        self.shot(self.judges[-1], "37-judge-dashboard-en-phone")
        return shown

    def pitch(self, final: int, control: Page, screen: Page, pitch: int) -> str:
        on_stage = self.db.execute(  # execute(), not scalar(): FreshSession sees the app's writes
            select(Entry.title)
            .join(LiveState, LiveState.current_entry_id == Entry.id)
            .where(LiveState.round_id == final)
        ).scalar()
        assert on_stage is not None
        title = str(on_stage)
        expect(screen.locator("[data-bs=title]")).to_have_text(title)
        expect(control.locator("[data-live=title]")).to_have_text(title)
        if pitch == 0:
            self.shot(screen, "32-big-screen-pitch")
        team = BY_TITLE[title]
        for n, page in enumerate(self.judges):
            expect(page.locator("#live-title")).to_have_text(title)
            inputs = page.locator("#live-sheet input[name^=score-]")
            for i, value in enumerate(marks(team.totals[2], JUDGE_OFFSETS[n])):
                inputs.nth(i).fill(value)
            if pitch == 0 and n == 1:
                self.shot(page, "33-judge-live-phone")
            page.click("#live-sheet button[type=submit]")
            page.click("#live-confirm [data-confirm-submit]")
            expect(page.locator("[data-view=submitted]")).to_be_visible()
        expect(control.locator("[data-live=count]")).to_have_text("4/4 位评委已评分")
        control.click("form[data-step=reveal] button")
        expected = f"{team.totals[2] + sum(JUDGE_OFFSETS) / 40:.2f}"
        expect(screen.locator("[data-bs=revealed-title]")).to_have_text(title)
        expect(screen.locator("[data-bs=score]")).to_have_text(expected)
        expect(screen.locator("[data-bs=judges] li")).to_have_count(len(JUDGES))
        if pitch == 0:
            self.shot(screen, "34-big-screen-revealed")
        for page in self.judges:
            expect(page.locator("[data-view=waiting]")).to_be_visible()
        return title

    # 5. Awards and certificates.

    def awards(self, ids: dict[str, int]) -> list[dict]:  # type: ignore[type-arg]
        page = self.goto(f"/manage/contests/{self.contest_id}/awards")
        page.fill("#f-gold", "1")
        page.fill("#f-silver", "1")
        page.fill("#f-bronze", "0")
        submit_form(page, "form.awards-form button[type=submit]")
        expect(page.locator(".awards-ties")).to_be_visible()
        self.shot(page, "40-awards-tie")
        first, second = TEAMS[0].title, TEAMS[1].title
        page.check(f"input[name=resolve-{ids[first]}][value=gold]")
        page.check(f"input[name=resolve-{ids[second]}][value=silver]")
        submit_form(page, "form.awards-form button[type=submit]")
        page.fill("#f-reason", "同分项目经评委会合议，按现场答辩表现确定金奖")
        submit_form(page, "form.awards-save button[type=submit]")
        expect(page.locator(".flash-success")).to_contain_text("已保存")
        submit_form(page, "form.awards-publish button[type=submit]")
        expect(page.locator(".awards-table td.mono")).to_have_count(3)
        self.shot(page, "41-awards-published")
        response = page.request.get(f"{self.base}/api/v1/contests/{self.contest_id}/awards")
        assert response.status == 200
        return response.json()  # type: ignore[no-any-return]

    def download(self, page: Page, selector: str) -> Path:
        with page.expect_download() as info:
            page.click(selector)
        download = info.value
        path = self.tmp / download.suggested_filename
        download.save_as(path)
        return path


def expected_advancing(stage: int, counts: dict[str, int]) -> set[str]:
    """The titles advancing from a round (every judge's offset averages out in between)."""
    chosen = set()
    for track, count in counts.items():
        alive = [t for t in TEAMS if t.track == track and len(t.totals) > stage]
        alive.sort(key=lambda t: -t.totals[stage])
        chosen |= {t.title for t in alive[:count]}
    return chosen


FINALISTS = expected_advancing(1, {"startup": 2, "creative": 1})


def test_the_whole_contest(live_server, new_context, screenshot, db, tmp_path: Path) -> None:
    organiser = factories.user(db, Role.organiser, email="zuweihui@example.com", name="组委会")
    db.commit()
    story = Story(live_server, new_context, screenshot, db, tmp_path)

    # 1. The organiser sets the contest up and adds the judges.
    story.create_contest(organiser.email)
    story.add_judges()
    status = db.execute(select(Contest.status).where(Contest.id == story.contest_id)).scalar()
    assert status == "open"
    rounds = select(Round.judges_per_entry, Round.advance_count).order_by(Round.position)
    assert [tuple(row) for row in db.execute(rounds)] == [
        (3, {"startup": 3, "creative": 2}),
        (3, {"startup": 2, "creative": 1}),
        (4, {"startup": 0, "creative": 0}),
    ]

    # 2. Teams register and enter with their business plans.
    for serial, team in enumerate(TEAMS):
        story.register(serial, team)
    assert titles_in(db, story.rounds[0]) == set(BY_TITLE)

    # 3. Registration closes; the preliminary and the semifinal are judged online.
    story.set_status("judging")
    page = story.teams[TEAMS[0].title]
    page.reload()
    expect(page.locator("a[href^='/team/entries/'][href$='/edit']")).to_have_count(0)
    story.judges_log_in()
    judge_online_rounds(story)

    # 4. The live final, scored on phones and shown on the big screen.
    shown = story.live_final()
    assert shown == {t: f"{BY_TITLE[t].totals[2] + 0.25:.2f}" for t in FINALISTS}

    # 5. Awards, certificates; 6. exports.
    given = awards_and_results(story)
    certificates(story, given)
    exports(story)


def judge_online_rounds(story: Story) -> None:
    for stage, counts in enumerate(({"startup": 3, "creative": 2}, {"startup": 2, "creative": 1})):
        round_id, step = story.rounds[stage], f"1{stage + 1}"
        entries = len(titles_in(story.db, round_id))
        story.assign(round_id, entries * 3)
        story.open_round(round_id)
        assert story.score_online(round_id, stage, step) == entries * 3
        story.close_and_advance(round_id, step)
        assert titles_in(story.db, story.rounds[stage + 1]) == expected_advancing(stage, counts)


def awards_and_results(story: Story) -> dict[str, dict]:  # type: ignore[type-arg]
    """The startup tie for gold is settled by the organiser; the public page shows winners."""
    ids = {title: id_ for id_, title in story.db.execute(select(Entry.id, Entry.title)).all()}
    titles = {id_: title for title, id_ in ids.items()}
    given = {titles[a["entry_id"]]: a for a in story.awards(ids)}
    assert {t: a["tier"] for t, a in given.items()} == {
        TEAMS[0].title: "gold",
        TEAMS[1].title: "silver",
        TEAMS[4].title: "gold",
    }
    public = story.new_context(phone=True).new_page()
    public.goto(f"{story.base}/results/{story.contest_id}")
    winners = public.locator(".results-part").first.locator(".results-title")
    expect(winners).to_have_count(3)
    assert set(winners.all_inner_texts()) == set(given)
    assert_no_sideways_scroll(public)
    story.shot(public, "42-public-results-phone")

    story.set_status("finished")
    out = story.teams[TEAMS[3].title]
    out.goto(f"{story.base}/team")
    expect(out.locator(".round-step")).to_have_count(1)
    expect(out.locator(".round-step .badge-eliminated")).to_be_visible()
    expect(out.locator(".certificate-box")).to_contain_text("获奖结果已公布，本项目未获奖。")
    expect(out.locator(".withdraw-box")).to_have_count(0)  # too late once the contest is over
    story.shot(out, "43-team-not-advanced-phone")
    return given


def certificates(story: Story, given: dict[str, dict]) -> None:  # type: ignore[type-arg]
    """A team downloads its certificate and checks its code; one certificate is revoked."""
    base, winner, revoked = story.base, given[TEAMS[0].title], given[TEAMS[1].title]
    team = story.teams[TEAMS[0].title]
    team.goto(f"{base}/team")
    expect(team.locator(".certificate-box .badge-gold")).to_be_visible()
    steps = [text.split()[-1] for text in team.locator(".round-step").all_inner_texts()]
    assert steps == ["晋级", "晋级", "已结束"]
    story.shot(team, "43-team-award")
    text = "".join(
        p.extract_text() for p in PdfReader(story.download(team, ".certificate-box a")).pages
    )
    code = re.search(r"TJ(?:-[A-Z2-7]{4}){4}", text)
    assert code is not None
    assert code[0] == winner["certificate_code"]
    public = story.new_context(phone=True).new_page()
    public.goto(f"{base}/verify/{code[0]}")
    expect(public.locator(".verify-valid")).to_contain_text(TEAMS[0].title)
    story.shot(public, "44-verify-valid")

    page = story.goto(f"/manage/contests/{story.contest_id}/certificates")
    item = page.locator(f"#cert-{revoked['certificate_code']}")
    item.locator("summary").click()
    item.locator("textarea[name=reason]").fill("获奖项目材料与实际不符，经组委会复核撤销")
    submit_form(page, f"#cert-{revoked['certificate_code']} button[type=submit]")
    expect(page.locator(f"#cert-{revoked['certificate_code']}.is-revoked")).to_be_visible()
    story.shot(page, "45-certificate-revoked")
    public.goto(f"{base}/verify/{revoked['certificate_code']}")
    expect(public.locator(".verify-revoked")).to_be_visible()
    story.shot(public, "46-verify-revoked")
    gone = story.teams[TEAMS[1].title].request.get(
        f"{base}/api/v1/awards/{revoked['id']}/certificate.pdf"
    )
    assert gone.status == 410


def exports(story: Story) -> None:
    """The entries CSV and the whole-contest workbook, opened as Excel would open them."""
    page = story.goto(f"/manage/contests/{story.contest_id}/exports")
    story.shot(page, "50-exports")
    raw = story.download(page, "a[href$='/entries.csv']").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == set(BY_TITLE)
    assert {row["institution"] for row in rows} == {t.institution for t in TEAMS}
    assert {row["leader_name"] for row in rows} == {t.leader for t in TEAMS}

    path = story.download(page, ".export-hero a.btn-primary")
    assert path.name.startswith("2026年第五届“天骄湾杯”")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "参赛项目"
    assert workbook.sheetnames[-1] == "奖项"
    entries = workbook["参赛项目"]
    column = [cell.value for cell in entries[1]].index("项目名称")
    assert {row[column].value for row in entries.iter_rows(min_row=2)} == set(BY_TITLE)
    final = workbook["决赛路演成绩"]
    assert [c.value for c in final[1]][:6] == [
        "组别",
        "排名",
        "项目编号",
        "项目名称",
        "单位",
        "综合得分",
    ]
    scores = {row[3].value: row[5] for row in final.iter_rows(min_row=2)}
    assert {title: cell.value for title, cell in scores.items()} == {
        t: BY_TITLE[t].totals[2] + 0.25 for t in FINALISTS
    }
    for name in ("初赛成绩", "复赛成绩", "决赛路演成绩"):
        cells = [row[5] for row in workbook[name].iter_rows(min_row=2)]
        assert {cell.number_format for cell in cells} == {"0.00"}
        assert all(cell.value == round(cell.value, 2) for cell in cells)
