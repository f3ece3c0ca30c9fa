"""The standard set-up of a Tianjiao Bay Cup style contest, offered when creating one."""

from decimal import Decimal

from sqlmodel import Session

from contest.core.enums import RoundKind, RoundMode
from contest.core.i18n import N_, _
from contest.models import Contest, User
from contest.setup import contests, rounds
from contest.setup.schemas import RoundCreate, TrackCreate

STANDARD_TRACKS = (
    ("startup", N_("Startup track"), True, 5),
    ("creative", N_("Creative track"), False, None),
)

# The 2023 edition took about 100 entries to a 70-strong semifinal and a 12-team final;
# split evenly between the two tracks until the organiser says otherwise.
STANDARD_ROUNDS = (
    (N_("Preliminary"), RoundKind.preliminary, RoundMode.online_review, 5, 35),
    (N_("Semifinal"), RoundKind.semifinal, RoundMode.online_review, 5, 6),
    (N_("Final roadshow"), RoundKind.final, RoundMode.roadshow, 9, 0),
)


def apply_standard_template(db: Session, *, actor: User, contest: Contest) -> None:
    """Two tracks (startup needs a company under 5 years old) and three rounds with the
    default 100-point rubric, named in the page's language with their English names set
    (the messages' own English); everything stays editable."""
    for code, name, requires_company, age in STANDARD_TRACKS:
        contests.add_track(
            db,
            actor=actor,
            contest=contest,
            data=TrackCreate(
                code=code,
                name=_(name),
                name_en=name,
                requires_company=requires_company,
                max_company_age_years=age,
            ),
        )
    for order, (name, kind, mode, judges, advance) in enumerate(STANDARD_ROUNDS, start=1):
        rounds.add_round(
            db,
            actor=actor,
            contest=contest,
            data=RoundCreate(
                name=_(name),
                name_en=name,
                kind=kind,
                order=order,
                mode=mode,
                judges_per_entry=judges,
                advance_count={code: advance for code, *_rest in STANDARD_TRACKS}
                if advance
                else {},
                carry_over_weight=Decimal(0),
            ),
        )
