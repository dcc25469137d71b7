use autodiff::{Tensor, differentiable};
#[differentiable]
pub fn accelerations(pos: Tensor<f64, 2, 8>) -> Tensor<f64, 2, 8> {
    let mut acc = Tensor::<f64, 2, 8>::zeros();
    for i in 0..8 {
        for j in 0..8 {
            if i != j {
                let dx = pos[(0, j)] - pos[(0, i)];
                let dy = pos[(1, j)] - pos[(1, i)];
                let r2 = dx * dx + dy * dy + 0.01;
                let inv = 1.0 / (r2 * r2.sqrt());
                acc[(0, i)] += dx * inv;
                acc[(1, i)] += dy * inv;
            }
        }
    }
    acc
}
fn main() {}
