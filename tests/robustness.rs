//! Programs of issue "Every program in the language compiles": each gave a wrong result,
//! a panic or a compile error inside generated code; each is checked here against central
//! finite differences (`f64` step 1e-6) or a closed form.

use autodiff::{Differentiable, Tensor, differentiable, gradcheck, tensor};

/// Central difference of a scalar function of one `f64`.
fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-7 * (1.0 + want.abs()),
        "{what}: got {got}, want {want}"
    );
}

#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub struct Weighted {
    pub w: f64,
    #[no_grad]
    pub k: f64,
}

#[differentiable]
fn weighted(p: Weighted) -> f64 {
    p.w * p.k * p.w
}

/// A direction built like a gradient holds the `#[no_grad]` field's value; `_jvp` and
/// `_hvp` read it as data, not as a derivative.
#[test]
fn no_grad_fields_of_directions_are_data() {
    let p = Weighted { w: 2.0, k: 3.0 };
    let (_, grad) = weighted_grad(p);
    assert_eq!(grad, Weighted { w: 12.0, k: 3.0 });
    let direction = Weighted { w: 1.0, k: 3.0 };
    let (_, d) = weighted_jvp(p, direction);
    close("jvp", d, central(|w| weighted(Weighted { w, k: 3.0 }), 2.0));
    let (_, g, hv) = weighted_hvp(p, direction);
    assert_eq!(g.w, 12.0);
    close(
        "hvp",
        hv.w,
        central(|w| weighted_grad(Weighted { w, k: 3.0 }).1.w, 2.0),
    );
}

/// A struct literal's `#[no_grad]` field is data even when built from a differentiated
/// value: no gradient flows through it.
#[differentiable]
fn through_a_literal(x: f64) -> f64 {
    let q = Weighted { w: x * x, k: x };
    q.w * q.k
}

#[test]
fn no_grad_fields_of_literals_are_data() {
    let x = 3.0;
    let frozen = |y: f64| y * y * x;
    let (_, g) = through_a_literal_grad(x);
    close("grad", g, central(frozen, x));
    let (_, d) = through_a_literal_jvp(x, 1.0);
    close("jvp", d, central(frozen, x));
    let (_, g, h) = through_a_literal_hvp(x, 1.0);
    close("hvp grad", g, central(frozen, x));
    close("hvp", h, 2.0 * x);
}

/// An `if` statement whose condition detaches a differentiated value, and whose branches
/// assign only data, leaves that value's gradient alone.
#[differentiable]
fn detached_condition(x: f64) -> f64 {
    let v = 2.0 * x;
    let mut s = 1.0;
    if v.detach() > 0.0 {
        s = 3.0;
    }
    v * v + s
}

#[differentiable]
fn detached_conditions_on_a_tensor(x: Tensor<f64, 2>) -> f64 {
    let v = x * 2.0;
    let mut s = 1.0;
    if v.sum().detach() > 0.0 && v.detach().sum() > 0.0 {
        s = 3.0;
    }
    (v * v).sum() + s
}

#[test]
fn detached_conditions_keep_gradients() {
    let (_, g) = detached_condition_grad(2.0);
    close("grad", g, central(detached_condition, 2.0));
    assert_eq!(g, 16.0);
    let (_, d) = detached_condition_jvp(2.0, 1.0);
    assert_eq!(d, 16.0);
    let (_, _, h) = detached_condition_hvp(2.0, 1.0);
    assert_eq!(h, 8.0);
    let x = tensor![1.0, 2.0];
    let (_, g) = detached_conditions_on_a_tensor_grad(x);
    let report = gradcheck(detached_conditions_on_a_tensor, x, g).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

#[differentiable]
fn vec_output(x: f64) -> Vec<f64> {
    vec![x * 2.0, x * x]
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct CloneOnly {
    pub a: f64,
    pub b: Vec<f64>,
}

#[differentiable]
fn clone_only_output(x: f64) -> CloneOnly {
    CloneOnly {
        a: x * x,
        b: vec![x, 3.0 * x],
    }
}

#[differentiable]
fn tuple_with_vec_output(x: f64) -> (f64, Vec<f64>) {
    (x.sin(), vec![x])
}

/// Outputs that are not `Copy` (`f_hvp` used to move its seed, then borrow it).
#[test]
fn outputs_that_are_not_copy() {
    let (y, pullback) = vec_output_vjp(3.0);
    assert_eq!(y, vec![6.0, 9.0]);
    assert_eq!(pullback.backward(vec![1.0, 1.0]), 8.0);
    let (y, pullback) = clone_only_output_vjp(2.0);
    assert_eq!(y.b, vec![2.0, 6.0]);
    let seed = CloneOnly {
        a: 1.0,
        b: vec![1.0, 1.0],
    };
    assert_eq!(pullback.backward(seed), 4.0 + 1.0 + 3.0);
    let ((s, v), pullback) = tuple_with_vec_output_vjp(0.5);
    assert_eq!((s, v), (0.5_f64.sin(), vec![0.5]));
    close(
        "tuple",
        pullback.backward((1.0, vec![2.0])),
        0.5_f64.cos() + 2.0,
    );
}

/// Data references bound by a pattern are operands like values (`&f64 * f64` is Rust).
#[differentiable(wrt(p))]
fn zipped_log_likelihood(p: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for xy in xs.iter().zip(ys) {
        let (x, y) = xy;
        total = total + y * p.ln() + x * p;
    }
    for (x, y) in xs.iter().zip(ys.iter()) {
        total = total + (p * x).sin() * y;
    }
    total
}

#[test]
fn data_references_from_patterns() {
    let (xs, ys) = ([1.0, 2.0, 0.5], [3.0, 4.0, -1.0]);
    let f = |p: f64| zipped_log_likelihood(p, &xs, &ys);
    let (_, g) = zipped_log_likelihood_grad(0.7, &xs, &ys);
    close("grad", g, central(f, 0.7));
    let (_, d) = zipped_log_likelihood_jvp(0.7, &xs, &ys, 1.0);
    close("jvp", d, central(f, 0.7));
    let (_, _, h) = zipped_log_likelihood_hvp(0.7, &xs, &ys, 1.0);
    close(
        "hvp",
        h,
        central(|p| zipped_log_likelihood_grad(p, &xs, &ys).1, 0.7),
    );
}

/// Op methods with no `f64` namesake, called on data, inside a differentiated body.
#[differentiable(wrt(x))]
fn data_activations(x: f64, a: f64, t: Tensor<f64, 2>) -> f64 {
    let s = a.sigmoid() + a.relu() + a.celu(1.0);
    let u = t.clamp(0.0, 1.0).sum() + t.softmax().sum() + t.logsumexp();
    let u = u + t.max(t * 0.5).sum() + t.min(t * 0.5).sum();
    x * s + u * x.sin()
}

#[test]
fn data_calls_of_op_methods() {
    let t = tensor![0.5, 2.0];
    let f = |x: f64| data_activations(x, 0.5, t);
    let (_, g) = data_activations_grad(1.0, 0.5, t);
    close("grad", g, central(f, 1.0));
}

/// `m = 1.0` on a float: the literal has `m`'s type.
#[differentiable]
fn float_reassigned_a_literal(x: f64) -> f64 {
    let mut m = x * 2.0;
    m = 1.0;
    m.sin() + x * m
}

#[test]
fn literal_assigned_to_a_float() {
    let (_, g) = float_reassigned_a_literal_grad(0.3);
    assert_eq!(g, 1.0);
    let (_, d) = float_reassigned_a_literal_jvp(0.3, 2.0);
    assert_eq!(d, 2.0);
}

#[derive(Clone, Debug, Differentiable)]
pub struct Carried {
    pub a: Vec<f64>,
}

/// `Vec`s and a `Clone`-only struct carried by `while` loops and merged by branches.
#[differentiable]
fn vecs_through_while_and_if(x: f64) -> f64 {
    let mut v = vec![x, 2.0 * x];
    let mut k = 0;
    while k < 2 {
        v = vec![v[0] * x, v[1]];
        k += 1;
    }
    if x > 0.0 {
        v = vec![v[0], v[1] * x];
    }
    let mut s = Carried { a: vec![x, x] };
    let mut n = 0;
    while n < 2 {
        s = Carried {
            a: vec![s.a[0] * x, s.a[1]],
        };
        n += 1;
    }
    v[0] + v[1] + s.a[0] + s.a[1]
}

#[test]
fn non_copy_values_in_while_loops_and_branches() {
    for x in [2.0, -1.5] {
        let (y, g) = vecs_through_while_and_if_grad(x);
        assert_eq!(y, vecs_through_while_and_if(x));
        close("grad", g, central(vecs_through_while_and_if, x));
        let (_, d) = vecs_through_while_and_if_jvp(x, 1.0);
        close("jvp", d, g);
        let (_, _, h) = vecs_through_while_and_if_hvp(x, 1.0);
        close(
            "hvp",
            h,
            central(|x| vecs_through_while_and_if_grad(x).1, x),
        );
    }
}

/// A raw identifier names a function (the macro used to panic).
#[differentiable]
fn r#match(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn calls_a_raw_identifier(x: f64) -> f64 {
    r#match(x) * 2.0
}

#[test]
fn raw_identifiers() {
    assert_eq!(match_grad(3.0), (9.0, 6.0));
    assert_eq!(match_jvp(3.0, 1.0), (9.0, 6.0));
    assert_eq!(calls_a_raw_identifier_grad(3.0), (18.0, 12.0));
}

#[derive(Clone, Debug, Differentiable)]
pub struct Weights {
    pub w: f64,
}

/// Comparisons and `.detach()` of differentiated by-reference parameters (a reference in
/// `f`, a value in the derivatives).
#[differentiable]
fn compares_references(m: &Weights, b: &f64, x: &Tensor<f64, 2>) -> f64 {
    let mut s = 0.0;
    if (*b) > 0.0 && x.detach().sum() > 0.0 {
        s = 1.0;
    }
    m.w * *b + (x * *b).sum() + s
}

#[test]
fn references_in_conditions() {
    let (m, b, x) = (Weights { w: 2.0 }, 3.0, tensor![1.0, 2.0]);
    let (y, (gm, gb, gx)) = compares_references_grad(&m, &b, &x);
    assert_eq!(y, 6.0 + 9.0 + 1.0);
    assert_eq!((gm.w, gb, gx), (3.0, 2.0 + 3.0, tensor![3.0, 3.0]));
}

struct Scaled {
    s: f64,
}

impl Scaled {
    /// `self` left out of `wrt`, read in a branch (the pullback borrows it).
    #[differentiable(wrt(x))]
    fn apply(&self, x: f64) -> f64 {
        let mut y = x;
        if x > 0.0 {
            y = y * self.s;
        }
        y * x
    }
}

#[test]
fn data_receiver_read_in_a_branch() {
    let m = Scaled { s: 3.0 };
    let (_, g) = m.apply_grad(2.0);
    close("grad", g, central(|x| m.apply(x), 2.0));
    let (_, pullback) = m.apply_vjp(2.0);
    assert_eq!(pullback.backward(1.0), g);
}

/// A helper differentiating all its arguments, given data arrays by the caller.
#[differentiable]
fn force(x: &[f64; 4], m: &[f64; 4]) -> f64 {
    x[0] * m[1] + x[2] * m[3] * x[2]
}

#[differentiable(wrt(x))]
fn calls_force(x: [f64; 4], m: &[f64; 4]) -> f64 {
    force(&x, m) * 2.0
}

/// An array passed to a slice parameter, as a literal and by name.
#[differentiable]
fn product_of_first_two(v: &[f64]) -> f64 {
    v[0] * v[1]
}

#[differentiable]
fn passes_arrays_to_slices(x: f64) -> f64 {
    let a = [x, 3.0];
    product_of_first_two(&[x, 2.0 * x]) + product_of_first_two(&a) * x
}

#[test]
fn arrays_at_call_sites() {
    let m = [1.0, 2.0, 3.0, 4.0];
    let (_, g) = calls_force_grad([1.0, 2.0, 3.0, 4.0], &m);
    assert_eq!(g, [4.0, 0.0, 48.0, 0.0]);
    let (_, d) = calls_force_jvp([1.0, 2.0, 3.0, 4.0], &m, [0.0, 0.0, 1.0, 0.0]);
    assert_eq!(d, 48.0);
    let (_, g) = passes_arrays_to_slices_grad(1.5);
    close("grad", g, central(passes_arrays_to_slices, 1.5));
    let (_, d) = passes_arrays_to_slices_jvp(1.5, 1.0);
    close("jvp", d, g);
    let (_, _, h) = passes_arrays_to_slices_hvp(1.5, 1.0);
    close(
        "hvp",
        h,
        central(|x| passes_arrays_to_slices_grad(x).1, 1.5),
    );
}

#[derive(Clone, Debug, Differentiable)]
pub struct Series {
    pub a: Vec<f64>,
    pub b: f64,
}

/// `.clone()` of differentiated values: the same value, sharing its gradient.
#[differentiable]
fn clones(x: &Vec<f64>, s: Series) -> f64 {
    let y = x.clone();
    let t = s.clone();
    y[0] * y[1] + t.a[0] * t.b
}

#[test]
fn clones_of_differentiated_values() {
    let (x, s) = (
        vec![1.0, 2.0],
        Series {
            a: vec![3.0],
            b: 4.0,
        },
    );
    let (_, (gx, gs)) = clones_grad(&x, s.clone());
    assert_eq!((gx, gs.a, gs.b), (vec![2.0, 1.0], vec![4.0], 3.0));
    let direction = Series {
        a: vec![0.0],
        b: 1.0,
    };
    let (_, d) = clones_jvp(&x, s, vec![1.0, 0.0], direction);
    assert_eq!(d, 2.0 + 3.0);
}

/// `#[checkpoint]` on a loop of data only, and an element store after a checkpointed
/// loop.
#[differentiable]
fn checkpoints_around_data(x: f64) -> f64 {
    let mut total = x;
    let mut count = 0;
    #[checkpoint]
    for i in 0..3 {
        count += i;
    }
    let mut v = vec![x, x];
    #[checkpoint]
    for _ in 0..3 {
        total = total * 1.5;
    }
    v[0] = total;
    v[0] + v[1] + count as f64
}

#[test]
fn checkpoint_attributes_anywhere() {
    let (y, g) = checkpoints_around_data_grad(1.0);
    assert_eq!(y, 1.5_f64.powi(3) + 1.0 + 3.0);
    assert_eq!(g, 1.5_f64.powi(3) + 1.0);
}

/// Operators whose operands are all data references (`&Tensor`), in a body whose other
/// operands are differentiated.
#[differentiable(wrt(x))]
fn borrowed_tensors(x: Tensor<f64, 2>, b: &Tensor<f64, 2>, c: &Tensor<f64, 2>) -> f64 {
    let d = b * 2.0;
    let e = b + c;
    let f = -c / 2.0;
    (x * d + e * x.sin() + f).sum()
}

#[test]
fn operators_on_borrowed_tensors() {
    let (x, b, c) = (tensor![1.0, 2.0], tensor![1.0, 2.0], tensor![1.0, 1.0]);
    let (_, g) = borrowed_tensors_grad(x, &b, &c);
    let report = gradcheck(|x| borrowed_tensors(x, &b, &c), x, g).within(1e-7, 1e-6);
    assert!(report.passed(), "{report}");
}

/// `erf` on a data float (std's `f64::erf` is unstable): the runtime's, in the body.
#[differentiable(wrt(x))]
fn erf_of_data(x: f64, k: f64) -> f64 {
    x * k.erf() + (x * 0.5).erfc()
}

#[test]
fn erf_on_data() {
    let (_, g) = erf_of_data_grad(0.3, 0.7);
    close("grad", g, central(|x| erf_of_data(x, 0.7), 0.3));
}
