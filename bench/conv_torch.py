#!/usr/bin/python3
"""Convolution forward+backward and one view-autoencoder training step (forward, L1, backward; no
optimiser step on either side): dimvida (`dimvida views bench-conv`) against PyTorch 1.13 (oneDNN
convolutions) on the same shapes and threads, interleaved shape by shape in one run so both sides
see the same load. Prints a markdown report; --out writes it (atomically).

    /usr/bin/python3 bench/conv_torch.py BUILD_DIR [--threads 2] [--repeats 5] [--out bench/RESULTS-views.md]
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from dimvida_torch import ViewAutoencoder  # noqa: E402

# Section F of the views digest: batch 32, 3×3, stride 1, padding 1. Then the autoencoder's own convs.
SHAPES = [(32, 32, 32, 64, 3, 1, 1), (32, 64, 64, 32, 3, 1, 1), (32, 128, 128, 16, 3, 1, 1), (32, 3, 32, 64, 3, 1, 1),
          (64, 3, 32, 64, 4, 2, 1), (64, 32, 32, 32, 3, 1, 1)]


def torch_conv_ms(shape, repeats):
    b, ci, co, h, k, s, p = shape
    x = torch.randn(b, ci, h, h, requires_grad=True)
    conv = torch.nn.Conv2d(ci, co, k, stride=s, padding=p)
    times = []
    for r in range(repeats + 2):
        t0 = time.perf_counter()
        y = conv(x)
        y.backward(torch.ones_like(y))
        if r >= 2:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def torch_ae_ms(batch, repeats):
    model = ViewAutoencoder()
    x = torch.rand(batch, 3, 64, 64)
    times = []
    for r in range(repeats + 2):
        t0 = time.perf_counter()
        model.zero_grad()
        F.l1_loss(model(x), x).backward()
        if r >= 2:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), sum(p.numel() for p in model.parameters())


def ours(dimvida, args, extra):
    cmd = [dimvida, "views", "bench-conv", "--threads", str(args.threads), "--repeats", str(args.repeats)] + extra
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout, " ".join(cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--ae-batch", type=int, default=64)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dimvida = os.path.join(args.build_dir, "src", "cli", "dimvida")
    load_before = open("/proc/loadavg").read().split()[:3]
    rows, commands = [], []
    for shape in SHAPES:
        times = []
        for backend in ("onednn", "im2col"):
            text, cmd = ours(dimvida, args, ["--backend", backend, "--ae-batch", "0", "--shapes",
                                             ":".join(map(str, shape))])
            commands.append(cmd)
            times.append(float(re.search(r"fwd\+bwd_ms ([\d.]+)", text).group(1)))
        t_torch = torch_conv_ms(shape, args.repeats)
        b, ci, co, h, k, s, p = shape
        oh = (h + 2 * p - k) // s + 1
        gflop = 3 * 2 * b * co * oh * oh * ci * k * k / 1e9
        rows.append((f"conv {ci}→{co}, {k}×{k} s{s}, {h}×{h}, batch {b}", times[0], times[1], t_torch, gflop))
    times = []
    for backend in ("onednn", "im2col"):
        text, cmd = ours(dimvida, args, ["--backend", backend, "--ae-batch", str(args.ae_batch), "--shapes",
                                         "1:1:1:3:3:1:1"])
        commands.append(cmd)
        m = re.search(r"ae batch \d+ params (\d+) step_ms ([\d.]+)", text)
        times.append(float(m.group(2)))
    t_torch, n_params = torch_ae_ms(args.ae_batch, args.repeats)
    rows.append((f"autoencoder step (fwd + L1 + bwd), batch {args.ae_batch}, {int(m.group(1)):,} params",
                 times[0], times[1], t_torch, None))
    load_after = open("/proc/loadavg").read().split()[:3]

    out = [f"# Benchmark: convolutions and the view autoencoder against PyTorch on the CPU", "",
           f"Written by `bench/conv_torch.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
           f"Median of {args.repeats} timed repeats after 2 warm-ups, {args.threads} threads on both sides, "
           "interleaved shape by shape.", "",
           "| figure | dimvida oneDNN ms | dimvida im2col ms | PyTorch 1.13 ms | PyTorch / ours (oneDNN) "
           "| PyTorch / ours (im2col) | GFLOP/s oneDNN / im2col / PyTorch |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, a, c, b, gflop in rows:
        g = f"{gflop / a * 1e3:.0f} / {gflop / c * 1e3:.0f} / {gflop / b * 1e3:.0f}" if gflop else "–"
        out.append(f"| {name} | {a:.1f} | {c:.1f} | {b:.1f} | {b / a:.2f}× | {b / c:.2f}× | {g} |")
    out += ["", "Conv figures are forward + backward (input, weight and bias gradients); GFLOP/s counts 3 × the "
            "forward's multiply-adds × 2. dimvida oneDNN: Debian's libdnnl 2.6 primitives (NCHW in and out, "
            "blocked layouts behind reorders, gradients accumulated by the reorders), the default; dimvida "
            "im2col: batched im2col over the whole batch, one OpenBLAS sgemm per group and pass, threaded "
            "im2col/col2im, the fallback. PyTorch: its own oneDNN 2.6 convolutions.", "",
            "## Conditions", "",
            f"- {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}",
            f"- OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')} (both sides)",
            f"- PyTorch {torch.__version__}, {torch.get_num_threads()} threads; "
            f"oneDNN {torch.backends.mkldnn.is_available() and 'on' or 'off'}",
            f"- Load average before / after: {' '.join(load_before)} / {' '.join(load_after)} "
            "(the 2 cores may be shared with other work: absolute times then are inflated and noisy; read the ratios (both "
            "sides run interleaved, under the same load))",
            f"- Command: `/usr/bin/python3 bench/conv_torch.py {args.build_dir} --threads {args.threads} "
            f"--repeats {args.repeats}`, which ran for dimvida:"]
    out += [f"  - `{c}`" for c in commands]
    report = "\n".join(out) + "\n"
    print(report)
    if args.out:
        # bench/score_torch.py's section, after ours, is kept.
        old = open(args.out).read() if os.path.exists(args.out) else ""
        kept = old.find("\n## Score network and generation")
        if kept >= 0:
            report += old[kept:]
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(report)
        os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
