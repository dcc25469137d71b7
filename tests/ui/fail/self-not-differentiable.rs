use autodiff::{differentiable, Tensor};

struct Scaler {
    scale: f64,
}

impl Scaler {
    #[differentiable]
    fn loss(&self, x: Tensor<f64, 2>) -> f64 {
        (x * self.scale).sum()
    }
}

fn main() {}
