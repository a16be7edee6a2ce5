"""Metadata stripping: real JPEG and PNG files with metadata added, cleaned back to the image."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from candour.crypto import MetadataError, strip_metadata
from candour.exceptions import UserError

FIXTURES = Path(__file__).parent / "fixtures"
JPEG = (FIXTURES / "python.jpg").read_bytes()
PNG = (FIXTURES / "python.png").read_bytes()
SECRET = b"Dr Jane Whistle, iPhone 15 serial F2LXK0AAHG7F, 51.4545 N 2.5879 W"


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def exif_segment() -> bytes:
    """An APP1 Exif segment: a big-endian TIFF with one ASCII tag holding SECRET."""
    value_offset = 8 + 2 + 12 + 4
    ifd = struct.pack(">H", 1) + struct.pack(">HHII", 0x010F, 2, len(SECRET), value_offset)
    tiff = b"MM\x00*" + struct.pack(">I", 8) + ifd + struct.pack(">I", 0) + SECRET
    return jpeg_segment(0xE1, b"Exif\x00\x00" + tiff)


def split_after_app0(jpeg: bytes) -> tuple[bytes, bytes]:
    (length,) = struct.unpack(">H", jpeg[4:6])
    cut = 4 + length
    return jpeg[:cut], jpeg[cut:]


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def png_chunk_types(png: bytes) -> list[bytes]:
    types, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        types.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return types


# ------------------------------------------------------------------------------------------ JPEG


def test_fixture_jpeg_has_nothing_to_remove():
    cleaned = strip_metadata(JPEG)
    assert (cleaned.format, cleaned.removed, cleaned.data) == ("jpeg", (), JPEG)


def test_jpeg_exif_xmp_comment_and_photoshop_segments_are_removed():
    head, tail = split_after_app0(JPEG)
    dirty = (
        head
        + exif_segment()
        + jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + SECRET)
        + jpeg_segment(0xFE, SECRET)
        + jpeg_segment(0xED, b"Photoshop 3.0\x008BIM" + SECRET)
        + jpeg_segment(0xE2, b"MPF\x00" + SECRET)
        + tail
    )
    cleaned = strip_metadata(dirty)
    assert SECRET not in cleaned.data
    assert cleaned.data == JPEG
    assert cleaned.removed == (
        "JPEG APP1 segment (Exif)",
        "JPEG APP1 segment (http://ns.adobe.com/xap/1.0/)",
        "JPEG comment",
        "JPEG APP13 segment (Photoshop 3.0)",
        "JPEG APP2 segment (MPF)",
    )


def test_jpeg_colour_segments_are_kept():
    head, tail = split_after_app0(JPEG)
    icc = jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + b"profile bytes")
    adobe = jpeg_segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")
    with_colour = head + icc + adobe + tail
    cleaned = strip_metadata(with_colour)
    assert cleaned.data == with_colour
    assert cleaned.removed == ()


def test_jpeg_jfif_thumbnail_is_removed_and_header_kept():
    head, tail = split_after_app0(JPEG)
    thumbnail = bytes([2, 2]) + SECRET[:12]  # 2 x 2 pixels of RGB
    with_thumbnail = jpeg_segment(0xE0, head[4:][2:14] + thumbnail)
    cleaned = strip_metadata(head[:2] + with_thumbnail + tail)
    assert cleaned.data == JPEG
    assert cleaned.removed == ("JPEG JFIF thumbnail",)


def test_jpeg_data_after_end_of_image_is_removed():
    cleaned = strip_metadata(JPEG + b"\xff\xd8\xff\xe1" + SECRET)
    assert cleaned.data == JPEG
    assert cleaned.removed == (f"{4 + len(SECRET)} bytes after the end of the image",)


def test_jpeg_segments_between_scans_are_filtered_and_scan_data_kept():
    # A progressive-style layout: image data containing stuffed 0xFF00 bytes and restart
    # markers, then tables, metadata and a second scan.
    header_end = JPEG.index(b"\xff\xda")
    tables = JPEG[2:header_end]
    scan_header = jpeg_segment(0xDA, bytes.fromhex("03010002110311003f00"))
    scan_data = b"\x12\xff\x00\x34\xff\xd0\x56\xff\x00\xff\xd7\x78"
    dht = jpeg_segment(0xC4, bytes(17) + b"\x00")
    dirty = (
        b"\xff\xd8" + tables + scan_header + scan_data
        + dht + exif_segment() + jpeg_segment(0xFE, SECRET)
        + scan_header + scan_data + b"\xff\xff\xd9"
    )  # fmt: skip
    cleaned = strip_metadata(dirty)
    expected = (
        b"\xff\xd8" + tables + scan_header + scan_data + dht + scan_header + scan_data + b"\xff\xd9"
    )
    assert cleaned.data == expected
    assert len(cleaned.removed) == 2


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda j: j[:-2], "end-of-image"),
        (lambda j: j[:300], "end-of-image"),
        (lambda j: j[:21], "end-of-image"),
        (lambda j: j[:23], "cut short"),
        (lambda j: j[:30], "runs past"),
        (lambda j: j[:4] + b"\xff\xff" + j[6:], "runs past"),
        (lambda j: j[:20] + b"\x00" + j[21:], "does not start"),
    ],
)
def test_damaged_jpeg_is_refused_not_stored_uncleaned(damage, why):
    with pytest.raises(MetadataError, match=why) as raised:
        strip_metadata(damage(JPEG))
    assert isinstance(raised.value, UserError)
    assert "another format" in str(raised.value)


# ------------------------------------------------------------------------------------------- PNG


def test_png_text_chunks_are_removed_and_image_kept():
    cleaned = strip_metadata(PNG)
    assert cleaned.format == "png"
    assert b"date:create" not in cleaned.data
    assert cleaned.removed == ("PNG tEXt chunk", "PNG tEXt chunk")
    assert png_chunk_types(cleaned.data) == [
        b"IHDR",
        b"cHRM",
        b"PLTE",
        b"tRNS",
        b"bKGD",
        b"IDAT",
        b"IEND",
    ]


def test_png_exif_itxt_ztxt_time_unknown_and_trailing_data_are_removed():
    iend = PNG.rindex(b"\x00\x00\x00\x00IEND")
    ihdr_end = 8 + 25
    dirty = (
        PNG[:ihdr_end]
        + png_chunk(b"eXIf", b"MM\x00*" + SECRET)
        + png_chunk(b"iTXt", b"Author\x00\x00\x00en\x00\x00" + SECRET)
        + png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(SECRET))
        + png_chunk(b"tIME", bytes.fromhex("07e8010f0c0000"))
        + png_chunk(b"caBX", SECRET)
        + PNG[ihdr_end:iend]
        + png_chunk(b"IEND", b"")
        + SECRET
    )
    cleaned = strip_metadata(dirty)
    assert SECRET not in cleaned.data
    assert cleaned.data == strip_metadata(PNG).data
    assert cleaned.removed[:5] == (
        "PNG eXIf chunk",
        "PNG iTXt chunk",
        "PNG zTXt chunk",
        "PNG tIME chunk",
        "PNG caBX chunk",
    )
    assert cleaned.removed[-1] == f"{len(SECRET)} bytes after the end of the image"


def test_cleaned_png_still_decompresses_to_the_full_image():
    cleaned = strip_metadata(PNG).data
    width, height, depth = struct.unpack(">IIB", cleaned[16:25])
    pos, idat = 8, b""
    while pos < len(cleaned):
        (length,) = struct.unpack(">I", cleaned[pos : pos + 4])
        if cleaned[pos + 4 : pos + 8] == b"IDAT":
            idat += cleaned[pos + 8 : pos + 8 + length]
        pos += 12 + length
    assert len(zlib.decompress(idat)) == height * (1 + width * depth // 8)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda p: p[:-12], "ends before"),
        (lambda p: p[:40] + bytes([p[40] ^ 1]) + p[41:], "checksum"),
        (lambda p: p[:8] + b"\x7f\xff\xff\xff" + p[12:], "runs past"),
    ],
)
def test_damaged_png_is_refused(damage, why):
    with pytest.raises(MetadataError, match=why):
        strip_metadata(damage(PNG))


# ------------------------------------------------------------------------------------ other files


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n/Author (" + SECRET + b")", b"PK\x03\x04docx", b"GIF89a", b"", b"\xff\xd8"],
)
def test_other_formats_are_returned_unchanged_and_flagged(data):
    cleaned = strip_metadata(data)
    assert (cleaned.data, cleaned.format, cleaned.removed) == (data, None, ())
