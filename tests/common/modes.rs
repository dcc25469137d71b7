//! Checks of one generated program `f(x, s, ..)` in all four modes (`_grad`, `_vjp`,
//! `_jvp`, `_hvp`) against central finite differences; used by the files that
//! `scripts/gen_random_programs.py` writes. The program's data arguments are captured by
//! the closures; a parameter left out of `wrt` has a zero gradient, tangent and `H v` in
//! the closures' common shape `(Tensor<f64, 3>, f64)`, and is not perturbed.
#![allow(dead_code)] // each test crate uses a different subset

use autodiff::{Tensor, tensor};

pub type T3 = Tensor<f64, 3>;
/// A gradient (or tangent, or `H v`) with respect to `x` and `s`.
pub type G = (T3, f64);

/// The direction of every program's `_jvp` and `_hvp` check (parameters outside `wrt`
/// get zero).
pub fn direction() -> G {
    (tensor![0.3, -0.7, 0.5], 0.6)
}

pub struct Modes<'a> {
    pub name: &'a str,
    /// Which of `x` and `s` the program differentiates.
    pub wrt: (bool, bool),
    pub x: T3,
    pub s: f64,
    /// The value the generator's interpreter computed.
    pub expected: f64,
    pub f: &'a dyn Fn(T3, f64) -> f64,
    pub grad: &'a dyn Fn(T3, f64) -> (f64, G),
    /// `_vjp` and `backward(1.0)`.
    pub vjp: &'a dyn Fn(T3, f64) -> (f64, G),
    pub jvp: &'a dyn Fn(T3, f64, G) -> (f64, f64),
    pub hvp: &'a dyn Fn(T3, f64, G) -> (f64, G, G),
}

fn close(what: &str, name: &str, got: f64, want: f64, atol: f64, rtol: f64) {
    assert!(
        (got - want).abs() <= atol + rtol * want.abs(),
        "{name} {what}: got {got}, want {want}"
    );
}

/// Perturbs coordinate `i` (0..3 of `x`, 3 for `s`) by `h`.
fn moved(x: T3, s: f64, i: usize, h: f64) -> (T3, f64) {
    let mut x = x;
    if i < 3 {
        x[i] += h;
        (x, s)
    } else {
        (x, s + h)
    }
}

fn coordinate(g: &G, i: usize) -> f64 {
    if i < 3 { g.0[i] } else { g.1 }
}

fn active(wrt: (bool, bool), i: usize) -> bool {
    if i < 3 { wrt.0 } else { wrt.1 }
}

fn masked(wrt: (bool, bool), d: G) -> G {
    (
        if wrt.0 { d.0 } else { Tensor::zeros() },
        if wrt.1 { d.1 } else { 0.0 },
    )
}

/// Checks the value (against `f` and the interpreter), the gradient (against central
/// differences at step 1e-6), `backward(1.0)` (equal to the gradient), the JVP along
/// [`direction`] (against the directional central difference) and `H v` along it
/// (against central differences of `_grad` at step 1e-5).
pub fn check_modes(m: &Modes) {
    let (x, s, name) = (m.x, m.s, m.name);
    let value = (m.f)(x, s);
    close("value", name, value, m.expected, 1e-9, 1e-9);

    let (gv, g) = (m.grad)(x, s);
    assert_eq!(gv, value, "{name}: _grad's value");
    for i in 0..4 {
        if !active(m.wrt, i) {
            continue;
        }
        let base = coordinate(&(x, s), i);
        let h = 1e-6 * base.abs().max(1.0);
        let (xp, sp) = moved(x, s, i, h);
        let (xm, sm) = moved(x, s, i, -h);
        let fd = ((m.f)(xp, sp) - (m.f)(xm, sm)) / (2.0 * h);
        close(
            &format!("gradient[{i}]"),
            name,
            coordinate(&g, i),
            fd,
            1e-7,
            1e-6,
        );
    }

    let (vv, vg) = (m.vjp)(x, s);
    assert_eq!(vv, value, "{name}: _vjp's value");
    assert_eq!(vg, g, "{name}: backward(1.0) against _grad");

    let d = masked(m.wrt, direction());
    let (jv, jd) = (m.jvp)(x, s, d);
    close("_jvp's value", name, jv, value, 1e-12, 1e-12);
    let h = 1e-6;
    let fd = ((m.f)(x + d.0 * h, s + d.1 * h) - (m.f)(x - d.0 * h, s - d.1 * h)) / (2.0 * h);
    close("_jvp", name, jd, fd, 1e-7, 1e-6);

    let (hv, hg, hd) = (m.hvp)(x, s, d);
    close("_hvp's value", name, hv, value, 1e-12, 1e-12);
    let k = 1e-5;
    let (_, gp) = (m.grad)(x + d.0 * k, s + d.1 * k);
    let (_, gm) = (m.grad)(x - d.0 * k, s - d.1 * k);
    for i in 0..4 {
        if !active(m.wrt, i) {
            continue;
        }
        close(
            &format!("_hvp's gradient[{i}]"),
            name,
            coordinate(&hg, i),
            coordinate(&g, i),
            1e-12,
            1e-12,
        );
        let fd = (coordinate(&gp, i) - coordinate(&gm, i)) / (2.0 * k);
        close(
            &format!("H v[{i}]"),
            name,
            coordinate(&hd, i),
            fd,
            1e-6,
            1e-5,
        );
    }
}
