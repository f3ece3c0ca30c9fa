"""Stored enum values in words (the current language), for values that several features
show: the awards and the live board show tiers, the investors' pages and exports show
interest marks and deal kinds, and the audit log (setup) shows all of them."""

from contest.core.enums import DealKind, InterestLevel, Tier
from contest.core.i18n import _


def tier_label(tier: Tier) -> str:
    labels = {
        Tier.gold: _("Gold award"),
        Tier.silver: _("Silver award"),
        Tier.bronze: _("Bronze award"),
        Tier.excellence: _("Excellence award"),
    }
    return labels[tier]


def interest_label(level: str) -> str:
    labels = {
        InterestLevel.watch: _("Watch"),
        InterestLevel.meet: _("Want to meet"),
        InterestLevel.intent: _("Intends to invest"),
    }
    return labels[InterestLevel(level)]


def deal_kind_label(kind: str) -> str:
    labels = {
        DealKind.investment_intent: _("Investment intent signed"),
        DealKind.investment: _("Investment closed"),
        DealKind.incubation: _("Incubation place"),
        DealKind.partnership: _("Partnership"),
        DealKind.grant: _("Government grant"),
    }
    return labels[DealKind(kind)]
