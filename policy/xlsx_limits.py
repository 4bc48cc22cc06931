"""Limits an .xlsx file must keep before any XML parser sees it.

A 5 KB workbook can claim a cell at XFD1048576, merge ``H1:XFD1048576`` (openpyxl creates one
object per merged cell: 8 GB within 120 s), or hold a 2 GB sheet in 2 MB of zip; an XML part can
declare entities (billion laughs) or external entities (XXE). :func:`workbook_problem` checks the
zip directory and streams every XML part once — linear time, memory bounded by one chunk — and
names the first limit broken, before openpyxl parses anything. Real files stay far inside: a
province of 30,000 rows × 30 columns is ~900,000 cells in ~35 MB of sheet XML.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

__all__ = ["MAX_CELLS", "MAX_MERGED_CELLS", "MAX_PART_BYTES", "MAX_RATIO", "MAX_UNCOMPRESSED_BYTES",
           "workbook_problem"]

MAX_UNCOMPRESSED_BYTES = 160 * 2**20
"""All parts of one workbook together, uncompressed (as the zip directory declares; zipfile never
inflates a part beyond its declared size)."""
MAX_PART_BYTES = 96 * 2**20
"""One part (a sheet, the shared strings), uncompressed."""
MAX_RATIO = 100
"""Uncompressed / compressed size of a part over 1 MB (sheet XML compresses 5-30x; bombs 1000x)."""
MAX_CELLS = 1_500_000
"""Cells (``<c>`` elements) in one workbook."""
MAX_MERGED_CELLS = 1_000_000
"""Cells covered by merged ranges in one sheet (a merged title row is a few dozen)."""

_CHUNK = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL = re.compile(rb"<c[\s>/]")
_MERGE = re.compile(rb"<mergeCell\s[^>]*ref=\"([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?\"")


def _column(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


def _tags(stream: IO[bytes]) -> object:
    """Chunks of whole tags (each ends at a ``>``; the rest is carried to the next chunk)."""
    carry = b""
    while True:
        block = stream.read(_CHUNK)
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        cut = data.rfind(b">") + 1
        if cut == 0 and len(data) > _CHUNK:  # a long text without tags: scan it, keep a tail
            cut = len(data) - 64
        yield data[:cut]
        carry = data[cut:]


def _part_problem(zf: zipfile.ZipFile, info: zipfile.ZipInfo, counts: dict[str, int]) -> tuple[str, str] | None:
    merged = 0
    with zf.open(info) as stream:
        for chunk in _tags(stream):  # type: ignore[attr-defined]
            if _DTD.search(chunk):
                return (f"部件 {info.filename} 含有 DOCTYPE/ENTITY 声明（Excel 不会写入；"
                        "可能是 XML 实体攻击），拒绝读取",
                        f"part {info.filename} declares a DOCTYPE/ENTITY (Excel never writes one; an XML "
                        "entity attack?): refused")
            counts["cells"] += len(_CELL.findall(chunk))
            if counts["cells"] > MAX_CELLS:
                return (f"工作簿单元格超过 {MAX_CELLS:,} 个；请分成几个文件",
                        f"the workbook has more than {MAX_CELLS:,} cells; split it")
            for m in _MERGE.finditer(chunk):
                c1, r1 = _column(m[1]), int(m[2])
                c2, r2 = (_column(m[3]), int(m[4])) if m[3] else (c1, r1)
                merged += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                if merged > MAX_MERGED_CELLS:
                    ref = m[0].split(b'"')[1].decode("ascii", "replace")
                    return (f"部件 {info.filename} 的合并单元格（如 {ref}）覆盖超过 {MAX_MERGED_CELLS:,} 个单元格",
                            f"merged ranges in part {info.filename} (e.g. {ref}) cover more than "
                            f"{MAX_MERGED_CELLS:,} cells")
    return None


def workbook_problem(data: bytes) -> tuple[str, str] | None:
    """The first limit ``data`` (an .xlsx file) breaks, as (zh, en); None when within every limit.
    A file that is no zip at all is left to the caller's parser to report."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            return (f"工作簿解压后 {total:,} 字节，超过上限 {MAX_UNCOMPRESSED_BYTES:,} 字节",
                    f"the workbook is {total:,} bytes uncompressed; the limit is {MAX_UNCOMPRESSED_BYTES:,}")
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                return (f"部件 {info.filename} 解压后 {info.file_size:,} 字节，超过上限 {MAX_PART_BYTES:,} 字节",
                        f"part {info.filename} is {info.file_size:,} bytes uncompressed; the limit is "
                        f"{MAX_PART_BYTES:,}")
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                return (f"部件 {info.filename} 的压缩比超过 {MAX_RATIO}:1（可能是压缩炸弹），拒绝读取",
                        f"part {info.filename} is compressed more than {MAX_RATIO}:1 (a zip bomb?): refused")
        counts = {"cells": 0}
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    problem = _part_problem(zf, info, counts)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                    return None  # a damaged part: openpyxl reports it
                if problem is not None:
                    return problem
    return None
