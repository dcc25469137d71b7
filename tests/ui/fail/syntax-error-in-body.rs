use autodiff::differentiable;

// Only rustc's own syntax error: the attribute adds none.
#[differentiable]
fn f(x: f64) -> f64 {
    let y = x * 2.0 y
}

fn main() {}
