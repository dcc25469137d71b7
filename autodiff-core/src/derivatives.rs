//! Whole Jacobians and Hessians of functions of one vector parameter `x: Tensor<T, N>`,
//! assembled from the functions `#[differentiable]` generates, passed in as closures:
//!
//! * [`jacobian_fwd`] from `f_jvp`: `N` JVPs, one per basis direction, give the columns.
//!   The choice for a few inputs and many outputs.
//! * [`jacobian_rev`] from `f_vjp`: one forward pass and `M` backward passes, one per basis
//!   cotangent, give the rows. The choice for many inputs and few outputs.
//! * [`hessian`] and [`value_grad_hessian`] from `f_hvp`: `N` Hessian-vector products give
//!   the columns of the Hessian of a scalar function.
//!
//! The helpers know nothing of how the closures compute; a hand-written derivative works as
//! well as a generated one, which is how they are tested. Every result is a fixed-shape
//! tensor, so no helper allocates.

use nalgebra::SMatrix;

use crate::pullback::Pullback;
use crate::real::Real;
use crate::tensor::Tensor;

/// The reverse half of a VJP, run once with a cotangent: what [`jacobian_rev`] needs from
/// the second value a `f_vjp`-like closure returns.
///
/// Implemented for the generated [`Pullback`] and for any closure `FnOnce(Seed) -> Grads`,
/// so `jacobian_rev` takes a generated `f_vjp` as it is, or a hand-written
/// `|x| (f(x), move |ct| ..)`.
///
/// ```
/// use autodiff_core::{Backward, Tensor};
///
/// fn run<B: Backward<f64>>(pullback: B, seed: f64) -> B::Grads {
///     pullback.backward(seed)
/// }
///
/// let x = Tensor::<f64, 2>::from_row_slice(&[1.0, 2.0]);
/// // The pullback of `y = Σ x²`: ct ↦ 2 x ct.
/// assert_eq!(run(move |ct: f64| x * (2.0 * ct), 0.5), x);
/// ```
pub trait Backward<Seed> {
    /// The gradients the reverse sweep returns.
    type Grads;

    /// Runs the reverse sweep with cotangent `seed`, consuming it.
    fn backward(self, seed: Seed) -> Self::Grads;
}

impl<Seed, Grads, F: FnOnce(Seed) -> Grads> Backward<Seed> for Pullback<Seed, Grads, F> {
    type Grads = Grads;

    #[inline(always)]
    fn backward(self, seed: Seed) -> Grads {
        Pullback::backward(self, seed)
    }
}

impl<Seed, Grads, F: FnOnce(Seed) -> Grads> Backward<Seed> for F {
    type Grads = Grads;

    #[inline(always)]
    fn backward(self, seed: Seed) -> Grads {
        self(seed)
    }
}

/// The `j`-th standard basis vector of length `N`.
#[inline]
fn basis<T: Real, const N: usize>(j: usize) -> Tensor<T, N> {
    Tensor::from_fn(|i, _| if i == j { T::one() } else { T::zero() })
}

/// The Jacobian `J = ∂f/∂x` (`M x N`) of `f: Tensor<T, N> -> Tensor<T, M>` at `x`, by
/// forward mode: column `j` is the JVP along the basis vector `eⱼ`, so `jvp` is called
/// `N` times. `jvp(x, dx)` returns `(f(x), J dx)`, the signature of a generated `f_jvp`.
///
/// Prefer it over [`jacobian_rev`] when `N ≤ M`.
///
/// ```
/// use autodiff_core::{jacobian_fwd, tensor, Tensor};
///
/// // f(x) = (x₀ x₁, sin x₀, x₁²), whose f_jvp is written out by hand here.
/// let f_jvp = |x: Tensor<f64, 2>, dx: Tensor<f64, 2>| {
///     let y = tensor![x[0] * x[1], x[0].sin(), x[1] * x[1]];
///     let dy = tensor![dx[0] * x[1] + x[0] * dx[1], x[0].cos() * dx[0], 2.0 * x[1] * dx[1]];
///     (y, dy)
/// };
/// let j = jacobian_fwd(f_jvp, tensor![0.0, 3.0]);
/// assert_eq!(j, tensor![[3.0, 0.0], [1.0, 0.0], [0.0, 6.0]]);
/// ```
pub fn jacobian_fwd<T: Real, const N: usize, const M: usize>(
    jvp: impl Fn(Tensor<T, N>, Tensor<T, N>) -> (Tensor<T, M>, Tensor<T, M>),
    x: Tensor<T, N>,
) -> Tensor<T, M, N> {
    let mut jacobian = SMatrix::<T, M, N>::zeros();
    for j in 0..N {
        let (_, column) = jvp(x, basis(j));
        jacobian.set_column(j, column.as_matrix());
    }
    Tensor::from_matrix(jacobian)
}

/// The Jacobian `J = ∂f/∂x` (`M x N`) of `f: Tensor<T, N> -> Tensor<T, M>` at `x`, by
/// reverse mode: `vjp` runs the forward pass once, and row `i` is the pullback's
/// `backward(eᵢ) = Jᵀ eᵢ`, so the pullback is cloned (the graph retained) for all but the
/// last of the `M` rows.
///
/// `vjp(x)` returns `(f(x), pullback)`, the signature of a generated `f_vjp`; the pullback
/// may also be a plain closure `ct ↦ Jᵀ ct` (see [`Backward`]). Prefer it over
/// [`jacobian_fwd`] when `M < N`.
///
/// ```
/// use autodiff_core::{jacobian_rev, tensor, Tensor};
///
/// // f(x) = (Σ x, x₀ x₂) from R³ to R², with its pullback written out by hand.
/// let f_vjp = |x: Tensor<f64, 3>| {
///     let y = tensor![x.sum(), x[0] * x[2]];
///     let pullback = move |ct: Tensor<f64, 2>| {
///         Tensor::from_element(ct[0]) + tensor![x[2], 0.0, x[0]] * ct[1]
///     };
///     (y, pullback)
/// };
/// let j = jacobian_rev(f_vjp, tensor![2.0, 5.0, -1.0]);
/// assert_eq!(j, tensor![[1.0, 1.0, 1.0], [-1.0, 0.0, 2.0]]);
/// ```
pub fn jacobian_rev<T: Real, const N: usize, const M: usize, P>(
    vjp: impl FnOnce(Tensor<T, N>) -> (Tensor<T, M>, P),
    x: Tensor<T, N>,
) -> Tensor<T, M, N>
where
    P: Backward<Tensor<T, M>, Grads = Tensor<T, N>> + Clone,
{
    let (_, pullback) = vjp(x);
    let mut jacobian = SMatrix::<T, M, N>::zeros();
    // Each backward consumes a pullback: clone for every row but the last, which takes the
    // original (one clone fewer, and no clone at all for a scalar-like M = 1).
    let mut pullback = Some(pullback);
    for i in 0..M {
        let this = match i + 1 == M {
            true => pullback.take(),
            false => pullback.clone(),
        };
        if let Some(this) = this {
            let row = this.backward(basis(i));
            jacobian.set_row(i, &row.as_matrix().transpose());
        }
    }
    Tensor::from_matrix(jacobian)
}

/// The Hessian `H = ∂²f/∂x²` (`N x N`) of a scalar `f: Tensor<T, N> -> T` at `x`, from `N`
/// Hessian-vector products: column `j` is `H eⱼ`.
///
/// `hvp(x, v)` returns `(f(x), ∇f(x), H v)`, the signature of a generated `f_hvp`. The
/// columns are exactly what `hvp` returns: nothing is symmetrised, so the result is
/// symmetric up to the rounding of the HVPs. [`value_grad_hessian`] also returns the value
/// and the gradient the HVPs computed on the way.
///
/// ```
/// use autodiff_core::{hessian, tensor, Tensor};
///
/// // f(x) = x₀² x₁ + x₁³, with its gradient and H v written out by hand.
/// let f_hvp = |x: Tensor<f64, 2>, v: Tensor<f64, 2>| {
///     let value = x[0] * x[0] * x[1] + x[1].powi(3);
///     let grad = tensor![2.0 * x[0] * x[1], x[0] * x[0] + 3.0 * x[1] * x[1]];
///     let hv = tensor![
///         2.0 * x[1] * v[0] + 2.0 * x[0] * v[1],
///         2.0 * x[0] * v[0] + 6.0 * x[1] * v[1]
///     ];
///     (value, grad, hv)
/// };
/// assert_eq!(hessian(f_hvp, tensor![1.0, 2.0]), tensor![[4.0, 2.0], [2.0, 12.0]]);
/// ```
pub fn hessian<T: Real, const N: usize>(
    hvp: impl Fn(Tensor<T, N>, Tensor<T, N>) -> (T, Tensor<T, N>, Tensor<T, N>),
    x: Tensor<T, N>,
) -> Tensor<T, N, N> {
    value_grad_hessian(hvp, x).2
}

/// The value, gradient and Hessian of a scalar `f: Tensor<T, N> -> T` at `x`, from `N`
/// Hessian-vector products, as [`hessian`] computes them: what a Newton step needs, for
/// the price of the Hessian alone.
///
/// ```
/// use autodiff_core::{tensor, value_grad_hessian, Tensor};
///
/// // One Newton step on the quadratic f(x) = (x₀ - 1)² + 2 (x₁ + 3)² lands on its minimum.
/// let f_hvp = |x: Tensor<f64, 2>, v: Tensor<f64, 2>| {
///     let value = (x[0] - 1.0).powi(2) + 2.0 * (x[1] + 3.0).powi(2);
///     let grad = tensor![2.0 * (x[0] - 1.0), 4.0 * (x[1] + 3.0)];
///     (value, grad, tensor![2.0 * v[0], 4.0 * v[1]])
/// };
/// let x = tensor![5.0, 5.0];
/// let (value, grad, h) = value_grad_hessian(f_hvp, x);
/// assert_eq!(value, 144.0);
/// let step = h.into_matrix().lu().solve(grad.as_matrix()).unwrap();
/// assert_eq!(x - Tensor::from_matrix(step), tensor![1.0, -3.0]);
/// ```
pub fn value_grad_hessian<T: Real, const N: usize>(
    hvp: impl Fn(Tensor<T, N>, Tensor<T, N>) -> (T, Tensor<T, N>, Tensor<T, N>),
    x: Tensor<T, N>,
) -> (T, Tensor<T, N>, Tensor<T, N, N>) {
    let mut h = SMatrix::<T, N, N>::zeros();
    // The first HVP also gives the value and gradient; for N = 0 it is the one call that
    // does, along the empty direction.
    let (value, grad, first) = hvp(x, basis(0));
    if N > 0 {
        h.set_column(0, first.as_matrix());
    }
    for j in 1..N {
        let (_, _, column) = hvp(x, basis(j));
        h.set_column(j, column.as_matrix());
    }
    (value, grad, Tensor::from_matrix(h))
}

#[cfg(test)]
mod tests {
    use core::cell::Cell;

    use super::{hessian, jacobian_fwd, jacobian_rev, value_grad_hessian};
    use crate::ops::{Matmul, MulVjp, Tanh, TrMatmul};
    use crate::pullback::Pullback;
    use crate::tensor;
    use crate::tensor::Tensor;

    type V2 = Tensor<f64, 2>;
    type V3 = Tensor<f64, 3>;

    fn a() -> Tensor<f64, 3, 2> {
        tensor![[1.0, -2.0], [0.5, 4.0], [3.0, 0.25]]
    }

    /// The largest absolute difference between two tensors of the same shape.
    fn distance<const R: usize, const C: usize>(x: Tensor<f64, R, C>, y: Tensor<f64, R, C>) -> f64 {
        (x - y).iter().fold(0.0, |m, e| e.abs().max(m))
    }

    #[test]
    fn the_jacobian_of_a_linear_map_is_its_matrix_both_ways() {
        let x = tensor![0.7, -1.3];
        let count = Cell::new(0);
        let f_jvp = |x: V2, dx: V2| {
            count.set(count.get() + 1);
            (a().matmul(x), a().matmul(dx))
        };
        assert_eq!(jacobian_fwd(f_jvp, x), a());
        assert_eq!(count.get(), 2, "one JVP per input");
        let f_vjp = |x: V2| (a().matmul(x), move |ct: V3| TrMatmul::tr_matmul(&a(), &ct));
        assert_eq!(jacobian_rev(f_vjp, x), a());
    }

    #[test]
    fn jacobian_rev_takes_a_pullback_and_runs_the_forward_pass_once() {
        let x = tensor![0.7, -1.3];
        let forward_passes = Cell::new(0);
        let backward_passes = Cell::new(0);
        let f_vjp = |x: V2| {
            forward_passes.set(forward_passes.get() + 1);
            let backward = &backward_passes;
            let pullback = Pullback::new(move |ct: V3| {
                backward.set(backward.get() + 1);
                TrMatmul::tr_matmul(&a(), &ct)
            });
            (a().matmul(x), pullback)
        };
        assert_eq!(jacobian_rev(f_vjp, x), a());
        assert_eq!((forward_passes.get(), backward_passes.get()), (1, 3));
    }

    /// `y = tanh(W x) * s` with `s = x₀`, from R² to R³: its JVP and VJP composed from the
    /// ops' rules, the way generated code composes them.
    fn layer_jvp(x: V2, dx: V2) -> (V3, V3) {
        let w = a();
        let z = w.matmul(x);
        let dz = w.matmul_jvp(&x, &z, &Tensor::zeros(), &dx, [false, true]);
        let t = Tanh::tanh(z);
        let dt = z.tanh_jvp(t, dz);
        let y = t * x[0];
        (y, t.mul_jvp(x[0], y, dt, dx[0]))
    }

    fn layer_vjp(x: V2) -> (V3, impl FnOnce(V3) -> V2 + Clone) {
        let w = a();
        let z = w.matmul(x);
        let t = z.tanh();
        let y = t * x[0];
        let pullback = move |ct: V3| {
            let (ct_t, ct_s) = t.mul_vjp(x[0], y, ct);
            let ct_z = z.tanh_vjp(t, ct_t);
            let (_, mut ct_x) = w.matmul_vjp(&x, &z, ct_z, [false, true]);
            ct_x[0] += ct_s;
            ct_x
        };
        (y, pullback)
    }

    #[test]
    fn forward_and_reverse_jacobians_agree_with_finite_differences() {
        let x = tensor![0.4, -0.3];
        let forward = jacobian_fwd(layer_jvp, x);
        let reverse = jacobian_rev(layer_vjp, x);
        assert!(distance(forward, reverse) < 1e-15, "{forward} vs {reverse}");
        let h = 1e-6;
        let numeric = Tensor::<f64, 3, 2>::from_fn(|i, j| {
            let e = Tensor::<f64, 2>::from_fn(|k, _| if k == j { h } else { 0.0 });
            (layer_vjp(x + e).0[i] - layer_vjp(x - e).0[i]) / (2.0 * h)
        });
        assert!(distance(forward, numeric) < 1e-8, "{forward} vs {numeric}");
    }

    /// Rosenbrock's `f(x, y) = (1 - x)² + 100 (y - x²)²`.
    fn rosen(p: V2) -> f64 {
        (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2)
    }

    fn rosen_grad(p: V2) -> V2 {
        let (x, y) = (p[0], p[1]);
        tensor![
            -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
            200.0 * (y - x * x)
        ]
    }

    /// The exact Hessian, written out: `[[2 - 400 y + 1200 x², -400 x], [-400 x, 200]]`.
    fn rosen_hessian(p: V2) -> Tensor<f64, 2, 2> {
        let (x, y) = (p[0], p[1]);
        tensor![
            [2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x],
            [-400.0 * x, 200.0]
        ]
    }

    /// `f_hvp` by hand: `H v` as the two dot products with the rows of the formula above,
    /// not through `rosen_hessian`, so the test compares two ways of writing it.
    fn rosen_hvp(p: V2, v: V2) -> (f64, V2, V2) {
        let (x, y) = (p[0], p[1]);
        let hv = tensor![
            (2.0 - 400.0 * (y - x * x) + 800.0 * x * x) * v[0] - 400.0 * x * v[1],
            -400.0 * x * v[0] + 200.0 * v[1]
        ];
        (rosen(p), rosen_grad(p), hv)
    }

    #[test]
    fn the_hessian_of_rosenbrock_matches_its_formula_and_finite_differences() {
        for p in [tensor![-1.2, 1.0], tensor![1.0, 1.0], tensor![0.3, -0.8]] {
            let h = hessian(rosen_hvp, p);
            assert!(distance(h, rosen_hessian(p)) < 1e-12, "{h} at {p}");
            // Independently: central differences of the exact gradient, column by column.
            let step = 1e-6;
            let numeric = Tensor::<f64, 2, 2>::from_fn(|i, j| {
                let e = V2::from_fn(|k, _| if k == j { step } else { 0.0 });
                (rosen_grad(p + e)[i] - rosen_grad(p - e)[i]) / (2.0 * step)
            });
            assert!(distance(h, numeric) < 1e-5, "{h} vs {numeric} at {p}");
            let (value, grad, same) = value_grad_hessian(rosen_hvp, p);
            assert_eq!((value, grad, same), (rosen(p), rosen_grad(p), h));
        }
        // At the minimum the gradient vanishes and the Hessian is positive definite.
        let (value, grad, h) = value_grad_hessian(rosen_hvp, tensor![1.0, 1.0]);
        assert_eq!((value, grad), (0.0, V2::zeros()));
        assert_eq!(h, tensor![[802.0, -400.0], [-400.0, 200.0]]);
    }

    #[test]
    fn newton_on_rosenbrock_converges_from_the_classic_start() {
        let mut p = tensor![-1.2, 1.0];
        let mut iterations = 0;
        while (p - tensor![1.0, 1.0]).norm() > 1e-10 {
            assert!(iterations < 10, "no convergence after 10 steps: {p}");
            let (_, grad, h) = value_grad_hessian(rosen_hvp, p);
            let step = h.into_matrix().lu().solve(grad.as_matrix()).unwrap();
            p -= Tensor::from_matrix(step);
            iterations += 1;
        }
        assert!(iterations >= 2, "{iterations}");
    }

    #[test]
    fn hessian_columns_are_the_hvps_in_order_and_not_symmetrised() {
        // Not a true HVP: a non-symmetric matrix pins which index is the column.
        let m = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.5]];
        let h = hessian(|x: V3, v: V3| (0.0, x, m.matmul(v)), V3::zeros());
        assert_eq!(h, m);
    }

    #[test]
    fn work_in_f32_and_for_empty_inputs() {
        let f_hvp = |x: Tensor<f32, 1>, v: Tensor<f32, 1>| (x[0].powi(3), x * x * 3.0, x * v * 6.0);
        assert_eq!(hessian(f_hvp, tensor![2.0_f32]), tensor![[12.0_f32]]);
        let (value, _, h) = value_grad_hessian(|_: Tensor<f64, 0>, v| (7.0, v, v), Tensor::zeros());
        assert_eq!((value, h), (7.0, Tensor::<f64, 0, 0>::zeros()));
        let j = jacobian_fwd(
            |x: Tensor<f64, 0>, dx| (tensor![x.sum()], tensor![dx.sum()]),
            Tensor::zeros(),
        );
        assert_eq!(j, Tensor::<f64, 1, 0>::zeros());
    }
}
