"""A safe formula f(phi0, phi1) typed by a user: parsed, checked, evaluated with exact derivatives.

The text is parsed by ``ast.parse(mode="eval")`` and accepted only when every node is on an
allow-list: numbers, the two variables, ``pi`` and ``e``, ``+ - * / **``, unary signs and calls
of one argument to the functions of ``FUNCTIONS``. Caps on length, node count, nesting depth
and constant exponents are all checked before anything is evaluated. Nothing the user typed
ever reaches eval, exec or compile: the checked tree is turned into NumPy closures, once for
values and once for second-order jets (value, gradient, Hessian) that give the exact gradient
and Hessian by forward-mode differentiation (landscapes/jet.py). Pure Python and NumPy.
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from landscapes import jet as jets
from landscapes.jet import Jet

MAX_LENGTH = 500
MAX_NODES = 300
MAX_DEPTH = 50
MAX_EXPONENT = 64.0

VARIABLES = {"x": 0, "y": 1, "phi0": 0, "phi1": 1}
CONSTANTS = {"pi": math.pi, "e": math.e}

# The few non-ASCII spellings accepted, each replaced before parsing. Every other non-ASCII
# character is refused: Python folds lookalikes (fullwidth or mathematical letters) into
# ASCII names by NFKC, so they could smuggle a name past a reader; here they never get that far.
_SPELLINGS = {
    "φ₀": "phi0",
    "φ₁": "phi1",
    "ϕ₀": "phi0",
    "ϕ₁": "phi1",
    "φ0": "phi0",
    "φ1": "phi1",
    "ϕ0": "phi0",
    "ϕ1": "phi1",
    "π": "pi",
    "−": "-",  # the minus sign
    "×": "*",
    "·": "*",
}


def _jet_pow(a: Jet, b: Jet) -> Jet:
    """a ** b with a variable exponent: exp(b log a), defined where a > 0."""
    return JET_FUNCTIONS["exp"](jets.mul(b, JET_FUNCTIONS["log"](a)))


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def _softplus(u):
    return np.logaddexp(0.0, u)


class Function(NamedTuple):
    value: Callable  # u -> f(u)
    d1: Callable  # u -> f'(u)
    d2: Callable  # u -> f''(u)
    latex: str  # \sin, or a template with {} for the argument


FUNCTIONS: dict[str, Function] = {
    "sin": Function(np.sin, np.cos, lambda u: -np.sin(u), r"\sin"),
    "cos": Function(np.cos, lambda u: -np.sin(u), lambda u: -np.cos(u), r"\cos"),
    "tan": Function(
        np.tan, lambda u: 1 / np.cos(u) ** 2, lambda u: 2 * np.tan(u) / np.cos(u) ** 2, r"\tan"
    ),
    "exp": Function(np.exp, np.exp, np.exp, r"\exp"),
    "log": Function(np.log, lambda u: 1 / u, lambda u: -1 / (u * u), r"\log"),
    "log1p": Function(
        np.log1p, lambda u: 1 / (1 + u), lambda u: -1 / (1 + u) ** 2, r"\log\left(1+{}\right)"
    ),
    "sqrt": Function(
        np.sqrt, lambda u: 0.5 / np.sqrt(u), lambda u: -0.25 / (u * np.sqrt(u)), r"\sqrt{{{}}}"
    ),
    "abs": Function(np.abs, np.sign, lambda u: np.zeros_like(u), r"\left|{}\right|"),
    "tanh": Function(
        np.tanh,
        lambda u: 1 - np.tanh(u) ** 2,
        lambda u: -2 * np.tanh(u) * (1 - np.tanh(u) ** 2),
        r"\tanh",
    ),
    "sinh": Function(np.sinh, np.cosh, np.sinh, r"\sinh"),
    "cosh": Function(np.cosh, np.sinh, np.cosh, r"\cosh"),
    "arctan": Function(
        np.arctan, lambda u: 1 / (1 + u * u), lambda u: -2 * u / (1 + u * u) ** 2, r"\arctan"
    ),
    "arcsinh": Function(
        np.arcsinh,
        lambda u: 1 / np.sqrt(1 + u * u),
        lambda u: -u / (1 + u * u) ** 1.5,
        r"\operatorname{arsinh}",
    ),
    "sigmoid": Function(
        _sigmoid,
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)),
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)) * (1 - 2 * _sigmoid(u)),
        r"\sigma",
    ),
    "softplus": Function(
        _softplus,
        _sigmoid,
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)),
        r"\operatorname{softplus}",
    ),
}
JET_FUNCTIONS = {name: jets.unary(f.value, f.d1, f.d2) for name, f in FUNCTIONS.items()}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_VALUE_OPS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_JET_OPS = {
    ast.Add: jets.add,
    ast.Sub: jets.sub,
    ast.Mult: jets.mul,
    ast.Div: jets.div,
    ast.Pow: _jet_pow,
}


# ----- checking the text and the tree -------------------------------------------------------


def _normalise(text: str) -> tuple[str, list[int]]:
    """ASCII text to parse, and for each of its characters the column (0-based) it came from."""
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        for spelling, replacement in _SPELLINGS.items():
            if text.startswith(spelling, i):
                out.append(replacement)
                origin.extend([i] * len(replacement))
                i += len(spelling)
                break
        else:
            ch = text[i]
            if ch in "\t\n\r":
                ch = " "  # a formula is one line: other whitespace counts as a space
            if not (" " <= ch <= "~"):
                name = unicodedata.name(ch, "a control character")
                hint = " (write φ₀ and φ₁ as x and y, or phi0 and phi1)" if ch in "φϕ" else ""
                raise ValueError(
                    f"character {ch!r} (U+{ord(ch):04X}, {name}) at column {i + 1} is not "
                    f"allowed: type the formula in plain ASCII{hint}"
                )
            out.append(ch)
            origin.append(i)
            i += 1
    return "".join(out), origin


def _describe(node: ast.AST, source: str) -> str:
    piece = ast.get_source_segment(source, node) or type(node).__name__
    if len(piece) > 40:
        piece = piece[:37] + "..."
    return f"`{piece}`"


class _Checker:
    """Walks a parsed tree once the size caps have passed; raises ValueError on the first
    node that is not allowed, naming it and its column in the user's text."""

    def __init__(self, source: str, origin: list[int]):
        self.source = source
        self.origin = origin

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.origin[min(offset, len(self.origin) - 1)] + 1 if self.origin else 1

    def fail(self, node: ast.AST, why: str) -> None:
        raise ValueError(f"{_describe(node, self.source)} at column {self.column(node)}: {why}")

    def check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                self.fail(node, "only numbers are allowed as constants")
            if not math.isfinite(float(node.value)):
                self.fail(node, "this number is too large")
        elif isinstance(node, ast.Name):
            if node.id not in VARIABLES and node.id not in CONSTANTS:
                if node.id in FUNCTIONS:
                    self.fail(node, f"{node.id} is a function: write {node.id}(...)")
                self.fail(
                    node,
                    "unknown name; use x and y (or phi0 and phi1), pi, e and the functions "
                    + ", ".join(FUNCTIONS),
                )
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                self.fail(node, "only the operators + - * / ** are allowed")
            self.check(node.left)
            self.check(node.right)
            if isinstance(node.op, ast.Pow):
                self.check_exponent(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                self.fail(node, "only the signs + and - may stand before a term")
            self.check(node.operand)
        elif isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
                self.fail(func, "not a function you can call; use one of " + ", ".join(FUNCTIONS))
            if node.keywords:
                self.fail(node.keywords[0], "keyword arguments are not allowed")
            if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                self.fail(node, f"{func.id} takes exactly one argument")
            self.check(node.args[0])
        else:
            kind = {
                ast.Attribute: "attributes (a.b)",
                ast.Subscript: "subscripts (a[b])",
                ast.Lambda: "lambdas",
                ast.Compare: "comparisons",
                ast.BoolOp: "and/or",
                ast.IfExp: "if/else",
                ast.NamedExpr: ":=",
            }.get(type(node), type(node).__name__)
            self.fail(node, f"{kind}: not allowed in a formula")

    def check_exponent(self, node: ast.AST) -> None:
        """A constant exponent (no variable in it) must be a plain number or fraction with
        |p| <= MAX_EXPONENT. Read from the literals: nothing is evaluated."""
        if _has_variable(node):
            return
        p = _literal(node)
        if p is None:
            self.fail(node, "a constant exponent must be a plain number or fraction (2, -0.5, 1/3)")
        if not math.isfinite(p) or abs(p) > MAX_EXPONENT:
            self.fail(node, f"constant exponents must lie within ±{MAX_EXPONENT:g}")


def _has_variable(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(node))


def _literal(node: ast.AST) -> float | None:
    """The value of a number, a signed number, pi, e or a fraction of two of them; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _literal(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        top, bottom = _literal(node.left), _literal(node.right)
        if top is None or bottom is None or isinstance(node.left, ast.BinOp):
            return None
        return top / bottom if bottom != 0 else math.inf
    return None


def _counted(node: ast.AST) -> bool:
    # Operator and context singletons (ast.Add(), ast.Load()) are not nodes a person wrote.
    return not isinstance(node, ast.operator | ast.unaryop | ast.expr_context)


def _depth(root: ast.AST) -> int:
    """Nesting depth of the written nodes, iteratively (no recursion on a hostile tree)."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node) if _counted(c))
    return deepest


def _parse_checked(text) -> tuple[ast.AST, str]:
    """The checked tree of ``text`` (its body), and the normalised ASCII source."""
    if not isinstance(text, str):
        raise ValueError(f"a formula must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the formula has {len(text)} characters; at most {MAX_LENGTH} allowed")
    source, origin = _normalise(text)
    if not source.strip():
        raise ValueError("the formula is empty: type an expression in x and y")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        col = origin[min(max((err.offset or 1) - 1, 0), len(origin) - 1)] + 1
        raise ValueError(f"syntax error at column {col}: {err.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ValueError("the formula is nested too deeply to read") from None
    nodes = sum(1 for n in ast.walk(tree) if _counted(n)) - 1  # not the Expression wrapper
    if nodes > MAX_NODES:
        raise ValueError(f"the formula has {nodes} parts; at most {MAX_NODES} allowed")
    depth = _depth(tree.body)
    if depth > MAX_DEPTH:
        raise ValueError(f"the formula is nested more than {MAX_DEPTH} levels deep")
    _Checker(source, origin).check(tree.body)
    return tree.body, source


# ----- closures built from a checked tree ---------------------------------------------------


def _value_closure(node: ast.AST) -> Callable:
    """(x, y) -> value, NumPy throughout (call under np.errstate)."""
    if isinstance(node, ast.Constant):
        c = np.float64(node.value)
        return lambda x, y: c
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            c = np.float64(CONSTANTS[node.id])
            return lambda x, y: c
        return (lambda x, y: x) if VARIABLES[node.id] == 0 else (lambda x, y: y)
    if isinstance(node, ast.UnaryOp):
        inner = _value_closure(node.operand)
        if isinstance(node.op, ast.UAdd):
            return inner
        return lambda x, y: np.negative(inner(x, y))
    if isinstance(node, ast.BinOp):
        op = _VALUE_OPS[type(node.op)]
        left, right = _value_closure(node.left), _value_closure(node.right)
        return lambda x, y: op(left(x, y), right(x, y))
    f = FUNCTIONS[node.func.id].value
    arg = _value_closure(node.args[0])
    return lambda x, y: f(arg(x, y))


def _jet_closure(node: ast.AST) -> Callable:
    """(X, Y) jets -> jet of the formula."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in CONSTANTS):
        c = jets.const(_value_closure(node)(0.0, 0.0))
        return lambda x, y: c
    if isinstance(node, ast.Name):
        return (lambda x, y: x) if VARIABLES[node.id] == 0 else (lambda x, y: y)
    if isinstance(node, ast.UnaryOp):
        inner = _jet_closure(node.operand)
        if isinstance(node.op, ast.UAdd):
            return inner
        return lambda x, y: jets.neg(inner(x, y))
    if isinstance(node, ast.BinOp):
        left = _jet_closure(node.left)
        if isinstance(node.op, ast.Pow) and not _has_variable(node.right):
            p = _literal(node.right)  # checked: a number within the cap
            return lambda x, y: jets.pow_const(left(x, y), p)
        op = _JET_OPS[type(node.op)]
        right = _jet_closure(node.right)
        return lambda x, y: op(left(x, y), right(x, y))
    f = JET_FUNCTIONS[node.func.id]
    arg = _jet_closure(node.args[0])
    return lambda x, y: f(arg(x, y))


# ----- LaTeX ------------------------------------------------------------------------------

_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _number_latex(value: float | int) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def _latex(node: ast.AST) -> tuple[str, int]:
    """LaTeX of ``node`` and its precedence (5 for atoms)."""
    if isinstance(node, ast.Constant):
        return _number_latex(node.value), 5
    if isinstance(node, ast.Name):
        if node.id in VARIABLES:
            return rf"\phi_{VARIABLES[node.id]}", 5
        return (r"\pi" if node.id == "pi" else "e"), 5
    if isinstance(node, ast.UnaryOp):
        inner, prec = _latex(node.operand)
        if prec < 3:
            inner = rf"\left({inner}\right)"
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner, 3
    if isinstance(node, ast.Call):
        template = FUNCTIONS[node.func.id].latex
        arg, _ = _latex(node.args[0])
        if "{}" in template:
            return template.format(arg), 5
        return rf"{template}\left({arg}\right)", 5
    prec = _PRECEDENCE[type(node.op)]
    left, lp = _latex(node.left)
    right, rp = _latex(node.right)
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{left}}}{{{right}}}", 5
    if isinstance(node.op, ast.Pow):
        if lp <= prec:
            left = rf"\left({left}\right)"
        return rf"{{{left}}}^{{{right}}}", prec
    if lp < prec:
        left = rf"\left({left}\right)"
    if rp < prec or (rp == prec and isinstance(node.op, ast.Sub)) or right.startswith("-"):
        right = rf"\left({right}\right)"
    if isinstance(node.op, ast.Mult):
        joiner = r" \cdot " if right[:1].isdigit() else r"\,"
        return left + joiner + right, prec
    return f"{left} {'+' if isinstance(node.op, ast.Add) else '-'} {right}", prec


# ----- the public object ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Formula:
    """A checked formula: ``value``, ``grad`` and ``hessian`` broadcast over (x, y) arrays.

    Non-finite results (log of a negative, division by zero, overflow) come back as NaN,
    without NumPy warnings.
    """

    text: str  # as the user typed it
    source: str  # the normalised ASCII text that was parsed
    latex: str
    _value: Callable
    _jet: Callable
    _body: ast.AST

    def latex_lines(self, lhs: str, width: int = 28) -> str:
        """``lhs = latex``, its top-level sum broken over aligned lines of about ``width``
        characters of source each (a long formula stays readable in the sidebar)."""
        lines: list[str] = []
        current, length = "", 0
        for sign, term in _terms(self._body):
            text, prec = _latex(term)
            if sign == "-" and prec <= 1:
                text = rf"\left({text}\right)"
            piece = (f" {sign} " if current or lines else ("-" if sign == "-" else "")) + text
            size = len(ast.unparse(term))
            if current and length + size > width:
                lines.append(current)
                current, length = piece, 0
            else:
                current += piece
            length += size
        lines.append(current)
        if len(lines) == 1:
            return f"{lhs} = {lines[0]}"
        body = r" \\ &".join(lines)
        return rf"\begin{{aligned}}{lhs} = &\ {body}\end{{aligned}}"

    def value(self, x, y) -> np.ndarray:
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        with np.errstate(all="ignore"):
            v = np.broadcast_to(np.asarray(self._value(x, y), dtype=float), x.shape)
            return np.where(np.isfinite(v), v, np.nan)

    def jet(self, x, y, hessian: bool = True) -> Jet:
        """Value, gradient and (unless ``hessian`` is False) Hessian entries, each of the
        broadcast shape. Where the value or gradient is not finite all are NaN; where only
        the Hessian is not, the Hessian is."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        h = (jets.ZERO, jets.ZERO, jets.ZERO) if hessian else (None, None, None)
        with np.errstate(all="ignore"):
            j = self._jet(Jet(x, jets.ONE, jets.ZERO, *h), Jet(y, jets.ZERO, jets.ONE, *h))
            first = [np.broadcast_to(np.asarray(p, dtype=float), x.shape) for p in j[:3]]
            bad = ~(np.isfinite(first[0]) & np.isfinite(first[1]) & np.isfinite(first[2]))
            first = [np.where(bad, np.nan, p) for p in first]
            if not hessian:
                return Jet(*first, None, None, None)
            second = [np.broadcast_to(np.asarray(p, dtype=float), x.shape) for p in j[3:]]
            bad |= ~(np.isfinite(second[0]) & np.isfinite(second[1]) & np.isfinite(second[2]))
            return Jet(*first, *(np.where(bad, np.nan, p) for p in second))

    def grad(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        j = self.jet(x, y, hessian=False)
        return j.g0, j.g1

    def hessian(self, x, y) -> np.ndarray:
        """Shape (..., 2, 2)."""
        j = self.jet(x, y)
        return np.stack([np.stack([j.h00, j.h01], -1), np.stack([j.h01, j.h11], -1)], -2)


def _terms(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The top-level sum of ``node`` as (sign, term) pairs, left to right."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        sign = "-" if isinstance(node.op, ast.Sub) else "+"
        return _terms(node.left) + [(sign, node.right)]
    return [("+", node)]


def check(text) -> None:
    """Raise ValueError naming the first problem of ``text``; evaluate nothing."""
    _parse_checked(text)


def parse(text) -> Formula:
    """The Formula of ``text``, or ValueError saying what is wrong (and where)."""
    body, source = _parse_checked(text)
    return Formula(
        text=text,
        source=source,
        latex=_latex(body)[0],
        _value=_value_closure(body),
        _jet=_jet_closure(body),
        _body=body,
    )
