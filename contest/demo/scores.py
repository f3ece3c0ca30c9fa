"""Realistic, complete score sheets for the demo contest, written in bulk.

Each entry has a hidden quality; each judge a bias (some strict, some lenient) and some
noise of their own. Values are in 0.1 steps within each criterion's maximum; comments
are short Chinese remarks that fit the score.
"""

import random
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import and_, insert, select
from sqlmodel import Session, col

from contest.core.enums import SheetState
from contest.models import Assignment, Criterion, CriterionScore, Round, ScoreSheet, utcnow

STRONG = (
    "技术路线清晰，创新性突出，临床需求明确，团队配置完整，建议尽快推进注册申报。",
    "核心技术具有较高壁垒，知识产权布局较好，商业模式可行，市场前景广阔。",
    "项目成熟度高，已有初步临床数据支撑，融资规划合理，值得重点关注。",
    "团队研发实力强，产品差异化明显，建议加强渠道建设与医保准入策略。",
)
MIDDLE = (
    "项目方向有价值，但市场规模测算依据不足，建议补充竞品分析。",
    "技术有一定创新，产业化路径尚不清晰，需进一步明确注册与临床计划。",
    "团队结构基本合理，商业模式仍需验证，建议尽快获取种子用户反馈。",
    "选题贴近临床需求，但核心数据偏少，建议完善动物实验或临床前研究。",
)
WEAK = (
    "创新点不够突出，与现有产品差异较小，建议重新梳理技术优势。",
    "商业计划书较为粗略，财务预测缺乏依据，团队分工需进一步明确。",
    "项目尚处于概念阶段，可行性论证不足，建议先完成原理验证。",
)


def judge_biases(judge_ids: list[int], rng: random.Random) -> dict[int, float]:
    """A bias per judge, as a share of each maximum: about a third strict, a third lenient."""
    return {j: rng.choice((-1, 0, 1)) * rng.uniform(0.04, 0.1) for j in judge_ids}


def _comment(share: float, rng: random.Random) -> str:
    pool = STRONG if share >= 0.8 else MIDDLE if share >= 0.65 else WEAK
    return rng.choice(pool)


def _value(max_tenths: int, share: float) -> int:
    return max(0, min(max_tenths, round(max_tenths * share)))


def score_round(
    db: Session,
    round_: Round,
    rng: random.Random,
    judge_bias: Mapping[int, float] | None = None,
    quality: Mapping[int, float] | None = None,
) -> int:
    """Submit a complete sheet for every assignment of the round that has none; how many.

    `judge_bias`: judge id -> share of the maximum added to every score (drawn when
    missing); `quality`: entry id -> expected share of the maximum (drawn when missing),
    so that a later round can keep an entry's standing. Running it again adds nothing.
    """
    limits = db.execute(
        select(col(Criterion.id), col(Criterion.max_tenths))
        .where(col(Criterion.round_id) == round_.id)
        .order_by(col(Criterion.position))
    ).all()
    pairs = _unscored(db, round_.id)
    if not pairs or not limits:
        return 0
    bias = dict(judge_bias or {})
    bias.update(judge_biases(sorted({j for j, _e in pairs} - set(bias)), rng))
    worth = dict(quality or {})
    worth.update({e: rng.gauss(0.72, 0.09) for _j, e in pairs if e not in worth})
    # Sheets are dated inside the round's window (a 2023 round's sheets show 2023 times):
    # over its last ten days, or the whole window if shorter.
    now = min(utcnow(), round_.closes_at) if round_.closes_at else utcnow()
    window = (now - round_.opens_at) if round_.opens_at and round_.opens_at < now else None
    spread = min(60 * 24 * 10, int(window.total_seconds() // 60) if window else 60 * 24 * 10)
    sheets, values = [], []
    for judge_id, entry_id in pairs:
        share = worth[entry_id] + bias[judge_id]
        marks = [(c, _value(m, share + rng.gauss(0, 0.05))) for c, m in limits]
        total_share = sum(v for _c, v in marks) / sum(m for _c, m in limits)
        when = now - timedelta(minutes=rng.randrange(min(60, spread - 1), spread))
        sheets.append(
            {
                "round_id": round_.id,
                "judge_id": judge_id,
                "entry_id": entry_id,
                "state": SheetState.submitted.value,
                "comment": _comment(total_share, rng),
                "total_tenths": sum(v for _c, v in marks),
                "revision": rng.randint(1, 4),
                "created_at": when - timedelta(minutes=rng.randrange(5, 90)),
                "updated_at": when,
                "submitted_at": when,
            }
        )
        values.append(marks)
    ids = (
        db.execute(
            insert(ScoreSheet).returning(col(ScoreSheet.id), sort_by_parameter_order=True), sheets
        )
        .scalars()
        .all()
    )
    rows = [
        {"sheet_id": sheet_id, "criterion_id": c, "value_tenths": v}
        for sheet_id, marks in zip(ids, values, strict=True)
        for c, v in marks
    ]
    db.execute(insert(CriterionScore), rows)
    return len(ids)


def _unscored(db: Session, round_id: int) -> list[tuple[int, int]]:
    sheet = and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )
    rows = db.execute(
        select(col(Assignment.judge_id), col(Assignment.entry_id))
        .outerjoin(ScoreSheet, sheet)
        .where(col(Assignment.round_id) == round_id, col(ScoreSheet.id).is_(None))
        .order_by(col(Assignment.entry_id), col(Assignment.judge_id))
    ).all()
    return [(j, e) for j, e in rows]
