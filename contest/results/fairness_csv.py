"""The fairness view as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""

import csv
import io

from contest.core.i18n import _
from contest.kit.tables import safe_cell
from contest.results.fairness import Fairness


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def fairness_csv(view: Fairness) -> str:
    """One row per judge, then one per unstable entry of each track, then the ICC."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Judge no."),
            _("Judge"),
            _("Sheets"),
            _("Mean"),
            _("Spread (SD)"),
            _("Leniency"),
            _("Outlier sheets"),
        ]
    )
    for line in view.judges:
        s = line.stats
        writer.writerow(
            [
                s.judge_id,
                safe_cell(line.name),
                s.sheets,
                _number(s.mean),
                _number(s.sd),
                _number(s.leniency),
                s.outliers,
            ]
        )
    writer.writerow([])
    writer.writerow([_("Agreement between judges (ICC)"), _number(view.icc)])
    writer.writerow([])
    writer.writerow(
        [_("Track"), _("Entry no."), _("Title"), _("Margin"), _("Advances"), _("Changes under")]
    )
    for track in view.tracks:
        for item in track.unstable:
            writer.writerow(
                [
                    track.code,
                    item.entry_id,
                    safe_cell(item.title),
                    _number(item.margin),
                    {True: _("yes"), False: _("no"), None: _("tie")}[item.advances],
                    " ".join(item.reasons),
                ]
            )
    return out.getvalue()
