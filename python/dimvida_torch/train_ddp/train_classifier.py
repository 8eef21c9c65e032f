"""A view classifier (ResNet-18 or MobileNetV3-Small, python/dimvida_torch/classifiers.py) trained as the C
classifier trainer (branch vtrain, src/engine/votes/classifier_train.c when this was written) trains it, on one or
many devices: softmax cross-entropy, Adam, warm-up 100 + cosine to lr/50, gradient norm clipped at 5, each image
mirrored with probability 1/2 and shifted by up to ±4 px (white fill); dropout drawn from (seed, step, rank); at
the end BatchNorm's running statistics are recomputed as the plain average over bn_batches training batches.

Images: split c's given view of each object (Ω_s; a dataset directory's c.dvmv or a .dvmv file), or any folder
CLASS/NAME.png of single views (Ω_m: put the generated views beside the real ones). The batch is global (128) and
split over the ranks. BatchNorm normalises with each rank's own share of the batch (PyTorch's SyncBatchNorm, on
GPUs with --sync-bn, gives the whole batch's); DDP gives every rank rank 0's running statistics.

Writes into --out: checkpoint.safetensors (format dimvida-classifier-checkpoint-1 as the C trainer's),
classifier.safetensors (format dimvida-classifier-1, what the engine and the Votes page load) and losses.csv."""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from ..classifiers import ClassifierConfig, load_classifier, make_classifier, our_state_dict, save_classifier
from ..safetensors_io import load_file, save_file
from . import common, data, dist, formats
from .train_ae import adam_state, set_adam_state, check_setup, fail

CHECKPOINT_FORMAT = "dimvida-classifier-checkpoint-1"


class ImageSet(torch.utils.data.Dataset):
    """Single labelled views: (uint8 [S][S][3], label, index)."""

    def __init__(self, path, size, split="c"):
        if os.path.isdir(path) and not os.path.isfile(os.path.join(path, f"{split}.dvmv")) and not \
                os.path.isfile(path):
            self.classes = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)))
            self.files = [(os.path.join(path, c, f), k) for k, c in enumerate(self.classes)
                          for f in sorted(os.listdir(os.path.join(path, c))) if f.lower().endswith(".png")]
            if not self.files:
                raise ValueError(f"{path} holds no CLASS/NAME.png images")
            self.labels = np.array([k for _, k in self.files], dtype=np.int64)
            self.source, self.size, self.seed = None, size, None
            self.describe = f"{path} ({len(self.files)} images in {len(self.classes)} classes)"
        else:
            src = data.open_source(path, split, size)
            if not isinstance(src, data.DvmvSource):
                raise ValueError(f"{path}: give a .dvmv cache or a folder CLASS/NAME.png of single views")
            with open(src.path, "rb") as f:
                f.seek(data.DVMV_HEADER + src.n_objects)
                self.given = np.frombuffer(f.read(src.n_objects), dtype=np.uint8)
            if (self.given >= 4).any():
                raise ValueError(f"{src.path} is split d (all views): the classifiers train on split c")
            self.source, self.size, self.seed, self.classes = src, src.size, src.seed, src.class_names
            self.labels = src.labels.astype(np.int64)
            self.describe = src.describe() + ", its given views"
        self.n = len(self.labels)

    def __len__(self):
        return self.n

    def __getitem__(self, k):
        if self.source is not None:
            view = np.array(self.source.pixels[k, self.given[k]])
        else:
            view = data._read_png(self.files[k][0], self.size)
        return torch.from_numpy(view), int(self.labels[k]), k


def train_config_json(c):
    return ('{"model":%s,"flip":%s,"shift":%d,"batch":%d,"lr":%s,"weight_decay":%s,"warmup_steps":%d,"steps":%d,'
            '"clip_norm":%s,"bn_batches":%d,"seed":%d}'
            % (c["model"].to_json(), "true" if c["flip"] else "false", c["shift"], c["batch"], formats.g9(c["lr"]),
               formats.g9(c["weight_decay"]), c["warmup_steps"], c["steps"], formats.g9(c["clip_norm"]),
               c["bn_batches"], c["seed"]))


def train_config_from_json(text):
    o = json.loads(text)
    return {"model": ClassifierConfig(**o["model"]), "flip": bool(o.get("flip", True)), "shift": int(o.get("shift", 4)),
            "batch": int(o.get("batch", 128)), "lr": float(o.get("lr", 2e-3)),
            "weight_decay": float(o.get("weight_decay", 0.0)), "warmup_steps": int(o.get("warmup_steps", 100)),
            "steps": int(o.get("steps", 3000)), "clip_norm": float(o.get("clip_norm", 5.0)),
            "bn_batches": int(o.get("bn_batches", 16)), "seed": int(o.get("seed", 1))}


def parse(argv):
    p = argparse.ArgumentParser(prog="train_ddp.py classifier", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(p)
    p.add_argument("--arch", choices=["resnet18", "mobilenet"], default="resnet18", help="network (resnet18)")
    p.add_argument("--width", type=float, help="width multiplier (resnet18 0.125, mobilenet 0.5: the C defaults)")
    p.add_argument("--no-flip", action="store_true", help="no mirroring")
    p.add_argument("--shift", type=int, help="largest shift in pixels (4)")
    p.add_argument("--clip-norm", type=float, help="gradient norm clip (5; 0: none)")
    p.add_argument("--weight-decay", type=float, help="Adam's L2 term (0)")
    p.add_argument("--bn-batches", type=int, help="batches that recompute BatchNorm's statistics at the end (16)")
    p.add_argument("--sync-bn", action="store_true", help="SyncBatchNorm across the ranks (GPUs only)")
    p.add_argument("--init", help="start from this classifier.safetensors (its network and weights): fresh "
                                  "optimiser and schedule")
    return p.parse_args(argv)


def new_config(a, n_classes):
    model = ClassifierConfig(arch=a.arch, width=a.width or (0.125 if a.arch == "resnet18" else 0.5),
                             n_classes=n_classes)
    c = {"model": model, "flip": not a.no_flip, "shift": 4, "batch": 128, "lr": 2e-3, "weight_decay": 0.0,
         "warmup_steps": 100, "steps": 3000, "clip_norm": 5.0, "bn_batches": 16, "seed": a.seed}
    for key in ("shift", "batch", "lr", "weight_decay", "warmup_steps", "steps", "clip_norm", "bn_batches"):
        if getattr(a, key) is not None:
            c[key] = getattr(a, key)
    return train_config_from_json(train_config_json(c))


def augment(x, c, step, rank, world):
    """Mirror and shift of the global batch's images drawn from (seed, step); this rank's rows."""
    g, B, m = dist.step_generator(c["seed"], step, 2), c["batch"], c["shift"]
    flip = (torch.rand(B, generator=g) < 0.5) if c["flip"] else torch.zeros(B, dtype=torch.bool)
    shifts = torch.randint(-m, m + 1, (B, 2), generator=g)
    flip, shifts = flip[rank::world].to(x.device), shifts[rank::world]
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    return data.shift_views(x, shifts[:, 0], shifts[:, 1], m)


def save_checkpoint(path, model, m, v, t, step, c, extra):
    layout, count = formats.c_layout([(k, tuple(p.shape)) for k, p in model.named_parameters()])
    tensors = our_state_dict(model)
    tensors["train.adam_m"] = formats.flatten(m, layout, count)
    tensors["train.adam_v"] = formats.flatten(v, layout, count)
    meta = dict(extra, format=CHECKPOINT_FORMAT, train_config=train_config_json(c), step=str(step), adam_t=str(t))
    save_file(tensors, path, meta)


def load_checkpoint(path):
    tensors, meta = load_file(path)
    if meta.get("format") != CHECKPOINT_FORMAT or "train_config" not in meta:
        raise ValueError(f"{path} is not a classifier training checkpoint (format {CHECKPOINT_FORMAT})")
    c = train_config_from_json(meta["train_config"])
    model = make_classifier(c["model"])
    names = [k for k, _ in model.named_parameters()]
    layout, _ = formats.c_layout([(k, tuple(tensors[k].shape)) for k in names])
    state = {k: tensors[k] for k in our_state_dict(model)}
    return (c, state, formats.unflatten(tensors["train.adam_m"], layout),
            formats.unflatten(tensors["train.adam_v"], layout), int(meta["adam_t"]), int(meta["step"]))


@torch.no_grad()
def restore(tensors, saved):
    for t, s in zip(tensors, saved):
        t.copy_(s)


@torch.no_grad()
def recalibrate_batch_norm(ctx, model, loader_for, batches):
    """Running statistics = the plain average of `batches` training batches' statistics (per rank, then averaged
    over the ranks): after a short run the moving averages still lag behind the weights."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns or batches <= 0:
        return
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    done = 0
    for views, _, _ in loader_for():
        model(data.to_chw(views, ctx.device))
        done += 1
        if done >= batches:
            break
    for m, momentum in zip(bns, saved):
        m.momentum = momentum
        for t in (m.running_mean, m.running_var):
            ctx.all_reduce_sum(t_cpu := t.cpu())
            t.copy_(t_cpu / ctx.world)


def main(argv):
    a = parse(argv)
    ctx = dist.init(a.device)
    common.set_up_torch(a)
    common.resolve_resume(a)
    os.makedirs(a.out, exist_ok=True)
    step, resumed, error = 0, a.resume is not None, None
    try:
        if resumed:
            c, state, m, v, adam_t, step = load_checkpoint(a.resume)
            if a.steps and a.steps != c["steps"]:
                c["steps"] = a.steps
        images = ImageSet(a.data, 64)
        init = None
        if a.init and not resumed:
            try:
                init, _ = load_classifier(a.init)
            except (ValueError, OSError, KeyError, RuntimeError) as e:
                raise ValueError(f"--init: {e}") from None
        if not resumed:
            c = new_config(a, len(images.classes))
            if init is not None:
                c["model"] = init.config
        if c["model"].n_classes != len(images.classes):
            raise ValueError(f"the classifier has {c['model'].n_classes} classes, the images {len(images.classes)}")
        if images.size != c["model"].image_size:
            raise ValueError(f"the images are {images.size}², the classifier takes {c['model'].image_size}²")
    except (ValueError, OSError, KeyError) as e:
        error = str(e)
    check_setup(ctx, error, "classifier")
    W = ctx.world
    if c["batch"] % W != 0:
        fail(ctx, f"the global batch {c['batch']} does not split evenly over {W} ranks", "classifier")
    b = c["batch"] // W
    torch.manual_seed(c["seed"])
    model = make_classifier(c["model"])
    if resumed:
        model.load_state_dict(state, strict=False)
    elif init is not None:
        model = init
    if a.sync_bn and W > 1:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model.to(ctx.device)
    net = DistributedDataParallel(model, device_ids=[ctx.device] if ctx.device.type == "cuda" else None) \
        if W > 1 else model
    params, buffers = list(model.parameters()), list(model.buffers())
    opt = torch.optim.Adam(params, lr=c["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=c["weight_decay"])
    if resumed:
        set_adam_state(opt, model, m, v, adam_t)
    sampler = dist.ResumableDistributedSampler(images, W, ctx.rank, c["seed"])
    per_epoch = sampler.num_samples // b
    if per_epoch == 0:
        fail(ctx, f"{len(images)} images are fewer than one global batch of {c['batch']}", "classifier")
    extra = common.provenance(ctx, {"seed": str(c["seed"]), "dataset": images.describe, "images": str(len(images))})
    if images.seed is not None:
        extra["dataset_seed"] = str(images.seed)
    if ctx.is_main:
        what = f"Resuming from {a.resume} at step {step}" if resumed else \
            f"Training {c['model'].arch} × {c['model'].width}"
        print(f"{what} on {images.describe}: {W} rank{'s' if W > 1 else ''} ({ctx.backend}, {ctx.device.type}), "
              f"global batch {c['batch']} ({b} per rank), {c['steps']} steps, seed {c['seed']}", flush=True)
    agree = common.StepAgreement(ctx, a.minutes, a.checkpoint_seconds)
    log = common.LossLog(ctx, a.out, resumed)
    record = common.DebugRecord(ctx, a.debug_record)
    ckpt = os.path.join(a.out, "checkpoint.safetensors")

    def save(final=False):
        if ctx.is_main:
            mm, vv, t = adam_state(opt, model)
            save_checkpoint(ckpt, model, mm, vv, t, step, c, {"trainer": extra["trainer"], "world_size": str(W)})
            if final:
                save_classifier(model, os.path.join(a.out, "classifier.safetensors"),
                                dict(extra, step=str(step), train_config=train_config_json(c),
                                     train_minutes=f"{agree.seconds() / 60:.2f}"))
        agree.saved()

    def loader(start=0):
        sampler.set_start(start)
        return torch.utils.data.DataLoader(images, batch_size=b, sampler=sampler, drop_last=True,
                                           pin_memory=ctx.device.type == "cuda")

    loss_avg, diverged, start_step, stop = 0.0, None, step, False
    while step < c["steps"] and diverged is None and not stop:
        sampler.set_epoch(step // per_epoch)
        model.train()
        for views, labels, idx in loader((step % per_epoch) * b):
            t0 = agree.seconds()
            record.indices(step, idx)
            x = augment(data.to_chw(views, ctx.device), c, step, ctx.rank, W)
            torch.manual_seed(dist.step_seed(c["seed"], step, 3 + ctx.rank))  # dropout from (seed, step, rank)
            lr = common.lr_at(c, step, 50.0)
            for group in opt.param_groups:
                group["lr"] = lr
            # A step not taken (NaN, time up, a signal) leaves BatchNorm's running statistics as they were.
            stats_before = [t.clone() for t in buffers]
            loss = F.cross_entropy(net(x), labels.to(ctx.device))
            if step == a.debug_nan_at and ctx.rank == W - 1:  # the tests' divergence
                loss = loss * float("nan")
            global_loss, nonfinite, over_budget, due = agree.step(loss.item() * b, b)
            if nonfinite or over_budget:
                restore(buffers, stats_before)
                stop = over_budget
                if nonfinite:
                    diverged = f"training diverged (NaN or inf) at step {step + 1}; the last good weights are in {ckpt}"
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if c["clip_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(params, c["clip_norm"])
            backup = [p.detach().clone() for p in params]
            opt.step()
            if not torch.stack([torch.isfinite(p).all() for p in params]).all().item():  # one device sync
                restore(params, backup)
                restore(buffers, stats_before)
                diverged = f"training diverged (NaN or inf) at step {step + 1}; the last good weights are in {ckpt}"
                break
            step += 1
            loss_avg = global_loss if step == start_step + 1 else loss_avg + (global_loss - loss_avg) * 0.01
            log.add(step, c["steps"], global_loss, loss_avg, lr, agree.seconds(), agree.seconds() - t0)
            if due:
                log.flush()
                save()
            if step >= c["steps"] or (a.stop_after and step - start_step >= a.stop_after):
                stop = True
                break
    log.close()
    save()
    if step >= c["steps"] and diverged is None and not agree.interrupted:
        sampler.set_epoch(step // per_epoch)
        recalibrate_batch_norm(ctx, model, loader, c["bn_batches"])
    save(final=True)
    record.finish(our_state_dict(model))
    common.finish_run(ctx, agree, step, diverged, "classifier", f"{a.out}/classifier.safetensors", ckpt)
