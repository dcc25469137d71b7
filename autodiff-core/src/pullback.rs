//! [`Pullback`]: the reverse half of a differentiated function, returned by `f_vjp`.

use core::marker::PhantomData;

/// The saved forward pass of a `#[differentiable]` function, ready to run backward once.
///
/// `f_vjp(args..)` returns `(output, pullback)`. [`Pullback::backward`] takes a
/// cotangent (the "seed") of exactly the output's type and returns the gradients of the
/// differentiated arguments. It consumes the pullback, so a second `backward` on the same
/// value is a compile error (PyTorch's "backward through the graph a second time"); clone
/// the pullback first to keep the graph, which is what `retain_graph=True` does.
///
/// The pullback owns copies of every value the reverse sweep needs: changing the inputs
/// after the forward pass does not change it.
///
/// ```
/// use autodiff_core::{Pullback, Tensor};
///
/// // What `#[differentiable] fn double(x) { x * 2.0 }` generates as `double_vjp`:
/// let x = Tensor::<f64, 3>::from_row_slice(&[1.0, 2.0, 3.0]);
/// let y = x * 2.0;
/// let pullback = Pullback::new(move |ct: Tensor<f64, 3>| ct * 2.0);
///
/// let seed = Tensor::from_row_slice(&[0.1, 1.0, 0.0001]);
/// let retained = pullback.clone();          // retain_graph
/// let dx = pullback.backward(seed);
/// assert_eq!(dx, seed * 2.0);
/// assert_eq!(retained.backward(seed), dx);  // the clone runs backward again
/// # let _ = y;
/// ```
///
/// Running `backward` twice on the same pullback does not compile:
///
/// ```compile_fail,E0382
/// use autodiff_core::{Pullback, Tensor};
/// let pullback = Pullback::new(move |ct: Tensor<f64, 3>| ct * 2.0);
/// let _ = pullback.backward(Tensor::ones());
/// let _ = pullback.backward(Tensor::ones()); // error: use of moved value
/// ```
pub struct Pullback<Seed, Grads, F> {
    reverse: F,
    signature: PhantomData<fn(Seed) -> Grads>,
}

impl<Seed, Grads, F: FnOnce(Seed) -> Grads> Pullback<Seed, Grads, F> {
    /// Wraps a reverse sweep. Generated code calls this; users receive pullbacks from `f_vjp`.
    #[doc(hidden)]
    #[inline(always)]
    pub fn new(reverse: F) -> Self {
        Pullback {
            reverse,
            signature: PhantomData,
        }
    }

    /// Runs the reverse sweep with cotangent `seed` (same type as the output) and returns
    /// the vector-Jacobian product: one gradient per differentiated argument.
    #[inline(always)]
    pub fn backward(self, seed: Seed) -> Grads {
        (self.reverse)(seed)
    }
}

// `Clone` by hand and never `Copy`: a pullback that captured only `Copy` values would
// otherwise be `Copy`, and running backward twice would silently compile.
impl<Seed, Grads, F: Clone> Clone for Pullback<Seed, Grads, F> {
    fn clone(&self) -> Self {
        Pullback {
            reverse: self.reverse.clone(),
            signature: PhantomData,
        }
    }
}

impl<Seed, Grads, F> core::fmt::Debug for Pullback<Seed, Grads, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pullback { .. }")
    }
}
