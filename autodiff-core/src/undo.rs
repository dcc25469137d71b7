//! [`UndoLog`]: the values assignments into a place overwrote, so a reverse sweep that
//! replays a region of the forward pass can first put the place back as the region found
//! it. Only generated code uses it.

use crate::real::Real;
use crate::tensor::Tensor;

/// Values with elements that assignments overwrite one at a time (`y[i] = e`):
/// tensors, `Vec`s and arrays.
pub trait Elements {
    /// One element.
    type Elem;

    /// Replaces the element at `position` (`(row, col)`, `(i, 0)` for a sequence),
    /// returning the old one.
    fn replace(&mut self, position: (usize, usize), value: Self::Elem) -> Self::Elem;

    /// Appends an element (`Vec`s only: the others have a fixed length).
    fn push_elem(&mut self, value: Self::Elem) {
        let _ = value;
        unreachable!("only a `Vec` place is pushed onto")
    }

    /// Removes the last element (the undo of `push_elem`).
    fn pop_elem(&mut self) {
        unreachable!("only a `Vec` place is pushed onto")
    }
}

/// [`Elements`] indexed by `I`: `usize` for vectors and sequences, `(row, col)` for any
/// tensor.
pub trait Slots<I>: Elements {
    /// Where `index` points.
    fn position(&self, index: I) -> (usize, usize);
}

impl<T: Real, const R: usize, const C: usize> Elements for Tensor<T, R, C> {
    type Elem = T;

    #[inline(always)]
    #[track_caller]
    fn replace(&mut self, position: (usize, usize), value: T) -> T {
        core::mem::replace(&mut self[position], value)
    }
}

impl<T: Real, const R: usize> Slots<usize> for Tensor<T, R, 1> {
    #[inline(always)]
    fn position(&self, index: usize) -> (usize, usize) {
        (index, 0)
    }
}

impl<T: Real, const R: usize, const C: usize> Slots<(usize, usize)> for Tensor<T, R, C> {
    #[inline(always)]
    fn position(&self, index: (usize, usize)) -> (usize, usize) {
        index
    }
}

impl<X> Elements for Vec<X> {
    type Elem = X;

    #[inline(always)]
    #[track_caller]
    fn replace(&mut self, position: (usize, usize), value: X) -> X {
        core::mem::replace(&mut self[position.0], value)
    }

    #[inline(always)]
    fn push_elem(&mut self, value: X) {
        self.push(value);
    }

    #[inline(always)]
    fn pop_elem(&mut self) {
        self.pop();
    }
}

impl<X> Slots<usize> for Vec<X> {
    #[inline(always)]
    fn position(&self, index: usize) -> (usize, usize) {
        (index, 0)
    }
}

impl<X, const N: usize> Elements for [X; N] {
    type Elem = X;

    #[inline(always)]
    #[track_caller]
    fn replace(&mut self, position: (usize, usize), value: X) -> X {
        core::mem::replace(&mut self[position.0], value)
    }
}

impl<X, const N: usize> Slots<usize> for [X; N] {
    #[inline(always)]
    fn position(&self, index: usize) -> (usize, usize) {
        (index, 0)
    }
}

enum Entry<P: Elements> {
    /// An element store: where, and the old element.
    Elem((usize, usize), P::Elem),
    /// A store of the whole place.
    Whole(Box<P>),
    /// A `push`.
    Pushed,
}

/// The overwritten elements of one tensor, `Vec` or array `P`, newest last.
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
/// log.restore(&mut y);
/// assert_eq!(y, tensor![1.0, 200.0, 3.0]);
/// log.undo_to(&mut y, mark);
/// assert_eq!(y, tensor![1.0, 2.0, 3.0]);
/// ```
pub struct UndoLog<P: Elements> {
    entries: Vec<Entry<P>>,
}

// A pullback that owns a log is `Clone` (that is how a user retains the graph).
impl<P: Elements + Clone> Clone for Entry<P>
where
    P::Elem: Clone,
{
    fn clone(&self) -> Self {
        match self {
            Entry::Elem(position, old) => Entry::Elem(*position, old.clone()),
            Entry::Whole(old) => Entry::Whole(old.clone()),
            Entry::Pushed => Entry::Pushed,
        }
    }
}

impl<P: Elements + Clone> Clone for UndoLog<P>
where
    P::Elem: Clone,
{
    fn clone(&self) -> Self {
        UndoLog {
            entries: self.entries.clone(),
        }
    }
}

impl<P: Elements> Default for UndoLog<P> {
    fn default() -> Self {
        UndoLog {
            entries: Vec::new(),
        }
    }
}

impl<P: Elements> UndoLog<P> {
    /// An empty log; allocates on the first store.
    #[inline]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many stores it holds: a mark for [`undo_to`](Self::undo_to).
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
    pub fn store<I>(&mut self, place: &mut P, index: I, value: P::Elem)
    where
        P: Slots<I>,
    {
        let position = place.position(index);
        let old = place.replace(position, value);
        self.entries.push(Entry::Elem(position, old));
    }

    /// `*place = value`, remembering the old value.
    #[inline]
    pub fn store_whole(&mut self, place: &mut P, value: P) {
        let old = core::mem::replace(place, value);
        self.entries.push(Entry::Whole(Box::new(old)));
    }

    /// `place.push(value)`, remembering to pop it.
    #[inline]
    pub fn push(&mut self, place: &mut P, value: P::Elem) {
        place.push_elem(value);
        self.entries.push(Entry::Pushed);
    }

    /// Undoes the newest store.
    #[inline]
    pub fn restore(&mut self, place: &mut P) {
        match self.entries.pop() {
            Some(Entry::Elem(position, old)) => {
                place.replace(position, old);
            }
            Some(Entry::Whole(old)) => *place = *old,
            Some(Entry::Pushed) => place.pop_elem(),
            None => {}
        }
    }

    /// Undoes every store after `mark`, newest first.
    #[inline]
    pub fn undo_to(&mut self, place: &mut P, mark: usize) {
        while self.entries.len() > mark {
            self.restore(place);
        }
    }
}

/// Restores one part of a place. Shared, so that a log (and a pullback owning it) can be
/// cloned; each call puts back a clone of the old part.
type Undo<P> = std::rc::Rc<dyn Fn(&mut P)>;

/// The overwritten parts of a place of any type (`m.w = e`, `m.layers[i].b = e`), newest
/// last: each store keeps a closure that puts the old part back.
///
/// ```
/// use autodiff_core::__private::PartLog;
///
/// let mut p = (1.0_f64, vec![2.0_f64, 3.0]);
/// let mut log = PartLog::new();
/// log.store_part(&mut p, |p| &mut p.0, 10.0);
/// log.store_part(&mut p, move |p| &mut p.1[1], 30.0);
/// assert_eq!(p, (10.0, vec![2.0, 30.0]));
/// log.restore(&mut p);
/// assert_eq!(p, (10.0, vec![2.0, 3.0]));
/// log.undo_to(&mut p, 0);
/// assert_eq!(p, (1.0, vec![2.0, 3.0]));
/// ```
pub struct PartLog<P> {
    entries: Vec<Undo<P>>,
}

impl<P> Clone for PartLog<P> {
    fn clone(&self) -> Self {
        PartLog {
            entries: self.entries.clone(),
        }
    }
}

impl<P> Default for PartLog<P> {
    fn default() -> Self {
        PartLog {
            entries: Vec::new(),
        }
    }
}

impl<P: 'static> PartLog<P> {
    /// An empty log.
    #[inline]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many stores it holds: a mark for [`undo_to`](Self::undo_to).
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `*part(place) = value`, remembering the old part.
    #[inline]
    pub fn store_part<V: Clone + 'static, F>(&mut self, place: &mut P, part: F, value: V)
    where
        F: for<'a> Fn(&'a mut P) -> &'a mut V + 'static,
    {
        let old = core::mem::replace(part(place), value);
        self.entries.push(std::rc::Rc::new(move |place: &mut P| {
            *part(place) = old.clone()
        }));
    }

    /// `*place = value`, remembering the old value.
    #[inline]
    pub fn store_whole(&mut self, place: &mut P, value: P)
    where
        P: Clone,
    {
        let old = core::mem::replace(place, value);
        self.entries
            .push(std::rc::Rc::new(move |place: &mut P| *place = old.clone()));
    }

    /// Undoes the newest store.
    #[inline]
    pub fn restore(&mut self, place: &mut P) {
        if let Some(undo) = self.entries.pop() {
            undo(place);
        }
    }

    /// Undoes every store after `mark`, newest first.
    #[inline]
    pub fn undo_to(&mut self, place: &mut P, mark: usize) {
        while self.entries.len() > mark {
            self.restore(place);
        }
    }
}
