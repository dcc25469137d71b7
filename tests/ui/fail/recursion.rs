use autodiff::differentiable;

// Recursion: one message of ours on each call of the function by itself.
#[differentiable(wrt(x))]
fn power(x: f64, n: usize) -> f64 {
    if n == 0 { 1.0 } else { x * power(x, n - 1) }
}

struct Chain {
    depth: usize,
}

impl Chain {
    #[differentiable(wrt(x))]
    fn apply(&self, x: f64) -> f64 {
        if self.depth == 0 { x } else { self.apply(x).sin() }
    }
}

fn main() {}
