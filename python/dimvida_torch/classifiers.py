"""PyTorch twins of the view classifiers (src/engine/votes/resnet.c, mobilenet.c):
ResNet-18 with the small-input stem and MobileNetV3-Small, each with the engine's
width multiplier and torchvision's state_dict names, so that our
"dimvida-classifier-1" safetensors files load unconverted (BatchNorm's running
statistics are buffers; num_batches_tracked is not stored: momentum is fixed)."""
import json
import math
from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F

from .safetensors_io import load_file, save_file

FORMAT = "dimvida-classifier-1"


@dataclass
class ClassifierConfig:
    arch: str = "resnet18"
    width: float = 1.0
    n_classes: int = 13
    image_size: int = 64
    dropout: float = 0.2

    def to_json(self):
        return json.dumps({"arch": self.arch, "width": self.width, "n_classes": self.n_classes,
                           "image_size": self.image_size, "dropout": self.dropout}, separators=(",", ":"))

    @staticmethod
    def from_json(text):
        return ClassifierConfig(**json.loads(text))


def resnet_widths(width):
    return [max(1, int(math.floor(b * width + 0.5))) for b in (64, 128, 256, 512)]


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """Small-input stem (3×3 s1, no max-pool), BasicBlocks 2-2-2-2 at round(64…512 × width)."""

    def __init__(self, config=None):
        super().__init__()
        self.config = config or ClassifierConfig()
        w = resnet_widths(self.config.width)
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])
        cin = w[0]
        for stage in range(4):
            blocks = []
            for i in range(2):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(BasicBlock(cin, w[stage], stride))
                cin = w[stage]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(w[3], self.config.n_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight), nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


# kernel, expanded, out, SE, hard swish, stride (torchvision's mobilenet_v3_small)
MOBILENET_TABLE = [(3, 16, 16, True, False, 2), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1),
                   (5, 96, 40, True, True, 2), (5, 240, 40, True, True, 1), (5, 240, 40, True, True, 1),
                   (5, 120, 48, True, True, 1), (5, 144, 48, True, True, 1), (5, 288, 96, True, True, 2),
                   (5, 576, 96, True, True, 1), (5, 576, 96, True, True, 1)]
BN_EPS, BN_MOMENTUM = 1e-3, 0.01


def conv_bn_act(cin, cout, k, stride, groups, act):
    layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, c, s):
        super().__init__()
        self.fc1 = nn.Conv2d(c, s, 1)
        self.fc2 = nn.Conv2d(s, c, 1)

    def forward(self, x):
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))


class InvertedResidual(nn.Module):
    def __init__(self, cin, k, exp, cout, se, hs, stride):
        super().__init__()
        act = nn.Hardswish if hs else nn.ReLU
        layers = []
        if exp != cin:
            layers.append(conv_bn_act(cin, exp, 1, 1, 1, act))
        layers.append(conv_bn_act(exp, exp, k, stride, exp, act))
        if se:
            layers.append(SqueezeExcitation(exp, make_divisible(exp // 4)))
        layers.append(conv_bn_act(exp, cout, 1, 1, 1, None))
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return y + x if self.residual else y


class MobileNetV3Small(nn.Module):
    def __init__(self, config=None):
        super().__init__()
        self.config = config or ClassifierConfig(arch="mobilenet")
        w = self.config.width
        cin = make_divisible(16 * w)
        layers = [conv_bn_act(3, cin, 3, 2, 1, nn.Hardswish)]
        for k, exp, out, se, hs, stride in MOBILENET_TABLE:
            cout = make_divisible(out * w)
            layers.append(InvertedResidual(cin, k, make_divisible(exp * w), cout, se, hs, stride))
            cin = cout
        layers.append(conv_bn_act(cin, 6 * cin, 1, 1, 1, nn.Hardswish))
        self.features = nn.Sequential(*layers)
        hidden = make_divisible(1024 * w)
        self.classifier = nn.Sequential(nn.Linear(6 * cin, hidden), nn.Hardswish(),
                                        nn.Dropout(self.config.dropout), nn.Linear(hidden, self.config.n_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight), nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01), nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


def make_classifier(config):
    return ResNet18(config) if config.arch == "resnet18" else MobileNetV3Small(config)


def our_state_dict(model):
    """The tensors our files hold: parameters and running statistics, not num_batches_tracked."""
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def save_classifier(model, path, metadata=None):
    meta = dict(metadata or {})
    meta["format"] = FORMAT
    meta["classifier_config"] = model.config.to_json()
    save_file(our_state_dict(model), path, meta)


def load_classifier(path):
    tensors, meta = load_file(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: not a classifier file (format {meta.get('format')!r})")
    model = make_classifier(ClassifierConfig.from_json(meta["classifier_config"]))
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}")
    return model, meta
