//! Every oracle case that needs no control flow, written as a `#[differentiable]`
//! function and compared with PyTorch's float64 value and gradients to 1e-12.

mod common;

use autodiff::{Tensor, differentiable};
use common::{assert_close, case, elems};

const REL: f64 = 1e-12;

type M23 = Tensor<f64, 2, 3>;

/// Runs `f_grad` on the case's inputs and checks the value and every gradient.
macro_rules! check {
    ($case:literal, $grad_fn:ident($($input:ident : $r:literal x $c:literal),*) $(, const $k:ident : $kr:literal x $kc:literal)*) => {{
        let case = case($case);
        $(let $input = case.input::<$r, $c>(stringify!($input));)*
        $(let $k = case.constant::<$kr, $kc>(stringify!($k));)*
        #[allow(unused_parens)]
        let (out, ($($input),*)) = $grad_fn($($input,)* $($k),*);
        assert_close(concat!($case, " output"), &[out], &case.output(), REL);
        $(assert_close(concat!($case, " grad ", stringify!($input)), &elems($input), &case.grad(stringify!($input)), REL);)*
    }};
}

#[differentiable]
fn seed_calc(a: Tensor<f64, 3>) -> f64 {
    let b = a * 2.0 + 1.0;
    let c = b * b;
    let d = c / (c + 2.0);
    d.mean()
}

#[test]
fn seed_calc_matches_pytorch_and_closed_form() {
    check!("seed_calc", seed_calc_grad(a: 3 x 1));
    let (_, da) = seed_calc_grad(Tensor::from_row_slice(&[1.0, 2.0, 3.0]));
    let closed_form = [8.0 / 121.0, 40.0 / 2187.0, 56.0 / 7803.0];
    for i in 0..3 {
        assert!((da[i] - closed_form[i]).abs() <= 1e-15, "{i}: {}", da[i]);
    }
}

#[differentiable]
fn seed_square_sum(x: Tensor<f64, 2, 2>) -> f64 {
    (x + 1.0).powi(2).sum()
}

#[test]
fn seed_square_sum_is_four_not_five() {
    check!("seed_square_sum", seed_square_sum_grad(x: 2 x 2));
}

#[differentiable]
fn seed_mean_pow4(x: Tensor<f64, 2, 2>) -> f64 {
    let y = x.powi(2);
    let z = y * y * 3.0;
    z.mean()
}

#[test]
fn seed_mean_pow4_matches() {
    check!("seed_mean_pow4", seed_mean_pow4_grad(x: 2 x 2));
}

#[differentiable(wrt(w1, w2, w3, x))]
fn mlp(
    w1: Tensor<f64, 3, 10>,
    w2: Tensor<f64, 10, 10>,
    w3: Tensor<f64, 10, 1>,
    x: Tensor<f64, 3, 1>,
    t: Tensor<f64, 1, 1>,
) -> f64 {
    let h1 = w1.t().matmul(x).celu(1.0);
    let h2 = w2.t().matmul(h1).celu(1.0);
    let y = w3.t().matmul(h2).celu(1.0);
    (y - t).powi(2).mean()
}

#[test]
fn mlp_celu_3layer_matches() {
    let c = case("mlp_celu_3layer");
    let (out, (g1, g2, g3, gx)) = mlp_grad(
        c.input("W1"),
        c.input("W2"),
        c.input("W3"),
        c.input("x"),
        c.constant("t"),
    );
    // The issue asks for 1e-10 on the MLP; it meets the op bar of 1e-12.
    assert_close("mlp output", &[out], &c.output(), REL);
    assert_close("mlp grad W1", &elems(g1), &c.grad("W1"), REL);
    assert_close("mlp grad W2", &elems(g2), &c.grad("W2"), REL);
    assert_close("mlp grad W3", &elems(g3), &c.grad("W3"), REL);
    assert_close("mlp grad x", &elems(gx), &c.grad("x"), REL);
}

macro_rules! elementwise_binary {
    ($($name:ident: |$a:ident, $b:ident| $body:expr;)*) => {$(
        #[differentiable(wrt($a, $b))]
        fn $name($a: M23, $b: M23, g: M23) -> f64 {
            (g * $body).sum()
        }
    )*};
}

// The oracle names its inputs A, B; Rust wants lower case, so the macro maps them.
elementwise_binary! {
    add_tt: |a, b| (a + b);
    sub_tt: |a, b| (a - b);
    mul_tt: |a, b| (a * b);
    div_tt: |a, b| (a / b);
}

/// Like `check!`, for cases whose inputs are upper-case in the oracle.
macro_rules! check_upper {
    ($case:literal, $grad_fn:ident($($input:ident = $name:literal),*) $(, const $k:ident = $kname:literal)*) => {{
        let case = case($case);
        $(let $input: M23 = case.input::<2, 3>($name);)*
        $(let $k: M23 = case.constant::<2, 3>($kname);)*
        #[allow(unused_parens)]
        let (out, ($($input),*)) = $grad_fn($($input,)* $($k),*);
        assert_close(concat!($case, " output"), &[out], &case.output(), REL);
        $(assert_close(concat!($case, " grad ", $name), &elems($input), &case.grad($name), REL);)*
    }};
}

#[test]
fn tensor_tensor_arithmetic_matches() {
    check_upper!("add_tt", add_tt_grad(a = "A", b = "B"), const g = "G");
    check_upper!("sub_tt", sub_tt_grad(a = "A", b = "B"), const g = "G");
    check_upper!("mul_tt", mul_tt_grad(a = "A", b = "B"), const g = "G");
    check_upper!("div_tt", div_tt_grad(a = "A", b = "B"), const g = "G");
}

#[differentiable]
fn scalar_add_both_sides(a: M23, b: M23) -> f64 {
    ((a + 2.5) * (0.5 + b)).sum()
}

#[differentiable]
fn scalar_sub_both_sides(a: M23, b: M23) -> f64 {
    ((a - 2.5) * (0.5 - b)).sum()
}

#[differentiable]
fn scalar_mul_both_sides(a: M23, b: M23) -> f64 {
    ((a * 3.0) * (-0.5 * b)).sum()
}

#[differentiable]
fn scalar_div_both_sides(a: M23, p: M23) -> f64 {
    ((a / 4.0) * (2.0 / p)).sum()
}

#[test]
fn scalar_broadcasting_on_both_sides_matches() {
    check_upper!(
        "scalar_add_both_sides",
        scalar_add_both_sides_grad(a = "A", b = "B")
    );
    check_upper!(
        "scalar_sub_both_sides",
        scalar_sub_both_sides_grad(a = "A", b = "B")
    );
    check_upper!(
        "scalar_mul_both_sides",
        scalar_mul_both_sides_grad(a = "A", b = "B")
    );
    check_upper!(
        "scalar_div_both_sides",
        scalar_div_both_sides_grad(a = "A", p = "P")
    );
}

macro_rules! weighted_unary {
    ($($name:ident: |$x:ident| $body:expr;)*) => {$(
        #[differentiable(wrt($x))]
        fn $name($x: M23, g: M23) -> f64 {
            (g * $body).sum()
        }
    )*};
}

weighted_unary! {
    neg: |a| (-a);
    pow_int3: |a| a.powi(3);
    pow_int_neg2: |p| p.powi(-2);
    pow_float: |p| p.powf(2.5);
    pow_float_half: |p| p.powf(0.5);
    exp: |a| a.exp();
    log: |p| p.ln();
    sqrt: |p| p.sqrt();
    sin: |a| a.sin();
    cos: |a| a.cos();
    tanh: |a| a.tanh();
    sigmoid: |a| a.sigmoid();
    relu_with_zero: |z| z.relu();
    celu_alpha1: |z| z.celu(1.0);
    celu_alpha05: |z| z.celu(0.5);
    abs_with_zero: |z| z.abs();
}

#[test]
fn elementwise_ops_match() {
    check_upper!("neg", neg_grad(a = "A"), const g = "G");
    check_upper!("pow_int3", pow_int3_grad(a = "A"), const g = "G");
    check_upper!("pow_int_neg2", pow_int_neg2_grad(p = "P"), const g = "G");
    check_upper!("pow_float", pow_float_grad(p = "P"), const g = "G");
    check_upper!("pow_float_half", pow_float_half_grad(p = "P"), const g = "G");
    check_upper!("exp", exp_grad(a = "A"), const g = "G");
    check_upper!("log", log_grad(p = "P"), const g = "G");
    check_upper!("sqrt", sqrt_grad(p = "P"), const g = "G");
    check_upper!("sin", sin_grad(a = "A"), const g = "G");
    check_upper!("cos", cos_grad(a = "A"), const g = "G");
    check_upper!("tanh", tanh_grad(a = "A"), const g = "G");
    check_upper!("sigmoid", sigmoid_grad(a = "A"), const g = "G");
}

#[test]
fn kinks_follow_pytorch() {
    check_upper!("relu_with_zero", relu_with_zero_grad(z = "Z"), const g = "G");
    check_upper!("abs_with_zero", abs_with_zero_grad(z = "Z"), const g = "G");
    check_upper!("celu_alpha1", celu_alpha1_grad(z = "Z"), const g = "G");
    check_upper!("celu_alpha05", celu_alpha05_grad(z = "Z"), const g = "G");
}

#[differentiable]
fn sum_times_mean(a: M23, b: M23) -> f64 {
    a.sum() * b.mean()
}

#[differentiable]
fn mean_of_square(a: M23) -> f64 {
    (a * a).mean()
}

#[differentiable]
fn norm_matrix(a: M23) -> f64 {
    a.norm()
}

#[test]
fn reductions_match() {
    check_upper!("sum_times_mean", sum_times_mean_grad(a = "A", b = "B"));
    check_upper!("mean_of_square", mean_of_square_grad(a = "A"));
    check_upper!("norm_matrix", norm_matrix_grad(a = "A"));
}

#[differentiable]
fn norm_vector(v: Tensor<f64, 3, 1>) -> f64 {
    v.norm()
}

#[differentiable(wrt(a, v))]
fn matmul_2x3_3x1(a: M23, v: Tensor<f64, 3, 1>, u: Tensor<f64, 2, 1>) -> f64 {
    (u * a.matmul(v)).sum()
}

#[differentiable]
fn matmul_2x3_3x2(a: M23, h: Tensor<f64, 3, 2>) -> f64 {
    a.matmul(h).powi(2).sum()
}

#[differentiable(wrt(a))]
fn transpose(a: M23, h: Tensor<f64, 3, 2>) -> f64 {
    (h * a.t()).sum()
}

#[test]
fn products_and_shapes_match() {
    check!("norm_vector", norm_vector_grad(v: 3 x 1));
    let c = case("matmul_2x3_3x1");
    let (out, (ga, gv)) = matmul_2x3_3x1_grad(c.input("A"), c.input("v"), c.constant("u"));
    assert_close("matmul_2x3_3x1 output", &[out], &c.output(), REL);
    assert_close("matmul_2x3_3x1 grad A", &elems(ga), &c.grad("A"), REL);
    assert_close("matmul_2x3_3x1 grad v", &elems(gv), &c.grad("v"), REL);

    let c = case("matmul_2x3_3x2");
    let (out, (ga, gh)) = matmul_2x3_3x2_grad(c.input("A"), c.input("H"));
    assert_close("matmul_2x3_3x2 output", &[out], &c.output(), REL);
    assert_close("matmul_2x3_3x2 grad A", &elems(ga), &c.grad("A"), REL);
    assert_close("matmul_2x3_3x2 grad H", &elems(gh), &c.grad("H"), REL);

    let c = case("transpose");
    let (out, ga) = transpose_grad(c.input("A"), c.constant("H"));
    assert_close("transpose output", &[out], &c.output(), REL);
    assert_close("transpose grad A", &elems(ga), &c.grad("A"), REL);
}

/// Every case of the oracle is covered by a test here, except the two that need
/// `Param` accumulation or a `while` loop (tested in their own files).
#[test]
fn every_straight_line_case_is_covered() {
    let source = include_str!("oracle.rs");
    let elsewhere = ["seed_grad_accumulation", "seed_vjp_doubling_loop"];
    let names = common::case_names();
    assert_eq!(names.len(), 37);
    for name in names {
        if elsewhere.contains(&name.as_str()) {
            continue;
        }
        assert!(
            source.contains(&format!("\"{name}\"")),
            "oracle case {name} has no test"
        );
    }
}
