use autodiff::{differentiable, Tensor};

// An alias hides the element type from the macro; the type system still catches it.
type Counts = Tensor<i64, 3>;

#[differentiable(wrt(c, x))]
fn f(c: Counts, x: f64) -> f64 {
    x * 2.0
}

fn main() {}
