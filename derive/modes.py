"""Which parameters go together: the modes of each computation, decided in one place.

``derive conv`` works out an output size from sizes, or a feature map from an image and
filters; ``derive pool`` likewise; ``derive params`` counts an architecture or prints a layer
kind's formulas; ``derive graph`` runs reverse mode, or forward mode for one variable. The
command line and the exercise bank both ask these functions, which speak of parameters (the
CLI prints them as its flags) and raise :class:`~derive.errors.InputError` for a combination
that does not make sense.

    >>> conv_mode(input_shape="32", kernel="5")
    'size'
    >>> graph_mode(mode="forward", wrt="a", at="a=1")
    'forward'
"""

from __future__ import annotations

from derive.errors import InputError

__all__ = ["conv_mode", "graph_mode", "numbers_source", "params_mode", "pool_mode"]


def _given(**params) -> list[str]:
    return [name for name, value in params.items() if value not in (None, False, 0, (), [])]


def conv_mode(
    *,
    input_shape=None,
    kernel=None,
    filters=None,
    image=None,
    filter=None,  # noqa: A002
    bias=None,
    at=None,
) -> str:
    """``"size"`` (``input_shape`` and ``kernel``, optional ``filters``) or ``"map"`` (``image``
    and ``filter``, optional ``bias`` and ``at``)."""
    size_params = _given(input_shape=input_shape, kernel=kernel, filters=filters)
    map_params = _given(image=image, filter=filter, bias=bias, at=at)
    if map_params and size_params:
        raise InputError(
            "a size-mode setting; it does not go with the image and filter of map mode "
            "(give either the input size and kernel, or an image and filters)",
            param=size_params[0],
        )
    if map_params:
        missing = [p for p in ("image", "filter") if p not in map_params]
        if missing:
            raise InputError("missing: map mode needs an image and at least one filter", param=missing[0])
        return "map"
    missing = [p for p in ("input_shape", "kernel") if p not in size_params]
    if missing:
        raise InputError(
            "missing: size mode needs the input size and the kernel (map mode: an image and a filter)", param=missing[0]
        )
    return "size"


def pool_mode(*, image=None, input_shape=None, padding=0, ceil=False) -> str:  # noqa: ARG001 - both modes
    """``"map"`` (``image``) or ``"size"`` (``input_shape``); ``padding`` and ``ceil`` go with either."""
    if image is not None:
        extra = _given(input_shape=input_shape)
        if extra:
            raise InputError(
                "belongs to size mode (input_shape); map mode takes image, size, stride, padding, ceil, mode, at",
                param=extra[0],
            )
        return "map"
    if input_shape is None:
        raise InputError("missing: give an input size (size mode) or an image (map mode)", param="input_shape")
    return "size"


def params_mode(*, arch=None, symbolic=None) -> str:
    """``"arch"`` (count an architecture) or ``"symbolic"`` (one layer kind's formulas)."""
    if symbolic is not None:
        if arch is not None:
            raise InputError("give an architecture or a layer kind for formulas, not both", param="symbolic")
        return "symbolic"
    if arch is None:
        raise InputError(
            "give an architecture (lenet5, vgg16, 3-4-2, a spec or a YAML file) or a layer kind for formulas (conv)",
            param="arch",
        )
    return "arch"


def graph_mode(*, mode: str = "reverse", wrt=None, at=None) -> str:
    """``"reverse"`` (every adjoint) or ``"forward"`` (also the tangents for ``wrt``)."""
    name = (mode or "reverse").strip().lower()
    if name not in ("reverse", "forward"):
        raise InputError(f"{mode[:20]!r} is not a mode; choose reverse or forward", param="mode")
    if name == "forward" and wrt is None:
        raise InputError("forward mode needs the input variable to differentiate by", param="wrt")
    if name == "reverse" and wrt is not None:
        raise InputError("goes with forward mode (reverse mode gives every dJ/dx)", param="wrt")
    if at is None:
        raise InputError("missing: give the point, a value for every variable, e.g. a=5,b=3,c=2", param="at")
    return name


def numbers_source(*, values=None, seed=None) -> str | None:
    """Where a derivation's numbers come from: ``"values"``, ``"seed"`` or None (symbols only)."""
    if values is not None and seed is not None:
        raise InputError("give either values or a seed, not both", param="seed")
    if seed is not None and not (0 <= seed < 2**32):
        raise InputError(f"{seed}: a seed is a whole number from 0 to 2^32 - 1", param="seed")
    return "values" if values is not None else ("seed" if seed is not None else None)
