"""A minimal PNG reader/writer (8-bit greyscale/RGB/RGBA, non-interlaced) for screenshot checks."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read(path: Path) -> tuple[int, int, int, list[bytes]]:
    """(width, height, channels, rows of unfiltered pixel bytes)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace or colour not in CHANNELS:
                raise ValueError(f"unsupported PNG (depth {depth}, colour {colour}, interlace {interlace})")
            channels = CHANNELS[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif f == 4:
                line[i] = (line[i] + _paeth(a, b, c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def distinct_colours(path: Path, sample_every: int = 7) -> int:
    """How many different pixel values a sample of the image holds (1 = blank, one colour)."""
    _, _, ch, rows = read(path)
    seen: set[bytes] = set()
    for y in range(0, len(rows), sample_every):
        row = rows[y]
        for x in range(0, len(row) // ch, sample_every):
            seen.add(row[x * ch:(x + 1) * ch])
    return len(seen)


def write_crop(src: Path, dst: Path, top: int, bottom: int) -> None:
    """Rows [top, bottom) of src as a new PNG (for looking at long screenshots)."""
    width, _, ch, rows = read(src)
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[ch]
    raw = b"".join(b"\x00" + r for r in rows[top:bottom])

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, bottom - top, 8, colour, 0, 0, 0)
    dst.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6))
                    + chunk(b"IEND", b""))
