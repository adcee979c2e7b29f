"""Parameter tables: LeNet-5's published figures, torch models built here, specs and errors."""

import json

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from oracle import needs_torch, torch

from derive.cnn.architectures import LENET5_TABLE_I, c3_inputs, resolve_arch
from derive.cnn.formulas import layer_formulas
from derive.cnn.params import count_layers, count_params
from derive.errors import InputError
from derive.parse.archspec import load_yaml, parse_compact
from derive.render.formats import render, render_text
from derive.render.params import params_report

# --- LeNet-5: LeCun, Bottou, Bengio, Haffner 1998, section II.B -------------------------------

# (trainable parameters, connections) as printed in the paper, layer by layer.
LENET5_PAPER = {
    "C1": (156, 122_304),
    "S2": (12, 5_880),
    "C3": (1_516, 151_600),
    "S4": (32, 2_000),
    "C5": (48_120, 48_120),
    "F6": (10_164, 10_164),  # the paper gives the parameter count; connections equal it
}


def test_lenet5_layers_match_the_paper():
    counts = {c.name: c for c in count_layers(resolve_arch("lenet5"))}
    for name, (params, connections) in LENET5_PAPER.items():
        assert counts[name].params == params, name
        assert counts[name].connections == connections, name
    # Feature maps: C1 6@28x28, S2 6@14x14, C3 16@10x10, S4 16@5x5, C5 120, F6 84.
    assert [counts[n].output for n in ("C1", "S2", "C3", "S4", "C5")] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (120, 1, 1),
    ]
    assert counts["F6"].output == (84,)
    # The RBF output: one 84-vector per class, 10 classes.
    assert counts["OUTPUT"].params == 84 * 10 and not counts["OUTPUT"].trainable


def test_lenet5_totals_match_the_paper():
    # "The network has 340,908 connections, but only 60,000 trainable free parameters."
    totals = count_params(resolve_arch("lenet5"))
    assert totals["connections"] == 340_908
    assert totals["trainable"] == 60_000


def test_c3_connection_table_is_table_one():
    inputs = c3_inputs()
    assert len(inputs) == 16 and len(LENET5_TABLE_I) == 6
    # First six C3 maps take 3 contiguous S2 maps, the next six 4 contiguous, three take
    # 4 discontinuous ones, the last one all 6 (paper, section II.B).
    assert [len(i) for i in inputs] == [3] * 6 + [4] * 9 + [6]
    assert inputs[0] == (0, 1, 2) and inputs[4] == (0, 4, 5) and inputs[14] == (0, 2, 3, 5)
    assert all(row.count("X") == 10 for row in LENET5_TABLE_I)


# --- MLP ---------------------------------------------------------------------------------------


def test_mlp_spec_by_hand():
    # 3-4-2: 4·(3 + 1) + 2·(4 + 1) = 16 + 10 = 26
    r = count_params(resolve_arch("3-4-2"))
    assert {n: v for n, v in r.values("count").items() if n.startswith("params(")} == {
        "params(layer1)": 16,
        "params(layer2)": 10,
    }
    assert r["params"] == 26
    assert r["macs"] == 3 * 4 + 4 * 2


def test_alexnet_conv1_macs_by_hand():
    conv1 = count_layers(resolve_arch("alexnet"))[0]
    assert conv1.macs == 55 * 55 * 64 * (3 * 11 * 11) == 70_276_800
    assert count_layers(resolve_arch("alexnet"), bias_macs=True)[0].macs == conv1.macs + 55 * 55 * 64
    r = count_params(resolve_arch("alexnet"), bias_macs=True)
    assert r["macs(conv1)"] == 70_276_800 + 55 * 55 * 64
    assert r["flops(conv1)"] == 2 * r["macs(conv1)"]


# --- torch as the independent oracle -----------------------------------------------------------

nn = torch.nn if torch is not None else None


def torch_alexnet():
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d((6, 6)),
        nn.Flatten(),
        nn.Dropout(),
        nn.Linear(256 * 6 * 6, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Linear(4096, 1000),
    )


# torchvision's cfgs; "1x1:N" is configuration C's 1x1 conv (Simonyan & Zisserman, Table 1).
VGG_CFG = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
    "vgg16c": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        "1x1:256",
        "M",
        512,
        512,
        "1x1:512",
        "M",
        512,
        512,
        "1x1:512",
        "M",
    ],
}


def torch_vgg(cfg):
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        elif isinstance(v, str):
            out = int(v.split(":")[1])
            layers += [nn.Conv2d(c, out, 1), nn.ReLU()]
            c = out
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            c = v
    return nn.Sequential(
        *layers,
        nn.AdaptiveAvgPool2d((7, 7)),
        nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(),
        nn.Dropout(),
        nn.Linear(4096, 1000),
    )


def torch_counts(build, input_shape, skip=None):
    """sum(p.numel()) and each (non-skipped) module's output shape, on the meta device."""
    skip = (nn.ReLU, nn.Dropout) if skip is None else skip
    with torch.device("meta"):
        model = build()
    shapes = []
    for m in model:
        if not isinstance(m, skip):
            m.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape[1:])))
    model(torch.empty((1, *input_shape), device="meta"))
    return sum(p.numel() for p in model.parameters()), shapes


@needs_torch
@pytest.mark.parametrize(
    "name, build, published",
    [
        ("alexnet", torch_alexnet, 61_100_840),
        ("vgg11", lambda: torch_vgg(VGG_CFG["vgg11"]), 132_863_336),
        ("vgg13", lambda: torch_vgg(VGG_CFG["vgg13"]), 133_047_848),
        ("vgg16", lambda: torch_vgg(VGG_CFG["vgg16"]), 138_357_544),
        ("vgg19", lambda: torch_vgg(VGG_CFG["vgg19"]), 143_667_240),
        ("vgg16c", lambda: torch_vgg(VGG_CFG["vgg16c"]), None),  # paper: "134M"
    ],
)
def test_builtin_architectures_match_torch(name, build, published):
    arch = resolve_arch(name)
    total, shapes = torch_counts(build, arch.input)
    counts = count_layers(arch)
    assert sum(c.params for c in counts) == total
    if published is not None:
        assert total == published
    else:
        assert round(total / 1e6) == 134
    assert [c.output for c in counts] == shapes


SPEC = (
    "input 20x18x3; conv 8 3x5 stride=2 padding=1 dilation=2 bias=no; bn; relu; "
    "pool 3 stride=2 padding=1 ceil; conv 12 1; avgpool 2 ceil; flatten; dropout 0.5; "
    "dense 30; sigmoid; dense 7 bias=no"
)


def torch_spec_model():
    return nn.Sequential(
        nn.Conv2d(3, 8, (3, 5), stride=2, padding=1, dilation=2, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
        nn.Conv2d(8, 12, 1),
        nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.LazyLinear(30),
        nn.Sigmoid(),
        nn.Linear(30, 7, bias=False),
    )


@needs_torch
def test_user_spec_matches_torch():
    arch = parse_compact(SPEC)
    counts = count_layers(arch)
    # LazyLinear learns its input size (12·3·2) in the forward pass; torch_counts counts after it.
    total, shapes = torch_counts(torch_spec_model, arch.input, skip=())
    assert total == sum(c.params for c in counts)
    assert [c.output for c in counts] == shapes
    # Batch norm's running mean and variance are buffers, not parameters.
    assert counts[1].params == 16 and counts[1].buffers == 16


def test_yaml_and_compact_agree(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(
        "name: small\n"
        "input: 32x32x1\n"
        "layers:\n"
        "  - conv 6 5 name=C1\n"
        "  - {type: pool, size: 2}\n"
        "  - conv: {filters: 16, kernel: 5}\n"
        "  - maxpool: 2\n"
        "  - flatten\n"
        "  - dense: 120\n"
        "  - {type: dense, units: 10, bias: false}\n"
    )
    from_yaml = params_report(count_params(load_yaml(path))).data
    compact = params_report(
        count_params(
            parse_compact(
                "input 1@32x32; conv 6 5 name=C1; pool 2; conv 16 5; pool 2; flatten; dense 120; dense 10 bias=no"
            )
        )
    ).data
    assert from_yaml["layers"] == compact["layers"]
    assert from_yaml["quantities"] == compact["quantities"]
    # 156 + 16·(6·25 + 1) + 120·(400 + 1) + 10·120 = 156 + 2416 + 48120 + 1200
    assert compact["quantities"]["params"]["value"] == 51_892
    assert resolve_arch(str(path)).name == "small"


@pytest.mark.parametrize(
    "spec, message",
    [
        ("input 32x32x1; convv 6 5", "did you mean 'conv'"),
        ("input 32x32x1; conv 6", "conv needs its kernel"),
        ("input 32x32x1; conv 6 5 strde=2", "did you mean stride"),
        ("input 4x4x1; conv 6 5", "does not fit"),
        ("input 8x8x1; flatten; conv 6 5", "needs an H×W×C input"),
        ("input 8x8x1; conv 6 3 stride=0", "stride 0"),
        ("conv 6 5; pool 2", "start with the input shape"),
        ("input 8x8x1; pool 2 padding=2", "at most half"),
        ("input 8x8x1; dense 10 mode=max", "only pooling has a mode"),
        ("input 8x8x1; conv x 3", "not a whole number"),
        ("input 8x8x1; conv 6 3 name=my-layer", "a layer name is a letter"),
    ],
)
def test_spec_errors_are_clear(spec, message):
    with pytest.raises(InputError, match=message):
        count_layers(resolve_arch(spec))


def test_unknown_architecture_suggests():
    with pytest.raises(InputError, match="did you mean 'alexnet'"):
        resolve_arch("alexnte")


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("input: !!python/object/apply:os.system ['true']\nlayers: [flatten]\n")
    with pytest.raises(InputError, match="malformed YAML"):
        load_yaml(path)


def test_symbolic_conv_formulas_agree_with_counts():
    data = layer_formulas("conv")
    sym = {s.name: s for e in data.values().values() for s in e.free_symbols}
    values = {"C_in": 3, "C_out": 64, "K": 11, "S": 4, "P": 2, "D": 1, "H_in": 224}
    subs = {sym[k]: v for k, v in values.items() if k in sym}
    assert data["params"].subs(subs) == 23_296  # 64·(3·121 + 1), torchvision's conv1
    assert data["H_out"].subs(subs) == 55
    assert data["macs"].subs({**subs, sym["H_out"]: 55, sym["W_out"]: 55}) == 70_276_800
    assert isinstance(data["flops"], sp.Expr)


def test_table_fits_80_columns_and_json_is_one_document():
    for name in ("lenet5", "alexnet", "vgg19"):
        report = params_report(count_params(resolve_arch(name)))
        assert all(len(line) <= 80 for line in render_text(report, width=80).splitlines())
        doc = json.loads(render(report, "json"))
        assert isinstance(doc["quantities"]["params"]["value"], int)


TOKENS = [
    "input",
    "8x8x1",
    "32x32x3",
    "3@32x32",
    "conv",
    "pool",
    "avgpool",
    "dense",
    "flatten",
    "bn",
    "subsample",
    "rbf",
    "adaptivepool",
    "2",
    "3",
    "0",
    "5x3",
    "stride=2",
    "padding=1",
    "dilation=2",
    "bias=no",
    "ceil",
    "name=C1",
    "mode=avg",
    "x",
    "=",
    ";",
    "-1",
    "1e3",
]


@given(st.booleans(), st.lists(st.sampled_from(TOKENS), max_size=14))
def test_any_spec_text_counts_or_raises_input_error(prefix, tokens):
    text = ("input 16x16x3; " if prefix else "") + " ".join(tokens)
    try:
        counts = count_layers(resolve_arch(text))
    except InputError:
        return
    assert all(min(c.output) >= 1 and c.params >= 0 for c in counts)


# --- a different kernel, stride and padding per axis in layer specs -----------------------------

PER_AXIS = "input 32x24x3; conv 6 5x3 stride=3,2 padding=1,0; pool 2x3 s=2,3; flatten; dense 10"


def test_per_axis_layers_by_hand(tmp_path):
    # conv: H2 = floor((32 - 5 + 2·1)/3) + 1 = 10, W2 = floor((24 - 3 + 0)/2) + 1 = 11;
    # params 6·(3·5·3 + 1) = 276; MACs 10·11·6·45 = 29,700.
    # pool 2x3, stride (2, 3) on 10×11: H2 = floor(8/2) + 1 = 5, W2 = floor(8/3) + 1 = 3;
    # connections 2·3·6·5·3 = 540. dense: 10·(5·3·6 + 1) = 910.
    counts = count_layers(parse_compact(PER_AXIS))
    assert [c.output for c in counts] == [(6, 10, 11), (6, 5, 3), (90,), (10,)]
    assert [c.params for c in counts] == [276, 0, 0, 910]
    assert counts[0].macs == 29_700 and counts[1].connections == 540
    assert counts[0].stride == (3, 2) and counts[0].layer.padding == (1, 0)
    text = render_text(params_report(count_params(parse_compact(PER_AXIS))), width=100)
    assert "5×3 s3,2 p1,0" in text and "2×3 s2,3" in text
    path = tmp_path / "axes.yaml"
    path.write_text(
        "input: 32x24x3\nlayers:\n"
        "  - {type: conv, filters: 6, kernel: 5x3, stride: [3, 2], padding: [1, 0]}\n"
        "  - {type: pool, size: 2x3, stride: 2x3}\n  - flatten\n  - dense 10\n"
    )
    assert [c.output for c in count_layers(load_yaml(path))] == [c.output for c in counts]
    with pytest.raises(InputError, match="stride"):
        parse_compact("input 8x8x1; conv 2 3 stride=1,2,3")


@needs_torch
def test_per_axis_spec_matches_torch():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 6, (5, 3), stride=(3, 2), padding=(1, 0)),
        torch.nn.MaxPool2d((2, 3), stride=(2, 3)),
        torch.nn.Flatten(),
        torch.nn.Linear(90, 10),
    )
    x = torch.zeros(1, 3, 32, 24)
    shapes = []
    for layer in model:
        x = layer(x)
        shapes.append(tuple(x.shape[1:]))
    counts = count_layers(parse_compact(PER_AXIS))
    assert [c.output for c in counts] == shapes
    assert sum(c.params for c in counts) == sum(p.numel() for p in model.parameters())
