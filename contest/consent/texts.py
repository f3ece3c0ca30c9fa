"""The default privacy notices (隐私声明), in Chinese and English, written for the Personal
Information Protection Law of the PRC (《中华人民共和国个人信息保护法》, PIPL).

Two notices, in contest/consent/notices/: the site's (site.zh.txt, site.en.txt), agreed
to when a team account is made, version SITE_VERSION (change the text and raise the
number together, so what each account agreed to stays known); and a contest's default
(contest.zh.txt, contest.en.txt), which an organiser may edit (contest/consent/service.py
keeps every version). Placeholders in the contest's: {contest} its name, {organisers}
its 主办/承办 units.
"""

from pathlib import Path

SITE_VERSION = 1
FOLDER = Path(__file__).with_name("notices")


def _read(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


SITE_ZH = _read("site.zh.txt")
SITE_EN = _read("site.en.txt")
CONTEST_ZH = _read("contest.zh.txt")
CONTEST_EN = _read("contest.en.txt")
