"""The fonts of a PDF as poppler's `pdffonts` lists them: what a print shop's RIP or a
phone will find embedded, and what it has to substitute."""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PdfFont:
    name: str
    kind: str
    embedded: str
    subset: str
    unicode: str


def fonts_of(pdf: bytes) -> list[PdfFont]:
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(pdf)
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    # name  type (may hold spaces)  encoding  emb sub uni  object ID
    fonts = []
    for line in lines[2:]:
        parts = line.split()
        name, rest = parts[0], parts[1:]
        emb, sub, uni = rest[-5], rest[-4], rest[-3]
        kind = " ".join(rest[:-6])
        fonts.append(PdfFont(name, kind, emb, sub, uni))
    return fonts
