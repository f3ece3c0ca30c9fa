"""The pure conflict rules (contest/judging/conflicts.py): names, families, ties."""

import pytest

from contest.judging.conflicts import (
    EntrySide,
    Families,
    Kind,
    Party,
    detect,
    entry_keys,
    match,
    normalise_institution,
    party_keys,
    university_root,
)
from contest.judging.solver import EntryRef, JudgeRef, assign_judges


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("数字科技有限公司", "数字科技"),
        ("数字科技（集团）股份有限公司", "数字 科技"),
        ("数字科技(集团)有限公司", "数字科技有限责任公司"),
        ("ＡＢＣ Co., Ltd.", "abc"),
        ("复旦大学 ", "　复旦大学"),
        ("【复旦大学】", "复旦大学"),
    ],
)
def test_normalise_makes_spellings_equal(a: str, b: str) -> None:
    assert normalise_institution(a) == normalise_institution(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("复旦大学", "上海交通大学"), ("数字科技", "数字医疗"), ("公司", "集团")],
)
def test_normalise_keeps_different_names_apart(a: str, b: str) -> None:
    assert normalise_institution(a) != normalise_institution(b)


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("复旦大学附属中山医院", "复旦大学"),
        ("复旦大学上海医学院", "复旦大学"),
        ("复旦大学", "复旦大学"),
        ("上海交通大学医学院附属瑞金医院", "上海交通大学"),
        ("北京大学第三医院", "北京大学"),
        ("中国科学院上海药物研究所", "中国科学院"),
        ("华东师范大学", "华东师范大学"),
        ("大学生创业", "大学生创业"),
        ("中国科学院大学", "中国科学院大学"),
    ],
)
def test_university_root(name: str, root: str) -> None:
    assert university_root(normalise_institution(name)) == root


def test_family_of_a_university_conflicts_but_names_the_family() -> None:
    found = match(Party(1, "复旦大学附属中山医院"), EntrySide(9, "复旦大学"), Families())

    assert found is not None
    assert (found.kind, found.party_name, found.entry_name) == (
        Kind.same_family,
        "复旦大学附属中山医院",
        "复旦大学",
    )


def test_organiser_family_joins_an_alias() -> None:
    families = Families([["瑞金医院", "上海交通大学医学院附属瑞金医院"]])

    found = match(Party(1, "瑞金医院"), EntrySide(9, "上海交通大学"), families)

    assert found is not None
    assert found.kind == Kind.same_family
    assert match(Party(1, "瑞金医院"), EntrySide(9, "上海交通大学"), Families()) is None


def test_company_against_entry_company_and_credit_code() -> None:
    judge = Party(1, "某投资", companies=(("数字科技有限公司", "91310000MA1FL4C54X"),))

    by_name = match(judge, EntrySide(9, "某大学", company_name="数字科技"), Families())
    by_code = match(judge, EntrySide(8, "x", "y", "91310000ma1fl4c54x"), Families())

    assert by_name is not None
    assert by_name.kind == Kind.company
    assert by_code is not None
    assert by_code.kind == Kind.credit_code


def test_declared_names_and_entries_come_first() -> None:
    judge = Party(1, "复旦大学", declared_names=("复旦大学",), declared_entries=frozenset({7}))

    assert match(judge, EntrySide(9, "复旦大学"), Families()).kind == Kind.declared_name  # type: ignore[union-attr]
    assert match(judge, EntrySide(7, "别处"), Families()).kind == Kind.declared_entry  # type: ignore[union-attr]


def test_empty_names_never_conflict() -> None:
    assert match(Party(1, ""), EntrySide(9, ""), Families()) is None
    assert match(Party(1, "有限公司"), EntrySide(9, "有限公司", "", ""), Families()) is not None


def test_detect_lists_each_pair_once_with_its_reason() -> None:
    parties = [Party(1, "复旦大学附属中山医院"), Party(2, "数字科技有限公司"), Party(3, "别处")]
    entries = [EntrySide(10, "复旦大学"), EntrySide(11, "某大学", "数字科技（集团）有限公司")]

    found = detect(parties, entries)

    assert [(m.party_id, m.entry_id, m.kind) for m in found] == [
        (1, 10, Kind.same_family),
        (2, 11, Kind.same_institution),
    ]


def test_solver_keeps_judges_off_entries_sharing_a_key_unless_waived() -> None:
    families = Families()
    judges = [
        JudgeRef(1, keys=party_keys(Party(1, "复旦大学附属中山医院"), families)),
        JudgeRef(2, keys=party_keys(Party(2, "别处"), families)),
        JudgeRef(3, keys=party_keys(Party(3, "复旦大学上海医学院"), families)),
    ]
    fudan = entry_keys(EntrySide(10, "复旦大学"), families)
    entries = [EntryRef(10, keys=fudan), EntryRef(11, keys=fudan, waived_judges=frozenset({3}))]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=1, seed=1)
    both = assign_judges(entries=entries[1:], judges=judges, judges_per_entry=2, seed=1)

    assert plan.added[10] == (2,)
    assert set(both.added[11]) == {2, 3}
