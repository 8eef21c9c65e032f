"""The view autoencoder trained as src/engine/views/ae_train.c trains it, on
one or many devices: every view of every object of split d, L1 loss, Adam with
a linear warm-up and cosine decay to lr/50, each view shifted by up to ±2 px
(white fill, never flipped). The batch is global (64 by default) and split
evenly over the ranks; the views of a step and their shifts depend on (seed,
step) only, so a run resumes exactly and sees the same batches on 1 or 64 ranks.

Writes into --out: checkpoint.safetensors (the C trainer's checkpoint format:
`dimvida views train-ae --resume` continues it, and this trainer continues the
C trainer's), autoencoder.safetensors (what `dimvida views …` and the app load)
and losses.csv."""
import argparse
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from ..autoencoder import ViewAutoencoder, AutoencoderConfig
from . import common, data, dist, formats


def parse(argv):
    p = argparse.ArgumentParser(prog="train_ddp.py ae", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(p)
    p.add_argument("--init", help="start from these weights (e.g. data/weights/views/autoencoder.safetensors): "
                                  "fresh optimiser and schedule")
    p.add_argument("--latent-dim", type=int, help="latent size (64)")
    p.add_argument("--channels", help="three widths C0,C1,C2 (32,64,128)")
    p.add_argument("--head-channels", type=int, help="width of the decoder's full-resolution head (16)")
    p.add_argument("--max-shift", type=int, help="largest shift in pixels (2)")
    p.add_argument("--workers", type=int, default=-1, help="DataLoader workers per rank (-1: 2 on a GPU, else 0)")
    return p.parse_args(argv)


def new_config(a):
    model = AutoencoderConfig()
    if a.latent_dim:
        model.latent_dim = a.latent_dim
    if a.channels:
        model.channels = [int(c) for c in a.channels.split(",")]
        if len(model.channels) != 3:
            raise SystemExit("--channels wants three widths C0,C1,C2")
    if a.head_channels:
        model.head_channels = a.head_channels
    c = {"model": model, "batch": 64, "lr": 2e-3, "warmup_steps": 200, "steps": 10000, "seed": a.seed,
         "max_shift": 2}
    for key, value in (("batch", a.batch), ("lr", a.lr), ("warmup_steps", a.warmup_steps), ("steps", a.steps),
                       ("max_shift", a.max_shift)):
        if value is not None:
            c[key] = value
    # Through the checkpoint's JSON and back: the numbers a resumed run reads (lr as float32, %.9g) from step 0 on.
    return formats.ae_train_config_from_json(formats.ae_train_config_json(c))


def adam_state(opt, model):
    m, v, t = {}, {}, 0
    for name, p in model.named_parameters():
        s = opt.state.get(p, {})
        m[name] = s.get("exp_avg", torch.zeros_like(p))
        v[name] = s.get("exp_avg_sq", torch.zeros_like(p))
        t = int(s["step"]) if "step" in s else 0
    return m, v, t


def set_adam_state(opt, model, m, v, t):
    for name, p in model.named_parameters():
        opt.state[p] = {"step": torch.tensor(float(t)), "exp_avg": m[name].to(p.device).clone(),
                        "exp_avg_sq": v[name].to(p.device).clone()}


def fail(ctx, message, command="ae"):
    if ctx.is_main:
        print(f"train_ddp {command}: {message}", file=sys.stderr)
    ctx.close()
    raise SystemExit(1)


def check_setup(ctx, error, command="ae"):
    """After what each rank reads for itself (data, checkpoint, weights): all go on, or all stop, each failed rank
    saying why."""
    failed = ctx.count_failed(error is None)
    if failed == 0:
        return
    if failed == ctx.world:
        if ctx.is_main:
            print(f"train_ddp {command}: {error}", file=sys.stderr)
    elif error is not None:
        print(f"train_ddp {command} (rank {ctx.rank}): {error}", file=sys.stderr)
    elif ctx.is_main:
        print(f"train_ddp {command}: another rank could not start (see its output)", file=sys.stderr)
    ctx.close()
    raise SystemExit(1)


def main(argv):
    a = parse(argv)
    ctx = dist.init(a.device)
    common.set_up_torch(a)
    common.resolve_resume(a)
    os.makedirs(a.out, exist_ok=True)
    step, resumed, error = 0, a.resume is not None, None
    try:
        if resumed:
            c, weights, m, v, adam_t, step = formats.load_ae_checkpoint(a.resume)
            if a.steps and a.steps != c["steps"]:
                if ctx.is_main:
                    print(f"The schedule is {a.steps} steps now, not the checkpoint's {c['steps']}: "
                          f"the learning rate from step {step} on differs from an uninterrupted run")
                c["steps"] = a.steps
        else:
            c = new_config(a)
        init = None
        if a.init and not resumed:
            try:
                init = ViewAutoencoder.from_safetensors(a.init)
            except (ValueError, OSError, KeyError, RuntimeError) as e:
                raise ValueError(f"--init: {e}") from None
        source = data.open_source(a.data, "d", (init.config if init else c["model"]).image_size)
    except (ValueError, OSError, KeyError, RuntimeError) as e:
        error = str(e)
    check_setup(ctx, error)
    W = ctx.world
    if c["batch"] % W != 0:
        fail(ctx, f"the global batch {c['batch']} does not split evenly over {W} ranks")
    b = c["batch"] // W
    torch.manual_seed(c["seed"])
    model = ViewAutoencoder(c["model"])
    if resumed:
        model.load_state_dict(weights)
    elif init is not None:
        model, c["model"] = init, init.config
    if source.size != c["model"].image_size:
        fail(ctx, f"the dataset's {source.size}×{source.size} views do not fit a "
                  f"{c['model'].image_size}² autoencoder")
    model.to(ctx.device)
    net = DistributedDataParallel(model, device_ids=[ctx.device] if ctx.device.type == "cuda" else None) \
        if W > 1 else model
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"], betas=(0.9, 0.999), eps=1e-8)
    if resumed:
        set_adam_state(opt, model, m, v, adam_t)
    dataset = data.ViewDataset(source)
    sampler = dist.ResumableDistributedSampler(dataset, W, ctx.rank, c["seed"])
    per_epoch = sampler.num_samples // b
    if per_epoch == 0:
        fail(ctx, f"{len(dataset)} views are fewer than one global batch of {c['batch']}")
    workers = a.workers if a.workers >= 0 else (2 if ctx.device.type == "cuda" else 0)
    extra = common.provenance(ctx, {"seed": str(c["seed"]), "dataset": source.describe(),
                                    "objects": str(source.n_objects)})
    if source.seed is not None:
        extra["dataset_seed"] = str(source.seed)
    if ctx.is_main:
        what = f"Resuming from {a.resume} at step {step}" if resumed else "Training the view autoencoder"
        print(f"{what} on {source.describe()}: {W} rank{'s' if W > 1 else ''} ({ctx.backend}, {ctx.device.type}), "
              f"global batch {c['batch']} ({b} per rank), {c['steps']} steps, seed {c['seed']}", flush=True)
    agree = common.StepAgreement(ctx, a.minutes, a.checkpoint_seconds)
    log = common.LossLog(ctx, a.out, resumed)
    record = common.DebugRecord(ctx, a.debug_record)
    ckpt = os.path.join(a.out, "checkpoint.safetensors")

    def save(final=False):
        if ctx.is_main:
            mm, vv, t = adam_state(opt, model)
            formats.save_ae_checkpoint(ckpt, model, mm, vv, t, step, c, {"trainer": extra["trainer"],
                                                                         "world_size": str(W)})
            if final:
                meta = dict(extra, step=str(step), train_config=formats.ae_train_config_json(c),
                            train_minutes=f"{agree.seconds() / 60:.2f}")
                formats.save_autoencoder(os.path.join(a.out, "autoencoder.safetensors"), model, meta)
        agree.saved()

    loss_avg, diverged, start_step, m_shift = 0.0, None, step, c["max_shift"]
    params = list(model.parameters())
    while step < c["steps"] and diverged is None:
        sampler.set_epoch(step // per_epoch)
        sampler.set_start((step % per_epoch) * b)
        loader = torch.utils.data.DataLoader(dataset, batch_size=b, sampler=sampler, drop_last=True,
                                             num_workers=workers, pin_memory=ctx.device.type == "cuda")
        stop = False
        for views, idx in loader:
            t0 = agree.seconds()
            record.indices(step, idx)
            x = data.to_chw(views, ctx.device)
            shifts = torch.randint(-m_shift, m_shift + 1, (c["batch"], 2),
                                   generator=dist.step_generator(c["seed"], step, 0))
            x = data.shift_views(x, shifts[ctx.rank::W, 0], shifts[ctx.rank::W, 1], m_shift)
            lr = common.lr_at(c, step, 50.0)
            for group in opt.param_groups:
                group["lr"] = lr
            loss = F.l1_loss(net(x), x)
            if step == a.debug_nan_at and ctx.rank == ctx.world - 1:  # the tests' divergence
                loss = loss * float("nan")
            global_loss, nonfinite, over_budget, due = agree.step(loss.item() * b, b)
            if nonfinite:
                diverged = f"training diverged (NaN or inf) at step {step + 1}; the last good weights are in {ckpt}"
                break
            if over_budget:
                stop = True
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if not common.step_keeping_good_weights(opt, params):
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
        if stop:
            break
    log.close()
    save(final=True)
    record.finish(model.state_dict())
    common.finish_run(ctx, agree, step, diverged, "ae", f"{a.out}/autoencoder.safetensors", ckpt)
