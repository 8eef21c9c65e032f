"""What the two trainers share: the learning-rate schedule of the C trainers,
provenance metadata, the per-step agreement of the ranks (loss, NaN, time
budget), losses.csv and the debug record the tests read."""
import datetime
import json
import math
import os
import shlex
import signal
import sys
import time

import torch


def lr_at(c, step, final_divisor):
    """Linear warm-up over warmup_steps, then cosine to lr / final_divisor at `steps` (nn/cosine_lr.c)."""
    lr, warm, total = c["lr"], c["warmup_steps"], c["steps"]
    if step < warm:
        return lr * (step + 1) / warm
    eta_min = lr / final_divisor
    phase = math.pi * (step - warm) / max(total - warm, 1)
    return eta_min + (lr - eta_min) * (1.0 + math.cos(phase)) / 2.0


def command_line():
    """The command that started the job: our launcher passes its own down to the ranks."""
    return os.environ.get("DV_DDP_COMMAND") or " ".join(["python3"] + [shlex.quote(a) for a in sys.argv])


def provenance(ctx, extra=None):
    meta = {"command": command_line(), "trainer": "dimvida_torch.train_ddp (PyTorch DistributedDataParallel)",
            "torch_version": torch.__version__, "world_size": str(ctx.world), "backend": ctx.backend,
            "device": ctx.device.type if ctx.device.type == "cpu" else torch.cuda.get_device_name(ctx.device),
            "started_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    meta.update(extra or {})
    return meta


class StepAgreement:
    """One all-reduce per step: the global mean loss, whether any rank saw a non-finite loss, whether rank 0's
    wall-clock budget or checkpoint interval has passed (so every rank stops or saves at the same step)."""

    def __init__(self, ctx, minutes, checkpoint_seconds):
        self.ctx, self.minutes, self.every = ctx, minutes, checkpoint_seconds
        self.start = self.last_ckpt = time.monotonic()
        self.interrupted = False
        # SIGINT/SIGTERM (Ctrl+C, the launcher, a scheduler's preemption): every rank stops at the same step with a
        # checkpoint; a second signal ends the process at once.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._interrupt)

    def _interrupt(self, signum, frame):
        if self.interrupted:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        self.interrupted = True

    def step(self, local_loss_sum, local_count):
        now = time.monotonic()
        stop = self.interrupted or (self.ctx.is_main and self.minutes > 0 and (now - self.start) / 60 >= self.minutes)
        flags = torch.tensor([float(local_loss_sum), float(local_count),
                              0.0 if math.isfinite(local_loss_sum) else 1.0,
                              1.0 if stop else 0.0,
                              1.0 if self.ctx.is_main and now - self.last_ckpt >= self.every else 0.0],
                             dtype=torch.float64)
        self.ctx.all_reduce_sum(flags)
        loss = flags[0].item() / max(flags[1].item(), 1.0)
        return loss, flags[2].item() > 0, flags[3].item() > 0, flags[4].item() > 0

    def saved(self):
        self.last_ckpt = time.monotonic()

    def seconds(self):
        return time.monotonic() - self.start


class LossLog:
    """losses.csv (step,loss,lr,seconds), appended to on resume, as the C trainers write it; rank 0 only."""

    def __init__(self, ctx, out_dir, resumed):
        self.f = None
        if ctx.is_main:
            path = os.path.join(out_dir, "losses.csv")
            self.f = open(path, "a" if resumed and os.path.exists(path) else "w")
            if self.f.tell() == 0:
                self.f.write("step,loss,lr,seconds\n")
        self.last_print = 0.0

    def add(self, step, total, loss, loss_avg, lr, seconds, step_seconds):
        if self.f is None:
            return
        self.f.write(f"{step},{loss:.6f},{lr:.6g},{seconds:.2f}\n")
        now = time.monotonic()
        if step == total or step <= 1 or now - self.last_print >= 10:
            self.last_print = now
            self.f.flush()
            print(f"step {step}/{total}  loss {loss:.5f} (avg {loss_avg:.5f})  lr {lr:.2e}  "
                  f"{step_seconds:.3f} s/step  {seconds / 60:.1f} min", flush=True)

    def flush(self):
        if self.f:
            self.f.flush()

    def close(self):
        if self.f:
            self.f.close()


class DebugRecord:
    """--debug-record DIR: per rank, the dataset indices of each step and a digest of the final weights (tests)."""

    def __init__(self, ctx, folder):
        self.ctx, self.folder, self.steps = ctx, folder, {}

    def indices(self, step, indices):
        if self.folder:
            self.steps[int(step)] = [int(i) for i in indices]

    def finish(self, tensors):
        if not self.folder:
            return
        os.makedirs(self.folder, exist_ok=True)
        digest = {k: [float(v.double().sum()), float(v.double().abs().sum())] for k, v in tensors.items()}
        import hashlib
        h = hashlib.sha256()
        for k in sorted(tensors):
            h.update(k.encode())
            h.update(tensors[k].detach().cpu().float().contiguous().numpy().tobytes())
        with open(os.path.join(self.folder, f"rank{self.ctx.rank}.json"), "w") as f:
            json.dump({"rank": self.ctx.rank, "world": self.ctx.world, "steps": self.steps,
                       "weights_sha256": h.hexdigest(), "digest": digest}, f)


def add_common_arguments(p):
    p.add_argument("--data", "-d", required=True,
                   help="dataset: a directory from `dimvida views dataset` (its d.dvmv or d/ PNG folder), a .dvmv "
                        "file, or a folder of 4-view renders CLASS/OBJECT-{front,right,back,left}.png")
    p.add_argument("--out", "-o", required=True, help="output directory (checkpoint, model, losses.csv)")
    p.add_argument("--resume", "-r", help="continue from this checkpoint, C- or PyTorch-written (its settings win); "
                                          "auto: OUT/checkpoint.safetensors when there is one (restarted jobs)")
    p.add_argument("--steps", "-n", type=int, help="schedule length in steps (on --resume: extends the schedule)")
    p.add_argument("--minutes", "-m", type=float, default=0.0, help="stop after this wall-clock time, resumable")
    p.add_argument("--stop-after", type=int, default=0, help="stop after this many steps of this run, resumable")
    p.add_argument("--seed", "-s", type=int, default=1, help="random seed (1)")
    p.add_argument("--batch", "-b", type=int, help="GLOBAL batch size, split evenly over the ranks")
    p.add_argument("--lr", type=float, help="peak learning rate")
    p.add_argument("--warmup-steps", type=int, help="linear warm-up steps (200)")
    p.add_argument("--checkpoint-seconds", type=float, default=240.0, help="seconds between checkpoints (240)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="auto: a GPU per rank if any")
    p.add_argument("--threads", type=int, default=0, help="CPU threads per rank (0: PyTorch's choice)")
    p.add_argument("--deterministic", action="store_true", help="deterministic GPU kernels (slower)")
    p.add_argument("--debug-record", help=argparse_hidden())
    p.add_argument("--debug-nan-at", type=int, default=-1, help=argparse_hidden())  # the last rank's loss is NaN


def resolve_resume(a):
    """--resume auto → the output folder's checkpoint if any, else a fresh start."""
    if a.resume == "auto":
        path = os.path.join(a.out, "checkpoint.safetensors")
        a.resume = path if os.path.exists(path) else None


def set_up_torch(a):
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def argparse_hidden():
    import argparse
    return argparse.SUPPRESS


def finish_run(ctx, agree, step, diverged, trainer, model_path, ckpt):
    """The end every trainer shares, after its final save: say where the files are, close the process group,
    and exit 1 (saying why on stderr) when the run was interrupted or diverged."""
    ctx.barrier()
    if ctx.is_main:
        print(f"{'Stopped' if agree.interrupted else 'Done'} at step {step} in {agree.seconds() / 60:.1f} min: "
              f"{model_path}, {ckpt}", flush=True)
    ctx.close()
    if agree.interrupted and not diverged:
        if ctx.is_main:
            print(f"train_ddp {trainer}: interrupted at step {step}: continue with --resume {ckpt}", file=sys.stderr)
        raise SystemExit(1)
    if diverged:
        if ctx.is_main:
            print(f"train_ddp {trainer}: {diverged}", file=sys.stderr)
        raise SystemExit(1)


def step_keeping_good_weights(opt, params):
    """opt.step(); if it made any parameter NaN or inf, put every parameter back as it was and return False."""
    backup = [p.detach().clone() for p in params]
    opt.step()
    if torch.stack([torch.isfinite(p).all() for p in params]).all().item():  # one device sync
        return True
    with torch.no_grad():
        for p, q in zip(params, backup):
            p.copy_(q)
    return False
