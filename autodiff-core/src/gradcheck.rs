//! [`gradcheck`]: compares a gradient with central finite differences, like
//! `torch.autograd.gradcheck`, for use in users' own tests.

use crate::{Real, Tensor};
use core::fmt;

/// Values whose elements [`gradcheck`] can nudge one at a time: `f32`, `f64` and tensors.
pub trait Perturb: Copy {
    /// How many elements there are.
    fn num_elems(&self) -> usize;
    /// Element `i` (in storage order), as `f64`.
    fn elem(&self, i: usize) -> f64;
    /// A copy with element `i` set to `value`.
    fn with_elem(self, i: usize, value: f64) -> Self;
}

impl<T: Real> Perturb for T {
    fn num_elems(&self) -> usize {
        1
    }
    fn elem(&self, _: usize) -> f64 {
        Real::to_f64(*self)
    }
    fn with_elem(self, _: usize, value: f64) -> Self {
        <T as Real>::from_f64(value)
    }
}

impl<T: Real, const R: usize, const C: usize> Perturb for Tensor<T, R, C> {
    fn num_elems(&self) -> usize {
        R * C
    }
    fn elem(&self, i: usize) -> f64 {
        Real::to_f64(self.as_matrix()[i])
    }
    fn with_elem(self, i: usize, value: f64) -> Self {
        let mut matrix = self.into_matrix();
        matrix[i] = <T as Real>::from_f64(value);
        Tensor::from_matrix(matrix)
    }
}

/// The outcome of [`gradcheck`]: the worst disagreement between the gradient under test
/// and central finite differences.
///
/// It keeps every element's comparison, so [`within`](Gradcheck::within) judges all of
/// them again under the new tolerances (the worst element under one relative tolerance is
/// not the worst under another).
#[derive(Clone, Debug, PartialEq)]
pub struct Gradcheck {
    /// Largest `|analytic - numerical|` over all elements.
    pub max_abs_err: f64,
    /// Largest `|analytic - numerical| / max(|numerical|, tiny)`.
    pub max_rel_err: f64,
    /// The element (storage order) where `|analytic - numerical| - rtol * |numerical|`
    /// is largest, with its analytic and numerical values.
    pub worst: Option<(usize, f64, f64)>,
    /// Absolute tolerance used by [`passed`](Gradcheck::passed).
    pub atol: f64,
    /// Relative tolerance used by [`passed`](Gradcheck::passed).
    pub rtol: f64,
    /// `(analytic, numerical)` for every element, in storage order.
    comparisons: Vec<(f64, f64)>,
}

impl Gradcheck {
    /// Whether every element satisfies `|analytic - numerical| <= atol + rtol * |numerical|`
    /// (PyTorch's criterion, defaults `atol = 1e-5`, `rtol = 1e-3`).
    pub fn passed(&self) -> bool {
        match self.worst {
            None => true,
            Some((_, analytic, numerical)) => {
                (analytic - numerical).abs() <= self.atol + self.rtol * numerical.abs()
            }
        }
    }

    /// The same check with other tolerances.
    ///
    /// ```
    /// use autodiff_core::{gradcheck, tensor};
    ///
    /// let f = |x: autodiff_core::Tensor<f64, 2>| (x * x).sum();
    /// let x = tensor![1.0, 1000.0];
    /// // Off by 1e-4 at the small element: within the defaults, not within 1e-6.
    /// let report = gradcheck(f, x, tensor![2.0001, 2000.0]);
    /// assert!(report.passed());
    /// assert!(!report.within(1e-7, 1e-6).passed());
    /// ```
    pub fn within(mut self, atol: f64, rtol: f64) -> Self {
        self.atol = atol;
        self.rtol = rtol;
        self.worst = worst_of(&self.comparisons, rtol);
        self
    }

    /// A report over `(analytic, numerical)` pairs, with PyTorch's default tolerances.
    pub(crate) fn from_comparisons(comparisons: Vec<(f64, f64)>) -> Self {
        let (atol, rtol) = (1e-5, 1e-3);
        let mut max_abs_err: f64 = 0.0;
        let mut max_rel_err: f64 = 0.0;
        for &(analytic, numerical) in &comparisons {
            let err = (analytic - numerical).abs();
            max_abs_err = max_abs_err.max(err);
            max_rel_err = max_rel_err.max(err / numerical.abs().max(f64::MIN_POSITIVE));
        }
        Gradcheck {
            max_abs_err,
            max_rel_err,
            worst: worst_of(&comparisons, rtol),
            atol,
            rtol,
            comparisons,
        }
    }
}

/// The element where `|analytic - numerical| - rtol * |numerical|` is largest (a NaN
/// difference first).
fn worst_of(comparisons: &[(f64, f64)], rtol: f64) -> Option<(usize, f64, f64)> {
    let mut worst = None;
    let mut worst_excess = f64::NEG_INFINITY;
    for (i, &(analytic, numerical)) in comparisons.iter().enumerate() {
        let err = (analytic - numerical).abs();
        let excess = err - rtol * numerical.abs();
        if excess > worst_excess || err.is_nan() {
            worst_excess = if err.is_nan() { f64::INFINITY } else { excess };
            worst = Some((i, analytic, numerical));
            if err.is_nan() {
                break;
            }
        }
    }
    worst
}

impl fmt::Display for Gradcheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradcheck {}: max abs error {:.3e}, max rel error {:.3e}",
            if self.passed() { "passed" } else { "FAILED" },
            self.max_abs_err,
            self.max_rel_err
        )?;
        if let Some((i, analytic, numerical)) = self.worst {
            write!(
                f,
                " (worst at element {i}: analytic {analytic:e}, numerical {numerical:e})"
            )?;
        }
        Ok(())
    }
}

/// Checks `grad`, a claimed gradient of the scalar function `f` at `x`, against central
/// finite differences with step `1e-6 * max(1, |x_i|)`.
///
/// Use it in tests of hand-written VJPs or of code differentiated by `#[differentiable]`;
/// for a function of several arguments, close over the others. In `f32` the differences
/// are only accurate to about `1e-2`: loosen the tolerances with
/// [`within`](Gradcheck::within) or check in `f64`.
///
/// ```
/// use autodiff_core::{gradcheck, tensor, Tensor};
///
/// // With `#[differentiable] fn calc`, the gradient comes from `calc_grad(a).1`.
/// let calc = |a: Tensor<f64, 3>| (a * a).sum();
/// let a = tensor![1.0, 2.0, 3.0];
/// let report = gradcheck(calc, a, a * 2.0);
/// assert!(report.passed(), "{report}");
/// assert!(report.max_abs_err < 1e-8);
///
/// // A wrong gradient is caught.
/// assert!(!gradcheck(calc, a, a * 2.02).passed());
/// ```
pub fn gradcheck<X: Perturb, Y: Real>(f: impl Fn(X) -> Y, x: X, grad: X) -> Gradcheck {
    let comparisons = (0..x.num_elems())
        .map(|i| {
            let xi = x.elem(i);
            let h = 1e-6 * xi.abs().max(1.0);
            let up = Real::to_f64(f(x.with_elem(i, xi + h)));
            let down = Real::to_f64(f(x.with_elem(i, xi - h)));
            (grad.elem(i), (up - down) / (2.0 * h))
        })
        .collect();
    Gradcheck::from_comparisons(comparisons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_gradient_passes_and_reports_small_errors() {
        let x = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, -2.0, 0.5, 3.0]);
        let report = gradcheck(|x: Tensor<f64, 2, 2>| (x * x).sum(), x, x * 2.0);
        assert!(report.passed(), "{report}");
        assert!(report.max_abs_err < 1e-8, "{report}");
    }

    #[test]
    fn wrong_gradient_fails_and_names_the_element() {
        let x = Tensor::<f64, 3>::from_row_slice(&[1.0, 2.0, 3.0]);
        let mut wrong = x * 2.0;
        wrong[2] += 0.1;
        let report = gradcheck(|x: Tensor<f64, 3>| (x * x).sum(), x, wrong);
        assert!(!report.passed());
        assert_eq!(report.worst.map(|w| w.0), Some(2));
        assert!((report.max_abs_err - 0.1).abs() < 1e-6);
        assert!(report.to_string().contains("FAILED"));
    }

    #[test]
    fn scalars_and_nan_are_handled() {
        assert!(gradcheck(|x: f64| x.sin(), 0.3, 0.3_f64.cos()).passed());
        assert!(!gradcheck(|x: f64| x.sin(), 0.3, f64::NAN).passed());
    }

    #[test]
    fn tolerances_can_be_loosened() {
        let report = gradcheck(|x: f64| x * x, 1.0, 2.01);
        assert!(!report.passed());
        assert!(report.within(0.1, 0.0).passed());
    }
}
