//! Optimisers with PyTorch's update rules and defaults, stepping any [`Differentiable`]
//! value in place: a tensor, a float, a tuple, a `Vec`, a struct that derives it.
//!
//! `opt.step(&mut params, &grads)` takes the gradient as `f_grad` returns it (the
//! params' own type). The optimiser's state (momentum buffers, Adam's moments) has the
//! params' type too, is created at the first step, and is updated in the precision of each
//! leaf, so `f32` params train in `f32` arithmetic as in PyTorch. `#[no_grad]` fields are
//! never touched.
//!
//! ```
//! use autodiff_core::optim::Adam;
//! use autodiff_core::{tensor, Tensor};
//!
//! // Minimise |w - target|^2; with `#[differentiable]` the gradient comes from `loss_grad`.
//! let target = tensor![1.0, -2.0, 0.5];
//! let mut w = Tensor::<f64, 3>::zeros();
//! let mut opt = Adam::new(0.1);
//! for _ in 0..500 {
//!     let grad = (w - target) * 2.0;
//!     opt.step(&mut w, &grad);
//! }
//! assert!((w - target).norm() < 1e-3);
//! ```

use crate::{CoordUpdate, Differentiable, Real};

/// Stochastic gradient descent, optionally with momentum: `torch.optim.SGD(params, lr,
/// momentum)` with PyTorch's defaults otherwise (no dampening, no Nesterov, no weight
/// decay).
///
/// Without momentum, `p <- p - lr * g`. With momentum `mu`, a buffer `b` of the params'
/// type is kept: `b <- g` at the first step, then `b <- mu * b + g`, and `p <- p - lr * b`.
///
/// ```
/// use autodiff_core::optim::Sgd;
///
/// // loss = p^2, gradient 2p, from p = 1
/// let mut p = 1.0_f64;
/// let mut opt = Sgd::with_momentum(0.1, 0.9);
/// for _ in 0..2 {
///     let grad = 2.0 * p;
///     opt.step(&mut p, &grad); // b = 2, p = 1 - 0.2; then b = 3.4, p = 0.8 - 0.34
/// }
/// assert!((p - 0.46).abs() < 1e-15);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<X> {
    lr: f64,
    momentum: f64,
    buffer: Option<X>,
}

impl<X> Sgd<X> {
    /// Plain gradient descent with learning rate `lr`: `torch.optim.SGD(params, lr=lr)`.
    ///
    /// ```
    /// use autodiff_core::{optim::Sgd, tensor};
    ///
    /// let mut w = tensor![1.0, 2.0];
    /// Sgd::new(0.5).step(&mut w, &tensor![1.0, -1.0]);
    /// assert_eq!(w, tensor![0.5, 2.5]);
    /// ```
    pub fn new(lr: f64) -> Self {
        Self::with_momentum(lr, 0.0)
    }

    /// Gradient descent with momentum: `torch.optim.SGD(params, lr=lr, momentum=momentum)`.
    /// A momentum of `0` is plain descent and keeps no buffer, as in PyTorch.
    ///
    /// ```
    /// use autodiff_core::optim::Sgd;
    ///
    /// let mut p = 0.0_f32;
    /// let mut opt = Sgd::with_momentum(1.0, 0.5);
    /// opt.step(&mut p, &1.0); // b = 1
    /// opt.step(&mut p, &1.0); // b = 0.5 + 1
    /// assert_eq!(p, -2.5);
    /// ```
    pub fn with_momentum(lr: f64, momentum: f64) -> Self {
        Sgd {
            lr,
            momentum,
            buffer: None,
        }
    }

    /// The learning rate.
    ///
    /// ```
    /// assert_eq!(autodiff_core::optim::Sgd::<f64>::new(0.1).lr(), 0.1);
    /// ```
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate for the next steps (a schedule), keeping the state.
    ///
    /// ```
    /// use autodiff_core::optim::Sgd;
    ///
    /// let mut p = 1.0_f64;
    /// let mut opt = Sgd::new(0.1);
    /// opt.set_lr(0.5);
    /// opt.step(&mut p, &1.0);
    /// assert_eq!(p, 0.5);
    /// ```
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

impl<X: Differentiable> Sgd<X> {
    /// One update of `params` with their gradient `grads` (of the same type and shape).
    ///
    /// # Panics
    ///
    /// If `grads`, or the params at a later step, have another shape than the params of
    /// the first step (a `Vec` of another length).
    ///
    /// ```
    /// use autodiff_core::{optim::Sgd, tensor, Tensor};
    ///
    /// let mut params: (f64, Tensor<f64, 2>) = (1.0, tensor![1.0, 2.0]);
    /// let grads = (2.0, tensor![4.0, -4.0]);
    /// Sgd::new(0.25).step(&mut params, &grads);
    /// assert_eq!(params, (0.5, tensor![0.0, 3.0]));
    /// ```
    #[track_caller]
    pub fn step(&mut self, params: &mut X, grads: &X) {
        if self.momentum == 0.0 {
            params.zip_update([grads], &mut Descend { lr: self.lr });
            return;
        }
        let buffer = match &mut self.buffer {
            Some(buffer) => {
                buffer.zip_update(
                    [grads],
                    &mut Momentum {
                        momentum: self.momentum,
                    },
                );
                buffer
            }
            None => self.buffer.insert(grads.clone()),
        };
        params.zip_update([&*buffer], &mut Descend { lr: self.lr });
    }
}

/// `p - lr * d`, as PyTorch's `p.add_(d, alpha=-lr)`.
struct Descend {
    lr: f64,
}

impl CoordUpdate<1> for Descend {
    #[inline(always)]
    fn update<T: Real>(&mut self, p: T, [d]: [T; 1]) -> T {
        let lr: T = Real::from_f64(self.lr);
        p - lr * d
    }
}

/// `mu * b + g`, as PyTorch's `b.mul_(momentum).add_(g)`.
struct Momentum {
    momentum: f64,
}

impl CoordUpdate<1> for Momentum {
    #[inline(always)]
    fn update<T: Real>(&mut self, b: T, [g]: [T; 1]) -> T {
        let momentum: T = Real::from_f64(self.momentum);
        b * momentum + g
    }
}

/// Adam: `torch.optim.Adam(params, lr, weight_decay=..)` with PyTorch's defaults, betas
/// `(0.9, 0.999)` and eps `1e-8`.
///
/// At step `t` (from 1), with gradient `g` and weight decay `wd`:
///
/// ```text
/// g <- g + wd * p                          (L2 in the gradient, as torch.optim.Adam; not AdamW)
/// m <- beta1 * m + (1 - beta1) * g         (m, v start at zero, with the params' type)
/// v <- beta2 * v + (1 - beta2) * g^2
/// p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
/// ```
///
/// The arithmetic follows the order of PyTorch's operations (`lerp_` for `m`, bias
/// corrections in `f64`, `sqrt(v) / sqrt(1 - beta2^t) + eps`), in each leaf's precision,
/// so `f32` params are updated in `f32` arithmetic as PyTorch updates them.
///
/// ```
/// use autodiff_core::optim::Adam;
///
/// // The first step moves each coordinate by about lr against the sign of its gradient.
/// let mut p = (1.0_f64, -1.0_f64);
/// let mut opt = Adam::new(0.1);
/// opt.step(&mut p, &(20.0, -0.003));
/// assert!((p.0 - 0.9).abs() < 1e-8 && (p.1 - -0.9).abs() < 1e-5);
/// assert_eq!(opt.steps(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<X> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    steps: u32,
    /// The first and second moments `(m, v)`, once the first step has made them.
    moments: Option<(X, X)>,
}

impl<X> Adam<X> {
    /// Adam with learning rate `lr` and PyTorch's defaults: `torch.optim.Adam(params,
    /// lr=lr)`.
    ///
    /// ```
    /// use autodiff_core::{optim::Adam, tensor};
    ///
    /// let mut w = tensor![1.0_f32, 1.0];
    /// Adam::new(0.01).step(&mut w, &tensor![3.0, -0.5]);
    /// assert!((w - tensor![0.99, 1.01]).norm() < 1e-6);
    /// ```
    pub fn new(lr: f64) -> Self {
        Self::with_weight_decay(lr, 0.0)
    }

    /// Adam with L2 weight decay `wd` added to the gradient: `torch.optim.Adam(params,
    /// lr=lr, weight_decay=wd)` (not `AdamW`'s decoupled decay).
    ///
    /// ```
    /// use autodiff_core::optim::Adam;
    ///
    /// // With a zero loss gradient, the decay alone pulls the param towards 0.
    /// let mut p = 2.0_f64;
    /// Adam::with_weight_decay(0.1, 0.01).step(&mut p, &0.0);
    /// assert!((p - 1.9).abs() < 1e-6);
    /// ```
    pub fn with_weight_decay(lr: f64, wd: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: wd,
            steps: 0,
            moments: None,
        }
    }

    /// The learning rate.
    ///
    /// ```
    /// assert_eq!(autodiff_core::optim::Adam::<f64>::new(1e-3).lr(), 1e-3);
    /// ```
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate for the next steps (a schedule), keeping the moments and
    /// the step count.
    ///
    /// ```
    /// use autodiff_core::optim::Adam;
    ///
    /// let mut opt = Adam::<f64>::new(1e-3);
    /// opt.set_lr(1e-4);
    /// assert_eq!(opt.lr(), 1e-4);
    /// ```
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// How many steps have been taken: `t` of the bias corrections.
    ///
    /// ```
    /// use autodiff_core::optim::Adam;
    ///
    /// let mut opt = Adam::new(0.1);
    /// let mut p = 1.0_f64;
    /// opt.step(&mut p, &1.0);
    /// opt.step(&mut p, &1.0);
    /// assert_eq!(opt.steps(), 2);
    /// ```
    pub fn steps(&self) -> u32 {
        self.steps
    }
}

impl<X: Differentiable> Adam<X> {
    /// One update of `params` with their gradient `grads` (of the same type and shape).
    ///
    /// # Panics
    ///
    /// If `grads`, or the params at a later step, have another shape than the params of
    /// the first step (a `Vec` of another length).
    ///
    /// ```
    /// use autodiff_core::{optim::Adam, Differentiable};
    ///
    /// let mut params = vec![1.0_f64, 2.0, 3.0];
    /// let mut opt = Adam::new(0.5);
    /// opt.step(&mut params, &vec![1.0, -1.0, 0.0]);
    /// // A zero gradient gives a zero moment and no move.
    /// assert!((params[0] - 0.5).abs() < 1e-7 && (params[1] - 2.5).abs() < 1e-7);
    /// assert_eq!(params[2], 3.0);
    /// ```
    #[track_caller]
    pub fn step(&mut self, params: &mut X, grads: &X) {
        self.steps += 1;
        let (m, v) = self
            .moments
            .get_or_insert_with(|| (params.zero_like(), params.zero_like()));
        // Three passes, each in place: the moments read the params before the params move.
        m.zip_update(
            [grads, &*params],
            &mut FirstMoment {
                weight: 1.0 - self.beta1,
                weight_decay: self.weight_decay,
            },
        );
        v.zip_update(
            [grads, &*params],
            &mut SecondMoment {
                beta2: self.beta2,
                weight_decay: self.weight_decay,
            },
        );
        // PyTorch computes the bias corrections on Python floats: `beta ** step`.
        let t = f64::from(self.steps);
        let bias_correction1 = 1.0 - self.beta1.powf(t);
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        params.zip_update(
            [&*m, &*v],
            &mut AdamMove {
                step_size: self.lr / bias_correction1,
                bias_correction2_sqrt: bias_correction2.sqrt(),
                eps: self.eps,
            },
        );
    }
}

/// The gradient with L2 weight decay: PyTorch's `grad.add(param, alpha=weight_decay)`.
#[inline(always)]
fn decayed<T: Real>(g: T, p: T, weight_decay: f64) -> T {
    if weight_decay == 0.0 {
        g
    } else {
        let wd: T = Real::from_f64(weight_decay);
        g + wd * p
    }
}

/// `m <- m + (1 - beta1) (g - m)`: PyTorch's `exp_avg.lerp_(grad, 1 - beta1)`, whose
/// kernel switches form at weight 0.5 for accuracy.
struct FirstMoment {
    weight: f64,
    weight_decay: f64,
}

impl CoordUpdate<2> for FirstMoment {
    #[inline(always)]
    fn update<T: Real>(&mut self, m: T, [g, p]: [T; 2]) -> T {
        let g = decayed(g, p, self.weight_decay);
        let w: T = Real::from_f64(self.weight);
        if self.weight.abs() < 0.5 {
            m + w * (g - m)
        } else {
            g - (g - m) * (T::one() - w)
        }
    }
}

/// `v <- beta2 v + (1 - beta2) g^2`: PyTorch's
/// `exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)`.
struct SecondMoment {
    beta2: f64,
    weight_decay: f64,
}

impl CoordUpdate<2> for SecondMoment {
    #[inline(always)]
    fn update<T: Real>(&mut self, v: T, [g, p]: [T; 2]) -> T {
        let g = decayed(g, p, self.weight_decay);
        let beta2: T = Real::from_f64(self.beta2);
        let value: T = Real::from_f64(1.0 - self.beta2);
        v * beta2 + value * g * g
    }
}

/// `p <- p - step_size * m / (sqrt(v) / sqrt(bc2) + eps)`: PyTorch's
/// `param.addcdiv_(exp_avg, denom, value=-step_size)`.
struct AdamMove {
    step_size: f64,
    bias_correction2_sqrt: f64,
    eps: f64,
}

impl CoordUpdate<2> for AdamMove {
    #[inline(always)]
    fn update<T: Real>(&mut self, p: T, [m, v]: [T; 2]) -> T {
        let bc2_sqrt: T = Real::from_f64(self.bias_correction2_sqrt);
        let eps: T = Real::from_f64(self.eps);
        let neg_step: T = Real::from_f64(-self.step_size);
        let denom = v.sqrt() / bc2_sqrt + eps;
        p + neg_step * m / denom
    }
}

#[cfg(test)]
mod tests {
    //! The update rules written out by hand, step by step, against the optimisers on
    //! floats, tensors and tuples, in f32 and f64 (the derived-struct cases are in the
    //! facade's `tests/optim.rs`).

    use super::*;
    use crate::{Tensor, tensor};

    /// loss = sum p_i^2 over every coordinate: gradient 2p, the params' own type.
    fn grad_of_squares<X: Differentiable>(p: &X) -> X {
        p.clone().scaled(2.0)
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x - y).abs() <= tol * y.abs().max(1.0))
    }

    #[test]
    fn sgd_momentum_three_steps_by_hand() {
        // p0 = 1, g = 2p, lr 0.1, momentum 0.9:
        // t=1: g = 2,    b = 2,                 p = 1 - 0.2     = 0.8
        // t=2: g = 1.6,  b = 0.9*2 + 1.6 = 3.4, p = 0.8 - 0.34  = 0.46
        // t=3: g = 0.92, b = 3.06 + 0.92 = 3.98, p = 0.46 - 0.398 = 0.062
        // The dynamics are linear in p0, so every coordinate is p0 times these.
        let path = [0.8, 0.46, 0.062];

        let mut p = 1.0_f64;
        let mut opt = Sgd::with_momentum(0.1, 0.9);
        for want in path {
            let g = grad_of_squares(&p);
            opt.step(&mut p, &g);
            assert!((p - want).abs() < 1e-15, "{p} vs {want}");
        }

        let mut p: Tensor<f32, 2, 2> = tensor![[1.0, -2.0], [0.5, 4.0]];
        let p0 = p;
        let mut opt = Sgd::with_momentum(0.1, 0.9);
        for want in path {
            let g = grad_of_squares(&p);
            opt.step(&mut p, &g);
            let want = (p0 * want as f32).to_coords();
            assert!(close(&p.to_coords(), &want, 1e-6), "{p}");
        }

        let mut p = (1.0_f64, tensor![-2.0_f32, 0.5], vec![3.0_f64]);
        let p0 = p.clone();
        let mut opt = Sgd::with_momentum(0.1, 0.9);
        for want in path {
            let g = grad_of_squares(&p);
            opt.step(&mut p, &g);
            assert!(close(
                &p.to_coords(),
                &p0.clone().scaled(want).to_coords(),
                1e-6
            ));
        }
    }

    #[test]
    fn sgd_without_momentum_keeps_no_buffer() {
        // g = 2p, lr 0.1: p <- 0.8 p each step.
        let mut p = (1.0_f32, tensor![2.0_f64, -1.0]);
        let mut opt = Sgd::new(0.1);
        for t in 1..=3 {
            let g = grad_of_squares(&p);
            opt.step(&mut p, &g);
            let k = 0.8_f64.powi(t);
            assert!(close(&p.to_coords(), &[k, 2.0 * k, -k], 1e-6));
        }
        assert!(opt.buffer.is_none());
        // In f32 the step is f32 arithmetic: 1 - 0.1f32 * 2 in f32, not rounded from f64.
        let mut q = 1.0_f32;
        Sgd::new(0.1).step(&mut q, &2.0);
        assert_eq!(q, 1.0_f32 - 0.1_f32 * 2.0_f32);
    }

    /// Adam's rule as the paper and PyTorch's docs write it, on f64 coordinates.
    struct ByHand {
        lr: f64,
        wd: f64,
        m: Vec<f64>,
        v: Vec<f64>,
        t: i32,
    }

    impl ByHand {
        fn new(lr: f64, wd: f64, n: usize) -> Self {
            ByHand {
                lr,
                wd,
                m: vec![0.0; n],
                v: vec![0.0; n],
                t: 0,
            }
        }

        fn step(&mut self, p: &mut [f64], g: &[f64]) {
            let (b1, b2, eps) = (0.9, 0.999, 1e-8);
            self.t += 1;
            for i in 0..p.len() {
                let g = g[i] + self.wd * p[i];
                self.m[i] = b1 * self.m[i] + (1.0 - b1) * g;
                self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g;
                let m_hat = self.m[i] / (1.0 - b1.powi(self.t));
                let v_hat = self.v[i] / (1.0 - b2.powi(self.t));
                p[i] -= self.lr * m_hat / (v_hat.sqrt() + eps);
            }
        }
    }

    fn adam_against_hand<X: Differentiable + core::fmt::Debug>(
        mut p: X,
        lr: f64,
        wd: f64,
        tol: f64,
    ) {
        let mut hand_p = p.to_coords();
        let mut hand = ByHand::new(lr, wd, hand_p.len());
        let mut opt = if wd == 0.0 {
            Adam::new(lr)
        } else {
            Adam::with_weight_decay(lr, wd)
        };
        for _ in 0..3 {
            let g = grad_of_squares(&p);
            hand.step(&mut hand_p, &g.to_coords());
            opt.step(&mut p, &g);
            assert!(
                close(&p.to_coords(), &hand_p, tol),
                "step {}: {p:?} vs {hand_p:?}",
                opt.steps()
            );
        }
    }

    #[test]
    fn adam_three_steps_by_hand() {
        // Step 1 written out: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2,
        // p <- p - lr g / (|g| + eps): for p = 1, g = 2, lr = 0.1: 0.9 + 5e-10.
        let mut p = 1.0_f64;
        let mut opt = Adam::new(0.1);
        opt.step(&mut p, &2.0);
        assert!((p - (1.0 - 0.1 * 2.0 / (2.0 + 1e-8))).abs() < 1e-16);
        // Step 2, g = 2p: m = 0.9 * 0.2 + 0.1 g, v = 0.999 * 0.004 + 0.001 g^2, corrections
        // 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999.
        let g = 2.0 * p;
        let (m, v) = (0.18 + 0.1 * g, 0.003996 + 0.001 * g * g);
        let want = p - 0.1 * (m / 0.19) / ((v / 0.001999).sqrt() + 1e-8);
        opt.step(&mut p, &g);
        assert!((p - want).abs() < 1e-14, "{p} vs {want}");

        adam_against_hand(1.0_f64, 0.1, 0.0, 1e-14);
        adam_against_hand(tensor![[1.0, -2.0], [0.5, 4.0]], 0.01, 0.0, 1e-14);
        adam_against_hand(tensor![[1.0_f32, -2.0], [0.5, 4.0]], 0.01, 0.0, 1e-6);
        adam_against_hand(
            (1.0_f32, tensor![-2.0_f64, 0.5], vec![3.0_f64]),
            0.1,
            0.0,
            1e-6,
        );
    }

    #[test]
    fn adam_weight_decay_three_steps_by_hand() {
        // With wd, the gradient seen is g + wd p: here 2p + 0.5p = 2.5p.
        let mut p = 1.0_f64;
        let mut opt = Adam::with_weight_decay(0.1, 0.5);
        opt.step(&mut p, &2.0);
        assert!((p - (1.0 - 0.1 * 2.5 / (2.5 + 1e-8))).abs() < 1e-16);

        adam_against_hand(1.0_f64, 0.1, 0.5, 1e-14);
        adam_against_hand(tensor![1.0, -2.0, 3.0], 0.05, 0.1, 1e-14);
        adam_against_hand(tensor![1.0_f32, -2.0, 3.0], 0.05, 0.1, 1e-6);
        adam_against_hand((tensor![1.0_f32, -2.0], 0.25_f64), 0.05, 0.01, 1e-6);
    }

    #[test]
    fn adam_state_has_the_params_shape_and_starts_at_the_first_step() {
        let mut opt = Adam::new(0.1);
        assert!(opt.moments.is_none());
        let mut p = vec![tensor![1.0_f64, 2.0]; 3];
        let g = p.zero_like().plus(&vec![tensor![1.0, 1.0]; 3]);
        opt.step(&mut p, &g);
        let (m, v) = opt
            .moments
            .as_ref()
            .map(|(m, v)| (m.len(), v.len()))
            .unwrap();
        assert_eq!((m, v), (3, 3));
    }

    #[test]
    #[should_panic(expected = "combining a Vec of length 3 with one of length 2")]
    fn a_gradient_of_another_shape_is_refused() {
        let mut p = vec![1.0_f64; 3];
        Sgd::new(0.1).step(&mut p, &vec![1.0; 2]);
    }
}
