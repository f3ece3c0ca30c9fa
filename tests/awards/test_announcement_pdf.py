
"""Announcement lists (公示): pagination, repeated headers, footers, text a reader can copy."""

import io
from datetime import date
from zoneinfo import ZoneInfo

import pypdf
import pytest

from contest.awards.announcement import closing, closing_en
from contest.awards.announcement_pdf import (
    WINNER_COLUMNS,
    AnnouncementData,
    AnnouncementSection,
    render_announcement,
)
from tests.pdf_fonts import fonts_of

CONTEST = '2023年第二届"天骄湾杯"生命健康创新创业大赛'
UNIVERSITIES = ["复旦大学附属中山医院", "上海交通大学医学院", "同济大学", "上海中医药大学"]


def finalist_rows(n: int) -> list[list[str]]:
    return [
        [str(i), f"基于单细胞测序的肿瘤早筛液体活检平台第{i}号", UNIVERSITIES[i % 4], f"负责人{i}"]
        for i in range(1, n + 1)
    ]


def make_announcement(*sections: AnnouncementSection, **overrides: object) -> AnnouncementData:
    fields: dict[str, object] = {
        "contest_name": CONTEST,
        "heading": "决赛入围名单公示",
        "intro": "经专家评审，现将入围决赛的项目名单予以公示。",
        "sections": list(sections)
        or [AnnouncementSection(track_name="创业组", rows=finalist_rows(3))],
        "published_on": date(2023, 11, 23),
        "closing": ["公示期为2023年11月23日至11月29日。", "联系电话：021-12345678"],
    }
    return AnnouncementData(**{**fields, **overrides})  # type: ignore[arg-type]


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_announcement_150_rows_paginate_with_header_on_every_page() -> None:
    data = make_announcement(AnnouncementSection(track_name="创业组", rows=finalist_rows(150)))

    pages = pages_text(render_announcement(data))

    assert len(pages) >= 4
    for text in pages:
        assert text.count("项目名称") == 1
        assert text.count("所在单位") == 1
    assert "决赛入围名单公示" in pages[0]
    assert "基于单细胞测序的肿瘤早筛液体活检平台第1号" in pages[0]
    assert "基于单细胞测序的肿瘤早筛液体活检平台第150号" in pages[-1]


def test_announcement_every_row_appears_exactly_once() -> None:
    data = make_announcement(AnnouncementSection(track_name="创业组", rows=finalist_rows(150)))

    text = "\n".join(pages_text(render_announcement(data)))

    for i in range(1, 151):
        assert text.count(f"活检平台第{i}号") == 1


def test_announcement_footer_numbers_pages_and_dates_them() -> None:
    data = make_announcement(AnnouncementSection(track_name="创业组", rows=finalist_rows(150)))

    pages = pages_text(render_announcement(data))

    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "公示日期：2023年11月23日" in text


def test_announcement_text_holds_contest_tracks_institutions_and_closing() -> None:
    data = make_announcement(
        AnnouncementSection(track_name="创业组", rows=finalist_rows(2), note="排名不分先后"),
        AnnouncementSection(track_name="创意组", rows=finalist_rows(1)),
    )

    text = "\n".join(pages_text(render_announcement(data)))

    for expected in (
        CONTEST,
        "经专家评审，现将入围决赛的项目名单予以公示。",
        "创业组（共2项）",
        "创意组（共1项）",
        "排名不分先后",
        "上海交通大学医学院",
        "同济大学",
        "公示期为2023年11月23日至11月29日。",
        "联系电话：021-12345678",
        "大赛组委会",
    ):
        assert expected in text


def test_announcement_winners_list_shows_tiers() -> None:
    rows = [["金奖", "智能康复外骨骼机器人", "同济大学", "张明远"]]
    section = AnnouncementSection(track_name="创业组", columns=WINNER_COLUMNS, rows=rows)

    text = pages_text(render_announcement(make_announcement(section, heading="获奖名单公示")))[0]

    assert "获奖名单公示" in text
    assert "奖项" in text
    assert "金奖" in text
    assert "智能康复外骨骼机器人" in text


def test_announcement_markup_in_titles_is_printed_as_text() -> None:
    rows = [["1", "<b>AI</b> & <script>x</script>", "同济大学", "张明远"]]

    text = pages_text(
        render_announcement(make_announcement(AnnouncementSection(track_name="创业组", rows=rows)))
    )[0]

    assert "<b>AI</b> & <script>x</script>" in text


def test_announcement_section_with_wrong_cell_count_is_refused() -> None:
    with pytest.raises(ValueError, match=r"rows\[2\]"):
        AnnouncementSection(track_name="创业组", rows=[["1", "a", "b", "c"], ["2", "a"]])


def test_announcement_same_data_gives_same_bytes() -> None:
    data = make_announcement()

    assert render_announcement(data) == render_announcement(data)


def test_announcement_embeds_the_subset_of_its_chinese_font() -> None:
    pdf = render_announcement(make_announcement())

    chinese = [f for f in fonts_of(pdf) if "NotoSansSC" in f.name]

    assert chinese
    assert {(f.kind, f.embedded, f.subset) for f in chinese} == {("TrueType", "yes", "yes")}


def test_a_list_published_before_publications_were_kept_states_the_contests_window() -> None:
    zone = ZoneInfo("Asia/Shanghai")

    chinese = "".join(closing(None, zone, 7))
    english = "".join(closing_en(None, zone, 7))

    assert "公示期为自公示之日起7日" in chinese
    assert "5个工作日" not in chinese
    assert "within 7 days of publication" in english
