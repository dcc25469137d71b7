//! The tapes on which a loop's forward pass leaves what its reverse sweep needs: the
//! values each iteration started with (and its loop counter), pushed in order and popped
//! in reverse. Only generated code uses them.

/// A growable tape, for loops whose trip count is known only at run time: one buffer
/// per call, grown as the loop runs.
#[derive(Clone, Debug, Default)]
pub struct Tape<S> {
    entries: Vec<S>,
}

impl<S> Tape<S> {
    /// An empty tape; allocates on the first push.
    #[inline]
    pub fn new() -> Self {
        Tape {
            entries: Vec::new(),
        }
    }

    /// Records one iteration.
    #[inline]
    pub fn push(&mut self, entry: S) {
        self.entries.push(entry);
    }

    /// The most recent iteration not yet reversed.
    #[inline]
    pub fn pop(&mut self) -> Option<S> {
        self.entries.pop()
    }
}

/// A tape with room for exactly `N` iterations, on the stack: for `for` loops over
/// `0..N` with a constant `N`, so their reverse sweep allocates nothing. Entries are
/// plain values (the carried state is `Copy` and has a `Default`), so pushing and popping
/// is a store and a load.
#[derive(Clone, Debug)]
pub struct FixedTape<S, const N: usize> {
    entries: [S; N],
    len: usize,
}

impl<S: Copy + Default, const N: usize> FixedTape<S, N> {
    /// An empty tape.
    #[inline]
    pub fn new() -> Self {
        FixedTape {
            entries: [S::default(); N],
            len: 0,
        }
    }

    /// Records one iteration.
    ///
    /// # Panics
    ///
    /// On the `N + 1`-th push, which the loop's constant trip count rules out.
    #[inline]
    pub fn push(&mut self, entry: S) {
        self.entries[self.len] = entry;
        self.len += 1;
    }

    /// The most recent iteration not yet reversed.
    #[inline]
    pub fn pop(&mut self) -> Option<S> {
        self.len = self.len.checked_sub(1)?;
        Some(self.entries[self.len])
    }
}

impl<S: Copy + Default, const N: usize> Default for FixedTape<S, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tapes_pop_in_reverse_order_then_run_dry() {
        let mut growable = Tape::new();
        let mut fixed = FixedTape::<(f64, usize), 3>::new();
        for i in 0..3 {
            growable.push((i as f64, i));
            fixed.push((i as f64, i));
        }
        for i in (0..3).rev() {
            assert_eq!(growable.pop(), Some((i as f64, i)));
            assert_eq!(fixed.pop(), Some((i as f64, i)));
        }
        assert_eq!(growable.pop(), None);
        assert_eq!(fixed.pop(), None);
        assert_eq!(fixed.pop(), None, "popping an empty tape stays empty");
    }

    #[test]
    #[should_panic]
    fn a_fixed_tape_holds_exactly_its_capacity() {
        let mut fixed = FixedTape::<u8, 2>::new();
        for i in 0..3 {
            fixed.push(i);
        }
    }
}
