//! Every standard trait `Tensor` implements, used the way a user would through the facade:
//! approx comparisons, `Sum`, iteration, conversions from arrays, `Deref` to nalgebra,
//! serde (the tests enable the `serde` feature), `Debug` and `Display`.

use approx::{assert_abs_diff_eq, assert_relative_eq, assert_relative_ne, assert_ulps_eq};
use autodiff::{Tensor, differentiable, tensor};

#[differentiable]
fn half_square(x: Tensor<f64, 3>) -> f64 {
    (x * x * 0.5).sum()
}

#[test]
fn approx_compares_tensors_elementwise() {
    let (_, grad) = half_square_grad(tensor![0.1, 0.2, 0.3]);
    // d/dx (x^2 / 2) = x, up to rounding.
    assert_relative_eq!(grad, tensor![0.1, 0.2, 0.3], max_relative = 1e-15);
    assert_ulps_eq!(tensor![0.1 + 0.2], tensor![0.3]);
    assert_abs_diff_eq!(
        tensor![[1.0, 2.0]],
        tensor![[1.0, 2.0 + 1e-10]],
        epsilon = 1e-9
    );
    assert_relative_ne!(tensor![1.0, 2.0], tensor![1.0, 2.1]);
}

#[test]
fn sums_of_tensors() {
    let batch = [tensor![1.0, 2.0, 3.0], tensor![10.0, 20.0, 30.0]];
    let by_ref: Tensor<f64, 3> = batch.iter().sum();
    let owned: Tensor<f64, 3> = batch.into_iter().map(|t| t * 2.0).sum();
    assert_eq!(by_ref, tensor![11.0, 22.0, 33.0]);
    assert_eq!(owned, by_ref * 2.0);
    // Gradients of a batch, accumulated.
    let grads: Tensor<f64, 3> = batch.iter().map(|&x| half_square_grad(x).1).sum();
    assert_relative_eq!(grads, by_ref);
    let empty: Vec<Tensor<i32, 2>> = Vec::new();
    assert_eq!(empty.iter().sum::<Tensor<i32, 2>>(), Tensor::zeros());
}

#[test]
fn iteration_by_reference_and_mutably() {
    let t = tensor![[1, 2], [3, 4]];
    let mut seen = Vec::new();
    for x in &t {
        seen.push(*x);
    }
    // Storage order, which is column-major like nalgebra's.
    assert_eq!(seen, [1, 3, 2, 4]);
    assert_eq!(t.iter().copied().collect::<Vec<_>>(), seen);

    let mut v = tensor![1.0, 2.0, 3.0];
    for x in v.iter_mut() {
        *x = *x * *x;
    }
    assert_eq!(v, tensor![1.0, 4.0, 9.0]);
    for x in &mut v {
        *x -= 1.0;
    }
    assert_eq!(v, tensor![0.0, 3.0, 8.0]);
}

#[test]
fn conversions_from_arrays() {
    let v = Tensor::from([1.0, 2.0, 3.0]);
    let _: Tensor<f64, 3> = v;
    assert_eq!(v, tensor![1.0, 2.0, 3.0]);
    let m: Tensor<f64, 2, 3> = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into();
    assert_eq!(m[(1, 0)], 4.0);
    assert_eq!(m, Tensor::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
}

#[test]
fn nalgebra_methods_through_deref() {
    let m = tensor![[4.0, 1.0], [2.0, 3.0]];
    assert_eq!(m.rank(1e-12), 2);
    // nalgebra's linear algebra on the matrix; the tensor's own returns tensors.
    let inverse = m.as_matrix().try_inverse().expect("invertible");
    assert_relative_eq!(
        m.matmul(Tensor::from_matrix(inverse)),
        tensor![[1.0, 0.0], [0.0, 1.0]]
    );
    assert_relative_eq!(m.determinant(), 10.0);
    assert_eq!(m.try_inverse(), Some(Tensor::from_matrix(inverse)));
    // The tensor's own methods win: `sum` is autodiff's (a scalar), `exp` is elementwise.
    assert_eq!(m.sum(), 10.0);
    assert_eq!(m.exp()[(0, 1)], 1.0_f64.exp());
    assert_ne!(m.as_matrix().exp()[(0, 1)], 1.0_f64.exp());
}

#[test]
fn serde_round_trips_through_json() {
    let m = tensor![[1.5, -2.0], [0.25, 4.0]];
    let json = serde_json::to_string(&m).expect("serializable");
    assert_eq!(json, "[[1.5,-2.0],[0.25,4.0]]");
    let back: Tensor<f64, 2, 2> = serde_json::from_str(&json).expect("deserializable");
    assert_eq!(back, m);

    let (_, grad) = half_square_grad(tensor![1.0, 2.0, 3.0]);
    let json = serde_json::to_string(&grad).expect("serializable");
    assert_eq!(json, "[1.0,2.0,3.0]");
    assert_eq!(
        serde_json::from_str::<Tensor<f64, 3>>(&json).expect("a 3-vector"),
        grad
    );

    for wrong in ["[1.0, 2.0]", "[[1.0, 2.0], [3.0]]", "[[1.0, 2.0]]", "{}"] {
        assert!(
            serde_json::from_str::<Tensor<f64, 2, 2>>(wrong).is_err(),
            "{wrong}"
        );
    }
    assert!(serde_json::from_str::<Tensor<f64, 3>>("[1.0, 2.0, 3.0, 4.0]").is_err());
}

#[test]
fn debug_prints_rows_as_rows() {
    assert_eq!(
        format!("{:?}", tensor![1.0, 1.0, 1.0]),
        "Tensor([1.0, 1.0, 1.0])"
    );
    let m = tensor![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    assert_eq!(
        format!("{m:?}"),
        "Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])"
    );
    let pretty = format!("{m:#?}");
    let rows: Vec<&str> = pretty.lines().map(str::trim).collect();
    assert_eq!(
        rows,
        [
            "Tensor(", "[", "[", "1.0,", "2.0,", "3.0,", "],", "[", "4.0,", "5.0,", "6.0,", "],",
            "],", ")"
        ]
    );
    let row = tensor![[7, 8]];
    assert_eq!(format!("{row:?}"), "Tensor([[7, 8]])");
}

#[test]
fn display_prints_float_and_integer_tensors_like_pytorch() {
    assert_eq!(tensor![1, 2, 3].to_string(), "tensor([1, 2, 3])");
    assert_eq!(
        tensor![[1_i64, -20], [300, 4]].to_string(),
        "tensor([[  1, -20],\n        [300,   4]])"
    );
    assert_eq!(tensor![2.0, 2.0].to_string(), "tensor([2., 2.])");
    let indices: Tensor<usize, 2000> = Tensor::from_fn(|i, _| i);
    assert_eq!(
        indices.to_string(),
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    );
}
