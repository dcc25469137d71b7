//! Heap allocations of generated gradient code, counted by a global allocator.
//!
//! SPEC.md promises that generated gradient code allocates nothing for straight-line code
//! and constant-bound loops on fixed-shape tensors: the tensors live on the stack, and a
//! `for _ in 0..N` loop with a constant `N` keeps its tape in a stack array. This test
//! counts every call into the allocator made while one measured call runs and asserts the
//! count is zero for `calc_grad`, `mlp_grad` (widths 10 and 32), `spring_grad` and
//! `calc_vjp` + `backward` (plus the plain functions and the hand-written adjoints the
//! benchmark compares against). A loop whose bound is known only at run time must keep a
//! growable tape, so it does allocate; that case shows the counter can fail.
//!
//! Counting is per thread: the allocator counts only on a thread that has switched
//! counting on, so allocations of the test harness or of other test threads never leak
//! into a measurement, and the tests may run in parallel.

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use autodiff::{Tensor, differentiable, tensor};
use common::*;

/// The system allocator, counting fresh allocations and reallocations made by threads
/// that are inside [`count_allocations`].
struct CountingAllocator;

/// Fresh allocations (`alloc`, `alloc_zeroed`) on counting threads.
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// Reallocations (a growing `Vec`) on counting threads.
static REALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // `const`-initialised and without a destructor: reading it never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn record(counter: &AtomicUsize) {
    if COUNTING.with(Cell::get) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees carry over; the bookkeeping neither allocates nor touches memory.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(&ALLOCS);
        // SAFETY: forwarded from our caller, who upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(&ALLOCS);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(&REALLOCS);
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// What one measured call asked of the allocator.
#[derive(Debug, PartialEq, Eq)]
struct Allocations {
    fresh: usize,
    reallocs: usize,
}

const NONE: Allocations = Allocations {
    fresh: 0,
    reallocs: 0,
};

/// Serialises measurements: the counters are global, only their increments are per thread.
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` once with counting switched on for this thread and returns what it allocated.
/// Inputs are built and the result dropped outside the measured section; `black_box`
/// keeps the optimiser from removing the call.
fn count_allocations<R>(f: impl FnOnce() -> R) -> Allocations {
    let _guard = MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    ALLOCS.store(0, Ordering::Relaxed);
    REALLOCS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let result = black_box(f());
    COUNTING.with(|c| c.set(false));
    let counted = Allocations {
        fresh: ALLOCS.load(Ordering::Relaxed),
        reallocs: REALLOCS.load(Ordering::Relaxed),
    };
    drop(result);
    counted
}

#[test]
fn calc_grad_and_vjp_allocate_nothing() {
    let a = calc_input();
    assert_eq!(count_allocations(|| calc(black_box(a))), NONE, "calc");
    assert_eq!(
        count_allocations(|| calc_grad(black_box(a))),
        NONE,
        "calc_grad"
    );
    assert_eq!(
        count_allocations(|| {
            let (y, pullback) = calc_vjp(black_box(a));
            (y, pullback.backward(black_box(1.0)))
        }),
        NONE,
        "calc_vjp + backward"
    );
    assert_eq!(
        count_allocations(|| calc_hand_grad(black_box(a))),
        NONE,
        "calc_hand_grad"
    );
}

fn check_mlp<const H: usize>() {
    let (w1, w2, w3, x, t) = mlp_inputs::<H>();
    let args = || {
        (
            black_box(&w1),
            black_box(&w2),
            black_box(&w3),
            black_box(x),
            black_box(t),
        )
    };
    assert_eq!(
        count_allocations(|| {
            let (w1, w2, w3, x, t) = args();
            mlp(w1, w2, w3, x, t)
        }),
        NONE,
        "mlp::<{H}>"
    );
    assert_eq!(
        count_allocations(|| {
            let (w1, w2, w3, x, t) = args();
            mlp_grad(w1, w2, w3, x, t)
        }),
        NONE,
        "mlp_grad::<{H}>"
    );
    assert_eq!(
        count_allocations(|| {
            let (w1, w2, w3, x, t) = args();
            let (loss, pullback) = mlp_vjp(w1, w2, w3, x, t);
            (loss, pullback.backward(black_box(1.0)))
        }),
        NONE,
        "mlp_vjp::<{H}> + backward"
    );
    assert_eq!(
        count_allocations(|| {
            let (w1, w2, w3, x, t) = args();
            mlp_hand_grad(w1, w2, w3, x, t)
        }),
        NONE,
        "mlp_hand_grad::<{H}>"
    );
}

#[test]
fn mlp_grad_allocates_nothing_at_widths_10_and_32() {
    check_mlp::<10>();
    check_mlp::<32>();
}

#[test]
fn a_constant_bound_loop_keeps_its_tape_on_the_stack() {
    let (k, c, x0, v0, target) = spring_inputs();
    let args = || {
        (
            black_box(k),
            black_box(c),
            black_box(x0),
            black_box(v0),
            black_box(target),
        )
    };
    assert_eq!(
        count_allocations(|| {
            let (k, c, x0, v0, target) = args();
            spring(k, c, x0, v0, target)
        }),
        NONE,
        "spring"
    );
    assert_eq!(
        count_allocations(|| {
            let (k, c, x0, v0, target) = args();
            spring_grad(k, c, x0, v0, target)
        }),
        NONE,
        "spring_grad ({STEPS} steps)"
    );
    assert_eq!(
        count_allocations(|| {
            let (k, c, x0, v0, target) = args();
            spring_hand_grad(k, c, x0, v0, target)
        }),
        NONE,
        "spring_hand_grad"
    );
}

/// The spring with its step count known only at run time.
#[differentiable(wrt(k, c))]
fn spring_n(k: f64, c: f64, x0: Tensor<f64, 2>, steps: usize) -> f64 {
    let mut x = x0;
    for _ in 0..steps {
        x = x - x * k * 0.01 + x * c * 0.001;
    }
    x.norm()
}

#[test]
fn a_runtime_bound_loop_allocates_one_tape_sized_from_its_trip_count() {
    let x0 = tensor![1.0, -0.5];
    // The forward function records nothing.
    assert_eq!(
        count_allocations(|| spring_n(black_box(4.0), black_box(0.3), black_box(x0), 100)),
        NONE
    );
    let counted = count_allocations(|| {
        spring_n_grad(
            black_box(4.0),
            black_box(0.3),
            black_box(x0),
            black_box(100),
        )
    });
    println!("spring_n_grad, 100 iterations: {counted:?}");
    // One tape, reserved from `0..n` before the loop runs: no reallocation.
    assert_eq!(counted.fresh, 1, "{counted:?}");
    assert_eq!(counted.reallocs, 0, "{counted:?}");
    // No iterations: the tape never allocates.
    assert_eq!(
        count_allocations(|| spring_n_grad(black_box(4.0), black_box(0.3), black_box(x0), 0)),
        NONE
    );
}

/// The spring of SPEC's "Cost" section, integrated for `STEPS` steps of a constant bound.
macro_rules! long_spring {
    ($name:ident, $steps:expr) => {
        #[differentiable(wrt(k, c))]
        fn $name(k: f64, c: f64, x0: f64, v0: f64) -> f64 {
            let dt = 1e-6;
            let mut x = x0;
            let mut v = v0;
            for _ in 0..$steps {
                v = v + dt * (-k * x - c * v);
                x = x + dt * v;
            }
            x * x + v * v
        }
    };
}

long_spring!(spring_within_budget, 256);
long_spring!(spring_above_budget, 257);
long_spring!(spring_million, 1_000_000);

#[test]
fn a_constant_bound_loop_above_the_stack_budget_allocates_exactly_once() {
    type SpringGrad = fn(f64, f64, f64, f64) -> (f64, (f64, f64));
    let run = |f: SpringGrad| {
        count_allocations(|| {
            f(
                black_box(4.0),
                black_box(0.3),
                black_box(1.0),
                black_box(0.5),
            )
        })
    };
    assert_eq!(run(spring_within_budget_grad), NONE, "256 steps");
    let above = run(spring_above_budget_grad);
    assert_eq!(
        (above.fresh, above.reallocs),
        (1, 0),
        "257 steps: {above:?}"
    );
}

#[test]
fn a_million_step_loop_neither_overflows_the_stack_nor_loses_accuracy() {
    let (k, c) = (4.0, 0.3);
    let counted = count_allocations(|| spring_million_grad(black_box(k), black_box(c), 1.0, 0.5));
    assert_eq!((counted.fresh, counted.reallocs), (1, 0), "{counted:?}");
    let (_, (gk, gc)) = spring_million_grad(k, c, 1.0, 0.5);
    let h = 1e-5;
    let fd = |f: &dyn Fn(f64) -> f64| (f(h) - f(-h)) / (2.0 * h);
    let fd_k = fd(&|d| spring_million(k + d, c, 1.0, 0.5));
    let fd_c = fd(&|d| spring_million(k, c + d, 1.0, 0.5));
    assert!(
        (gk - fd_k).abs() <= 1e-6 * fd_k.abs().max(1e-3),
        "{gk} vs {fd_k}"
    );
    assert!(
        (gc - fd_c).abs() <= 1e-6 * fd_c.abs().max(1e-3),
        "{gc} vs {fd_c}"
    );
}

#[test]
fn forward_mode_and_hvps_allocate_nothing_on_straight_line_code_and_constant_bound_loops() {
    let a = calc_input();
    let v = tensor![0.3, -1.0, 0.5];
    assert_eq!(
        count_allocations(|| calc_jvp(black_box(a), black_box(v))),
        NONE,
        "calc_jvp"
    );
    assert_eq!(
        count_allocations(|| calc_hvp(black_box(a), black_box(v))),
        NONE,
        "calc_hvp"
    );
    let (w1, w2, w3, x, t) = mlp_inputs::<10>();
    let (d1, d2, d3) = (w1 * 0.5, w2 * -0.25, w3 * 2.0);
    assert_eq!(
        count_allocations(|| mlp_jvp(&w1, &w2, &w3, black_box(x), t, d1, d2, d3)),
        NONE,
        "mlp_jvp"
    );
    assert_eq!(
        count_allocations(|| mlp_hvp(&w1, &w2, &w3, black_box(x), t, d1, d2, d3)),
        NONE,
        "mlp_hvp"
    );
    let (k, c, x0, v0, target) = spring_inputs();
    assert_eq!(
        count_allocations(|| spring_jvp(black_box(k), c, x0, v0, target, 1.0, -0.5)),
        NONE,
        "spring_jvp"
    );
    // The 100 steps' tape, tangents included, stays within the stack budget.
    assert_eq!(
        count_allocations(|| spring_hvp(black_box(k), c, x0, v0, target, 1.0, -0.5)),
        NONE,
        "spring_hvp"
    );
}

#[derive(Clone, autodiff::Differentiable)]
struct Affine {
    w: Tensor<f64, 2, 2>,
    b: Tensor<f64, 2>,
}

#[differentiable]
fn fixed_size_values(m: &Affine, pair: (Tensor<f64, 2>, f64), xs: [Tensor<f64, 2>; 3]) -> f64 {
    let (x, s) = pair;
    let mut total = (m.w.matmul(x) + m.b).sum() * s;
    for i in 0..3 {
        total = total + xs[i].dot(m.b);
    }
    total
}

#[test]
fn structs_tuples_and_arrays_of_tensors_allocate_nothing() {
    let m = Affine {
        w: tensor![[1.0, 0.5], [-0.5, 2.0]],
        b: tensor![0.1, 0.2],
    };
    let pair = (tensor![0.3, -0.7], 1.5);
    let xs = [tensor![1.0, 2.0], tensor![3.0, 4.0], tensor![5.0, 6.0]];
    let counted =
        count_allocations(|| fixed_size_values_grad(black_box(&m), black_box(pair), black_box(xs)));
    assert_eq!(counted, NONE);
}
