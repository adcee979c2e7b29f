"""`derive grade`: answers judged by the key's rules, mistakes named, follow-through, the sign
convention both ways, expressions as functions. Expected values are worked by hand (plain Python
below, no derive) or taken from the mistake's definition."""

import json
import math

import pytest

from problems.grading.decide import judge_value
from problems.grading.grader import grade_item
from problems.grading.key import key_from_document
from problems.homework import build_variants
from problems.roster import parse_roster
from problems.spec import spec_from_dict
from problems.writer import key_document

TEXTBOOK = {"net": "2-2-1", "bias": False, "x": [0.35, 0.9], "y": [0.5], "W1": [[0.1, 0.8], [0.4, 0.6]],
            "W2": [[0.3, 0.9]], "lr": 1}  # fmt: skip


def make_key(items, roster="id\ns1\ns2\n", seed=11):
    spec = spec_from_dict({"title": "T", "seed": seed, "items": items})
    doc = key_document(spec, build_variants(spec, parse_roster(roster), workers=1))
    return key_from_document(json.loads(json.dumps(doc)))


@pytest.fixture(scope="module")
def textbook():
    key = make_key([{"id": "bp", "kind": "backprop_step", "points": 4, "fixed": TEXTBOOK}], "id\ns1\n")
    return key.students["s1"].items[0]


def sig(z):
    return 1 / (1 + math.exp(-z))


# The classic 2-2-1 example by hand: no biases, eta = 1, target 0.5.
Z11 = 0.1 * 0.35 + 0.8 * 0.9  # 0.755
Z12 = 0.4 * 0.35 + 0.6 * 0.9  # 0.68
A11, A12 = sig(Z11), sig(Z12)  # 0.68026, 0.66374
A2 = sig(0.3 * A11 + 0.9 * A12)  # 0.69028
D2 = (A2 - 0.5) * A2 * (1 - A2)  # 0.04068


def _fields(item, answers):
    return {f"{item.id}.{k}": v for k, v in answers.items()}


def _verdict(grade, fid):
    return next(v for v in grade.verdicts if v.column.endswith("." + fid))


def test_the_textbook_key_is_the_hand_computation(textbook):
    answers = {f.id: f.answer for f in textbook.fields}
    assert answers["a2_1"] == pytest.approx(A2, abs=1e-12)
    assert answers["delta2_1"] == pytest.approx(D2, abs=1e-12)
    assert answers["w2_1-1_new"] == pytest.approx(0.3 - D2 * A11, abs=1e-12)


def test_right_answers_rounded_as_asked_earn_full_marks(textbook):
    texts = _fields(textbook, {f.id: f.answer_text for f in textbook.fields})
    g = grade_item(textbook, texts)
    assert all(v.status == "right" for v in g.verdicts), [(v.column, v.status) for v in g.verdicts]
    assert g.score == pytest.approx(4.0)


def test_follow_through_a_chain_of_wrong_but_consistent_answers(textbook):
    # The student slips on a^(2)_1: 0.7 instead of 0.6903, then works on correctly from 0.7:
    # delta = (0.7 - 0.5) * 0.7 * 0.3 = 0.042; dJ/dw^(2)_11 = a^(1)_1 * 0.042; w_new = 0.3 - 1 * that.
    d = 0.2 * 0.7 * 0.3
    g11 = A11 * d
    texts = _fields(
        textbook,
        {"a1_1": f"{A11:.4f}", "a1_2": f"{A12:.4f}", "a2_1": "0.7", "delta2_1": f"{d:.4f}",
         "dJ_dw2_1-1": f"{g11:.4f}", "w2_1-1_new": f"{0.3 - g11:.4f}"},
    )  # fmt: skip
    g = grade_item(textbook, texts)
    assert _verdict(g, "a2_1").status == "wrong"
    for fid in ("delta2_1", "dJ_dw2_1-1", "w2_1-1_new"):
        v = _verdict(g, fid)
        assert v.status == "follow", (fid, v)
        assert v.credit == 0.5  # the default share
    assert _verdict(g, "a1_1").status == "right"


@pytest.mark.parametrize(
    "upstream",
    [
        "0",  # trivial
        "0.35",  # copied from the statement (x_1)
        "",  # blank
        "seven",  # invalid
    ],
)
def test_follow_through_cannot_be_gamed(textbook, upstream):
    # From a^(2)_1 = 0 the "consistent" delta is (0 - 0.5) * 0 * 1 = 0; from 0.35 it is
    # (0.35 - 0.5) * 0.35 * 0.65 = -0.034125. Neither earns anything.
    a = float(upstream) if upstream.replace(".", "").isdigit() else None
    d = (a - 0.5) * a * (1 - a) if a is not None else 0.0
    g = grade_item(textbook, _fields(textbook, {"a2_1": upstream, "delta2_1": f"{d:.4f}"}))
    assert _verdict(g, "delta2_1").status in ("wrong", "blank")
    assert _verdict(g, "delta2_1").credit == 0


def test_named_mistakes_from_the_key(textbook):
    # missing_fprime: delta^(2) = (a - y) without f'(z): 0.19028...
    v = judge_value(textbook.field("delta2_1"), f"{A2 - 0.5:.4f}")
    assert v.status == "wrong" and "missing_fprime" in v.mistakes
    # flipped_update: w <- w + eta * dJ/dw = 0.3 + 0.04068 * 0.68026
    v = judge_value(textbook.field("w2_1-1_new"), f"{0.3 + D2 * A11:.4f}")
    assert v.status == "wrong" and "flipped_update" in v.mistakes


def test_the_other_sign_convention_used_throughout_is_right(textbook):
    # (t - o) f'(z): every delta and gradient the negative; the updates w + eta delta x the same.
    d = -D2
    texts = {f.id: f.answer_text for f in textbook.fields}
    for f in textbook.fields:
        if f.id.startswith(("delta", "dJ_d")):
            texts[f.id] = f"{-f.answer:.4f}"
    g = grade_item(textbook, _fields(textbook, texts))
    assert g.convention == "t-o"
    assert all(v.status == "right" for v in g.verdicts), [(v.column, v.status) for v in g.verdicts]
    assert _verdict(g, "delta2_1").expected == f"{d:.4f}"


def test_mixing_the_conventions_is_named(textbook):
    # delta in (t - o) form, but the update still subtracts: w = 0.3 - (-(D2) * A11) = 0.3 + D2 * A11.
    texts = {"delta2_1": f"{-D2:.4f}", "dJ_dw2_1-1": f"{-D2 * A11:.4f}", "w2_1-1_new": f"{0.3 + D2 * A11:.4f}"}
    g = grade_item(textbook, _fields(textbook, texts))
    v = _verdict(g, "w2_1-1_new")
    assert v.status == "wrong"
    assert "mixed_sign" in v.mistakes


def test_vectors_and_matrices_partial_credit_and_transposed():
    key = make_key([{"id": "fm", "kind": "feature_map"}], "id\ns1\n")
    item = key.students["s1"].items[0]
    f = item.field("y")
    m = f.answer
    rows = ["[" + ", ".join(str(x) for x in r) + "]" for r in m]
    right = "[" + ", ".join(rows) + "]"
    assert judge_value(f, right).status == "right"
    # one entry off: the share of right entries
    wrong = [list(r) for r in m]
    wrong[0][0] += 1
    n = len(m) * len(m[0])
    v = judge_value(f, json.dumps(wrong))
    assert v.status == "partial" and v.credit == pytest.approx((n - 1) / n)
    # whitespace rows read too
    assert judge_value(f, "\n".join(" ".join(str(x) for x in r) for r in m)).status == "right"
    if len(m) != len(m[0]) or any(m[i][j] != m[j][i] for i in range(len(m)) for j in range(len(m[0]))):
        t = [list(c) for c in zip(*m)]
        v = judge_value(f, json.dumps(t))
        assert v.credit < 1 and "transpose" in v.message  # named; only the diagonal is in place


def test_conv_size_missing_plus_one_by_hand():
    # (32 - 5 + 2*0)/1 + 1 = 28; without the + 1: 27.
    key = make_key(
        [{"id": "s", "kind": "conv_size", "fixed": {"input": [32, 32, 1], "kernel": 5, "stride": 1, "padding": 0,
                                                  "filters": 6}}],
        "id\ns1\n",
    )  # fmt: skip
    item = key.students["s1"].items[0]
    f = item.field("W_2")
    assert judge_value(f, "28").status == "right"
    v = judge_value(f, "27")
    assert v.status == "wrong" and "missing_plus_one" in v.mistakes
    assert judge_value(f, "28.5").status == "invalid"
    assert judge_value(f, "  ").status == "blank"


def test_every_mistake_value_in_a_key_is_named_when_typed():
    """For every kind: a student typing exactly what a mistake gives is told that mistake."""
    from problems.answers import format_answer
    from problems.fields import Field
    from problems.kinds import MODULES

    items = [{"id": k.replace("_", ""), "kind": k} for k in MODULES]
    key = make_key(items, "id\ns1\ns2\n")
    seen = 0
    for sk in key.students.values():
        for item in sk.items:
            for f in item.fields:
                if f.type == "expression":
                    continue
                groups = {m for g in item.confusable.get(f.id, ()) for m in g}
                for m, value in f.mistakes.items():
                    if value is None:
                        continue
                    probe = Field(f.id, f.quantity, f.type, f.rule, ("", ""))
                    text = format_answer(probe, value)
                    v = judge_value(f, text)
                    if v.status == "right":
                        continue  # the mistake gives the right answer here (listed as indistinguishable)
                    assert m in v.mistakes or m in groups, (item.kind, f.id, m, text, v)
                    seen += 1
    assert seen > 30
