//! Data-parallel gradients with [rayon](https://docs.rs/rayon) (feature `rayon`): the
//! gradient of a sum of per-example losses over a slice, computed on all cores in chunks
//! whose boundaries depend on the slice's length only, so the result is the same, to the
//! bit, from run to run and on any number of threads.
//!
//! [`sum_grad`] takes a per-example gradient (the generated `_grad` of a
//! `#[differentiable(wrt(model))] fn loss(model: &M, example: &X) -> f64`), and
//! [`sum_grad_by_chunks`] the gradient of a loss that already sums over a slice
//! (`fn loss(model: &M, examples: &[X]) -> f64`, its loop run once per chunk). Both work
//! for any [`Differentiable`] model: a tensor, a tuple, a `Vec`, a struct that derives it.
//!
//! ```
//! use autodiff::{Differentiable, Tensor, differentiable, par, tensor};
//!
//! #[derive(Clone, Differentiable)]
//! struct Line { w: Tensor<f64, 2>, b: f64 }
//!
//! /// One example's squared error.
//! #[differentiable(wrt(m))]
//! fn square_error(m: &Line, example: &(Tensor<f64, 2>, f64)) -> f64 {
//!     let e = m.w.dot(example.0) + m.b - example.1;
//!     e * e
//! }
//!
//! let data: Vec<(Tensor<f64, 2>, f64)> = (0..10_000)
//!     .map(|i| {
//!         let x = tensor![(i % 100) as f64 / 100.0, (i / 100) as f64 / 100.0];
//!         (x, 3.0 * x[0] - x[1] + 0.5)
//!     })
//!     .collect();
//! let model = Line { w: Tensor::zeros(), b: 0.0 };
//! let (total, grad) = par::sum_grad(square_error_grad, &model, &data);
//!
//! // The sequential sum, in order: equal up to the order of the additions.
//! let mut want = model.zero_like();
//! let mut want_total = 0.0;
//! for example in &data {
//!     let (value, g) = square_error_grad(&model, example);
//!     want_total += value;
//!     want.accumulate(&g);
//! }
//! assert!((total - want_total).abs() <= 1e-12 * want_total.abs());
//! assert!((grad.b - want.b).abs() <= 1e-12 * want.b.abs());
//! ```
//!
//! # Chunks and summation order
//!
//! The slice is cut into consecutive chunks of [`chunk_len(data.len())`](chunk_len)
//! examples (the last one shorter), which rayon's threads take in any order. Each chunk's
//! losses and gradients are summed in example order, into a value and a gradient of the
//! model's type starting from [`zero_like`](Differentiable::zero_like); the chunks' sums
//! are then added, with [`accumulate`](Differentiable::accumulate), in chunk order on the
//! calling thread. Neither the cut nor the order of the additions depends on the number of
//! threads or on which thread ran which chunk, so two calls on the same inputs return the
//! same bits, with one thread or sixty-four.
//!
//! They are not the bits of the plain sequential loop `g₀ + g₁ + g₂ + …`: the parallel
//! sum is `(g₀ + … + g_{k-1}) + (g_k + … + g_{2k-1}) + …`, a different order of the same
//! floating-point additions. The two differ by rounding only: for the logistic-regression
//! gradient over 10⁵ examples in the crate's tests, by 5e-15 relative in the loss and
//! 1e-14 of the gradient's norm in each coordinate. The chunked sum's running sums are
//! shorter, so its bound on the rounding error is the smaller; terms that cancel can make
//! the relative difference of a small total larger, as for any reordering. A mean is the
//! sum scaled afterwards: `grad.scaled(1.0 / data.len() as f64)`.

use rayon::prelude::*;

use crate::{Differentiable, Real};

/// At most this many chunks: enough for rayon to balance 2–16 cores, few enough that
/// summing the chunks' gradients costs little next to the examples'.
pub const MAX_CHUNKS: usize = 64;

/// Chunks hold at least this many examples (unless the slice is shorter), so that a
/// cheap per-example loss still gives each task real work.
pub const MIN_CHUNK_LEN: usize = 64;

/// The number of examples per chunk for a slice of `len` examples: `len / MAX_CHUNKS`
/// rounded up, and at least [`MIN_CHUNK_LEN`]. A function of `len` alone, never of the
/// number of threads, so the result of [`sum_grad`] does not depend on the machine.
///
/// ```
/// use autodiff::par::chunk_len;
///
/// assert_eq!(chunk_len(100_000), 1_563); // 64 chunks, the last one shorter
/// assert_eq!(chunk_len(1_000), 64); // 16 chunks of at least 64
/// assert_eq!(chunk_len(10), 64); // one chunk
/// ```
#[must_use]
pub const fn chunk_len(len: usize) -> usize {
    let even = len.div_ceil(MAX_CHUNKS);
    if even < MIN_CHUNK_LEN {
        MIN_CHUNK_LEN
    } else {
        even
    }
}

/// The sum of `loss(model, x)` over the examples `x` in `data`, and its gradient with
/// respect to `model`, computed in parallel chunks; `loss_grad(model, x)` returns one
/// example's `(loss, gradient)`, as the generated `_grad` of
/// `#[differentiable(wrt(model))] fn loss(model: &M, x: &X) -> T` does.
///
/// The chunks and the order of the additions are described in the [module docs](self):
/// deterministic, and equal to the sequential sum up to rounding. An empty `data` gives
/// `(0, model.zero_like())`.
///
/// A per-example function taking its example by value goes through a closure,
/// `par::sum_grad(|m, x| loss_grad(m, *x), &model, &data)`.
///
/// ```
/// use autodiff::{Tensor, differentiable, par, tensor};
///
/// #[differentiable(wrt(w))]
/// fn half_square(w: &Tensor<f64, 2>, x: &Tensor<f64, 2>) -> f64 {
///     let r = w.dot(*x);
///     0.5 * r * r
/// }
///
/// let data = vec![tensor![1.0, 0.0]; 1_000];
/// let w = tensor![2.0, 5.0];
/// let (total, grad) = par::sum_grad(half_square_grad, &w, &data);
/// assert_eq!(total, 2_000.0);
/// assert_eq!(grad, tensor![2_000.0, 0.0]);
/// ```
pub fn sum_grad<T, M, X, F>(loss_grad: F, model: &M, data: &[X]) -> (T, M)
where
    T: Real + Send,
    M: Differentiable + Send + Sync,
    X: Sync,
    F: Fn(&M, &X) -> (T, M) + Sync,
{
    reduce(model, data, |chunk| loss_grad.sum_examples(model, chunk))
}

/// One chunk of [`sum_grad`]: the examples' losses and gradients summed in order.
///
/// A method of the per-example function's type rather than a free function, so that
/// rustc compiles it beside that function (it places an instance of a method by its
/// `Self` type, here the user's function or closure) and LLVM can inline the function
/// into the loop, as it does in a plain loop of the user's. A free function here is
/// compiled with this module's code and the per-example call stayed a call: on the
/// logistic regression of `benches/parallel.rs`, two threads were then 1.4 times as fast
/// as the sequential loop, against 1.7 with the loop compiled beside the function (whose
/// instruction count on one thread is then the sequential loop's).
trait SumExamples<T, M, X> {
    fn sum_examples(&self, model: &M, chunk: &[X]) -> (T, M);
}

impl<T, M, X, F> SumExamples<T, M, X> for F
where
    T: Real,
    M: Differentiable,
    F: Fn(&M, &X) -> (T, M),
{
    fn sum_examples(&self, model: &M, chunk: &[X]) -> (T, M) {
        let mut value = T::zero();
        let mut grad = model.zero_like();
        for example in chunk {
            let (v, g) = self(model, example);
            value += v;
            grad.accumulate(&g);
        }
        (value, grad)
    }
}

/// The sum over chunks of `data` of `loss(model, chunk)`, and its gradient with respect
/// to `model`, computed in parallel; `loss_grad(model, chunk)` returns a slice's `(loss,
/// gradient)`, as the generated `_grad` of `#[differentiable(wrt(model))] fn loss(model:
/// &M, xs: &[X]) -> T` does.
///
/// The loss must be a sum over its slice (not a mean), so that the chunks' losses add up
/// to the loss of the whole slice. The same chunks as [`sum_grad`], summed in chunk order
/// (see the [module docs](self)); one call of `loss_grad` per chunk, so the generated loop
/// over the slice runs, and accumulates its gradient in place, inside the chunk. An empty
/// `data` gives `(0, model.zero_like())` without calling `loss_grad`.
///
/// ```
/// use autodiff::{Tensor, differentiable, par, tensor};
///
/// #[differentiable(wrt(w))]
/// fn total(w: &Tensor<f64, 2>, xs: &[Tensor<f64, 2>]) -> f64 {
///     let mut s = 0.0;
///     for x in xs.iter() {
///         s = s + w.dot(*x).powi(2);
///     }
///     s
/// }
///
/// let data = vec![tensor![0.0, 1.0]; 1_000];
/// let (value, grad) = par::sum_grad_by_chunks(total_grad, &tensor![0.0, 3.0], &data);
/// assert_eq!(value, 9_000.0);
/// assert_eq!(grad, tensor![0.0, 6_000.0]);
/// ```
pub fn sum_grad_by_chunks<T, M, X, F>(loss_grad: F, model: &M, data: &[X]) -> (T, M)
where
    T: Real + Send,
    M: Differentiable + Send + Sync,
    X: Sync,
    F: Fn(&M, &[X]) -> (T, M) + Sync,
{
    reduce(model, data, |chunk| loss_grad(model, chunk))
}

/// `chunk_sum` over the chunks of `data` in parallel, then the chunks' sums added in chunk
/// order on this thread.
fn reduce<T, M, X>(model: &M, data: &[X], chunk_sum: impl Fn(&[X]) -> (T, M) + Sync) -> (T, M)
where
    T: Real + Send,
    M: Differentiable + Send,
    X: Sync,
{
    // `collect` into a `Vec` keeps the chunks in order whichever thread ran them; a
    // rayon `reduce` would associate the additions as the work happened to be split.
    let sums: Vec<(T, M)> = data
        .par_chunks(chunk_len(data.len()))
        .map(&chunk_sum)
        .collect();
    let mut sums = sums.into_iter();
    let Some((mut value, mut grad)) = sums.next() else {
        return (T::zero(), model.zero_like());
    };
    for (v, g) in sums {
        value += v;
        grad.accumulate(&g);
    }
    (value, grad)
}
