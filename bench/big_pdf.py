"""A large, valid PDF as a business plan with photographs is: pages of text, each with an
image that does not compress (noise), written by hand so that no library holds it in
memory. pypdf opens it, copies it (the cleaned copy) and reads its first page's text.
"""

from __future__ import annotations

import random
from pathlib import Path

PAGE_W, PAGE_H = 595, 842  # A4 in points


def write_big_pdf(path: Path, *, size_mb: float, pages: int = 20, seed: int = 1) -> int:
    """Write a PDF of about `size_mb` MiB; returns its size in bytes."""
    rng = random.Random(seed)
    image_bytes = int(size_mb * 2**20 / pages)
    side = int(image_bytes**0.5)  # a square greyscale image, one byte per pixel
    offsets: list[int] = []
    with path.open("wb") as out:

        def obj(body: bytes, stream: bytes | None = None) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body)
            if stream is not None:
                out.write(b"\nstream\n" + stream + b"\nendstream")
            out.write(b"\nendobj\n")

        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        # 1 catalogue, 2 page tree, 3 font; then per page: page, content, image.
        kids = " ".join(f"{4 + 3 * n} 0 R" for n in range(pages))
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
        obj(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for n in range(pages):
            content, image = 5 + 3 * n, 6 + 3 * n  # the page itself is 4 + 3 * n
            obj(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                f"/Resources << /Font << /F1 3 0 R >> /XObject << /Im{n} {image} 0 R >> >> "
                f"/Contents {content} 0 R >>".encode()
            )
            text = (
                f"BT /F1 24 Tf 72 760 Td (Business plan, page {n + 1}) Tj ET "
                f"q 450 0 0 450 72 200 cm /Im{n} Do Q"
            ).encode()
            obj(f"<< /Length {len(text)} >>".encode(), text)
            pixels = rng.randbytes(side * side)
            obj(
                f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} "
                f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(pixels)} >>".encode(),
                pixels,
            )
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(
            f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode()
        )
        return out.tell()
