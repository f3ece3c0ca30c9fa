"""Certificate rendering throughput: 1,000 distinct certificates, with and without QR code.

Run with `.venv/bin/python bench/certificates.py`. The no-QR rows are the ceiling: the
same page minus the QR code, so "ratio" shows what the QR code costs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contest.awards import certificate_pdf as cp

N = 1000
TITLES = [
    "基于单细胞测序的肿瘤早筛液体活检平台",
    "面向基层医疗机构的多模态人工智能辅助诊断系统",
    "新型可降解心血管支架材料的研发与产业化",
    "阿尔茨海默病早期血液标志物检测试剂盒",
    "智能康复外骨骼机器人",
]
PEOPLE = ["李晓华", "王子豪", "陈思雨", "赵一鸣", "孙嘉怡", "周文博", "吴可欣", "郑浩然"]
TIERS: list[cp.Tier] = ["gold", "silver", "bronze", "excellence"]


def certificates(n: int = N) -> list[cp.CertificateData]:
    """Distinct titles, people and codes, so no per-certificate cache is unrealistically hot."""
    return [
        cp.CertificateData(
            contest_name='2023年第二届"天骄湾杯"生命健康创新创业大赛',
            organisers=["上海市普陀区科学技术委员会", "上海某大学科技园", "某医学院"],
            tier=TIERS[i % 4],
            track_name="创业组" if i % 2 else "创意组",
            title=f"{TITLES[i % len(TITLES)]}（第{i}号方案）",
            leader=PEOPLE[i % 8] + str(i),
            members=[PEOPLE[(i + k) % 8] for k in range(1 + i % 6)],
            institution=f"上海第{i % 24 + 1}医科大学",
            issued_on=date(2023, 11, 23),
            code=f"TJW23-{i:05d}-K9QM",
            verify_url=f"https://tianjiao.example.org/verify/TJW23-{i:05d}-K9QM4XP2",
        )
        for i in range(n)
    ]


def _drain(chunks: Iterator[bytes]) -> int:
    return sum(len(chunk) for chunk in chunks)


def _rate(run: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    size = run()
    return N / (time.perf_counter() - start), size


def main() -> None:
    datas = certificates()
    print(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    start = time.perf_counter()
    _drain(cp._render_many(datas[:8], workers=2))  # start the pool outside the timings
    print(f"process pool start-up (once per process): {time.perf_counter() - start:.2f} s\n")

    def many(workers: int, *, qr: bool = True, compress: bool = True) -> int:
        return _drain(cp._render_many(datas, workers=workers, qr=qr, compress=compress))

    # (label, processes, compressed, run); the first row of each (processes, compressed)
    # group is the ceiling its ratios are measured against.
    rows: list[tuple[str, int, bool, Callable[[], int]]] = [
        ("separate PDFs, no QR (ceiling)", 1, True, lambda: many(1, qr=False)),
        ("separate PDFs", 1, True, lambda: many(1)),
        ("one ZIP", 1, True, lambda: _drain(cp.iter_certificates_zip(datas))),
        ("one 1000-page PDF", 1, True, lambda: len(cp.render_certificates_pdf(datas))),
        ("uncompressed PDFs, no QR (ceiling)", 1, False, lambda: many(1, qr=False, compress=False)),
        ("uncompressed PDFs", 1, False, lambda: many(1, compress=False)),
        ("separate PDFs, no QR (ceiling)", 2, True, lambda: many(2, qr=False)),
        ("separate PDFs", 2, True, lambda: many(2)),
        ("one ZIP", 2, True, lambda: _drain(cp.iter_certificates_zip(datas, workers=2))),
    ]
    # Others share this machine: run every row twice, interleaved, and keep the faster run.
    results = [_rate(run) for _ in range(2) for _, _, _, run in rows]
    print(f"{'1,000 certificates':36} {'procs':>5} {'certs/s':>8} {'ratio':>6} {'kB/cert':>8}")
    ceilings: dict[tuple[int, bool], float] = {}
    for i, (label, procs, compressed, _) in enumerate(rows):
        rate, size = max(results[i], results[i + len(rows)])
        ratio = rate / ceilings.setdefault((procs, compressed), rate)
        print(f"{label:36} {procs:>5} {rate:>8.0f} {ratio:>6.0%} {size / N / 1024:>8.1f}")


if __name__ == "__main__":
    main()
