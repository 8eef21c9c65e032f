#!/usr/bin/python3
"""The PyTorch DDP trainers (python/train_ddp.py) against themselves and the C
engine, on a tiny dataset (13 classes × 2 objects × 4 views) and tiny networks:
  - 2 gloo ranks see disjoint shares of each global batch and keep bitwise
    identical weights; 1 rank trains to the same weights (to float rounding);
  - a run stopped and resumed equals the uninterrupted one bitwise;
  - the exported model loads in the C engine (the CLI, parity-dump's
    score_model) and gives the twin's outputs; C reads the latent cache;
  - a C checkpoint continues in PyTorch (and rewrites bitwise), a PyTorch
    checkpoint continues in C.

    tests/ddp/test_ddp.py DIMVIDA_EXE PARITY_DUMP_EXE ae|score|classifier       Prints TAP."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
from dimvida_torch import ViewAutoencoder, ScoreNet, load_file, save_file  # noqa: E402
from dimvida_torch.train_ddp import data, formats  # noqa: E402

DIMVIDA, PARITY, WHICH = sys.argv[1], sys.argv[2], sys.argv[3]
TRAIN = os.path.join(ROOT, "python", "train_ddp.py")
TMP = tempfile.mkdtemp(prefix="dv-ddp-")
DATA = os.path.join(TMP, "data")
ENV = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
results = []


def case(name, ok, *lines):
    results.append((name, bool(ok), [str(x) for x in lines]))
    return ok


def run(cmd):
    p = subprocess.run([str(c) for c in cmd], env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}:\n{p.stdout[-2000:]}{p.stderr[-3000:]}")
    return p.stdout


def diverging(name, kind, out, opts, good_checkpoint, at_step):
    """A NaN loss on the last of 2 ranks at step `at_step`: every rank stops, exit status 1, the last good weights."""
    p = subprocess.run([sys.executable, TRAIN, "--nproc-per-node", "2", kind, "--data", DATA, "--out", out, *opts,
                        "--debug-nan-at", str(at_step)], env=ENV, capture_output=True, text=True)
    said = f"diverged (NaN or inf) at step {at_step + 1}" in p.stderr
    case(name + ": exit status 1, the reason", p.returncode == 1 and said, f"exit {p.returncode}",
         *p.stderr.strip().splitlines()[-2:])
    tensors_equal(name + ": the checkpoint holds the last good step's state",
                  good_checkpoint, os.path.join(out, "checkpoint.safetensors"))


def interrupted(name, out):
    """Ctrl+C on the launcher while 2 ranks train: both stop at the same step with a checkpoint of it, status 1."""
    import signal
    p = subprocess.Popen([sys.executable, TRAIN, "--nproc-per-node", "2", "ae", "--data", DATA, "--out", out,
                          *AE_OPTS, "--steps", "100000"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    csv = os.path.join(out, "losses.csv")
    for line in p.stdout:  # rank 0 prints step 1 as it ends
        if line.startswith("step "):
            break
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    last = int(open(csv).read().splitlines()[-1].split(",")[0])
    step = int(meta(os.path.join(out, "checkpoint.safetensors"))["step"])
    case(f"{name}: Ctrl+C on the launcher stops both ranks at one step, its checkpoint written, status 1",
         p.returncode == 1 and step == last and step >= 1 and "interrupted at step" in stderr,
         f"exit {p.returncode}, checkpoint at step {step}, last logged step {last}", *stderr.strip().splitlines()[-1:])


def train(kind, out, nproc, opts, *extra):
    return run([sys.executable, TRAIN, "--nproc-per-node", nproc, kind, "--data", DATA, "--out", out,
                "--debug-record", os.path.join(out, "rec"), *opts, *extra])


def records(out):
    return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "rec", "rank*.json")))]


def check_ranks(name, two, one, batch):
    """Disjoint shares of every global batch, together the 1-rank run's batch; identical weights on both ranks."""
    r, single = records(two), records(one)[0]
    lines, ok = [], len(r) == 2
    for step, idx in single["steps"].items():
        a, b = r[0]["steps"][step], r[1]["steps"][step]
        ok &= len(a) == len(b) == batch // 2 and not set(a) & set(b) and sorted(a + b) == sorted(idx)
    lines.append(f"{len(single['steps'])} steps: rank shares of {batch // 2} disjoint, their union the 1-rank batch")
    same = r[0]["weights_sha256"] == r[1]["weights_sha256"]
    lines.append(f"weights SHA-256 rank 0 {r[0]['weights_sha256'][:16]}…, rank 1 {r[1]['weights_sha256'][:16]}…")
    return case(name, ok and same, *lines)


def tensors_equal(name, path_a, path_b, keys=None):
    a, ma = load_file(path_a)
    b, mb = load_file(path_b)
    keys = keys or sorted(set(a) | set(b))
    bad = [k for k in keys if k not in a or k not in b or a[k].shape != b[k].shape or not torch.equal(a[k], b[k])]
    return case(name, not bad and ma.get("step") == mb.get("step"),
                f"{len(keys)} tensors compared bitwise, {len(bad)} differ {bad[:3]}; step {ma.get('step')} / "
                f"{mb.get('step')}")


def tensors_close(name, path_a, path_b, tol):
    a, _ = load_file(path_a)
    b, _ = load_file(path_b)
    err = max((a[k] - b[k]).abs().max().item() for k in a)
    scale = max(a[k].abs().max().item() for k in a)
    return case(name, set(a) == set(b) and err <= tol, f"max |1 rank − 2 ranks| {err:.3g} (largest weight "
                                                      f"{scale:.3g}, tolerance {tol:g})")


def meta(path):
    return load_file(path)[1]


def png_views(path):
    return np.array(data._read_png(path, 64))


def dataset_checks():
    run([DIMVIDA, "views", "dataset", "--out", DATA, "--per-class", "2,1,1", "--threads", "1"])
    dvmv, png = data.DvmvSource(os.path.join(DATA, "d.dvmv")), data.PngFolderSource(os.path.join(DATA, "d"))
    same = dvmv.n_objects == png.n_objects and all(np.array_equal(dvmv.views(k), png.views(k))
                                                   for k in range(dvmv.n_objects))
    case("the PNG layout reads as the .dvmv cache (what `dimvida views dataset` writes)", same
         and np.array_equal(dvmv.labels, png.labels) and dvmv.class_names == png.class_names,
         f"{dvmv.n_objects} objects × 4 views, classes {png.class_names[:3]} …")
    # RGBA renders (NMR-style) over white; an incomplete object is skipped.
    from PIL import Image
    root = os.path.join(TMP, "rgba", "cls")
    os.makedirs(root)
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[16:48, 16:48] = (200, 10, 10, 255)
    for v in data.VIEW_NAMES:
        Image.fromarray(rgba).save(os.path.join(root, f"obj1-{v}.png"))
    Image.fromarray(rgba).save(os.path.join(root, "obj2-front.png"))
    src = data.PngFolderSource(os.path.dirname(root))
    views = src.views(0)
    case("RGBA renders are composited over white; objects without four views are skipped",
         src.n_objects == 1 and (views[:, 0, 0] == 255).all() and (views[:, 20, 20] == (200, 10, 10)).all())


AE_OPTS = ["--batch", "8", "--channels", "8,16,32", "--latent-dim", "16", "--head-channels", "8",
           "--warmup-steps", "2", "--threads", "1"]
SCORE_OPTS = ["--batch", "8", "--width", "32", "--time-dim", "16", "--groups", "8", "--warmup-steps", "2",
              "--threads", "1"]


def autoencoder():
    d = lambda *p: os.path.join(TMP, "ae", *p)  # noqa: E731
    train("ae", d("two"), 2, AE_OPTS, "--steps", "4")
    train("ae", d("one"), 1, AE_OPTS, "--steps", "4")
    check_ranks("autoencoder, 2 gloo ranks: disjoint data, identical weights", d("two"), d("one"), 8)
    tensors_close("autoencoder: 1 rank trains the weights 2 ranks train", d("one", "autoencoder.safetensors"),
                  d("two", "autoencoder.safetensors"), 1e-5)
    train("ae", d("resumed"), 2, AE_OPTS, "--steps", "4", "--stop-after", "2")
    shutil.copy(d("resumed", "checkpoint.safetensors"), d("at-step-2.safetensors"))
    train("ae", d("resumed"), 2, AE_OPTS, "--resume", d("at-step-2.safetensors"))
    tensors_equal("autoencoder: stopped at step 2 and resumed = uninterrupted (checkpoint, Adam state)",
                  d("two", "checkpoint.safetensors"), d("resumed", "checkpoint.safetensors"))
    diverging("autoencoder, NaN on one rank at step 3", "ae", d("nan"), AE_OPTS + ["--steps", "4"],
              d("at-step-2.safetensors"), 2)
    interrupted("autoencoder", d("interrupted"))

    export = d("two", "autoencoder.safetensors")
    m = meta(export)
    case("autoencoder export: the C trainer's names, config and provenance metadata",
         all(k in m for k in ("autoencoder_config", "command", "seed", "step", "train_config", "dataset_seed"))
         and m["step"] == "4" and json.loads(m["train_config"])["batch"] == 8, sorted(m))
    model = ViewAutoencoder.from_safetensors(export).eval()
    png = os.path.join(DATA, "d", "chair", "00001-right.png")
    x = data.to_chw(torch.from_numpy(png_views(png))[None], "cpu")
    run([DIMVIDA, "views", "encode", png, "--model", export, "--out", d("z.csv")])
    z_c = np.loadtxt(d("z.csv"), delimiter=",", skiprows=1)[1:]
    with torch.no_grad():
        z = model.encoder(x)[0].numpy()
        y = model(x)[0].clamp(0, 1).permute(1, 2, 0).numpy()
    err = np.abs(z_c - z).max()
    case("autoencoder export in the C engine (`dimvida views encode`): the twin's latents",
         err <= 1e-4 * max(np.abs(z).max(), 1e-6), f"max |C − twin| {err:.3g}, largest latent {np.abs(z).max():.3g}")
    run([DIMVIDA, "views", "reconstruct", png, "--model", export, "--out", d("rec.png")])
    diff = np.abs(png_views(d("rec.png")).astype(int) - np.rint(y * 255).astype(int)).max()
    case("autoencoder export (`dimvida views reconstruct`): the twin's reconstruction to one 8-bit level",
         diff <= 1, f"max difference {diff} levels")

    param_order("autoencoder", "autoencoder", model, {"x": x, "dout": torch.zeros_like(x)},
                {"autoencoder_config": model.config.to_json()})
    # C → PyTorch: a C checkpoint is read bitwise, rewritten unchanged when nothing is left, and continues.
    run([DIMVIDA, "views", "train-ae", "--data", DATA, "--out", d("c"), "--steps", "2", "--batch", "8",
         "--threads", "1", "--seed", "3"])
    train("ae", d("c-same"), 1, ["--threads", "1"], "--resume", d("c", "checkpoint.safetensors"))
    tensors_equal("C autoencoder checkpoint → PyTorch: weights and Adam moments read and rewritten bitwise",
                  d("c", "checkpoint.safetensors"), d("c-same", "checkpoint.safetensors"))
    out = train("ae", d("c-more"), 2, ["--threads", "1"], "--resume", d("c", "checkpoint.safetensors"), "--steps", "4")
    mm = meta(d("c-more", "checkpoint.safetensors"))
    case("C autoencoder checkpoint continues on 2 PyTorch ranks (--steps extends the schedule)",
         mm["step"] == "4" and mm["adam_t"] == "4" and "Done at step 4" in out,
         f"step {mm['step']}, adam_t {mm['adam_t']}")
    # The shipped, C-trained (F16) autoencoder fine-tunes on PyTorch ranks.
    shipped = os.path.join(ROOT, "data", "weights", "views", "autoencoder.safetensors")
    train("ae", d("shipped"), 2, ["--threads", "1", "--batch", "8", "--warmup-steps", "1"], "--steps", "1",
          "--init", shipped)
    before, after = ViewAutoencoder.from_safetensors(shipped), ViewAutoencoder.from_safetensors(
        d("shipped", "autoencoder.safetensors"))
    moved = [k for k, v in before.state_dict().items() if not torch.equal(v, after.state_dict()[k])]
    case("the shipped C-trained autoencoder fine-tunes on 2 PyTorch ranks (--init)",
         before.config == after.config and len(moved) > 0, f"{len(moved)} of {len(before.state_dict())} tensors moved")
    # PyTorch → C.
    out = run([DIMVIDA, "views", "train-ae", "--data", DATA, "--out", d("c-from-pt"), "--threads", "1",
               "--resume", d("at-step-2.safetensors")])
    mc = meta(d("c-from-pt", "checkpoint.safetensors"))
    case("a PyTorch autoencoder checkpoint (step 2 of 4) continues in C to its end",
         mc["step"] == "4" and json.loads(mc["train_config"])["steps"] == 4, f"C checkpoint at step {mc['step']}")


def param_order(name, layer, model, tensors, metadata):
    """The twin's parameter order against the engine's registration order (parity-dump's param_order)."""
    inp, out = os.path.join(TMP, "order-in.safetensors"), os.path.join(TMP, "order-out.safetensors")
    save_file(dict(model.state_dict(), **tensors), inp, metadata)
    run([PARITY, layer, inp, out])
    order = [k for k, _ in model.named_parameters()]
    case(f"{name}: the flat Adam state follows the engine's parameter order",
         load_file(out)[1].get("param_order", "").split(",") == order, f"{len(order)} parameters")


def tiny_autoencoder(path):
    torch.manual_seed(5)
    model = ViewAutoencoder(formats.AutoencoderConfig(latent_dim=16, channels=[8, 16, 32], head_channels=8))
    formats.save_autoencoder(path, model)
    return model


def score():
    d = lambda *p: os.path.join(TMP, "score", *p)  # noqa: E731
    os.makedirs(d())
    ae_path = d("ae.safetensors")
    tiny_autoencoder(ae_path)
    opts = SCORE_OPTS + ["--ae", ae_path]
    train("score", d("two"), 2, opts, "--steps", "6")
    train("score", d("one"), 1, opts, "--steps", "6")
    check_ranks("score model, 2 gloo ranks: disjoint data, identical weights", d("two"), d("one"), 8)
    tensors_close("score model: 1 rank trains the weights 2 ranks train", d("one", "score.safetensors"),
                  d("two", "score.safetensors"), 1e-5)
    train("score", d("resumed"), 2, opts, "--steps", "6", "--stop-after", "3")
    shutil.copy(d("resumed", "checkpoint.safetensors"), d("at-step-3.safetensors"))
    train("score", d("resumed"), 2, opts, "--resume", d("at-step-3.safetensors"))
    tensors_equal("score model: stopped at step 3 and resumed = uninterrupted (online, EMA, Adam, statistics)",
                  d("two", "checkpoint.safetensors"), d("resumed", "checkpoint.safetensors"))
    diverging("score model, NaN on one rank at step 4", "score", d("nan"), opts + ["--steps", "6"],
              d("at-step-3.safetensors"), 3)

    export = d("two", "score.safetensors")
    m = meta(export)
    case("score export: format, config and the C trainer's provenance metadata",
         m.get("format") == "dimvida-score-model-1" and all(
             k in m for k in ("score_net_config", "command", "seed", "step", "train_config", "autoencoder_sha256",
                              "dataset_seed", "objects", "started_utc", "train_minutes")) and m["objects"] == "26",
         sorted(m))
    config, weights, mean, std = formats.load_score_model(export)
    net = ScoreNet(config).eval()
    net.load_state_dict(weights)
    torch.manual_seed(7)
    x, tau = torch.randn(5, 64), torch.rand(5, 4)
    tau[0, :2] = 0
    with torch.no_grad():
        y = net(x, tau)  # the output layer, zero at step 0, has moved in 6 steps
    inp = d("in.safetensors")
    save_file({"x": x, "tau": tau, "dout": torch.zeros_like(x)}, inp, {"model": export})
    run([PARITY, "score_model", inp, d("c-out.safetensors")])
    out, _ = load_file(d("c-out.safetensors"))
    err, scale = (out["y"] - y).abs().max().item(), y.abs().max().item()
    case("score export in the C engine (dv_score_model_load, as `views generate` and the app): the twin's output",
         err <= 1e-4 * scale and scale > 0 and torch.equal(out["latent_mean"], mean) and
         torch.equal(out["latent_std"], std), f"max |C − twin| {err:.3g} vs scale {scale:.3g}; statistics bitwise")
    param_order("score network", "score_net", net, {"x": x, "tau": tau, "dout": torch.zeros_like(x)},
                {"score_net_config": config.to_json()})
    png = os.path.join(DATA, "d", "lamp", "00000-front.png")
    # The run's folder holds the pair, as DIMVIDA_VIEWS_WEIGHTS=FOLDER wants it for the app.
    run([DIMVIDA, "views", "generate", "--given", "front", png, "--out", d("gen.png"), "--model", export,
         "--ae", d("two", "autoencoder.safetensors"), "--steps", "4", "--sampler", "ode"])
    case("`dimvida views generate` runs on the pair in the run's folder", os.path.getsize(d("gen.png")) > 0)
    out = run([DIMVIDA, "views", "eval", "--data", DATA, "--model", export, "--ae", d("two", "autoencoder.safetensors"),
               "--steps", "2", "--sampler", "ode", "--threads", "1"])
    case("`dimvida views eval` scores the exported pair on split e", "| score model |" in out,
         *[line for line in out.splitlines() if line.startswith("| score model")])

    # C reads the PyTorch latent cache (same autoencoder SHA-256); C → PyTorch → C checkpoints.
    os.makedirs(d("c"))
    shutil.copy(d("two", "latents-d.safetensors"), d("c", "latents-d.safetensors"))
    out = run([DIMVIDA, "views", "train-score", "--data", DATA, "--ae", ae_path, "--out", d("c"), "--steps", "2",
               "--batch", "8", "--width", "32", "--threads", "1", "--seed", "3"])
    case("the C trainer reuses the PyTorch latent cache (same autoencoder SHA-256, split, seed)",
         "Latents of split d read from" in out, out.splitlines()[0])
    train("score", d("c-same"), 1, ["--threads", "1", "--ae", ae_path], "--resume", d("c", "checkpoint.safetensors"))
    tensors_equal("C score checkpoint → PyTorch: online, EMA, Adam, statistics read and rewritten bitwise",
                  d("c", "checkpoint.safetensors"), d("c-same", "checkpoint.safetensors"))
    out = train("score", d("c-more"), 2, ["--threads", "1", "--ae", ae_path], "--resume",
                d("c", "checkpoint.safetensors"), "--steps", "4")
    mm = meta(d("c-more", "checkpoint.safetensors"))
    case("C score checkpoint continues on 2 PyTorch ranks", mm["step"] == "4" and mm["adam_t"] == "4",
         f"step {mm['step']}, adam_t {mm['adam_t']}")
    run([DIMVIDA, "views", "train-score", "--data", DATA, "--ae", ae_path, "--out", d("c-from-pt"), "--threads", "1",
         "--resume", d("at-step-3.safetensors")])
    mc = meta(d("c-from-pt", "checkpoint.safetensors"))
    case("a PyTorch score checkpoint (step 3 of 6) continues in C to its end", mc["step"] == "6",
         f"C checkpoint at step {mc['step']}")

    # The EMA past its warm-up (the runs above stay in it), against nn/ema.c on the same weight sequence.
    from dimvida_torch.train_ddp.train_score import Ema
    lines, ok = [], True
    for start in (95, 2000, 100000):
        torch.manual_seed(start)
        seq, init = torch.randn(30, 1000).cumsum(0), torch.randn(1000)
        p = torch.nn.Parameter(init.clone())
        ema = Ema([p], 0.999, step=start, shadow=[init.clone()])
        for k in range(seq.shape[0]):
            p.data.copy_(seq[k])
            ema.update([p])
        save_file({"x": seq, "dout": init}, inp, {"beta": "0.999", "step": str(start), "update_after_step": "100"})
        run([PARITY, "ema", inp, d("c-ema.safetensors")])
        y = load_file(d("c-ema.safetensors"))[0]["y"]
        err = (y - ema.shadow[0]).abs().max().item()
        ok &= err <= 1e-6 * y.abs().max().item() and ema.step == start + 30
        lines.append(f"30 updates from step {start}: max |C − PyTorch| {err:.3g} (scale {y.abs().max().item():.3g})")
    case("the score trainer's EMA equals the C trainer's (nn/ema.c) past its warm-up", ok, *lines)

    # The shipped, C-trained score model continues in PyTorch (its weights and latent statistics).
    shipped = os.path.join(ROOT, "data", "weights", "views")
    train("score", d("shipped"), 1, ["--threads", "1", "--batch", "8", "--warmup-steps", "1"], "--steps", "1",
          "--init", os.path.join(shipped, "score.safetensors"),
          "--ae", os.path.join(shipped, "autoencoder.safetensors"))
    _, w0, mean0, std0 = formats.load_score_model(os.path.join(shipped, "score.safetensors"))
    c1, w1, mean1, std1 = formats.load_score_model(d("shipped", "score.safetensors"))
    moved = sum(not torch.equal(w0[k], w1[k]) for k in w0)
    case("the shipped C-trained score model fine-tunes in PyTorch (--init): same network and statistics, weights moved",
         c1.width == 384 and torch.equal(mean0, mean1) and torch.equal(std0, std1) and moved > 0,
         f"{moved} of {len(w0)} tensors changed after 1 step")


CLASSIFIER_OPTS = ["--batch", "8", "--width", "0.0625", "--warmup-steps", "2", "--threads", "1", "--bn-batches", "2"]


def classifier():
    from dimvida_torch.classifiers import load_classifier
    from dimvida_torch.train_ddp.train_classifier import ImageSet
    d = lambda *p: os.path.join(TMP, "classifier", *p)  # noqa: E731
    cache, folder = ImageSet(DATA, 64), ImageSet(os.path.join(DATA, "c"), 64)
    case("a folder CLASS/NAME.png of single views reads as split c's given views (Ω_m: add generated ones)",
         len(cache) == len(folder) == 13 and cache.classes == folder.classes and
         all(torch.equal(cache[k][0], folder[k][0]) and cache[k][1] == folder[k][1] for k in range(len(cache))),
         f"{len(cache)} images, {len(cache.classes)} classes")
    train("classifier", d("two"), 2, CLASSIFIER_OPTS, "--steps", "4")
    train("classifier", d("one"), 1, CLASSIFIER_OPTS, "--steps", "4")
    check_ranks("classifier, 2 gloo ranks: disjoint data, identical weights and running statistics", d("two"),
                d("one"), 8)
    train("classifier", d("resumed"), 2, CLASSIFIER_OPTS, "--steps", "4", "--stop-after", "2")
    shutil.copy(d("resumed", "checkpoint.safetensors"), d("at-step-2.safetensors"))
    train("classifier", d("resumed"), 2, CLASSIFIER_OPTS, "--resume", d("at-step-2.safetensors"))
    tensors_equal("classifier: stopped at step 2 and resumed = uninterrupted (weights, running statistics, Adam)",
                  d("two", "checkpoint.safetensors"), d("resumed", "checkpoint.safetensors"))
    diverging("classifier, NaN on one rank at step 3", "classifier", d("nan"), CLASSIFIER_OPTS + ["--steps", "4"],
              d("at-step-2.safetensors"), 2)
    train("classifier", d("mobilenet"), 2, CLASSIFIER_OPTS[:2] + ["--arch", "mobilenet", "--width", "0.25"]
          + CLASSIFIER_OPTS[4:], "--steps", "3")
    for arch, folder in (("resnet18", "two"), ("mobilenet", "mobilenet")):
        export = d(folder, "classifier.safetensors")
        model, m = load_classifier(export)
        model.eval()
        torch.manual_seed(11)
        x = torch.rand(3, 3, 64, 64)
        with torch.no_grad():
            y = model(x)
        tensors, _ = load_file(export)
        inp = d(f"{arch}-in.safetensors")
        save_file(dict(tensors, x=x, dout=torch.zeros_like(y)), inp,
                  {"classifier_config": m["classifier_config"], "training": "0"})
        run([PARITY, "classifier", inp, d(f"{arch}-out.safetensors")])
        out, out_meta = load_file(d(f"{arch}-out.safetensors"))
        err, scale = (out["y"] - y).abs().max().item(), y.abs().max().item()
        case(f"{arch} export (format dimvida-classifier-1) in the C engine: the twin's logits in eval mode",
             m.get("format") == "dimvida-classifier-1" and err <= 1e-4 * scale and
             all(k in m for k in ("command", "seed", "step", "train_config")),
             f"max |C − twin| {err:.3g} vs scale {scale:.3g}")
        order = [k for k, _ in model.named_parameters()]
        case(f"{arch}: the checkpoint's flat Adam state follows the engine's parameter order",
             out_meta.get("param_order", "").split(",") == order, f"{len(order)} parameters")


try:
    dataset_checks()
    {"ae": autoencoder, "score": score, "classifier": classifier}[WHICH]()
except Exception:
    case(f"{WHICH}: the run completes", False, *traceback.format_exc().splitlines())
finally:
    shutil.rmtree(TMP, ignore_errors=True)
print(f"1..{len(results)}")
for i, (name, ok, lines) in enumerate(results, 1):
    for line in lines:
        print("# " + line)
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
sys.exit(0 if results and all(ok for _, ok, _ in results) else 1)
