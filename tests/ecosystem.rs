//! The optional ecosystem features: argmin's solvers on a `Problem` (feature `argmin`) and
//! data-parallel gradients (feature `rayon`). Without the features this file holds no
//! tests; `cargo test --workspace --all-features` runs them.

#[cfg(feature = "argmin")]
mod argmin_problem {
    use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, State};
    use argmin::solver::linesearch::MoreThuenteLineSearch;
    use argmin::solver::newton::Newton;
    use argmin::solver::quasinewton::LBFGS;
    use argmin::solver::trustregion::{Steihaug, TrustRegion};
    use autodiff::argmin::{Matrix, Problem, Vector, to_tensor, to_vector};
    use autodiff::{Tensor, differentiable, tensor};

    #[differentiable]
    fn rosen(p: Tensor<f64, 2>) -> f64 {
        (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2)
    }

    /// The extended Rosenbrock function of 4 variables, minimal at (1, 1, 1, 1).
    #[differentiable]
    fn rosen4(p: Tensor<f64, 4>) -> f64 {
        let mut total = 0.0;
        for i in 0..3 {
            total = total + (1.0 - p[i]).powi(2) + 100.0 * (p[i + 1] - p[i] * p[i]).powi(2);
        }
        total
    }

    #[differentiable(wrt(c))]
    fn circle_loss(c: Tensor<f64, 3>, points: &[Tensor<f64, 2>]) -> f64 {
        let mut total = 0.0;
        for q in points.iter() {
            let dx = q[0] - c[0];
            let dy = q[1] - c[1];
            let e = (dx * dx + dy * dy).sqrt() - c[2];
            total = total + e * e;
        }
        total
    }

    /// Points exactly on the circle of centre (-0.5, 1.5) and radius 2, on half of it.
    fn arc() -> Vec<Tensor<f64, 2>> {
        (0..25)
            .map(|k| {
                let angle = 0.3 + std::f64::consts::PI * k as f64 / 24.0;
                tensor![-0.5 + 2.0 * angle.cos(), 1.5 + 2.0 * angle.sin()]
            })
            .collect()
    }

    fn lbfgs<const N: usize>()
    -> LBFGS<MoreThuenteLineSearch<Vector<N>, Vector<N>, f64>, Vector<N>, Vector<N>, f64> {
        let linesearch = MoreThuenteLineSearch::new()
            .with_c(1e-4, 0.9)
            .expect("valid constants");
        LBFGS::new(linesearch, 7)
    }

    #[test]
    fn lbfgs_finds_the_rosenbrock_minimum() -> Result<(), Error> {
        let result = Executor::new(Problem::new(rosen, rosen_grad), lbfgs())
            .configure(|state| state.param(to_vector(tensor![-1.2, 1.0])).max_iters(100))
            .run()?;
        let best = to_tensor(result.state().get_best_param().expect("a best iterate"));
        let error = (best - tensor![1.0, 1.0]).norm();
        assert!(
            error < 1e-8,
            "L-BFGS stopped at {best}, {error:.3e} from (1, 1)"
        );
        assert!(
            result.state().get_iter() < 100,
            "L-BFGS ran out of iterations"
        );
        Ok(())
    }

    #[test]
    fn lbfgs_finds_the_extended_rosenbrock_minimum() -> Result<(), Error> {
        let start = tensor![-1.2, 1.0, -1.2, 1.0];
        let result = Executor::new(Problem::new(rosen4, rosen4_grad), lbfgs())
            .configure(|state| state.param(to_vector(start)).max_iters(200))
            .run()?;
        let best = to_tensor(result.state().get_best_param().expect("a best iterate"));
        let error = (best - Tensor::from_element(1.0)).norm();
        assert!(
            error < 1e-7,
            "L-BFGS stopped at {best}, {error:.3e} from the minimum"
        );
        Ok(())
    }

    #[test]
    fn newton_recovers_the_circle_the_points_lie_on() -> Result<(), Error> {
        let points = arc();
        let problem = Problem::with_data(points.as_slice(), circle_loss, circle_loss_grad)
            .with_hvp(circle_loss_hvp);
        let result = Executor::new(problem, Newton::<f64>::new())
            .configure(|state| state.param(to_vector(tensor![0.0, 1.0, 1.5])).max_iters(10))
            .run()?;
        let fit = to_tensor(result.state().get_param().expect("an iterate"));
        let error = (fit - tensor![-0.5, 1.5, 2.0]).norm();
        assert!(
            error < 1e-10,
            "Newton stopped at {fit}, {error:.3e} from the circle"
        );
        Ok(())
    }

    #[test]
    fn a_trust_region_method_on_the_generated_hessian_finds_the_rosenbrock_minimum()
    -> Result<(), Error> {
        let problem = Problem::new(rosen, rosen_grad).with_hvp(rosen_hvp);
        let solver = TrustRegion::new(Steihaug::new().with_max_iters(2));
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(to_vector(tensor![-1.2, 1.0])).max_iters(60))
            .run()?;
        let best = to_tensor(result.state().get_best_param().expect("a best iterate"));
        let error = (best - tensor![1.0, 1.0]).norm();
        assert!(
            error < 1e-8,
            "the trust region stopped at {best}, {error:.3e} from (1, 1)"
        );
        Ok(())
    }

    /// Central differences of `f` at `x` along each coordinate, step `h`.
    fn central<const N: usize, const M: usize>(
        f: impl Fn(&Vector<N>) -> [f64; M],
        x: &Vector<N>,
        h: f64,
    ) -> [[f64; M]; N] {
        core::array::from_fn(|j| {
            let mut plus = *x;
            let mut minus = *x;
            plus[j] += h;
            minus[j] -= h;
            let (fp, fm) = (f(&plus), f(&minus));
            core::array::from_fn(|i| (fp[i] - fm[i]) / (2.0 * h))
        })
    }

    fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * (1.0 + want.abs()),
            "{what}: {got} against central differences {want}"
        );
    }

    /// The problem's gradient against central differences of its cost, and its Hessian
    /// against central differences of its gradient; the Hessian is symmetric.
    fn check_derivatives<const N: usize, P>(problem: &P, x: Vector<N>)
    where
        P: CostFunction<Param = Vector<N>, Output = f64>
            + Gradient<Param = Vector<N>, Gradient = Vector<N>>
            + Hessian<Param = Vector<N>, Hessian = Matrix<N>>,
    {
        let grad = problem.gradient(&x).expect("gradient");
        let fd = central(|p| [problem.cost(p).expect("cost")], &x, 1e-6);
        for j in 0..N {
            assert_close(&format!("gradient[{j}]"), grad[j], fd[j][0], 1e-7);
        }
        let hessian = problem.hessian(&x).expect("hessian");
        let fd = central(
            |p| {
                let g = problem.gradient(p).expect("gradient");
                core::array::from_fn::<f64, N, _>(|i| g[i])
            },
            &x,
            1e-6,
        );
        for j in 0..N {
            for i in 0..N {
                assert_close(
                    &format!("hessian[({i}, {j})]"),
                    hessian[(i, j)],
                    fd[j][i],
                    1e-6,
                );
                assert_eq!(hessian[(i, j)], hessian[(j, i)], "the Hessian is symmetric");
            }
        }
    }

    #[test]
    fn gradients_and_hessians_match_central_differences() {
        let rosen = Problem::new(rosen, rosen_grad).with_hvp(rosen_hvp);
        check_derivatives(&rosen, to_vector(tensor![-1.2, 1.0]));
        check_derivatives(&rosen, to_vector(tensor![0.3, -0.7]));

        let rosen4 = Problem::new(rosen4, rosen4_grad).with_hvp(rosen4_hvp);
        check_derivatives(&rosen4, to_vector(tensor![0.5, -0.25, 1.5, 0.75]));

        let points = arc();
        let circle = Problem::with_data(points.as_slice(), circle_loss, circle_loss_grad)
            .with_hvp(circle_loss_hvp);
        check_derivatives(&circle, to_vector(tensor![0.2, 0.8, 1.1]));
        check_derivatives(&circle, to_vector(tensor![-0.4, 1.7, 2.5]));
    }

    #[test]
    fn the_problem_returns_what_the_generated_functions_return() -> Result<(), Error> {
        let points = arc();
        let c = tensor![0.1, 0.9, 1.7];
        let problem = Problem::with_data(points.as_slice(), circle_loss, circle_loss_grad)
            .with_hvp(circle_loss_hvp);
        let x = to_vector(c);
        assert_eq!(problem.cost(&x)?, circle_loss(c, &points));
        assert_eq!(
            to_tensor(&problem.gradient(&x)?),
            circle_loss_grad(c, &points).1
        );
        let h = autodiff::hessian(|c, v| circle_loss_hvp(c, &points, v), c);
        let sym = problem.hessian(&x)?;
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(sym[(i, j)], 0.5 * (h[(i, j)] + h[(j, i)]));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "rayon")]
mod parallel {
    use autodiff::{Differentiable, Tensor, differentiable, par, tensor};

    /// Logistic regression with a label `y` in {-1, 1}.
    #[derive(Clone, Debug, PartialEq, Differentiable)]
    struct Logistic {
        w: Tensor<f64, 4>,
        b: f64,
        #[no_grad]
        name: String,
    }

    #[differentiable(wrt(m))]
    fn log_loss(m: &Logistic, example: &(Tensor<f64, 4>, f64)) -> f64 {
        let z = m.w.dot(example.0) + m.b;
        (-example.1 * z).exp().ln_1p()
    }

    /// The same loss summed over a slice.
    #[differentiable(wrt(m))]
    fn total_log_loss(m: &Logistic, examples: &[(Tensor<f64, 4>, f64)]) -> f64 {
        let mut total = 0.0;
        for example in examples.iter() {
            let z = m.w.dot(example.0) + m.b;
            total = total + (-example.1 * z).exp().ln_1p();
        }
        total
    }

    fn data(n: usize) -> Vec<(Tensor<f64, 4>, f64)> {
        (0..n)
            .map(|i| {
                let t = i as f64;
                let x = tensor![
                    (0.37 * t).sin(),
                    (0.11 * t).cos(),
                    (0.05 * t).sin() * 2.0,
                    1.0
                ];
                let y = if (x[0] - 0.5 * x[1] + 0.2 * x[2]).sin() > -0.1 {
                    1.0
                } else {
                    -1.0
                };
                (x, y)
            })
            .collect()
    }

    fn model() -> Logistic {
        Logistic {
            w: tensor![0.3, -0.8, 0.5, 0.1],
            b: -0.2,
            name: "logistic".into(),
        }
    }

    /// The plain loop, in example order.
    fn sequential(m: &Logistic, data: &[(Tensor<f64, 4>, f64)]) -> (f64, Logistic) {
        let mut total = 0.0;
        let mut grad = m.zero_like();
        for example in data {
            let (value, g) = log_loss_grad(m, example);
            total += value;
            grad.accumulate(&g);
        }
        (total, grad)
    }

    fn assert_relatively_close(what: &str, got: &Logistic, want: &Logistic, tol: f64) {
        let (got, want) = (got.to_coords(), want.to_coords());
        let norm = want.iter().map(|x| x * x).sum::<f64>().sqrt();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= tol * norm,
                "{what}: coordinate {i} is {g}, sequentially {w}"
            );
        }
    }

    /// Runs `f` on a rayon pool of `threads` threads.
    fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(f)
    }

    fn bits(value: f64, grad: &Logistic) -> Vec<u64> {
        std::iter::once(value)
            .chain(grad.to_coords())
            .map(f64::to_bits)
            .collect()
    }

    #[test]
    fn the_parallel_gradient_is_the_sequential_one_to_rounding() {
        let (m, data) = (model(), data(100_000));
        let (want_value, want) = sequential(&m, &data);
        let (value, grad) = par::sum_grad(log_loss_grad, &m, &data);
        assert!((value - want_value).abs() <= 1e-12 * want_value.abs());
        assert_relatively_close("sum_grad", &grad, &want, 1e-12);
        assert_eq!(
            grad.name, "logistic",
            "#[no_grad] fields come from the model"
        );

        let (value, grad) = par::sum_grad_by_chunks(total_log_loss_grad, &m, &data);
        assert!((value - want_value).abs() <= 1e-12 * want_value.abs());
        assert_relatively_close("sum_grad_by_chunks", &grad, &want, 1e-12);
        assert_eq!(grad.name, "logistic");
    }

    #[test]
    fn the_parallel_gradient_is_bit_identical_between_runs_and_thread_counts() {
        let (m, data) = (model(), data(100_000));
        let (value, grad) = par::sum_grad(log_loss_grad, &m, &data);
        let first = bits(value, &grad);
        let (value, grad) = par::sum_grad(log_loss_grad, &m, &data);
        assert_eq!(bits(value, &grad), first, "a second run");
        for threads in [1, 2, 3, 8] {
            let (value, grad) = on_threads(threads, || par::sum_grad(log_loss_grad, &m, &data));
            assert_eq!(bits(value, &grad), first, "on {threads} threads");
        }

        let (value, grad) = par::sum_grad_by_chunks(total_log_loss_grad, &m, &data);
        let first = bits(value, &grad);
        for threads in [1, 2, 5] {
            let (value, grad) = on_threads(threads, || {
                par::sum_grad_by_chunks(total_log_loss_grad, &m, &data)
            });
            assert_eq!(bits(value, &grad), first, "by chunks, on {threads} threads");
        }
    }

    #[test]
    fn the_chunks_sum_in_chunk_order() {
        // Summing the chunks' sequential sums in order by hand gives the same bits.
        let (m, data) = (model(), data(10_000));
        let mut want_value = 0.0;
        let mut want = m.zero_like();
        for chunk in data.chunks(par::chunk_len(data.len())) {
            let (value, grad) = sequential(&m, chunk);
            want_value += value;
            want.accumulate(&grad);
        }
        let (value, grad) = par::sum_grad(log_loss_grad, &m, &data);
        assert_eq!(bits(value, &grad), bits(want_value, &want));
    }

    #[test]
    fn short_and_empty_slices() {
        let m = model();
        let (value, grad) = par::sum_grad(log_loss_grad, &m, &[]);
        assert_eq!((value, grad), (0.0, m.zero_like()));
        let (value, grad) = par::sum_grad_by_chunks(total_log_loss_grad, &m, &[]);
        assert_eq!((value, grad), (0.0, m.zero_like()));

        let data = data(3);
        assert_eq!(
            par::sum_grad(log_loss_grad, &m, &data),
            sequential(&m, &data)
        );
    }

    /// A model that is an array, with an `f32` loss.
    #[differentiable(wrt(ws))]
    fn weighted(ws: &[Tensor<f32, 2>; 3], x: &Tensor<f32, 2>) -> f32 {
        let mut total = 0.0;
        for w in ws.iter() {
            total = total + (*w * *x).sum().tanh();
        }
        total
    }

    #[test]
    fn any_differentiable_model_and_either_precision() {
        let ws = [
            tensor![0.5_f32, -1.0],
            tensor![2.0, 0.25],
            tensor![0.0, 1.0],
        ];
        let data: Vec<Tensor<f32, 2>> = (0..5_000)
            .map(|i| tensor![(i as f32 * 0.01).sin(), (i as f32 * 0.03).cos()])
            .collect();
        let (value, grad) = par::sum_grad(weighted_grad, &ws, &data);
        let mut want_value = 0.0_f64;
        let mut want = [[0.0_f64; 2]; 3];
        for x in &data {
            let (v, g) = weighted_grad(&ws, x);
            want_value += f64::from(v);
            for (k, gk) in g.iter().enumerate() {
                want[k][0] += f64::from(gk[0]);
                want[k][1] += f64::from(gk[1]);
            }
        }
        assert_eq!(grad.len(), 3);
        assert!((f64::from(value) - want_value).abs() <= 1e-4 * want_value.abs());
        for k in 0..3 {
            for i in 0..2 {
                let (g, w) = (f64::from(grad[k][i]), want[k][i]);
                assert!(
                    (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                    "grad[{k}][{i}]: {g} vs {w}"
                );
            }
        }
    }
}
