//! The tapes on which a loop's forward pass leaves what its reverse sweep needs: the
//! values each iteration started with (and its loop counter), pushed in order and popped
//! in reverse. Only generated code uses them.
//!
//! # Which tape a loop gets
//!
//! * A `for` loop over `0..N` with a constant `N` gets a [`StackTape`] whose inline part
//!   holds [`inline_entries(N)`](inline_entries) entries, reserved up front for its `N`
//!   pushes: `StackTape::<_, { inline_entries(N) }>::with_capacity(N)`. Up to
//!   [`INLINE_ENTRIES`] iterations it lives on the stack and allocates nothing; beyond
//!   that the first [`INLINE_ENTRIES`] entries stay on the stack and the rest go to one heap
//!   buffer, allocated once, so no trip count can overflow the stack.
//! * A loop whose trip count is known only when it starts (`0..n`, `xs.iter()`) gets
//!   [`Tape::with_capacity`] or [`Tape::for_iter`]: one allocation of exactly the right
//!   size.
//! * A `while` loop gets [`Tape::new`], which grows geometrically (amortised O(1) per push,
//!   O(log n) allocations).
//!
//! # Why the stack budget counts entries, not bytes
//!
//! The budget we want is in bytes: "a few KiB of stack". But the inline part must be a
//! plain array `[S; K]` (the crate forbids `unsafe`, so no `MaybeUninit` byte buffer), and
//! on stable Rust an array length cannot be computed from `size_of::<S>()` for a generic
//! `S` (that needs `generic_const_exprs`); nor does the macro, which sees tokens, know the
//! entry type to do the sum itself. So the only thing that can size the inline part is a
//! number of entries the macro computes from the trip count alone, and the stack footprint
//! of one tape is `min(N, INLINE_ENTRIES) × size_of::<S>()` bytes: 4 KiB for the common
//! entry of two `f64`s (the 100-step spring takes 1.6 KiB), 34 KiB for a 16-element
//! `f64` state and its counter. That is bounded whatever the trip count, which is what
//! keeps the stack from overflowing; the carried state itself already lives on the stack
//! a few times over in the generated code.

/// The most entries a [`StackTape`] built by generated code keeps on the stack: 256,
/// which is 4 KiB for an entry of two `f64`s. A loop with more iterations keeps this many
/// on the stack and the rest in one heap buffer.
///
/// ```
/// use autodiff_core::__private::INLINE_ENTRIES;
///
/// assert_eq!(INLINE_ENTRIES * std::mem::size_of::<(f64, f64)>(), 4096);
/// ```
pub const INLINE_ENTRIES: usize = 256;

/// The inline capacity generated code gives the tape of a loop with constant trip count
/// `n`: `n` itself up to [`INLINE_ENTRIES`], so a short loop reserves no more stack than it
/// uses, and [`INLINE_ENTRIES`] beyond.
///
/// A `const fn`, so it can size an array: `StackTape::<_, { inline_entries(N) }>`. (For
/// a `const` generic parameter `N` of the user's function that expression is not allowed
/// on stable Rust; such a loop takes [`Tape::with_capacity`] instead.)
///
/// ```
/// use autodiff_core::__private::{INLINE_ENTRIES, inline_entries};
///
/// assert_eq!(inline_entries(3), 3);
/// assert_eq!(inline_entries(1_000_000), INLINE_ENTRIES);
/// ```
pub const fn inline_entries(n: usize) -> usize {
    if n < INLINE_ENTRIES {
        n
    } else {
        INLINE_ENTRIES
    }
}

/// A growable tape on the heap, for loops whose trip count is known only at run time.
///
/// ```
/// use autodiff_core::__private::Tape;
///
/// let mut tape = Tape::with_capacity(2);
/// tape.push((1.0, 0));
/// tape.push((2.0, 1));
/// assert_eq!(tape.pop(), Some((2.0, 1)));
/// assert_eq!(tape.pop(), Some((1.0, 0)));
/// assert_eq!(tape.pop(), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Tape<S> {
    entries: Vec<S>,
}

impl<S> Tape<S> {
    /// An empty tape for a loop of unknown length (`while`); allocates on the first push
    /// and grows geometrically.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let mut tape = Tape::new();
    /// tape.push(1.0_f64);
    /// assert_eq!(tape.len(), 1);
    /// ```
    #[inline]
    pub fn new() -> Self {
        Tape {
            entries: Vec::new(),
        }
    }

    /// An empty tape with room for `n` pushes, reserved in one allocation (none if `n` is
    /// 0): for loops whose trip count is known when they start (`0..n`, `xs.iter()`).
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let xs = [1.0, 2.0, 3.0];
    /// let mut tape = Tape::with_capacity(xs.len());
    /// for (i, x) in xs.iter().enumerate() {
    ///     tape.push((*x, i));
    /// }
    /// assert_eq!(tape.len(), 3);
    /// ```
    #[inline]
    pub fn with_capacity(n: usize) -> Self {
        Tape {
            entries: Vec::with_capacity(n),
        }
    }

    /// An empty tape with room for as many pushes as `iter` is sure to yield (the lower
    /// bound of its size hint): one allocation for any iterator that knows its length
    /// (`0..n`, `xs.iter()`, `zip`, `enumerate`), and geometric growth past the bound for
    /// one that does not (`filter`). Generated code binds the loop's iterator, calls this,
    /// then loops over it, so it need not know which kind it has.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let xs = vec![1.0, 2.0, 3.0];
    /// let iter = xs.iter().enumerate();
    /// let mut tape = Tape::for_iter(&iter);
    /// for (i, x) in iter {
    ///     tape.push((*x, i));
    /// }
    /// assert_eq!(tape.len(), 3);
    /// ```
    #[inline]
    pub fn for_iter(iter: &impl Iterator) -> Self {
        Self::with_capacity(iter.size_hint().0)
    }

    /// Records one iteration.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let mut tape = Tape::new();
    /// tape.push("first");
    /// assert_eq!(tape.pop(), Some("first"));
    /// ```
    #[inline]
    pub fn push(&mut self, entry: S) {
        self.entries.push(entry);
    }

    /// The most recent iteration not yet reversed.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let mut tape = Tape::<u8>::new();
    /// assert_eq!(tape.pop(), None);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<S> {
        self.entries.pop()
    }

    /// How many iterations are recorded and not yet popped.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// let mut tape = Tape::new();
    /// tape.push(0_u8);
    /// assert_eq!(tape.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether every recorded iteration has been popped.
    ///
    /// ```
    /// use autodiff_core::__private::Tape;
    ///
    /// assert!(Tape::<u8>::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A tape that keeps its first `K` entries in an array on the stack and the rest in a
/// heap buffer: for `for` loops with a constant trip count `N`, with
/// `K = inline_entries(N)` (see the module docs for why `K` counts entries).
///
/// Entries are plain values (the carried state is `Copy` and has a `Default`, which fills
/// the array before anything is pushed), so pushing and popping inline is a compare, a
/// store or a load, and a length update: no `Option` per entry.
///
/// ```
/// use autodiff_core::__private::{StackTape, inline_entries};
///
/// const N: usize = 1_000;
/// let mut tape = StackTape::<_, { inline_entries(N) }>::with_capacity(N);
/// let mut x = 1.0_f64;
/// for i in 0..N {
///     tape.push((x, i));
///     x = x * 0.5 + 1.0;
/// }
/// // The first 256 entries are on the stack, the other 744 in one heap buffer.
/// assert_eq!(tape.spilled(), N - 256);
/// for i in (0..N).rev() {
///     let (_x, counter) = tape.pop().unwrap();
///     assert_eq!(counter, i);
/// }
/// assert_eq!(tape.pop(), None);
/// ```
#[derive(Clone, Debug)]
pub struct StackTape<S, const K: usize, const SPILLS: bool = true> {
    /// Entries `0..min(len, K)`.
    inline: [S; K],
    /// Entries `K..len`, in order.
    spill: Vec<S>,
    /// How many entries are recorded and not yet popped.
    len: usize,
}

// `SPILLS = false` (a trip count within the inline part, known at compile time) makes the
// spill branch a constant, so a push or pop is exactly a store or a load.
impl<S: Copy + Default, const K: usize, const SPILLS: bool> StackTape<S, K, SPILLS> {
    /// An empty tape that spills, if it must, into a heap buffer grown geometrically.
    /// Generated code calls [`with_capacity`](Self::with_capacity) instead, which knows
    /// the number of pushes.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<f64, 2>::new();
    /// for i in 0..3 {
    ///     tape.push(i as f64);
    /// }
    /// assert_eq!(tape.spilled(), 1);
    /// ```
    #[inline]
    pub fn new() -> Self {
        StackTape {
            inline: [S::default(); K],
            spill: Vec::new(),
            len: 0,
        }
    }

    /// An empty tape for exactly `n` pushes: the heap part is reserved now, so a loop of
    /// `n <= K` iterations allocates nothing and a longer one allocates once, for its last
    /// `n - K` entries.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<(f64, f64), 4>::with_capacity(10);
    /// for i in 0..10 {
    ///     tape.push((i as f64, -(i as f64)));
    /// }
    /// assert_eq!((tape.len(), tape.spilled()), (10, 6));
    /// ```
    #[inline]
    pub fn with_capacity(n: usize) -> Self {
        StackTape {
            inline: [S::default(); K],
            // `Vec::with_capacity(0)` does not allocate.
            spill: Vec::with_capacity(n.saturating_sub(K)),
            len: 0,
        }
    }

    /// Records one iteration.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<u8, 1>::new();
    /// tape.push(7);
    /// assert_eq!(tape.pop(), Some(7));
    /// ```
    #[inline]
    pub fn push(&mut self, entry: S) {
        if !SPILLS || self.len < K {
            self.inline[self.len] = entry;
        } else {
            self.spill.push(entry);
        }
        self.len += 1;
    }

    /// The most recent iteration not yet reversed; `None` once all are popped.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<u8, 1>::new();
    /// tape.push(1);
    /// tape.push(2); // on the heap
    /// assert_eq!(tape.pop(), Some(2));
    /// assert_eq!(tape.pop(), Some(1));
    /// assert_eq!(tape.pop(), None);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<S> {
        self.len = self.len.checked_sub(1)?;
        if !SPILLS || self.len < K {
            Some(self.inline[self.len])
        } else {
            self.spill.pop()
        }
    }

    /// How many iterations are recorded and not yet popped.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<u8, 4>::new();
    /// tape.push(0);
    /// assert_eq!(tape.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether every recorded iteration has been popped.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// assert!(StackTape::<u8, 4>::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many of the recorded entries are on the heap: those past the first `K`.
    ///
    /// ```
    /// use autodiff_core::__private::StackTape;
    ///
    /// let mut tape = StackTape::<u8, 2>::with_capacity(2);
    /// tape.push(0);
    /// tape.push(1);
    /// assert_eq!(tape.spilled(), 0);
    /// ```
    #[inline]
    pub fn spilled(&self) -> usize {
        self.len.saturating_sub(K)
    }
}

impl<S: Copy + Default, const K: usize> Default for StackTape<S, K> {
    /// [`StackTape::new`].
    fn default() -> Self {
        Self::new()
    }
}

/// What a tape keeps of a value that the reverse sweep reads only for its type: nothing.
/// A VJP takes all of its op's operands, but the contributions a loop's reverse sweep
/// wants may not read them all (`ct_b = ct * a` for `a * b` reads `a`, not `b`); the
/// forward pass pushes a `Witness` of the others, which takes no room, and the reverse
/// sweep passes a [`StandIn`] of that type in their place.
///
/// ```
/// use autodiff_core::__private::Witness;
/// use autodiff_core::Tensor;
///
/// let w = Witness::of(&Tensor::<f64, 3>::ones());
/// assert_eq!(std::mem::size_of_val(&w), 0);
/// assert_eq!(w.stand_in(), Tensor::<f64, 3>::zeros());
/// ```
pub struct Witness<T>(core::marker::PhantomData<fn() -> T>);

impl<T> Witness<T> {
    /// A witness of a type inferred from its use: generated code declares a slot with
    /// `new` before a loop and stores [`Witness::of`] a value in it each iteration.
    ///
    /// ```
    /// use autodiff_core::__private::Witness;
    ///
    /// let mut slot = Witness::new();
    /// for x in [1.0_f64, 2.0] {
    ///     slot = Witness::of(&x);
    /// }
    /// assert_eq!(slot.stand_in(), 0.0);
    /// ```
    #[inline(always)]
    pub const fn new() -> Self {
        Witness(core::marker::PhantomData)
    }

    /// The witness of `value`'s type.
    ///
    /// ```
    /// use autodiff_core::__private::Witness;
    ///
    /// assert_eq!(Witness::of(&2.5_f64).stand_in(), 0.0);
    /// ```
    #[inline(always)]
    pub fn of(_value: &T) -> Self {
        Witness(core::marker::PhantomData)
    }

    /// A value of the witnessed type: zero.
    ///
    /// ```
    /// use autodiff_core::__private::Witness;
    ///
    /// assert_eq!(Witness::of(&1.0_f32).stand_in(), 0.0);
    /// ```
    #[inline(always)]
    pub fn stand_in(self) -> T
    where
        T: StandIn,
    {
        T::stand_in()
    }
}

impl<T> Clone for Witness<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Witness<T> {}

impl<T> Default for Witness<T> {
    #[inline(always)]
    fn default() -> Self {
        Witness(core::marker::PhantomData)
    }
}

impl<T> core::fmt::Debug for Witness<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Witness")
    }
}

/// Whether a caller differentiates one argument of a call, `1` or `0`: what generated
/// code passes a callee's `full_vjp_for`, one flag per parameter. A value a callee's loop
/// would tape only for the gradient of an argument its caller does not differentiate (a
/// physical constant passed as data, say) is then a [`Kept`] of length 0, which takes no
/// room, so a call in a loop costs what the same code written inline costs. (A `usize`
/// rather than a `bool`: an array's length can be a const parameter, a type chosen by a
/// `bool` would need a trait bound, which would steer the inference of callees' flags.)
///
/// ```
/// use autodiff_core::__private::Flag;
///
/// fn differentiated<const D: usize>(_: Flag<D>) -> bool {
///     D != 0
/// }
/// assert!(differentiated(Flag::<1>));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Flag<const DIFFERENTIATED: usize>;

/// A value on a tape entry that only one argument's gradient reads: the value itself
/// (`N = 1`) if the caller differentiates that argument, else nothing (`N = 0`).
///
/// ```
/// use autodiff_core::__private::Kept;
///
/// let kept = Kept::<f64, 1>::keep(2.5);
/// let dropped = Kept::<f64, 0>::keep(2.5);
/// assert_eq!(kept.take(), 2.5);
/// assert_eq!(std::mem::size_of_val(&dropped), 0);
/// assert_eq!(dropped.take(), 0.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Kept<T, const N: usize>([T; N]);

impl<T: Copy + Default, const N: usize> Kept<T, N> {
    /// `value`, kept if `N` is 1.
    #[inline(always)]
    pub fn keep(value: T) -> Self {
        Kept([value; N])
    }

    /// The value kept, or zero in its place where nothing reads it.
    #[inline(always)]
    pub fn take(self) -> T {
        self.0.first().copied().unwrap_or_default()
    }
}

impl<T: Copy + Default, const N: usize> Default for Kept<T, N> {
    #[inline(always)]
    fn default() -> Self {
        Kept([T::default(); N])
    }
}

/// A value of a type known only from a [`Witness`]: what a VJP receives for an operand
/// whose value the wanted contributions do not read. Floats and tensors, the operands of
/// every primitive.
///
/// ```
/// use autodiff_core::__private::StandIn;
///
/// assert_eq!(<f64 as StandIn>::stand_in(), 0.0);
/// ```
pub trait StandIn {
    /// Zero.
    fn stand_in() -> Self;
}

/// Every float, generic ones (`T: Real`) included.
impl<T: crate::real::Real> StandIn for T {
    #[inline(always)]
    fn stand_in() -> Self {
        T::zero()
    }
}

impl<T: crate::real::Real, const R: usize, const C: usize> StandIn
    for crate::tensor::Tensor<T, R, C>
{
    #[inline(always)]
    fn stand_in() -> Self {
        crate::tensor::Tensor::zeros()
    }
}

/// The tape generated code used for constant-bound loops before [`StackTape`]: `N`
/// entries inline, which for a large `N` does not fit on the stack. Kept so that
/// `FixedTape::<_, { N }>::new()` still compiles; it is now a [`StackTape`] with `N` inline
/// entries, which spills to the heap instead of panicking if pushed more than `N` times.
/// New code writes `StackTape::<_, { inline_entries(N) }>::with_capacity(N)`.
///
/// ```
/// use autodiff_core::__private::FixedTape;
///
/// let mut tape = FixedTape::<_, 3>::new();
/// tape.push(1.0_f64);
/// assert_eq!(tape.pop(), Some(1.0));
/// ```
pub type FixedTape<S, const N: usize> = StackTape<S, N, false>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tapes_pop_in_reverse_order_then_run_dry() {
        let mut growable = Tape::new();
        let mut fixed = FixedTape::<(f64, usize), 3>::new();
        let mut stack = StackTape::<(f64, usize), 2>::with_capacity(3);
        for i in 0..3 {
            growable.push((i as f64, i));
            fixed.push((i as f64, i));
            stack.push((i as f64, i));
        }
        for i in (0..3).rev() {
            assert_eq!(growable.pop(), Some((i as f64, i)));
            assert_eq!(fixed.pop(), Some((i as f64, i)));
            assert_eq!(stack.pop(), Some((i as f64, i)));
        }
        assert_eq!(growable.pop(), None);
        assert_eq!(fixed.pop(), None);
        assert_eq!(stack.pop(), None);
        assert_eq!(fixed.pop(), None, "popping an empty tape stays empty");
        assert_eq!(stack.pop(), None, "popping an empty tape stays empty");
        assert!(stack.is_empty() && growable.is_empty());
    }

    /// Counts every push and pop, in the order the reverse sweep sees them, across the
    /// spill point and with pushes and pops interleaved (as nested loops do).
    #[test]
    fn a_stack_tape_spills_after_its_inline_entries_and_keeps_order() {
        let mut tape = StackTape::<u32, 4>::with_capacity(6);
        let mut expected = Vec::new();
        for i in 0..6 {
            tape.push(i);
            expected.push(i);
            assert_eq!(tape.len(), expected.len());
            assert_eq!(tape.spilled(), expected.len().saturating_sub(4));
        }
        assert_eq!(tape.spilled(), 2);
        // Pop back across the spill point, push again, and pop everything.
        assert_eq!(tape.pop(), expected.pop());
        assert_eq!(tape.pop(), expected.pop());
        assert_eq!(tape.pop(), expected.pop());
        assert_eq!(tape.spilled(), 0);
        for i in 10..13 {
            tape.push(i);
            expected.push(i);
        }
        assert_eq!(tape.spilled(), 2);
        let mut popped = 0;
        while let Some(entry) = tape.pop() {
            assert_eq!(Some(entry), expected.pop());
            popped += 1;
        }
        assert_eq!(popped, 6);
        assert!(expected.is_empty());
    }

    #[test]
    fn a_zero_inline_tape_keeps_everything_on_the_heap() {
        let mut tape = StackTape::<u8, 0>::with_capacity(3);
        for i in 0..3 {
            tape.push(i);
        }
        assert_eq!(tape.spilled(), 3);
        assert_eq!(
            [tape.pop(), tape.pop(), tape.pop()],
            [Some(2), Some(1), Some(0)]
        );
        assert_eq!(tape.pop(), None);
    }

    #[test]
    fn the_inline_part_is_as_long_as_the_trip_count_up_to_the_budget() {
        assert_eq!(inline_entries(0), 0);
        assert_eq!(inline_entries(100), 100);
        assert_eq!(inline_entries(INLINE_ENTRIES), INLINE_ENTRIES);
        assert_eq!(inline_entries(INLINE_ENTRIES + 1), INLINE_ENTRIES);
        // What the stack holds is bounded, whatever the trip count.
        assert!(
            std::mem::size_of::<StackTape<(f64, f64), { inline_entries(usize::MAX) }>>()
                <= 4096 + 64
        );
    }

    /// 10^6 iterations of a 16-byte state plus counter, in a thread with the default stack
    /// (2 MiB unless `RUST_MIN_STACK` says otherwise), where an inline array of all the
    /// entries (24 MB) could not live.
    #[test]
    fn a_million_iterations_do_not_overflow_the_stack() {
        const N: usize = 1_000_000;
        let sum = std::thread::spawn(|| {
            let mut tape = StackTape::<(f64, f64, usize), { inline_entries(N) }>::with_capacity(N);
            let (mut x, mut v) = (1.0_f64, 0.0_f64);
            for i in 0..N {
                tape.push((x, v, i));
                v -= 1e-6 * x;
                x += 1e-6 * v;
            }
            assert_eq!(tape.spilled(), N - INLINE_ENTRIES);
            let mut sum = 0.0;
            for i in (0..N).rev() {
                let (x, _v, counter) = tape.pop().expect("one entry per iteration");
                assert_eq!(counter, i);
                sum += x;
            }
            assert_eq!(tape.pop(), None);
            sum
        })
        .join()
        .expect("the tape thread did not overflow its stack");
        assert!(sum.is_finite());
    }
}
