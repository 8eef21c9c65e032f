#!/usr/bin/python3
"""One classifier training step (batch 64 of 64×64 images: forward in training mode,
softmax cross-entropy, backward, Adam), ours (tests/votes/classifier-bench) and the
PyTorch twin (python/dimvida_torch/classifiers.py), side by side in one run with the
same threads, OMP_WAIT_POLICY=PASSIVE and OPENBLAS_CORETYPE for both; alternating
runs, medians; appends a table of ms/step and ratios to bench/RESULTS-views.md.

    bench/classifier_torch.py BUILD_DIR [ARCH:WIDTH ...]   (default resnet18:0.125 resnet18:0.25 mobilenet:0.5 mobilenet:1)
Environment: BENCH_STEPS (timed steps per run, 5), BENCH_THREADS (2), BENCH_RESULTS ("-": print only)."""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "python"))
build = sys.argv[1] if len(sys.argv) > 1 else "_build"
cases = sys.argv[2:] or ["resnet18:0.125", "resnet18:0.25", "mobilenet:0.5", "mobilenet:1"]
steps = int(os.environ.get("BENCH_STEPS", "5"))
threads = int(os.environ.get("BENCH_THREADS", "2"))
results = os.environ.get("BENCH_RESULTS", os.path.join(here, "RESULTS-views.md"))
os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")  # both sides the same kernel (dimvida picks it when unset)

import torch  # noqa: E402  (after the environment is set)
from dimvida_torch import ClassifierConfig, make_classifier  # noqa: E402

torch.set_num_threads(threads)


def ours(arch, width):
    exe = os.path.join(build, "tests", "dv-classifier-bench")
    out = subprocess.run([exe, arch, str(width), "64", str(steps), str(threads)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def theirs(arch, width):
    model = make_classifier(ClassifierConfig(arch, width, 13, 64, 0.2))
    model.train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.rand(64, 3, 64, 64)
    y = torch.randint(0, 13, (64,))
    times = []
    for step in range(steps + 2):
        t0 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step >= 2:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), sum(p.numel() for p in model.parameters())


rows = []
for case in cases:
    arch, width = case.split(":")
    width = float(width)
    a, b = [], []
    for _ in range(2):  # alternating runs
        r = ours(arch, width)
        a.append(r["median_ms"])
        t, n_torch = theirs(arch, width)
        b.append(t)
    assert n_torch == r["parameters"], (n_torch, r["parameters"])
    rows.append((arch, width, r["parameters"], statistics.median(a), statistics.median(b)))
    print(f"{arch} width {width}: {r['parameters']} parameters, ours {statistics.median(a):.0f} ms, "
          f"torch {statistics.median(b):.0f} ms, ratio torch/ours {statistics.median(b) / statistics.median(a):.2f}",
          flush=True)

load = os.getloadavg()
text = [f"\n## Classifier training step (batch 64, 64×64), {time.strftime('%Y-%m-%d %H:%M')}\n",
        f"`bench/classifier_torch.py {build}`: {steps} timed steps per run, two alternating runs per side, medians; "
        f"{threads} threads both sides, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}, "
        f"PyTorch {torch.__version__}, {platform.processor() or platform.machine()}, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (a shared machine: absolute times are inflated, "
        f"ratios less so).\n",
        "| arch | width | parameters | ours ms/step | PyTorch ms/step | PyTorch / ours |",
        "| --- | --- | --- | --- | --- | --- |"]
for arch, width, n, a, b in rows:
    text.append(f"| {arch} | {width:g} | {n:,} | {a:.0f} | {b:.0f} | {b / a:.2f} |")
if results != "-":
    with open(results, "a") as f:
        f.write("\n".join(text) + "\n")
print("\n".join(text))
