from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import Aggregation, Normalization, RoundRules


def test_round_rules_defaults_follow_spec():
    rules = RoundRules()

    assert (rules.aggregation, rules.trim_min_judges) == (Aggregation.trimmed_mean, 5)
    assert (rules.normalization, rules.carry_over_weight) == (Normalization.none, 0)


def test_round_rules_coerce_strings_from_database():
    rules = RoundRules(aggregation="mean", normalization="zscore")  # type: ignore[arg-type]

    assert rules.aggregation is Aggregation.mean
    assert rules.normalization is Normalization.zscore


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(Fraction(3, 10), Fraction(3, 10)), (Decimal("0.3"), Fraction(3, 10)), (0, Fraction(0))],
)
def test_round_rules_weight_kept_exact(weight, expected):
    assert RoundRules(carry_over_weight=weight).carry_over_weight == expected


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"carry_over_weight": Fraction(1)}, ValueError),
        ({"carry_over_weight": Fraction(-1, 10)}, ValueError),
        ({"carry_over_weight": 0.3}, TypeError),
        ({"trim_min_judges": 2}, ValueError),
        ({"aggregation": "median"}, ValueError),
        ({"normalization": "minmax"}, ValueError),
    ],
)
def test_round_rules_reject_invalid_settings(kwargs, error):
    with pytest.raises(error):
        RoundRules(**kwargs)
