"""Named architectures (LeNet-5, AlexNet, VGG) as layer lists, and resolving an architecture's name or spec.

LeNet-5 follows LeCun, Bottou, Bengio and Haffner (1998), "Gradient-based learning applied
to document recognition", Proc. IEEE 86(11): C3's inputs come from the paper's Table I below.
AlexNet and VGG follow torchvision's definitions (with the classifier, 1000 classes, 224x224).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from derive.errors import InputError
from derive.parse.archspec import Arch, Layer, load_yaml, parse_compact, parse_mlp_sizes
from derive.tables import LENET5_TABLE_I, c3_inputs

__all__ = ["BUILTINS", "LENET5_TABLE_I", "alexnet", "c3_inputs", "lenet5", "mlp", "resolve_arch", "vgg"]


def lenet5() -> Arch:
    """LeNet-5 as in the paper: 32x32 input, trainable subsampling, C3's table, RBF output."""
    return Arch(
        "LeNet-5",
        (1, 32, 32),
        [
            Layer("conv", "C1", out=6, kernel=(5, 5)),
            Layer("subsample", "S2", kernel=(2, 2)),
            Layer("conv", "C3", out=16, kernel=(5, 5), table=c3_inputs()),
            Layer("subsample", "S4", kernel=(2, 2)),
            Layer("conv", "C5", out=120, kernel=(5, 5)),
            Layer("dense", "F6", out=84),
            Layer("rbf", "OUTPUT", out=10),
        ],
        note="LeCun et al. 1998. S2/S4: each unit sums a 2×2 window, times a trainable "
        "coefficient, plus a trainable bias. C3 reads the S2 maps of the paper's Table I "
        "(6 maps read 3, 9 read 4, 1 reads all 6: 60 links). The RBF output has 84 "
        "parameters per class, chosen by hand in the paper (not trained).",
        hidden=["the squashing function after C1..F6"],
    )


def alexnet() -> Arch:
    """torchvision's AlexNet (the one-GPU variant of Krizhevsky et al. 2012)."""
    c = [
        Layer("conv", "conv1", out=64, kernel=(11, 11), stride=4, padding=2),
        Layer("maxpool", "pool1", kernel=(3, 3), stride=2),
        Layer("conv", "conv2", out=192, kernel=(5, 5), padding=2),
        Layer("maxpool", "pool2", kernel=(3, 3), stride=2),
        Layer("conv", "conv3", out=384, kernel=(3, 3), padding=1),
        Layer("conv", "conv4", out=256, kernel=(3, 3), padding=1),
        Layer("conv", "conv5", out=256, kernel=(3, 3), padding=1),
        Layer("maxpool", "pool5", kernel=(3, 3), stride=2),
        Layer("adaptivepool", "avgpool", size=(6, 6)),
        Layer("flatten", "flatten"),
        Layer("dense", "fc6", out=4096),
        Layer("dense", "fc7", out=4096),
        Layer("dense", "fc8", out=1000),
    ]
    return Arch(
        "AlexNet",
        (3, 224, 224),
        c,
        note="torchvision's AlexNet.",
        hidden=["ReLU after each conv and fc6, fc7", "dropout before fc6, fc7"],
    )


# Simonyan & Zisserman 2015, Table 1: numbers are 3x3 conv widths, "1:" a 1x1 conv, M max pool.
VGG_CONFIGS = {
    "A": "64 M 128 M 256 256 M 512 512 M 512 512 M",
    "B": "64 64 M 128 128 M 256 256 M 512 512 M 512 512 M",
    "C": "64 64 M 128 128 M 256 256 1:256 M 512 512 1:512 M 512 512 1:512 M",
    "D": "64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M",
    "E": "64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M",
}
_VGG_NAMES = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E", "vgg16c": "C"}


def vgg(config: str) -> Arch:
    """VGG configuration A-E with torchvision's classifier (C is the paper's, with 1x1 convs)."""
    layers: list[Layer] = []
    block, idx = 1, 1
    for tok in VGG_CONFIGS[config].split():
        if tok == "M":
            layers.append(Layer("maxpool", f"pool{block}", kernel=(2, 2), stride=2))
            block, idx = block + 1, 1
            continue
        k = 1 if tok.startswith("1:") else 3
        layers.append(
            Layer("conv", f"conv{block}_{idx}", out=int(tok.split(":")[-1]), kernel=(k, k), padding=1 if k == 3 else 0)
        )
        idx += 1
    layers += [
        Layer("adaptivepool", "avgpool", size=(7, 7)),
        Layer("flatten", "flatten"),
        Layer("dense", "fc6", out=4096),
        Layer("dense", "fc7", out=4096),
        Layer("dense", "fc8", out=1000),
    ]
    name = {v: k for k, v in _VGG_NAMES.items()}[config].upper().replace("VGG", "VGG-")
    note = f"VGG configuration {config} (Simonyan & Zisserman 2015)" + (
        ", with torchvision's classifier."
        if config != "C"
        else "; its 1×1 convs (conv3_3, conv4_3, conv5_3) have no padding."
    )
    return Arch(
        name if config != "C" else "VGG-16 (configuration C)",
        (3, 224, 224),
        layers,
        note=note,
        hidden=["ReLU after each conv and fc6, fc7", "dropout after fc6, fc7"],
    )


def mlp(spec: str) -> Arch:
    """A fully connected net from ``3-4-2`` layer sizes."""
    sizes = parse_mlp_sizes(spec)
    layers = [Layer("dense", f"layer{i}", out=n) for i, n in enumerate(sizes[1:], start=1)]
    return Arch(
        f"MLP {spec.strip()}",
        (sizes[0],),
        layers,
        note="Fully connected: layer l has N_l·(N_{l-1} + 1) weights and biases.",
    )


BUILTINS = {
    "lenet5": lenet5,
    "alexnet": alexnet,
    **{n: (lambda c=c: vgg(c)) for n, c in _VGG_NAMES.items()},
}
_ALIASES = {
    "lenet": "lenet5",
    "lenet-5": "lenet5",
    "vgg-c": "vgg16c",
    "vggc": "vgg16c",
    "vgg-a": "vgg11",
    "vgg-b": "vgg13",
    "vgg-d": "vgg16",
    "vgg-e": "vgg19",
}


def resolve_arch(text: str) -> Arch:
    """A built-in name, an MLP spec (``3-4-2``), a YAML file, or a compact spec string."""
    raw = text.strip()
    key = raw.lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in BUILTINS:
        return BUILTINS[key]()
    if re.fullmatch(r"\d+(\s*-\s*\d+)+", raw):
        return mlp(raw)
    if raw.lower().endswith((".yaml", ".yml")):
        if not Path(raw).exists():  # a FIFO or a device exists: load_yaml refuses it as not a regular file
            raise InputError(f"{raw[:80]!r}: no such YAML file")
        return load_yaml(raw)
    if ";" in raw or "\n" in raw or raw.lower().startswith("input"):
        return parse_compact(raw)
    close = difflib.get_close_matches(key, list(BUILTINS) + list(_ALIASES), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(
        f"{text!r}: unknown architecture; {hint}give one of "
        f"{', '.join(BUILTINS)}, an MLP like 3-4-2, a YAML file, or a spec like "
        "'input 32x32x1; conv 6 5; pool 2; flatten; dense 10'"
    )
