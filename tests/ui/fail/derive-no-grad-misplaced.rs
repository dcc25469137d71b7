use autodiff::{Differentiable, Tensor};

// On the struct rather than a field, and with an argument: two errors.
#[derive(Clone, Differentiable)]
#[no_grad]
struct Model {
    w: Tensor<f64, 3>,
    #[no_grad(skip)]
    lr: f64,
}

fn main() {}
