//! Heap allocations of the loop tapes, counted by a global allocator.
//!
//! Its own test binary so that the counting allocator is global only here. Counting is per
//! thread: only a thread inside `count_allocations` counts, so the harness and other test
//! threads never leak into a measurement, and the tests may run in parallel.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use autodiff_core::__private::{INLINE_ENTRIES, StackTape, Tape, inline_entries};

/// The system allocator, counting fresh allocations and reallocations made by threads
/// inside [`count_allocations`].
struct CountingAllocator;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
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

/// Serialises measurements: the counters are global, only their increments are per thread.
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` with counting switched on for this thread and returns what it allocated; the
/// result is dropped outside the measured section.
fn count_allocations<R>(f: impl FnOnce() -> R) -> Allocations {
    let _guard = MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    ALLOCS.store(0, Ordering::Relaxed);
    REALLOCS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let result = black_box(f());
    COUNTING.with(|c| c.set(false));
    drop(result);
    Allocations {
        fresh: ALLOCS.load(Ordering::Relaxed),
        reallocs: REALLOCS.load(Ordering::Relaxed),
    }
}

/// The forward pass and reverse sweep of `for _ in 0..N` with a `(x, v)` state, as
/// generated code runs them, on the tape generated code builds for a constant `N`.
fn taped_loop<const N: usize, const K: usize>() -> f64 {
    let mut tape = StackTape::<(f64, f64), K>::with_capacity(N);
    let (mut x, mut v) = (black_box(1.0_f64), black_box(0.0_f64));
    for _ in 0..N {
        tape.push((x, v));
        v -= 0.01 * x;
        x += 0.01 * v;
    }
    let mut sum = 0.0;
    while let Some((x, v)) = tape.pop() {
        sum += x * v;
    }
    sum
}

const NO_ALLOCATIONS: Allocations = Allocations {
    fresh: 0,
    reallocs: 0,
};

const ONE_ALLOCATION: Allocations = Allocations {
    fresh: 1,
    reallocs: 0,
};

#[test]
fn a_constant_bound_loop_within_the_budget_allocates_nothing() {
    // The 100-step spring of the benchmarks, and a loop that fills the budget exactly.
    assert_eq!(
        count_allocations(taped_loop::<100, { inline_entries(100) }>),
        NO_ALLOCATIONS
    );
    assert_eq!(
        count_allocations(taped_loop::<INLINE_ENTRIES, { inline_entries(INLINE_ENTRIES) }>),
        NO_ALLOCATIONS
    );
    assert_eq!(
        count_allocations(taped_loop::<0, { inline_entries(0) }>),
        NO_ALLOCATIONS
    );
}

#[test]
fn a_constant_bound_loop_above_the_budget_allocates_once() {
    assert_eq!(
        count_allocations(
            taped_loop::<{ INLINE_ENTRIES + 1 }, { inline_entries(INLINE_ENTRIES + 1) }>
        ),
        ONE_ALLOCATION
    );
    assert_eq!(
        count_allocations(taped_loop::<1_000_000, { inline_entries(1_000_000) }>),
        ONE_ALLOCATION
    );
}

#[test]
fn a_run_time_bound_loop_allocates_once_when_its_length_is_known() {
    let n = black_box(10_000);
    let counted = count_allocations(|| {
        let mut tape = Tape::with_capacity(n);
        for i in 0..n {
            tape.push((i as f64, i));
        }
        let mut last = 0;
        while let Some((_, i)) = tape.pop() {
            last = i;
        }
        last
    });
    assert_eq!(counted, ONE_ALLOCATION);
    let xs = black_box(vec![1.0_f64; 1000]);
    let from_iter = count_allocations(|| {
        let iter = xs.iter().zip(&xs).enumerate();
        let mut tape = Tape::for_iter(&iter);
        for (i, (a, b)) in iter {
            tape.push((a * b, i));
        }
        tape.len()
    });
    assert_eq!(from_iter, ONE_ALLOCATION);
    let empty = count_allocations(|| Tape::<f64>::with_capacity(black_box(0)).len());
    assert_eq!(empty, NO_ALLOCATIONS);
}

/// A `while` loop's tape grows geometrically: a logarithmic number of reallocations,
/// which also shows the counter sees what it should.
#[test]
fn a_while_loops_tape_grows_geometrically() {
    let n = black_box(10_000);
    let counted = count_allocations(|| {
        let mut tape = Tape::new();
        let mut i = 0;
        while i < n {
            tape.push(i);
            i += 1;
        }
        tape.len()
    });
    assert_eq!(counted.fresh, 1);
    assert!(
        (1..=20).contains(&counted.reallocs),
        "10^4 pushes took {} reallocations",
        counted.reallocs
    );
}
