use autodiff::Differentiable;

#[derive(Clone, Differentiable)]
enum Shape {
    Circle(f64),
    Square(f64),
}

fn main() {}
