//! The arithmetic operators on borrowed tensors (`&a + &b`, `&t * 2.0`, `-&t`), as
//! nalgebra's matrices have them: each forwards to the operator on values (tensors are
//! `Copy`), so a `&Tensor` parameter combines like a tensor, in plain Rust and in the data
//! code of a `#[differentiable]` body. Written once for the four operator families.
//!
//! ```
//! use autodiff_core::tensor;
//!
//! let (a, b) = (tensor![1.0_f64, 2.0], tensor![3.0, 5.0]);
//! assert_eq!(&a + &b, a + b);
//! assert_eq!(&a * 2.0, a * 2.0);
//! assert_eq!(2.0 - &b, 2.0 - b);
//! assert_eq!(&a / b, a / b);
//! assert_eq!(-&a, -a);
//! ```

use core::ops::{Add, Div, Mul, Neg, Sub};

use crate::real::Real;
use crate::tensor::Tensor;

macro_rules! by_reference {
    ($($op:ident $method:ident),*) => {$(
        impl<T: Real, const R: usize, const C: usize> $op<&Tensor<T, R, C>> for &Tensor<T, R, C> {
            type Output = Tensor<T, R, C>;

            #[inline]
            fn $method(self, rhs: &Tensor<T, R, C>) -> Tensor<T, R, C> {
                $op::$method(*self, *rhs)
            }
        }

        impl<T: Real, const R: usize, const C: usize> $op<Tensor<T, R, C>> for &Tensor<T, R, C> {
            type Output = Tensor<T, R, C>;

            #[inline]
            fn $method(self, rhs: Tensor<T, R, C>) -> Tensor<T, R, C> {
                $op::$method(*self, rhs)
            }
        }

        impl<T: Real, const R: usize, const C: usize> $op<&Tensor<T, R, C>> for Tensor<T, R, C> {
            type Output = Tensor<T, R, C>;

            #[inline]
            fn $method(self, rhs: &Tensor<T, R, C>) -> Tensor<T, R, C> {
                $op::$method(self, *rhs)
            }
        }

        impl<T: Real, const R: usize, const C: usize> $op<T> for &Tensor<T, R, C> {
            type Output = Tensor<T, R, C>;

            #[inline]
            fn $method(self, rhs: T) -> Tensor<T, R, C> {
                $op::$method(*self, rhs)
            }
        }

        impl<const R: usize, const C: usize> $op<&Tensor<f32, R, C>> for f32 {
            type Output = Tensor<f32, R, C>;

            #[inline]
            fn $method(self, rhs: &Tensor<f32, R, C>) -> Tensor<f32, R, C> {
                $op::$method(self, *rhs)
            }
        }

        impl<const R: usize, const C: usize> $op<&Tensor<f64, R, C>> for f64 {
            type Output = Tensor<f64, R, C>;

            #[inline]
            fn $method(self, rhs: &Tensor<f64, R, C>) -> Tensor<f64, R, C> {
                $op::$method(self, *rhs)
            }
        }
    )*};
}

by_reference!(Add add, Sub sub, Mul mul, Div div);

impl<T: Real, const R: usize, const C: usize> Neg for &Tensor<T, R, C> {
    type Output = Tensor<T, R, C>;

    #[inline]
    fn neg(self) -> Tensor<T, R, C> {
        -*self
    }
}
