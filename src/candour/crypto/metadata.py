"""Remove identifying metadata from uploaded files before they are encrypted, without extra
dependencies. Honest scope: **JPEG and PNG only**.

Recognised by their first bytes (never by file name):

* **JPEG** - keeps only what decoding needs: quantisation and Huffman tables, frame and scan
  headers, restart intervals, the image data, an ICC colour profile (APP2 ``ICC_PROFILE``) and
  Adobe's colour-transform marker (APP14). Removes every other application segment (APP1 Exif
  with GPS position, camera serial number, time and embedded thumbnail; APP1 XMP; APP2 MPF;
  APP13 Photoshop/IPTC; ...), comments, and anything after the end-of-image marker (e.g. the
  extra images of an MPF file). The JFIF header is kept without its thumbnail.
  Side effect: the Exif orientation goes too, so a portrait photo may show rotated.
* **PNG** - keeps critical chunks and the ancillary chunks that affect how the image looks
  (transparency, gamma, colour space, ICC profile, significant bits, background, pixel size,
  animation). Removes text chunks (``tEXt``, ``zTXt``, ``iTXt``), ``eXIf``, ``tIME`` and every
  other ancillary chunk, and anything after ``IEND``. Chunk checksums are verified.

Everything else (PDF, Office documents, HEIC, WebP, GIF, audio, video, ...) is returned unchanged
with ``format=None``: it is still encrypted, but its metadata (author names, GPS, edit history)
stays inside. The web layer should tell the reporter so before they upload.

A file that starts like a JPEG or PNG but is damaged raises
:class:`~candour.crypto.errors.MetadataError` rather than being stored uncleaned.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from candour.crypto.errors import MetadataError

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# JPEG markers (ITU-T T.81, table B.1).
_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP2, _APP14, _APP15 = 0xE0, 0xE2, 0xEE, 0xEF
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM have no length
_JFIF_ID = b"JFIF\x00"
_JFIF_FIXED_BYTES = 12  # identifier (5), version (2), units (1), densities (4); thumbnail follows
_KEEP_APP = {_APP2: b"ICC_PROFILE\x00", _APP14: b"Adobe"}

# PNG ancillary chunks that change how the image renders (PNG 3rd edition, W3C 2025, section
# 11.3) plus APNG's animation chunks. Any other ancillary chunk is removed.
PNG_KEPT_ANCILLARY = frozenset(
    {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD",
     b"pHYs", b"acTL", b"fcTL", b"fdAT"}
)  # fmt: skip


@dataclass(frozen=True)
class CleanedFile:
    """A file after cleaning: its bytes, the format recognised (``None``: stored as-is) and a
    short description of each part removed."""

    data: bytes
    format: str | None
    removed: tuple[str, ...]


def strip_metadata(data: bytes) -> CleanedFile:
    """The file with the metadata we know how to remove removed (see the module docstring)."""
    if data.startswith(JPEG_MAGIC):
        cleaned, removed = _strip_jpeg(data)
        return CleanedFile(cleaned, "jpeg", removed)
    if data.startswith(PNG_SIGNATURE):
        cleaned, removed = _strip_png(data)
        return CleanedFile(cleaned, "png", removed)
    return CleanedFile(data, None, ())


# ----------------------------------------------------------------------------------------- JPEG


def _strip_jpeg(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    out, removed = [data[:2]], []
    pos = 2
    while True:
        marker, pos = _next_marker(data, pos)
        if marker == _EOI:
            out.append(b"\xff\xd9")
            if pos < len(data):
                removed.append(f"{len(data) - pos} bytes after the end of the image")
            return b"".join(out), tuple(removed)
        if marker in _STANDALONE:
            out.append(bytes([0xFF, marker]))
            continue
        end = _segment_end(data, pos)
        segment = data[pos - 2 : end]  # marker, length and payload
        kept, note = _filter_jpeg_segment(marker, segment)
        if kept:
            out.append(kept)
        if note:
            removed.append(note)
        pos = end
        if marker == _SOS:
            scan_end = _entropy_coded_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    """The marker at ``pos`` (after any 0xFF fill bytes) and the position after it."""
    if pos >= len(data) or data[pos] != 0xFF:
        raise MetadataError(_damaged("JPEG", "a segment does not start where expected"))
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise MetadataError(_damaged("JPEG", "it ends before its end-of-image marker"))
    return data[pos], pos + 1


def _segment_end(data: bytes, pos: int) -> int:
    if pos + 2 > len(data):
        raise MetadataError(_damaged("JPEG", "a segment is cut short"))
    (length,) = struct.unpack(">H", data[pos : pos + 2])
    if length < 2 or pos + length > len(data):
        raise MetadataError(_damaged("JPEG", "a segment's length runs past the end"))
    return pos + length


def _entropy_coded_end(data: bytes, pos: int) -> int:
    """Where the image data after a scan header ends: the next 0xFF not followed by 0x00 (a
    stuffed byte) or a restart marker (T.81 section B.1.1.5)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos == -1 or pos + 1 >= len(data):
            raise MetadataError(_damaged("JPEG", "its image data has no end-of-image marker"))
        follower = data[pos + 1]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            pos += 2
            continue
        return pos


def _filter_jpeg_segment(marker: int, segment: bytes) -> tuple[bytes | None, str | None]:
    """(segment to keep or None, description of what was removed or None)."""
    payload = segment[4:]
    if marker == _APP0:
        return _clean_jfif(segment)
    if marker in _KEEP_APP and payload.startswith(_KEEP_APP[marker]):
        return segment, None
    if _APP0 <= marker <= _APP15:
        return None, f"JPEG APP{marker - _APP0} segment ({_app_name(payload)})"
    if marker == _COM:
        return None, "JPEG comment"
    return segment, None


def _clean_jfif(segment: bytes) -> tuple[bytes | None, str | None]:
    payload = segment[4:]
    if not payload.startswith(_JFIF_ID) or len(payload) < _JFIF_FIXED_BYTES + 2:
        return None, f"JPEG APP0 segment ({_app_name(payload)})"
    header = payload[:_JFIF_FIXED_BYTES] + b"\x00\x00"  # thumbnail width and height 0
    rebuilt = b"\xff\xe0" + struct.pack(">H", len(header) + 2) + header
    has_thumbnail = payload[_JFIF_FIXED_BYTES] and payload[_JFIF_FIXED_BYTES + 1]
    return rebuilt, ("JPEG JFIF thumbnail" if has_thumbnail else None)


def _app_name(payload: bytes) -> str:
    """The identifier an application segment starts with (e.g. ``Exif``), for the report."""
    name = payload[:32].split(b"\x00", 1)[0]
    text = name.decode("ascii", "replace")
    return text if name and text.isprintable() else "unnamed"


# ------------------------------------------------------------------------------------------ PNG


def _strip_png(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    out, removed = [PNG_SIGNATURE], []
    pos = len(PNG_SIGNATURE)
    while True:
        chunk_type, chunk, pos = _png_chunk(data, pos)
        if _keep_png_chunk(chunk_type):
            out.append(chunk)
        else:
            removed.append(f"PNG {chunk_type.decode('latin-1')} chunk")
        if chunk_type == b"IEND":
            if pos < len(data):
                removed.append(f"{len(data) - pos} bytes after the end of the image")
            return b"".join(out), tuple(removed)


def _png_chunk(data: bytes, pos: int) -> tuple[bytes, bytes, int]:
    """(type, whole chunk, position after it), with its CRC checked."""
    if pos + 12 > len(data):
        raise MetadataError(_damaged("PNG", "it ends before its IEND chunk"))
    (length,) = struct.unpack(">I", data[pos : pos + 4])
    end = pos + 12 + length
    if end > len(data):
        raise MetadataError(_damaged("PNG", "a chunk's length runs past the end"))
    chunk_type = data[pos + 4 : pos + 8]
    (crc,) = struct.unpack(">I", data[end - 4 : end])
    if zlib.crc32(data[pos + 4 : end - 4]) != crc:
        raise MetadataError(_damaged("PNG", "a chunk fails its checksum"))
    return chunk_type, data[pos:end], end


def _keep_png_chunk(chunk_type: bytes) -> bool:
    critical = chunk_type[:1].isupper()  # bit 5 of the first byte clear: PNG section 5.4
    return critical or chunk_type in PNG_KEPT_ANCILLARY


def _damaged(kind: str, why: str) -> str:
    return (
        f"This file looks like a {kind} image but is damaged ({why}), so hidden information "
        "in it cannot be removed safely. Please save it again or send it in another format."
    )
