use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    while {
        y = y * 2.0;
        y < 9.0
    } {
        y = y + 1.0;
    }
    y
}

fn main() {}
