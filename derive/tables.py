"""Published tables the package transcribes once (math, engine and tests read them from here).

LeNet-5's Table I: LeCun, Bottou, Bengio and Haffner (1998), "Gradient-based learning applied
to document recognition", Proc. IEEE 86(11), p. 2284: which S2 maps each C3 map reads.
"""

from __future__ import annotations

__all__ = ["LENET5_TABLE_I", "c3_inputs"]

# LeCun et al. 1998, Table I: row i = S2 map i, column j = C3 map j; X = "C3 map j reads S2 map i".
LENET5_TABLE_I = (
    "X   XXX  XXXX XX",
    "XX   XXX  XXXX X",
    "XXX   XXX  X XXX",
    " XXX  XXXX  X XX",
    "  XXX  XXXX XX X",
    "   XXX  XXXX XXX",
)


def c3_inputs() -> tuple[tuple[int, ...], ...]:
    """For each C3 map, the S2 maps it reads (read off Table I)."""
    return tuple(
        tuple(i for i, row in enumerate(LENET5_TABLE_I) if row[j] == "X") for j in range(len(LENET5_TABLE_I[0]))
    )
