//! [`Tensor`]: fixed-shape storage over an nalgebra `SMatrix`, its constructors, indexing,
//! the [`tensor!`](crate::tensor!) macro and PyTorch-style `Display`.
//!
//! Arithmetic and every other differentiable operation live in [`ops`](crate::ops), one
//! file per operation. Indexing (`Index`/`IndexMut`) is storage and lives here; its VJP is
//! in [`ops::IndexVjp`](crate::ops::IndexVjp).

use core::fmt;
use core::ops::{Index, IndexMut};

use nalgebra::{SMatrix, Scalar};
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
#[derive(Clone, Copy, PartialEq, Debug)]
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

    /// Copies the elements into a `Vec`, row by row (the inverse of
    /// [`from_row_slice`](Self::from_row_slice)).
    ///
    /// ```
    /// use autodiff_core::tensor;
    ///
    /// assert_eq!(tensor![[1, 2], [3, 4]].to_row_major_vec(), [1, 2, 3, 4]);
    /// ```
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
impl<T: Real, const R: usize, const C: usize> fmt::Display for Tensor<T, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display::write_tensor(f, self)
    }
}

/// PyTorch's `torch/_tensor_str.py`, for the 1-D and 2-D cases with default print options.
mod display {
    use core::fmt::{self, Write};
    use core::ops::Range;

    use super::Tensor;
    use crate::real::Real;

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

    pub(super) fn write_tensor<T: Real, const R: usize, const C: usize>(
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
        let value = |row: usize, col: usize| Real::to_f64(tensor[(row, col)]);
        let values = shown(&rows)
            .flatten()
            .flat_map(|row| shown(&cols).flatten().map(move |col| value(row, col)));
        let format = ElementFormat::new(values, precision);

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
        format: &ElementFormat,
        indices: &[Range<usize>; 2],
        indent: usize,
        value: impl Fn(usize) -> f64,
    ) -> fmt::Result {
        let per_line = (LINE_WIDTH.saturating_sub(indent) / (format.width + 2)).max(1);
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

    /// `_Formatter`: how every element of one tensor is printed.
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
