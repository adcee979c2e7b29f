"""The registry of named mistakes: what a student does wrong, by name, for every computation.

Every computation in ``derive/`` takes ``mistakes=`` (a set of names from :data:`MISTAKES`)
and returns what a student making them would get, as a normal result of named quantities. An
exercise kind gets its key from ``compute(params)`` and each wrong route from
``compute(params, mistakes={name})``; the grader names a student's wrong answer by the
mistake whose value it matches and shows the mistake's one-line description.

    >>> MISTAKES["missing_plus_one"].description
    'forgot the + 1 in the output-size formula'
    >>> sorted(resolve({"no_floor", "missing_plus_one"}, "size"))
    ['missing_plus_one', 'no_floor']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from derive.errors import MistakeError

__all__ = ["FAMILIES", "MISTAKES", "Mistake", "mistakes_of", "resolve"]

#: What each family of mistakes belongs to (the computation that accepts them).
FAMILIES = {
    "backprop": "one backpropagation step of an MLP (derive.backprop)",
    "size": "output sizes of convolution and pooling layers (derive.conv_size, derive.pool_size)",
    "feature_map": "feature maps of a small image (derive.feature_map)",
    "pooling": "pooled maps (derive.pool_map)",
    "params": "parameter and operation counts (derive.count_params)",
    "graph": "computational graphs in reverse mode (derive.graph)",
    "perceptron": "the perceptron learning rule (derive.perceptron)",
    "activation": "activation values and derivatives (derive.activation)",
    "softmax_ce": "softmax with cross-entropy (derive.softmax_ce)",
}


@dataclass(frozen=True)
class Mistake:
    """A named mistake.

    Attributes:
        name: the stable name (``missing_fprime``).
        families: the computations that accept it (keys of :data:`FAMILIES`).
        description: one line a student can read in feedback.
        changes: the kinds of quantity it changes (see :data:`derive.result.KINDS`).
        excludes: mistakes it cannot be combined with.
    """

    name: str
    families: tuple[str, ...]
    description: str
    changes: tuple[str, ...]
    excludes: tuple[str, ...] = ()


def _m(name, families, description, changes, excludes=()) -> Mistake:
    fams = (families,) if isinstance(families, str) else tuple(families)
    return Mistake(name, fams, description, tuple(changes), tuple(excludes))


MISTAKES: dict[str, Mistake] = {
    m.name: m
    for m in (
        # --- backpropagation ---
        _m(
            "stale_weights",
            "backprop",
            "the hidden deltas were computed with the already-updated weights of the layer above",
            ("delta", "gradient", "update"),
        ),
        _m(
            "missing_fprime", "backprop", "the f'(z) factor was left out of the deltas", ("delta", "gradient", "update")
        ),
        _m(
            "no_transpose",
            "backprop",
            "W was used where its transpose belongs: w^(l+1)_ik instead of w^(l+1)_ki in the recursion",
            ("delta", "gradient", "update"),
        ),
        _m(
            "fprime_at_a",
            ("backprop", "activation"),
            "f' was evaluated at the activation a instead of the net input z (sigma(a)(1 - sigma(a)))",
            ("derivative", "delta", "gradient", "update"),
            excludes=("missing_fprime",),
        ),
        _m(
            "flipped_update",
            ("backprop", "perceptron"),
            "the update adds the gradient instead of subtracting it (theta <- theta + eta dJ/dtheta)",
            ("update",),
            excludes=("mixed_sign",),
        ),
        _m(
            "no_lr",
            ("backprop", "perceptron"),
            "the learning rate was left out of the update (theta <- theta - dJ/dtheta)",
            ("update",),
        ),
        _m(
            "bias_not_updated",
            ("backprop", "perceptron"),
            "the biases were left at their old values in the update",
            ("update",),
        ),
        _m(
            "mixed_sign",
            "backprop",
            "delta written as (t - o) f'(z) but the update still subtracts (w <- w - eta delta x): "
            "the two sign conventions mixed",
            ("delta", "gradient", "update"),
            excludes=("flipped_update",),
        ),
        # --- output sizes ---
        _m("missing_plus_one", "size", "forgot the + 1 in the output-size formula", ("size",)),
        _m("padding_once", "size", "added the padding once instead of on both sides (P instead of 2P)", ("size",)),
        _m("no_floor", "size", "did not round down when the stride does not divide evenly", ("size",)),
        _m("ignore_dilation", "size", "used the kernel size F instead of the dilated span D(F - 1) + 1", ("size",)),
        # --- feature maps and pooling ---
        _m(
            "flipped_filter",
            "feature_map",
            "convolved (filter rotated by 180 degrees) instead of cross-correlating as CNNs do",
            ("entry", "map", "terms"),
        ),
        _m(
            "max_for_avg",
            "pooling",
            "took the maximum of each window where the average was asked",
            ("entry", "map"),
            excludes=("avg_for_max",),
        ),
        _m(
            "avg_for_max",
            "pooling",
            "took the average of each window where the maximum was asked",
            ("entry", "map"),
            excludes=("max_for_avg",),
        ),
        # --- parameter counts ---
        _m("forgot_bias", "params", "left the biases out of the parameter count", ("count",)),
        _m(
            "forgot_depth",
            "params",
            "left the input depth out of a conv layer's parameters (P*U*V + P instead of P*D*U*V + P)",
            ("count",),
        ),
        _m(
            "connections_as_params",
            "params",
            "counted connections (one per output position) instead of shared parameters",
            ("count",),
        ),
        # --- computational graphs ---
        _m(
            "one_path_only",
            "graph",
            "followed only one path to a node that is reached by several, instead of adding them",
            ("adjoint", "gradient"),
        ),
        # --- activations ---
        _m(
            "fprime_form_at_z",
            "activation",
            "used the derivative's form in terms of a with z in its place (z(1 - z) for the sigmoid)",
            ("derivative",),
            excludes=("fprime_at_a",),
        ),
        # --- softmax with cross-entropy ---
        _m(
            "flipped_gradient",
            "softmax_ce",
            "wrote the gradient with respect to the logits as y - p instead of p - y",
            ("gradient",),
        ),
        _m(
            "logits_as_probabilities",
            "softmax_ce",
            "used the logits z in place of the softmax probabilities",
            ("loss", "gradient"),
            excludes=("flipped_gradient",),
        ),
        _m("log10", "softmax_ce", "took the logarithm in base 10 in the cross-entropy", ("loss",)),
    )
}


def mistakes_of(*families: str) -> list[Mistake]:
    """The mistakes that the computations of ``families`` accept, in registry order."""
    return [m for m in MISTAKES.values() if any(f in m.families for f in families)]


def resolve(mistakes: Iterable[str] | str | None, *families: str) -> frozenset[str]:
    """Check a set of mistake names against ``families``; the frozenset, or :class:`MistakeError`.

    A single name or a comma-separated string is accepted as well as any iterable.
    """
    if mistakes is None:
        return frozenset()
    names = [mistakes] if isinstance(mistakes, str) else list(mistakes)
    names = [s.strip() for n in names for s in str(n).split(",") if s.strip()]
    known = mistakes_of(*families)
    choices = ", ".join(m.name for m in known) or "none"
    for n in names:
        if n not in MISTAKES:
            raise MistakeError(
                f"unknown mistake {n[:40]!r}; the {'/'.join(families)} mistakes are: {choices}", param="mistakes"
            )
        if not any(f in MISTAKES[n].families for f in families):
            raise MistakeError(
                f"mistake {n!r} is one of {'/'.join(MISTAKES[n].families)}, not of "
                f"{'/'.join(families)}; choose from {choices}",
                param="mistakes",
            )
    out = frozenset(names)
    for n in sorted(out):
        clash = sorted(out & set(MISTAKES[n].excludes))
        if clash:
            raise MistakeError(f"mistakes {n!r} and {clash[0]!r} cannot be combined", param="mistakes")
    return out
