"""The leads and deals as export tables (CSV with a BOM, XLSX), in the request's locale.

A contest has tens of investors and finalists, so the rows are read when the table is
built, in the request's session, rather than streamed from a cursor of their own.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlmodel import Session

from contest.core.i18n import _
from contest.core.labels import deal_kind_label, interest_label
from contest.investors import interest
from contest.investors.deals import deal_lines, follow_up
from contest.kit.tables import Column, Table
from contest.models import Contest

KINDS = ("investment_intent", "investment", "incubation", "partnership", "grant")




def _rows(values: Sequence[Sequence[Any]]):  # type: ignore[no-untyped-def]
    def rows(db: Session) -> Iterator[Sequence[Any]]:
        yield from values

    return rows


def leads_table(db: Session, contest: Contest) -> Table:
    found = interest.leads(db, contest.id)
    values = [
        (
            lead.entry.id,
            lead.entry.title,
            lead.seat.id,
            lead.investor.name,
            lead.seat.organisation,
            lead.investor.email,
            interest_label(lead.mark.level),
            lead.mark.note,
            lead.entry.leader_name,
            lead.entry.leader_email,
            _("yes") if lead.conflict else "",
            lead.mark.updated_at,
        )
        for lead in found
    ]
    columns = [
        Column(_("Entry ID"), "int", 8),
        Column(_("Project"), width=30),
        Column(_("Investor ID"), "int", 8),
        Column(_("Investor")),
        Column(_("Organisation"), width=24),
        Column(_("Investor e-mail"), width=24),
        Column(_("Level")),
        Column(_("Note"), width=40),
        Column(_("Leader")),
        Column(_("Leader e-mail"), width=24),
        Column(_("Conflict"), width=8),
        Column(_("Marked at"), "datetime", 18),
    ]
    return Table(_("Leads"), f"leads-{contest.id}", columns, _rows(values))


def deals_table(db: Session, contest: Contest) -> Table:
    lines = deal_lines(db, contest.id, reader="organiser", withdrawn=True)
    values = [
        (
            line.deal.id,
            line.entry.id,
            line.entry.title,
            deal_kind_label(line.deal.kind),
            line.deal.partner,
            str(line.deal.amount_wan) if line.deal.amount_wan is not None else "",
            line.deal.signed_on,
            _("yes") if line.deal.public else "",
            line.deal.note,
            line.deal.withdraw_reason if line.deal.withdrawn_at else "",
        )
        for line in lines
    ]
    columns = [
        Column(_("Deal ID"), "int", 8),
        Column(_("Entry ID"), "int", 8),
        Column(_("Project"), width=30),
        Column(_("Kind"), width=16),
        Column(_("Partner"), width=24),
        Column(_("Amount (10,000 yuan)")),
        Column(_("Signed on"), "date"),
        Column(_("Public"), width=8),
        Column(_("Note"), width=40),
        Column(_("Withdrawn"), width=24),
    ]
    return Table(_("Deals"), f"deals-{contest.id}", columns, _rows(values))


def stage_label(stage: str) -> str:
    return {
        "finalist": _("Finalist, no interest yet"),
        "watched": _("Watched"),
        "meeting": _("Investors want to meet"),
        "intent_marked": _("Intent marked"),
        "intent_signed": _("Intent signed"),
        "invested": _("Investment closed"),
    }[stage]


def count_label(key: str) -> str:
    labels = {
        "investors": _("Investors"),
        "marks_watch": _("Marks: watch"),
        "marks_meet": _("Marks: want to meet"),
        "marks_intent": _("Marks: intends to invest"),
        "projects_marked": _("Projects marked"),
        "projects_with_deals": _("Projects with deals"),
        "invested_wan": _("Invested (10,000 yuan)"),
    }
    if key.startswith("deals_"):
        return deal_kind_label(key.removeprefix("deals_"))
    return labels[key]


def counts_table(db: Session, contest: Contest) -> Table:
    counts = follow_up(db, contest.id).counts
    values = [(count_label(key), str(value)) for key, value in counts.items()]
    columns = [Column(_("Figure"), width=30), Column(_("Count"), width=12)]
    return Table(_("Figures"), f"follow-up-{contest.id}", columns, _rows(values))


def pipeline_table(db: Session, contest: Contest) -> Table:
    stages = follow_up(db, contest.id).pipeline
    values = [
        (stage_label(s.stage), len(s.entry_ids), " ".join(map(str, s.entry_ids))) for s in stages
    ]
    columns = [
        Column(_("Stage"), width=30),
        Column(_("Projects"), "int", 10),
        Column(_("Entry IDs"), width=40),
    ]
    return Table(_("Pipeline"), f"pipeline-{contest.id}", columns, _rows(values))
