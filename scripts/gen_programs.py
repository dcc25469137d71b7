#!/usr/bin/env python3
"""Generates tests/generated_programs.rs: random `#[differentiable]` programs with loops,
branches, element assignment and calls, each checked against central finite differences.

    python3 scripts/gen_programs.py                 # the committed file (seed 12, 40 programs)
    python3 scripts/gen_programs.py --seed 7 --count 200 --out /tmp/more.rs

Every program is built from random expression trees and statements and, while it is
built, run by an interpreter in this script at its two test points. A statement is drawn
again when it would make a value large, take a norm near zero, or compare a value with a
threshold closer than MARGIN (so no finite-difference step flips a branch); a whole
program is drawn again when central differences at step h and 10 h disagree by more
than a fifth of the test's tolerance (a sign that the differences themselves are not
accurate enough to judge the gradient). The file is then formatted with `rustfmt`
(skipped, with a warning, when it is not installed). Python 3.11 standard library only.

FINDINGS (all three fixed since, and the pattern is generated again by default;
`--no-mixed` leaves it out): what the generator found when it first ran:

* A tensor assigned element by element and then as a whole gets a gradient of zeros,
  silently (straight-line code, no loop needed):

      let mut y = x; y[0] *= 2.0; y = y * 3.0; y.sum()   // x.grad [0, 0, 0], not [6, 3, 3]

  (`y += x` or `y -= y.sin()` in place of `y = y * 3.0` do the same.)
* The same inside a loop does not compile: `error[E0599]: no method named
  `restore_whole` found for struct `autodiff::__private::UndoLog<P>`` on the `let mut`
  (the second-order code emits a method `UndoLog` does not have):

      let mut y = x; for _ in 0..2 { y[0] = x[1]; y = y * 1.05; } y.sum()

* A tensor assigned as a whole and then element by element is rejected:
  `cannot assign to part of `y`, which is not mutable; declare it `let mut y = ..``:

      let mut y = x; y = y - x * 0.5; y[0] = x[1]; y.sum()

So a tensor is either assigned element by element (`let mut y = ..; y[i] op= ..`) or
as a whole, never both. Also: `#[allow(clippy::reversed_empty_ranges)]` on a `for`
statement does not silence the lint on the macro's copies of the loop, so a program with
a `for` over `0..0` carries the `allow` on the function.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SEED = 12
DEFAULT_COUNT = 40
ATOL, RTOL = 1e-7, 1e-6
MAX_MAGNITUDE = 20.0  # largest |value| any intermediate may take at a test point
MARGIN = 0.02  # smallest |lhs - threshold| of a comparison, and smallest norm
MAX_DEPTH = 2  # of nested loops and branches
# A tensor may be assigned both as a whole and element by element (see FINDINGS).
MIXED = True


class Reject(Exception):
    """The statement or program just drawn is unsuitable: draw another."""


# ----------------------------------------------------------------------------------------
# Values: a float is a scalar, a list of 3 floats a `Tensor<f64, 3>`, an int a `usize`.


def lift(f):
    def apply(a, b):
        if isinstance(a, list) and isinstance(b, list):
            return [f(p, q) for p, q in zip(a, b)]
        if isinstance(a, list):
            return [f(p, b) for p in a]
        if isinstance(b, list):
            return [f(a, q) for q in b]
        return f(a, b)

    return apply


def elementwise(f):
    return lambda a: [f(p) for p in a] if isinstance(a, list) else f(a)


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


BINARY = {
    "+": lift(lambda p, q: p + q),
    "-": lift(lambda p, q: p - q),
    "*": lift(lambda p, q: p * q),
    "/": lift(lambda p, q: p / q),
}

UNARY = {
    "sin": elementwise(math.sin),
    "cos": elementwise(math.cos),
    "tanh": elementwise(math.tanh),
    "exp": elementwise(math.exp),
    "sigmoid": elementwise(sigmoid),
    "powi2": elementwise(lambda v: v * v),
}


def softmax(a):
    m = max(a)
    e = [math.exp(v - m) for v in a]
    total = sum(e)
    return [v / total for v in e]


def logsumexp(a):
    m = max(a)
    return math.log(sum(math.exp(v - m) for v in a)) + m


class Ctx:
    """An interpreter state: variables, and the checks every value passes."""

    def __init__(self, env, strict=True):
        self.env = dict(env)
        self.strict = strict

    def value(self, v):
        if self.strict:
            vals = v if isinstance(v, list) else [v]
            for p in vals:
                if not math.isfinite(p) or abs(p) > MAX_MAGNITUDE:
                    raise Reject("magnitude")
        return v

    def margin(self, m):
        if self.strict and abs(m) < MARGIN:
            raise Reject("near a switching point")


# ----------------------------------------------------------------------------------------
# Expressions. `prec`: 1 for + -, 2 for * /, 3 for unary minus and casts, 4 for postfix.


@dataclass
class Var:
    name: str
    ty: str  # "T" (tensor), "S" (scalar)
    mutable: bool = False
    uses: int = 0
    mutated: bool = False
    # Assigned element by element (`y[i] = e`), never as a whole: see FINDINGS.
    elems: bool = False
    # A loop variable's trip count when it is a constant.
    bound: int | None = None
    # The block whose `let` declared it (a `let` of the same block may shadow it).
    block: int = -1


class Expr:
    ty = "S"
    prec = 4

    def wrap(self, prec):
        text = self.render()
        return f"({text})" if self.prec < prec else text


class Ref(Expr):
    def __init__(self, var: Var):
        self.var = var
        self.ty = var.ty
        var.uses += 1

    def render(self):
        return self.var.name

    def eval(self, ctx):
        return ctx.env[self.var.name]


class Lit(Expr):
    def __init__(self, v: float):
        self.v = v

    def render(self):
        text = repr(self.v)
        return text if "." in text or "e" in text else text + ".0"

    def eval(self, ctx):
        return self.v


class Cast(Expr):
    """`n as f64` for a data integer."""

    prec = 3

    def __init__(self, ix: "Ix"):
        self.ix = ix

    def render(self):
        return f"{self.ix.wrap(3)} as f64"

    def eval(self, ctx):
        return float(self.ix.eval(ctx))


class Bin(Expr):
    def __init__(self, op, a, b):
        if op in "-/" and a.render() == b.render():
            op = "+"  # `e - e` is clippy's eq_op, and zero
        self.op, self.a, self.b = op, a, b
        self.ty = "T" if "T" in (a.ty, b.ty) else "S"
        self.prec = 1 if op in "+-" else 2

    def render(self):
        return f"{self.a.wrap(self.prec)} {self.op} {self.b.wrap(self.prec + 1)}"

    def eval(self, ctx):
        return ctx.value(BINARY[self.op](self.a.eval(ctx), self.b.eval(ctx)))


class Neg(Expr):
    prec = 3

    def __init__(self, a):
        self.a = a
        self.ty = a.ty

    def render(self):
        return f"-{self.a.wrap(4)}"

    def eval(self, ctx):
        return elementwise(lambda v: -v)(self.a.eval(ctx))


class Method(Expr):
    """`recv.name(args)`: elementwise maps, reductions, `dot`, `softmax`."""

    REDUCE = {"sum", "mean", "norm", "logsumexp", "dot"}

    def __init__(self, name, recv, *args):
        self.name, self.recv, self.args = name, recv, args
        if name in self.REDUCE:
            self.ty = "S"
        else:
            self.ty = recv.ty

    def render(self):
        args = ", ".join(a.render() for a in self.args)
        name, args = ("powi", "2") if self.name == "powi2" else (self.name, args)
        return f"{self.recv.wrap(4)}.{name}({args})"

    def eval(self, ctx):
        r = self.recv.eval(ctx)
        n = self.name
        if n in UNARY:
            out = UNARY[n](r)
        elif n == "sum":
            out = r[0] + r[1] + r[2]
        elif n == "mean":
            out = (r[0] + r[1] + r[2]) / 3.0
        elif n == "norm":
            out = math.sqrt(sum(v * v for v in r))
            ctx.margin(out)
        elif n == "dot":
            o = self.args[0].eval(ctx)
            out = sum(p * q for p, q in zip(r, o))
        elif n == "softmax":
            out = softmax(r)
        elif n == "logsumexp":
            out = logsumexp(r)
        else:
            raise AssertionError(n)
        return ctx.value(out)


class Index(Expr):
    """`t[i]` on a tensor variable."""

    def __init__(self, var: Var, ix: "Ix"):
        self.ref = Ref(var)
        self.ix = ix

    def render(self):
        return f"{self.ref.render()}[{self.ix.render()}]"

    def eval(self, ctx):
        return self.ref.eval(ctx)[self.ix.eval(ctx)]


class Call(Expr):
    def __init__(self, helper: "Helper", args):
        self.helper, self.args = helper, args
        self.ty = helper.ret

    def render(self):
        return f"{self.helper.name}({', '.join(a.render() for a in self.args)})"

    def eval(self, ctx):
        return self.helper.run(ctx, [a.eval(ctx) for a in self.args])


class TupleExpr(Expr):
    def __init__(self, parts):
        self.parts = parts
        self.ty = "".join(p.ty for p in parts)

    def render(self):
        return f"({', '.join(p.render() for p in self.parts)})"

    def eval(self, ctx):
        return tuple(p.eval(ctx) for p in self.parts)


class Tensor3(Expr):
    def __init__(self, parts):
        self.parts = parts
        self.ty = "T"

    def render(self):
        return f"tensor![{', '.join(p.render() for p in self.parts)}]"

    def eval(self, ctx):
        return [p.eval(ctx) for p in self.parts]


# Data integers (usize): literals, `n`, loop variables and counters, `% 3`, `+ 1`.


class Ix(Expr):
    def __init__(self, text, fn, prec=4, used=()):
        self.text, self.fn, self.prec = text, fn, prec
        for v in used:
            v.uses += 1

    def render(self):
        return self.text

    def eval(self, ctx):
        return self.fn(ctx.env)


def ix_lit(k):
    return Ix(str(k), lambda env: k)


def ix_var(var):
    return Ix(var.name, lambda env: env[var.name], used=[var])


def ix_mod3(var, offset=0):
    name = var.name
    if offset:
        return Ix(f"({name} + {offset}) % 3", lambda env: (env[name] + offset) % 3, 2, [var])
    return Ix(f"{name} % 3", lambda env: env[name] % 3, 2, [var])


# Conditions: on data only, or comparing a value with a threshold.


class DataCond:
    def __init__(self, text, fn):
        self.text, self.fn = text, fn

    def render(self):
        return self.text

    def eval(self, ctx):
        return self.fn(ctx.env)


class ValueCond:
    def __init__(self, lhs, op, threshold):
        self.lhs, self.op, self.threshold = lhs, op, threshold

    def render(self):
        # `n as f64 < 1.0` would parse `f64<` as generics: a cast is parenthesised.
        lhs = self.lhs.wrap(4 if isinstance(self.lhs, Cast) else 2)
        return f"{lhs} {self.op} {Lit(self.threshold).render()}"

    def eval(self, ctx):
        d = self.lhs.eval(ctx) - self.threshold
        ctx.margin(d)
        return d > 0 if self.op == ">" else d < 0


class AndCond:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def render(self):
        return f"{self.a.render()} && {self.b.render()}"

    def eval(self, ctx):
        return self.a.eval(ctx) and self.b.eval(ctx)


# ----------------------------------------------------------------------------------------
# Statements.


class Let:
    def __init__(self, var, expr):
        self.var, self.expr = var, expr

    def render(self, ind):
        mut = "mut " if self.var.mutated else ""
        return [f"{ind}let {mut}{self.var.name} = {self.expr.render()};"]

    def run(self, ctx):
        ctx.env[self.var.name] = self.expr.eval(ctx)


class LetIf:
    """`let v = if c { a } else { b };`"""

    def __init__(self, var, cond, a, b):
        self.var, self.cond, self.a, self.b = var, cond, a, b

    def render(self, ind):
        return [
            f"{ind}let {self.var.name} = if {self.cond.render()} {{",
            f"{ind}    {self.a.render()}",
            f"{ind}}} else {{",
            f"{ind}    {self.b.render()}",
            f"{ind}}};",
        ]

    def run(self, ctx):
        ctx.env[self.var.name] = (self.a if self.cond.eval(ctx) else self.b).eval(ctx)


class LetTuple:
    def __init__(self, vars_, call):
        self.vars, self.call = vars_, call

    def render(self, ind):
        names = ", ".join(v.name if v.uses else "_" for v in self.vars)
        return [f"{ind}let ({names}) = {self.call.render()};"]

    def run(self, ctx):
        out = self.call.eval(ctx)
        for v, o in zip(self.vars, out):
            ctx.env[v.name] = o


class Assign:
    """`v = e`, `v += e`, `v -= e`."""

    def __init__(self, var, op, expr):
        self.var, self.op, self.expr = var, op, expr
        var.mutated = True

    def render(self, ind):
        return [f"{ind}{self.var.name} {self.op} {self.expr.render()};"]

    def run(self, ctx):
        new = self.expr.eval(ctx)
        old = ctx.env[self.var.name]
        if self.op != "=":
            new = BINARY[self.op[0]](old, new)
        ctx.env[self.var.name] = ctx.value(new)


class ElemAssign:
    """`y[i] = e`, `y[i] += e`, `y[i] -= e`, `y[i] *= e`, `y[i] /= e`."""

    def __init__(self, var, ix, op, expr):
        self.var, self.ix, self.op, self.expr = var, ix, op, expr
        var.mutated = True

    def render(self, ind):
        return [f"{ind}{self.var.name}[{self.ix.render()}] {self.op} {self.expr.render()};"]

    def run(self, ctx):
        new = self.expr.eval(ctx)
        t = list(ctx.env[self.var.name])
        i = self.ix.eval(ctx)
        if self.op != "=":
            new = BINARY[self.op[0]](t[i], new)
        t[i] = ctx.value(new)
        ctx.env[self.var.name] = t


class If:
    def __init__(self, cond, then, other):
        self.cond, self.then, self.other = cond, then, other

    def render(self, ind):
        lines = [f"{ind}if {self.cond.render()} {{"]
        lines += render_block(self.then, ind + "    ")
        if self.other:
            lines.append(f"{ind}}} else {{")
            lines += render_block(self.other, ind + "    ")
        lines.append(f"{ind}}}")
        return lines

    def run(self, ctx):
        run_block(self.then if self.cond.eval(ctx) else self.other, ctx)


class For:
    def __init__(self, var, start, end, body):
        self.var, self.start, self.end, self.body = var, start, end, body

    def render(self, ind):
        name = self.var.name if self.var.uses else "_"
        lines = [f"{ind}for {name} in {self.start}..{self.end.render()} {{"]
        lines += render_block(self.body, ind + "    ")
        return lines + [f"{ind}}}"]

    def run(self, ctx):
        for i in range(self.start, self.end.eval(ctx)):
            ctx.env[self.var.name] = i
            run_block(self.body, ctx)
        ctx.env.pop(self.var.name, None)


class While:
    """`let mut k = 0; while k < bound [&& value cond] { body; k += 1; }`"""

    def __init__(self, counter, cond, body):
        self.counter, self.cond, self.body = counter, cond, body

    def render(self, ind):
        lines = [f"{ind}let mut {self.counter.name} = 0;"]
        lines.append(f"{ind}while {self.cond.render()} {{")
        lines += render_block(self.body, ind + "    ")
        lines.append(f"{ind}    {self.counter.name} += 1;")
        return lines + [f"{ind}}}"]

    def run(self, ctx):
        ctx.env[self.counter.name] = 0
        while self.cond.eval(ctx):
            run_block(self.body, ctx)
            ctx.env[self.counter.name] += 1
            if ctx.env[self.counter.name] > 100:
                raise Reject("runaway while")


def render_block(stmts, ind):
    return [line for s in stmts for line in s.render(ind)]


def run_block(stmts, ctx):
    # A block's own `let`s go out of scope at its end.
    outer = set(ctx.env)
    for s in stmts:
        s.run(ctx)
    for name in list(ctx.env):
        if name not in outer:
            del ctx.env[name]


# ----------------------------------------------------------------------------------------
# Helpers: fixed `#[differentiable]` functions the programs call, with their interpreters.


@dataclass
class Helper:
    name: str
    params: list  # "T", "S" or "N" (a usize)
    ret: str  # "T", "S", or "TS"/"SS" for tuples
    source: str
    run_fn: object = field(repr=False, default=None)

    def run(self, ctx, args):
        out = self.run_fn(ctx, *args)
        for o in out if isinstance(out, tuple) else (out,):
            ctx.value(o)
        return out


def _squash(ctx, v, a):
    return BINARY["+"](BINARY["*"](UNARY["tanh"](v), a), BINARY["*"](v, 0.25))


def _energy(ctx, v):
    q = sum(p * p for p in v)
    return q / (1.0 + q) + sum(math.sin(p) for p in v) * 0.5


def _split(ctx, v, a):
    w = BINARY["+"](BINARY["*"](v, math.cos(a)), UNARY["sigmoid"](v))
    return (w, sum(w) / 3.0 * a)


def _moments(ctx, v):
    m = (v[0] + v[1] + v[2]) / 3.0
    d = [p - m for p in v]
    return (m, sum(p * p for p in d) / 3.0)


def _relax(ctx, v, a, steps):
    u = list(v)
    for _ in range(steps):
        u = BINARY["+"](u, BINARY["*"](BINARY["*"](UNARY["tanh"](BINARY["-"](v, u)), a), 0.5))
        u = BINARY["+"](u, 0.1)
    return u


def _gate(ctx, a, b):
    ctx.margin(a - b)
    if a > b:
        return a * sigmoid(b)
    return b - math.tanh(a)


HELPERS = [
    Helper(
        "squash",
        ["T", "S"],
        "T",
        """#[differentiable]
fn squash(v: Tensor<f64, 3>, a: f64) -> Tensor<f64, 3> {
    v.tanh() * a + v * 0.25
}""",
        _squash,
    ),
    Helper(
        "energy",
        ["T"],
        "S",
        """#[differentiable]
fn energy(v: Tensor<f64, 3>) -> f64 {
    let q = v.dot(v);
    q / (1.0 + q) + v.sin().sum() * 0.5
}""",
        _energy,
    ),
    Helper(
        "split",
        ["T", "S"],
        "TS",
        """/// Returns a tuple: callers destructure it with `let (w, m) = split(..)`.
#[differentiable]
fn split(v: Tensor<f64, 3>, a: f64) -> (Tensor<f64, 3>, f64) {
    let w = v * a.cos() + v.sigmoid();
    (w, w.mean() * a)
}""",
        _split,
    ),
    Helper(
        "moments",
        ["T"],
        "SS",
        """#[differentiable]
fn moments(v: Tensor<f64, 3>) -> (f64, f64) {
    let m = v.mean();
    let d = v - m;
    (m, d.dot(d) / 3.0)
}""",
        _moments,
    ),
    Helper(
        "relax",
        ["T", "S", "N"],
        "T",
        """/// A loop inside a callee, with a data trip count.
#[differentiable(wrt(v, a))]
fn relax(v: Tensor<f64, 3>, a: f64, steps: usize) -> Tensor<f64, 3> {
    let mut u = v;
    for _ in 0..steps {
        u = u + (v - u).tanh() * a * 0.5;
        u = u + 0.1;
    }
    u
}""",
        _relax,
    ),
    Helper(
        "gate",
        ["S", "S"],
        "S",
        """/// A branch on values inside a callee.
#[differentiable]
fn gate(a: f64, b: f64) -> f64 {
    if a > b { a * b.sigmoid() } else { b - a.tanh() }
}""",
        _gate,
    ),
]
HELPER = {h.name: h for h in HELPERS}


# ----------------------------------------------------------------------------------------
# The generator.

CONSTRUCTS = [
    "for_const",
    "for_data",
    "while_counter",
    "while_value",
    "if_data",
    "if_value",
    "let_if",
    "elem_assign",
    "call",
    "call_tuple",
]


class Program:
    def __init__(self, rng: random.Random, index: int, focus: str):
        self.rng = rng
        self.name = f"program_{index:02}"
        self.focus = focus
        self.has_n = focus in ("for_data",) or rng.random() < 0.45
        self.counter = 0
        self.constructs: set[str] = set()
        self.empty_range = False  # a `for` over `0..0`
        self.blocks = [0]  # the blocks being generated, innermost last
        self.block_count = 0
        self.shadowed = []  # (scope, var) a `let` just shadowed
        self.x = Var("x", "T")
        self.s = Var("s", "S")
        self.n = Var("n", "N")
        self.points = [self.draw_point() for _ in range(2)]
        if self.has_n:
            # Trip counts 0 and 1 come up often: one point has n in {0, 1}.
            self.points[0]["n"] = rng.choice([0, 1])
            self.points[1]["n"] = rng.choice([1, 2, 3, 4, 5])
            rng.shuffle(self.points)

    # -- inputs

    def draw_point(self):
        def coord(lo, hi):
            while True:
                v = round(self.rng.uniform(lo, hi), 3)
                if abs(v) > 0.05:
                    return v

        return {"x": [coord(-1.2, 1.2) for _ in range(3)], "s": coord(-1.3, 1.3), "n": 0}

    def fresh(self, prefix, ty, mutable=False):
        self.counter += 1
        return Var(f"{prefix}{self.counter}", ty, mutable, block=self.blocks[-1])

    # -- expressions

    def lit(self, lo=0.1, hi=1.5):
        v = round(self.rng.uniform(lo, hi), 2)
        return Lit(1.01 if v == 1.0 else v)  # `e * 1.0` is clippy's identity_op

    def tensor_vars(self, scope):
        return [v for v in scope if v.ty == "T"]

    def scalar_vars(self, scope):
        return [v for v in scope if v.ty == "S"]

    def pick(self, vars_):
        # Prefer variables not used yet, so that few are left over.
        unused = [v for v in vars_ if v.uses == 0]
        if unused and self.rng.random() < 0.6:
            return self.rng.choice(unused)
        return self.rng.choice(vars_)

    def index(self, scope, ints):
        r = self.rng.random()
        if ints and r < 0.55:
            v = self.rng.choice(ints)
            if v.bound is not None and v.bound <= 3 and self.rng.random() < 0.5:
                return ix_var(v)  # `x[i]` for i in 0..3
            return ix_mod3(v, self.rng.choice([0, 0, 1, 2]))
        return ix_lit(self.rng.randrange(3))

    def bounded(self, e):
        """A map whose values stay in [-1, 1] (or (0, 1))."""
        return Method(self.rng.choice(["sin", "cos", "tanh", "sigmoid"]), e)

    def varying(self, scope, ints, depth):
        """A scalar that is not a literal: a method's receiver, a comparison's left side."""
        for _ in range(20):
            e = self.scalar(scope, ints, depth)
            if not isinstance(e, Lit):
                return e
        return Index(self.x, ix_lit(0))

    def safe_denominator(self, scope, ints, depth, allow_tensor=False):
        """A value at least 1: `1.0 + e.powi(2)`, `1.0 + t.dot(t)`, `2.0 + e.cos()`."""
        r = self.rng.random()
        if r < 0.4:
            e = self.varying(scope, ints, depth)
            return Bin("+", Lit(1.0), Method("powi2", e))
        if r < 0.7:
            t = Ref(self.pick(self.tensor_vars(scope)))
            return Bin("+", Lit(1.0), Method("dot", t, Ref(t.var)))
        tensor_ok = allow_tensor and self.rng.random() < 0.5
        e = self.tensor(scope, ints, depth) if tensor_ok else self.varying(scope, ints, depth)
        return Bin("+", Lit(2.0), Method("cos", e))

    def tensor(self, scope, ints, depth=0):
        rng = self.rng
        if depth >= 3 or rng.random() < 0.25:
            return Ref(self.pick(self.tensor_vars(scope)))
        d = depth + 1
        r = rng.random()
        if r < 0.30:
            op = rng.choice("+-*")
            if rng.random() < 0.5:
                return Bin(op, self.tensor(scope, ints, d), self.tensor(scope, ints, d))
            s = self.scalar(scope, ints, d) if rng.random() < 0.6 else self.lit()
            if rng.random() < 0.5:
                return Bin(op, self.tensor(scope, ints, d), s)
            return Bin(op, s, self.tensor(scope, ints, d))
        if r < 0.40:
            return Bin("/", self.tensor(scope, ints, d), self.safe_denominator(scope, ints, d, True))
        if r < 0.65:
            return self.bounded(self.tensor(scope, ints, d))
        if r < 0.72:
            return Method("exp", self.bounded(self.tensor(scope, ints, d)))
        if r < 0.78:
            return Method("powi2", self.tensor(scope, ints, d))
        if r < 0.84:
            return Method("softmax", self.tensor(scope, ints, d))
        if r < 0.88:
            return Neg(self.tensor(scope, ints, d))
        if r < 0.93:
            return Tensor3([self.scalar(scope, ints, 3) for _ in range(3)])
        h = rng.choice([HELPER["squash"], HELPER["relax"]])
        return self.call(h, scope, ints, d)

    def scalar(self, scope, ints, depth=0):
        rng = self.rng
        if depth >= 3 or rng.random() < 0.2:
            r = rng.random()
            scalars = self.scalar_vars(scope)
            # Every scalar depends on x or s: a method on a plain f64 (`(n as f64).sin()`)
            # would be ordinary Rust, where `sigmoid` is not in scope and `0.5.sin()` is
            # ambiguous. Literals and casts come in as operands, below.
            if r < 0.5 and scalars:
                return Ref(self.pick(scalars))
            return Index(self.pick(self.tensor_vars(scope)), self.index(scope, ints))
        d = depth + 1
        r = rng.random()
        if r < 0.18:
            return Bin(rng.choice("+-*"), self.scalar(scope, ints, d), self.scalar(scope, ints, d))
        if r < 0.25:
            e, c = self.scalar(scope, ints, d), self.lit()
            return Bin(rng.choice("+-*"), *((e, c) if rng.random() < 0.5 else (c, e)))
        if r < 0.32:
            return Bin("/", self.scalar(scope, ints, d), self.safe_denominator(scope, ints, d))
        if r < 0.45:
            return self.bounded(self.varying(scope, ints, d))
        if r < 0.49:
            return Method("exp", self.bounded(self.varying(scope, ints, d)))
        if r < 0.53:
            return Method("powi2", self.varying(scope, ints, d))
        if r < 0.73:
            red = rng.choice(["sum", "mean", "norm", "logsumexp", "dot", "dot"])
            t = self.tensor(scope, ints, d)
            if red == "dot":
                return Method("dot", t, self.tensor(scope, ints, d))
            if red == "norm" and rng.random() < 0.5:
                # Safely nonzero: every element at least 1 in size.
                t = Bin("+", Lit(2.0), Method(rng.choice(["sin", "cos", "tanh"]), t))
            return Method(red, t)
        if r < 0.85:
            return Index(self.pick(self.tensor_vars(scope)), self.index(scope, ints))
        if r < 0.92:
            return self.call(rng.choice([HELPER["energy"], HELPER["gate"]]), scope, ints, d)
        if ints or self.has_n:
            return Bin("*", Cast(ix_var(rng.choice(ints + ([self.n] if self.has_n else [])))), self.scalar(scope, ints, d))
        return Bin("*", self.scalar(scope, ints, d), self.lit())

    def call(self, h, scope, ints, depth):
        self.constructs.add("call")
        args = []
        for p in h.params:
            if p == "T":
                args.append(self.tensor(scope, ints, depth + 1))
            elif p == "S":
                args.append(self.scalar(scope, ints, depth + 1))
            else:
                r = self.rng.random()
                if self.has_n and r < 0.5:
                    args.append(ix_var(self.n))
                elif ints and r < 0.8:
                    args.append(ix_var(self.rng.choice(ints)))  # a loop variable
                else:
                    args.append(ix_lit(self.rng.randrange(4)))
        return Call(h, args)

    def any_expr(self, ty, scope, ints):
        return self.tensor(scope, ints) if ty == "T" else self.scalar(scope, ints)

    # -- conditions

    def data_cond(self, ints):
        rng = self.rng
        opts = []
        if self.has_n:
            k = rng.randrange(0, 4)
            opts.append((self.n, DataCond(f"n > {k}", lambda env, k=k: env["n"] > k)))
        for v in ints:
            k = rng.randrange(0, 3)
            opts.append((v, DataCond(f"{v.name} == {k}", lambda env, n=v.name, k=k: env[n] == k)))
            opts.append((v, DataCond(f"{v.name} % 2 == 0", lambda env, n=v.name: env[n] % 2 == 0)))
        if not opts:
            return None
        v, c = rng.choice(opts)
        v.uses += 1
        return c

    def value_cond(self, scope, ints, top_level_ctxs=None):
        lhs = self.varying(scope, ints, 1)
        op = self.rng.choice("<>")
        threshold = round(self.rng.uniform(-1.0, 1.0), 2)
        if top_level_ctxs:
            # Straight-line: a threshold between the two points' values takes both arms.
            a, b = (lhs.eval(c) for c in top_level_ctxs)
            if abs(a - b) > 4 * MARGIN:
                threshold = round((a + b) / 2, 2)
        return ValueCond(lhs, op, threshold + 0.0)  # + 0.0: no `-0.0`

    # -- statements

    def statement(self, scope, ints, depth, ctxs, kind=None):
        """One statement; `ctxs` are the interpreter states at this point at the top level
        (None inside loops and branches)."""
        rng = self.rng
        muts = [v for v in scope if v.mutable and (MIXED or not v.elems)]
        elem_muts = [v for v in scope if v.elems or MIXED and v.mutable and v.ty == "T"]
        if kind is None:
            kinds = ["let", "let", "assign", "assign"]
            if elem_muts:
                kinds += ["elem_assign"] * 4
            if depth < MAX_DEPTH:
                kinds += ["for_const", "for_data", "while_counter", "while_value", "if_data", "if_value"]
            kinds += ["let_if", "call_tuple", "shadow"]
            kind = rng.choice(kinds)
        if kind == "let":
            ty = rng.choice("TS")
            if ty == "T" and rng.random() < 0.5:
                v = self.fresh("y", "T", mutable=True)
                v.elems = True
                e = Ref(self.pick(self.tensor_vars(scope))) if rng.random() < 0.6 else self.tensor(scope, ints)
                stmts = [Let(v, e)]
                if rng.random() < 0.7:
                    self.constructs.add("elem_assign")
                    for _ in range(rng.randint(1, 2)):
                        stmts.append(self.elem_assign(v, scope + [v], ints)[0])
                return stmts, [v]
            else:
                v = self.fresh("t" if ty == "T" else "a", ty, mutable=rng.random() < 0.3)
                e = self.any_expr(ty, scope, ints)
            return Let(v, e), [v]
        if kind == "assign":
            if not muts:
                return self.statement(scope, ints, depth, ctxs, "let")
            v = rng.choice(muts)
            op = rng.choice(["=", "=", "+=", "+=", "-=", "*=", "/="])
            e = self.any_expr(v.ty, scope, ints)
            if op == "*=":
                e = Method(rng.choice(["sigmoid", "cos", "tanh"]), self.varying(scope, ints, 1))
            elif op == "/=":
                e = self.safe_denominator(scope, ints, 1, allow_tensor=v.ty == "T")
            elif op == "=":
                # Keep the old value in play: v = f(v, ..).
                old = Ref(v)
                e = Bin(rng.choice("+-"), Bin("*", old, self.lit(0.3, 0.9)), e) if rng.random() < 0.5 else self.carry(v, scope, ints)
            return Assign(v, op, e), []
        if kind == "elem_assign":
            self.constructs.add("elem_assign")
            tvars = elem_muts
            if not tvars:
                y = self.fresh("y", "T", mutable=True)
                y.elems = True
                let = Let(y, Ref(self.x))
                stmt, _ = self.elem_assign(y, scope + [y], ints)
                return [let, stmt], [y]
            return self.elem_assign(rng.choice(tvars), scope, ints)
        if kind == "call":
            self.constructs.add("call")
            h = rng.choice([HELPER["squash"], HELPER["relax"], HELPER["energy"], HELPER["gate"]])
            v = self.fresh("c", h.ret)
            return Let(v, self.call(h, scope, ints, 1)), [v]
        if kind == "let_if":
            self.constructs.add("let_if")
            ty = rng.choice("TS")
            v = self.fresh("b", ty)
            cond = self.cond(scope, ints, ctxs)
            return LetIf(v, cond, self.any_expr(ty, scope, ints), self.any_expr(ty, scope, ints)), [v]
        if kind == "shadow":
            mine = [v for v in scope if v.block == self.blocks[-1] and not v.mutable and v.ty in "TS"]
            if not mine:
                return self.statement(scope, ints, depth, ctxs, "let")
            old = rng.choice(mine)
            self.constructs.add("shadow")
            new = Var(old.name, old.ty, block=old.block)
            e = self.carry(old, scope, ints)
            self.shadowed.append((scope, old))  # out of reach once the statement is kept
            return Let(new, e), [new]
        if kind == "call_tuple" and rng.random() < 0.3:
            # A tuple built in place and destructured.
            self.constructs.add("tuple")
            vs = [self.fresh("q", "S"), self.fresh("p", "T")]
            tup = TupleExpr([self.scalar(scope, ints), self.tensor(scope, ints)])
            return LetTuple(vs, tup), vs
        if kind == "call_tuple":
            self.constructs.add("call_tuple")
            self.constructs.add("call")
            h = rng.choice([HELPER["split"], HELPER["moments"]])
            vs = [self.fresh("p" if t == "T" else "q", t) for t in h.ret]
            return LetTuple(vs, self.call(h, scope, ints, 1)), vs
        if kind in ("if_data", "if_value"):
            cond = self.data_cond(ints) if kind == "if_data" else None
            if cond is None:
                kind = "if_value"
                cond = self.value_cond(scope, ints, ctxs)
            self.constructs.add(kind)
            then = self.block(scope, ints, depth + 1)
            other = self.block(scope, ints, depth + 1) if rng.random() < 0.7 else []
            return If(cond, then, other), []
        if kind in ("for_const", "for_data"):
            if kind == "for_data" and not self.has_n:
                kind = "for_const"
            self.constructs.add(kind)
            i = self.fresh("i", "N")
            if kind == "for_const":
                trips = rng.choice([0, 1, 2, 3, 3, 4, 6])
                i.bound = trips
                end = ix_lit(trips)
                self.empty_range |= trips == 0
            else:
                end = ix_var(self.n)
            body = self.block(scope, ints + [i], depth + 1)
            return For(i, 0, end, body), []
        if kind in ("while_counter", "while_value"):
            k = self.fresh("k", "N")
            if self.has_n and rng.random() < 0.5:
                bound = DataCond(f"{k.name} < n", lambda env, k=k.name: env[k] < env["n"])
                self.n.uses += 1
            else:
                b = rng.choice([0, 1, 2, 3, 5])
                bound = DataCond(f"{k.name} < {b}", lambda env, k=k.name, b=b: env[k] < b)
            cond = bound
            if kind == "while_value":
                cond = AndCond(bound, self.value_cond(scope, ints))
            self.constructs.add(kind)
            body = self.block(scope, ints + [k], depth + 1, must_mutate=True)
            return While(k, cond, body), []
        raise AssertionError(kind)

    def carry(self, v, scope, ints):
        """A new value for a carried variable, from its old one."""
        old = Ref(v)
        rng = self.rng
        if v.ty == "T":
            forms = [
                lambda: Method("tanh", Bin("+", Bin("*", old, self.lit(0.4, 1.1)), self.tensor(scope, ints, 2))),
                lambda: Bin("+", Method("sin", old), Bin("*", self.tensor(scope, ints, 2), self.lit(0.1, 0.5))),
                lambda: Bin("*", Method("softmax", old), self.scalar(scope, ints, 2)),
            ]
        else:
            forms = [
                lambda: Method("tanh", Bin("+", Bin("*", old, self.lit(0.4, 1.1)), self.scalar(scope, ints, 2))),
                lambda: Bin("+", Method("sin", old), Bin("*", self.scalar(scope, ints, 2), self.lit(0.1, 0.5))),
                lambda: Bin("*", old, Method("sigmoid", self.varying(scope, ints, 2))),
            ]
        return rng.choice(forms)()

    def elem_assign(self, y, scope, ints):
        op = self.rng.choice(["=", "=", "+=", "-=", "*=", "/="])
        ix = self.index(scope, ints)
        if op == "/=":
            e = self.safe_denominator(scope, ints, 1)
        elif op == "*=":
            e = Method(self.rng.choice(["cos", "sigmoid", "tanh"]), self.varying(scope, ints, 1))
        else:
            e = self.scalar(scope, ints, 1)
            if op == "=" and e.render() == f"{y.name}[{ix.render()}]":
                op = "+="  # not clippy's self_assignment
        return ElemAssign(y, ix, op, e), []

    def cond(self, scope, ints, ctxs):
        c = self.data_cond(ints) if self.rng.random() < 0.4 else None
        if c is None:
            self.constructs.add("if_value")
            return self.value_cond(scope, ints, ctxs)
        self.constructs.add("if_data")
        return c

    def block(self, scope, ints, depth, must_mutate=False):
        """Statements of a loop body or a branch: its own lets, and at least one update of
        a variable from outside (or the block would compute nothing)."""
        local = list(scope)
        stmts = []
        self.block_count += 1
        self.blocks.append(self.block_count)
        for _ in range(self.rng.randint(1, 3)):
            s, new = self.statement(local, ints, depth, None)
            stmts += s if isinstance(s, list) else [s]
            local += new
            for lst, old in self.shadowed:
                lst.remove(old)
            self.shadowed.clear()
        self.blocks.pop()
        outer_muts = [v for v in scope if v.mutable]
        mine = [v for v in local if v not in scope]
        unused = [v for v in mine if (v.uses == 0 or v.mutated) and v.ty in "TS"]
        # Fold what the block computed and did not use into an outer scalar.
        for v in unused:
            target = self.rng.choice([v for v in outer_muts if v.ty == "S"])
            e = Method(self.rng.choice(["sum", "mean"]), Ref(v)) if v.ty == "T" else Ref(v)
            stmts.append(Assign(target, "+=", Bin("*", e, self.lit(0.1, 0.5))))
        if not any(isinstance(s, (Assign, ElemAssign)) for s in stmts) or must_mutate and not unused:
            target = self.rng.choice(outer_muts)
            if target.elems or MIXED and target.ty == "T" and self.rng.random() < 0.5:
                s, _ = self.elem_assign(target, local, ints)
            else:
                s = Assign(target, "=", self.carry(target, local, ints))
            stmts.append(s)
        return stmts

    # -- the whole program

    def build(self):
        rng = self.rng
        ctxs = [Ctx(self.env_of(p)) for p in self.points]
        scope = [self.x, self.s]
        acc = Var("acc", "S", mutable=True)
        first = Let(acc, self.scalar(scope, []))
        first.run(ctxs[0]), first.run(ctxs[1])
        scope.append(acc)
        body = [first]
        plan = ["stmt"] * rng.randint(2, 4)
        plan.insert(rng.randrange(len(plan) + 1), self.focus)
        for kind in plan:
            for _attempt in range(40):
                saved = self.counter
                known = scope + self.extra_vars()
                marks = [(v.uses, v.mutated) for v in known]
                constructs = set(self.constructs)
                empty_range = self.empty_range
                try:
                    k = None if kind == "stmt" else kind
                    s, new = self.statement(scope, [], 0, ctxs, k)
                    stmts = s if isinstance(s, list) else [s]
                    trial = [Ctx(c.env) for c in ctxs]
                    for c in trial:
                        for st in stmts:
                            st.run(c)
                except Reject:
                    self.counter = saved
                    self.shadowed.clear()
                    self.blocks = [0]
                    for v, (uses, mutated) in zip(known, marks):
                        v.uses, v.mutated = uses, mutated
                    self.constructs = constructs
                    self.empty_range = empty_range
                    continue
                ctxs = trial
                body += stmts
                scope += new
                for lst, old in self.shadowed:
                    lst.remove(old)
                self.shadowed.clear()
                break
            else:
                raise Reject(f"no {kind} statement fits")
        result = self.fold_unused(Ref(acc), scope)
        self.body = body
        self.result = result
        for c in ctxs:
            c.value(result.eval(c))
        self.check_differences()
        return self

    # -- hooks a generator built on this one overrides

    def env_of(self, point):
        """The interpreter's variables at a test point."""
        return {"x": point["x"], "s": point["s"], "n": point["n"]}

    def extra_vars(self):
        """Variables outside the scope whose uses a rejected statement must undo."""
        return [self.n]

    def diff_args(self):
        """The differentiated parameters, with their sizes."""
        return (("x", 3), ("s", 1))

    def fold_unused(self, acc, scope):
        """The result: `acc` plus everything computed and not used yet."""
        rng = self.rng
        result = acc
        for v in scope[3:]:
            if (v.uses == 0 or v.mutated) and v.ty in "TS":
                part = Method(rng.choice(["sum", "mean", "logsumexp"]), Ref(v)) if v.ty == "T" else Ref(v)
                result = Bin("+", result, Bin("*", part, self.lit(0.2, 0.9)))
        if self.has_n and self.n.uses == 0:
            result = Bin("+", result, Bin("*", Cast(ix_var(self.n)), Method("tanh", Ref(self.s))))
        if self.s.uses == 0:
            result = Bin("+", result, Method("sin", Ref(self.s)))
        return result

    def evaluate(self, point, strict=False):
        ctx = Ctx(self.env_of(point), strict)
        for s in self.body:
            s.run(ctx)
        return self.result.eval(ctx)

    def check_differences(self):
        """Central differences at h and 10 h must agree to a fifth of the tolerance."""
        for p in self.points:
            for arg, size in self.diff_args():
                for i in range(size):
                    base = p[arg][i] if arg == "x" else p[arg]
                    h = 1e-6 * max(abs(base), 1.0)

                    def at(v):
                        q = dict(p)
                        if arg == "x":
                            q["x"] = list(p["x"])
                            q["x"][i] = v
                        else:
                            q["s"] = v
                        return self.evaluate(q)

                    fd = [(at(base + k * h) - at(base - k * h)) / (2 * k * h) for k in (1, 10)]
                    if abs(fd[0] - fd[1]) > 0.2 * (ATOL + RTOL * abs(fd[0])):
                        raise Reject("finite differences are not accurate here")

    # -- rendering

    def render(self):
        wrt = "#[differentiable(wrt(x, s))]" if self.has_n else "#[differentiable]"
        params = "x: Tensor<f64, 3>, s: f64" + (", n: usize" if self.has_n else "")
        lines = [f"// Covers: {', '.join(sorted(self.constructs)) or 'straight-line code'}."]
        if self.empty_range:
            # On the `for` statement it would not reach the macro's copies of the loop.
            lines.append("#[allow(clippy::reversed_empty_ranges)] // a `for` over 0..0")
        lines.append(wrt)
        lines.append(f"fn {self.name}({params}) -> f64 {{")
        lines += render_block(self.body, "    ")
        lines.append(f"    {self.result.render()}")
        lines.append("}")
        lines.append("")
        args = "x, s, n" if self.has_n else "x, s"
        lines.append("#[test]")
        lines.append(f"fn {self.name}_gradient() {{")
        # Each point with the value this script's interpreter computed there: the test
        # checks it too, so the margins the generator enforced are the program's own.
        lines.append(f"    for ({args}, expected) in [")
        for p in self.points:
            xs = ", ".join(Lit(v).render() for v in p["x"])
            n = f", {p['n']}" if self.has_n else ""
            value = Lit(self.evaluate(p)).render()
            lines.append(f"        (tensor![{xs}], {Lit(p['s']).render()}{n}, {value}),")
        lines.append("    ] {")
        lines.append(f"        let (value, (gx, gs)) = {self.name}_grad({args});")
        lines.append(f"        assert_eq!(value, {self.name}({args}));")
        lines.append("        assert_close(value, expected);")
        lines.append(f'        check("{self.name} x", |x| {self.name}({args}), x, gx);')
        lines.append(f'        check("{self.name} s", |s| {self.name}({args}), s, gs);')
        lines.append("    }")
        lines.append("}")
        return "\n".join(lines)


def generate(seed, count):
    rng = random.Random(seed)
    programs = []
    rejected = 0
    while len(programs) < count:
        focus = CONSTRUCTS[len(programs) % len(CONSTRUCTS)]
        try:
            programs.append(Program(rng, len(programs), focus).build())
        except Reject:
            rejected += 1
    return programs, rejected


HEADER = """\
//! @generated by `python3 scripts/gen_programs.py --seed {seed} --count {count}`: do not
//! edit by hand; change the generator and run it again.
//!
//! Random `#[differentiable]` programs over `x: Tensor<f64, 3>` and `s: f64` (some with
//! a data `n: usize`, left out by `wrt(x, s)`): `let` chains and shadowing, `let mut`
//! reassignment and `+= -= *= /=`, `if`/`else` and `let v = if ..` on data and on
//! comparisons of values, `for` loops with constant and data trip counts (0 and 1
//! included), `while` loops with counters (and a value condition), element assignment
//! into `let mut y = x;`, tuples destructured with `let (a, b) = ..`, and calls to the
//! helpers below (two return tuples, one loops, one branches). Each is checked against
//! central finite differences at two fixed points, for `x` and for `s`, and its value
//! against the generator's own interpreter. The generator kept only programs whose
//! comparisons stay {margin} or more from their thresholds at those points, whose
//! values stay within {mag}, and whose finite differences at steps h and 10 h agree.
//! A tensor is assigned either element by element or as a whole, never both: see
//! FINDINGS in the script.

use autodiff::{{Tensor, differentiable, gradcheck, tensor}};

fn check<X: autodiff::Perturb>(what: &str, f: impl Fn(X) -> f64, x: X, grad: X) {{
    let report = gradcheck(f, x, grad).within({atol}, {rtol});
    assert!(report.passed(), "{{what}}: {{report}}");
}}

/// The value agrees with the generator's interpreter (up to rounding: the order of
/// operations in a sum, `softmax` and `logsumexp` differ).
fn assert_close(value: f64, expected: f64) {{
    let tolerance = 1e-9 * (1.0 + expected.abs());
    assert!((value - expected).abs() <= tolerance, "value {{value}}, interpreter {{expected}}");
}}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "tests" / "generated_programs.rs",
    )
    ap.add_argument(
        "--no-mixed",
        dest="mixed",
        action="store_false",
        help="never assign a tensor both whole and by element",
    )
    args = ap.parse_args()
    global MIXED
    MIXED = args.mixed
    programs, rejected = generate(args.seed, args.count)
    flags = "" if args.mixed else " --no-mixed"
    parts = [HEADER.format(seed=args.seed, count=f"{args.count}{flags}", margin=MARGIN, mag=MAX_MAGNITUDE, atol=f"{ATOL:.0e}".replace("e-0", "e-"), rtol=f"{RTOL:.0e}".replace("e-0", "e-"))]
    parts += [h.source + "\n" for h in HELPERS]
    parts += [p.render() + "\n" for p in programs]
    args.out.write_text("\n".join(parts))
    rustfmt = shutil.which("rustfmt")
    if rustfmt:
        subprocess.run([rustfmt, "--edition", "2024", str(args.out)], check=True)
    else:
        print("warning: rustfmt not found; the file is not formatted", file=sys.stderr)
    covered = {}
    for p in programs:
        for c in p.constructs:
            covered[c] = covered.get(c, 0) + 1
    print(f"wrote {args.out}: {len(programs)} programs ({rejected} drawn and rejected)")
    print("programs per construct:", ", ".join(f"{k} {v}" for k, v in sorted(covered.items())))


if __name__ == "__main__":
    main()
