"""LaTeX renderers: a document, its body for pasting, beamer frames, and MathJax for Jupyter.

Everything compiles with plain ``pdflatex`` from texlive-latex-base (``amsmath``,
``longtable``, ``array``, ``T1`` fonts; Latin Modern where installed); beamer needs
texlive-latex-recommended. Prose is typeset, not escaped: the formulas inside a sentence or a
table cell (``J = ½ Σ_k (y_k - ŷ_k)²``, ``N_0 = 2``) go into math mode, and the rest stays
text in which ``--lr`` keeps both hyphens and ``->`` is an arrow.
"""

from __future__ import annotations

import math
import re
from typing import Any

from derive.render.printing import to_latex, to_text
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["PACKAGES", "prose_latex", "render_beamer", "render_latex", "render_latex_blocks", "render_mathjax"]

#: What the body needs in the preamble of the document it is pasted into.
PACKAGES = r"\usepackage[T1]{fontenc} \usepackage{amsmath} \usepackage{longtable} \usepackage{array}"

_PREAMBLE = [
    r"\documentclass{article}",
    r"\usepackage[T1]{fontenc}",
    r"\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}",
    r"\usepackage{amsmath}",
    r"\usepackage{longtable}",
    r"\usepackage{array}",
    r"\allowdisplaybreaks",
    r"\setlength{\emergencystretch}{3em}",  # a loose line rather than one into the margin
]

# --- prose: text with the formulas in it put into math mode ---

_GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "η": r"\eta",
    "θ": r"\theta",
    "λ": r"\lambda",
    "μ": r"\mu",
    "σ": r"\sigma",
    "Σ": r"\sum",
    "∂": r"\partial",
    "⊙": r"\odot",
    "·": r"\cdot",
    "×": r"\times",
    "≤": r"\le",
    "≥": r"\ge",
    "≠": r"\ne",
    "≈": r"\approx",
    "→": r"\to",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "∞": r"\infty",
    "√": r"\surd",
    "…": r"\ldots",
    "⋮": r"\vdots",
    "−": "-",
}
_MATH_ONLY = {"ŷ": r"\hat{y}", "½": r"\tfrac{1}{2}", "²": "^{2}"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ᴸˡᵀⁿ", "0123456789()+-LlTn"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗ", "0123456789ijkl"))
_NAMED_FUNCTIONS = {"exp", "log", "ln", "sin", "cos", "tan", "tanh", "max", "min"}

# What makes a word a formula: a Greek letter, a script, a subscript or power, an operator glyph.
_MATHY = set(_GREEK) - {"…", "−"} | set(_MATH_ONLY) | set(_SUPERSCRIPTS) | set(_SUBSCRIPTS) | set("_^=")
_OPERATORS = {"=", "+", "-", "−", "·", "×", "/", "<", ">", "≤", "≥", "->", "→", "*", "⊙"}
_NUMBER = re.compile(r"^[-−]?\d+(\.\d+)?(e[-+]?\d+)?(/\d+)?$")
_SINGLE = re.compile(r"^[A-Za-z]'?$")
_CALL = re.compile(r"^[A-Za-z]'?\(.+\)$")  # f(z), f'(z): a one-letter function applied
# fprime_at_a, leaky_relu, an answer line's step.dJ_dw2_1-1 (a hyphen only between digits): a name
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9.]+(_[A-Za-z0-9]+(-[0-9]+)*)+$")

_TEXT_CHARS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_\allowbreak{}",
    "{": r"\{",
    "}": r"\}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "…": r"\ldots{}",
    "−": "-",
    "–": "--",
    "—": "---",
}


def _split_punctuation(word: str) -> tuple[str, str]:
    """``(core, trail)``: sentence punctuation stays outside math (brackets belong to the formula)."""
    trail = ""
    while word and word[-1] in ".,;:!?" and not _NUMBER.match(word):
        trail, word = word[-1] + trail, word[:-1]
    return word, trail


def _kind(core: str) -> str:
    """``math`` (surely a formula), ``op``, ``num``, ``letter`` or ``word``."""
    if _CALL.match(core):
        return "math"
    core = core.strip("()[]")
    if not core or _IDENTIFIER.match(core):
        return "word"
    if core in _OPERATORS:
        return "op"
    if _NUMBER.match(core):
        return "num"
    if any(c in _MATHY for c in core) or _CALL.match(core):
        return "math"
    if _SINGLE.match(core):
        return "letter"
    return "word"


def _math_word(core: str) -> str:
    """One word of a formula, in LaTeX math."""
    out: list[str] = []
    scripts: set[str] = set()  # the scripts the current atom has: a second one starts a new atom

    def script(cmd: str, body: str) -> None:
        if cmd in scripts:
            out.append("{}")
            scripts.clear()
        scripts.add(cmd)
        out.append(cmd + "{" + body + "}")

    i = 0
    while i < len(core):
        c = core[i]
        for table, cmd in ((_SUPERSCRIPTS, "^"), (_SUBSCRIPTS, "_")):
            if c in table:
                j = i
                while j < len(core) and core[j] in table:
                    j += 1
                script(cmd, "".join(table[ch] for ch in core[i:j]))
                i = j
                break
        else:
            if c in ("^", "_") and i + 1 == len(core):
                out.append(r"\_" if c == "_" else r"\hat{}")
                i += 1
                continue
            if c in ("^", "_") and i + 1 < len(core):
                # ^(1), _k, _12, ^2: a script written in ASCII; braces keep it whole.
                j = i + 1
                if core[j] == "(":
                    j = core.find(")", j)
                    j = len(core) if j < 0 else j + 1
                else:
                    while j < len(core) and (core[j].isalnum() or core[j] == ","):
                        j += 1
                script(c, _math_word(core[i + 1 : j]))
                i = j
                continue
            if c == " ":  # TeX ignores it: a script after it would still be a second one
                out.append(c)
                i += 1
                continue
            scripts.clear()
            if c.isascii() and c.isalpha():
                j = i
                while j < len(core) and core[j].isascii() and core[j].isalpha():
                    j += 1
                word = core[i:j]
                if len(word) == 1:
                    out.append(word)
                elif word in _NAMED_FUNCTIONS:
                    out.append("\\" + word + " ")
                else:
                    out.append(r"\mathrm{" + word + "}")
                i = j
                continue
            if c in _GREEK:
                out.append(_GREEK[c] + " ")
            elif c in _MATH_ONLY:
                out.append(_MATH_ONLY[c])
            elif c in "&%$#{}":
                out.append("\\" + c)
            elif c == "\\":
                out.append(r"\backslash ")
            elif c == "~":
                out.append(r"\sim ")
            elif c.isascii():
                out.append(c)
            else:
                out.append(r"\text{" + _text(c) + "}")
            i += 1
    return "".join(out).replace("->", r"\to ")


_EXPONENT = re.compile(r"\de-\d")  # the hyphen of 1.7e-05 is part of a number


def _text(s: str) -> str:
    """Plain text for LaTeX's text mode: specials escaped, ``--`` kept as two hyphens."""
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "-" and s.startswith("->", i):
            out.append(r"\textrightarrow{}")
            i += 2
            continue
        if c == "-" and i + 1 < len(s) and s[i + 1] == "-":
            out.append("-{}")  # no en dash: --lr is an option name
        elif (
            c == "-"
            and 0 < i < len(s) - 1
            and s[i - 1].isalnum()
            and s[i + 1].isalnum()
            and not _EXPONENT.match(s, i - 2)
        ):
            out.append(r"-\allowbreak{}")  # codes and names like 0420-2007-BF6H may break after a hyphen
        elif c in _TEXT_CHARS:
            out.append(_TEXT_CHARS[c])
        elif c in _SUPERSCRIPTS or c in _SUBSCRIPTS or c in _GREEK or c in _MATH_ONLY:
            out.append("$" + _math_word(c) + "$")
        elif ord(c) < 128 or c in "éèàüöäçñ":
            out.append(c)
        else:
            out.append("?")
        i += 1
    return "".join(out)


def formula_words(s: str) -> list[tuple[str, bool]]:
    """The words of prose (split at single spaces), each marked: part of a formula or not.

    A formula is a run of words joined by operators that holds a formula word (a Greek letter,
    a script, ``_``, ``^``, ``=``) or relates two operands (``z > 0``); sentence punctuation
    ends it. ``0.29 -> 0.28`` is prose with an arrow.
    """
    parts = [_split_punctuation(w) for w in s.split(" ")]
    kinds = [_kind(core) for core, _ in parts]
    n = len(parts)
    joinable = {"math", "op", "num", "letter"}
    in_math = [False] * n
    i = 0
    while i < n:
        if kinds[i] not in joinable:
            i += 1
            continue
        j = i
        while j < n and kinds[j] in joinable:
            j += 1
            if parts[j - 1][1]:  # sentence punctuation ends a formula
                break
        a, b = i, j
        while a < b and kinds[a] == "op":  # a formula neither starts nor ends with an operator
            a += 1
        while b > a and kinds[b - 1] == "op":
            b -= 1
        # A lone letter joins a formula only through an operator ("a 2×2 window" is prose).
        while a < b and kinds[a] == "letter" and (a + 1 == b or kinds[a + 1] != "op"):
            a += 1
        while b > a and kinds[b - 1] == "letter" and (b - 2 < a or kinds[b - 2] != "op"):
            b -= 1
        run = kinds[a:b]
        # A number, a single letter or an operator is a formula only with a formula word, or
        # as a relation of at least two operands ("z > 0"), never an arrow between numbers.
        arrow = any(parts[m][0] in ("->", "→") for m in range(a, b))
        formula = "math" in run or (
            not arrow and "op" in run and len(run) >= 3 and run.count("letter") + run.count("num") >= 2
        )
        if formula:
            in_math[a:b] = [True] * (b - a)
        i = j
    return [(w, m) for w, m in zip(s.split(" "), in_math)]


def _spans(s: str) -> list[tuple[bool, str]]:
    """Split prose into ``(is_math, text)`` pieces: runs of formula words joined by operators."""
    words = formula_words(s)
    parts = [_split_punctuation(w) for w, _ in words]
    in_math = [m for _, m in words]
    out: list[tuple[bool, str]] = []
    for m, (core, trail) in enumerate(parts):
        sep = " " if m else ""
        if in_math[m] and m > 0 and in_math[m - 1] and not parts[m - 1][1]:
            out[-1] = (True, out[-1][1] + " " + core)
        elif in_math[m]:
            out.append((False, sep))
            out.append((True, core))
        else:
            out.append((False, sep + core))
        if trail:
            out.append((False, trail))
    merged: list[tuple[bool, str]] = []
    for is_math, t in out:
        if merged and not is_math and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + t)
        elif t:
            merged.append((is_math, t))
    return merged


def prose_latex(s: str) -> str:
    """A sentence for LaTeX's text mode, its formulas in ``$...$``."""
    return "".join("$" + _math_word(t) + "$" if is_math else _text(t) for is_math, t in _spans(s))


_MATHJAX_TEXT = str.maketrans({"&": "and", "%": " pct", "$": "", "#": "no.", "{": "(", "}": ")", "\\": "/"})


def _prose_mathjax(s: str, *, bold: bool = False) -> str:
    """A sentence for MathJax inside math mode: text in ``\\text{}``, formulas as they are."""
    out = []
    for is_math, t in _spans(s):
        if is_math:
            out.append(_math_word(t))
        elif t:
            out.append((r"\textbf{" if bold else r"\text{") + t.translate(_MATHJAX_TEXT) + "}")
    return "".join(out)


# --- cells, equations and tables ---


_SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([-+]?)0*(\d+)(?![\w.])")


def _scientific(latex: str) -> str:
    """``4.47943e-05`` as ``4.47943 \\times 10^{-5}`` (in math, ``e-05`` reads as a subtraction)."""
    return _SCIENTIFIC.sub(lambda m: m[1] + r" \times 10^{" + ("-" if m[2] == "-" else "") + m[3] + "}", latex)


def _cell_math(cell: Any, digits: int) -> str:
    if isinstance(cell, Math):
        return _scientific(cell.latex)
    return _scientific(to_latex(cell, digits))


def _cell_text_len(cell: Any, digits: int) -> int:
    """Roughly how many characters wide ``cell`` prints (for sizing tables)."""
    if isinstance(cell, str):
        return len(cell)
    if isinstance(cell, Math):
        text = cell.text
    else:
        try:
            text = to_text(cell, digits)
        except TypeError:
            text = str(cell)
    scripts = sum(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾ᴸˡᵀ₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ" for c in text) // 2
    spaced = sum(c in "·×=+−-→" for c in text)  # binary operators print with space around them
    return max(1, len(text) - scripts + spaced)


def _group(s: str, start: int) -> int:
    """The index just past the brace group that opens at ``s[start]``."""
    depth = 0
    for k in range(start, len(s)):
        depth += {"{": 1, "}": -1}.get(s[k], 0)
        if depth == 0:
            return k + 1
    return len(s)


def _slashed(latex: str) -> str:
    """``\\frac{\\partial J}{\\partial w}`` as ``\\partial J/\\partial w``: one line high, for table rows."""
    out, i = [], 0
    while (k := latex.find(r"\frac{\partial", i)) >= 0:
        a = k + len(r"\frac")
        b = _group(latex, a)
        if b >= len(latex) or latex[b] != "{":
            break
        c = _group(latex, b)
        out += [latex[i:k], latex[a + 1 : b - 1], "/", latex[b + 1 : c - 1]]
        i = c
    return "".join(out) + latex[i:]


def _cell(cell: Any, digits: int) -> str:
    if isinstance(cell, str):
        if _NUMBER.match(cell):  # a number: a minus sign, not a hyphen
            return "$" + _scientific(cell) + "$"
        return prose_latex(cell)
    return "$" + _slashed(_cell_math(cell, digits)) + "$"


def _split_long(latex: str, printed: int, width: int) -> list[str]:
    """A formula printed wider than ``width`` characters, cut before its ``+``/``-`` signs.

    ``\\left(``...``\\right)`` must close on the line it opens, so a long one becomes
    ``\\bigl(``...``\\bigr)``; cuts are made only outside braces.
    """
    if printed <= width or "matrix" in latex:
        return [latex]
    flat = re.sub(r"\\left([(\[|])", r"\\bigl\1", latex)
    flat = re.sub(r"\\right([)\]|])", r"\\bigr\1", flat)
    cuts, depth = [0], 0
    for k, c in enumerate(flat):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0 and k > 0 and flat.startswith((" + ", " - "), k):
            cuts.append(k)
    if len(cuts) == 1:  # nowhere to cut: as it was
        return [latex]
    chunks = [flat[a:b] for a, b in zip(cuts, [*cuts[1:], len(flat)])]
    scale = printed / max(len(flat), 1)  # printed characters per character of LaTeX
    lines = [""]
    for chunk in chunks:
        if lines[-1] and (len(lines[-1]) + len(chunk)) * scale > width:
            lines.append("")
        lines[-1] += chunk
    return [line.strip() for line in lines]


def _equation_lines(block: Equation, digits: int, *, width: int = 66) -> str:
    """One ``lhs &= a = b`` row of an ``align*``; a chain wider than ``width`` characters (as
    printed) goes one ``&= ...`` a line, and a part wider than that breaks before a ``+``/``-``."""
    sizes = [_cell_text_len(c, digits) for c in block.rhs]
    parts = [
        (r" \\" + "\n" + r" &\quad ").join(_split_long(_cell_math(r, digits), n, width - 8))
        for r, n in zip(block.rhs, sizes)
    ]
    printed = sum(_cell_text_len(c, digits) + 3 for c in [block.lhs, *block.rhs])
    printed += len(block.note) + 4 if block.note and len(block.note) <= 28 else 0
    lhs = _cell_math(block.lhs, digits)
    if printed > width and _cell_text_len(block.lhs, digits) > 16:
        # A long left side (a path J -> h -> ... -> w) on its own line, the chain indented below it.
        line = "& " + lhs + r" \\" + "\n" + r"&\qquad = " + (r" \\" + "\n" + r"&\qquad = ").join(parts)
    else:
        sep = r" \\" + "\n" + " &= " if printed > width and len(parts) > 1 else " = "
        line = lhs + " &= " + sep.join(parts)
    if block.note and len(block.note) <= 28:
        line += r" && \text{" + prose_latex(block.note) + "}"
    elif block.note:  # a sentence: below the chain, wrapped in its own box
        line += r" \\" + "\n" + r" &\qquad\parbox[t]{24em}{\small\raggedright " + prose_latex(block.note) + "}"
    return line


# Font sizes for a table, and the characters a line holds at each (article, 10pt: about 70).
_SIZES = [("", 60), (r"\small", 67), (r"\footnotesize", 75), (r"\scriptsize", 86), (r"\tiny", 104)]


def _layout(table: Table, digits: int, capacity_scale: float = 1.0) -> tuple[str, list[str]]:
    """A font size and column types so that ``table`` fits the text width."""
    ncols = len(table.columns)
    widths = [len(c) for c in table.columns]
    text_col = [True] * ncols
    for row in table.rows:
        for k, cell in enumerate(row[:ncols]):
            widths[k] = max(widths[k], _cell_text_len(cell, digits))
            text_col[k] = text_col[k] and isinstance(cell, str)
    # Prose columns may wrap (p{...}); formulas and numbers may not.
    wraps = [text_col[k] and widths[k] > 24 for k in range(ncols)]
    gap = 2.5  # \tabcolsep on both sides, in characters
    for size, capacity in _SIZES:
        capacity *= capacity_scale
        fixed = sum(w + gap for w, wrap in zip(widths, wraps) if not wrap)
        flexible = [w for w, wrap in zip(widths, wraps) if wrap]
        if fixed + sum(min(w, 18) + gap for w in flexible) <= capacity or size == _SIZES[-1][0]:
            # Each prose column gets its least width (18 characters, or less if shorter), then
            # the room left is shared in proportion to what each still lacks.
            base = [min(w, 18) for w in flexible]
            extra = max(capacity - fixed - gap * len(flexible) - sum(base), 0)
            lacking = [w - b for w, b in zip(flexible, base)]
            shares = iter([b + min(lack, extra * lack / (sum(lacking) or 1)) for b, lack in zip(base, lacking)])
            cols = ["l" if not wrap else f"p{{{max(int(next(shares) / 2), 1)}em}}" for wrap in wraps]
            return size, cols
    raise AssertionError("unreachable")


_STRUT = r"\rule[-7pt]{0pt}{19pt}"  # room above and below a stacked fraction


def _row(cells: list[str]) -> str:
    line = " & ".join(cells)
    if r"\frac" in line or r"\begin{bmatrix}" in line:
        line = _STRUT + line
    return line + r" \\"


def _table_lines(table: Table, digits: int, *, breakable: bool = True, capacity_scale: float = 1.0) -> list[str]:
    size, cols = _layout(table, digits, capacity_scale)
    header = _row([r"\textbf{" + prose_latex(c) + "}" if c else "" for c in table.columns])
    rows = [_row([_cell(c, digits) for c in row]) for row in table.rows]
    out: list[str] = []
    if table.title:
        out.append(r"\paragraph{" + prose_latex(table.title) + "}")
    spec = "@{}" + "".join(cols) + "@{}"
    if breakable:
        out += ["{" + size + r"\setlength{\extrarowheight}{2pt}"]
        out += [r"\begin{longtable}{" + spec + "}", header + r" \hline", r"\endfirsthead"]
        out += [header + r" \hline", r"\endhead"]
        out += rows
        out += [r"\end{longtable}}", ""]
    else:
        out += ["{" + size + r"\setlength{\extrarowheight}{2pt}", r"\begin{tabular}{" + spec + "}"]
        out += [header + r" \hline", *rows, r"\end{tabular}}", ""]
    return out


def _explicit(latex: str) -> str:
    """A sentence a report wrote in LaTeX itself; ``\\^{}`` there means a caret, which it is not
    in T1 fonts (a circumflex accent, ˆ in the PDF's text)."""
    return latex.replace(r"\^{}", r"\textasciicircum{}")


def _body(report: Report, digits: int) -> list[str]:
    out: list[str] = [r"\section*{" + prose_latex(report.title) + "}"]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.extend([r"\begin{align*}", " \\\\\n".join(pending), r"\end{align*}"])
            pending.clear()

    for block in report.blocks:
        if isinstance(block, Equation):
            pending.append(_equation_lines(block, digits))
            continue
        flush()
        if isinstance(block, Heading):
            cmd = r"\subsection*" if block.level <= 2 else r"\subsubsection*"
            out.append(cmd + "{" + prose_latex(block.text) + "}")
        elif isinstance(block, Para):
            out.append((_explicit(block.latex) if block.latex is not None else prose_latex(block.text)) + "\n")
        elif isinstance(block, Table):
            out += _table_lines(block, digits)
    flush()
    return out


def render_latex(report: Report, *, standalone: bool = True, digits: int = 6) -> str:
    """A LaTeX document (plain ``pdflatex``); ``standalone=False`` gives the body alone."""
    body = _body(report, digits)
    if standalone:
        return "\n".join([*_PREAMBLE, r"\begin{document}", *body, r"\end{document}"]) + "\n"
    head = ["% derive: a LaTeX body. The preamble needs: " + PACKAGES]
    return "\n".join(head + body) + "\n"


def render_latex_blocks(report: Report, *, digits: int = 6) -> str:
    """The report's blocks in LaTeX, with neither preamble nor the body's package comment: a piece
    of a longer document built elsewhere (the homework writer joins students' pieces)."""
    return "\n".join(_body(report, digits)) + "\n"


# --- beamer: the board derivation as slides ---

_FRAME_BUDGET = 14.0  # lines of \small text a 16:9 frame holds, roughly
_SLIDE_CHARS = 52  # characters of a formula a slide line holds (as _equation_lines breaks)


def _height(latex: str) -> float:
    """Lines of text a formula stands as tall as: a fraction or a matrix 2, big brackets 1.4."""
    if r"\frac" in latex or "matrix" in latex:
        return 2.0 if latex.count(r"\\") < 2 else 1.0 + 0.7 * latex.count(r"\\")
    return 1.4 if r"\left" in latex or r"\sum" in latex else 1.0


def _cost(block: Any, digits: int) -> float:
    """Roughly how many lines ``block`` takes on a slide (a stacked fraction counts double)."""
    if isinstance(block, Equation):
        cells = [block.lhs, *block.rhs]
        # A part cut before its + and - signs (as _equation_lines cuts it) takes a line per piece.
        pieces = [len(_split_long(_cell_math(c, digits), _cell_text_len(c, digits), _SLIDE_CHARS - 8)) for c in cells]
        heights = [_height(_cell_math(c, digits)) + 1.1 * (n - 1) for c, n in zip(cells, pieces)]
        printed = sum(_cell_text_len(c, digits) + 3 for c in cells)
        note = math.ceil(len(block.note) / 50) if block.note and len(block.note) > 28 else 0
        if printed <= _SLIDE_CHARS or len(cells) == 2:
            return 0.4 + max(heights) + note
        return 0.4 + sum([max(heights[:2]), *heights[2:]]) + note
    if isinstance(block, Para):
        return 0.3 + math.ceil(len(block.text) / 80)
    if isinstance(block, Heading):
        return 1.3
    if isinstance(block, Table):
        rows = sum(
            1.8 if any(r"\frac" in _cell_math(c, digits) for c in row if not isinstance(c, str)) else 1.1
            for row in block.rows
        )
        return 1.5 + rows
    return 1.0


def _frames(report: Report, digits: int) -> list[tuple[str, list[Any]]]:
    """Blocks grouped into frames: a new frame per section, and when a frame is full."""
    frames: list[tuple[str, list[Any]]] = []
    title, blocks, used = report.title, [], 0.0
    for block in report.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            if blocks:
                frames.append((title, blocks))
            title, blocks, used = block.text, [], 0.0
            continue
        if isinstance(block, Table) and len(block.rows) > 9:  # a long table over several frames
            for start in range(0, len(block.rows), 9):
                chunk = Table(block.columns, block.rows[start : start + 9], block.title if not start else None)
                if blocks:
                    frames.append((title, blocks))
                blocks, used = [chunk], _cost(chunk, digits)
            continue
        cost = _cost(block, digits)
        if blocks and used + cost > _FRAME_BUDGET:
            frames.append((title, blocks))
            blocks, used = [], 0.0
        blocks.append(block)
        used += cost
    if blocks:
        frames.append((title, blocks))
    # A continued section says so.
    seen: dict[str, int] = {}
    out = []
    for t, bs in frames:
        seen[t] = seen.get(t, 0) + 1
        out.append((t if seen[t] == 1 else t + " (cont.)", bs))
    return out


def render_beamer(report: Report, *, digits: int = 6) -> str:
    """Beamer slides: a frame per section, long sections and tables over several frames."""
    out = [
        r"\documentclass[aspectratio=169,11pt]{beamer}",
        r"\usepackage[T1]{fontenc}",
        r"\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}",
        r"\usepackage{amsmath}",
        r"\usepackage{array}",
        r"\setbeamertemplate{navigation symbols}{}",
        r"\title{" + prose_latex(report.title) + "}",
        r"\date{}",
        r"\begin{document}",
        r"\begin{frame}",
        r"\titlepage",
        r"\end{frame}",
    ]
    for title, blocks in _frames(report, digits):
        out += [r"\begin{frame}{" + prose_latex(title) + "}", r"\small"]
        equations: list[str] = []
        for block in [*blocks, None]:
            if isinstance(block, Equation):
                equations.append(_equation_lines(block, digits, width=_SLIDE_CHARS))
                continue
            if equations:
                out += [r"\begin{align*}", " \\\\\n".join(equations), r"\end{align*}"]
                equations = []
            if isinstance(block, Heading):
                out.append(r"\textbf{" + prose_latex(block.text) + r"}\par")
            elif isinstance(block, Para):
                out.append((_explicit(block.latex) if block.latex is not None else prose_latex(block.text)) + r"\par")
            elif isinstance(block, Table):
                out += _table_lines(block, digits, breakable=False, capacity_scale=1.25)
        out.append(r"\end{frame}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# --- MathJax (Jupyter's _repr_latex_): only what MathJax renders ---


def render_mathjax(report: Report, *, digits: int = 6) -> str:
    """``$$...$$`` displays MathJax renders: ``aligned`` for equations, ``array`` for tables.

    No ``\\section*`` and no ``tabular``: MathJax typesets math, not LaTeX documents.
    """
    out: list[str] = ["$$" + _prose_mathjax(report.title, bold=True) + "$$"]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(r"$$\begin{aligned}" + " \\\\ ".join(pending) + r"\end{aligned}$$")
            pending.clear()

    for block in report.blocks:
        if isinstance(block, Equation):
            line = _cell_math(block.lhs, digits) + " &= " + " = ".join(_cell_math(r, digits) for r in block.rhs)
            if block.note:
                line += r" && \text{(" + block.note.translate(_MATHJAX_TEXT) + ")}"
            pending.append(line)
            continue
        flush()
        if isinstance(block, Heading):
            out.append("$$" + _prose_mathjax(block.text, bold=True) + "$$")
        elif isinstance(block, Para):
            out.append("$$" + _prose_mathjax(block.text) + "$$")
        elif isinstance(block, Table):
            n = len(block.columns)
            rows = [" & ".join(_prose_mathjax(c, bold=True) for c in block.columns) + r" \\ \hline"]
            for row in block.rows:
                cells = [_prose_mathjax(c) if isinstance(c, str) else _cell_math(c, digits) for c in row]
                rows.append(" & ".join(cells) + r" \\")
            title = _prose_mathjax(block.title, bold=True) + r"\\" if block.title else ""
            out.append("$$" + title + r"\begin{array}{" + "l" * n + "}" + " ".join(rows) + r"\end{array}$$")
    flush()
    return "\n\n".join(out) + "\n"
