//! [`Param`]: a value that requires gradients and accumulates them, PyTorch-style.

use crate::Differentiable;

/// The values a [`Param`] can hold: any [`Differentiable`] value (`f32`, `f64`, tensors of
/// them, and tuples, arrays, `Vec`s and derived structs of those).
///
/// ```
/// use autodiff_core::{Accumulate, Param, Tensor};
///
/// // A model held as one param accumulates a gradient of the model's own type.
/// let mut model = Param::new((Tensor::<f64, 2, 2>::ones(), vec![0.0_f64; 3]));
/// model.accumulate((Tensor::from_element(0.5), vec![1.0, 2.0, 3.0]));
/// model.accumulate((Tensor::from_element(0.5), vec![1.0, 2.0, 3.0]));
/// assert_eq!(model.grad(), Some((Tensor::from_element(1.0), vec![2.0, 4.0, 6.0])));
/// ```
///
/// A value that is not differentiable (an integer tensor) is reported with
/// [`Differentiable`]'s message: only floating-point tensors can require gradients.
pub trait ParamValue: Differentiable {}

impl<X: Differentiable> ParamValue for X {}

/// A trainable value: the analogue of a PyTorch tensor created with `requires_grad=True`.
///
/// Its gradient is `None` until the first backward pass, then accumulates (`+=`) across
/// backward passes until [`zero_grad`](Param::zero_grad). A backward pass never touches a
/// param whose [`requires_grad`](Param::requires_grad) is off. Only floating-point values
/// can be params: `Param::new(Tensor::<i32, 3>::zeros())` does not compile ("only
/// floating-point tensors can require gradients").
///
/// With a `#[differentiable] fn loss`, one backward pass into a param is
/// `x.accumulate(loss_grad(x.value()).1)`. Seed 002's sequence, with the gradients written
/// out:
///
/// ```
/// use autodiff_core::{Accumulate, Param, Tensor};
///
/// let mut x = Param::new(Tensor::<f64, 2, 2>::ones());
/// assert_eq!(x.grad(), None);
///
/// // out = mean(3 x^4) at x = 1 has gradient 3 everywhere: out.backward()
/// x.accumulate(Tensor::from_element(3.0));
/// assert_eq!(x.grad(), Some(Tensor::from_element(3.0)));
///
/// // out2 = sum(x) has gradient 1, and gradients accumulate: 4
/// x.accumulate(Tensor::from_element(1.0));
/// assert_eq!(x.grad(), Some(Tensor::from_element(4.0)));
///
/// x.zero_grad();                                // x.grad.data.zero_()
/// x.accumulate(Tensor::from_element(1.0));
/// assert_eq!(x.grad(), Some(Tensor::from_element(1.0)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param<X> {
    value: X,
    requires_grad: bool,
    grad: Option<X>,
}

impl<X: ParamValue> Param<X> {
    /// A param that requires gradients.
    pub fn new(value: X) -> Self {
        Param {
            value,
            requires_grad: true,
            grad: None,
        }
    }

    /// A param that does not require gradients (PyTorch's default for a new tensor);
    /// switch it on later with [`requires_grad_`](Param::requires_grad_).
    ///
    /// ```
    /// use autodiff_core::{Accumulate, Param};
    ///
    /// let mut x2 = Param::frozen(5.0_f64);
    /// assert!(!x2.requires_grad());
    /// x2.accumulate(2.0);
    /// assert_eq!(x2.grad(), None);
    /// ```
    pub fn frozen(value: X) -> Self {
        Param {
            value,
            requires_grad: false,
            grad: None,
        }
    }

    /// The current value (what the forward pass reads).
    pub fn value(&self) -> X {
        self.value.clone()
    }

    /// Borrows the value, without cloning it.
    ///
    /// ```
    /// use autodiff_core::Param;
    ///
    /// let x = Param::new(vec![1.0_f64, 2.0]);
    /// assert_eq!(x.value_ref().len(), 2);
    /// ```
    pub fn value_ref(&self) -> &X {
        &self.value
    }

    /// Borrows the value mutably, for an optimiser step in place: PyTorch's
    /// `optimizer.step()` writing into `x.data`. The gradient is left as it is.
    ///
    /// ```
    /// use autodiff_core::{optim::Sgd, Accumulate, Param};
    ///
    /// let mut x = Param::new(1.0_f64);
    /// x.accumulate(2.0);
    /// let mut opt = Sgd::new(0.25);
    /// if let Some(grad) = x.grad() {
    ///     opt.step(x.value_mut(), &grad);
    /// }
    /// assert_eq!(x.value(), 0.5);
    /// ```
    pub fn value_mut(&mut self) -> &mut X {
        &mut self.value
    }

    /// Replaces the value without touching the gradient: PyTorch's `x.data = ..`. A
    /// pullback computed earlier keeps the values it saved.
    pub fn set_value(&mut self, value: X) {
        self.value = value;
    }

    /// Whether backward passes accumulate into this param.
    pub fn requires_grad(&self) -> bool {
        self.requires_grad
    }

    /// Turns gradient accumulation on or off: PyTorch's `requires_grad_(flag)`.
    ///
    /// ```
    /// use autodiff_core::{Accumulate, Param};
    ///
    /// let mut w = Param::new(2.0_f64);
    /// w.requires_grad_(false);
    /// w.accumulate(5.0);
    /// assert_eq!(w.grad(), None); // never touched
    /// ```
    pub fn requires_grad_(&mut self, requires_grad: bool) -> &mut Self {
        self.requires_grad = requires_grad;
        self
    }

    /// The accumulated gradient: `None` before the first backward pass.
    pub fn grad(&self) -> Option<X> {
        self.grad.clone()
    }

    /// Borrows the accumulated gradient, without cloning it.
    ///
    /// ```
    /// use autodiff_core::{Accumulate, Param};
    ///
    /// let mut x = Param::new(vec![1.0_f64, 2.0]);
    /// assert!(x.grad_ref().is_none());
    /// x.accumulate(vec![0.5, 0.5]);
    /// assert_eq!(x.grad_ref(), Some(&vec![0.5, 0.5]));
    /// ```
    pub fn grad_ref(&self) -> Option<&X> {
        self.grad.as_ref()
    }

    /// Sets an existing gradient to zero (PyTorch's `x.grad.zero_()`); a param without a
    /// gradient keeps none.
    pub fn zero_grad(&mut self) {
        if let Some(grad) = &mut self.grad {
            *grad = grad.zero_like();
        }
    }

    /// Forgets the gradient entirely (PyTorch's `zero_grad(set_to_none=True)`).
    pub fn clear_grad(&mut self) {
        self.grad = None;
    }
}

/// Runs the accumulation step of a backward pass into one param or a tuple of params:
/// `(&mut w1, &mut w2).accumulate(grads)` with `grads` as `f_grad` or `backward` returns
/// them. Params whose `requires_grad` is off are left alone.
pub trait Accumulate<Grads> {
    /// Adds each gradient to its param's (`None` counts as zero).
    fn accumulate(self, grads: Grads);
}

impl<X: ParamValue> Accumulate<X> for &mut Param<X> {
    fn accumulate(self, grad: X) {
        if self.requires_grad {
            match &mut self.grad {
                Some(old) => Differentiable::accumulate(old, &grad),
                None => self.grad = Some(grad),
            }
        }
    }
}

macro_rules! accumulate_tuples {
    ($(($($p:ident $g:ident $x:ident),+))*) => {$(
        impl<'a, $($x: ParamValue),+> Accumulate<($($x,)+)>
            for ($(&'a mut Param<$x>,)+)
        {
            fn accumulate(self, grads: ($($x,)+)) {
                let ($($p,)+) = self;
                let ($($g,)+) = grads;
                $($p.accumulate($g);)+
            }
        }
    )*};
}

accumulate_tuples! {
    (p0 g0 X0)
    (p0 g0 X0, p1 g1 X1)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2, p3 g3 X3)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2, p3 g3 X3, p4 g4 X4)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2, p3 g3 X3, p4 g4 X4, p5 g5 X5)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2, p3 g3 X3, p4 g4 X4, p5 g5 X5, p6 g6 X6)
    (p0 g0 X0, p1 g1 X1, p2 g2 X2, p3 g3 X3, p4 g4 X4, p5 g5 X5, p6 g6 X6, p7 g7 X7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tensor;

    #[test]
    fn gradient_is_none_then_accumulates_then_zeroes() {
        let mut w = Param::new(Tensor::<f64, 2>::ones());
        assert_eq!(w.grad(), None);
        w.zero_grad();
        assert_eq!(
            w.grad(),
            None,
            "zeroing a missing gradient keeps it missing"
        );
        w.accumulate(Tensor::from_element(2.0));
        w.accumulate(Tensor::from_element(0.5));
        assert_eq!(w.grad(), Some(Tensor::from_element(2.5)));
        w.zero_grad();
        assert_eq!(w.grad(), Some(Tensor::zeros()));
        w.clear_grad();
        assert_eq!(w.grad(), None);
    }

    #[test]
    fn tuples_accumulate_in_order_and_skip_frozen_params() {
        let mut a = Param::new(1.0_f64);
        let mut b = Param::new(Tensor::<f64, 3>::zeros());
        let mut c = Param::new(5.0_f32);
        c.requires_grad_(false);
        (&mut a, &mut b, &mut c).accumulate((2.0, Tensor::from_element(1.0), 7.0));
        (&mut a, &mut b, &mut c).accumulate((2.0, Tensor::from_element(1.0), 7.0));
        assert_eq!(a.grad(), Some(4.0));
        assert_eq!(b.grad(), Some(Tensor::from_element(2.0)));
        assert_eq!(c.grad(), None);
        assert!(!c.requires_grad());
    }

    #[test]
    fn set_value_keeps_the_gradient() {
        let mut x = Param::new(1.0_f64);
        x.accumulate(2.0);
        x.set_value(100.0);
        assert_eq!(x.value(), 100.0);
        assert_eq!(x.grad(), Some(2.0));
    }
}
