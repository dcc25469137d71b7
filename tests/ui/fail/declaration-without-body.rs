use autodiff::differentiable;

// A declaration has no body to differentiate: one message of ours on each.
trait Model {
    #[differentiable]
    fn loss(&self, x: f64) -> f64;
}

unsafe extern "C" {
    #[differentiable]
    fn cbrt(x: f64) -> f64;
}

fn main() {}
