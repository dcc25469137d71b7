//! [`Tensor`]: fixed-shape storage over an nalgebra `SMatrix`, its constructors, indexing,
//! the [`tensor!`](crate::tensor!) macro, PyTorch-style `Display`, and the standard traits
//! users reach for (`Debug` by rows, approx comparisons, `Sum`, iteration, conversions
//! from arrays, `Deref` to the matrix, serde behind the `serde` feature).
//!
//! Arithmetic and every other differentiable operation live in [`ops`](crate::ops), one
//! file per operation. Indexing (`Index`/`IndexMut`) is storage and lives here; its VJP is
//! in [`ops::IndexVjp`](crate::ops::IndexVjp).

use core::fmt;
use core::iter;
use core::ops::{Deref, DerefMut, Index, IndexMut};

use approx::{AbsDiffEq, RelativeEq, UlpsEq};
use nalgebra::iter::{MatrixIter, MatrixIterMut};
use nalgebra::{ArrayStorage, Const, SMatrix, Scalar};
use num_traits::{One, Zero};

use crate::real::Real;

/// A tensor of fixed shape `R x C`, stored as an nalgebra [`SMatrix<T, R, C>`].
///
/// `C` defaults to 1, so `Tensor<f64, 3>` is a column vector of three elements, which
/// prints and behaves like PyTorch's 1-D tensors. Tensors are `Copy` (for `Copy`
/// elements), live on the stack, and are passed by value: `a.matmul(b)`, `a.dot(b)`.
/// Shapes are part of the type, so a shape mismatch is a compile error.
///
/// The math (`+ - * /`, `exp`, `matmul`, ...) needs a floating-point element type
/// ([`Real`]: `f32` or `f64`); the storage itself accepts any nalgebra [`Scalar`], so
/// integer tensors such as `Tensor<i32, 3>` can hold data.
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let a: Tensor<f64, 2, 2> = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let b = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(a, b);
/// assert_eq!(a[(1, 0)], 3.0);
/// assert_eq!((a * 2.0)[(0, 1)], 4.0);
/// assert_eq!(b.shape(), (2, 2));
///
/// let ids: Tensor<i32, 3> = tensor![1, 2, 3];
/// assert_eq!(ids[2], 3);
/// ```
///
/// # nalgebra's methods
///
/// A tensor dereferences to its [`SMatrix`], so nalgebra's methods that have no
/// counterpart here work directly: `m.rank(eps)`, `m.svd(true, true)`, `v.len()`.
/// Where both have a method of the same name (`sum`, `norm`, `dot`, `map`, `iter`,
/// `exp`, `determinant`, `try_inverse`, `cholesky`, `lu`, `diagonal`, ...), the tensor's
/// own method wins and returns tensors (`m.cholesky()` is a
/// [`linalg::Cholesky`](crate::linalg::Cholesky) over tensors), so `m.exp()` stays elementwise (nalgebra's
/// `exp` is the matrix exponential) and returns a tensor; reach nalgebra's through
/// [`as_matrix`](Self::as_matrix), as in `m.as_matrix().exp()`. What nalgebra's methods
/// return is nalgebra's type (`m.transpose()` is an `SMatrix`; `m.t()` is the tensor),
/// and `#[differentiable]` bodies can only differentiate the tensor's own operations.
///
/// ```
/// use autodiff_core::tensor;
///
/// let m = tensor![[2.0, 1.0], [1.0, 3.0]];
/// assert_eq!(m.determinant(), 5.0);
/// assert_eq!(m.exp()[(0, 0)], 2.0_f64.exp()); // elementwise: the tensor's `exp`
/// assert!(m.as_matrix().exp()[(0, 0)] > 2.0_f64.exp()); // nalgebra's matrix exponential
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Tensor<T, const R: usize, const C: usize = 1> {
    matrix: SMatrix<T, R, C>,
}

impl<T: Scalar, const R: usize, const C: usize> Tensor<T, R, C> {
    /// Builds a tensor from its elements in row-major order.
    ///
    /// # Panics
    ///
    /// If `data.len()` is not `R * C`.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// let m = Tensor::<f64, 2, 3>::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// assert_eq!(m[(0, 2)], 3.0);
    /// assert_eq!(m[(1, 0)], 4.0);
    /// ```
    #[must_use]
    #[inline]
    #[track_caller]
    pub fn from_row_slice(data: &[T]) -> Self {
        assert!(
            data.len() == R * C,
            "Tensor::from_row_slice: a {R}x{C} tensor needs {} elements, got {}",
            R * C,
            data.len()
        );
        Self::from_fn(|row, col| data[row * C + col].clone())
    }

    /// Builds a tensor whose element at `(row, col)` is `f(row, col)`.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// let m = Tensor::<f64, 2, 2>::from_fn(|row, col| (10 * row + col) as f64);
    /// assert_eq!(m, Tensor::from_row_slice(&[0.0, 1.0, 10.0, 11.0]));
    /// ```
    #[must_use]
    #[inline]
    pub fn from_fn(f: impl FnMut(usize, usize) -> T) -> Self {
        Self::from_matrix(SMatrix::from_fn(f))
    }

    /// Builds a tensor with every element equal to `value`.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// let t = Tensor::<f32, 3>::from_element(2.5);
    /// assert_eq!(t, Tensor::from_row_slice(&[2.5, 2.5, 2.5]));
    /// ```
    #[must_use]
    #[inline]
    pub fn from_element(value: T) -> Self {
        Self::from_matrix(SMatrix::from_element(value))
    }

    /// Builds a matrix from an array of rows; `tensor![[a, b], [c, d]]` expands to this.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// let m = Tensor::from_rows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(m.shape(), (2, 3));
    /// assert_eq!(m[(1, 2)], 6.0);
    /// ```
    #[must_use]
    #[inline]
    pub fn from_rows(rows: [[T; C]; R]) -> Self {
        Self::from_fn(|row, col| rows[row][col].clone())
    }

    /// Wraps an nalgebra matrix, without copying its elements around.
    ///
    /// ```
    /// use autodiff_core::{nalgebra::Matrix2, Tensor};
    ///
    /// let t = Tensor::from_matrix(Matrix2::new(1.0, 2.0, 3.0, 4.0));
    /// assert_eq!(t[(0, 1)], 2.0);
    /// ```
    #[must_use]
    #[inline(always)]
    pub const fn from_matrix(matrix: SMatrix<T, R, C>) -> Self {
        Tensor { matrix }
    }

    /// Unwraps the nalgebra matrix.
    ///
    /// ```
    /// use autodiff_core::{nalgebra::Vector2, tensor};
    ///
    /// assert_eq!(tensor![1.0, 2.0].into_matrix(), Vector2::new(1.0, 2.0));
    /// ```
    #[must_use]
    #[inline(always)]
    pub fn into_matrix(self) -> SMatrix<T, R, C> {
        self.matrix
    }

    /// Borrows the nalgebra matrix, for nalgebra's own methods.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let m = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(m.as_matrix().determinant(), -2.0);
    /// ```
    #[must_use]
    #[inline(always)]
    pub const fn as_matrix(&self) -> &SMatrix<T, R, C> {
        &self.matrix
    }

    /// The shape `(rows, columns)`, i.e. `(R, C)`.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// assert_eq!(Tensor::<f64, 4>::zeros().shape(), (4, 1));
    /// ```
    #[must_use]
    #[inline(always)]
    pub const fn shape(&self) -> (usize, usize) {
        (R, C)
    }

    /// Applies `f` to every element.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![1.0, -2.0].map(|x: f64| x * x), tensor![1.0, 4.0]);
    /// assert_eq!(tensor![1.5, 2.5].map(|x: f64| x as i32), tensor![1, 2]);
    /// ```
    #[must_use]
    #[inline]
    pub fn map<U: Scalar>(self, f: impl FnMut(T) -> U) -> Tensor<U, R, C> {
        Tensor::from_matrix(self.matrix.map(f))
    }

    /// Combines two tensors of the same shape element by element.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let m = tensor![1.0, 5.0].zip_map(tensor![3.0, 2.0], f64::max);
    /// assert_eq!(m, tensor![3.0, 5.0]);
    /// ```
    #[must_use]
    #[inline]
    pub fn zip_map<U: Scalar, V: Scalar>(
        self,
        other: Tensor<U, R, C>,
        f: impl FnMut(T, U) -> V,
    ) -> Tensor<V, R, C> {
        Tensor::from_matrix(self.matrix.zip_map(&other.matrix, f))
    }

    /// Iterates over the elements in storage order, which is column-major (nalgebra's);
    /// see [`to_row_major_vec`](Self::to_row_major_vec) for row-major order.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let m = tensor![[1, 2], [3, 4]];
    /// assert_eq!(m.iter().copied().collect::<Vec<_>>(), [1, 3, 2, 4]);
    /// assert_eq!(tensor![1.0, 2.0].iter().sum::<f64>(), 3.0);
    /// ```
    #[inline]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &T> + DoubleEndedIterator {
        self.matrix.iter()
    }

    /// Iterates mutably over the elements, in the same column-major order as
    /// [`iter`](Self::iter).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let mut v = tensor![1.0, 2.0, 3.0];
    /// for x in v.iter_mut() {
    ///     *x *= 10.0;
    /// }
    /// assert_eq!(v, tensor![10.0, 20.0, 30.0]);
    /// ```
    #[inline]
    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = &mut T> + DoubleEndedIterator {
        self.matrix.iter_mut()
    }

    /// Borrows the nalgebra matrix mutably, for nalgebra's own in-place methods.
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// let mut m = tensor![[1.0, 2.0], [3.0, 4.0]];
    /// m.as_matrix_mut().transpose_mut();
    /// assert_eq!(m, tensor![[1.0, 3.0], [2.0, 4.0]]);
    /// ```
    #[inline(always)]
    pub const fn as_matrix_mut(&mut self) -> &mut SMatrix<T, R, C> {
        &mut self.matrix
    }

    /// Copies the elements into a `Vec`, row by row (the inverse of
    /// [`from_row_slice`](Self::from_row_slice)).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1, 2], [3, 4]].to_row_major_vec(), [1, 2, 3, 4]);
    /// ```
    #[must_use]
    pub fn to_row_major_vec(&self) -> Vec<T> {
        (0..R)
            .flat_map(|row| (0..C).map(move |col| self.matrix[(row, col)].clone()))
            .collect()
    }
}

impl<T: Scalar, const R: usize> Tensor<T, R, 1> {
    /// Builds a column vector from an array; `tensor![a, b, c]` expands to this.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// let v = Tensor::from_column_array([1.0, 2.0, 3.0]);
    /// assert_eq!(v.shape(), (3, 1));
    /// assert_eq!(v[1], 2.0);
    /// ```
    #[must_use]
    #[inline]
    pub fn from_column_array(elements: [T; R]) -> Self {
        Self::from_fn(|row, _| elements[row].clone())
    }
}

impl<T: Scalar + Zero, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The tensor of zeros.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// assert_eq!(Tensor::<f64, 2>::zeros(), Tensor::from_row_slice(&[0.0, 0.0]));
    /// assert_eq!(Tensor::<i32, 2>::zeros()[1], 0);
    /// ```
    #[must_use]
    #[inline]
    pub fn zeros() -> Self {
        Self::from_matrix(SMatrix::zeros())
    }
}

impl<T: Scalar + One, const R: usize, const C: usize> Tensor<T, R, C> {
    /// The tensor of ones.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    ///
    /// assert_eq!(Tensor::<f64, 2, 2>::ones(), Tensor::from_element(1.0));
    /// ```
    #[must_use]
    #[inline]
    pub fn ones() -> Self {
        Self::from_element(T::one())
    }
}

/// The tensor of zeros.
impl<T: Scalar + Zero, const R: usize, const C: usize> Default for Tensor<T, R, C> {
    #[inline]
    fn default() -> Self {
        Self::zeros()
    }
}

impl<T, const R: usize, const C: usize> From<SMatrix<T, R, C>> for Tensor<T, R, C> {
    #[inline(always)]
    fn from(matrix: SMatrix<T, R, C>) -> Self {
        Tensor { matrix }
    }
}

impl<T, const R: usize, const C: usize> From<Tensor<T, R, C>> for SMatrix<T, R, C> {
    #[inline(always)]
    fn from(tensor: Tensor<T, R, C>) -> Self {
        tensor.matrix
    }
}

/// `v[i]`: the `i`-th element of a column vector.
///
/// # Panics
///
/// If `i >= R`.
impl<T: Scalar, const R: usize> Index<usize> for Tensor<T, R, 1> {
    type Output = T;

    #[inline(always)]
    #[track_caller]
    fn index(&self, i: usize) -> &T {
        &self.matrix[i]
    }
}

/// `v[i] = x`: assignment to the `i`-th element of a column vector.
impl<T: Scalar, const R: usize> IndexMut<usize> for Tensor<T, R, 1> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.matrix[i]
    }
}

/// `t[(row, col)]`: the element at `row`, `col`.
///
/// # Panics
///
/// If `row >= R` or `col >= C`.
impl<T: Scalar, const R: usize, const C: usize> Index<(usize, usize)> for Tensor<T, R, C> {
    type Output = T;

    #[inline(always)]
    #[track_caller]
    fn index(&self, index: (usize, usize)) -> &T {
        &self.matrix[index]
    }
}

/// `t[(row, col)] = x`: assignment to the element at `row`, `col`.
impl<T: Scalar, const R: usize, const C: usize> IndexMut<(usize, usize)> for Tensor<T, R, C> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, index: (usize, usize)) -> &mut T {
        &mut self.matrix[index]
    }
}

/// `Tensor::from([a, b, c])`: a column vector, like [`from_column_array`](Tensor::from_column_array).
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// assert_eq!(Tensor::from([1.0, 2.0, 3.0]), tensor![1.0, 2.0, 3.0]);
/// ```
impl<T: Scalar, const R: usize> From<[T; R]> for Tensor<T, R, 1> {
    #[inline]
    fn from(elements: [T; R]) -> Self {
        Self::from_column_array(elements)
    }
}

/// `Tensor::from([[a, b], [c, d]])`: a matrix given row by row, like
/// [`from_rows`](Tensor::from_rows).
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let m: Tensor<i32, 2, 3> = Tensor::from([[1, 2, 3], [4, 5, 6]]);
/// assert_eq!(m, tensor![[1, 2, 3], [4, 5, 6]]);
/// ```
impl<T: Scalar, const R: usize, const C: usize> From<[[T; C]; R]> for Tensor<T, R, C> {
    #[inline]
    fn from(rows: [[T; C]; R]) -> Self {
        Self::from_rows(rows)
    }
}

/// Dereferences to the nalgebra matrix, for nalgebra's methods (`m.rank(eps)`); the
/// tensor's own methods of the same name win (see [`Tensor`]).
///
/// ```
/// use autodiff_core::tensor;
///
/// let m = tensor![[1.0, 2.0], [2.0, 4.0]];
/// assert_eq!(m.rank(1e-12), 1);
/// assert!(m.is_square());
/// ```
impl<T, const R: usize, const C: usize> Deref for Tensor<T, R, C> {
    type Target = SMatrix<T, R, C>;

    #[inline(always)]
    fn deref(&self) -> &SMatrix<T, R, C> {
        &self.matrix
    }
}

/// Mutable access to the nalgebra matrix, for nalgebra's in-place methods.
///
/// ```
/// use autodiff_core::tensor;
///
/// let mut v = tensor![3.0, 4.0];
/// v.normalize_mut();
/// assert_eq!(v, tensor![0.6, 0.8]);
/// ```
impl<T, const R: usize, const C: usize> DerefMut for Tensor<T, R, C> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut SMatrix<T, R, C> {
        &mut self.matrix
    }
}

/// `for x in &t`: the elements by reference, in storage (column-major) order.
///
/// ```
/// use autodiff_core::tensor;
///
/// let mut total = 0.0;
/// for x in &tensor![1.0, 2.0, 3.0] {
///     total += x;
/// }
/// assert_eq!(total, 6.0);
/// ```
impl<'a, T: Scalar, const R: usize, const C: usize> IntoIterator for &'a Tensor<T, R, C> {
    type Item = &'a T;
    type IntoIter = MatrixIter<'a, T, Const<R>, Const<C>, ArrayStorage<T, R, C>>;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.matrix.iter()
    }
}

/// `for x in &mut t`: the elements by mutable reference, in storage (column-major) order.
///
/// ```
/// use autodiff_core::tensor;
///
/// let mut v = tensor![1, 2, 3];
/// for x in &mut v {
///     *x += 1;
/// }
/// assert_eq!(v, tensor![2, 3, 4]);
/// ```
impl<'a, T: Scalar, const R: usize, const C: usize> IntoIterator for &'a mut Tensor<T, R, C> {
    type Item = &'a mut T;
    type IntoIter = MatrixIterMut<'a, T, Const<R>, Const<C>, ArrayStorage<T, R, C>>;

    #[inline]
    fn into_iter(self) -> Self::IntoIter {
        self.matrix.iter_mut()
    }
}

/// The sum of tensors of one shape; the sum of none is the zero tensor.
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let batch = [tensor![1.0, 2.0], tensor![3.0, 4.0], tensor![5.0, 6.0]];
/// let total: Tensor<f64, 2> = batch.into_iter().sum();
/// assert_eq!(total, tensor![9.0, 12.0]);
/// let none: Tensor<f64, 2> = std::iter::empty::<Tensor<f64, 2>>().sum();
/// assert_eq!(none, Tensor::zeros());
/// ```
impl<T, const R: usize, const C: usize> iter::Sum for Tensor<T, R, C>
where
    SMatrix<T, R, C>: iter::Sum,
{
    #[inline]
    fn sum<I: Iterator<Item = Self>>(tensors: I) -> Self {
        Tensor {
            matrix: tensors.map(|t| t.matrix).sum(),
        }
    }
}

/// The sum of borrowed tensors: `grads.iter().sum()`.
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let grads = vec![tensor![1, 2], tensor![10, 20]];
/// let total: Tensor<i32, 2> = grads.iter().sum();
/// assert_eq!(total, tensor![11, 22]);
/// ```
impl<'a, T, const R: usize, const C: usize> iter::Sum<&'a Tensor<T, R, C>> for Tensor<T, R, C>
where
    T: 'a,
    SMatrix<T, R, C>: iter::Sum<&'a SMatrix<T, R, C>>,
{
    #[inline]
    fn sum<I: Iterator<Item = &'a Self>>(tensors: I) -> Self {
        Tensor {
            matrix: tensors.map(|t| &t.matrix).sum(),
        }
    }
}

/// Equality up to an absolute tolerance, elementwise (approx's `assert_abs_diff_eq!`).
///
/// ```
/// use approx::assert_abs_diff_eq;
/// use autodiff_core::tensor;
///
/// assert_abs_diff_eq!(tensor![1.0, 2.0], tensor![1.0 + 1e-12, 2.0], epsilon = 1e-9);
/// ```
impl<T, const R: usize, const C: usize> AbsDiffEq for Tensor<T, R, C>
where
    T: Scalar + AbsDiffEq,
    T::Epsilon: Clone,
{
    type Epsilon = T::Epsilon;

    #[inline]
    fn default_epsilon() -> Self::Epsilon {
        T::default_epsilon()
    }

    #[inline]
    fn abs_diff_eq(&self, other: &Self, epsilon: Self::Epsilon) -> bool {
        self.matrix.abs_diff_eq(&other.matrix, epsilon)
    }
}

/// Equality up to a relative tolerance, elementwise (approx's `assert_relative_eq!`).
///
/// ```
/// use approx::assert_relative_eq;
/// use autodiff_core::tensor;
///
/// assert_relative_eq!(tensor![1e6, 1.0], tensor![1e6 + 1e-4, 1.0], max_relative = 1e-9);
/// ```
impl<T, const R: usize, const C: usize> RelativeEq for Tensor<T, R, C>
where
    T: Scalar + RelativeEq,
    T::Epsilon: Clone,
{
    #[inline]
    fn default_max_relative() -> Self::Epsilon {
        T::default_max_relative()
    }

    #[inline]
    fn relative_eq(
        &self,
        other: &Self,
        epsilon: Self::Epsilon,
        max_relative: Self::Epsilon,
    ) -> bool {
        self.matrix
            .relative_eq(&other.matrix, epsilon, max_relative)
    }
}

/// Equality up to a number of units in the last place, elementwise (approx's
/// `assert_ulps_eq!`).
///
/// ```
/// use approx::assert_ulps_eq;
/// use autodiff_core::tensor;
///
/// assert_ulps_eq!(tensor![0.1 + 0.2, 1.0], tensor![0.3, 1.0]);
/// ```
impl<T, const R: usize, const C: usize> UlpsEq for Tensor<T, R, C>
where
    T: Scalar + UlpsEq,
    T::Epsilon: Clone,
{
    #[inline]
    fn default_max_ulps() -> u32 {
        T::default_max_ulps()
    }

    #[inline]
    fn ulps_eq(&self, other: &Self, epsilon: Self::Epsilon, max_ulps: u32) -> bool {
        self.matrix.ulps_eq(&other.matrix, epsilon, max_ulps)
    }
}

/// Prints the elements row by row with their own `Debug`: a column vector as one list,
/// `Tensor([1.0, 2.0, 3.0])` (a 1-D tensor, as `Display` prints it too), a matrix as a
/// list of rows, `Tensor([[1.0, 2.0], [3.0, 4.0]])`. `{:#?}` puts each row on a line of
/// its own, and flags such as `{:.1?}` apply to every element.
///
/// ```
/// use autodiff_core::tensor;
///
/// assert_eq!(format!("{:?}", tensor![1.0, 2.0, 3.0]), "Tensor([1.0, 2.0, 3.0])");
/// assert_eq!(format!("{:?}", tensor![[1, 2], [3, 4]]), "Tensor([[1, 2], [3, 4]])");
/// assert_eq!(format!("{:.1?}", tensor![[0.25, 1.0]]), "Tensor([[0.2, 1.0]])");
/// ```
impl<T: Scalar, const R: usize, const C: usize> fmt::Debug for Tensor<T, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// One row, `[a, b, c]`.
        struct Row<'a, T, const R: usize, const C: usize>(&'a Tensor<T, R, C>, usize);

        impl<T: Scalar, const R: usize, const C: usize> fmt::Debug for Row<'_, T, R, C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let Row(tensor, row) = *self;
                f.debug_list()
                    .entries((0..C).map(|col| &tensor.matrix[(row, col)]))
                    .finish()
            }
        }

        /// The rows, or the elements of a column vector.
        struct Elements<'a, T, const R: usize, const C: usize>(&'a Tensor<T, R, C>);

        impl<T: Scalar, const R: usize, const C: usize> fmt::Debug for Elements<'_, T, R, C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let tensor = self.0;
                if C == 1 {
                    f.debug_list().entries(tensor.matrix.iter()).finish()
                } else {
                    f.debug_list()
                        .entries((0..R).map(|row| Row(tensor, row)))
                        .finish()
                }
            }
        }

        f.debug_tuple("Tensor").field(&Elements(self)).finish()
    }
}

/// Serde support, behind the `serde` feature: a column vector is a flat array of its
/// elements, `[1.0, 2.0, 3.0]`, and a matrix an array of its rows, `[[1.0, 2.0], [3.0,
/// 4.0]]`, the nesting PyTorch's `tensor.tolist()` gives; deserializing checks every length
/// against the shape.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use autodiff_core::{tensor, Tensor};
///
/// let m = tensor![[1.0, 2.0], [3.0, 4.0]];
/// let json = serde_json::to_string(&m).unwrap();
/// assert_eq!(json, "[[1.0,2.0],[3.0,4.0]]");
/// assert_eq!(serde_json::from_str::<Tensor<f64, 2, 2>>(&json).unwrap(), m);
/// assert_eq!(serde_json::to_string(&tensor![1, 2, 3]).unwrap(), "[1,2,3]");
/// assert!(serde_json::from_str::<Tensor<f64, 3>>("[1.0, 2.0]").is_err());
/// # }
/// ```
#[cfg(feature = "serde")]
mod serde_impls {
    use nalgebra::Scalar;
    use serde::de::{Deserialize, Deserializer, Error};
    use serde::ser::{Serialize, SerializeSeq, Serializer};

    use super::Tensor;

    /// One row of a matrix, serialized as an array.
    struct Row<'a, T, const R: usize, const C: usize>(&'a Tensor<T, R, C>, usize);

    impl<T: Scalar + Serialize, const R: usize, const C: usize> Serialize for Row<'_, T, R, C> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let Row(tensor, row) = *self;
            serializer.collect_seq((0..C).map(|col| &tensor.matrix[(row, col)]))
        }
    }

    impl<T: Scalar + Serialize, const R: usize, const C: usize> Serialize for Tensor<T, R, C> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            if C == 1 {
                return serializer.collect_seq(self.matrix.iter());
            }
            let mut rows = serializer.serialize_seq(Some(R))?;
            for row in 0..R {
                rows.serialize_element(&Row(self, row))?;
            }
            rows.end()
        }
    }

    impl<'de, T, const R: usize, const C: usize> Deserialize<'de> for Tensor<T, R, C>
    where
        T: Scalar + Deserialize<'de>,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            if C == 1 {
                let elements = Vec::<T>::deserialize(deserializer)?;
                if elements.len() != R {
                    let expected = format!("an array of {R} elements");
                    return Err(D::Error::invalid_length(elements.len(), &expected.as_str()));
                }
                return Ok(Tensor::from_row_slice(&elements));
            }
            let rows = Vec::<Vec<T>>::deserialize(deserializer)?;
            if rows.len() != R {
                let expected = format!("an array of {R} rows");
                return Err(D::Error::invalid_length(rows.len(), &expected.as_str()));
            }
            if let Some(row) = rows.iter().find(|row| row.len() != C) {
                let expected = format!("rows of {C} elements");
                return Err(D::Error::invalid_length(row.len(), &expected.as_str()));
            }
            Ok(Tensor::from_fn(|row, col| rows[row][col].clone()))
        }
    }
}

/// Builds a [`Tensor`] from its elements, without allocating.
///
/// `tensor![a, b, c]` is a column vector `Tensor<T, 3>`; `tensor![[a, b], [c, d]]` is a
/// matrix given row by row (any `R x C`; every row must have `C` elements, which the
/// array types check at compile time). Trailing commas are allowed.
///
/// ```
/// use autodiff_core::{tensor, Tensor};
///
/// let v: Tensor<f64, 3> = tensor![1.0, 2.0, 3.0,];
/// assert_eq!(v, Tensor::from_row_slice(&[1.0, 2.0, 3.0]));
///
/// let m: Tensor<f32, 2, 3> = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(m[(1, 0)], 4.0);
/// ```
#[macro_export]
macro_rules! tensor {
    ($([$($element:expr),* $(,)?]),+ $(,)?) => {
        $crate::Tensor::from_rows([$([$($element),*]),+])
    };
    ($($element:expr),+ $(,)?) => {
        $crate::Tensor::from_column_array([$($element),+])
    };
}

/// Prints like PyTorch's `print(tensor)` with its default options: a column vector as a
/// 1-D tensor, `tensor([2., 2., 2.])`, and a matrix row by row,
/// `tensor([[1., 1.],\n        [1., 1.]])`.
///
/// The element format follows PyTorch's `_tensor_str`: integral values print as `2.`;
/// otherwise four decimals (`0.0008`), or scientific notation (`5.1200e+01`) when the
/// nonzero magnitudes span more than a factor 1000, exceed `1e8` or go below `1e-4`.
/// Elements are right-aligned to a common width, rows wrap at 80 characters, and tensors
/// of more than 1000 elements are summarized with `...`. A precision such as `{:.2}`
/// replaces the default 4 decimals, like `torch.set_printoptions(precision=2)`.
///
/// ```
/// use autodiff_core::tensor;
///
/// assert_eq!(tensor![2.0, 2.0, 2.0].to_string(), "tensor([2., 2., 2.])");
/// assert_eq!(
///     tensor![[1.0, 0.5], [-1.0, 0.25]].to_string(),
///     "tensor([[ 1.0000,  0.5000],\n        [-1.0000,  0.2500]])",
/// );
/// assert_eq!(format!("{:.2}", tensor![0.126, 1.0]), "tensor([0.13, 1.00])");
/// ```
///
/// Integer tensors print as PyTorch prints them, right-aligned without a decimal point:
///
/// ```
/// use autodiff_core::tensor;
///
/// assert_eq!(tensor![1, -20, 3].to_string(), "tensor([  1, -20,   3])");
/// assert_eq!(tensor![[1_u8, 2], [30, 40]].to_string(), "tensor([[ 1,  2],\n        [30, 40]])");
/// ```
impl<T: DisplayElement, const R: usize, const C: usize> fmt::Display for Tensor<T, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display::write_tensor(f, self)
    }
}

/// The element types a [`Tensor`] can print with `Display`: every [`Real`] (`f32`, `f64`),
/// formatted like PyTorch's float tensors, and the primitive integers up to 64 bits
/// (`i8`..`i64`, `u8`..`u64`, `isize`, `usize`), formatted like its integer tensors.
///
/// Sealed: the formatting depends on which of the two kinds an element is.
///
/// ```
/// use autodiff_core::{DisplayElement, Tensor};
///
/// fn show<T: DisplayElement>(t: Tensor<T, 2>) -> String {
///     format!("{t}")
/// }
///
/// assert_eq!(show(Tensor::from([1.5, 2.0])), "tensor([1.5000, 2.0000])");
/// assert_eq!(show(Tensor::from([7_usize, 8])), "tensor([7, 8])");
/// ```
pub trait DisplayElement: Scalar + element::Sealed {}

/// What `Display` needs to know of an element, kept out of the public API.
mod element {
    /// One element as the formatter sees it.
    #[derive(Clone, Copy, Debug)]
    pub enum Printed {
        Float(f64),
        Integer(i128),
    }

    /// Seals [`DisplayElement`](super::DisplayElement) and converts an element.
    pub trait Sealed {
        fn printed(&self) -> Printed;
    }
}

impl<T: Real> element::Sealed for T {
    #[inline]
    fn printed(&self) -> element::Printed {
        element::Printed::Float(Real::to_f64(*self))
    }
}

impl<T: Real> DisplayElement for T {}

/// `Display` for the primitive integers; every one of them fits an `i128`.
macro_rules! display_integers {
    ($($int:ty),*) => {$(
        impl element::Sealed for $int {
            #[inline]
            fn printed(&self) -> element::Printed {
                // Lossless: at most 64 bits, signed or not.
                element::Printed::Integer(*self as i128)
            }
        }

        impl DisplayElement for $int {}
    )*};
}

display_integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// PyTorch's `torch/_tensor_str.py`, for the 1-D and 2-D cases with default print options.
mod display {
    use core::fmt::{self, Write};
    use core::ops::Range;

    use super::element::Printed;
    use super::{DisplayElement, Tensor};

    /// `PRINT_OPTS.precision`.
    const PRECISION: usize = 4;
    /// `PRINT_OPTS.threshold`: more elements than this are summarized.
    const THRESHOLD: usize = 1000;
    /// `PRINT_OPTS.edgeitems`: elements kept at each end of a summarized dimension.
    const EDGE_ITEMS: usize = 3;
    /// `PRINT_OPTS.linewidth`.
    const LINE_WIDTH: usize = 80;
    /// `len("tensor(")`.
    const INDENT: usize = 7;

    pub(super) fn write_tensor<T: DisplayElement, const R: usize, const C: usize>(
        f: &mut fmt::Formatter<'_>,
        tensor: &Tensor<T, R, C>,
    ) -> fmt::Result {
        if R * C == 0 {
            return match C {
                1 => f.write_str("tensor([])"),
                _ => write!(f, "tensor([], size=({R}, {C}))"),
            };
        }
        let precision = f.precision().unwrap_or(PRECISION);
        let summarize = R * C > THRESHOLD;
        let rows = kept(R, summarize);
        let cols = kept(C, summarize);
        let value = |row: usize, col: usize| tensor[(row, col)].printed();
        let values = shown(&rows)
            .flatten()
            .flat_map(|row| shown(&cols).flatten().map(move |col| value(row, col)));
        let format = Format::new(values, precision);

        f.write_str("tensor(")?;
        if C == 1 {
            write_vector(f, &format, &rows, INDENT, |row| value(row, 0))?;
        } else {
            f.write_char('[')?;
            for (i, row) in shown(&rows).enumerate() {
                if i > 0 {
                    write!(f, ",\n{:indent$}", "", indent = INDENT + 1)?;
                }
                match row {
                    Some(row) => {
                        write_vector(f, &format, &cols, INDENT + 1, |col| value(row, col))?
                    }
                    None => f.write_str("...")?,
                }
            }
            f.write_char(']')?;
        }
        f.write_char(')')
    }

    /// The indices shown along a dimension of length `n`: all of them, or the first and
    /// last [`EDGE_ITEMS`] when summarizing (the second range is then non-empty).
    fn kept(n: usize, summarize: bool) -> [Range<usize>; 2] {
        if summarize && n > 2 * EDGE_ITEMS {
            [0..EDGE_ITEMS, n - EDGE_ITEMS..n]
        } else {
            [0..n, n..n]
        }
    }

    /// The indices of both ranges of [`kept`] in order, with a `None` standing for the
    /// elided middle when summarizing.
    fn shown(kept: &[Range<usize>; 2]) -> impl Iterator<Item = Option<usize>> + Clone + use<> {
        let elided = (!kept[1].is_empty()).then_some(None);
        kept[0]
            .clone()
            .map(Some)
            .chain(elided)
            .chain(kept[1].clone().map(Some))
    }

    /// `_vector_str`: one bracketed row, wrapped at [`LINE_WIDTH`].
    fn write_vector(
        f: &mut fmt::Formatter<'_>,
        format: &Format,
        indices: &[Range<usize>; 2],
        indent: usize,
        value: impl Fn(usize) -> Printed,
    ) -> fmt::Result {
        let per_line = (LINE_WIDTH.saturating_sub(indent) / (format.width() + 2)).max(1);
        let elements = shown(indices).map(|i| match i {
            Some(i) => format.format(value(i)),
            None => " ...".to_owned(),
        });
        f.write_char('[')?;
        for (i, element) in elements.enumerate() {
            if i > 0 && i % per_line == 0 {
                write!(f, ",\n{:indent$}", "", indent = indent + 1)?;
            } else if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&element)?;
        }
        f.write_char(']')
    }

    /// `_Formatter`: how every element of one tensor is printed, by its dtype's kind.
    #[derive(Debug)]
    enum Format {
        Float(ElementFormat),
        /// Integer dtypes: `str(value)`, right-aligned to the widest.
        Integer {
            width: usize,
        },
    }

    impl Format {
        fn new(values: impl Iterator<Item = Printed> + Clone, precision: usize) -> Self {
            let integers = values.clone().filter_map(|value| match value {
                Printed::Integer(n) => Some(n),
                Printed::Float(_) => None,
            });
            if integers.clone().next().is_some() {
                let width = integers.map(|n| n.to_string().len()).max().unwrap_or(1);
                return Format::Integer { width };
            }
            let floats = values.filter_map(|value| match value {
                Printed::Float(x) => Some(x),
                Printed::Integer(_) => None,
            });
            Format::Float(ElementFormat::new(floats, precision))
        }

        fn width(&self) -> usize {
            match self {
                Format::Float(format) => format.width,
                Format::Integer { width } => *width,
            }
        }

        /// One element, right-aligned to the common width.
        fn format(&self, value: Printed) -> String {
            match (self, value) {
                (Format::Float(format), Printed::Float(x)) => format.format(x),
                (Format::Integer { width }, Printed::Integer(n)) => format!("{n:>width$}"),
                // One tensor has one element type, hence one kind.
                (_, Printed::Float(x)) => x.to_string(),
                (_, Printed::Integer(n)) => n.to_string(),
            }
        }
    }

    /// The float formatter: mode, width and precision of one float tensor.
    #[derive(Debug)]
    struct ElementFormat {
        int_mode: bool,
        sci_mode: bool,
        width: usize,
        precision: usize,
    }

    impl ElementFormat {
        /// Chooses the mode from the nonzero finite values and the width from their
        /// formatted lengths, as `_Formatter.__init__` does.
        fn new(values: impl Iterator<Item = f64> + Clone, precision: usize) -> Self {
            let mut format = ElementFormat {
                int_mode: true,
                sci_mode: false,
                width: 1,
                precision,
            };
            let nonzero = values.filter(|x| x.is_finite() && *x != 0.0);
            let Some((min, max)) =
                nonzero
                    .clone()
                    .map(f64::abs)
                    .fold(None, |acc: Option<(f64, f64)>, a| {
                        Some(acc.map_or((a, a), |(lo, hi)| (lo.min(a), hi.max(a))))
                    })
            else {
                return format;
            };
            format.int_mode = nonzero.clone().all(|x| x == x.ceil());
            format.sci_mode =
                max / min > 1000.0 || max > 1.0e8 || (!format.int_mode && min < 1.0e-4);
            let extra = usize::from(format.int_mode && !format.sci_mode);
            format.width = nonzero
                .map(|x| format.unpadded(x).len() + extra)
                .fold(format.width, usize::max);
            format
        }

        /// One element, right-aligned to the common width.
        fn format(&self, x: f64) -> String {
            let mut s = self.unpadded(x);
            if self.int_mode && !self.sci_mode && x.is_finite() {
                s.push('.');
            }
            format!("{s:>width$}", width = self.width)
        }

        /// One element in the tensor's mode, without padding and, in integer mode, without
        /// the trailing `.`.
        fn unpadded(&self, x: f64) -> String {
            if x.is_nan() {
                "nan".to_owned()
            } else if x.is_infinite() {
                if x > 0.0 { "inf" } else { "-inf" }.to_owned()
            } else if self.sci_mode {
                python_exp(x, self.precision)
            } else if self.int_mode {
                format!("{x:.0}")
            } else {
                format!("{x:.prec$}", prec = self.precision)
            }
        }
    }

    /// Python's `"{:.Ne}".format(x)`: a signed exponent of at least two digits, `5.1200e+01`.
    fn python_exp(x: f64, precision: usize) -> String {
        let rust = format!("{x:.precision$e}");
        let (mantissa, exponent) = rust.split_once('e').expect("`{:e}` always writes an `e`");
        let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::Tensor;
    use crate::nalgebra::{Matrix2x3, Vector3};

    #[test]
    fn display_matches_pytorch() {
        let cases: [(String, &str); 10] = [
            (
                tensor![51.2, 512.0, 0.0512].to_string(),
                "tensor([5.1200e+01, 5.1200e+02, 5.1200e-02])",
            ),
            (
                Tensor::<f64, 2, 2>::from_element(4.0).to_string(),
                "tensor([[4., 4.],\n        [4., 4.]])",
            ),
            (tensor![2.0, 2.0, 2.0].to_string(), "tensor([2., 2., 2.])"),
            (
                tensor![-477.78431, 1004.32641, 89.04239].to_string(),
                "tensor([-477.7843, 1004.3264,   89.0424])",
            ),
            (
                tensor![0.0008, -0.0024, 0.5].to_string(),
                "tensor([ 0.0008, -0.0024,  0.5000])",
            ),
            (
                tensor![-0.0013224, 2.0].to_string(),
                "tensor([-1.3224e-03,  2.0000e+00])",
            ),
            (
                tensor![0.0, 100.0, -2.0].to_string(),
                "tensor([  0., 100.,  -2.])",
            ),
            (tensor![0.0_f32, 0.0].to_string(), "tensor([0., 0.])"),
            (
                tensor![f64::NAN, f64::INFINITY, 1.5].to_string(),
                "tensor([   nan,    inf, 1.5000])",
            ),
            (
                tensor![1.0, 1.0e9].to_string(),
                "tensor([1.0000e+00, 1.0000e+09])",
            ),
        ];
        for (shown, expected) in cases {
            assert_eq!(shown, expected);
        }
    }

    #[test]
    fn display_of_empty_tensors() {
        assert_eq!(Tensor::<f64, 0>::zeros().to_string(), "tensor([])");
        assert_eq!(
            Tensor::<f64, 2, 0>::zeros().to_string(),
            "tensor([], size=(2, 0))"
        );
    }

    #[test]
    fn display_of_integer_tensors() {
        // torch.tensor([[1, -20], [300, 4]]), torch.arange(2000), torch.zeros(0, dtype=int)
        assert_eq!(
            tensor![[1, -20], [300, 4]].to_string(),
            "tensor([[  1, -20],\n        [300,   4]])"
        );
        assert_eq!(
            Tensor::<u64, 2000>::from_fn(|i, _| i as u64).to_string(),
            "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
        );
        assert_eq!(Tensor::<i32, 0>::zeros().to_string(), "tensor([])");
        assert_eq!(tensor![0_u8, 0].to_string(), "tensor([0, 0])");
    }

    #[test]
    fn debug_prints_rows() {
        assert_eq!(format!("{:?}", tensor![1.0, 2.0]), "Tensor([1.0, 2.0])");
        assert_eq!(
            format!("{:?}", tensor![[1, 2, 3], [4, 5, 6]]),
            "Tensor([[1, 2, 3], [4, 5, 6]])"
        );
        assert_eq!(format!("{:?}", Tensor::<f64, 0>::zeros()), "Tensor([])");
    }

    #[test]
    fn display_prints_f32_through_f64_like_python_floats() {
        assert_eq!(
            tensor![0.1_f32, 0.2].to_string(),
            "tensor([0.1000, 0.2000])"
        );
    }

    #[test]
    fn display_wraps_long_rows_at_80_columns() {
        // torch.arange(30.) / 10 + 100
        let t = Tensor::<f64, 30>::from_fn(|i, _| i as f64 / 10.0 + 100.0);
        let expected = "tensor([100.0000, 100.1000, 100.2000, 100.3000, 100.4000, 100.5000, 100.6000,\n        \
                        100.7000, 100.8000, 100.9000, 101.0000, 101.1000, 101.2000, 101.3000,\n        \
                        101.4000, 101.5000, 101.6000, 101.7000, 101.8000, 101.9000, 102.0000,\n        \
                        102.1000, 102.2000, 102.3000, 102.4000, 102.5000, 102.6000, 102.7000,\n        \
                        102.8000, 102.9000])";
        assert_eq!(t.to_string(), expected);
    }

    #[test]
    fn display_summarizes_more_than_1000_elements() {
        // torch.arange(1000., 3000.)
        let v = Tensor::<f64, 2000>::from_fn(|i, _| i as f64 + 1000.0);
        assert_eq!(
            v.to_string(),
            "tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])"
        );
        // torch.ones(40, 40)
        let m = Tensor::<f64, 40, 40>::ones();
        assert_eq!(
            m.to_string(),
            "tensor([[1., 1., 1.,  ..., 1., 1., 1.],\n        \
             [1., 1., 1.,  ..., 1., 1., 1.],\n        \
             [1., 1., 1.,  ..., 1., 1., 1.],\n        \
             ...,\n        \
             [1., 1., 1.,  ..., 1., 1., 1.],\n        \
             [1., 1., 1.,  ..., 1., 1., 1.],\n        \
             [1., 1., 1.,  ..., 1., 1., 1.]])"
        );
    }

    #[test]
    fn constructors_agree() {
        let rows = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_eq!(
            rows,
            Tensor::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        );
        assert_eq!(rows, Tensor::from_fn(|r, c| (3 * r + c + 1) as f64));
        assert_eq!(
            rows,
            Tensor::from(Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
        );
        assert_eq!(rows.to_row_major_vec(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(Matrix2x3::from(rows), *rows.as_matrix());
        assert_eq!(rows.into_matrix(), *rows.as_matrix());
        assert_eq!(Tensor::<f64, 2, 3>::default(), Tensor::zeros());
        assert_eq!(Tensor::<f64, 3>::ones(), Tensor::from_element(1.0));
        assert_eq!(
            tensor![1.0, 2.0, 3.0].into_matrix(),
            Vector3::new(1.0, 2.0, 3.0)
        );
        assert_eq!(rows.shape(), (2, 3));
    }

    #[test]
    fn integer_tensors_hold_data() {
        let mut t: Tensor<i32, 3> = Tensor::from_row_slice(&[1, 2, 3]);
        t[0] = 7;
        assert_eq!(t, tensor![7, 2, 3]);
        assert_eq!(Tensor::<i32, 2, 2>::zeros(), tensor![[0, 0], [0, 0]]);
        assert_eq!(Tensor::<u8, 2>::ones(), tensor![1, 1]);
    }

    #[test]
    #[should_panic(expected = "a 2x2 tensor needs 4 elements, got 3")]
    fn from_row_slice_checks_the_length() {
        let _ = Tensor::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0]);
    }

    #[test]
    fn indexing_reads_and_writes() {
        let mut v = tensor![1.0, 2.0, 3.0];
        v[1] = 5.0;
        v[(2, 0)] += 1.0;
        assert_eq!(v, tensor![1.0, 5.0, 4.0]);
        let mut m = tensor![[1.0, 2.0], [3.0, 4.0]];
        m[(0, 1)] = -2.0;
        assert_eq!(m[(0, 1)], -2.0);
        assert_eq!(m[(1, 0)], 3.0);
    }

    #[test]
    #[should_panic]
    fn indexing_out_of_range_panics() {
        let v = tensor![1.0, 2.0];
        let _ = v[2];
    }

    #[test]
    fn map_zip_map_and_iter() {
        let v = tensor![1.0, -2.0, 3.0];
        assert_eq!(v.map(f64::abs), tensor![1.0, 2.0, 3.0]);
        assert_eq!(
            v.zip_map(tensor![1, 2, 3], |x, n| x * f64::from(n)),
            tensor![1.0, -4.0, 9.0]
        );
        assert_eq!(v.iter().len(), 3);
        assert_eq!(
            tensor![[1, 2], [3, 4]]
                .iter()
                .rev()
                .copied()
                .collect::<Vec<_>>(),
            [4, 2, 3, 1]
        );
    }

    #[test]
    fn tensor_macro_builds_vectors_and_matrices() {
        let v = tensor![1.0, 2.0, 3.0,];
        let _: Tensor<f64, 3, 1> = v;
        let m = tensor![[1.0, 2.0,], [3.0, 4.0],];
        let _: Tensor<f64, 2, 2> = m;
        assert_eq!(m, Tensor::from_row_slice(&[1.0, 2.0, 3.0, 4.0]));
        let row = tensor![[1.0, 2.0, 3.0]];
        let _: Tensor<f64, 1, 3> = row;
        let x = [4.0, 5.0];
        assert_eq!(tensor![x[0] * 2.0, x[1]], tensor![8.0, 5.0]);
    }
}
