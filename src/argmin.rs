//! [argmin](https://argmin-rs.org)'s solvers on generated gradients and Hessians (feature
//! `argmin`).
//!
//! A [`Problem`] holds a `#[differentiable]` function of one `Tensor<f64, N>`, its
//! generated `_grad` and, for second-order solvers, its `_hvp`, and implements argmin's
//! [`CostFunction`], [`Gradient`] and [`Hessian`] over nalgebra vectors, so L-BFGS, BFGS,
//! nonlinear conjugate gradients, Newton, Newton-CG and the trust-region methods run on it,
//! with argmin's line searches, observers and termination criteria. The Hessian is
//! assembled from `N` Hessian-vector products, one column each.
//!
//! Add argmin beside this crate, at the version this feature is built against:
//!
//! ```toml
//! [dependencies]
//! static-autodiff = { version = "0.1", features = ["argmin"] }
//! argmin = "0.11"
//! ```
//!
//! argmin's parameters are [`Vector<N>`], nalgebra's `SVector<f64, N>` of the nalgebra
//! version argmin-math 0.5 works on (0.34, re-exported as [`nalgebra`]),
//! which is an older nalgebra than the one [`Tensor`] is stored in (0.35): argmin-math has
//! no backend for 0.35 yet. [`to_vector`] and [`to_tensor`] copy between the two; the
//! adapter copies the `N` elements at every call, which costs nothing next to a gradient.
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use autodiff::argmin::{Problem, to_tensor, to_vector};
//! use autodiff::{Tensor, differentiable, tensor};
//!
//! #[differentiable]
//! fn rosen(p: Tensor<f64, 2>) -> f64 {
//!     (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2)
//! }
//!
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(Problem::new(rosen, rosen_grad), solver)
//!     .configure(|state| state.param(to_vector(tensor![-1.2, 1.0])).max_iters(100))
//!     .run()?;
//! let best = to_tensor(result.state().get_best_param().unwrap());
//! assert!((best - tensor![1.0, 1.0]).norm() < 1e-6);
//! # Ok::<(), argmin::core::Error>(())
//! ```

use ::argmin::core::{CostFunction, Error, Gradient, Hessian};

use crate::{Tensor, value_grad_hessian};

/// The nalgebra (0.34) that argmin-math's backend, and so argmin's parameters, use:
/// re-exported so that [`Vector`]s and [`Matrix`]es can be built and read without a
/// dependency of your own.
///
/// ```
/// use autodiff::argmin::nalgebra::Vector2;
///
/// let start: autodiff::argmin::Vector<2> = Vector2::new(-1.2, 1.0);
/// assert_eq!(start.norm_squared(), 1.44 + 1.0);
/// ```
pub use nalgebra_argmin as nalgebra;

/// An argmin parameter or gradient: an nalgebra (0.34) `SVector<f64, N>`.
///
/// ```
/// use autodiff::argmin::{Vector, to_vector};
/// use autodiff::tensor;
///
/// let v: Vector<3> = to_vector(tensor![1.0, 2.0, 3.0]);
/// assert_eq!(v[2], 3.0);
/// ```
pub type Vector<const N: usize> = nalgebra::SVector<f64, N>;

/// An argmin Hessian: an nalgebra (0.34) `SMatrix<f64, N, N>`.
///
/// ```
/// use autodiff::argmin::Matrix;
///
/// assert_eq!(Matrix::<2>::identity()[(1, 1)], 1.0);
/// ```
pub type Matrix<const N: usize> = nalgebra::SMatrix<f64, N, N>;

/// A tensor as an argmin parameter: the same elements in a [`Vector`].
///
/// ```
/// use autodiff::argmin::to_vector;
/// use autodiff::argmin::nalgebra::Vector2;
/// use autodiff::tensor;
///
/// assert_eq!(to_vector(tensor![1.0, -2.0]), Vector2::new(1.0, -2.0));
/// ```
#[must_use]
#[inline]
pub fn to_vector<const N: usize>(tensor: Tensor<f64, N>) -> Vector<N> {
    Vector::from_fn(|row, _| tensor[row])
}

/// An argmin parameter as a tensor: the inverse of [`to_vector`].
///
/// ```
/// use autodiff::argmin::{to_tensor, to_vector};
/// use autodiff::tensor;
///
/// let p = tensor![0.5, 4.0, -1.0];
/// assert_eq!(to_tensor(&to_vector(p)), p);
/// ```
#[must_use]
#[inline]
pub fn to_tensor<const N: usize>(vector: &Vector<N>) -> Tensor<f64, N> {
    Tensor::from_fn(|row, _| vector[row])
}

/// The Hessian `N x N` tensor as a [`Matrix`], symmetrised: `(H + Hᵀ) / 2`.
fn to_symmetric_matrix<const N: usize>(h: &Tensor<f64, N, N>) -> Matrix<N> {
    Matrix::from_fn(|row, col| 0.5 * (h[(row, col)] + h[(col, row)]))
}

/// A [`Problem`] whose functions take the parameter alone (made by [`Problem::new`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoData;

/// The data a [`Problem`] passes to its functions after the parameter (made by
/// [`Problem::with_data`]).
#[derive(Clone, Copy, Debug)]
pub struct Data<D>(D);

/// A [`Problem`] without a Hessian (yet): [`Problem::with_hvp`] adds one.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHessian;

/// A `#[differentiable]` function of one `Tensor<f64, N>` as an argmin problem.
///
/// Built from the function and its generated `f_grad`, a problem implements argmin's
/// [`CostFunction`] (the function) and [`Gradient`] (the gradient `f_grad` returns), over
/// [`Vector<N>`] parameters, which is what first-order solvers need (L-BFGS, BFGS,
/// steepest descent, nonlinear CG). [`with_hvp`](Self::with_hvp) adds the generated
/// `f_hvp`, and with it [`Hessian`]: the `N x N` matrix whose column `j` is `H eⱼ`,
/// symmetrised as `(H + Hᵀ) / 2` (the HVP columns agree to rounding), for Newton's method,
/// Newton-CG and the trust-region methods.
///
/// **Data parameters.** A function of the parameter alone goes in as it is,
/// [`Problem::new(f, f_grad)`](Problem::new). A function with data parameters besides the
/// differentiated one (`#[differentiable(wrt(p))] fn f(p: Tensor<f64, N>, data: D)`) goes
/// in with its data, [`Problem::with_data(data, f, f_grad)`](Problem::with_data), and the
/// problem calls `f(p, data)`, `f_grad(p, data)` and `f_hvp(p, data, v)`. The data is
/// copied into each call, so it is `Copy`: a reference (`points.as_slice()`, `&config`), a
/// number, a tensor, or a tuple of those. Anything else, several data parameters or a
/// parameter in another position, goes through closures that capture it:
/// `Problem::new(|p| f(&a, p, b), |p| f_grad(&a, p, b))`.
///
/// The parameter is copied into a [`Tensor`] for each call and gradients are copied back,
/// `N` elements each way.
///
/// ```
/// use argmin::core::{CostFunction, Executor, Gradient, Hessian, State};
/// use argmin::solver::newton::Newton;
/// use autodiff::argmin::{Problem, to_tensor, to_vector};
/// use autodiff::{Tensor, differentiable, tensor};
///
/// /// The squared residuals of the line `y = p₀ x + p₁` through `(x, y)` points.
/// #[differentiable(wrt(p))]
/// fn squares(p: Tensor<f64, 2>, points: &[(f64, f64)]) -> f64 {
///     let mut total = 0.0;
///     for (x, y) in points.iter() {
///         let e = p[0] * *x + p[1] - *y;
///         total = total + e * e;
///     }
///     total
/// }
///
/// let points = vec![(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]; // on y = 2 x + 1
/// let problem =
///     Problem::with_data(points.as_slice(), squares, squares_grad).with_hvp(squares_hvp);
///
/// // The traits argmin's solvers call, at p = (0, 0):
/// let p = to_vector(tensor![0.0, 0.0]);
/// assert_eq!(problem.cost(&p)?, 1.0 + 9.0 + 25.0);
/// assert_eq!(to_tensor(&problem.gradient(&p)?), tensor![-26.0, -18.0]);
/// assert_eq!(problem.hessian(&p)?[(0, 1)], 6.0);
///
/// // One Newton step solves a least-squares problem.
/// let result = Executor::new(problem, Newton::<f64>::new())
///     .configure(|state| state.param(p).max_iters(1))
///     .run()?;
/// let fit = to_tensor(result.state().get_param().unwrap());
/// assert!((fit - tensor![2.0, 1.0]).norm() < 1e-12);
/// # Ok::<(), argmin::core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Problem<const N: usize, D, F, G, H = NoHessian> {
    data: D,
    cost: F,
    grad: G,
    hvp: H,
}

impl<const N: usize, F, G> Problem<N, NoData, F, G>
where
    F: Fn(Tensor<f64, N>) -> f64,
    G: Fn(Tensor<f64, N>) -> (f64, Tensor<f64, N>),
{
    /// The problem of minimising `cost`, whose gradient `grad` computes: a
    /// `#[differentiable]` function of one `Tensor<f64, N>` and its `_grad`, or closures
    /// that call them with the data they capture.
    ///
    /// ```
    /// use argmin::core::{CostFunction, Gradient};
    /// use autodiff::argmin::{Problem, to_tensor, to_vector};
    /// use autodiff::{Tensor, differentiable, tensor};
    ///
    /// #[differentiable(wrt(x))]
    /// fn distance2(x: Tensor<f64, 3>, target: Tensor<f64, 3>) -> f64 {
    ///     let d = x - target;
    ///     d.dot(d)
    /// }
    ///
    /// let target = tensor![1.0, 2.0, 3.0];
    /// let problem = Problem::new(
    ///     |x| distance2(x, target),
    ///     |x| distance2_grad(x, target),
    /// );
    /// let x = to_vector(Tensor::zeros());
    /// assert_eq!(problem.cost(&x)?, 14.0);
    /// assert_eq!(to_tensor(&problem.gradient(&x)?), tensor![-2.0, -4.0, -6.0]);
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    #[must_use]
    pub fn new(cost: F, grad: G) -> Self {
        Problem {
            data: NoData,
            cost,
            grad,
            hvp: NoHessian,
        }
    }

    /// The same problem with a Hessian, from `hvp(x, v) -> (f(x), ∇f(x), H v)`, the
    /// signature of a generated `f_hvp`: argmin's [`Hessian`] for second-order solvers.
    ///
    /// ```
    /// use argmin::core::Hessian;
    /// use autodiff::argmin::{Matrix, Problem, to_vector};
    /// use autodiff::{Tensor, differentiable, tensor};
    ///
    /// #[differentiable]
    /// fn f(x: Tensor<f64, 2>) -> f64 {
    ///     x[0] * x[0] * x[1] + x[1].powi(3)
    /// }
    ///
    /// let problem = Problem::new(f, f_grad).with_hvp(f_hvp);
    /// let h = problem.hessian(&to_vector(tensor![1.0, 2.0]))?;
    /// assert_eq!(h, Matrix::<2>::new(4.0, 2.0, 2.0, 12.0));
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    #[must_use]
    pub fn with_hvp<H>(self, hvp: H) -> Problem<N, NoData, F, G, H>
    where
        H: Fn(Tensor<f64, N>, Tensor<f64, N>) -> (f64, Tensor<f64, N>, Tensor<f64, N>),
    {
        Problem {
            data: self.data,
            cost: self.cost,
            grad: self.grad,
            hvp,
        }
    }
}

impl<const N: usize, D, F, G> Problem<N, Data<D>, F, G>
where
    D: Copy,
    F: Fn(Tensor<f64, N>, D) -> f64,
    G: Fn(Tensor<f64, N>, D) -> (f64, Tensor<f64, N>),
{
    /// The problem of minimising `cost(x, data)` over `x`, whose gradient `grad(x, data)`
    /// computes: a `#[differentiable(wrt(x))]` function whose data parameters come after
    /// `x`, and its `_grad`. `data` is that parameter (a reference for a dataset), or a
    /// tuple of them for closures to take apart.
    ///
    /// ```
    /// use argmin::core::{CostFunction, Gradient};
    /// use autodiff::argmin::{Problem, to_tensor, to_vector};
    /// use autodiff::{Tensor, differentiable, tensor};
    ///
    /// #[differentiable(wrt(x))]
    /// fn spread(x: Tensor<f64, 2>, points: &[Tensor<f64, 2>]) -> f64 {
    ///     let mut total = 0.0;
    ///     for q in points.iter() {
    ///         let d = x - *q;
    ///         total = total + d.dot(d);
    ///     }
    ///     total
    /// }
    ///
    /// let points = [tensor![1.0, 0.0], tensor![-1.0, 2.0]];
    /// let problem = Problem::with_data(&points[..], spread, spread_grad);
    /// let x = to_vector(tensor![0.0, 1.0]);
    /// assert_eq!(problem.cost(&x)?, 4.0);
    /// assert_eq!(to_tensor(&problem.gradient(&x)?), tensor![0.0, 0.0]);
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    #[must_use]
    pub fn with_data(data: D, cost: F, grad: G) -> Self {
        Problem {
            data: Data(data),
            cost,
            grad,
            hvp: NoHessian,
        }
    }

    /// The same problem with a Hessian, from `hvp(x, data, v) -> (f(x), ∇f(x), H v)`, the
    /// signature of a generated `f_hvp` for `f(x, data)`: argmin's [`Hessian`] for
    /// second-order solvers.
    ///
    /// ```
    /// use argmin::core::Hessian;
    /// use autodiff::argmin::{Matrix, Problem, to_vector};
    /// use autodiff::{Tensor, differentiable, tensor};
    ///
    /// #[differentiable(wrt(x))]
    /// fn weighted(x: Tensor<f64, 2>, w: Tensor<f64, 2>) -> f64 {
    ///     (x * x * w).sum()
    /// }
    ///
    /// let problem =
    ///     Problem::with_data(tensor![1.0, 3.0], weighted, weighted_grad).with_hvp(weighted_hvp);
    /// let h = problem.hessian(&to_vector(tensor![5.0, -5.0]))?;
    /// assert_eq!(h, Matrix::<2>::new(2.0, 0.0, 0.0, 6.0));
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    #[must_use]
    pub fn with_hvp<H>(self, hvp: H) -> Problem<N, Data<D>, F, G, H>
    where
        H: Fn(Tensor<f64, N>, D, Tensor<f64, N>) -> (f64, Tensor<f64, N>, Tensor<f64, N>),
    {
        Problem {
            data: self.data,
            cost: self.cost,
            grad: self.grad,
            hvp,
        }
    }
}

impl<const N: usize, F, G, H> CostFunction for Problem<N, NoData, F, G, H>
where
    F: Fn(Tensor<f64, N>) -> f64,
{
    type Param = Vector<N>;
    type Output = f64;

    fn cost(&self, param: &Vector<N>) -> Result<f64, Error> {
        Ok((self.cost)(to_tensor(param)))
    }
}

impl<const N: usize, F, G, H> Gradient for Problem<N, NoData, F, G, H>
where
    G: Fn(Tensor<f64, N>) -> (f64, Tensor<f64, N>),
{
    type Param = Vector<N>;
    type Gradient = Vector<N>;

    fn gradient(&self, param: &Vector<N>) -> Result<Vector<N>, Error> {
        Ok(to_vector((self.grad)(to_tensor(param)).1))
    }
}

impl<const N: usize, F, G, H> Hessian for Problem<N, NoData, F, G, H>
where
    H: Fn(Tensor<f64, N>, Tensor<f64, N>) -> (f64, Tensor<f64, N>, Tensor<f64, N>),
{
    type Param = Vector<N>;
    type Hessian = Matrix<N>;

    fn hessian(&self, param: &Vector<N>) -> Result<Matrix<N>, Error> {
        let (_, _, h) = value_grad_hessian(&self.hvp, to_tensor(param));
        Ok(to_symmetric_matrix(&h))
    }
}

impl<const N: usize, D, F, G, H> CostFunction for Problem<N, Data<D>, F, G, H>
where
    D: Copy,
    F: Fn(Tensor<f64, N>, D) -> f64,
{
    type Param = Vector<N>;
    type Output = f64;

    fn cost(&self, param: &Vector<N>) -> Result<f64, Error> {
        Ok((self.cost)(to_tensor(param), self.data.0))
    }
}

impl<const N: usize, D, F, G, H> Gradient for Problem<N, Data<D>, F, G, H>
where
    D: Copy,
    G: Fn(Tensor<f64, N>, D) -> (f64, Tensor<f64, N>),
{
    type Param = Vector<N>;
    type Gradient = Vector<N>;

    fn gradient(&self, param: &Vector<N>) -> Result<Vector<N>, Error> {
        Ok(to_vector((self.grad)(to_tensor(param), self.data.0).1))
    }
}

impl<const N: usize, D, F, G, H> Hessian for Problem<N, Data<D>, F, G, H>
where
    D: Copy,
    H: Fn(Tensor<f64, N>, D, Tensor<f64, N>) -> (f64, Tensor<f64, N>, Tensor<f64, N>),
{
    type Param = Vector<N>;
    type Hessian = Matrix<N>;

    fn hessian(&self, param: &Vector<N>) -> Result<Matrix<N>, Error> {
        let data = self.data.0;
        let hvp = |x, v| (self.hvp)(x, data, v);
        let (_, _, h) = value_grad_hessian(hvp, to_tensor(param));
        Ok(to_symmetric_matrix(&h))
    }
}
