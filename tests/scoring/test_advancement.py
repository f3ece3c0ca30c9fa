"""Rule 8: top N per track, never cutting inside a tie silently."""

import pytest

from scoring import AdvancementPreview, preview_advancement
from tests.scoring.builders import ranking_of


@pytest.mark.parametrize(
    ("tenths", "count", "expected"),
    [
        # no tie at the boundary: the top N
        ([900, 800, 700, 600], 2, ((1, 2), False, (), 0)),
        # tie inside the selection, ending at N: no boundary tie
        ([900, 800, 800, 600], 3, ((1, 2, 3), False, (), 0)),
        # tie crossing the boundary: only the certain ones, the group to choose from
        ([900, 800, 800, 600], 2, ((1,), True, (2, 3), 1)),
        ([800, 800, 800, 600], 2, ((), True, (1, 2, 3), 2)),
        ([900, 700, 700, 700, 600], 3, ((1,), True, (2, 3, 4), 2)),
        # N beyond the scored entries: all scored ones
        ([900, 800], 5, ((1, 2), False, (), 0)),
        ([900, 800], 0, ((), False, (), 0)),
    ],
)
def test_preview_advancement_table(tenths, count, expected):
    preview = preview_advancement(ranking_of(tenths), count)

    entry_ids, boundary_tie, tied, places_left = expected
    assert preview == AdvancementPreview(
        "startup", count, entry_ids, boundary_tie, tied, places_left
    )


def test_preview_advancement_unscored_never_advance():
    preview = preview_advancement(ranking_of([900, 800], unscored=3), 4)

    assert preview.entry_ids == (1, 2)
    assert not preview.boundary_tie


def test_preview_advancement_negative_count_rejected():
    with pytest.raises(ValueError, match="negative"):
        preview_advancement(ranking_of([900]), -1)
