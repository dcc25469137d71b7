use autodiff::Differentiable;

#[derive(Clone, Copy, Differentiable)]
union Bits {
    f: f64,
    g: f32,
}

fn main() {}
