use autodiff::differentiable;

#[derive(Clone)]
enum Shape {
    Circle(f64),
    Square(f64),
}

#[differentiable]
fn area(s: Shape, scale: f64) -> f64 {
    scale * 2.0
}

fn main() {}
