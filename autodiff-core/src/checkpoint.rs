//! Binomial checkpointing (Griewank and Walther's *revolve*): reversing a loop of `n`
//! steps while keeping only `s` snapshots of its carried state instead of all `n`,
//! re-running parts of the loop forward from the snapshots instead.
//!
//! This is what `#[checkpoint]` on a loop runs. [`Schedule`] is the plan as data (a
//! sequence of [`Action`]s); [`reverse_checkpointed`] and the two-phase
//! [`checkpointed_forward`] / [`Checkpoints::reverse`] carry it out on a state.
//!
//! # The schedule and what it costs
//!
//! Reversing step `i` needs the state before step `i`, for `i = n - 1` down to `0`.
//! Storing all of them costs `n` states. With `s` snapshots (the initial state counts as
//! one, as in revolve), the schedule is built recursively: to reverse steps `a..b` whose
//! start state is in slot `k`, advance `m` steps from `a`, store state `a + m` in slot
//! `k + 1`, reverse `a + m..b` with one slot fewer, then restore slot `k` and reverse
//! `a..a + m` with all of them. With a single slot left, each step is reached by advancing
//! from the slot's state. Choosing `m` as below makes this optimal: with `r` the smallest
//! integer such that `C(s + r, s) >= n`, no step is advanced more than `r` times and the
//! total number of forward step evaluations, not counting the one inside each reverse
//! step, is the known minimum
//!
//! ```text
//! t(n, s) = r·n − C(s + r, s + 1)
//! ```
//!
//! (Griewank 1992; Griewank and Walther, ACM TOMS 26(1), 2000). Memory is `s` states
//! plus the one being advanced; time is `n` primal steps, `t(n, s)` re-run steps and `n`
//! reverse steps. With each step re-run at most `r` times, `s` snapshots reverse
//! `C(s + r, s)` steps, about `s^r / r!`: a few more snapshots buy a lot. For `n = 10^6`
//! (see [`forward_steps`]):
//!
//! | snapshots `s` | `r` | re-run steps `t / n` |
//! |---:|---:|---:|
//! | 16 | 9 | 7.9 |
//! | 32 | 6 | 5.5 |
//! | 64 (default) | 5 | 4.1 |
//! | 128 | 4 | 3.6 |
//! | 1024 | 3 | 2.5 |
//!
//! # Loops whose trip count is unknown (`while`)
//!
//! The schedule is offline: it needs `n` before the first snapshot. For a `while` loop,
//! the primal pass (which runs anyway, to compute the function's value) counts its
//! iterations and keeps only the initial state; the reverse phase then calls
//! [`reverse_checkpointed`] with that `n` from the initial state. This costs `n − 1` more
//! forward steps than a `for` loop, whose primal pass can take the first snapshots itself
//! ([`checkpointed_forward`]). We chose this over an online schedule (Stumm and Walther,
//! 2010), which places snapshots without knowing `n` but is not optimal in general and is
//! much harder to check; one extra forward pass is within the budget of a checkpointed
//! loop, which re-runs `t(n, s) / n` (4.1 for the default at 10^6 steps) passes anyway.

/// Snapshots a `#[checkpoint]` loop keeps when the attribute does not say: 64 states,
/// the initial one included.
///
/// Memory is 64 copies of the carried state (8 KiB for a `Tensor<f64, 16>`), against `n`
/// copies without checkpointing; for `n = 10^6` steps the reverse phase re-runs about 4.1
/// forward passes (each step at most 5 times), and 1,000 steps need at most 2 re-runs
/// per step. Doubling the snapshots saves about half a pass at `10^6` steps.
///
/// ```
/// use autodiff_core::__private::{DEFAULT_SNAPSHOTS, forward_steps};
///
/// let n = 1_000_000;
/// assert!(forward_steps(n, DEFAULT_SNAPSHOTS) < 5 * n as u128);
/// ```
pub const DEFAULT_SNAPSHOTS: usize = 64;

/// One instruction of a [`Schedule`]. "State `i`" is the carried state before step `i`;
/// the initial state is state 0, and the driver holds one *current* state, initially
/// state 0.
///
/// Snapshot slots form a stack: a [`Snapshot`](Action::Snapshot) into slot `k` frees
/// every slot above `k`, and slot `k` holds a state until then.
///
/// ```
/// use autodiff_core::__private::{Action, Schedule};
///
/// // Two steps, two snapshots: each step is advanced at most once.
/// let actions: Vec<Action> = Schedule::new(2, 2).collect();
/// assert_eq!(
///     actions,
///     [
///         Action::Snapshot { slot: 0, step: 0 },
///         Action::Advance { from: 0, to: 1 },
///         Action::Reverse { step: 1 },
///         Action::Restore { slot: 0, step: 0 },
///         Action::Reverse { step: 0 },
///     ]
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Store a copy of the current state, which is state `step`, in `slot`.
    Snapshot {
        /// The slot, at most one past the highest slot in use.
        slot: usize,
        /// The step whose input state is stored.
        step: usize,
    },
    /// Make a copy of the state in `slot`, which is state `step`, the current state.
    Restore {
        /// The slot to read.
        slot: usize,
        /// The step whose input state it holds.
        step: usize,
    },
    /// Run steps `from..to` on the current state, which is state `from` and becomes
    /// state `to`.
    Advance {
        /// The current state's step.
        from: usize,
        /// The step reached, `> from`.
        to: usize,
    },
    /// Reverse step `step`; the current state is state `step`. Reverse steps come in the
    /// order `n - 1`, `n - 2`, ..., `0`.
    Reverse {
        /// The step to reverse.
        step: usize,
    },
}

/// A part of the loop still to reverse: steps `start..end`, whose start state is (once
/// `stored`) in `slot`.
#[derive(Clone, Copy, Debug)]
struct Task {
    start: usize,
    end: usize,
    slot: usize,
    stored: bool,
}

/// The optimal binomial checkpointing schedule for `n` steps and `snapshots` slots, as
/// an iterator of [`Action`]s. It holds one small record per occupied slot, so it is
/// cheap whatever `n`.
///
/// ```
/// use autodiff_core::__private::{Action, Schedule, forward_steps};
///
/// let advanced: usize = Schedule::new(100, 5)
///     .map(|action| match action {
///         Action::Advance { from, to } => to - from,
///         _ => 0,
///     })
///     .sum();
/// assert_eq!(advanced as u128, forward_steps(100, 5));
/// ```
#[derive(Clone, Debug)]
pub struct Schedule {
    snapshots: usize,
    /// Parts still to reverse, the one to work on last; disjoint, later steps on top.
    tasks: Vec<Task>,
    /// The step of the current state.
    current: usize,
}

impl Schedule {
    /// The schedule for `n` steps with `snapshots` slots, the initial state's included.
    /// Fewer than one slot counts as one: the initial state must be kept somewhere.
    ///
    /// ```
    /// use autodiff_core::__private::Schedule;
    ///
    /// assert_eq!(Schedule::new(0, 3).count(), 0);
    /// assert_eq!(Schedule::new(1, 3).count(), 1); // just the reverse step
    /// ```
    pub fn new(n: usize, snapshots: usize) -> Self {
        let snapshots = snapshots.max(1);
        let mut tasks = Vec::with_capacity(snapshots.min(n) + 1);
        tasks.push(Task {
            start: 0,
            end: n,
            slot: 0,
            stored: false,
        });
        Schedule {
            snapshots,
            tasks,
            current: 0,
        }
    }
}

impl Iterator for Schedule {
    type Item = Action;

    /// The next action of the innermost task, decided from the current state alone: one
    /// action per call, so the driver's loop is the only loop.
    fn next(&mut self) -> Option<Action> {
        loop {
            let task = self.tasks.last_mut()?;
            if task.start == task.end {
                self.tasks.pop();
                continue;
            }
            // The task's last step's state is in hand (just advanced to, or a one-step
            // task's start): reverse it.
            if self.current + 1 == task.end {
                task.end -= 1;
                return Some(Action::Reverse { step: self.current });
            }
            if self.current != task.start {
                self.current = task.start;
                return Some(Action::Restore {
                    slot: task.slot,
                    step: task.start,
                });
            }
            // Stored only now, when it is sure to be restored: a one-step task never is.
            if !task.stored {
                task.stored = true;
                return Some(Action::Snapshot {
                    slot: task.slot,
                    step: task.start,
                });
            }
            let free = self.snapshots - task.slot;
            let to = if free == 1 {
                // No slot to spare: advance to the last step, reverse it, come back.
                task.end - 1
            } else {
                let mid = task.start + split(task.end - task.start, free);
                let right = Task {
                    start: mid,
                    end: task.end,
                    slot: task.slot + 1,
                    stored: false,
                };
                task.end = mid;
                self.tasks.push(right);
                mid
            };
            let from = self.current;
            self.current = to;
            return Some(Action::Advance { from, to });
        }
    }
}

/// `(r, β(s, r − 1), β(s, r − 2))` with `β(s, q) = C(s + q, s)`, `β(s, −1) = 0`, and `r`
/// the smallest integer with `β(s, r) >= n`: the repetition number of `n` steps with `s`
/// slots. Only values below `n` are returned, so nothing overflows.
fn repetition(n: usize, s: usize) -> (usize, usize, usize) {
    let (mut r, mut beta, mut prev, mut prev2) = (0, 1_usize, 0, 0);
    while beta < n {
        r += 1;
        (prev2, prev) = (prev, beta);
        // C(s + r, r) = C(s + r − 1, r − 1) · (s + r) / r, exact in integers; a product
        // that overflows is above `n`, which is all the loop needs to know.
        beta = s
            .checked_add(r)
            .and_then(|f| beta.checked_mul(f))
            .map_or(usize::MAX, |b| b / r);
    }
    (r, prev, prev2)
}

/// How many steps to advance before the next snapshot, for `len >= 2` steps and
/// `s >= 2` slots (the start's included): an optimal `m`, in `1..len`.
///
/// Splitting at `m` costs `m + t(len − m, s − 1) + t(m, s)`, and `t(k, s)` is the sum over
/// `j <= k` of the repetition number of `j` steps, so the best split takes the `len`
/// smallest numbers from the two sorted sequences `1 + r(j, s)` (left part) and
/// `r(j, s − 1)` (right part). All those below `r` are taken: `β(s, r − 2)` on the left and
/// `β(s − 1, r − 1)` on the right, `β(s, r − 1)` in all. The rest are `r`s from either
/// side; we take them from the left, of which there are `β(s − 1, r − 1)`.
fn split(len: usize, s: usize) -> usize {
    let (_, beta1, beta2) = repetition(len, s);
    let rest = len - beta1;
    // `m <= len − β(s − 1, r − 1) <= len − 1`, and `m >= 1` since `len >= 2`.
    beta2 + rest.min(beta1 - beta2)
}

/// `t(n, s)`: how many times the optimal schedule for `n` steps and `snapshots` slots
/// runs a step forward, not counting the forward work inside each reverse step. Fewer
/// than one slot counts as one.
///
/// ```
/// use autodiff_core::__private::forward_steps;
///
/// assert_eq!(forward_steps(10, 1), 45); // one slot: 9 + 8 + ... + 0
/// assert_eq!(forward_steps(10, 10), 9); // enough slots: each step once, but the last
/// assert_eq!(forward_steps(0, 4), 0);
/// ```
pub fn forward_steps(n: usize, snapshots: usize) -> u128 {
    let s = snapshots.max(1);
    let (r, _, _) = repetition(n, s);
    if r == 0 {
        return 0;
    }
    // C(s + r, s + 1) = C(s + r, r − 1) = β(s + 1, r − 1) < n · r, so nothing saturates.
    let (n, s, r) = (n as u128, s as u128, r as u128);
    let mut c = 1_u128;
    for q in 1..r {
        c = c * (s + 1 + q) / q;
    }
    r * n - c
}

/// Carries out `actions` from state `current` and returns the state in hand at the end.
/// The current state stays in one local, moved only through `advance`: a state can be
/// large (a tensor), and the schedule has a few actions per step.
fn drive<S: Clone>(
    actions: impl Iterator<Item = Action>,
    mut current: S,
    slots: &mut Vec<S>,
    mut advance: impl FnMut(S, usize) -> S,
    mut reverse_step: impl FnMut(&S, usize),
) -> S {
    for action in actions {
        match action {
            Action::Snapshot { slot, .. } => {
                if slot < slots.len() {
                    slots.truncate(slot + 1);
                    slots[slot].clone_from(&current);
                } else {
                    slots.push(current.clone());
                }
            }
            Action::Restore { slot, .. } => current.clone_from(&slots[slot]),
            Action::Advance { from, to } => {
                for i in from..to {
                    current = advance(current, i);
                }
            }
            Action::Reverse { step } => reverse_step(&current, step),
        }
    }
    current
}

/// Reverses a loop of `n` steps from its initial state, keeping at most `snapshots`
/// states (the initial one included; fewer than one counts as one) and re-running steps
/// forward from them: `advance(state, i)` runs step `i` (state `i` to state `i + 1`) and
/// is called [`forward_steps`]`(n, snapshots)` times in all; `reverse_step(&state, i)` is
/// called with state `i` for `i = n - 1` down to `0`, once each.
///
/// For a `while` loop: the primal pass counts the steps, then this runs the reverse
/// phase (see the module docs). A `for` loop saves a pass with
/// [`checkpointed_forward`].
///
/// ```
/// use autodiff_core::__private::reverse_checkpointed;
///
/// // x_{i+1} = x_i² for 10 steps: d x_10 / d x_0 = Π 2 x_i.
/// let x0 = 1.01_f64;
/// let mut derivative = 1.0;
/// let mut steps_run = 0;
/// reverse_checkpointed(
///     10,
///     3,
///     x0,
///     |x, _| {
///         steps_run += 1;
///         x * x
///     },
///     |&x, _| derivative *= 2.0 * x,
/// );
/// let x10 = x0.powi(1 << 10);
/// assert!((derivative - 1024.0 * x10 / x0).abs() < 1e-9 * derivative);
/// assert_eq!(steps_run, 15); // rather than 9 with all 10 states kept
/// ```
pub fn reverse_checkpointed<S: Clone>(
    n: usize,
    snapshots: usize,
    initial: S,
    advance: impl FnMut(S, usize) -> S,
    reverse_step: impl FnMut(&S, usize),
) {
    let mut slots = Vec::with_capacity(snapshots.clamp(1, n.max(1)));
    drive(
        Schedule::new(n, snapshots),
        initial,
        &mut slots,
        advance,
        reverse_step,
    );
}

/// The snapshots a checkpointed loop's primal pass leaves for its reverse phase: what
/// [`checkpointed_forward`] returns and [`Checkpoints::reverse`] consumes.
///
/// ```
/// use autodiff_core::__private::checkpointed_forward;
///
/// let (last, checkpoints) = checkpointed_forward(4, 2, 0_u32, |x, i| x + i as u32);
/// assert_eq!(last, 6);
/// let mut reversed = Vec::new();
/// checkpoints.reverse(|x, i| x + i as u32, |&x, i| reversed.push((i, x)));
/// assert_eq!(reversed, [(3, 3), (2, 1), (1, 0), (0, 0)]);
/// ```
#[derive(Clone, Debug)]
pub struct Checkpoints<S> {
    slots: Vec<S>,
    /// State `n − 1` (or the initial state if `n <= 1`).
    current: S,
    /// The rest of the schedule: `next` first, then `schedule`.
    next: Option<Action>,
    schedule: Schedule,
}

/// The primal pass of a checkpointed loop of `n` steps whose trip count is known up
/// front (a `for` loop): runs every step once with `advance(state, i)`, storing the
/// schedule's first snapshots on the way, and returns the final state (state `n`) with
/// what the reverse phase needs. The `n − 1` steps of that pass are the schedule's first
/// advances, so primal pass and reverse phase together run `forward_steps(n, snapshots)
/// + 1` steps forward (for `n >= 1`), not `n + forward_steps(n, snapshots)`.
///
/// ```
/// use autodiff_core::__private::checkpointed_forward;
///
/// let mut steps_run = 0;
/// let mut step = |x: f64, i: usize| {
///     steps_run += 1;
///     x.sin() + 0.1 * i as f64
/// };
/// let (x3, _checkpoints) = checkpointed_forward(3, 2, 1.0, &mut step);
/// assert_eq!(x3, ((1.0_f64.sin()).sin() + 0.1).sin() + 0.2);
/// assert_eq!(steps_run, 3);
/// ```
pub fn checkpointed_forward<S: Clone>(
    n: usize,
    snapshots: usize,
    initial: S,
    mut advance: impl FnMut(S, usize) -> S,
) -> (S, Checkpoints<S>) {
    let mut slots = Vec::with_capacity(snapshots.clamp(1, n.max(1)));
    let mut schedule = Schedule::new(n, snapshots);
    let mut next = None;
    // The schedule starts by advancing from state 0 to state n − 1, taking snapshots; it
    // reverses nothing before. Its first reverse step waits for the reverse phase.
    let until_reverse = std::iter::from_fn(|| match schedule.next()? {
        action @ Action::Reverse { .. } => {
            next = Some(action);
            None
        }
        action => Some(action),
    });
    let current = drive(until_reverse, initial, &mut slots, &mut advance, |_, _| {});
    let last = if n == 0 {
        current.clone()
    } else {
        advance(current.clone(), n - 1)
    };
    (
        last,
        Checkpoints {
            slots,
            current,
            next,
            schedule,
        },
    )
}

impl<S: Clone> Checkpoints<S> {
    /// The reverse phase: calls `reverse_step(&state, i)` with state `i` for
    /// `i = n − 1` down to `0`, re-running steps with `advance`, which must compute what
    /// the primal pass's did.
    ///
    /// ```
    /// use autodiff_core::__private::checkpointed_forward;
    ///
    /// let (_, checkpoints) = checkpointed_forward(0, 4, 1.0_f64, |x, _| 2.0 * x);
    /// checkpoints.reverse(|x, _| 2.0 * x, |_, _| unreachable!("no steps"));
    /// ```
    pub fn reverse(self, advance: impl FnMut(S, usize) -> S, reverse_step: impl FnMut(&S, usize)) {
        let Checkpoints {
            mut slots,
            current,
            next,
            schedule,
        } = self;
        let actions = next.into_iter().chain(schedule);
        drive(actions, current, &mut slots, advance, reverse_step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `C(a, b)`, computed directly (not the way the schedule does).
    fn binomial(a: u128, b: u128) -> u128 {
        if b > a {
            return 0;
        }
        let b = b.min(a - b);
        (0..b).fold(1, |c, i| c * (a - i) / (i + 1))
    }

    /// The known minimum number of forward steps for `n` steps and `s` snapshots:
    /// `r·n − C(s + r, r − 1)` with `r` the smallest integer such that `C(s + r, s) >= n`.
    fn binomial_bound(n: usize, s: usize) -> u128 {
        let (n, s) = (n as u128, s as u128);
        let r = (0..).find(|&r| binomial(s + r, s) >= n).unwrap();
        if r == 0 {
            0
        } else {
            r * n - binomial(s + r, r - 1)
        }
    }

    /// The cheapest schedule of the recursive shape (advance `m`, snapshot, reverse the
    /// right part with one slot fewer, then the left part), by exhaustive search.
    fn cheapest(max_n: usize, max_s: usize) -> Vec<Vec<u128>> {
        let mut t = vec![vec![0_u128; max_n + 1]; max_s + 1];
        // One slot: step `j` is reached from the start in `j` steps.
        t[1] = (0..=max_n).map(|n| (0..n as u128).sum()).collect();
        for s in 2..=max_s {
            for n in 2..=max_n {
                t[s][n] = (1..n)
                    .map(|m| m as u128 + t[s - 1][n - m] + t[s][m])
                    .min()
                    .unwrap();
            }
        }
        t
    }

    /// What a driver would do with `Schedule::new(n, s)`, on states represented by their
    /// step numbers: checks every action is possible and every reverse step gets its own
    /// state, in order `n − 1..0`; returns the forward steps run and the most slots held.
    fn simulate(n: usize, s: usize) -> (u128, usize) {
        let mut current = 0;
        let mut slots: Vec<usize> = Vec::new();
        let mut next_reverse = n;
        let mut advanced = 0_u128;
        let mut runs = vec![0_u32; n];
        let mut most_slots = 0;
        for action in Schedule::new(n, s) {
            match action {
                Action::Snapshot { slot, step } => {
                    assert_eq!(step, current, "{n}/{s}: {action:?} of another state");
                    assert!(slot <= slots.len(), "{n}/{s}: {action:?} leaves a hole");
                    slots.truncate(slot);
                    slots.push(current);
                    most_slots = most_slots.max(slots.len());
                }
                Action::Restore { slot, step } => {
                    assert_eq!(slots.get(slot), Some(&step), "{n}/{s}: {action:?}");
                    current = step;
                }
                Action::Advance { from, to } => {
                    assert_eq!(from, current, "{n}/{s}: {action:?}");
                    assert!(to > from && to < next_reverse, "{n}/{s}: {action:?}");
                    advanced += (to - from) as u128;
                    runs[from..to].iter_mut().for_each(|r| *r += 1);
                    current = to;
                }
                Action::Reverse { step } => {
                    assert_eq!(step + 1, next_reverse, "{n}/{s}: out of order");
                    assert_eq!(step, current, "{n}/{s}: reversed from the wrong state");
                    next_reverse = step;
                }
            }
        }
        assert_eq!(next_reverse, 0, "{n}/{s}: not every step was reversed");
        let r = (0..).find(|&r| binomial(s.max(1) as u128 + r, r) >= n as u128);
        let most_runs = runs.iter().max().copied().unwrap_or(0);
        assert!(
            u128::from(most_runs) <= r.unwrap(),
            "{n}/{s}: a step ran {most_runs} times"
        );
        (advanced, most_slots)
    }

    #[test]
    fn the_closed_form_is_the_cheapest_recursive_schedule() {
        let t = cheapest(80, 8);
        for (s, row) in t.iter().enumerate().skip(1) {
            for (n, &cheapest) in row.iter().enumerate() {
                assert_eq!(cheapest, binomial_bound(n, s), "n = {n}, s = {s}");
                assert_eq!(
                    forward_steps(n, s),
                    binomial_bound(n, s),
                    "n = {n}, s = {s}"
                );
            }
        }
    }

    #[test]
    fn schedules_are_valid_optimal_and_keep_at_most_their_snapshots() {
        let mut cases: Vec<(usize, usize)> = Vec::new();
        for n in 0..=70_usize {
            for s in (0..=12).chain([n.saturating_sub(1), n, n + 1, 1000]) {
                cases.push((n, s));
            }
        }
        cases.extend([(1000, 1), (1000, 2), (1000, 3), (1000, 10), (1000, 64)]);
        cases.extend([(5000, 7), (10_000, 64), (100_000, 64), (100_000, 1000)]);
        for (n, s) in cases {
            let (advanced, most_slots) = simulate(n, s);
            assert_eq!(advanced, binomial_bound(n, s.max(1)), "n = {n}, s = {s}");
            assert!(
                most_slots <= s.max(1),
                "n = {n}, s = {s}: {most_slots} slots"
            );
        }
    }

    #[test]
    fn edge_cases_are_as_short_as_they_can_be() {
        use Action::*;
        assert_eq!(Schedule::new(0, 0).collect::<Vec<_>>(), []);
        assert_eq!(
            Schedule::new(1, 1).collect::<Vec<_>>(),
            [Reverse { step: 0 }]
        );
        // One slot: every step is reached from the initial state.
        assert_eq!(
            Schedule::new(3, 1).collect::<Vec<_>>(),
            [
                Snapshot { slot: 0, step: 0 },
                Advance { from: 0, to: 2 },
                Reverse { step: 2 },
                Restore { slot: 0, step: 0 },
                Advance { from: 0, to: 1 },
                Reverse { step: 1 },
                Restore { slot: 0, step: 0 },
                Reverse { step: 0 },
            ]
        );
    }

    #[test]
    fn the_documented_costs_are_right() {
        let n = 1_000_000;
        for (s, r, tenths) in [
            (16, 9, 79),
            (32, 6, 55),
            (64, 5, 41),
            (128, 4, 36),
            (1024, 3, 25),
        ] {
            let found = (0..).find(|&r| binomial(s + r, s) >= n).unwrap();
            assert_eq!(found, r, "s = {s}");
            let t = forward_steps(n as usize, s as usize);
            assert_eq!((t * 10 + n / 2) / n, tenths, "s = {s}: t = {t}");
        }
        assert_eq!(forward_steps(1000, DEFAULT_SNAPSHOTS) / 1000, 1);
    }

    /// `x_{i+1} = sin(p·x_i) + 0.1·i`, differentiated w.r.t. `x_0` and `p` for the loss
    /// `x_n`.
    fn step(p: f64) -> impl Fn(f64, usize) -> f64 {
        move |x, i| (p * x).sin() + 0.1 * i as f64
    }

    /// The adjoint of one step from its input state: `(ct of x_i, contribution to p̄)`.
    fn step_vjp(p: f64, x: f64, ct: f64) -> (f64, f64) {
        let d = (p * x).cos() * ct;
        (d * p, d * x)
    }

    /// Store-every-step reverse sweep: the reference.
    fn gradient_stored(n: usize, p: f64, x0: f64) -> (f64, f64) {
        let mut states = Vec::with_capacity(n);
        let mut x = x0;
        for i in 0..n {
            states.push(x);
            x = step(p)(x, i);
        }
        let (mut ct, mut p_bar) = (1.0, 0.0);
        for &x in states.iter().rev() {
            let (ct_x, ct_p) = step_vjp(p, x, ct);
            ct = ct_x;
            p_bar += ct_p;
        }
        (ct, p_bar)
    }

    #[test]
    fn checkpointed_gradients_are_bitwise_those_of_the_stored_sweep() {
        let (p, x0) = (1.3, 0.4);
        for n in [0, 1, 2, 3, 10, 57, 1000] {
            for s in [0, 1, 2, 3, 8, DEFAULT_SNAPSHOTS, n] {
                let expected = gradient_stored(n, p, x0);

                // One shot, as for a `while` loop after its counting pass.
                let (mut ct, mut p_bar, mut advances, mut reversed) = (1.0, 0.0, 0_u128, 0);
                reverse_checkpointed(
                    n,
                    s,
                    x0,
                    |x, i| {
                        advances += 1;
                        step(p)(x, i)
                    },
                    |&x, i| {
                        assert_eq!(i, n - 1 - reversed);
                        reversed += 1;
                        let (ct_x, ct_p) = step_vjp(p, x, ct);
                        ct = ct_x;
                        p_bar += ct_p;
                    },
                );
                assert_eq!(reversed, n);
                assert_eq!(
                    (ct.to_bits(), p_bar.to_bits()),
                    (expected.0.to_bits(), expected.1.to_bits()),
                    "n = {n}, s = {s}"
                );
                assert_eq!(advances, binomial_bound(n, s.max(1)), "n = {n}, s = {s}");

                // Two phases, as for a `for` loop: the primal pass takes the first snapshots.
                let mut primal = 0_u128;
                let (x_n, checkpoints) = checkpointed_forward(n, s, x0, |x, i| {
                    primal += 1;
                    step(p)(x, i)
                });
                let plain = (0..n).fold(x0, step(p));
                assert_eq!(x_n.to_bits(), plain.to_bits());
                assert_eq!(primal, n as u128);
                let (mut ct, mut p_bar, mut rerun) = (1.0, 0.0, 0_u128);
                checkpoints.reverse(
                    |x, i| {
                        rerun += 1;
                        step(p)(x, i)
                    },
                    |&x, _| {
                        let (ct_x, ct_p) = step_vjp(p, x, ct);
                        ct = ct_x;
                        p_bar += ct_p;
                    },
                );
                assert_eq!(
                    (ct.to_bits(), p_bar.to_bits()),
                    (expected.0.to_bits(), expected.1.to_bits()),
                    "n = {n}, s = {s}"
                );
                let fused = if n == 0 {
                    0
                } else {
                    binomial_bound(n, s.max(1)) + 1
                };
                assert_eq!(primal + rerun, fused, "n = {n}, s = {s}");
            }
        }
    }

    /// The gradient also matches central finite differences (what the stored sweep is
    /// checked against elsewhere is the same arithmetic).
    #[test]
    fn checkpointed_gradients_match_finite_differences() {
        let (p, x0, n) = (0.9, 0.3, 200);
        let loss = |p: f64, x0: f64| (0..n).fold(x0, step(p));
        let (mut ct, mut p_bar) = (1.0, 0.0);
        reverse_checkpointed(n, 4, x0, step(p), |&x, _| {
            let (ct_x, ct_p) = step_vjp(p, x, ct);
            ct = ct_x;
            p_bar += ct_p;
        });
        let h = 1e-6;
        let dx0 = (loss(p, x0 + h) - loss(p, x0 - h)) / (2.0 * h);
        let dp = (loss(p + h, x0) - loss(p - h, x0)) / (2.0 * h);
        assert!((ct - dx0).abs() < 1e-6 * (1.0 + dx0.abs()), "{ct} vs {dx0}");
        assert!(
            (p_bar - dp).abs() < 1e-6 * (1.0 + dp.abs()),
            "{p_bar} vs {dp}"
        );
    }
}
