"""Tests of `figures.png`: the PNG files it writes decode, chunk by chunk, to the image."""

import base64
import struct
import zlib

import numpy as np
import pytest

from figures.png import png_data_uri, png_rgb


def decode_png(data: bytes) -> np.ndarray:
    """A reader for what png_rgb writes: checks every chunk's CRC, returns (H, W, 3)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        pos += 12 + length
    w, h, depth, color_type, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color_type) == (8, 2)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + 3 * w)
    assert np.all(raw[:, 0] == 0)  # filter type "none" on every row
    return raw[:, 1:].reshape(h, w, 3)


def test_png_round_trips_an_image():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(7, 11, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(png_rgb(pixels)), pixels)
    uri = png_data_uri(pixels)
    assert uri.startswith("data:image/png;base64,")
    np.testing.assert_array_equal(decode_png(base64.b64decode(uri.split(",", 1)[1])), pixels)
    with pytest.raises(ValueError):
        png_rgb(np.zeros((4, 4), np.uint8))


def test_png_data_uri_round_trips():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 7
    png = base64.b64decode(png_data_uri(rgb).split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (3, 2)
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    raw = np.frombuffer(zlib.decompress(png[start : start + length]), dtype=np.uint8)
    rows = raw.reshape(2, 1 + 9)
    assert np.all(rows[:, 0] == 0) and np.array_equal(rows[:, 1:].reshape(2, 3, 3), rgb)
