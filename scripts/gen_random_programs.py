#!/usr/bin/env python3
"""Generates tests/random_programs.rs: random `#[differentiable]` programs over structured
values, each checked in all four modes (`_grad`, `_vjp`, `_jvp`, `_hvp`) against central
finite differences (issue 20's random-program test).

    python3 scripts/gen_random_programs.py               # the committed file
    python3 scripts/gen_random_programs.py --seed 7 --count 400 --out /tmp/more.rs

It is built on `scripts/gen_programs.py` (expressions, statements, the interpreter, the
margins that keep programs well-conditioned) and adds, on top of its `let` chains, loops,
branches, element stores and calls:

* a struct `Pm` with `#[no_grad]` fields (`k: f64`, `m: usize`), built by a literal,
  assigned field by field and as a whole (`p = nudge(&p, a)`), in loops and branches,
  passed to callees by reference and read (`p.w`, `p.b`, `p.k * ..`, `p.m as f64`);
* tuples built and passed to a callee (`pair_mix(q)`), and read (`q.0`, `q.1`);
* arrays `[a, b, c]` read by index, iterated and passed to slice parameters
  (`wsum(&r)`, `wsum(&[a, b])`);
* data references: every program takes `ys: &[f64]` as data, read as `ys[i]`,
  `ys.len()`, and in `for y in ys`, `for &y in ys`, `ys.iter().enumerate()` and
  `for (e, y) in t.iter().zip(ys)` over tensors and arrays (`e` differentiated);
* `Vec`s built, pushed to and reassigned (`let mut v = vec![..]; v.push(..);
  v = vec![..]`), in loops and branches, then read, iterated and passed on (`wsum(&v)`,
  `fit(&v, ys)`);
* `wrt` subsets: the program differentiates `x`, `s` or both, and calls `damp`, whose
  `wrt(a)` leaves out a parameter the caller gives a differentiated value;
* `#[checkpoint]` (and `#[checkpoint(snapshots = 2)]`) on `for` and `while` loops.

Every program is checked at two points: its value against this script's interpreter,
`_grad` against central differences (step 1e-6), `_vjp`'s `backward(1.0)` equal to the
gradient, `_jvp` along a fixed direction against the directional central difference and
`_hvp` along it against central differences of `_grad` (the checks are in
tests/common/modes.rs). Besides gen_programs.py's checks, a program is drawn again when
its directional first differences at h and 10 h, or its second differences at k and 2 k,
disagree.

FINDINGS: shapes the generator found failing when it first ran; each is left out of the
committed test (`--with NAME` generates it again). `Pm` is the struct above (`w: f64` in
the reductions).

* `no_grad_cast`: `p.m as f64` of a `#[no_grad] m: usize` field of a differentiated
  struct (a `&Pm` or `Pm` parameter, or a local built from a differentiated value) is
  rejected: "`as` casts of differentiated values are not supported". A struct literal
  whose `#[no_grad]` usize field reads the parameter's (`Pm { w: p.w * a, m: p.m }`,
  `m: p.m + 1`) fails too: "only floating-point tensors can require gradients, and
  `usize` is not a differentiable value" (`m: 1` compiles). So `score` does not read
  `p.m`, and `nudge` sets `m: 2`.
* `data_vec`: a `Vec` (or a struct) local whose value changes between data and
  differentiated: `#[differentiable(wrt(s))] fn f(x: f64, s: f64) -> f64 { let mut v =
  vec![x]; let mut k = 0; while k < 1 { v = vec![v[0] + s]; k += 1; } v[0] }` gives
  E0382 "borrow of moved value" on the `vec!` (so does `v = vec![x]` of data into a
  differentiated `v`, straight-line too); `let mut p = Pm { w: x, m: 1 }; p = nudge(&p,
  s);` gives "`Pm: Real` is not satisfied". Every `vec!` and struct literal here holds a
  differentiated parameter.
* `array_in_loop`: an array passed to a slice parameter and read in a loop:
  `let r = [s.sin(), s.cos()]; let mut acc = total(&r); for _ in 0..2 { acc += r[1]; }`
  (or `acc *= total(&r)` in the loop) gives E0308 "expected `[f64; 2]`, found
  `Vec<f64>`" on the array. An array passed to a callee is read no further.
* `nocopy_in_const_loop`: a `Vec` or a struct bound inside the body of a `for` over a
  constant range (not carried by it): `for _ in 0..2 { let v = vec![s, acc]; acc +=
  v[1] * 0.5; }` gives "`Vec<f64>: Copy` is not satisfied" (`Pm: Copy`, `Pm: Default`)
  from the loop's `StackTape`.
* `vec_shrink`: a `Vec` reassigned as a whole to a shorter one panics in `_grad`, `_vjp`
  and `_hvp` ("index out of bounds: the len is 0 but the index is 0"; `_jvp` is right):
  `let mut v = vec![x]; v.push(x * 2.0); v = vec![v[0] * 0.5]; v[0]`, also without the
  push (`vec![x, 2.0 * x]`) and in a branch. Same length or longer is right. A `Vec` is
  reassigned here to at least as many elements as it may hold.
* `zip_in_loop`: E0614 "type `{integer}` cannot be dereferenced" (after removing a
  `#[checkpoint]` loop from it, "type `f64` cannot be dereferenced" on `*e4`) for
  program_139 of seed 20 before this exclusion: `wrt(s)`, a `for i1 in 0..n` whose body
  holds an `if` with `for (e4, y5) in x.iter().zip(ys) { acc += *e4 * (*y5 +
  energy(x)) * 0.48; }` in its `else` and then a second such loop; removing either loop
  compiles, and smaller programs of this shape compile. Loops over data references are
  generated outside other loops only.
* `struct_in_loop`: E0368 "binary assignment operation `+=` cannot be applied to type
  `Pm`" on the literal of program_053 of seed 20 (a struct built in a branch inside a
  `while` loop with a value condition, reassigned by `nudge` with a data argument, then
  its field `w` stored); smaller programs of the shape compile. Struct locals are
  generated outside loops only.

Two more, from `--seed 7 --count 200` (not reduced; the committed seed does not draw
them, and the other 198 programs of that seed pass): program_083, E0425 "cannot find
value `__ad_v176`" on `let mut t1 = relax(x.softmax(), ys[2] + x[1], 3);` ahead of a
`#[checkpoint] while` loop that carries `t1` through a branch calling `relax(t1.cos(),
..)`; program_115, "`(f64, Tensor<f64, 3>): StandIn` is not satisfied" on a tuple
`(ys.len() as f64 * s.tanh().sigmoid(), y4.softmax())` built in a `for` over `0..0`
(`wrt(s)`, `y4` an element-assigned tensor of data and differentiated values). Smaller
programs of either shape compile.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import random
import re
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_programs as gp  # noqa: E402
from gen_programs import (  # noqa: E402
    Bin,
    Call,
    Expr,
    For,
    Helper,
    If,
    Let,
    Lit,
    Method,
    Ref,
    Reject,
    TupleExpr,
    Var,
    While,
    DataCond,
    AndCond,
    ix_lit,
    ix_var,
    render_block,
    run_block,
)

DEFAULT_SEED = 20
DEFAULT_COUNT = 200
DIRECTION = ([0.3, -0.7, 0.5], 0.6)  # tests/common/modes.rs's `direction()`

# Shapes left out by default (see FINDINGS); `--with SHAPE` turns one on.
EXCLUDED: set[str] = {"no_grad_cast", "data_vec", "array_in_loop", "nocopy_in_const_loop", "vec_shrink", "zip_in_loop", "struct_in_loop"}


# ----------------------------------------------------------------------------------------
# Expressions over the new values.


class Operand(Expr):
    """A reference loop variable (`e` of `t.iter()`) or a data value (`y` of `for &y`):
    `*e` standing alone, `e` as an operand of an op or a method's receiver."""

    def __init__(self, var: Var, bare=False):
        self.var, self.bare = var, bare
        self.ty = "S"
        var.uses += 1
        star = var.ty == "R" and not bare
        self.prec = 3 if star else 4
        self.text = f"*{var.name}" if star else var.name

    def render(self):
        return self.text

    def eval(self, ctx):
        return ctx.env[self.var.name]


class Text(Expr):
    """An expression with a fixed spelling and an evaluation function."""

    def __init__(self, text, fn, ty="S", prec=4, parts=(), used=()):
        self.text, self.fn, self.ty, self.prec, self.parts = text, fn, ty, prec, parts
        for v in used:
            v.uses += 1

    def render(self):
        return self.text.format(*(p.render() for p in self.parts))

    def eval(self, ctx):
        return self.fn(ctx, *(p.eval(ctx) for p in self.parts))


def field(p: Var, name: str):
    ty = "T" if name == "w" else "S"
    return Text(f"{p.name}.{name}", lambda ctx: ctx.env[p.name][name], ty, used=[p])


def tuple_field(q: Var, i: int):
    return Text(f"{q.name}.{i}", lambda ctx: ctx.env[q.name][i], "T" if i else "S", used=[q])


def elem(v: Var, ix):
    """`v[i]` of an array or a `Vec`."""

    def run(ctx, i):
        vals = ctx.env[v.name]
        if i >= len(vals):
            raise Reject("index out of range")
        return vals[i]

    return Text(f"{v.name}[{{0}}]", run, parts=(ix,), used=[v])


def ys_elem(ys: Var, ix):
    return Text("ys[{0}]", lambda ctx, i: ctx.env["ys"][i], parts=(ix,), used=[ys])


class ListLit(Expr):
    """`vec![a, b]`, `[a, b, c]` or `&[a, b]`."""

    def __init__(self, open_, parts, ty):
        self.open, self.parts, self.ty = open_, parts, ty
        self.prec = 3 if open_.startswith("&") else 4

    def render(self):
        return f"{self.open}{', '.join(p.render() for p in self.parts)}]"

    def eval(self, ctx):
        return [p.eval(ctx) for p in self.parts]


class StructLit(Expr):
    ty = "P"

    def __init__(self, w, b, k, m):
        self.w, self.b, self.k, self.m = w, b, k, m

    def render(self):
        return f"Pm {{ w: {self.w.render()}, b: {self.b.render()}, k: {self.k.render()}, m: {self.m} }}"

    def eval(self, ctx):
        return {"w": self.w.eval(ctx), "b": self.b.eval(ctx), "k": self.k.eval(ctx), "m": self.m}


class HelperCall(Expr):
    """A call whose arguments are spelt by the caller (`wsum(&v)`, `score(&p, t)`)."""

    def __init__(self, helper, args, spelled):
        self.helper, self.args, self.spelled = helper, args, spelled
        self.ty = helper.ret

    def render(self):
        return f"{self.helper.name}({', '.join(s.format(a.render()) for s, a in zip(self.spelled, self.args))})"

    def eval(self, ctx):
        return self.helper.run(ctx, [a.eval(ctx) for a in self.args])


# ----------------------------------------------------------------------------------------
# Statements over the new values.


class Stmt:
    """A statement with a fixed spelling (`{0}`.. the rendered expressions)."""

    def __init__(self, text, fn, parts=(), mutates=None):
        self.text, self.fn, self.parts = text, fn, parts
        if mutates is not None:
            mutates.mutated = True

    def render(self, ind):
        return [ind + self.text.format(*(p.render() for p in self.parts))]

    def run(self, ctx):
        self.fn(ctx, *(p.eval(ctx) for p in self.parts))


def set_var(name, value_fn=lambda old, new: new):
    def run(ctx, new):
        ctx.env[name] = value_fn(ctx.env.get(name), new)

    return run


class LetVal:
    """`let [mut] v = e;` for the new kinds of values (no magnitude check on a struct)."""

    def __init__(self, var, expr):
        self.var, self.expr = var, expr

    def render(self, ind):
        mut = "mut " if self.var.mutated else ""
        return [f"{ind}let {mut}{self.var.name} = {self.expr.render()};"]

    def run(self, ctx):
        ctx.env[self.var.name] = self.expr.eval(ctx)


class ForEach:
    """`for PATTERN in ITER { body }`: `items(ctx)` gives one tuple of values per trip."""

    def __init__(self, pattern, iterable, names, items, body, attr=None):
        self.pattern, self.iterable, self.names, self.items, self.body = pattern, iterable, names, items, body
        self.attr = attr

    def render(self, ind):
        lines = [f"{ind}{self.attr}"] if self.attr else []
        body = render_block(self.body, ind + "    ")
        pattern = self.pattern
        for name in self.names:  # a binding the body does not read is `_`
            if not re.search(rf"\b{name}\b", "\n".join(body)):
                pattern = re.sub(rf"\b{name}\b", "_", pattern)
        lines.append(f"{ind}for {pattern} in {self.iterable} {{")
        return lines + body + [f"{ind}}}"]

    def run(self, ctx):
        for vals in self.items(ctx):
            for n, v in zip(self.names, vals):
                ctx.env[n] = v
            run_block(self.body, ctx)
        for n in self.names:
            ctx.env.pop(n, None)


class CheckpointFor(For):
    def __init__(self, var, start, end, body, attr):
        super().__init__(var, start, end, body)
        self.attr = attr

    def render(self, ind):
        if not re.search(rf"\b{self.var.name}\b", "\n".join(render_block(self.body, ind))):
            self.var.uses = 0  # counted in an expression drawn and dropped: `for _ in`
        return [f"{ind}{self.attr}"] + super().render(ind)


class CheckpointWhile(While):
    def __init__(self, counter, cond, body, attr):
        super().__init__(counter, cond, body)
        self.attr = attr

    def render(self, ind):
        lines = super().render(ind)
        return lines[:1] + [f"{ind}{self.attr}"] + lines[1:]


# ----------------------------------------------------------------------------------------
# Helpers.


def _score(ctx, p, v):
    d = sum(a * b for a, b in zip(p["w"], v))
    return math.tanh(d) * p["k"] + p["b"] * 0.5


def _nudge(ctx, p, a):
    return {
        "w": [math.sin(w * a) for w in p["w"]],
        "b": p["b"] * 0.5 + math.tanh(a),
        "k": p["k"],
        "m": 2,
    }


def _pair_mix(ctx, q):
    return q[0] * sum(gp.sigmoid(v) for v in q[1]) * 0.3 + math.cos(q[1][0])


def _wsum(ctx, v):
    return sum(math.tanh(e) * (i + 1.0) * 0.5 for i, e in enumerate(v))


def _fit(ctx, v, ys):
    return sum((a - y) * (a - y) for a, y in zip(v, ys)) * 0.5


def _damp(ctx, a, c):
    return a * math.cos(c) + math.sin(c) * 0.5


class StructHelper(Helper):
    def run(self, ctx, args):
        out = self.run_fn(ctx, *args)
        ctx.value(out["w"]), ctx.value(out["b"])
        return out


class ListHelper(Helper):
    def run(self, ctx, args):
        return ctx.value(self.run_fn(ctx, *args))


STRUCT = """#[derive(Clone, Debug, autodiff::Differentiable)]
pub struct Pm {
    pub w: Tensor<f64, 3>,
    pub b: f64,
    #[no_grad]
    pub k: f64,
    #[no_grad]
    pub m: usize,
}"""

NEW_HELPERS = [
    Helper(
        "score",
        ["P", "T"],
        "S",
        """/// Reads every field of a struct taken by reference, the `#[no_grad]` ones as data.
#[differentiable]
fn score(p: &Pm, v: Tensor<f64, 3>) -> f64 {
    (p.w * v).sum().tanh() * p.k + p.b * 0.5
}""",
        _score,
    ),
    StructHelper(
        "nudge",
        ["P", "S"],
        "P",
        """/// Returns a struct built from one taken by reference.
#[differentiable]
fn nudge(p: &Pm, a: f64) -> Pm {
    Pm { w: (p.w * a).sin(), b: p.b * 0.5 + a.tanh(), k: p.k, m: 2 }
}""",
        _nudge,
    ),
    Helper(
        "pair_mix",
        ["U"],
        "S",
        """/// Takes a tuple.
#[differentiable]
fn pair_mix(q: (f64, Tensor<f64, 3>)) -> f64 {
    q.0 * q.1.sigmoid().sum() * 0.3 + q.1[0].cos()
}""",
        _pair_mix,
    ),
    ListHelper(
        "wsum",
        ["L"],
        "S",
        """/// Takes a slice: callers pass arrays (`&[a, b]`, `&r`) and `Vec`s (`&v`).
#[differentiable]
fn wsum(v: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (i, e) in v.iter().enumerate() {
        acc += e.tanh() * (i as f64 + 1.0) * 0.5;
    }
    acc
}""",
        _wsum,
    ),
    ListHelper(
        "fit",
        ["L", "Y"],
        "S",
        """/// A differentiated slice zipped with a data slice.
#[differentiable(wrt(v))]
fn fit(v: &[f64], ys: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (a, y) in v.iter().zip(ys) {
        let e = a - y;
        acc += e * e;
    }
    acc * 0.5
}""",
        _fit,
    ),
    Helper(
        "damp",
        ["S", "S"],
        "S",
        """/// `wrt(a)` leaves `c` out; callers give it differentiated values too.
#[differentiable(wrt(a))]
fn damp(a: f64, c: f64) -> f64 {
    a * c.cos() + c.sin() * 0.5
}""",
        _damp,
    ),
]
H = {h.name: h for h in NEW_HELPERS}

NEW_CONSTRUCTS = [
    "struct",
    "tuple_arg",
    "array_slice",
    "zip_data",
    "ys_loop",
    "vec",
    "vec_loop",
    "checkpoint_for",
    "checkpoint_while",
    "wrt_call",
]
# The focus of each program, in turn: the new shapes, and now and then an old one.
FOCUS = NEW_CONSTRUCTS + ["for_const", "while_value", "elem_assign", "call_tuple"]


class RandomProgram(gp.Program):
    def __init__(self, rng: random.Random, index: int, focus: str):
        super().__init__(rng, index, focus)
        self.name = f"program_{index:03}"
        self.wrt = rng.choice(["xs", "xs", "x", "s"])
        self.ys = Var("ys", "Y")
        self.restrict = False  # inside a `#[checkpoint]` loop
        ys_pts = [[round(rng.uniform(-1.0, 1.0), 2) for _ in range(3)] for _ in self.points]
        for p, ys in zip(self.points, ys_pts):
            p["ys"] = [v if abs(v) > 0.05 else 0.5 for v in ys]

    # -- hooks

    def env_of(self, point):
        return {"x": point["x"], "s": point["s"], "n": point["n"], "ys": point["ys"]}

    def extra_vars(self):
        return [self.n, self.ys]

    def diff_args(self):
        return (("x", 3),) * ("x" in self.wrt) + (("s", 1),) * ("s" in self.wrt)

    def fold_unused(self, acc, scope):
        result = super().fold_unused(acc, scope)
        if self.ys.uses == 0:
            diff = self.x if "x" in self.wrt else self.s
            e = Method("sum", Ref(diff)) if diff.ty == "T" else Ref(diff)
            result = Bin("+", result, Bin("*", ys_elem(self.ys, ix_lit(1)), Method("tanh", e)))
        return result

    def check_differences(self):
        super().check_differences()
        tx, ts = DIRECTION
        for p in self.points:

            def at(t):
                q = dict(p)
                q["x"] = [a + t * b for a, b in zip(p["x"], tx)] if "x" in self.wrt else p["x"]
                q["s"] = p["s"] + t * ts if "s" in self.wrt else p["s"]
                return self.evaluate(q)

            h = 1e-6
            fd = [(at(k * h) - at(-k * h)) / (2 * k * h) for k in (1, 10)]
            if abs(fd[0] - fd[1]) > 0.2 * (gp.ATOL + gp.RTOL * abs(fd[0])):
                raise Reject("directional differences are not accurate here")
            f0 = at(0.0)
            sd = [(at(k) - 2 * f0 + at(-k)) / (k * k) for k in (1e-3, 2e-3)]
            if abs(sd[0] - sd[1]) > 1e-5 * (1.0 + abs(sd[0])):
                raise Reject("second differences are not accurate here")

    # -- expressions

    def operands(self, scope):
        return [v for v in scope if v.ty in "RD"]

    def extra_scalar(self, scope, ints, depth):
        """A scalar over the new values, or None."""
        rng = self.rng
        opts = []
        refs = self.operands(scope)
        if refs:
            opts += ["ref"] * 3
        opts += ["ys", "ys_len", "array_inline", "damp"]
        if [v for v in scope if v.ty == "P"]:
            opts += ["field", "field", "score"]
        if [v for v in scope if v.ty == "U"]:
            opts += ["tuple", "pair_mix"]
        if [v for v in scope if v.ty == "A"]:
            opts += ["array"] + ["array_call"] * ("array_in_loop" not in EXCLUDED)
        kind = rng.choice(opts)
        d = depth + 1
        if kind == "ref":
            v = rng.choice(refs)
            r = rng.random()
            if r < 0.3:
                return Operand(v)
            if r < 0.5:
                return Method(rng.choice(["tanh", "sin", "cos"]), Operand(v, bare=True))
            other = self.scalar(scope, ints, d)
            op = rng.choice("+-*")
            pair = (Operand(v, bare=True), other) if rng.random() < 0.5 else (other, Operand(v, bare=True))
            return Bin(op, *pair)
        if kind == "ys":
            return Bin(rng.choice("+-*"), ys_elem(self.ys, self.index(scope, ints)), self.varying(scope, ints, d))
        if kind == "ys_len":
            self.ys.uses += 1
            return Bin("*", Text("ys.len() as f64", lambda ctx: float(len(ctx.env["ys"])), prec=3), self.bounded(self.varying(scope, ints, d)))
        if kind == "array_inline":
            self.constructs.add("array_slice")
            parts = [self.scalar(scope, ints, d) for _ in range(rng.randint(1, 3))]
            return HelperCall(H["wsum"], [ListLit("&[", parts, "A")], ["{}"])
        if kind == "damp":
            self.constructs.add("wrt_call")
            return Call(H["damp"], [self.scalar(scope, ints, d), self.varying(scope, ints, d)])
        if kind == "field":
            p = rng.choice([v for v in scope if v.ty == "P"])
            name = rng.choice(["w", "b", "k"] + ["m"] * ("no_grad_cast" not in EXCLUDED))
            if name == "w":
                return Method(rng.choice(["sum", "mean"]), field(p, "w")) if rng.random() < 0.5 else Text(f"{p.name}.w[{{0}}]", lambda ctx, i: ctx.env[p.name]["w"][i], parts=(self.index(scope, ints),), used=[p])
            if name == "b":
                return field(p, "b")
            if name == "k":
                return Bin("*", field(p, "k"), self.varying(scope, ints, d))
            return Bin("*", Text(f"{p.name}.m as f64", lambda ctx: float(ctx.env[p.name]["m"]), prec=3, used=[p]), self.bounded(self.varying(scope, ints, d)))
        if kind == "score":
            p = rng.choice([v for v in scope if v.ty == "P"])
            return HelperCall(H["score"], [Ref(p), self.tensor(scope, ints, d)], ["&{}", "{}"])
        if kind == "tuple":
            q = rng.choice([v for v in scope if v.ty == "U"])
            if rng.random() < 0.5:
                return tuple_field(q, 0)
            return Method("sum", tuple_field(q, 1))
        if kind == "pair_mix":
            q = rng.choice([v for v in scope if v.ty == "U"])
            return HelperCall(H["pair_mix"], [Ref(q)], ["{}"])
        if kind == "array":
            a = rng.choice([v for v in scope if v.ty == "A"])
            return elem(a, self.index(scope, ints))
        if kind == "array_call":
            a = rng.choice([v for v in scope if v.ty == "A"])
            return HelperCall(H["wsum"], [Ref(a)], ["&{}"])
        raise AssertionError(kind)

    def scalar(self, scope, ints, depth=0):
        if depth < 3 and self.rng.random() < (0.45 if self.operands(scope) else 0.12):
            return self.extra_scalar(scope, ints, depth)
        return super().scalar(scope, ints, depth)

    def tensor(self, scope, ints, depth=0):
        rng = self.rng
        ps = [v for v in scope if v.ty == "P"]
        qs = [v for v in scope if v.ty == "U"]
        if (ps or qs) and depth < 3 and rng.random() < 0.12:
            if ps and (not qs or rng.random() < 0.5):
                return field(rng.choice(ps), "w")
            return tuple_field(rng.choice(qs), 1)
        return super().tensor(scope, ints, depth)

    # -- statements

    def loop_over(self, scope, ints, depth, make_body):
        """A loop of data trip count (`0..n`, or a `while` with a counter): what carries a
        `Vec` or a struct, which are not `Copy`."""
        rng = self.rng
        if self.has_n and rng.random() < 0.5:
            i = self.fresh("i", "N")
            self.n.uses += 1
            return For(i, 0, ix_var(self.n), make_body(ints + [i]))
        k = self.fresh("k", "N")
        b = rng.choice([0, 1, 2, 3])
        cond = DataCond(f"{k.name} < {b}", lambda env, k=k.name, b=b: env[k] < b)
        return While(k, cond, make_body(ints + [k]))

    def target(self, scope):
        """An outer mutable scalar a loop body adds into."""
        return self.rng.choice([v for v in scope if v.mutable and v.ty == "S"])

    def statement(self, scope, ints, depth, ctxs, kind=None):
        rng = self.rng
        if kind is None:
            if self.restrict:
                kind = rng.choice(["let", "assign", "assign", "let_if", "shadow"] + ["if_value"] * (depth < gp.MAX_DEPTH))
            elif rng.random() < 0.35:
                kind = rng.choice([k for k in NEW_CONSTRUCTS if k not in EXCLUDED and (depth < gp.MAX_DEPTH or k not in ("checkpoint_for", "checkpoint_while"))])
        if kind in ("struct", "vec", "vec_loop") and "nocopy_in_const_loop" in EXCLUDED and any(v.bound is not None for v in ints):
            kind = "wrt_call"  # a `Vec` or struct local in a constant-trip loop (FINDINGS)
        if kind == "struct" and "struct_in_loop" in EXCLUDED and ints:
            kind = "tuple_arg"  # a struct local inside a loop (FINDINGS)
        if kind in ("zip_data", "ys_loop") and "zip_in_loop" in EXCLUDED and ints:
            kind = "wrt_call"  # a loop over data references inside another loop (FINDINGS)
        if kind not in NEW_CONSTRUCTS:
            s, new = super().statement(scope, ints, depth, ctxs, kind)
            if isinstance(s, gp.LetIf) and s.a.render() == s.b.render():
                s.b = gp.Neg(s.b)  # not clippy's if_same_then_else
            return s, new
        self.constructs.add(kind)
        if kind == "struct":
            return self.struct_group(scope, ints, depth)
        if kind == "tuple_arg":
            q = self.fresh("q", "U")
            let = LetVal(q, TupleExpr([self.scalar(scope, ints, 1), self.tensor(scope, ints, 1)]))
            a = self.fresh("a", "S")
            use = HelperCall(H["pair_mix"], [Ref(q)], ["{}"]) if rng.random() < 0.6 else Bin("*", tuple_field(q, 0), Method("mean", tuple_field(q, 1)))
            return [let, Let(a, use)], [q, a]
        if kind == "array_slice":
            r = self.fresh("r", "A")
            let = LetVal(r, ListLit("[", [self.scalar(scope, ints, 1) for _ in range(3)], "A"))
            a = self.fresh("a", "S")
            c = rng.random()
            if c < 0.4:
                use = HelperCall(H["wsum"], [Ref(r)], ["&{}"])
            elif c < 0.7:
                use = Bin("*", elem(r, self.index(scope, ints)), self.varying(scope, ints, 1))
            else:
                use = Bin("+", elem(r, ix_lit(2)), HelperCall(H["fit"], [Ref(r), Ref(self.ys)], ["&{}", "{}"]))
            if "array_in_loop" in EXCLUDED and "(&" in use.render():
                return [let, Let(a, use)], [a]  # no later reads, in loops (FINDINGS)
            return [let, Let(a, use)], [r, a]
        if kind in ("zip_data", "ys_loop"):
            return self.data_loop(kind, scope, ints, depth)
        if kind in ("vec", "vec_loop"):
            return self.vec_group(kind, scope, ints, depth)
        if kind == "wrt_call":
            a = self.fresh("a", "S")
            return Let(a, Call(H["damp"], [self.scalar(scope, ints, 1), self.varying(scope, ints, 1)])), [a]
        if kind in ("checkpoint_for", "checkpoint_while"):
            return self.checkpoint_loop(kind, scope, ints, depth)
        raise AssertionError(kind)

    def struct_group(self, scope, ints, depth):
        rng = self.rng
        p = self.fresh("p", "P")
        m = rng.randint(1, 3)
        b = self.scalar(scope, ints, 1)
        if "data_vec" in EXCLUDED:
            b = Bin("+", b, Method("cos", self.active_leaf(scope, ints)))  # see FINDINGS
        stmts = [LetVal(p, StructLit(self.tensor(scope, ints, 1), b, self.lit(0.2, 1.2), m))]

        def field_store(sc, ints_):
            name = rng.choice(["b", "w"])
            if name == "b":
                op = rng.choice(["=", "+="])
                e = self.scalar(sc, ints_, 1)
                fn = (lambda ctx, v: ctx.env[p.name].__setitem__("b", ctx.value(v))) if op == "=" else (lambda ctx, v: ctx.env[p.name].__setitem__("b", ctx.value(ctx.env[p.name]["b"] + v)))
                return Stmt(f"{p.name}.b {op} {{0}};", lambda ctx, v: (copy_struct(ctx, p.name), fn(ctx, v)), (e,), mutates=p)
            e = Bin("+", Method("sin", field(p, "w")), Bin("*", self.tensor(sc, ints_, 2), self.lit(0.1, 0.5)))
            return Stmt(f"{p.name}.w = {{0}};", lambda ctx, v: (copy_struct(ctx, p.name), ctx.env[p.name].__setitem__("w", ctx.value(v))), (e,), mutates=p)

        def whole(sc, ints_):
            e = HelperCall(H["nudge"], [Ref(p), self.bounded(self.varying(sc, ints_, 1))], ["&{}", "{}"])
            return Stmt(f"{p.name} = {{0}};", set_var(p.name), (e,), mutates=p)

        for _ in range(rng.randint(1, 2)):
            c = rng.random()
            if c < 0.3:
                stmts.append(field_store(scope, ints))
            elif c < 0.5:
                stmts.append(whole(scope, ints))
            elif c < 0.8:
                self.constructs.add("struct_loop")
                stmts.append(self.loop_over(scope, ints, depth, lambda ints_: [rng.choice([field_store, whole])(scope, ints_)]))
            else:
                self.constructs.add("struct_branch")
                cond = self.cond(scope, ints, None)
                stmts.append(If(cond, [field_store(scope, ints)], [whole(scope, ints)] if rng.random() < 0.6 else []))
        a = self.fresh("a", "S")
        c = rng.random()
        if c < 0.4:
            use = HelperCall(H["score"], [Ref(p), self.tensor(scope, ints, 1)], ["&{}", "{}"])
        elif c < 0.6:
            use = Bin("*", field(p, "b"), self.varying(scope, ints, 1))
        elif c < 0.8:
            use = Method("dot", field(p, "w"), self.tensor(scope, ints, 1))
        elif "no_grad_cast" in EXCLUDED:
            use = Bin("+", Bin("*", field(p, "k"), field(p, "b")), Method("sum", field(p, "w")))
        else:
            use = Bin("+", Bin("*", field(p, "k"), field(p, "b")), Bin("*", Text(f"{p.name}.m as f64", lambda ctx: float(ctx.env[p.name]["m"]), prec=3, used=[p]), Method("sum", field(p, "w"))))
        stmts.append(Let(a, use))
        return stmts, [p, a]

    def data_loop(self, kind, scope, ints, depth):
        rng = self.rng
        target = self.target(scope)
        if kind == "ys_loop":
            form = rng.choice(["ref", "value", "enumerate"])
            if form == "enumerate":
                i = self.fresh("i", "N")
                i.bound = 3
                y = self.fresh("y", "R")
                local = scope + [y]
                term = Bin("*", Operand(y, bare=True), self.scalar(local, ints + [i], 1))
                body = [gp.Assign(target, "+=", Bin("*", term, self.lit(0.1, 0.6)))]
                body += self.extra_body(local, ints + [i], depth)
                return ForEach(f"({i.name}, {y.name})", "ys.iter().enumerate()", [i.name, y.name], lambda ctx: list(enumerate(ctx.env["ys"])), body), []
            y = self.fresh("y", "R" if form == "ref" else "D")
            local = scope + [y]
            term = Bin(rng.choice("*+-"), Operand(y, bare=True), self.scalar(local, ints, 1))
            body = [gp.Assign(target, "+=", Bin("*", term, self.lit(0.1, 0.6)))]
            body += self.extra_body(local, ints, depth)
            pattern = y.name if form == "ref" else f"&{y.name}"
            self.ys.uses += 1
            return ForEach(pattern, "ys", [y.name], lambda ctx: [(v,) for v in ctx.env["ys"]], body), []
        # zip: over a tensor or an array, with ys.
        sources = [v for v in scope if v.ty in "TA"]
        src = rng.choice(sources)
        src.uses += 1
        self.ys.uses += 1
        e = self.fresh("e", "R")
        y = self.fresh("y", "R")
        local = scope + [e, y]
        r = rng.random()
        if r < 0.4:
            term = Bin(rng.choice("*-"), Operand(e, bare=True), Operand(y, bare=True))
            term = Method(rng.choice(["tanh", "sin"]), term) if rng.random() < 0.5 else term
        else:
            term = Bin("*", Operand(e, bare=rng.random() < 0.5), Bin("+", Operand(y), self.scalar(local, ints, 2)))
        body = [gp.Assign(target, "+=", Bin("*", term, self.lit(0.1, 0.6)))]
        body += self.extra_body(local, ints, depth)
        it = f"{src.name}.iter().zip(ys)"
        return ForEach(f"({e.name}, {y.name})", it, [e.name, y.name], lambda ctx: list(zip(ctx.env[src.name], ctx.env["ys"])), body), []

    def extra_body(self, local, ints, depth):
        """Now and then one more statement in a loop body (no deeper nesting)."""
        if self.rng.random() < 0.4:
            s, _ = super().statement(local, ints, gp.MAX_DEPTH, None, "assign")
            return s if isinstance(s, list) else [s]
        return []

    def active_leaf(self, scope, ints):
        """`s` or an element of `x`, whichever the program differentiates."""
        if "s" in self.wrt and ("x" not in self.wrt or self.rng.random() < 0.5):
            return Ref(self.s)
        return gp.Index(self.x, self.index(scope, ints))

    def vec_group(self, kind, scope, ints, depth):
        rng = self.rng
        v = self.fresh("v", "V")
        n0 = rng.randint(1, 3)
        init = [self.scalar(scope, ints, 1) for _ in range(n0)]
        if "data_vec" in EXCLUDED:
            # Some element depends on a differentiated parameter (see FINDINGS).
            init[0] = Bin("+", init[0], Method("cos", self.active_leaf(scope, ints)))
        stmts = [LetVal(v, ListLit("vec![", init, "V"))]
        lo = hi = n0  # the fewest and most elements it may hold here

        def push(sc, ints_):
            return Stmt(f"{v.name}.push({{0}});", set_var(v.name, lambda old, new: old + [new]), (self.scalar(sc, ints_, 1),), mutates=v)

        def reassign(sc, ints_, lo_, hi_):
            k = rng.randint(1, 3)
            if "vec_shrink" in EXCLUDED:
                k = rng.randint(hi_, hi_ + 1)  # never shorter than it may be (FINDINGS)
            parts = [self.scalar(sc, ints_, 1) for _ in range(k)]
            if lo_ >= 1 and rng.random() < 0.6:
                parts[0] = Bin("+", Bin("*", elem(v, ix_lit(0)), self.lit(0.3, 0.9)), parts[0])
            if "data_vec" in EXCLUDED:
                parts[-1] = Bin("+", parts[-1], Method("cos", self.active_leaf(sc, ints_)))
            return Stmt(f"{v.name} = {{0}};", set_var(v.name), (ListLit("vec![", parts, "V"),), mutates=v), k

        steps = rng.randint(1, 2) if kind == "vec" else 1
        for _ in range(steps):
            c = rng.random()
            if kind == "vec" and (c < 0.4 or hi > 5):
                stmts.append(push(scope, ints))
                lo, hi = lo + 1, hi + 1
            elif kind == "vec" and c < 0.7:
                s, k = reassign(scope, ints, lo, hi)
                stmts.append(s)
                lo = hi = k
            elif kind == "vec":
                self.constructs.add("vec_branch")
                cond = self.cond(scope, ints, None)
                s, k = reassign(scope, ints, lo, hi)
                stmts.append(If(cond, [s], [push(scope, ints)]))
                lo, hi = min(k, lo + 1), max(k, hi + 1)
            elif rng.random() < 0.5 or hi > 5:
                box = []

                def body(ints_):
                    box.append(ints_[-1])
                    return [push(scope, ints_)]

                stmts.append(self.loop_over(scope, ints, depth, body))
                hi += 5  # trips: n <= 5, or a `while` counter below 4
            else:
                box = []

                def body(ints_):
                    s, k = reassign(scope, ints_, lo, hi)
                    box.append(k)
                    return [s]

                stmts.append(self.loop_over(scope, ints, depth, body))
                lo, hi = min(lo, box[0]), max(hi, box[0])
        a = self.fresh("a", "S")
        c = rng.random()
        if c < 0.3:
            use = HelperCall(H["wsum"], [Ref(v)], ["&{}"])
        elif c < 0.5:
            use = HelperCall(H["fit"], [Ref(v), Ref(self.ys)], ["&{}", "{}"])
        elif c < 0.7:
            use = Bin("*", elem(v, ix_lit(rng.randrange(lo))), self.varying(scope, ints, 1))
        elif c < 0.85:
            use = Bin("+", elem(v, ix_lit(0)), Bin("*", Text(f"{v.name}.len() as f64", lambda ctx: float(len(ctx.env[v.name])), prec=3, used=[v]), self.lit(0.1, 0.3)))
        else:
            # Iterated: `for e in v.iter()` or `for e in &v`.
            e = self.fresh("e", "R")
            target = self.target(scope)
            stmts.append(Let(a, Bin("*", elem(v, ix_lit(0)), self.lit(0.2, 0.8))))
            term = Method(rng.choice(["tanh", "sin"]), Operand(e, bare=True)) if rng.random() < 0.5 else Bin("*", Operand(e, bare=True), self.lit(0.2, 0.8))
            it = rng.choice([f"{v.name}.iter()", f"&{v.name}"])
            v.uses += 1
            stmts.append(ForEach(e.name, it, [e.name], lambda ctx: [(x,) for x in ctx.env[v.name]], [gp.Assign(target, "+=", term)]))
            return stmts, [a]
        stmts.append(Let(a, use))
        return stmts, [a]

    def checkpoint_loop(self, kind, scope, ints, depth):
        rng = self.rng
        attr = rng.choice(["#[checkpoint]", "#[checkpoint]", "#[checkpoint(snapshots = 2)]"])
        # A checkpointed body assigns into parts only of values it binds itself, and the
        # values it carries are floats and tensors.
        outer = [v for v in scope if not v.elems and v.ty in "TSN"]
        saved_mixed = gp.MIXED
        self.restrict, gp.MIXED = True, False
        try:
            if kind == "checkpoint_for":
                i = self.fresh("i", "N")
                if self.has_n and rng.random() < 0.4:
                    end = ix_var(self.n)
                else:
                    trips = rng.choice([0, 1, 2, 3, 5])
                    i.bound = trips
                    end = ix_lit(trips)
                    self.empty_range |= trips == 0
                body = self.block(outer, ints + [i], depth + 1, must_mutate=True)
                return CheckpointFor(i, 0, end, body, attr), []
            k = self.fresh("k", "N")
            b = rng.choice([0, 1, 2, 4])
            cond = DataCond(f"{k.name} < {b}", lambda env, k=k.name, b=b: env[k] < b)
            if rng.random() < 0.4:
                cond = AndCond(cond, self.value_cond(outer, ints))
            body = self.block(outer, ints + [k], depth + 1, must_mutate=True)
            return CheckpointWhile(k, cond, body, attr), []
        finally:
            self.restrict, gp.MIXED = False, saved_mixed

    # -- rendering

    def render(self):
        wrt = {"xs": "x, s", "x": "x", "s": "s"}[self.wrt]
        params = "x: Tensor<f64, 3>, s: f64, ys: &[f64]" + (", n: usize" if self.has_n else "")
        lines = [f"// Covers: {', '.join(sorted(self.constructs)) or 'straight-line code'}."]
        if self.empty_range:
            lines.append("#[allow(clippy::reversed_empty_ranges)] // a `for` over 0..0")
        lines.append(f"#[differentiable(wrt({wrt}))]")
        lines.append(f"fn {self.name}({params}) -> f64 {{")
        body = render_block(self.body, "    ") + [f"    {self.result.render()}"]
        lines += quiet_unused(body)
        lines.append("}")
        lines.append("")
        args = "x, s, ys" + (", n" if self.has_n else "")
        name = self.name
        # The closures' common shape: gradients, tangents and H v as (x part, s part).
        if self.wrt == "xs":
            full, tan = "g", "d.0, d.1"
        elif self.wrt == "x":
            full, tan = "(g, 0.0)", "d.0"
        else:
            full, tan = "(Tensor::zeros(), g)", "d.1"
        hv = full.replace("g", "h")
        lines.append("/// All four modes against central differences at two points.")
        lines.append("#[test]")
        lines.append(f"fn {name}_modes() {{")
        lines.append(f"    for (x, s, ys, {'n, ' if self.has_n else ''}expected) in [")
        for p in self.points:
            xs = ", ".join(Lit(v).render() for v in p["x"])
            ys = ", ".join(Lit(v).render() for v in p["ys"])
            n = f", {p['n']}" if self.has_n else ""
            value = Lit(self.evaluate(p)).render()
            lines.append(f"        (tensor![{xs}], {Lit(p['s']).render()}, [{ys}]{n}, {value}),")
        lines.append("    ] {")
        lines.append("        let ys = &ys[..];")
        lines.append("        check_modes(&Modes {")
        lines.append(f'            name: "{name}",')
        lines.append(f"            wrt: ({str('x' in self.wrt).lower()}, {str('s' in self.wrt).lower()}),")
        lines.append("            x,")
        lines.append("            s,")
        lines.append("            expected,")
        lines.append(f"            f: &|x, s| {name}({args}),")
        lines.append(f"            grad: &|x, s| {{ let (v, g) = {name}_grad({args}); (v, {full}) }},")
        lines.append(f"            vjp: &|x, s| {{ let (v, pb) = {name}_vjp({args}); let g = pb.backward(1.0); (v, {full}) }},")
        lines.append(f"            jvp: &|x, s, d| {name}_jvp({args}, {tan}),")
        lines.append(f"            hvp: &|x, s, d| {{ let (v, g, h) = {name}_hvp({args}, {tan}); (v, {full}, {hv}) }},")
        lines.append("        });")
        lines.append("    }")
        lines.append("}")
        return "\n".join(lines)


def quiet_unused(lines):
    """`let a = ..;` of a name the body never reads again becomes `let _a = ..;` (a value
    computed in a loop body and folded nowhere)."""
    text = "\n".join(lines)
    out = []
    for line in lines:
        m = re.match(r"(\s*let (?:mut )?)([a-z]\w*)( = .*)", line)
        if m and len(re.findall(rf"\b{m.group(2)}\b", text)) == 1:
            line = f"{m.group(1)}_{m.group(2)}{m.group(3)}"
        out.append(line)
    return out


def copy_struct(ctx, name):
    """A struct value is a dict: copy it before a field store (values do not alias)."""
    ctx.env[name] = dict(ctx.env[name])


def generate(seed, count):
    rng = random.Random(seed)
    programs = []
    rejected = 0
    while len(programs) < count:
        focus = FOCUS[len(programs) % len(FOCUS)]
        if focus in EXCLUDED:
            focus = "for_const"
        try:
            programs.append(RandomProgram(rng, len(programs), focus).build())
        except (Reject, IndexError):
            rejected += 1
    return programs, rejected


HEADER = """\
//! @generated by `python3 scripts/gen_random_programs.py --seed {seed} --count {count}{part}`:
//! do not edit by hand; change the generator and run it again.
//!
//! Random `#[differentiable]` programs over `x: Tensor<f64, 3>` and `s: f64` (a `wrt`
//! subset of them), with data `ys: &[f64]` (and some `n: usize`), mixing a struct with
//! `#[no_grad]` fields, tuples, arrays passed to slice parameters, data references
//! (`for (e, y) in t.iter().zip(ys)`, `for &y in ys`), `Vec`s pushed to and reassigned in
//! loops and branches, calls to callees whose `wrt` leaves a parameter out, and
//! `#[checkpoint]` loops, besides the loops, branches, element stores and calls of
//! tests/generated_programs.rs. Each is checked at two points in all four modes (see
//! tests/common/modes.rs): `_grad` against central differences, `_vjp`'s `backward(1.0)`
//! equal to the gradient, `_jvp` against the directional difference and `_hvp` against
//! differences of `_grad`; its value against the generator's interpreter. The generator
//! kept only programs whose comparisons stay {margin} or more from their thresholds, whose
//! values stay within {mag}, and whose first and second differences agree at two steps.
//! Shapes found failing are left out: see FINDINGS in the script.

#[path = "common/modes.rs"]
mod modes;

use autodiff::{{Tensor, differentiable, tensor}};
use modes::{{Modes, check_modes}};
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--files", type=int, default=1, help="split the programs over this many test files")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests" / "random_programs.rs")
    ap.add_argument("--with", dest="with_", action="append", default=[], help="generate an excluded shape (FINDINGS)")
    args = ap.parse_args()
    for s in args.with_:
        EXCLUDED.discard(s)
    programs, rejected = generate(args.seed, args.count)
    per = math.ceil(len(programs) / args.files)
    outs = []
    for f in range(args.files):
        out = args.out if f == 0 else args.out.with_name(f"{args.out.stem}_{f + 1}.rs")
        chunk = programs[f * per : (f + 1) * per]
        part = f" --files {args.files}" if args.files > 1 else ""
        parts = [HEADER.format(seed=args.seed, count=args.count, part=part, margin=gp.MARGIN, mag=gp.MAX_MAGNITUDE)]
        parts += [STRUCT + "\n"]
        parts += [h.source + "\n" for h in gp.HELPERS + NEW_HELPERS]
        parts += [p.render() + "\n" for p in chunk]
        out.write_text("\n".join(parts))
        outs.append(out)
    rustfmt = shutil.which("rustfmt")
    if rustfmt:
        subprocess.run([rustfmt, "--edition", "2024", *map(str, outs)], check=True)
    else:
        print("warning: rustfmt not found; the files are not formatted", file=sys.stderr)
    covered = {}
    for p in programs:
        for c in p.constructs:
            covered[c] = covered.get(c, 0) + 1
    print(f"wrote {', '.join(map(str, outs))}: {len(programs)} programs ({rejected} drawn and rejected)")
    print("programs per construct:", ", ".join(f"{k} {v}" for k, v in sorted(covered.items())))


if __name__ == "__main__":
    main()
