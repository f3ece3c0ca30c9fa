"""One ZIP member made of deflated pieces written apart (by other processes).

A raw deflate stream may be cut into pieces, each compressed on its own and ended with a
sync flush (byte-aligned, no "last block" mark) but the final one: their concatenation is
one valid stream, as pigz does it. The member's CRC-32 is combined from the pieces' CRCs
and lengths (zlib's crc32_combine, which Python's zlib module does not offer), so the
parent never reads the uncompressed data again.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

CHUNK = 1 << 20
LEVEL = 1  # 4x faster than the default for a file ~15% larger (sheet XML shrinks ~8x)


@dataclass(frozen=True, slots=True)
class SheetPart:
    """A piece of a sheet's XML, deflated in a file: its CRC-32 and sizes, and how many
    rows it holds."""

    path: str
    crc: int
    size: int
    compressed_size: int
    rows: int


@dataclass(frozen=True, slots=True)
class Deflated:
    """A small piece deflated in memory (a sheet's head or tail)."""

    data: bytes
    crc: int
    size: int

    @property
    def compressed_size(self) -> int:
        return len(self.data)


class Deflater:
    """A write-only file that deflates into `out` and keeps the CRC-32 and sizes."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.crc = 0
        self.size = 0
        self.compressed_size = 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._emit(self.compressor.compress(data))
        return len(data)

    def finish(self, *, final: bool = False) -> None:
        """End the piece: byte-aligned for another to follow, or the end of the stream."""
        self._emit(self.compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH))

    def _emit(self, data: bytes) -> None:
        self.compressed_size += len(data)
        self.out.write(data)


def deflated(data: bytes, *, final: bool = False) -> Deflated:
    buffer = io.BytesIO()
    deflater = Deflater(buffer)
    deflater.write(data)
    deflater.finish(final=final)
    return Deflated(buffer.getvalue(), deflater.crc, deflater.size)


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B), as zlib's crc32_combine:
    appending len(B) zero bytes to A is a linear map on its CRC, applied by repeated
    squaring of the one-zero-bit operator over GF(2)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four zero bits
    while True:
        even = _square(odd)  # first time round: one zero byte
        if length2 & 1:
            crc1 = _times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _square(even)
        if length2 & 1:
            crc1 = _times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, matrix[n]) for n in range(32)]


def add_deflated_member(
    archive: zipfile.ZipFile, name: str, *, crc: int, size: int, compressed_size: int
) -> IO[bytes]:
    """Start a deflated member whose CRC and sizes are known, and return the file to
    write its `compressed_size` bytes of deflate data to, at once, before any other
    member. zipfile has no public way to add data compressed elsewhere: this writes the
    local header with ZipInfo.FileHeader and registers the member as ZipFile.write does,
    so close() lists it in the central directory (ZIP64 fields included when needed)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.CRC, info.file_size, info.compress_size = crc, size, compressed_size
    out = archive.fp
    assert out is not None, "the archive is closed"
    info.header_offset = out.tell()
    header = info.FileHeader()
    out.write(header)
    archive.filelist.append(info)
    archive.NameToInfo[name] = info
    archive.start_dir = info.header_offset + len(header) + compressed_size
    # Private, so typeshed does not declare it; set as ZipFile.write does.
    archive._didModify = True  # type: ignore[attr-defined]  # noqa: SLF001
    return out
