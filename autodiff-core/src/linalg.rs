//! The factorisations a tensor's `cholesky()` and `lu()` return, in nalgebra's spelling,
//! and [`Operand`], which lets their `solve` take the right-hand side by value or by
//! reference (`chol.solve(&b)` as nalgebra spells it, or `chol.solve(b)`).
//!
//! Both are differentiable values: inside a `#[differentiable]` body a Gaussian-process
//! likelihood reads as it does with nalgebra,
//!
//! ```
//! use autodiff_core::{tensor, Tensor};
//!
//! let k: Tensor<f64, 2, 2> = tensor![[2.0, 0.5], [0.5, 1.0]];
//! let ys = tensor![1.0, -1.0];
//! let chol = k.cholesky().unwrap();
//! let alpha = chol.solve(&ys);
//! let log_det = 2.0 * chol.l().diagonal().ln().sum();
//! let nll = 0.5 * ys.dot(alpha) + 0.5 * log_det;
//! assert!((log_det - k.determinant().ln()).abs() < 1e-12);
//! assert!((nll - (0.5 * ys.dot(k.try_inverse().unwrap().matmul(ys)) + 0.5 * log_det)).abs() < 1e-12);
//! ```
//!
//! and every step has its derivative rules in [`ops`](crate::ops): the factor's
//! coordinates (as a gradient, its cotangent) are those of `L`.

use nalgebra::Scalar;

use crate::differentiable::{CoordUpdate, Differentiable};
use crate::real::Real;
use crate::tensor::Tensor;

/// The Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite matrix, from
/// [`Tensor::cholesky`]: nalgebra's `Cholesky`, over tensors.
///
/// Only the lower triangle of `A` is read, as nalgebra reads it, so the gradient of a
/// result with respect to `A` is lower-triangular (the strictly upper entries do not change
/// the result); along a symmetric perturbation it gives the same derivative as PyTorch's
/// symmetrised gradient. Likewise every method reads only the lower triangle of the stored
/// factor.
///
/// As a gradient (the adjoint of a factor in a reverse sweep) it holds the cotangent of
/// `L` in place of `L`.
///
/// ```
/// use autodiff_core::tensor;
///
/// let a = tensor![[4.0, 2.0], [2.0, 5.0]];
/// let chol = a.cholesky().expect("positive definite");
/// assert_eq!(chol.l(), tensor![[2.0, 0.0], [1.0, 2.0]]);
/// assert_eq!(chol.solve(&tensor![4.0, 2.0]), tensor![1.0, 0.0]);
/// assert_eq!(chol.determinant(), 16.0);
/// assert!(tensor![[1.0, 2.0], [2.0, 1.0]].cholesky().is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cholesky<T: Scalar, const N: usize> {
    pub(crate) l: Tensor<T, N, N>,
}

impl<T: Real, const N: usize> Cholesky<T, N> {
    /// The factor holding `l` as its lower-triangular `L` (its strictly upper entries are
    /// never read): how derivative rules build a factor's tangent or cotangent.
    ///
    /// ```
    /// use autodiff_core::linalg::Cholesky;
    /// use autodiff_core::tensor;
    ///
    /// let chol = Cholesky::from_l(tensor![[2.0, 0.0], [1.0, 2.0]]);
    /// assert_eq!(chol, tensor![[4.0, 2.0], [2.0, 5.0]].cholesky().unwrap());
    /// ```
    #[inline]
    pub fn from_l(l: Tensor<T, N, N>) -> Self {
        Cholesky { l }
    }
}

impl<T: Real, const N: usize> Default for Cholesky<T, N> {
    /// The zero factor: the zero gradient of a factor.
    #[inline]
    fn default() -> Self {
        Cholesky { l: Tensor::zeros() }
    }
}

impl<T: Real, const N: usize> Differentiable for Cholesky<T, N> {
    #[inline]
    fn zero_like(&self) -> Self {
        Self::default()
    }

    #[inline]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        self.l.zip_update(others.map(|o| &o.l), f);
    }

    #[inline]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        Tensor::zip_visit(values.map(|v| &v.l), f);
    }
}

/// The LU factorisation of a square matrix, from [`Tensor::lu`]: what nalgebra's `LU`
/// is for, solving `A x = b`, over tensors.
///
/// It holds the matrix itself and factorises it (with partial pivoting, as nalgebra does)
/// when it solves: a fixed-shape matrix is small, and the derivative rules need `A`, not
/// its factors. As a gradient it holds the cotangent of `A`.
///
/// ```
/// use autodiff_core::tensor;
///
/// let a = tensor![[2.0, 0.0], [0.0, 4.0]];
/// assert_eq!(a.lu().solve(&tensor![2.0, 4.0]), Some(tensor![1.0, 1.0]));
/// assert_eq!(tensor![[1.0, 2.0], [2.0, 4.0]].lu().solve(&tensor![1.0, 1.0]), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lu<T: Scalar, const N: usize> {
    pub(crate) a: Tensor<T, N, N>,
}

impl<T: Real, const N: usize> Lu<T, N> {
    /// The factorisation of `a` (it is computed when it solves); the same as `a.lu()`.
    ///
    /// ```
    /// use autodiff_core::linalg::Lu;
    /// use autodiff_core::tensor;
    ///
    /// let a = tensor![[2.0, 1.0], [1.0, 3.0]];
    /// assert_eq!(Lu::of(a), a.lu());
    /// ```
    #[inline]
    pub fn of(a: Tensor<T, N, N>) -> Self {
        Lu { a }
    }
}

impl<T: Real, const N: usize> Default for Lu<T, N> {
    /// The factorisation of the zero matrix: the zero gradient of a factorisation.
    #[inline]
    fn default() -> Self {
        Lu { a: Tensor::zeros() }
    }
}

impl<T: Real, const N: usize> Differentiable for Lu<T, N> {
    #[inline]
    fn zero_like(&self) -> Self {
        Self::default()
    }

    #[inline]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        self.a.zip_update(others.map(|o| &o.a), f);
    }

    #[inline]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        Tensor::zip_visit(values.map(|v| &v.a), f);
    }
}

/// The eigendecomposition `A = V diag(λ) Vᵀ` of a symmetric matrix, from
/// [`Tensor::symmetric_eigen`]: nalgebra's `SymmetricEigen`, over tensors, with the
/// eigenvalues in ascending order and each eigenvector's largest component positive (so
/// the decomposition of a matrix with distinct eigenvalues is unique).
///
/// Only the lower triangle of `A` is read, as nalgebra reads it. The eigenvalues'
/// gradient is defined wherever they are distinct (and where they are not, it is still
/// that of their sum); the eigenvectors' needs distinct eigenvalues (see
/// [`FactorSymmetricEigen`](crate::ops::FactorSymmetricEigen)). As a gradient it holds
/// the cotangents of both fields.
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let a = tensor![[2.0, 0.0], [0.0, -1.0]];
/// let eigen = a.symmetric_eigen();
/// assert_eq!(eigen.eigenvalues, tensor![-1.0, 2.0]);
/// assert_eq!(eigen.eigenvectors, tensor![[0.0, 1.0], [1.0, 0.0]]);
/// let b = tensor![[2.0, 1.0], [1.0, 3.0]];
/// let eigen = b.symmetric_eigen();
/// let (v, l) = (eigen.eigenvectors, eigen.eigenvalues);
/// assert!((b.matmul(v) - v.matmul(Tensor::from_fn(|r, c| if r == c { l[r] } else { 0.0 }))).norm() < 1e-14);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SymmetricEigen<T: Scalar, const N: usize> {
    /// The eigenvalues, ascending.
    pub eigenvalues: Tensor<T, N>,
    /// The unit eigenvectors, as columns in the eigenvalues' order.
    pub eigenvectors: Tensor<T, N, N>,
}

impl<T: Real, const N: usize> Default for SymmetricEigen<T, N> {
    /// Zeros: the zero gradient of a decomposition.
    #[inline]
    fn default() -> Self {
        SymmetricEigen {
            eigenvalues: Tensor::zeros(),
            eigenvectors: Tensor::zeros(),
        }
    }
}

impl<T: Real, const N: usize> Differentiable for SymmetricEigen<T, N> {
    #[inline]
    fn zero_like(&self) -> Self {
        Self::default()
    }

    #[inline]
    fn zip_update<const K: usize>(&mut self, others: [&Self; K], f: &mut impl CoordUpdate<K>) {
        self.eigenvalues
            .zip_update(others.map(|o| &o.eigenvalues), f);
        self.eigenvectors
            .zip_update(others.map(|o| &o.eigenvectors), f);
    }

    #[inline]
    fn zip_visit<const K: usize>(values: [&Self; K], f: &mut impl FnMut([f64; K])) {
        Tensor::zip_visit(values.map(|v| &v.eigenvalues), f);
        Tensor::zip_visit(values.map(|v| &v.eigenvectors), f);
    }
}

/// A decomposition a loop's reverse sweep passes for a value its VJP does not read.
impl<T: Real, const N: usize> crate::tape::StandIn for SymmetricEigen<T, N> {
    #[inline(always)]
    fn stand_in() -> Self {
        Self::default()
    }
}

/// A tensor operand passed by value or by reference: `chol.solve(&b)`, as nalgebra spells
/// it, and `chol.solve(b)` both work.
///
/// ```
/// use autodiff_core::linalg::Operand;
/// use autodiff_core::{tensor, Tensor};
///
/// fn first<B: Operand<Value = Tensor<f64, 2>>>(b: B) -> f64 {
///     b.value()[0]
/// }
/// let b = tensor![1.0, 2.0];
/// assert_eq!(first(&b), first(b));
/// ```
pub trait Operand {
    /// The tensor passed.
    type Value;

    /// The tensor, copied out of a reference.
    fn value(self) -> Self::Value;
}

impl<T: Scalar + Copy, const R: usize, const C: usize> Operand for Tensor<T, R, C> {
    type Value = Self;

    #[inline(always)]
    fn value(self) -> Self {
        self
    }
}

impl<T: Scalar + Copy, const R: usize, const C: usize> Operand for &Tensor<T, R, C> {
    type Value = Tensor<T, R, C>;

    #[inline(always)]
    fn value(self) -> Tensor<T, R, C> {
        *self
    }
}

/// A factor a loop's reverse sweep passes for a value its VJP does not read.
impl<T: Real, const N: usize> crate::tape::StandIn for Cholesky<T, N> {
    #[inline(always)]
    fn stand_in() -> Self {
        Self::default()
    }
}

/// A factorisation a loop's reverse sweep passes for a value its VJP does not read.
impl<T: Real, const N: usize> crate::tape::StandIn for Lu<T, N> {
    #[inline(always)]
    fn stand_in() -> Self {
        Self::default()
    }
}

/// An `Option` a loop's reverse sweep passes for a value its VJP does not read
/// (`unwrap`'s operand): `None`.
impl<X> crate::tape::StandIn for Option<X> {
    #[inline(always)]
    fn stand_in() -> Self {
        None
    }
}
