"""PNG images written here, with zlib: no imaging library for a few colour-mapped grids."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np


def png_rgb(pixels: np.ndarray) -> bytes:
    """A PNG file of an (H, W, 3) uint8 image: 8-bit RGB, one zlib stream, no filters."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"pixels must have shape (H, W, 3), got {pixels.shape}")
    h, w, _ = pixels.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), pixels.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        # Level 6, not 9: 5% larger for these banded images, built six times faster.
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def png_data_uri(pixels: np.ndarray) -> str:
    """An (H, W, 3) uint8 image as a PNG data URI."""
    return "data:image/png;base64," + base64.b64encode(png_rgb(pixels)).decode("ascii")
