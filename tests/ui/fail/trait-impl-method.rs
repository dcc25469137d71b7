use autodiff::differentiable;

trait Energy {
    fn energy(&self, x: f64) -> f64;
}

struct Spring {
    k: f64,
}

impl Energy for Spring {
    #[differentiable]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

fn main() {
    let _ = Spring { k: 1.0 }.energy(2.0);
}
