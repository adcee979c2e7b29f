"""A small, safe parser for the math people type: numbers, names, ``+ - * / ^ **``, calls.

Text never reaches ``eval``, ``exec`` or ``sympify``: a hand-written tokenizer and a
recursive-descent parser build a tiny syntax tree, and the tree is turned into SymPy
objects directly. Every input is bounded (length, nesting depth, digits of a literal,
size of numeric powers), so hostile text costs little and fails with one clear line::

    >>> parse_expression("3*(a + b*c)")
    3*a + 3*b*c
    >>> parse_expression("2x")
    Traceback (most recent call last):
    ...
    derive.errors.InputError: missing operator between '2' and 'x' at column 2 (write 2*x)

Grammar (``^`` and ``**`` are the same right-associative power; ``-x^2`` is ``-(x^2)``)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := ('+' | '-') unary | power
    power   := primary (('^' | '**') unary)?
    primary := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Decimals are exact: ``0.5`` is ``1/2`` and ``1e-3`` is ``1/1000``, so derivatives stay
exact. ``e`` and ``pi`` are the constants unless listed in ``variables``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy as sp

from derive.errors import InputError

__all__ = [
    "DEFAULT_CONSTANTS",
    "DEFAULT_FUNCTIONS",
    "MAX_BITS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_LATTICE_ARGS",
    "MAX_LENGTH",
    "MAX_SIZE",
    "Binary",
    "Call",
    "Num",
    "Tree",
    "Unary",
    "RING",
    "Var",
    "children",
    "nodes",
    "parse_expression",
    "parse_tree",
    "to_sympy",
]

MAX_LENGTH = 2000  # characters of input
MAX_DEPTH = 100  # nesting of parentheses, calls, unary signs and powers
MAX_EXPONENT = 1000  # |p| for a numeric exponent x^p (and for 1eP literals)
MAX_DIGITS = 30  # digits in one number literal
MAX_BITS = 14_000  # size of an exact constant the parser will build (4215 digits: Python prints up to 4300)
MAX_NAME = 40  # characters in one name
MAX_LATTICE_ARGS = 8  # arguments of max/min in one expression, altogether (SymPy's Max is slow)
MAX_SIZE = 4000  # nodes in any intermediate SymPy expression
# A number the expression computes (sin(exp(exp(20))), sqrt(2)^999^...) lies within 2^±MAX_BITS:
# SymPy compares and evaluates such numbers by raising its precision until it can tell, so a
# number 10^(10^8) costs it minutes. Each constant is first evaluated in floating point at
# _PREC bits (mpmath, whose exponents are unbounded) and refused before SymPy sees it.
_PREC = 64


@dataclass(frozen=True)
class _Fn:
    build: Callable[..., sp.Expr]
    min_args: int
    max_args: int | None  # None: any number >= min_args


def _activation(name: str) -> Callable[..., sp.Expr]:
    def build(*args):
        from derive import activations

        return getattr(activations, name)(*args)

    return build


DEFAULT_FUNCTIONS: dict[str, _Fn] = {
    "exp": _Fn(sp.exp, 1, 1),
    "log": _Fn(sp.log, 1, 1),
    "ln": _Fn(sp.log, 1, 1),
    "sqrt": _Fn(sp.sqrt, 1, 1),
    "sin": _Fn(sp.sin, 1, 1),
    "cos": _Fn(sp.cos, 1, 1),
    "tan": _Fn(sp.tan, 1, 1),
    "tanh": _Fn(sp.tanh, 1, 1),
    "sigmoid": _Fn(_activation("sigma"), 1, 1),
    "sigma": _Fn(_activation("sigma"), 1, 1),
    "relu": _Fn(_activation("relu"), 1, 1),
    "abs": _Fn(sp.Abs, 1, 1),
    "max": _Fn(sp.Max, 2, None),
    "min": _Fn(sp.Min, 2, None),
}
DEFAULT_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}


# --- syntax tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: sp.Rational
    col: int
    text: str


@dataclass(frozen=True)
class Var:
    name: str
    col: int


@dataclass(frozen=True)
class Const:
    """A named constant (``pi``, ``e``)."""

    name: str
    value: sp.Expr
    col: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Tree
    col: int


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "^"
    left: Tree
    right: Tree
    col: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Tree, ...]
    col: int


Tree = Num | Var | Const | Unary | Binary | Call


# --- tokenizer -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    # the course's stable names, e.g. w^(1)_1,2 and delta^(2)_1: the "_index" after "^(l)"
    # tells them from a power (x^(2) alone is x squared; ")_" is never valid otherwise)
    r"|(?P<stable>[A-Za-z][A-Za-z0-9]*\^\([0-9]{1,3}\)_[0-9]{1,4}(?:,[0-9]{1,4})*)"
    r"|(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),])",
    re.ASCII,
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num", "name", "op", "end"
    text: str
    col: int  # 1-based


def _tokenize(text: str, *, implicit_multiplication: bool = False) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise InputError(f"unexpected character {text[pos]!r} at column {pos + 1}")
        kind = m.lastgroup or ""
        if kind == "stable":
            kind = "name"
        if kind != "ws":
            tok = _Tok(kind, m.group(), pos + 1)
            prev = toks[-1] if toks else None
            if (
                not implicit_multiplication
                and prev is not None
                and prev.kind in ("num", "name")
                and kind in ("num", "name")
            ):
                raise InputError(
                    f"missing operator between {prev.text!r} and {tok.text!r} at column "
                    f"{tok.col} (write {prev.text}*{tok.text})"
                )
            toks.append(tok)
        pos = m.end()
    toks.append(_Tok("end", "", len(text) + 1))
    return toks


def _number(tok: _Tok, max_digits: int, max_exponent: int) -> sp.Rational:
    """An exact rational from a validated literal: ``0.25`` -> 1/4, ``2e3`` -> 2000."""
    mant, _, exp_text = tok.text.lower().partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    if len(digits) > max_digits:
        raise InputError(f"number {tok.text[:20]!r}... at column {tok.col} has more than {max_digits} digits")
    power = int(exp_text) if exp_text else 0
    if abs(power) > max_exponent:
        raise InputError(f"number {tok.text!r} at column {tok.col}: exponent {power} is beyond ±{max_exponent}")
    value = sp.Rational(int(whole + frac or "0"), 10 ** len(frac))
    return value * sp.Rational(10) ** power


# --- parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(
        self,
        text,
        *,
        variables,
        functions,
        constants,
        max_depth,
        max_digits,
        max_exponent,
        implicit_multiplication=False,
    ):
        self.toks = _tokenize(text, implicit_multiplication=implicit_multiplication)
        self.implicit = implicit_multiplication
        self.i = 0
        self.depth = 0
        self.variables = variables
        self.functions = functions
        self.constants = {k: v for k, v in constants.items() if not variables or k not in variables}
        self.max_depth = max_depth
        self.max_digits = max_digits
        self.max_exponent = max_exponent
        self.lattice_args = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise InputError(f"expression nests deeper than {self.max_depth} levels at column {col}")

    def parse(self) -> Tree:
        if self.tok.kind == "end":
            raise InputError("empty expression: type a formula such as 3*(a + b*c)")
        tree = self.expr()
        t = self.tok
        if t.kind != "end":
            raise InputError(f"unexpected {t.text!r} at column {t.col}")
        return tree

    def expr(self) -> Tree:
        left = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take()
            left = Binary(op.text, left, self.term(), op.col)
        return left

    def term(self) -> Tree:
        left = self.unary()
        after_division = False
        while True:
            t = self.tok
            if t.kind == "op" and t.text in ("*", "/"):
                op = self.take()
                left = Binary(op.text, left, self.unary(), op.col)
                after_division = op.text == "/"
            elif self.implicit and self.juxtaposed():
                if after_division:  # 1/2x: (1/2)*x or 1/(2*x)? Say so rather than guess.
                    raise InputError(f"ambiguous product at column {t.col} after a division: write (a/b)*c or a/(b*c)")
                left = Binary("*", left, self.power(), t.col)
            else:
                return left

    def juxtaposed(self) -> bool:
        """Implicit multiplication: a name or '(' right after a factor (2x, 2(x+1), (a)(b), (a+b)c, 2 x).

        A number after a factor (x 2, (a)2, 2 3) is refused: that is x^2 or a typo as often as a product."""
        t, prev = self.tok, self.toks[self.i - 1]
        if t.kind == "num":
            if prev.kind in ("num", "name") or prev.text == ")":
                raise InputError(f"missing operator between {prev.text!r} and {t.text!r} at column {t.col}")
            return False
        return t.kind == "name" or (t.kind == "op" and t.text == "(")

    def unary(self) -> Tree:
        t = self.tok
        if t.kind == "op" and t.text in "+-":
            self.take()
            self.enter(t.col)
            operand = self.unary()
            self.depth -= 1
            return Unary(t.text, operand, t.col)
        return self.power()

    def power(self) -> Tree:
        base = self.primary()
        t = self.tok
        if t.kind == "op" and t.text in ("^", "**"):
            self.take()
            self.enter(t.col)
            exponent = self.unary()
            self.depth -= 1
            return Binary("^", base, exponent, t.col)
        return base

    def primary(self) -> Tree:
        t = self.take()
        if t.kind == "num":
            return Num(_number(t, self.max_digits, self.max_exponent), t.col, t.text)
        if t.kind == "name":
            return self.name(t)
        if t.kind == "op" and t.text == "(":
            self.enter(t.col)
            inner = self.expr()
            self.close(t)
            self.depth -= 1
            return inner
        if t.kind == "end":
            raise InputError(f"unexpected end of expression at column {t.col}: expected a number, a name or '('")
        raise InputError(f"unexpected {t.text!r} at column {t.col}")

    def close(self, opening: _Tok) -> None:
        t = self.tok
        if t.kind == "op" and t.text == ")":
            self.take()
            return
        if t.kind == "end":
            raise InputError(f"missing ')' for the '(' at column {opening.col}")
        raise InputError(
            f"unexpected {t.text!r} at column {t.col}: expected ')' (to close the '(' at column {opening.col})"
        )

    def name(self, t: _Tok) -> Tree:
        name = t.text
        if len(name) > MAX_NAME:
            raise InputError(f"name {name[:20]!r}... at column {t.col} is longer than {MAX_NAME} characters")
        is_call = self.tok.kind == "op" and self.tok.text == "("
        if is_call:
            if name not in self.functions:
                is_value = name in self.constants or (self.variables is not None and name in self.variables)
                if is_value and self.implicit:  # a(1-a) with a declared: a product, read by term()
                    return Const(name, self.constants[name], t.col) if name in self.constants else Var(name, t.col)
                if is_value:
                    raise InputError(f"{name!r} at column {t.col} is not a function; for a product write {name}*(...)")
                raise InputError(
                    f"unknown function {name!r} at column {t.col} (known: {', '.join(sorted(self.functions))})"
                )
            return self.call(t)
        if name in self.functions and (self.variables is None or name not in self.variables):
            raise InputError(f"function {name!r} at column {t.col} needs its argument in parentheses: {name}(...)")
        if name in self.constants:
            return Const(name, self.constants[name], t.col)
        if self.variables is not None and name not in self.variables:
            known = ", ".join(sorted(self.variables)) or "none"
            raise InputError(f"unknown variable {name!r} at column {t.col} (known: {known})")
        return Var(name, t.col)

    def call(self, fname: _Tok) -> Tree:
        opening = self.take()
        self.enter(opening.col)
        args = [self.expr()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.take()
            args.append(self.expr())
        self.close(opening)
        self.depth -= 1
        fn = self.functions[fname.text]
        n = len(args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = (
                str(fn.min_args)
                if fn.max_args == fn.min_args
                else f"at least {fn.min_args}"
                if fn.max_args is None
                else f"{fn.min_args} to {fn.max_args}"
            )
            raise InputError(
                f"{fname.text}() at column {fname.col} takes {want} argument{'' if want == '1' else 's'}, got {n}"
            )
        if fname.text in ("max", "min"):
            self.lattice_args += n
            if self.lattice_args > MAX_LATTICE_ARGS:
                raise InputError(
                    f"{fname.text}() at column {fname.col}: max and min take at most "
                    f"{MAX_LATTICE_ARGS} arguments in one expression, altogether"
                )
        return Call(fname.text, tuple(args), fname.col)


def parse_tree(
    text: str,
    *,
    variables: set[str] | None = None,
    functions: dict[str, _Fn] = DEFAULT_FUNCTIONS,
    constants: dict[str, sp.Expr] = DEFAULT_CONSTANTS,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    max_exponent: int = MAX_EXPONENT,
    implicit_multiplication: bool = False,
) -> Tree:
    """The syntax tree of ``text`` (as typed: ``-(w*x+b)`` stays a negation of a sum).

    With ``implicit_multiplication`` a factor right after another is a product (``2x``,
    ``2(x+1)``, ``(a)(b)``, ``a(1-a)`` for a declared variable ``a``); a function name
    followed by ``(`` is still a call."""
    if not isinstance(text, str):
        raise InputError(f"expression must be text, not {type(text).__name__}")
    if len(text) > max_length:
        raise InputError(f"expression is {len(text)} characters long; the limit is {max_length}")
    return _Parser(
        text,
        variables=variables,
        functions=functions,
        constants=constants,
        max_depth=max_depth,
        max_digits=max_digits,
        max_exponent=max_exponent,
        implicit_multiplication=implicit_multiplication,
    ).parse()


def _bits(value: sp.Expr) -> int:
    if value.is_Rational:
        return max(abs(value.p).bit_length(), abs(value.q).bit_length())
    return 0


def _guard_exp(arg: sp.Expr, col: int, max_exponent: int) -> None:
    """SymPy turns exp(k*log(3)) into 3**k at once: refuse a huge k before it tries."""
    if arg.has(sp.log) and any(abs(r) > max_exponent for r in arg.atoms(sp.Rational)):
        raise InputError(
            f"exponential at column {col}: a number next to log() in its exponent is larger than ±{max_exponent}"
        )


def _check_size(out: sp.Expr, col: int, max_exponent: int) -> None:
    """Every intermediate stays small: at most MAX_SIZE nodes, exact numbers of at most MAX_BITS
    bits, and merged exponents ((x^1000)^1000 is x^1000000) within ±max_exponent, at any depth."""
    for count, sub in enumerate(sp.preorder_traversal(out)):
        if count >= MAX_SIZE:
            raise InputError(f"the expression grows past {MAX_SIZE} parts at column {col}")
        if sub.is_Rational and _bits(sub) > MAX_BITS:
            raise InputError(f"a number in the expression (at column {col}) has more than {MAX_BITS} bits")
        if sub.is_Pow and sub.exp.is_Rational and abs(sub.exp) > max_exponent:
            raise InputError(f"the power at column {col} makes an exponent larger than ±{max_exponent}")


def _pow_bits(base: sp.Expr, p: sp.Rational) -> int:
    """An upper estimate of the bits of the exact numbers SymPy builds for ``base**p``: it raises
    a number, a numeric power (sqrt(2)^999) and each such factor of a product to ``p`` at once."""
    if base.is_Rational:
        return _bits(base) * abs(p)
    if base.is_Pow and base.base.is_Rational and base.exp.is_Rational:
        return _bits(base.base) * abs(base.exp * p)
    if base.is_Mul:
        return sum(_pow_bits(f, p) for f in base.args)
    return 0


def _pow_limits(base: sp.Expr, exponent: sp.Expr, col: int, max_exponent: int) -> None:
    """The exact checks of a power, before anything is computed."""
    if base.is_number and base != sp.E and not exponent.is_number:
        # 10^616^(10^1000 + a): SymPy splits off and compares the constant part of the exponent
        if any(abs(r) > max_exponent for r in exponent.atoms(sp.Rational)):
            raise InputError(f"the power at column {col}: a number in its exponent is larger than ±{max_exponent}")
    if exponent.is_Rational:
        if abs(exponent) > max_exponent:
            raise InputError(f"exponent at column {col} is larger than ±{max_exponent}")
        if _pow_bits(base, exponent) > MAX_BITS:
            raise InputError(f"the power at column {col} is a number with more than {MAX_BITS} bits")


def _checked_pow(base: sp.Expr, exponent: sp.Expr, col: int, max_exponent: int) -> sp.Expr:
    _pow_limits(base, exponent, col, max_exponent)
    if base == sp.E:
        _guard_exp(exponent, col, max_exponent)
    if base == 0 and exponent.is_number and exponent.is_negative:
        raise InputError(f"division by zero at column {col}")
    return sp.Pow(base, exponent)


# --- a floating-point shadow of every constant --------------------------------------------------

_LIMIT = mpmath.mpf(2) ** MAX_BITS
_EXP_LIMIT = MAX_BITS * mpmath.log(2)  # exp(x) within 2^±MAX_BITS


def _show(x) -> str:
    return mpmath.nstr(x, 3, min_fixed=-3, max_fixed=4)


def _magnitude(x) -> mpmath.mpf:
    return abs(x) if not isinstance(x, mpmath.mpc) else max(abs(x.real), abs(x.imag))


def _shadow(node: Tree, vals: list, col: int):
    """The value of a constant node in floating point (mpmath at _PREC bits), or an InputError
    when it, or an argument SymPy would have to evaluate exactly, lies beyond 2^±MAX_BITS.
    Returns None where floating point cannot tell (a complex max(), 1/0 left to SymPy)."""
    if isinstance(node, Unary):
        return -vals[0] if node.op == "-" else vals[0]
    if isinstance(node, Binary):
        a, b = vals
        if node.op in RING:
            return RING[node.op](a, b)
        if node.op == "/":
            if b == 0:
                raise InputError(f"division by zero at column {col}")
            return a / b
        if a == 0:  # 0^p
            if b == 0:
                return mpmath.mpf(1)
            if b < 0:
                raise InputError(f"division by zero at column {col}")
            return mpmath.mpf(0)
        scale = b * mpmath.log(a) / mpmath.log(2)  # log2 of a^b
        if _magnitude(scale) > MAX_BITS:
            raise InputError(f"the power at column {col} is about 2^{_show(mpmath.re(scale))}; beyond 2^±{MAX_BITS}")
        return mpmath.power(a, b)
    assert isinstance(node, Call)
    name = node.name
    x = vals[0]
    if name in ("sin", "cos", "tan", "sqrt", "log", "ln", "tanh", "sigma", "sigmoid", "exp"):
        if name in ("exp", "sigma", "sigmoid", "tanh") and _magnitude(x) > _EXP_LIMIT:
            raise InputError(
                f"{name}() at column {col}: its argument is about {_show(x)}; "
                f"arguments beyond ±{int(_EXP_LIMIT)} (results beyond 2^±{MAX_BITS}) are refused"
            )
        if name == "log" or name == "ln":
            if x == 0:
                raise InputError(f"log(0) at column {col} is undefined")
            return mpmath.log(x)
        if name in ("sigma", "sigmoid"):
            return 1 / (1 + mpmath.exp(-x))
        return getattr(mpmath, name)(x)
    if name == "abs":
        return abs(x)
    if name == "relu":
        return max(x, 0)
    return (max if name == "max" else min)(vals)


def _check_shadow(value, col: int):
    """The value as a real mpf, or an InputError if it is not finite, not real or beyond 2^±MAX_BITS."""
    if value is None:
        return None
    if not mpmath.isfinite(value):
        raise InputError(f"the value at column {col} is undefined or infinite")
    if isinstance(value, mpmath.mpc):
        # log or sqrt of a negative number, a negative number to a fractional power: SymPy's
        # questions about complex constants (is abs() of it positive?) can run for minutes
        if abs(value.imag) > 1e-9 * max(1, abs(value.real)):
            raise InputError(f"the value at column {col} is a complex number (about {_show(value)}); only real ones")
        value = value.real
    size = _magnitude(value)
    if size > _LIMIT or 0 < size < 1 / _LIMIT:
        raise InputError(f"a number at column {col} is about {_show(value)}, beyond 2^±{MAX_BITS}")
    return value


def to_sympy(tree: Tree, *, functions: dict[str, _Fn] = DEFAULT_FUNCTIONS, max_exponent: int = MAX_EXPONENT) -> sp.Expr:
    """The SymPy expression of a syntax tree (an explicit stack: deep chains cannot overflow).

    The work is bounded: every intermediate is checked by :func:`_check_size`, and every constant
    part is first evaluated in floating point (:func:`_shadow`), so that SymPy is never handed a
    number whose comparison or evaluation would need unbounded precision."""
    from derive.notation import sym

    done: dict[int, sp.Expr] = {}
    approx: dict[int, object] = {}  # id -> mpmath value of a constant node (None: not constant)
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    with mpmath.workprec(_PREC):
        while stack:
            node, ready = stack.pop()
            if isinstance(node, Num):
                done[id(node)] = node.value
                approx[id(node)] = mpmath.mpf(node.value.p) / node.value.q
                continue
            if isinstance(node, Var):
                done[id(node)] = sym(node.name)
                approx[id(node)] = None
                continue
            if isinstance(node, Const):
                done[id(node)] = node.value
                approx[id(node)] = {"pi": mpmath.pi, "e": mpmath.e}.get(node.name) if node.value.is_number else None
                continue
            kids = _children(node)
            if not ready:
                stack.append((node, True))
                stack.extend((k, False) for k in kids)
                continue
            shadows = [approx[id(k)] for k in kids]
            vals = [done[id(k)] for k in kids]
            if isinstance(node, Binary) and node.op == "^":
                _pow_limits(vals[0], vals[1], node.col, max_exponent)
            value = None
            if not any(v is None for v in shadows) and (not isinstance(node, Call) or node.name in _SHADOWED):
                value = _check_shadow(_shadow(node, [+v for v in shadows], node.col), node.col)
            approx[id(node)] = value
            try:
                out = _combine(node, vals, functions, max_exponent)
            except InputError:
                raise
            except (ValueError, TypeError, ArithmeticError, NotImplementedError) as exc:
                # SymPy refusing a combination, e.g. max() of a complex number
                what = f"{node.name}()" if isinstance(node, Call) else f"'{node.op}'"
                reason = " ".join(str(exc).split())[:120] or type(exc).__name__
                raise InputError(f"cannot build {what} at column {node.col}: {reason}") from None
            done[id(node)] = out
            _check_size(out, node.col, max_exponent)
    return done[id(tree)]


#: Functions the shadow knows; a caller's own function of constants is left to SymPy.
_SHADOWED = frozenset(DEFAULT_FUNCTIONS)


#: The operators that are the same for every kind of number (SymPy, mpmath, float).
RING = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def children(node: Tree) -> tuple[Tree, ...]:
    """The operands of a node, in the order typed (none for a number, name or constant)."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def nodes(tree: Tree) -> list[Tree]:
    """Every node of a tree (a parent before its operands; an explicit stack, no recursion)."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children(node))
    return out


_children = children


def _combine(node: Tree, vals: list[sp.Expr], functions: dict[str, _Fn], max_exponent: int) -> sp.Expr:
    if isinstance(node, Unary):
        return -vals[0] if node.op == "-" else vals[0]
    if isinstance(node, Call):
        if node.name == "exp":
            _guard_exp(vals[0], node.col, max_exponent)
        return functions[node.name].build(*vals)
    assert isinstance(node, Binary)
    a, b = vals
    if node.op in RING:
        return RING[node.op](a, b)
    if node.op == "/":
        if b == 0:
            raise InputError(f"division by zero at column {node.col}")
        return a / b
    return _checked_pow(a, b, node.col, max_exponent)


def parse_expression(
    text: str,
    *,
    variables: set[str] | None = None,
    functions: dict[str, _Fn] = DEFAULT_FUNCTIONS,
    constants: dict[str, sp.Expr] = DEFAULT_CONSTANTS,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    max_exponent: int = MAX_EXPONENT,
) -> sp.Expr:
    """Parse ``text`` into a SymPy expression, or raise :class:`InputError` naming the column.

    Args:
        text: the formula, e.g. ``"1/(1 + exp(-(w*x + b)))"``.
        variables: the names allowed as variables (``None``: any name that is not a function).
        functions: the whitelist of callable names (``DEFAULT_FUNCTIONS``).
        constants: named constants (``pi``, ``e``); a name in ``variables`` wins.
        max_length, max_depth, max_digits, max_exponent: the bounds on the work done.
    """
    tree = parse_tree(
        text,
        variables=variables,
        functions=functions,
        constants=constants,
        max_length=max_length,
        max_depth=max_depth,
        max_digits=max_digits,
        max_exponent=max_exponent,
    )
    return to_sympy(tree, functions=functions, max_exponent=max_exponent)
