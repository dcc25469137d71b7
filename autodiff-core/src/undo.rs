//! [`UndoLog`]: the values element assignments overwrote, so a reverse sweep that replays
//! a region of the forward pass can first put a tensor back as the region found it.
//! Only generated code uses it.

use crate::real::Real;
use crate::tensor::Tensor;

/// An element position in a tensor: `usize` for column vectors, `(row, col)` for any.
pub trait ElementIndex: Copy {
    /// `(row, col)`.
    fn position(self) -> (usize, usize);
}

impl ElementIndex for usize {
    #[inline(always)]
    fn position(self) -> (usize, usize) {
        (self, 0)
    }
}

impl ElementIndex for (usize, usize) {
    #[inline(always)]
    fn position(self) -> (usize, usize) {
        self
    }
}

/// The overwritten elements of one tensor, newest last.
///
/// ```
/// use autodiff_core::__private::UndoLog;
/// use autodiff_core::tensor;
///
/// let mut y = tensor![1.0, 2.0, 3.0];
/// let mut log = UndoLog::new();
/// let mark = log.len();
/// log.store(&mut y, 1, 20.0);
/// log.store(&mut y, 1, 200.0);
/// log.store_whole(&mut y, tensor![0.0, 0.0, 0.0]);
/// assert_eq!(y, tensor![0.0, 0.0, 0.0]);
/// log.restore_whole(&mut y);
/// assert_eq!(y, tensor![1.0, 200.0, 3.0]);
/// log.undo_to(&mut y, mark);
/// assert_eq!(y, tensor![1.0, 2.0, 3.0]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct UndoLog<T> {
    entries: Vec<(usize, usize, T)>,
}

impl<T: Real> UndoLog<T> {
    /// An empty log; allocates on the first store.
    #[inline]
    pub fn new() -> Self {
        UndoLog {
            entries: Vec::new(),
        }
    }

    /// How many overwritten elements it holds: a mark for [`undo_to`](Self::undo_to).
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `place[index] = value`, remembering the old element.
    #[inline]
    #[track_caller]
    pub fn store<I: ElementIndex, const R: usize, const C: usize>(
        &mut self,
        place: &mut Tensor<T, R, C>,
        index: I,
        value: T,
    ) {
        let (r, c) = index.position();
        self.entries.push((r, c, place[(r, c)]));
        place[(r, c)] = value;
    }

    /// `*place = value`, remembering every old element.
    #[inline]
    pub fn store_whole<const R: usize, const C: usize>(
        &mut self,
        place: &mut Tensor<T, R, C>,
        value: Tensor<T, R, C>,
    ) {
        for c in 0..C {
            for r in 0..R {
                self.entries.push((r, c, place[(r, c)]));
            }
        }
        *place = value;
    }

    /// Undoes the newest element store.
    #[inline]
    pub fn restore<const R: usize, const C: usize>(&mut self, place: &mut Tensor<T, R, C>) {
        if let Some((r, c, old)) = self.entries.pop() {
            place[(r, c)] = old;
        }
    }

    /// Undoes the newest whole store.
    #[inline]
    pub fn restore_whole<const R: usize, const C: usize>(&mut self, place: &mut Tensor<T, R, C>) {
        for _ in 0..R * C {
            self.restore(place);
        }
    }

    /// Undoes every store after `mark`, newest first.
    #[inline]
    pub fn undo_to<const R: usize, const C: usize>(
        &mut self,
        place: &mut Tensor<T, R, C>,
        mark: usize,
    ) {
        while self.entries.len() > mark {
            self.restore(place);
        }
    }
}
