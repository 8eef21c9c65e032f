#!/usr/bin/python3
"""PyTorch parity of the engine's conv layers, the view autoencoder and the
masked score network, and of
its SSIM/PSNR against scikit-image: same weights and inputs into both, outputs
and parameter gradients compared (max |C − torch| ≤ 1e-4 · max |torch|).

    tests/nn_parity.py PARITY_DUMP_EXE [WHICH]   WHICH: layers, classifier-layers, classifiers, autoencoder, score, bf16, metrics or all (default)

Prints TAP."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dimvida_torch import ResBlock, ViewAutoencoder, AutoencoderConfig, load_file, save_file  # noqa: E402
from dimvida_torch import ScoreNet, ScoreNetConfig  # noqa: E402
from dimvida_torch import ClassifierConfig, make_classifier, our_state_dict  # noqa: E402

TOL = 1e-4
EXE = sys.argv[1]
WHICH = sys.argv[2] if len(sys.argv) > 2 else "all"
tmp = tempfile.mkdtemp(prefix="dv-parity-")
results = []


def run_c(layer, tensors, metadata=None):
    src, dst = os.path.join(tmp, "in.safetensors"), os.path.join(tmp, "out.safetensors")
    save_file(tensors, src, metadata)
    subprocess.run([EXE, layer, src, dst], check=True)
    out, meta = load_file(dst)
    return out, meta


def close(name, ours, ref, floor=1e-12, tol=TOL):
    ref = ref.detach().float()
    scale = max(ref.abs().max().item(), floor)
    err = (ours - ref).abs().max().item()
    ok = ours.shape == ref.shape and err <= tol * scale
    return ok, f"{name}: max |diff| {err:.3g} vs scale {scale:.3g} (rel {err / scale:.2g})"


def check(case, pairs):
    lines, ok = [], True
    for name, ours, ref in pairs:
        good, line = close(name, ours, ref)
        ok &= good
        lines.append(line)
    results.append((case, ok, lines))


def module_case(case, layer, module, x, metadata=None, prefix_free=True):
    x = x.clone().requires_grad_(True)
    y = module(x)
    dout = torch.randn_like(y)
    module.zero_grad()
    (y * dout).sum().backward()
    tensors = {"x": x.detach(), "dout": dout}
    for k, v in module.state_dict().items():
        tensors[k] = v
    out, _ = run_c(layer, tensors, metadata)
    pairs = [("y", out["y"], y)]
    if "dx" in out:
        pairs.append(("dx", out["dx"], x.grad))
    for k, p in module.named_parameters():
        pairs.append(("grad." + k, out["grad." + k], p.grad))
    check(case, pairs)


class Fn(torch.nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def layers():
    torch.manual_seed(0)
    for (b, cin, cout, h, w, k, s, p, g, bias) in [
            (2, 3, 8, 9, 7, 3, 1, 1, 1, True), (2, 3, 16, 16, 16, 4, 2, 1, 1, True),
            (3, 8, 4, 5, 5, 1, 1, 0, 1, False), (2, 8, 12, 10, 10, 3, 2, 1, 4, True),
            (2, 6, 6, 8, 8, 3, 1, 1, 6, True), (4, 32, 32, 32, 32, 3, 1, 1, 1, True)]:
        conv = torch.nn.Conv2d(cin, cout, k, stride=s, padding=p, groups=g, bias=bias)
        module_case(f"conv2d {cin}->{cout} k{k} s{s} p{p} g{g} bias={bias} on {b}x{h}x{w}", "conv2d", conv,
                    torch.randn(b, cin, h, w), {"stride": s, "padding": p, "groups": g})
    gn = torch.nn.GroupNorm(4, 8)
    with torch.no_grad():
        gn.weight.normal_(), gn.bias.normal_()
    module_case("group_norm 4 groups of 8 channels", "group_norm", gn, 3 * torch.randn(2, 8, 5, 6) + 1,
                {"groups": 4})
    module_case("avg_pool 3 s2 p1 (count_include_pad)", "avg_pool", Fn(lambda x: F.avg_pool2d(x, 3, 2, 1)),
                torch.randn(2, 3, 9, 8))
    module_case("upsample nearest x2", "upsample", Fn(lambda x: F.interpolate(x, scale_factor=2, mode="nearest")),
                torch.randn(2, 3, 5, 4))
    module_case("leaky_relu 0.2", "leaky_relu", Fn(lambda x: F.leaky_relu(x, 0.2)), torch.randn(2, 3, 5, 4))
    for fin, fout in [(8, 8), (8, 16), (16, 4)]:
        module_case(f"res_block {fin}->{fout}", "res_block", ResBlock(fin, fout), torch.randn(2, fin, 8, 8))


class SqueezeExcite(torch.nn.Module):
    """torchvision's SqueezeExcitation with MobileNetV3's Hardsigmoid gate."""

    def __init__(self, c, s):
        super().__init__()
        self.fc1 = torch.nn.Conv2d(c, s, 1)
        self.fc2 = torch.nn.Conv2d(s, c, 1)

    def forward(self, x):
        g = F.hardsigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * g


def batch_norm_case(c, eps, momentum, training, x):
    bn = torch.nn.BatchNorm2d(c, eps=eps, momentum=momentum)
    with torch.no_grad():
        bn.weight.normal_(), bn.bias.normal_()
        bn.running_mean.normal_(), bn.running_var.uniform_(0.5, 2.0)
    bn.train(training)
    tensors = {k: v.clone() for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    x = x.clone().requires_grad_(True)
    y = bn(x)
    dout = torch.randn_like(y)
    (y * dout).sum().backward()
    tensors["x"], tensors["dout"] = x.detach(), dout
    out, _ = run_c("batch_norm2d", tensors, {"eps": repr(eps), "momentum": repr(momentum), "training": int(training)})
    pairs = [("y", out["y"], y), ("dx", out["dx"], x.grad), ("grad.weight", out["grad.weight"], bn.weight.grad),
             ("grad.bias", out["grad.bias"], bn.bias.grad), ("running_mean", out["running_mean"], bn.running_mean),
             ("running_var", out["running_var"], bn.running_var)]
    check(f"batch_norm2d {'train' if training else 'eval'} eps {eps} momentum {momentum} on {tuple(x.shape)}", pairs)


def classifier_layers():
    torch.manual_seed(5)
    for eps, momentum in [(1e-5, 0.1), (1e-3, 0.01)]:
        for training in (True, False):
            batch_norm_case(6, eps, momentum, training, 2 * torch.randn(4, 6, 5, 7) + 0.5)
    batch_norm_case(3, 1e-5, 0.1, True, torch.randn(3, 3, 1, 1))  # three values per channel: n − 1 = 2
    for k, s, p in [(3, 2, 1), (2, 2, 0), (3, 1, 1)]:
        module_case(f"max_pool2d {k}/{s}/{p}", "max_pool2d", Fn(lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p)),
                    torch.randn(2, 3, 9, 8), {"kernel": k, "stride": s, "padding": p})
    module_case("global_avg_pool", "global_avg_pool", Fn(lambda x: F.adaptive_avg_pool2d(x, 1)),
                torch.randn(3, 5, 6, 4))
    module_case("relu6", "relu6", Fn(F.relu6), 5 * torch.randn(2, 3, 6, 6))
    module_case("hard_sigmoid", "hard_sigmoid", Fn(F.hardsigmoid), 4 * torch.randn(2, 3, 6, 6))
    module_case("hardswish", "hardswish", Fn(F.hardswish), 4 * torch.randn(2, 3, 6, 6))
    for c, sq, hw in [(16, 8, 5), (24, 8, 1)]:
        se = SqueezeExcite(c, sq)
        with torch.no_grad():
            se.fc2.bias.normal_()
        module_case(f"squeeze_excite {c}->{sq}->{c} on {hw}x{hw}", "squeeze_excite", se, torch.randn(3, c, hw, hw))
    # Dropout: torch cannot draw our mask, so the C mask is checked for torch's semantics (zeros and 1/(1 − p)).
    p = 0.2
    x = torch.randn(64, 256)
    dout = torch.randn_like(x)
    out, _ = run_c("dropout", {"x": x, "dout": dout}, {"p": repr(p), "seed": 3})
    mask = out["mask"]
    scale = 1 / (1 - p)
    ref_y = F.dropout(x, p, training=True)
    torch_kept = ref_y[ref_y != 0] / x[ref_y != 0]
    binary = bool(((mask == 0) | ((mask - scale).abs() < 1e-6)).all())
    share = (mask == 0).float().mean().item()
    ok = binary and abs(share - p) < 0.02 and (torch_kept - scale).abs().max().item() < 1e-5
    good_y, line_y = close("y = x·mask", out["y"], x * mask)
    good_dx, line_dx = close("dx = dout·mask", out["dx"], dout * mask)
    results.append((f"dropout p {p}: mask of 0 and 1/(1-p) as torch scales, dropped share", ok and good_y and good_dx,
                    [f"dropped {share:.4f} (p {p}), torch's kept factor {torch_kept.mean().item():.6f}", line_y,
                     line_dx]))


def autoencoder():
    torch.manual_seed(1)
    for config, batch in [(AutoencoderConfig(), 3),
                          (AutoencoderConfig(image_size=32, latent_dim=8, channels=[8, 12, 16], head_channels=4), 2)]:
        model = ViewAutoencoder(config)
        x = torch.rand(batch, 3, config.image_size, config.image_size)
        z = model.encoder(x)
        y = model.decoder(z)
        dout = torch.randn_like(y)
        model.zero_grad()
        (y * dout).sum().backward()
        tensors = dict(model.state_dict())
        tensors["x"], tensors["dout"] = x, dout
        out, _ = run_c("autoencoder", tensors, {"autoencoder_config": config.to_json()})
        pairs = [("z", out["z"], z), ("y", out["y"], y)]
        pairs += [("grad." + k, out["grad." + k], p.grad) for k, p in model.named_parameters()]
        n = sum(p.numel() for p in model.parameters())
        check(f"autoencoder {config.to_json()} ({n} parameters), batch {batch}", pairs)


def score():
    torch.manual_seed(2)
    for config, batch in [(ScoreNetConfig(), 5),
                          (ScoreNetConfig(n_views=3, latent_dim=5, width=24, time_dim=7, levels=1, groups=4), 3),
                          (ScoreNetConfig(n_views=4, latent_dim=8, width=32, time_dim=16, levels=3, groups=8), 4)]:
        model = ScoreNet(config)
        with torch.no_grad():
            # The zero output layer would hide every other gradient; the norms' affine weights vary too.
            model.final.weight.normal_(0, 0.05), model.final.bias.normal_(0, 0.05)
            for name, p in model.named_parameters():
                if "norm" in name:
                    p.add_(0.2 * torch.randn_like(p))
        x = torch.randn(batch, config.n_views * config.latent_dim)
        tau = torch.rand(batch, config.n_views)
        tau[0, 0] = 0.0  # a given view
        tau[-1, :] = torch.tensor([0.0, 0.7, 0.0] + [0.7] * (config.n_views - 3))
        y = model(x, tau)
        dout = torch.randn_like(y)
        model.zero_grad()
        (y * dout).sum().backward()
        tensors = dict(model.state_dict())
        tensors["x"], tensors["tau"], tensors["dout"] = x, tau, dout
        out, _ = run_c("score_net", tensors, {"score_net_config": config.to_json()})
        pairs = [("y", out["y"], y)]
        pairs += [("grad." + k, out["grad." + k], p.grad) for k, p in model.named_parameters()]
        n = sum(p.numel() for p in model.parameters())
        check(f"score_net {config.to_json()} ({n} parameters), batch {batch}", pairs)


def bf16_linears(module):
    """Every Linear of module computing as ours in BF16: weights and inputs rounded to BF16 (torch's
    round-to-nearest-even), products and sums in F32, bias F32."""
    for m in module.modules():
        if isinstance(m, torch.nn.Linear):
            m.forward = (lambda x, m=m: F.linear(x.bfloat16().float(), m.weight.bfloat16().float(), m.bias))
    return module


@torch.no_grad()
def bf16():
    """The BF16 conversion bit for bit against torch's .bfloat16() (finite values: parity-dump reads no Inf or
    NaN; tests/nn/test-linear-bf16 checks those), the BF16 Linear against F.linear on the rounded
    tensors (and torch's own BF16 matmul, whose output is rounded to BF16), the score network's BF16 forward
    against the twin with BF16 Linears."""
    torch.manual_seed(5)
    x = torch.cat([torch.randn(3, 200) * 10.0 ** torch.randint(-30, 30, (3, 1)).float(),
                   torch.tensor([[0.0, -0.0, 3.4e38, -3.4e38, 1e-40, -1e-45, 1.00390625, 1.01171875, 1.0039063,
                                  -1.0117188] + [1.0] * 190])], 0)
    w, b = torch.randn(7, 200), torch.randn(7)
    out, _ = run_c("linear_bf16", {"x": x, "weight": w, "bias": b, "dout": torch.zeros(4, 7)})
    ref = x.bfloat16().float()
    nan = torch.isnan(ref)
    same = bool((torch.isnan(out["x_bf16"]) == nan).all()) and \
        bool((out["x_bf16"][~nan].view(torch.int32) == ref[~nan].view(torch.int32)).all())
    results.append(("bf16 rounding vs torch .bfloat16(), 800 values of 60 decades incl. ±0, overflow, denormals, ties",
                    same, [f"{int((out['x_bf16'][~nan].view(torch.int32) != ref[~nan].view(torch.int32)).sum())} "
                           "values differ"]))
    for B, C, OC in [(1, 384, 384), (1, 768, 384), (8, 128, 384), (3, 37, 5)]:
        x, w, b = torch.randn(B, C), torch.randn(OC, C) / C ** 0.5, torch.randn(OC)
        out, _ = run_c("linear_bf16", {"x": x, "weight": w, "bias": b, "dout": torch.zeros(B, OC)})
        emulated = F.linear(x.bfloat16().double(), w.bfloat16().double(), b.double())
        native = F.linear(x.bfloat16(), w.bfloat16(), b.bfloat16()).float()
        ok1, line1 = close(f"linear_bf16 {B}x{C}->{OC} vs F.linear on BF16-rounded inputs (F64)", out["y"], emulated,
                           tol=1e-5)
        # torch's BF16 matmul rounds its output (and bias) to BF16: agreement to BF16's half-ulp, 2^-8 relative.
        ok2, line2 = close(f"linear_bf16 {B}x{C}->{OC} vs torch's BF16 F.linear", out["y"], native, tol=2 ** -7)
        results.append((f"linear_bf16 {B}x{C}->{OC} vs torch", ok1 and ok2, [line1, line2]))
    for config, batch in [(ScoreNetConfig(), 3),
                          (ScoreNetConfig(n_views=3, latent_dim=5, width=24, time_dim=7, levels=1, groups=4), 2)]:
        model = ScoreNet(config)
        model.final.weight.normal_(0, 0.05), model.final.bias.normal_(0, 0.05)
        x = torch.randn(batch, config.n_views * config.latent_dim)
        tau = torch.rand(batch, config.n_views)
        tau[0, 0] = 0.0
        y32 = model(x, tau)
        tensors = dict(model.state_dict())
        tensors["x"], tensors["tau"], tensors["dout"] = x, tau, torch.zeros_like(y32)
        out, _ = run_c("score_net_bf16", tensors, {"score_net_config": config.to_json()})
        y = bf16_linears(model)(x, tau)
        ok, line = close("y vs the twin with BF16 Linears", out["y"], y)
        rel = ((out["y"] - y32).norm() / y32.norm()).item()
        results.append((f"score_net_bf16 {config.to_json()}, batch {batch}", ok,
                        [line, f"relative L2 against the F32 twin {rel:.3g}"]))


def classifiers():
    """Whole networks: logits in train and eval mode, parameter gradients, updated running statistics.
    Dropout is 0 here (torch cannot draw our mask; the layer's own case checks its semantics).
    A pre-activation within rounding of 0 takes ReLU's kink on one side only, and one entry's gradient
    then differs by its whole share (seen: 2.7 % of layer2.1.bn1.bias, torch.manual_seed(6), oneDNN):
    the seed and sizes are ones where no such tie occurs on either backend."""
    torch.manual_seed(7)
    for config, batch in [(ClassifierConfig("resnet18", 0.125, 13, 16, 0.0), 4),
                          (ClassifierConfig("resnet18", 0.25, 5, 16, 0.0), 3),
                          (ClassifierConfig("mobilenet", 0.5, 13, 64, 0.0), 4),
                          (ClassifierConfig("mobilenet", 1.0, 7, 64, 0.0), 3)]:
        for training in (True, False):
            model = make_classifier(config)
            with torch.no_grad():
                # Norms away from their initial 1/0 and statistics away from 0/1, so that every term shows.
                for name, p in model.named_parameters():
                    if p.dim() == 1:
                        p.add_(0.2 * torch.randn_like(p))
                for m in model.modules():
                    if isinstance(m, torch.nn.Linear):  # N(0, 0.01) would leave every other gradient ~1e-6
                        m.reset_parameters()
                for name, b in model.named_buffers():
                    if name.endswith("running_mean"):
                        b.normal_(0, 0.2)
                    elif name.endswith("running_var"):
                        b.uniform_(0.5, 2.0)
            tensors = {k: v.clone() for k, v in our_state_dict(model).items()}
            model.train(training)
            x = torch.rand(batch, 3, config.image_size, config.image_size)
            y = model(x)
            dout = torch.randn_like(y)
            if training:
                model.zero_grad()
                (y * dout).sum().backward()
            tensors["x"], tensors["dout"] = x, dout
            out, _ = run_c("classifier", tensors, {"classifier_config": config.to_json(), "training": int(training)})
            pairs = [("logits", out["y"], y)]
            if training:
                pairs += [("grad." + k, out["grad." + k], p.grad) for k, p in model.named_parameters()]
            pairs += [(k, out[k], v) for k, v in our_state_dict(model).items() if "running" in k]
            n = sum(p.numel() for p in model.parameters())
            # MobileNet's projection norms feed (through a 1×1 conv) the next block's norm, which removes any
            # per-channel shift in training mode: their bias gradients are exactly 0, and torch's and ours are
            # float noise; both are checked to be small next to the network's largest gradient (≤ 5 %).
            # Deep BatchNorm stacks amplify rounding: tolerance 3e-4 for the others.
            zero = set()
            if training and config.arch == "mobilenet":
                zero = {f"grad.features.{i}.block.{len(block.block) - 1}.1.bias"
                        for i, block in enumerate(model.features) if hasattr(block, "block")}
            largest = max(p.grad.abs().max().item() for p in model.parameters()) if training else 1.0

            def verdict(name, ours, ref):
                if name in zero:
                    a, b = ours.abs().max().item(), ref.abs().max().item()
                    return (max(a, b) <= 0.05 * largest,
                            f"{name} (exactly 0): ours {a:.2g}, torch {b:.2g}, largest gradient {largest:.2g}")
                return close(name, ours, ref, tol=3 * TOL)

            verdicts = [verdict(*t) for t in pairs]
            floor = 1e-12
            worst = max((pv for pv in zip(pairs, verdicts) if pv[0][0] not in zero),
                        key=lambda pv: (pv[0][1] - pv[0][2].detach()).abs().max().item() /
                        max(pv[0][2].detach().abs().max().item(), floor))
            results.append((f"{config.arch} width {config.width} ({n} parameters) {'train' if training else 'eval'}, "
                            f"batch {batch} at {config.image_size}px: {len(pairs)} tensors", all(v[0] for v in verdicts),
                            [v[1] for v in verdicts if not v[0]] + ["worst " + worst[1][1]]))


def metrics():
    from skimage.metrics import structural_similarity, peak_signal_noise_ratio
    rng = np.random.default_rng(3)
    for h, w, noise in [(64, 64, 0.05), (64, 64, 0.3), (23, 40, 0.1), (11, 11, 0.2)]:
        a = rng.random((h, w, 3)).astype(np.float32)
        # A smooth image plus noise, so the local statistics vary.
        yy, xx = np.mgrid[0:h, 0:w]
        a = (0.5 + 0.4 * np.sin(yy / 5.0)[..., None] * np.cos(xx / 7.0)[..., None] + 0.1 * a).astype(np.float32)
        b = np.clip(a + noise * rng.standard_normal(a.shape), 0, 1).astype(np.float32)
        out, meta = run_c("image_quality", {"x": torch.from_numpy(a), "dout": torch.from_numpy(b)})
        psnr_c, ssim_c = (float(v) for v in meta["metrics"].split())
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        ssim_ref = structural_similarity(a64, b64, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                         data_range=1.0, channel_axis=-1)
        psnr_ref = peak_signal_noise_ratio(a64, b64, data_range=1.0)
        ok = abs(ssim_c - ssim_ref) <= 1e-6 and abs(psnr_c - psnr_ref) <= 1e-6 * psnr_ref
        results.append((f"ssim/psnr vs scikit-image on {h}x{w}, noise {noise}", ok,
                        [f"SSIM ours {ssim_c:.9f} skimage {ssim_ref:.9f}; PSNR ours {psnr_c:.6f} skimage {psnr_ref:.6f}"]))


if WHICH in ("layers", "all"):
    layers()
if WHICH in ("classifier-layers", "all"):
    classifier_layers()
if WHICH in ("autoencoder", "all"):
    autoencoder()
if WHICH in ("score", "all"):
    score()
if WHICH in ("bf16", "all"):
    bf16()
if WHICH in ("classifiers", "all"):
    classifiers()
if WHICH in ("metrics", "all"):
    metrics()
print(f"1..{len(results)}")
for i, (case, ok, lines) in enumerate(results, 1):
    for line in lines:
        print("# " + line)
    print(f"{'ok' if ok else 'not ok'} {i} {case}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
