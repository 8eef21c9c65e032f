"""A minimal safetensors reader/writer (F32, F16) with torch tensors; Debian 12
packages no safetensors module. Layout as the format defines it: u64 header
length, JSON header, raw little-endian data."""
import json
import os
import struct

import numpy as np
import torch

_DTYPES = {"F32": np.float32, "F16": np.float16}


def load_file(path):
    """Returns (tensors, metadata): a dict of float32 torch tensors and the __metadata__ dict."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0] if len(data) >= 8 else 0
    try:
        if not 2 <= n <= len(data) - 8:
            raise ValueError
        header = json.loads(data[8:8 + n])
        if not isinstance(header, dict):
            raise ValueError
    except ValueError:
        raise ValueError(f"{path} is not a safetensors file") from None
    metadata = header.pop("__metadata__", {}) or {}
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.astype(np.float32))
    return tensors, metadata


def save_file(tensors, path, metadata=None, dtype="F32"):
    """Writes float tensors (sorted by name) as F32 or F16, atomically (a temporary file renamed over path)."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = tensors[name].detach().cpu().numpy().astype(_DTYPES[dtype])
        blob = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
