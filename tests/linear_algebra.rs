//! Reductions, shape ops and fixed-shape linear algebra inside `#[differentiable]` bodies:
//! `f_grad`, `f_jvp` and `f_hvp` compared with central finite differences of `f` (and of
//! `f_grad` for `f_hvp`) along fixed irregular directions, and `f_grad` with `f_jvp`
//! through the identity `⟨∇f, v⟩ = J v`.

use autodiff::{Differentiable, Tensor, differentiable};

type M3 = Tensor<f64, 3, 3>;
type V3 = Tensor<f64, 3>;

/// `x + h v`, coordinate by coordinate.
fn shift<X: Differentiable>(x: &X, v: &X, h: f64) -> X {
    let coords: Vec<f64> = x
        .to_coords()
        .iter()
        .zip(v.to_coords())
        .map(|(x, v)| x + h * v)
        .collect();
    x.with_coords(&coords)
}

/// A fixed direction shaped like `like`, with irregular, distinct, nonzero coordinates.
fn direction<X: Differentiable>(like: &X, salt: f64) -> X {
    let coords: Vec<f64> = (0..like.num_coords())
        .map(|i| 0.4 + (1.7 * i as f64 + salt).cos())
        .collect();
    like.with_coords(&coords)
}

/// The central difference `(g(h) - g(-h)) / 2h`, coordinate by coordinate.
fn central<Y: Differentiable>(g: impl Fn(f64) -> Y) -> Vec<f64> {
    let h = 1e-5;
    let (plus, minus) = (g(h).to_coords(), g(-h).to_coords());
    plus.iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(1e-12_f64, |s, w| s.max(w.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= rel * scale,
            "{what}[{i}]: generated {g} vs finite difference {w} (scale {scale})"
        );
    }
}

/// Checks a function of one differentiated value in every mode: the gradient coordinate
/// by coordinate, the JVP along `v`, the HVP along `v` against the gradient's central
/// difference, and `⟨∇f, v⟩` against the JVP.
#[track_caller]
fn check_all_modes<X: Differentiable>(
    what: &str,
    x: X,
    f: impl Fn(&X) -> f64,
    grad: impl Fn(&X) -> (f64, X),
    jvp: impl Fn(&X, &X) -> (f64, f64),
    hvp: impl Fn(&X, &X) -> (f64, X, X),
) {
    let (y, g) = grad(&x);
    assert_eq!(y, f(&x), "{what}: f_grad's value");
    let n = x.num_coords();
    let basis = |i: usize| {
        let coords: Vec<f64> = (0..n).map(|j| f64::from(u8::from(i == j))).collect();
        x.with_coords(&coords)
    };
    let numeric: Vec<f64> = (0..n)
        .map(|i| central(|h| f(&shift(&x, &basis(i), h)))[0])
        .collect();
    assert_close(&format!("{what} gradient"), &g.to_coords(), &numeric, 1e-6);
    let v = direction(&x, 0.3);
    let (y_jvp, dy) = jvp(&x, &v);
    assert_eq!(y_jvp, y, "{what}: f_jvp's value");
    assert_close(
        &format!("{what} jvp"),
        &[dy],
        &central(|h| f(&shift(&x, &v, h))),
        1e-6,
    );
    assert!(
        (g.inner(&v) - dy).abs() <= 1e-10 * (1.0 + dy.abs()),
        "{what}: ⟨∇f, v⟩ = {} but J v = {dy}",
        g.inner(&v)
    );
    let (y_hvp, g_hvp, hv) = hvp(&x, &v);
    assert_eq!(y_hvp, y, "{what}: f_hvp's value");
    assert_close(
        &format!("{what} hvp's gradient"),
        &g_hvp.to_coords(),
        &g.to_coords(),
        1e-12,
    );
    assert_close(
        &format!("{what} hvp"),
        &hv.to_coords(),
        &central(|h| grad(&shift(&x, &v, h)).1),
        1e-6,
    );
}

// ---------------------------------------------------------------------------------------
// Reductions and shape ops
// ---------------------------------------------------------------------------------------

/// Every reduction and shape op once, in a body that mixes them with elementwise ops.
#[differentiable]
fn reductions(m: M3, a: V3) -> f64 {
    let o = a.outer(a.sin());
    let s = m + o;
    let d = s.diagonal();
    s.trace() * d.product() + s.norm_squared() * 0.1 + (m * s).amax() - o.amin() * 0.5
}

#[test]
fn reductions_match_finite_differences_in_every_mode() {
    let m = M3::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() + 0.5);
    let a = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    check_all_modes(
        "reductions",
        (m, a),
        |(m, a)| reductions(*m, *a),
        |(m, a)| reductions_grad(*m, *a),
        |(m, a), (dm, da)| reductions_jvp(*m, *a, *dm, *da),
        |(m, a), (vm, va)| {
            let (y, g, h) = reductions_hvp(*m, *a, *vm, *va);
            (y, g, h)
        },
    );
}

/// `amax` and `amin` split their gradient equally between tied elements, like
/// `torch.amax`.
#[differentiable]
fn tied_extremes(x: V3) -> f64 {
    (x * x).amax() + x.amin()
}

#[test]
fn amax_and_amin_split_the_gradient_at_ties() {
    let (y, g) = tied_extremes_grad(Tensor::from_row_slice(&[-2.0, 2.0, 0.5]));
    assert_eq!(y, 4.0 - 2.0);
    // amax: 2x/2 at both ±2; amin: 1 at -2.
    assert_eq!(g, Tensor::from_row_slice(&[-2.0 + 1.0, 2.0, 0.0]));
}

// ---------------------------------------------------------------------------------------
// Linear algebra in nalgebra's spelling
// ---------------------------------------------------------------------------------------

/// The identity matrix.
fn eye() -> M3 {
    M3::from_fn(|r, c| f64::from(u8::from(r == c)))
}

/// A symmetric positive-definite matrix made from `m`: `M Mᵀ + I`.
#[differentiable]
fn spd(m: M3) -> M3 {
    m.matmul(m.t()) + eye()
}

/// The Gaussian-process negative log likelihood, as nalgebra users write it (issue 21), for a
/// squared-exponential kernel with length scale `exp(log_len)` and signal variance
/// `exp(log_var)` on three points, plus noise.
#[differentiable(wrt(theta))]
fn gp_nll(theta: Tensor<f64, 2>, xs: V3, ys: V3) -> f64 {
    let len = theta[0].exp();
    let var = theta[1].exp();
    let mut k = M3::zeros();
    for i in 0..3 {
        for j in 0..3 {
            let d = (xs[i] - xs[j]) / len;
            k[(i, j)] = var * (-0.5 * d * d).exp();
        }
        k[(i, i)] = k[(i, i)] + 0.1;
    }
    let chol = k.cholesky().unwrap();
    let alpha = chol.solve(&ys);
    let log_det = 2.0 * chol.l().diagonal().map(|v| v.ln()).sum();
    0.5 * ys.dot(alpha) + 0.5 * log_det
}

#[test]
fn gp_likelihood_matches_finite_differences_in_every_mode() {
    let xs = V3::from_row_slice(&[-1.0, 0.3, 1.4]);
    let ys = V3::from_row_slice(&[0.5, -0.2, 0.9]);
    let theta = Tensor::<f64, 2>::from_row_slice(&[0.2, -0.3]);
    check_all_modes(
        "gp",
        theta,
        |t| gp_nll(*t, xs, ys),
        |t| gp_nll_grad(*t, xs, ys),
        |t, v| gp_nll_jvp(*t, xs, ys, *v),
        |t, v| gp_nll_hvp(*t, xs, ys, *v),
    );
    // The value is the closed form `½ yᵀ K⁻¹ y + ½ ln det K`.
    let (len, var) = (theta[0].exp(), theta[1].exp());
    let k = M3::from_fn(|i, j| {
        let d = (xs[i] - xs[j]) / len;
        var * (-0.5 * d * d).exp() + if i == j { 0.1 } else { 0.0 }
    });
    let want = 0.5 * ys.dot(k.try_inverse().unwrap().matmul(ys)) + 0.5 * k.determinant().ln();
    assert!((gp_nll(theta, xs, ys) - want).abs() < 1e-12);
}

/// Every method of a Cholesky factor, on a matrix that depends on the parameter.
#[differentiable]
fn cholesky_methods(m: M3, b: V3) -> f64 {
    let chol = spd(m).cholesky().expect("M Mᵀ + I is positive definite");
    let x = chol.solve(b);
    let inv = chol.inverse();
    x.dot(b) + inv.trace() * chol.determinant().ln() + chol.ln_determinant() + chol.l().sum()
}

#[test]
fn cholesky_methods_match_finite_differences_in_every_mode() {
    let m = M3::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin());
    let b = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    check_all_modes(
        "cholesky",
        (m, b),
        |(m, b)| cholesky_methods(*m, *b),
        |(m, b)| cholesky_methods_grad(*m, *b),
        |(m, b), (dm, db)| cholesky_methods_jvp(*m, *b, *dm, *db),
        |(m, b), (vm, vb)| cholesky_methods_hvp(*m, *b, *vm, *vb),
    );
}

/// `determinant`, `try_inverse().unwrap()`, `lu().solve(&b).unwrap()` (and the LU's
/// `determinant` and `try_inverse`) and the triangular solves, by reference and by value.
#[differentiable]
fn general_linear_algebra(a: M3, b: V3) -> f64 {
    let shifted = a + eye() * 2.0;
    let inv = shifted.try_inverse().unwrap();
    let lu = shifted.lu();
    let x = lu.solve(&b).unwrap();
    let lower = shifted
        .solve_lower_triangular(&b)
        .expect("nonzero diagonal");
    let upper = shifted.solve_upper_triangular(b).unwrap();
    let lu_inv = lu.try_inverse().unwrap();
    shifted.determinant()
        + inv.sum()
        + x.norm_squared()
        + lower.dot(upper)
        + lu.determinant() * lu_inv.trace()
}

#[test]
fn general_linear_algebra_matches_finite_differences_in_every_mode() {
    let a = M3::from_fn(|r, c| (0.9 * r as f64 + 1.7 * c as f64 - 0.4).cos() * 0.5);
    let b = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    check_all_modes(
        "general",
        (a, b),
        |(a, b)| general_linear_algebra(*a, *b),
        |(a, b)| general_linear_algebra_grad(*a, *b),
        |(a, b), (da, db)| general_linear_algebra_jvp(*a, *b, *da, *db),
        |(a, b), (va, vb)| general_linear_algebra_hvp(*a, *b, *va, *vb),
    );
}

#[test]
#[should_panic(expected = "not positive definite")]
fn a_failed_factorisation_panics_like_nalgebra_s_expect() {
    #[differentiable]
    fn chol_det(a: M3) -> f64 {
        a.cholesky().expect("not positive definite").determinant()
    }
    let _ = chol_det_grad(M3::from_element(1.0) * -1.0);
}

// ---------------------------------------------------------------------------------------
// Elementwise `map` with a closure
// ---------------------------------------------------------------------------------------

/// `map` closures: a method chain, a product of the parameter with itself, a captured
/// differentiated scalar (whose gradient sums over the elements) and captured data.
#[differentiable(wrt(x, w))]
fn mapped(x: V3, w: f64, data: f64) -> f64 {
    let a = x.map(|v| (v * 0.5).sin().exp());
    let b = x.map(|d| d * d - w * d / data);
    let c = x.map(|v: f64| -> f64 { w * v.tanh() + 1.0 });
    (a + b).sum() * c.product()
}

#[test]
fn map_closures_match_finite_differences_in_every_mode() {
    let x = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    let data = 1.7;
    check_all_modes(
        "map",
        (x, 0.6),
        |(x, w)| mapped(*x, *w, data),
        |(x, w)| mapped_grad(*x, *w, data),
        |(x, w), (dx, dw)| mapped_jvp(*x, *w, data, *dx, *dw),
        |(x, w), (vx, vw)| mapped_hvp(*x, *w, data, *vx, *vw),
    );
    // The value is the map's, element by element.
    let want = (x.map(|v| (v * 0.5).sin().exp()) + x.map(|d| d * d - 0.6 * d / data)).sum()
        * x.map(|v| 0.6 * v.tanh() + 1.0).product();
    assert_eq!(mapped(x, 0.6, data), want);
}

/// A `map` over data whose closure captures a differentiated value, and one over data
/// alone (data code, left as written).
#[differentiable(wrt(w))]
fn mapped_data(w: f64, xs: V3) -> f64 {
    let shifted = xs.map(|v| v + 1.0);
    xs.map(|v| (v * w).exp()).sum() + shifted.sum() * w
}

#[test]
fn a_map_over_data_carries_the_gradient_of_what_it_captures() {
    let xs = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    let (y, g) = mapped_data_grad(0.4, xs);
    assert_eq!(y, mapped_data(0.4, xs));
    let h = 1e-6;
    let numeric = (mapped_data(0.4 + h, xs) - mapped_data(0.4 - h, xs)) / (2.0 * h);
    assert!((g - numeric).abs() < 1e-8, "{g} vs {numeric}");
}

// ---------------------------------------------------------------------------------------
// Inside loops: factors and `Option`s on the loop's tape
// ---------------------------------------------------------------------------------------

/// A factorisation, an inverse and a solve per iteration, their results carried and
/// taped by the loop.
#[differentiable(wrt(m))]
fn iterated(m: M3, b: V3, steps: usize) -> f64 {
    let mut x = b;
    let mut total = 0.0;
    for _ in 0..steps {
        let chol = spd(m).cholesky().unwrap();
        x = chol.solve(&x) + x * 0.5;
        let inv = (m + eye() * 3.0)
            .try_inverse()
            .expect("diagonally dominant");
        total = total + inv.matmul(x).sum() + chol.ln_determinant();
    }
    total
}

#[test]
fn loops_over_factorisations_match_finite_differences_in_every_mode() {
    let m = M3::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 + 0.2).sin() * 0.7);
    let b = V3::from_row_slice(&[0.3, -1.1, 0.8]);
    check_all_modes(
        "loop",
        m,
        |m| iterated(*m, b, 3),
        |m| iterated_grad(*m, b, 3),
        |m, dm| iterated_jvp(*m, b, 3, *dm),
        |m, vm| iterated_hvp(*m, b, 3, *vm),
    );
}

// ---------------------------------------------------------------------------------------
// Generic over the element type
// ---------------------------------------------------------------------------------------

/// The same likelihood, generic over `T: Real`, so it runs in `f32` too.
#[differentiable(wrt(k))]
fn generic_nll<T: autodiff::Real>(k: Tensor<T, 3, 3>, ys: &Tensor<T, 3>) -> T {
    let chol = k.cholesky().unwrap();
    let log_det = 2.0 * chol.l().diagonal().map(|v| v.ln()).sum();
    // A data reference, passed on as a reference and as itself.
    0.5 * ys.dot(chol.solve(&ys)) + 0.5 * log_det + k.trace().powi(2) * 0.01
        - chol.solve(ys).sum() * 0.1
}

#[test]
fn generic_bodies_differentiate_in_f32_and_f64() {
    let k = M3::from_row_slice(&[2.0, 0.3, 0.1, 0.3, 1.5, -0.2, 0.1, -0.2, 1.0]);
    let ys = V3::from_row_slice(&[0.5, -0.2, 0.9]);
    let (y64, g64) = generic_nll_grad(k, &ys);
    let (y32, g32) = generic_nll_grad(k.map(|v| v as f32), &ys.map(|v| v as f32));
    assert!((f64::from(y32) - y64).abs() < 1e-5);
    assert!((g32.map(f64::from) - g64).norm() < 1e-5);
    // The gradient with respect to `K` is lower-triangular: only the lower triangle is read.
    let numeric = |r: usize, c: usize| {
        let mut e = M3::zeros();
        e[(r, c)] = 1e-6;
        (generic_nll(k + e, &ys) - generic_nll(k - e, &ys)) / 2e-6
    };
    for r in 0..3 {
        for c in 0..3 {
            assert!((g64[(r, c)] - numeric(r, c)).abs() < 1e-7, "({r}, {c})");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Symmetric eigendecomposition
// ---------------------------------------------------------------------------------------

/// Eigenvalues and an eigenvector's component, read as nalgebra's fields.
#[differentiable]
fn eigen_objective(m: M3) -> f64 {
    let a = m + m.t();
    let eigen = a.symmetric_eigen();
    let top = a.symmetric_eigen().eigenvalues[2];
    eigen.eigenvalues.dot(eigen.eigenvalues) * 0.1 + top + eigen.eigenvectors[(0, 1)]
}

#[test]
fn symmetric_eigen_matches_finite_differences_in_every_mode() {
    let m = M3::from_fn(|r, c| (1.3 * r as f64 - 0.7 * c as f64 * c as f64 + 0.2).sin());
    check_all_modes(
        "eigen",
        m,
        |m| eigen_objective(*m),
        |m| eigen_objective_grad(*m),
        |m, dm| eigen_objective_jvp(*m, *dm),
        |m, vm| eigen_objective_hvp(*m, *vm),
    );
}
