"""Multi-view datasets for the PyTorch trainers: the binary cache that
`dimvida views dataset` writes (<split>.dvmv, src/engine/views/multiview.h), or
any folder of 4-view renders in the PNG layout the same command writes:

    ROOT/<class>/<object>-<view>.png      (or ROOT/d/<class>/… for a dataset directory)

<view> is front, right, back or left (the camera ring, 90° apart, in that
order); <object> is any name without '-' (ours are 00000, 00001, …); <class> is
any folder name (labels in sorted order). Every view is a square RGB or RGBA PNG
of the autoencoder's size (64×64); RGBA is composited over white, our renders'
background. An object needs all four views; incomplete ones are skipped with a
warning naming them."""
import os
import struct
import sys

import numpy as np
import torch

VIEW_NAMES = ("front", "right", "back", "left")
DVMV_MAGIC = b"DVMVIEW1"
DVMV_HEADER = 256
SPLITS = ("d", "c", "e")


class DvmvSource:
    """One split of a .dvmv cache, its pixels memory-mapped: [n_objects][4][S][S][3] uint8."""

    def __init__(self, path):
        with open(path, "rb") as f:
            header = f.read(DVMV_HEADER)
        if len(header) < DVMV_HEADER or header[:8] != DVMV_MAGIC:
            raise ValueError(f"{path} is not a multi-view cache (no {DVMV_MAGIC.decode()} header)")
        version, split, n, views, height, width, channels, classes = struct.unpack_from("<8I", header, 8)
        if version != 1 or split >= 3 or views != 4 or channels != 3 or height != width or classes > 13:
            raise ValueError(f"{path}: unsupported cache (version {version}, split {split}, {views} views, "
                             f"{channels} channels, {width}×{height})")
        expected = DVMV_HEADER + 6 * n + n * views * height * width * 3
        if os.path.getsize(path) != expected:
            raise ValueError(f"{path} has {os.path.getsize(path)} bytes, expected {expected}")
        self.path, self.split, self.n_objects, self.size = path, SPLITS[split], n, width
        self.seed = struct.unpack_from("<Q", header, 40)[0]
        self.class_names = [header[48 + 16 * k:64 + 16 * k].split(b"\0")[0].decode() for k in range(classes)]
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        self.labels = np.array(raw[DVMV_HEADER:DVMV_HEADER + n])
        self.pixels = raw[DVMV_HEADER + 6 * n:].reshape(n, views, height, width, 3)

    def views(self, obj):
        return np.asarray(self.pixels[obj])

    def describe(self):
        return f"{self.path} (split {self.split}, dataset seed {self.seed}, {self.n_objects} objects)"


def _read_png(path, size):
    from PIL import Image
    with Image.open(path) as im:
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            white = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(white, im)
        rgb = np.array(im.convert("RGB"))
    if rgb.shape != (size, size, 3):
        raise ValueError(f"{path} is {rgb.shape[1]}×{rgb.shape[0]}, the views must be {size}×{size}")
    return rgb


class PngFolderSource:
    """A folder of 4-view renders (layout in the module's docstring), read lazily."""

    def __init__(self, root, size=64):
        self.path, self.size, self.split, self.seed = root, size, "d", None
        self.class_names = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        objects, incomplete = [], []
        for label, cls in enumerate(self.class_names):
            found = {}
            for name in os.listdir(os.path.join(root, cls)):
                stem, ext = os.path.splitext(name)
                if ext.lower() != ".png" or "-" not in stem:
                    continue
                obj, view = stem.rsplit("-", 1)
                if view in VIEW_NAMES:
                    found.setdefault(obj, {})[view] = os.path.join(root, cls, name)
            for obj in sorted(found):
                if len(found[obj]) == 4:
                    objects.append((label, [found[obj][v] for v in VIEW_NAMES]))
                else:
                    incomplete.append(f"{cls}/{obj}")
        if incomplete:
            print(f"warning: {len(incomplete)} objects without all four views skipped: "
                  f"{', '.join(incomplete[:5])}{' …' if len(incomplete) > 5 else ''}", file=sys.stderr)
        if not objects:
            raise ValueError(f"{root} holds no object with the four views CLASS/OBJECT-{{front,right,back,left}}.png")
        self.files = [files for _, files in objects]
        self.labels = np.array([label for label, _ in objects], dtype=np.uint8)
        self.n_objects = len(objects)
        _read_png(self.files[0][0], size)  # the size is checked before any training starts

    def views(self, obj):
        return np.stack([_read_png(p, self.size) for p in self.files[obj]])

    def describe(self):
        return f"{self.path} (PNG renders, {self.n_objects} objects in {len(self.class_names)} classes)"


def open_source(path, split="d", size=64):
    """A .dvmv file, a dataset directory (its <split>.dvmv, else its <split>/ PNG folder) or a PNG folder."""
    if os.path.isfile(path):
        return DvmvSource(path)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no such dataset (a .dvmv file or a folder of renders)")
    cache = os.path.join(path, f"{split}.dvmv")
    if os.path.isfile(cache):
        return DvmvSource(cache)
    if os.path.isdir(os.path.join(path, split)):
        return PngFolderSource(os.path.join(path, split), size)
    return PngFolderSource(path, size)


class ViewDataset(torch.utils.data.Dataset):
    """Every view of every object, item k = view k % 4 of object k // 4 (the C trainer's order):
    (uint8 [S][S][3], k)."""

    def __init__(self, source):
        self.source = source

    def __len__(self):
        return self.source.n_objects * 4

    def __getitem__(self, k):
        if isinstance(self.source, DvmvSource):
            view = np.array(self.source.pixels[k // 4, k % 4])
        else:
            view = _read_png(self.source.files[k // 4][k % 4], self.source.size)
        return torch.from_numpy(view), k


def to_chw(batch_hwc, device):
    """uint8 [B][S][S][3] → float [B][3][S][S] in [0, 1] on device (as dv_ae_view_to_chw)."""
    return batch_hwc.to(device, non_blocking=True).permute(0, 3, 1, 2).float().div_(255.0)


def shift_views(x, dx, dy, max_shift):
    """Each view b moved by (dx[b], dy[b]) pixels, white where it uncovers (ae_train.c's shifted_view):
    out[y][x] = in[y − dy][x − dx]."""
    if max_shift == 0:
        return x
    B, C, S, _ = x.shape
    m = max_shift
    padded = torch.nn.functional.pad(x, (m, m, m, m), value=1.0)
    ar = torch.arange(S, device=x.device)
    rows = (ar[None, :] - dy[:, None].to(x.device) + m)  # [B][S]
    cols = (ar[None, :] - dx[:, None].to(x.device) + m)
    b = torch.arange(B, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[b, rows[:, :, None], cols[:, None, :]]  # [B][S][S][C]
    return out.permute(0, 3, 1, 2).contiguous()
