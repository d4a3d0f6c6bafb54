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


def decoded(obj):
    """A figure's JSON with every base64 typed array decoded (dtype kept), recursively."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            data = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            return data.reshape([int(k) for k in str(shape).split(",")]) if shape else data
        return {k: decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decoded(v) for v in obj]
    return obj
