//! `#[derive(Differentiable)]` output compiles without a single warning: named, tuple,
//! unit and generic structs, lifetimes, where clauses, `PhantomData`, user names that look
//! like the derive's own, and a struct parameter named `K` like the derive's generic.
#![deny(warnings)]

use autodiff::{Differentiable, Real, Tensor};
use core::marker::PhantomData;

// Names a careless derive might use.
#[allow(dead_code)]
struct CoordUpdate;
#[allow(dead_code)]
type Clone = ();

#[derive(Clone, Differentiable)]
pub struct Named<'a, T: Real, const K: usize>
where
    T: Copy,
{
    pub w: Tensor<T, K, K>,
    pub __autodiff_others: (T, f64),
    #[no_grad]
    pub data: &'a [f64],
    pub marker: PhantomData<T>,
}

#[derive(Clone, Differentiable)]
pub struct Tuple(pub Vec<f32>, #[no_grad] pub usize);

#[derive(Clone, Differentiable)]
pub struct Unit;

#[derive(Clone, Differentiable)]
pub struct Empty {}

#[derive(Clone, Differentiable)]
pub struct Wrap<X>(pub [X; 2]);

fn main() {
    let data = [1.0, 2.0];
    let n = Named::<f64, 2> {
        w: Tensor::ones(),
        __autodiff_others: (1.0, 2.0),
        data: &data,
        marker: PhantomData,
    };
    assert_eq!(n.num_coords(), 6);
    assert_eq!(n.zero_like().data, &data);
    assert_eq!(Tuple(vec![1.0; 3], 9).zero_like().1, 9);
    assert_eq!(Unit.num_coords() + Empty {}.num_coords(), 0);
    assert_eq!(Wrap([Tuple(vec![1.0], 1), Tuple(vec![2.0], 2)]).num_coords(), 2);
}
