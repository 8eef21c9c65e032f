"""The masked multi-time score model trained as src/engine/views/score_train.c
trains it, on one or many devices: the autoencoder's latents of every view of
split d (encoded once, shared out over the ranks, cached in the C trainer's
latents-d.safetensors format), standardised per view and dimension with the
whole set's mean and std (stored in the model as latent_mean / latent_std); the
VP-SDE (β 0.1 → 20); with probability d = 0.2 every view diffuses, else a
conditioning set C, uniform over the 14 proper non-empty subsets, drawn once
per batch (MLD) or per object, stays clean at time 0 and unscored, the loss
weighted by λ = 1 + |C|/|M|; Adam with warm-up and cosine to lr/20, gradient
norm clipped at 1, an EMA of the weights (ema_pytorch's ramp to β = 0.999).
The batch is global (256) and split over the ranks; objects, times, masks and
noise of a step depend on (seed, step) only: exact resume, the same batches on
any number of ranks.

Writes into --out: checkpoint.safetensors (the C checkpoint format, both ways),
score.safetensors (what `dimvida views generate`, `views eval` and the app
load), losses.csv, latents-d.safetensors and a copy of the autoencoder when
the folder has none (so that DIMVIDA_VIEWS_WEIGHTS=OUT opens the pair)."""
import argparse
import os
import shutil
import sys

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel

from ..autoencoder import ViewAutoencoder
from ..score_net import ScoreNet, ScoreNetConfig, vp_marginal
from . import common, data, dist, formats
from .train_ae import adam_state, set_adam_state
from . import train_ae

N_VIEWS = 4


def fail(ctx, message):
    train_ae.fail(ctx, message, "score")


def check_setup(ctx, error):
    train_ae.check_setup(ctx, error, "score")


def subsets(n_parts):
    """The proper non-empty subsets as bit masks, by size then value (dv_masked_loss_subset)."""
    full = (1 << n_parts) - 1
    return [m for size in range(1, n_parts) for m in range(1, full) if bin(m).count("1") == size]


def shipped_autoencoder():
    here = os.path.dirname(os.path.abspath(__file__))
    for root in filter(None, [os.environ.get("DIMVIDA_DATADIR"), os.path.join(here, "..", "..", "..", "data")]):
        path = os.path.join(root, "weights", "views", "autoencoder.safetensors")
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def parse(argv):
    p = argparse.ArgumentParser(prog="train_ddp.py score", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(p)
    p.add_argument("--ae", help="autoencoder weights (default: the shipped data/weights/views/autoencoder.safetensors)")
    p.add_argument("--init", help="start from this score model (score.safetensors): its weights and latent "
                                  "statistics, fresh optimiser and schedule")
    p.add_argument("--latents", help="latent cache (default OUT/latents-d.safetensors; reused when it matches)")
    p.add_argument("--width", type=int, help="width of the score network (384)")
    p.add_argument("--time-dim", type=int, help="time embedding width (128)")
    p.add_argument("--levels", type=int, help="down/up levels (2)")
    p.add_argument("--groups", type=int, help="GroupNorm groups (32)")
    p.add_argument("--mask-draw", choices=["batch", "object"], help="conditioning set per batch (MLD) or per object")
    p.add_argument("--p-all-diffuse", type=float, help="d: share of batches where every view diffuses (0.2)")
    p.add_argument("--ema-beta", type=float, help="EMA decay (0.999; 0: none)")
    p.add_argument("--clip-norm", type=float, help="gradient norm clip (1.0; 0: none)")
    p.add_argument("--encode-batch", type=int, default=256, help="views per autoencoder call while encoding (256)")
    return p.parse_args(argv)


def new_config(a, latent_dim):
    model = ScoreNetConfig(n_views=N_VIEWS, latent_dim=latent_dim)
    for key in ("width", "time_dim", "levels", "groups"):
        if getattr(a, key):
            setattr(model, key, getattr(a, key))
    c = {"model": model, "p_all_diffuse": 0.2, "mask_draw": "batch", "t_min": 1e-3, "batch": 256, "lr": 3e-4,
         "warmup_steps": 200, "steps": 36000, "ema_beta": 0.999, "clip_norm": 1.0, "seed": a.seed}
    for key in ("p_all_diffuse", "mask_draw", "batch", "lr", "warmup_steps", "steps", "ema_beta", "clip_norm"):
        if getattr(a, key) is not None:
            c[key] = getattr(a, key)
    # Through the checkpoint's JSON and back: the numbers a resumed run reads (lr as float32, %.9g) from step 0 on.
    return formats.score_train_config_from_json(formats.score_train_config_json(c))


class Ema:
    """nn/ema.c (ema_pytorch): copies until update_after_step, then decay min(1 − (1 + e)^(−2/3), β)."""

    def __init__(self, params, beta, step=0, shadow=None, update_after_step=100):
        self.beta, self.step, self.after = beta, step, update_after_step
        self.shadow = [p.detach().clone() for p in params] if shadow is None else shadow

    def decay_at(self, step):
        """In float32, as dv_ema_decay_at."""
        epoch = step - self.after - 1
        if epoch <= 0:
            return np.float32(0.0)
        one = np.float32(1.0)
        value = one - np.power(one + np.float32(epoch), np.float32(-2.0 / 3.0))
        return min(max(value, np.float32(0.0)), np.float32(self.beta))

    @torch.no_grad()
    def update(self, params):
        step = self.step
        self.step += 1
        if step <= self.after or step == 0:
            for s, p in zip(self.shadow, params):
                s.copy_(p)
            return
        weight = float(np.float32(1.0) - self.decay_at(self.step))
        for s, p in zip(self.shadow, params):
            s.add_(p.detach() - s, alpha=weight)


def encode_split(ctx, ae, source, batch):
    """Every view of every object → [n][V][L]: each rank encodes a share of the objects, then all gather."""
    n, W, L = source.n_objects, ctx.world, ae.config.latent_dim
    per = (n + W - 1) // W
    first, last = min(ctx.rank * per, n), min((ctx.rank + 1) * per, n)
    out = torch.zeros(per, N_VIEWS, L, device=ctx.device)
    objs_per_call = max(1, batch // N_VIEWS)
    with torch.no_grad():
        for o in range(first, last, objs_per_call):
            views = torch.from_numpy(np.stack([source.views(k) for k in range(o, min(o + objs_per_call, last))]))
            x = data.to_chw(views.reshape(-1, *views.shape[2:]), ctx.device)
            out[o - first:o - first + views.shape[0]] = ae.encoder(x).reshape(-1, N_VIEWS, L)
    if W > 1:
        parts = [torch.zeros_like(out) for _ in range(W)]
        torch.distributed.all_gather(parts, out)
        out = torch.cat(parts)
    return out[:n].cpu()


def latent_stats(latents):
    """dv_latent_stats_compute: per view and dimension mean and biased std (≥ 1e-4), two passes in double."""
    z = latents.double().numpy().reshape(latents.shape[0], -1)
    mean = z.mean(axis=0)
    std = np.maximum(np.sqrt(((z - mean) ** 2).mean(axis=0)), 1e-4)
    shape = latents.shape[1:]
    return (torch.from_numpy(mean.astype(np.float32)).reshape(shape),
            torch.from_numpy(std.astype(np.float32)).reshape(shape))


def draw_step(c, step, V, L):
    """The global batch's conditioning sets, times and noise of one step (every rank draws the same)."""
    g, B, table = dist.step_generator(c["seed"], step, 1), c["batch"], torch.tensor(subsets(V))
    rows = 1 if c["mask_draw"] == "batch" else B
    u = torch.rand(rows, generator=g, dtype=torch.float64)
    pick = torch.randint(len(table), (rows,), generator=g)
    cond = torch.where(u < c["p_all_diffuse"], torch.zeros_like(pick), table[pick]).expand(B)
    t = c["t_min"] + (1.0 - c["t_min"]) * torch.rand(B, generator=g, dtype=torch.float64)
    z = torch.randn(B, V * L, generator=g)
    return cond, t, z


def prepare(x0, cond, t, z, V, L):
    """dv_masked_loss_prepare: x_t (given views: x0), z (given: 0), τ [b][V], λ [b], missing mask [b][V·L]."""
    bits = ((cond[:, None] >> torch.arange(V)[None, :]) & 1).to(x0.device, torch.float32)
    missing_v = 1.0 - bits
    missing = missing_v.repeat_interleave(L, dim=1)
    m, s = vp_marginal(t)
    t, m, s = (v.to(x0.device, torch.float32)[:, None] for v in (t, m, s))
    z = z.to(x0.device) * missing
    x_t = missing * (m * x0 + s * z) + (1.0 - missing) * x0
    n_cond = bits.sum(dim=1)
    return x_t, z, t * missing_v, 1.0 + n_cond / (V - n_cond), missing


def main(argv):
    a = parse(argv)
    ctx = dist.init(a.device)
    common.set_up_torch(a)
    common.resolve_resume(a)
    os.makedirs(a.out, exist_ok=True)
    ae_path = a.ae or shipped_autoencoder()
    step, resumed, state, error = 0, a.resume is not None, None, None
    try:
        if not ae_path:
            raise ValueError("no autoencoder given (--ae FILE) and none shipped")
        ae = ViewAutoencoder.from_safetensors(ae_path).to(ctx.device).eval()
        L = ae.config.latent_dim
        if resumed:
            state = formats.load_score_checkpoint(a.resume)
            c, step = state["config"], state["step"]
            if a.steps and a.steps != c["steps"]:
                if ctx.is_main:
                    print(f"The schedule is {a.steps} steps now, not the checkpoint's {c['steps']}: "
                          f"the learning rate from step {step} on differs from an uninterrupted run")
                c["steps"] = a.steps
            if c["model"].latent_dim != L or c["model"].n_views != N_VIEWS:
                raise ValueError(f"{a.resume} models {c['model'].n_views} × {c['model'].latent_dim} latents; "
                                 f"the autoencoder's are {N_VIEWS} × {L}")
        else:
            c = new_config(a, L)
            if a.init:
                c["model"], init_weights, init_mean, init_std = formats.load_score_model(a.init)
                if c["model"].latent_dim != L:
                    raise ValueError(f"{a.init} models latents of {c['model'].latent_dim}; the autoencoder's have {L}")
        source = data.open_source(a.data, "d", ae.config.image_size)
        if source.size != ae.config.image_size:
            raise ValueError(f"the dataset's {source.size}² views do not fit the {ae.config.image_size}² autoencoder")
    except (ValueError, OSError, KeyError, RuntimeError) as e:
        error = str(e)
    check_setup(ctx, error)
    W, V, B = ctx.world, N_VIEWS, c["batch"]
    if B % W != 0:
        fail(ctx, f"the global batch {B} does not split evenly over {W} ranks")
    b, n = B // W, source.n_objects
    if n < B:
        fail(ctx, f"{n} objects are fewer than one global batch of {B}")

    ae_id = formats.autoencoder_sha256(ae.cpu())
    ae.to(ctx.device)
    beside = os.path.join(a.out, "autoencoder.safetensors")
    if ctx.is_main and not os.path.exists(beside):
        # The pair in one folder: DIMVIDA_VIEWS_WEIGHTS=OUT opens it in the app.
        shutil.copyfile(ae_path, beside + ".tmp")
        os.replace(beside + ".tmp", beside)
    elif ctx.is_main and not os.path.samefile(beside, ae_path):
        try:
            other = formats.autoencoder_sha256(ViewAutoencoder.from_safetensors(beside))
        except (ValueError, OSError, RuntimeError, KeyError):
            other = None
        if other != ae_id:
            print(f"warning: {beside} is another autoencoder than {ae_path}: the score model will not match it",
                  file=sys.stderr)
    dataset_seed = source.seed if source.seed is not None else "png:" + os.path.abspath(source.path)
    cache = a.latents or os.path.join(a.out, "latents-d.safetensors")
    # Rank 0 decides and shares the cache (the other machines need not see its folder).
    latents, why = None, "none"
    if ctx.is_main and os.path.exists(cache):
        try:
            latents, why = formats.load_latents(cache, ae_id, dataset_seed, "d", (n, V, L))
        except (ValueError, OSError, KeyError) as e:
            why = str(e)
    if ctx.broadcast(torch.tensor([0.0 if latents is None else 1.0]))[0] > 0:
        latents = ctx.broadcast(latents if ctx.is_main else torch.zeros(n, V, L))
    else:
        latents = None
    if latents is None:
        if ctx.is_main:
            print(f"Encoding {n} objects × {V} views on {W} rank{'s' if W > 1 else ''} (cache {cache}: {why})",
                  flush=True)
        latents = encode_split(ctx, ae, source, a.encode_batch)
        if ctx.is_main:
            formats.save_latents(cache, latents, ae_id, dataset_seed, "d")
        ctx.barrier()
    elif ctx.is_main:
        print(f"Latents of split d read from {cache}", flush=True)
    del ae
    if resumed:
        mean, std = state["mean"], state["std"]
    elif a.init:
        mean, std = init_mean, init_std
    else:
        mean, std = latent_stats(latents)
    lat = ((latents - mean) / std).reshape(n, V * L).to(ctx.device)

    torch.manual_seed(c["seed"])
    model = ScoreNet(c["model"])
    if resumed:
        model.load_state_dict(state["online"])
    elif a.init:
        model.load_state_dict(init_weights)
    model.to(ctx.device)
    net = DistributedDataParallel(model, device_ids=[ctx.device] if ctx.device.type == "cuda" else None) \
        if W > 1 else model
    params = list(model.parameters())
    names = [k for k, _ in model.named_parameters()]
    opt = torch.optim.Adam(params, lr=c["lr"], betas=(0.9, 0.999), eps=1e-8)
    ema = None
    if resumed:
        set_adam_state(opt, model, state["m"], state["v"], state["adam_t"])
        if c["ema_beta"] > 0:
            ema = Ema(params, c["ema_beta"], state["ema_step"], [state["ema"][k].to(ctx.device) for k in names])
    elif c["ema_beta"] > 0:
        ema = Ema(params, c["ema_beta"])
    sampler = dist.ResumableDistributedSampler(range(n), W, ctx.rank, c["seed"])
    per_epoch = sampler.num_samples // b
    extra = common.provenance(ctx, {"seed": str(c["seed"]), "autoencoder_sha256": ae_id,
                                    "dataset_seed": str(dataset_seed), "objects": str(n),
                                    "dataset": source.describe(), "autoencoder": os.path.abspath(ae_path)})
    if ctx.is_main:
        what = f"Resuming from {a.resume} at step {step}" if resumed else \
            f"Training the score model (width {c['model'].width}, mask drawn per {c['mask_draw']})"
        print(f"{what} on {source.describe()}: {W} rank{'s' if W > 1 else ''} ({ctx.backend}, {ctx.device.type}), "
              f"global batch {B} ({b} per rank), {c['steps']} steps, seed {c['seed']}", flush=True)
    agree = common.StepAgreement(ctx, a.minutes, a.checkpoint_seconds)
    log = common.LossLog(ctx, a.out, resumed)
    record = common.DebugRecord(ctx, a.debug_record)
    ckpt = os.path.join(a.out, "checkpoint.safetensors")

    def weights(use_ema):
        if use_ema and ema is not None:
            return {k: s.detach().cpu() for k, s in zip(names, ema.shadow)}
        return {k: p.detach().cpu() for k, p in zip(names, params)}

    def save(final=False):
        if ctx.is_main:
            m, v, t = adam_state(opt, model)
            formats.save_score_checkpoint(ckpt, model, weights(True) if ema else None, m, v, t,
                                          ema.step if ema else 0, step, mean, std, c,
                                          {"trainer": extra["trainer"], "world_size": str(W)})
            if final:
                meta = dict(extra, step=str(step), train_config=formats.score_train_config_json(c),
                            train_minutes=f"{agree.seconds() / 60:.2f}")
                formats.save_score_model(os.path.join(a.out, "score.safetensors"), c["model"], weights(True),
                                         mean, std, meta)
        agree.saved()

    loss_avg, diverged, start_step, stop = 0.0, None, step, False
    while step < c["steps"] and diverged is None and not stop:
        sampler.set_epoch(step // per_epoch)
        sampler.set_start((step % per_epoch) * b)
        order = list(sampler)
        for k in range(0, len(order) - b + 1, b):
            t0 = agree.seconds()
            idx = order[k:k + b]
            record.indices(step, idx)
            cond, t, z = draw_step(c, step, V, L)
            x_t, z, tau, lam, missing = prepare(lat[idx], cond[ctx.rank::W], t[ctx.rank::W], z[ctx.rank::W], V, L)
            lr = common.lr_at(c, step, 20.0)
            for group in opt.param_groups:
                group["lr"] = lr
            eps_hat = net(x_t, tau)
            loss = (((eps_hat + z) ** 2) * missing).sum(dim=1).mul(lam).sum() / b
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
            if c["clip_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(params, c["clip_norm"])
            if not common.step_keeping_good_weights(opt, params):
                diverged = f"training diverged (NaN or inf) at step {step + 1}; the last good weights are in {ckpt}"
                break
            if ema is not None:
                ema.update(params)
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
    save(final=True)
    record.finish(dict(weights(False), **{"ema." + k: v for k, v in (weights(True).items() if ema else [])}))
    common.finish_run(ctx, agree, step, diverged, "score", f"{a.out}/score.safetensors", ckpt)
