use autodiff::differentiable;

trait Energy {
    fn energy(&self, x: f64) -> f64;
}

struct Spring;

// The generated functions cannot be members of the trait: one message, on the trait.
#[differentiable]
impl Energy for Spring {
    fn energy(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {}
