//! The functions of `f64` under their std names (`tan`, `atan2`, `erf`, `floor`, ...) in
//! user-style `#[differentiable]` bodies, on floats and tensors: `f_grad`'s gradient and
//! `f_jvp`'s tangent against central differences of `f`, `f_hvp`'s `H v` against central
//! differences of `f_grad`, at points near the functions' kinks and domain edges; and `f`
//! itself against the same body in plain Rust, bit for bit.

use autodiff::{Real, Tensor, differentiable, tensor};

/// The central difference `(g(h) - g(-h)) / 2h`, elementwise.
fn central<const N: usize>(g: impl Fn(f64) -> [f64; N]) -> [f64; N] {
    let h = 1e-6;
    let (plus, minus) = (g(h), g(-h));
    std::array::from_fn(|i| (plus[i] - minus[i]) / (2.0 * h))
}

/// `x + h v`.
fn shift<const N: usize>(x: [f64; N], v: [f64; N], h: f64) -> [f64; N] {
    std::array::from_fn(|i| x[i] + h * v[i])
}

#[track_caller]
fn assert_close<const N: usize>(what: &str, got: [f64; N], want: [f64; N], tol: f64) {
    let scale = want.iter().fold(1.0_f64, |s, w| s.max(w.abs()));
    for i in 0..N {
        assert!(
            (got[i] - want[i]).abs() <= tol * scale,
            "{what}[{i}]: generated {} vs finite difference {} (scale {scale})",
            got[i],
            want[i],
        );
    }
}

/// One function of `N` floats seen four ways: its value, `f_grad`, `f_jvp` along `v` and
/// `f_hvp` along `v`.
struct Modes<F, G, J, H> {
    f: F,
    grad: G,
    jvp: J,
    hvp: H,
}

impl<F, G, J, H> Modes<F, G, J, H> {
    /// Checks every mode at `x` against central differences, to `tol` relative to the
    /// largest coordinate compared (and 1 at least).
    #[track_caller]
    fn check<const N: usize>(&self, x: [f64; N], tol: f64)
    where
        F: Fn([f64; N]) -> f64,
        G: Fn([f64; N]) -> (f64, [f64; N]),
        J: Fn([f64; N], [f64; N]) -> (f64, f64),
        H: Fn([f64; N], [f64; N]) -> (f64, [f64; N], [f64; N]),
    {
        let v: [f64; N] = std::array::from_fn(|i| 0.4 + (1.7 * i as f64 + 0.3).cos());
        let value = (self.f)(x);
        let (y, grad) = (self.grad)(x);
        assert_eq!(y.to_bits(), value.to_bits(), "f_grad's value at {x:?}");
        for (i, &g) in grad.iter().enumerate() {
            let e: [f64; N] = std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 });
            let [fd] = central(|h| [(self.f)(shift(x, e, h))]);
            assert_close(&format!("gradient {i} at {x:?}"), [g], [fd], tol);
        }
        let (y, dy) = (self.jvp)(x, v);
        assert_eq!(y.to_bits(), value.to_bits(), "f_jvp's value at {x:?}");
        let [fd] = central(|h| [(self.f)(shift(x, v, h))]);
        assert_close(&format!("tangent at {x:?}"), [dy], [fd], tol);
        let (y, g, hv) = (self.hvp)(x, v);
        assert_eq!(y.to_bits(), value.to_bits(), "f_hvp's value at {x:?}");
        assert_close(&format!("f_hvp's gradient at {x:?}"), g, grad, 1e-14);
        let fd = central(|h| (self.grad)(shift(x, v, h)).1);
        assert_close(&format!("H v at {x:?}"), hv, fd, tol);
    }
}

fn arr<const N: usize>(t: Tensor<f64, N>) -> [f64; N] {
    std::array::from_fn(|i| t[i])
}

// ---------------------------------------------------------------------------------------
// Trigonometric and hyperbolic functions and their inverses, on floats
// ---------------------------------------------------------------------------------------

#[differentiable]
fn trig(x: f64, y: f64) -> f64 {
    let angle = y.atan2(x);
    let inverse = x.asin() * y.acos() + (x * y).atan();
    x.tan() * angle + inverse + x.sinh() * y.cosh() - (y * 3.0).tanh()
}

fn trig_plain(x: f64, y: f64) -> f64 {
    let angle = y.atan2(x);
    let inverse = x.asin() * y.acos() + (x * y).atan();
    x.tan() * angle + inverse + x.sinh() * y.cosh() - (y * 3.0).tanh()
}

#[test]
fn trigonometric_functions_in_every_mode() {
    let modes = Modes {
        f: |[x, y]: [f64; 2]| trig(x, y),
        grad: |[x, y]: [f64; 2]| {
            let (v, (gx, gy)) = trig_grad(x, y);
            (v, [gx, gy])
        },
        jvp: |[x, y]: [f64; 2], [dx, dy]: [f64; 2]| trig_jvp(x, y, dx, dy),
        hvp: |[x, y]: [f64; 2], [dx, dy]: [f64; 2]| {
            let (v, (gx, gy), (hx, hy)) = trig_hvp(x, y, dx, dy);
            (v, [gx, gy], [hx, hy])
        },
    };
    // Near asin's and acos's edges (±1), atan2's branch cut (x < 0, y near 0) and its
    // quadrants, and tan's growth toward π/2.
    for x in [
        [0.3, 0.4],
        [-0.7, 0.05],
        [-0.6, -0.02],
        [0.98, -0.5],
        [-0.2, 0.97],
        [0.9, 0.9],
    ] {
        modes.check(x, 1e-6);
        assert_eq!(trig(x[0], x[1]).to_bits(), trig_plain(x[0], x[1]).to_bits());
    }
}

// ---------------------------------------------------------------------------------------
// Exponentials, logarithms, powers, on tensors
// ---------------------------------------------------------------------------------------

#[differentiable]
fn logs(x: Tensor<f64, 3>, base: f64) -> f64 {
    let powers = x.exp2() + x.exp_m1() * x.cbrt() + x.recip();
    let logs = x.log2() * x.log10() + x.log(x * 0.0 + base);
    (powers + logs).sum() + base.log(3.0) + x.asinh().sum() + (x * x + 1.01).acosh().sum()
}

#[test]
fn exponentials_and_logarithms_in_every_mode() {
    let modes = Modes {
        f: |[a, b, c, base]: [f64; 4]| logs(tensor![a, b, c], base),
        grad: |[a, b, c, base]: [f64; 4]| {
            let (v, (g, gb)) = logs_grad(tensor![a, b, c], base);
            (v, [g[0], g[1], g[2], gb])
        },
        jvp: |[a, b, c, base]: [f64; 4], [da, db, dc, dbase]: [f64; 4]| {
            logs_jvp(tensor![a, b, c], base, tensor![da, db, dc], dbase)
        },
        hvp: |[a, b, c, base]: [f64; 4], [da, db, dc, dbase]: [f64; 4]| {
            let (v, (g, gb), (h, hb)) =
                logs_hvp(tensor![a, b, c], base, tensor![da, db, dc], dbase);
            (v, [g[0], g[1], g[2], gb], [h[0], h[1], h[2], hb])
        },
    };
    // Small arguments (the logarithms' and the reciprocal's growth near 0, acosh's edge at
    // 1 where x is near 0), a base near 1, large ones.
    for x in [
        [0.05, 1.0, 3.0, 2.0],
        [0.5, 0.02, 7.0, 1.2],
        [2.0, 0.3, 0.1, 10.0],
    ] {
        modes.check(x, 2e-6);
    }
}

// ---------------------------------------------------------------------------------------
// erf in a Black-Scholes call price: delta, vega and gamma in closed form
// ---------------------------------------------------------------------------------------

/// The standard normal CDF.
#[differentiable]
fn normal_cdf(x: f64) -> f64 {
    0.5 * (x / std::f64::consts::SQRT_2).erfc().mul_add(-1.0, 2.0)
}

/// Black-Scholes price of a European call, differentiated in the spot `s` and the
/// volatility `sigma`.
#[differentiable(wrt(s, sigma))]
fn call(s: f64, sigma: f64, strike: f64, rate: f64, t: f64) -> f64 {
    let sd = sigma * t.sqrt();
    let d1 = ((s / strike).ln() + (rate + 0.5 * sigma * sigma) * t) / sd;
    let d2 = d1 - sd;
    let nd1 = 0.5 * (1.0 + (d1 / std::f64::consts::SQRT_2).erf());
    s * nd1 - strike * (-rate * t).exp() * normal_cdf(d2)
}

#[test]
fn black_scholes_greeks_match_the_closed_forms() {
    let (strike, rate, t) = (100.0_f64, 0.03, 0.75);
    let pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    for (s, sigma) in [(100.0, 0.2), (80.0, 0.35), (130.0, 0.1)] {
        let sd = sigma * f64::sqrt(t);
        let d1 = ((s / strike).ln() + (rate + 0.5 * sigma * sigma) * t) / sd;
        let (delta, vega, gamma) = (
            0.5 * (1.0 + erf(d1 / std::f64::consts::SQRT_2)),
            s * pdf(d1) * f64::sqrt(t),
            pdf(d1) / (s * sd),
        );
        let (_, (g_s, g_sigma)) = call_grad(s, sigma, strike, rate, t);
        assert!((g_s - delta).abs() <= 1e-10, "delta {g_s} vs {delta}");
        assert!(
            (g_sigma - vega).abs() <= 1e-10 * vega,
            "vega {g_sigma} vs {vega}"
        );
        let (_, _, (h_ss, _)) = call_hvp(s, sigma, strike, rate, t, 1.0, 0.0);
        assert!((h_ss - gamma).abs() <= 1e-10, "gamma {h_ss} vs {gamma}");
        let (_, d_spot) = call_jvp(s, sigma, strike, rate, t, 1.0, 0.0);
        assert!(
            (d_spot - delta).abs() <= 1e-10,
            "forward delta {d_spot} vs {delta}"
        );
    }
}

/// `erf x` for the closed forms, through `Tensor::erf` (std's `f64::erf` is unstable).
fn erf(x: f64) -> f64 {
    tensor![x].erf()[0]
}

/// A data argument (not differentiated) as the receiver of a function of two arguments.
#[differentiable(wrt(x))]
fn weighted(x: f64, k: f64) -> f64 {
    x.tan() * k.floor() + k.atan2(x)
}

#[test]
fn functions_of_data_arguments() {
    let (x, k) = (0.3_f64, 1.5_f64);
    let (value, grad) = weighted_grad(x, k);
    assert_eq!(value, x.tan() * k.floor() + k.atan2(x));
    // tan' = 1/cos², and d/dx atan2(k, x) = -k/(k² + x²).
    let want = k.floor() / x.cos().powi(2) - k / (k * k + x * x);
    assert!((grad - want).abs() < 1e-14, "{grad} vs {want}");
}

// ---------------------------------------------------------------------------------------
// Piecewise-constant functions: gradient 0, the smooth part unchanged
// ---------------------------------------------------------------------------------------

#[differentiable]
fn stepped(x: Tensor<f64, 4>) -> f64 {
    let steps = x.floor() + x.ceil() * 2.0 + x.round() - x.trunc() + x.signum();
    (steps * x).sum() + (x * x).sum()
}

#[test]
fn rounding_functions_have_gradient_zero() {
    // Near the jumps: just below an integer, just above a half, near 0 (signum).
    for x in [[0.999, -1.4999, 0.5001, -0.001], [2.3, 1e-4, -2.7, 3.49]] {
        let t = Tensor::from(x);
        let steps = t.floor() + t.ceil() * 2.0 + t.round() - t.trunc() + t.signum();
        let (value, grad) = stepped_grad(t);
        assert_eq!(value, stepped(t));
        // d/dx (steps(x) x + x²) = steps(x) + 2x where steps is locally constant.
        assert_eq!(grad, steps + t * 2.0);
        let modes = Modes {
            f: |x: [f64; 4]| stepped(Tensor::from(x)),
            grad: |x: [f64; 4]| {
                let (v, g) = stepped_grad(Tensor::from(x));
                (v, arr(g))
            },
            jvp: |x: [f64; 4], v: [f64; 4]| stepped_jvp(Tensor::from(x), Tensor::from(v)),
            hvp: |x: [f64; 4], v: [f64; 4]| {
                let (y, g, h) = stepped_hvp(Tensor::from(x), Tensor::from(v));
                (y, arr(g), arr(h))
            },
        };
        modes.check(x, 1e-6);
    }
}

// ---------------------------------------------------------------------------------------
// Two and three arguments: hypot, mul_add, atan2 on tensors
// ---------------------------------------------------------------------------------------

#[differentiable]
fn polar(p: Tensor<f64, 2, 3>, q: Tensor<f64, 2, 3>) -> f64 {
    let r = p.hypot(q);
    let theta = q.atan2(p);
    r.mul_add(theta, p * q).sum() + (r * theta.cos()).mean()
}

#[test]
fn binary_functions_on_tensors_in_every_mode() {
    let split = |x: [f64; 12]| {
        (
            Tensor::<f64, 2, 3>::from_row_slice(&x[..6]),
            Tensor::<f64, 2, 3>::from_row_slice(&x[6..]),
        )
    };
    let join = |a: Tensor<f64, 2, 3>, b: Tensor<f64, 2, 3>| {
        let (a, b) = (a.to_row_major_vec(), b.to_row_major_vec());
        std::array::from_fn(|i| if i < 6 { a[i] } else { b[i - 6] })
    };
    let modes = Modes {
        f: |x: [f64; 12]| {
            let (p, q) = split(x);
            polar(p, q)
        },
        grad: |x: [f64; 12]| {
            let (p, q) = split(x);
            let (v, (gp, gq)) = polar_grad(p, q);
            (v, join(gp, gq))
        },
        jvp: |x: [f64; 12], v: [f64; 12]| {
            let ((p, q), (dp, dq)) = (split(x), split(v));
            polar_jvp(p, q, dp, dq)
        },
        hvp: |x: [f64; 12], v: [f64; 12]| {
            let ((p, q), (dp, dq)) = (split(x), split(v));
            let (y, (gp, gq), (hp, hq)) = polar_hvp(p, q, dp, dq);
            (y, join(gp, gq), join(hp, hq))
        },
    };
    // Points in every quadrant, near the negative axis (atan2's cut) and near the origin.
    let x = [
        1.0, -0.5, -2.0, 0.3, -1.0, 0.02, 0.5, 0.8, -0.4, -0.7, 0.01, 0.03,
    ];
    modes.check(x, 2e-6);
}

#[test]
fn hypot_has_gradient_zero_at_the_origin() {
    assert_eq!(radius_grad(0.0, 0.0), (0.0, (0.0, 0.0)));
    assert_eq!(radius_grad(3.0, -4.0), (5.0, (0.6, -0.8)));
    let (_, _, hv) = radius_hvp(0.0, 0.0, 1.0, 0.5);
    assert_eq!(hv, (0.0, 0.0));
}

#[differentiable]
fn radius(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

// ---------------------------------------------------------------------------------------
// Generic bodies and loops
// ---------------------------------------------------------------------------------------

/// A body generic over the float type calls the new functions through `T: Real`.
#[differentiable]
fn generic<T: Real>(x: T) -> T {
    x.tan() + x.erf() * x.cbrt() + x.atanh()
}

#[test]
fn generic_bodies_in_f32_and_f64() {
    let (y64, g64) = generic_grad(0.4_f64);
    let (y32, g32) = generic_grad(0.4_f32);
    assert!((f64::from(y32) - y64).abs() < 1e-6);
    assert!((f64::from(g32) - g64).abs() < 1e-5);
    let [fd] = central(|h| [generic(0.4 + h)]);
    assert!((g64 - fd).abs() < 1e-8, "{g64} vs {fd}");
}

/// A loop whose reverse sweep tapes what each function's VJP reads (`tan` its output,
/// `erf` its operand, `floor` nothing).
#[differentiable]
fn series(x: Tensor<f64, 5>) -> f64 {
    let mut total = 0.0;
    for i in 0..5 {
        let v = x[i];
        total = total + v.tan() * v.erf() + (v * 3.0).floor() * v + v.exp2().log2();
    }
    total
}

#[test]
fn loops_over_the_functions_in_every_mode() {
    let modes = Modes {
        f: |x: [f64; 5]| series(Tensor::from(x)),
        grad: |x: [f64; 5]| {
            let (v, g) = series_grad(Tensor::from(x));
            (v, arr(g))
        },
        jvp: |x: [f64; 5], v: [f64; 5]| series_jvp(Tensor::from(x), Tensor::from(v)),
        hvp: |x: [f64; 5], v: [f64; 5]| {
            let (y, g, h) = series_hvp(Tensor::from(x), Tensor::from(v));
            (y, arr(g), arr(h))
        },
    };
    modes.check([0.3, -1.2, 1.4, 0.01, -0.6], 1e-6);
}
