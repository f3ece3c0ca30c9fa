"""Eligibility rules: pure functions, checked with tables."""

from collections.abc import Iterator
from datetime import date

import pytest

from contest.core.i18n import use_locale
from contest.entries.eligibility import (
    Candidate,
    TrackRules,
    check,
    credit_code_check_character,
    credit_code_problem,
    duplicate_title,
    is_valid_credit_code,
    normalise_credit_code,
    normalise_phone,
    title_key,
    years_before,
)

TODAY = date(2023, 6, 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are checked in English; Chinese is the default."""
    with use_locale("en"):
        yield


STARTUP = TrackRules(requires_company=True)
STARTUP_5Y = TrackRules(requires_company=True, max_company_age_years=5)
CREATIVE = TrackRules(requires_company=False)

# Codes published on business licences and company websites; each passes GB 32100-2015.
REAL_CODES = [
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "91110000802100433B",  # Beijing Baidu Netcom Science and Technology Co., Ltd.
    "91110108551385082Q",
    "91330100716105852F",
    "91310000MA1FL4B24G",
    "91110108MA005BCA25",
    "91110102689248179K",
    "91350200776049653A",
    "9135021359498494XQ",
    "91440101MA5CJQ4N59",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_credit_code_real_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("914403001922038216", "6"),
        ("91440300708461136T", "T"),
        ("91110000802100433B", "B"),
        ("91310000MA1FL4B24G", "G"),
    ],
)
def test_credit_code_check_character_matches_published_code(code: str, expected: str) -> None:
    assert credit_code_check_character(code[:17]) == expected


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("914403001922038217", "check character"),  # Huawei's code, last digit changed
        ("91440300708461136U", "check character"),  # Tencent's, wrong check letter
        ("91110000802100433C", "check character"),
        ("91110000802100434B", "check character"),  # one digit mistyped in the body
        ("91110000802100433", "18 characters"),  # one short
        ("914403001922038216X", "18 characters"),  # one too many
        ("", "18 characters"),
        ("91110000802I00433B", "Invalid character"),  # I is not used
        ("91110000802O00433B", "Invalid character"),  # O is not used
        ("9111000080210043SB", "Invalid character"),  # S is not used
        ("9111000080210043VB", "Invalid character"),  # V is not used
        ("911100008021004Z3B", "Invalid character"),  # Z is not used
        ("91110000802100433-", "Invalid character"),
        ("91A10000802100433B", "Characters 3 to 8"),  # area code must be digits
    ],
)
def test_credit_code_bad_codes_are_refused_with_reason(code: str, fragment: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("91440300708461136t", "91440300708461136T"),
        (" 9144 0300 7084 6113 6T ", "91440300708461136T"),
        ("91440300708461136T", "91440300708461136T"),
    ],
)
def test_normalise_credit_code_accepts_lower_case_and_spaces(typed: str, stored: str) -> None:
    assert normalise_credit_code(typed) == stored
    assert is_valid_credit_code(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("86-138-0013-8000", "+8613800138000"),
        ("19912345678", "+8619912345678"),
        ("021-12345678", "+862112345678"),
        ("02112345678", "+862112345678"),
        ("0571-87654321", "+8657187654321"),
        ("(021) 12345678", "+862112345678"),
        ("010-12345678-123", "+861012345678;ext=123"),
        ("010 1234 5678 转 8", "+861012345678;ext=8"),
        ("+852 9123 4567", "+85291234567"),
        ("00852 2123 4567", "+85221234567"),
        ("+853 6612 3456", "+85366123456"),
        ("+886 912 345 678", "+886912345678"),
        ("+1 650 253 0000", "+16502530000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("＋８５２ ９１２３ ４５６７", "+85291234567"),
        ("12800138000", None),  # mobiles start 13 to 19
        ("1380013800", None),  # ten digits
        ("138001380001", None),
        ("12345678", None),  # landline without area code
        ("0571-8765432", None),  # Hangzhou numbers have 8 digits
        ("852 9123 4567", None),  # without + it reads as a mainland number
        ("+852 123", None),
        ("phone", None),
        ("<script>", None),
    ],
)
def test_normalise_phone(typed: str, stored: str | None) -> None:
    assert normalise_phone(typed) == stored


def _startup(**values: object) -> Candidate:
    base: dict[str, object] = {
        "title": "智能可穿戴心电监测",
        "summary": "摘要",
        "institution": "复旦大学",
        "city": "上海",
        "leader_name": "王五",
        "leader_phone": "13800138000",
        "company_name": "上海某某医疗科技有限公司",
        "credit_code": "91310000MA1FL4B24G",
        "founded_on": date(2020, 3, 1),
    }
    base.update(values)
    return Candidate(**base)  # type: ignore[arg-type]


def _creative(**values: object) -> Candidate:
    base: dict[str, object] = {
        "title": "AI辅助病理诊断",
        "summary": "摘要",
        "institution": "上海交通大学",
        "city": "上海",
        "leader_name": "李雷",
        "leader_email": "lilei@example.com",
    }
    base.update(values)
    return Candidate(**base)  # type: ignore[arg-type]


def _fields(candidate: Candidate, rules: TrackRules | None) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in check(candidate, rules, today=TODAY)]


@pytest.mark.parametrize(
    ("candidate", "rules", "expected"),
    [
        (_startup(), STARTUP, []),
        (_startup(), STARTUP_5Y, []),
        (_creative(), CREATIVE, []),
        (_startup(credit_code="91310000ma1fl4b24g"), STARTUP, []),
        (_startup(company_name=""), STARTUP, [("company_name", "missing")]),
        (_startup(credit_code=""), STARTUP, [("credit_code", "missing")]),
        (_startup(credit_code="91310000MA1FL4B24H"), STARTUP, [("credit_code", "credit_code")]),
        (_startup(credit_code="123"), STARTUP, [("credit_code", "credit_code")]),
        (_startup(founded_on=None), STARTUP, []),
        (_startup(founded_on=None), STARTUP_5Y, [("founded_on", "missing")]),
        (_startup(founded_on=date(2018, 6, 1)), STARTUP_5Y, []),  # exactly 5 years
        (_startup(founded_on=date(2018, 5, 31)), STARTUP_5Y, [("founded_on", "too_old")]),
        (_startup(founded_on=date(2023, 6, 2)), STARTUP, [("founded_on", "invalid")]),
        (_creative(company_name="某公司"), CREATIVE, [("company_name", "not_allowed")]),
        (
            _creative(credit_code="91310000MA1FL4B24G", founded_on=date(2020, 1, 1)),
            CREATIVE,
            [("credit_code", "not_allowed"), ("founded_on", "not_allowed")],
        ),
        (
            _creative(title="", summary="", institution="", city="", leader_name=""),
            CREATIVE,
            [(f, "missing") for f in ("title", "summary", "institution", "city", "leader_name")],
        ),
        (_creative(leader_email="", leader_phone=""), CREATIVE, [("leader_phone", "missing")]),
        (_creative(leader_email="not-an-email"), CREATIVE, [("leader_email", "invalid")]),
        (_creative(leader_phone="12345"), CREATIVE, [("leader_phone", "invalid")]),
        (_creative(video_url="javascript:alert(1)"), CREATIVE, [("video_url", "invalid")]),
        (_creative(video_url="https://v.qq.com/x/abc.html"), CREATIVE, []),
        # Without a known track only the general rules apply; the track is reported elsewhere.
        (_creative(company_name="某公司"), None, []),
    ],
)
def test_check_reports_each_bad_field(
    candidate: Candidate, rules: TrackRules | None, expected: list[tuple[str, str]]
) -> None:
    assert _fields(candidate, rules) == expected


def test_check_reports_every_problem_at_once() -> None:
    candidate = _startup(title="", leader_phone="123", company_name="", credit_code="X")

    fields = _fields(candidate, STARTUP)

    assert fields == [
        ("title", "missing"),
        ("leader_phone", "invalid"),
        ("company_name", "missing"),
        ("credit_code", "credit_code"),
    ]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("智能 心电监测", "智能心电监测", True),
        ("AI Pathology", "ai pathology", True),
        ("ＡＩ病理", "AI病理", True),  # full-width letters
        ("AI 病理\u3000诊断", "AI病理诊断", True),  # ideographic space
        ("AI病理诊断", "AI病理诊断系统", False),
    ],
)
def test_title_key_ignores_case_width_and_spaces(a: str, b: str, same: bool) -> None:
    assert (title_key(a) == title_key(b)) is same


def test_credit_code_message_is_chinese_by_default() -> None:
    with use_locale("zh"):
        assert credit_code_problem("91110000802100433C") == "校验码不匹配，请检查代码是否输错。"


def test_duplicate_title_names_the_title_field() -> None:
    taken = {title_key("AI 病理诊断")}

    error = duplicate_title("ai病理诊断", taken)

    assert error is not None
    assert (error.field, error.code) == ("title", "duplicate")
    assert duplicate_title("另一个项目", taken) is None


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2023, 6, 1), 5, date(2018, 6, 1)),
        (date(2024, 2, 29), 1, date(2023, 2, 28)),
    ],
)
def test_years_before(day: date, years: int, expected: date) -> None:
    assert years_before(day, years) == expected
