"""Read Plotly figure JSON as the app sends it: arrays may come as base64 typed arrays."""

from __future__ import annotations

import base64

import numpy as np


def values(array) -> np.ndarray:
    """A trace's x/y/z as a NumPy array, decoding ``{"dtype", "bdata", "shape"}`` blocks."""
    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        shape = array.get("shape")
        if shape:
            dims = [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else shape
            data = data.reshape(dims)
        return data.astype(float)
    return np.asarray(array, dtype=float)
