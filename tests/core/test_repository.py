"""The repository stands alone: no tracked file points at a document outside it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The planning documents the project was built from live beside the repository, not in it.
OUTSIDE = re.compile(r"\.\./shared|\b(?:SPEC|API|STYLE)\.md\b")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    suffixes = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".ini", ".po", ".js", ".css"}
    return [ROOT / name for name in names if Path(name).suffix in suffixes]


def test_no_file_refers_to_a_document_outside_the_repository():
    this_file = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in tracked_text_files() if path != this_file
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []
