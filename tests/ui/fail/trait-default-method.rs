use autodiff::differentiable;

trait Energy {
    #[differentiable]
    fn energy(x: f64) -> f64 {
        0.5 * x * x
    }
}

fn main() {}
