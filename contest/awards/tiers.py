"""The award tiers' names, in the current language."""

from contest.core.enums import Tier
from contest.core.i18n import _


def tier_label(tier: Tier) -> str:
    labels = {
        Tier.gold: _("Gold award"),
        Tier.silver: _("Silver award"),
        Tier.bronze: _("Bronze award"),
        Tier.excellence: _("Excellence award"),
    }
    return labels[tier]
