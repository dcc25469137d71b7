//! Loops reversed from their tapes alone (Tapenade's to-be-recorded analysis).
//!
//! The reverse of an iteration reads a few forward values: the operands a product's VJP
//! multiplies by, a transcendental function's input or output, the indices of element
//! reads and stores, a branch's condition, the pullbacks of calls. This module finds, for
//! each block of a loop body, exactly which of the values it defines its reverse reads,
//! and provides each one in the cheapest way:
//!
//! * data arithmetic with no borrow in it (`i - 1`, a literal) is recomputed;
//! * a value read only for its type (the operand of a linear op's VJP, the shape of an
//!   adjoint's zero) is a `Witness`, which takes no room, and a stand-in in the reverse;
//! * everything else is pushed on the loop's tape at the end of the iteration (a branch
//!   hands its values out of the `if` in an `Option` instead, which the loop then tapes).
//!
//! Nothing is replayed, so stores need no undo log for a loop's sake. A loop nested in a
//! taped loop keeps one tape across all the outer iterations, declared before the
//! outermost loop; its reverse pops as many entries as the forward pass counted, or
//! walks its range backwards.

use super::Reverser;
use crate::ir::{
    AExpr, AStmt, Carry, Hoist, LoopKind, Order, Phi, Proj, Stmt, Target, Value, Var, VarId,
};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;
use std::collections::{BTreeSet, HashMap};

/// What a taped loop pushes each iteration, or what a branch hands out.
#[derive(Clone, Default)]
pub(super) struct Items {
    pub pushed: Vec<VarId>,
    pub pullbacks: Vec<VarId>,
    pub witnesses: Vec<VarId>,
    /// Pushed values read only for the gradient of one parameter, with its index.
    pub gates: Vec<(VarId, usize)>,
}

impl Items {
    pub fn is_empty(&self) -> bool {
        self.pushed.is_empty() && self.pullbacks.is_empty() && self.witnesses.is_empty()
    }

    /// Whether anything goes on a tape or into a handout's `Option` (witnesses do not:
    /// they have slots of their own).
    pub fn holds_values(&self) -> bool {
        !(self.pushed.is_empty() && self.pullbacks.is_empty())
    }
}

/// How a taped loop's forward pass records itself (made when it is reversed, read when
/// its forward pass is written).
#[derive(Clone)]
pub(super) struct LoopPlan {
    pub items: Items,
    pub count: Option<VarId>,
    pub nested: bool,
    pub hoists: Vec<Hoist>,
    pub on_heap: bool,
    pub walks_range: bool,
    /// The loop's trip count, when it is known at compile time.
    pub capacity: Option<TokenStream>,
}

/// What each branch of an `if` inside a taped loop hands out of it: `Some` of a tuple from
/// the branch that ran (bound to `*_some`), `None` from the other, merged into `*_out`.
#[derive(Clone)]
pub(super) struct Handout {
    pub then_items: Items,
    pub else_items: Items,
    pub then_vars: [VarId; 3],
    pub else_vars: [VarId; 3],
}

/// The forward variables a reverse block reads.
#[derive(Default)]
struct ReadSet {
    values: BTreeSet<VarId>,
    /// Read by a VJP only for their types (floats and tensors: a stand-in will do).
    vjp_types: BTreeSet<VarId>,
    /// Read for the shape of a zero.
    zero_types: BTreeSet<VarId>,
    pullbacks: BTreeSet<VarId>,
    /// For values VJPs read, the parameters whose gradients those reads serve (see
    /// `Adjoint::gates`)...
    vjp_readers: HashMap<VarId, u64>,
    /// ...unless something else reads them too.
    read_elsewhere: BTreeSet<VarId>,
}

impl ReadSet {
    /// A read that every gradient may need (an index, a condition, a recomputation).
    fn read(&mut self, v: VarId) {
        self.values.insert(v);
        self.read_elsewhere.insert(v);
    }

    fn remove(&mut self, v: VarId) {
        self.values.remove(&v);
        self.vjp_types.remove(&v);
        self.zero_types.remove(&v);
        self.pullbacks.remove(&v);
        self.vjp_readers.remove(&v);
        self.read_elsewhere.remove(&v);
    }

    fn extend(&mut self, other: ReadSet) {
        self.values.extend(other.values);
        self.vjp_types.extend(other.vjp_types);
        self.zero_types.extend(other.zero_types);
        self.pullbacks.extend(other.pullbacks);
        for (v, params) in other.vjp_readers {
            *self.vjp_readers.entry(v).or_insert(0) |= params;
        }
        self.read_elsewhere.extend(other.read_elsewhere);
    }
}

/// The IR variables data tokens name (`__ad_v12`).
pub(crate) fn token_vars(tokens: &TokenStream, out: &mut Vec<VarId>) {
    for tree in tokens.clone() {
        match tree {
            TokenTree::Ident(i) => {
                if let Some(n) = i.to_string().strip_prefix("__ad_v")
                    && let Ok(v) = n.parse()
                {
                    out.push(v);
                }
            }
            TokenTree::Group(g) => token_vars(&g.stream(), out),
            _ => {}
        }
    }
}

/// Whether a `for` loop's iterator is a range of data the reverse can walk backwards
/// from the same tokens: `a..b` or `a..=b` naming no variable of the body's.
fn reversible_range(iter: &TokenStream) -> bool {
    let mut vars = Vec::new();
    token_vars(iter, &mut vars);
    if !vars.is_empty() || iter.to_string().contains("__ad_") {
        return false;
    }
    let mut expr: syn::Expr = match syn::parse2(iter.clone()) {
        Ok(e) => e,
        Err(_) => return false,
    };
    while let syn::Expr::Paren(p) = expr {
        expr = *p.expr;
    }
    matches!(expr, syn::Expr::Range(r) if r.start.is_some() && r.end.is_some())
}

/// A `for` loop's trip count as a `usize` expression that a const generic can hold, when
/// it is known at compile time: `0..N`, and constant ranges from any start (`1..N - 1`).
fn trip_count(kind: &LoopKind) -> Option<TokenStream> {
    match kind {
        LoopKind::For {
            trip_count: Some(n),
            ..
        } => Some(quote!(((#n) as usize))),
        LoopKind::For { iter, .. } => crate::lower::range_trip_count(iter),
        LoopKind::While { .. } => None,
    }
}

/// For each copy among `stmts` (`let mut u_new = u`), the value bound before it that has
/// its shape, following copies and the entries already in `shapes`. Only floats and
/// tensors, whose shape is their type's: a `Vec` copied and then pushed onto grows.
fn shape_sources(vars: &[Var], stmts: &[&Stmt], shapes: &mut HashMap<VarId, VarId>) {
    for stmt in stmts {
        if let Stmt::Let {
            var,
            value: Value::Copy(source),
            ..
        } = stmt
            && vars[*var].numeric
        {
            let source = shapes.get(source).copied().unwrap_or(*source);
            shapes.insert(*var, source);
        }
    }
}

/// Zeros shaped like a copy made at the function's top level are shaped like the
/// copy's source (in the end, often a parameter, whose zero the type alone gives), so a
/// pullback need not keep the copy only for its shape. Loop and branch bodies keep their
/// own zeros: their values are provided by their own analyses.
pub(super) fn retarget_top_level_zeros(vars: &[Var], stmts: &[Stmt], reversed: &mut [AStmt]) {
    let top: Vec<&Stmt> = stmts.iter().collect();
    let mut shapes = HashMap::new();
    shape_sources(vars, &top, &mut shapes);
    for stmt in reversed {
        if let AStmt::Init { value, .. }
        | AStmt::Assign { value, .. }
        | AStmt::Accumulate { value, .. } = stmt
            && let AExpr::Zero(v) | AExpr::SumOf(_, v) = value
            && let Some(source) = shapes.get(v)
        {
            *v = *source;
        }
    }
}

/// Zeros shaped like a value of `shapes` are shaped like its source instead, which the
/// reverse of a loop has at hand without taping anything.
fn retarget_zeros(block: &mut [AStmt], shapes: &HashMap<VarId, VarId>) {
    let expr = |e: &mut AExpr| {
        if let AExpr::Zero(v) | AExpr::SumOf(_, v) = e
            && let Some(source) = shapes.get(v)
        {
            *v = *source;
        }
    };
    for stmt in block {
        match stmt {
            AStmt::Init { value, .. }
            | AStmt::Assign { value, .. }
            | AStmt::Accumulate { value, .. } => expr(value),
            AStmt::AssignAll(assigns) => assigns.iter_mut().for_each(|(_, v)| expr(v)),
            AStmt::If {
                then_block,
                else_block,
                ..
            } => {
                retarget_zeros(then_block, shapes);
                retarget_zeros(else_block, shapes);
            }
            AStmt::Taped { body, .. } | AStmt::Loop { body, .. } => retarget_zeros(body, shapes),
            _ => {}
        }
    }
}

/// Whether `block_reads` lists everything the reverse sweep `block` reads: it replays
/// nothing but `let`s (taped loops recompute their cheap values), and keeps no undo log
/// and no checkpointed or replayed loop, whose replays read more.
fn reads_are_listed(block: &[AStmt]) -> bool {
    block.iter().all(|stmt| match stmt {
        AStmt::Checkpointed { .. }
        | AStmt::Loop { .. }
        | AStmt::UndoTo { .. }
        | AStmt::Restore { .. } => false,
        AStmt::Replay(stmts) => stmts.iter().all(|s| matches!(s, Stmt::Let { .. })),
        AStmt::If {
            then_block,
            else_block,
            ..
        } => reads_are_listed(then_block) && reads_are_listed(else_block),
        AStmt::Taped { body, .. } => reads_are_listed(body),
        _ => true,
    })
}

/// Whether a loop at any depth of `block` is `#[checkpoint]`ed.
pub(super) fn holds_checkpoint(block: &[Stmt]) -> bool {
    block.iter().any(|stmt| match stmt {
        Stmt::Loop {
            checkpoint, body, ..
        } => checkpoint.is_some() || holds_checkpoint(body),
        Stmt::If {
            then_block,
            else_block,
            ..
        } => holds_checkpoint(then_block) || holds_checkpoint(else_block),
        _ => false,
    })
}

impl Reverser {
    /// Whether loop `stmt` is reversed from its tape alone: in `f_grad` and `f_vjp`, when
    /// neither it nor a loop inside it is checkpointed.
    pub(super) fn is_taped(&self, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Loop {
                checkpoint, body, ..
            } => self.checkpointing && checkpoint.is_none() && !holds_checkpoint(body),
            _ => false,
        }
    }

    fn fresh_var(&mut self, span: Span, numeric: bool) -> VarId {
        self.vars.push(Var {
            name: None,
            span,
            varied: false,
            mutable: false,
            place: false,
            literal_zero: None,
            numeric,
        });
        self.active.push(false);
        self.vars.len() - 1
    }

    /// The reverse of loop `stmt` from its tape (see the module docs).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reverse_loop_taped(
        &mut self,
        stmt: &Stmt,
        id: usize,
        kind: &LoopKind,
        body: &[Stmt],
        carried: &[Carry],
        out: &mut Vec<AStmt>,
    ) {
        if !self.loop_is_reversed(body, carried) {
            return;
        }
        let nested = self.taped_depth > 0;
        let differentiated: Vec<&Carry> = carried
            .iter()
            .filter(|c| self.active[c.out] || self.active[c.phi])
            .collect();
        let carry_adjs = self.carry_adjoints(&differentiated, out);
        self.promote_loop_outer(kind, body, carried, &differentiated, out);
        let saved = self.state.clone();
        let mut inner = Vec::new();
        for (c, adj) in differentiated.iter().zip(&carry_adjs) {
            self.contribute(c.next, Target::Whole, AExpr::Adj(*adj), &mut inner);
        }
        self.taped_depth += 1;
        self.block(body, &mut inner);
        self.taped_depth -= 1;
        inner.push(self.carry_reassignment(&differentiated, &carry_adjs));
        self.state = saved;

        // What this level defines: the body's values, the loop's own header values.
        let mut stmts: Vec<&Stmt> = Vec::new();
        let mut level = BTreeSet::new();
        level.extend(carried.iter().map(|c| c.phi));
        let mut provided = Vec::new();
        let range = match kind {
            LoopKind::For { pat, iter, .. } => {
                level.extend(*pat);
                reversible_range(iter).then(|| (*pat, iter.clone()))
            }
            LoopKind::While { cond_block, cond } => {
                level.insert(*cond);
                stmts.extend(cond_block.iter());
                None
            }
        };
        if let Some((Some(pat), _)) = &range {
            provided.push(*pat);
        }
        stmts.extend(body.iter());
        level.extend(self.level_defs(stmts.iter().copied()));
        // A zero shaped like a carried float or tensor is shaped like its value before the
        // loop.
        let mut shapes: HashMap<VarId, VarId> = carried
            .iter()
            .filter(|c| self.vars[c.phi].numeric)
            .map(|c| (c.phi, c.init))
            .collect();
        shape_sources(&self.vars, &stmts, &mut shapes);
        retarget_zeros(&mut inner, &shapes);
        let (recompute, items) = self.provide(&stmts, &inner, &level, &provided);
        if !recompute.is_empty() {
            inner.insert(0, AStmt::Replay(recompute));
        }
        let span = carried
            .first()
            .map_or_else(Span::call_site, |c| self.vars[c.phi].span);
        let count = (range.is_none() && (nested || !items.holds_values()))
            .then(|| self.fresh_var(span, false));
        let order = match (&range, count) {
            (Some((pat, iter)), _) => Order::Range {
                pat: *pat,
                iter: iter.clone(),
            },
            (None, Some(c)) => Order::Count(c),
            (None, None) => Order::UntilEmpty,
        };
        let on_heap =
            !items.pullbacks.is_empty() || items.pushed.iter().any(|v| self.non_copy.contains(v));
        // A `StackTape`'s entries are `Copy + Default`, which a gate's slot needs.
        if !on_heap {
            self.gates.extend(items.gates.iter().copied());
        }
        let capacity = trip_count(kind);
        let hoists = if nested {
            Vec::new()
        } else {
            let mut hoists = Vec::new();
            self.collect_hoists(body, capacity.clone(), &mut hoists);
            hoists
        };
        self.plans.insert(
            stmt as *const Stmt,
            LoopPlan {
                items: items.clone(),
                count,
                nested,
                hoists,
                on_heap,
                walks_range: range.is_some(),
                capacity,
            },
        );
        out.push(AStmt::Taped {
            id,
            pushed: items.pushed,
            pullbacks: items.pullbacks,
            witnesses: items.witnesses,
            order,
            body: inner,
        });
        for (c, adj) in differentiated.iter().zip(&carry_adjs) {
            self.contribute(c.init, Target::Whole, AExpr::Adj(*adj), out);
        }
    }

    /// The tapes of the taped loops nested in `block` that push anything, with their
    /// capacity when every loop around them has a constant trip count (`trip`, so far).
    fn collect_hoists(&self, block: &[Stmt], trip: Option<TokenStream>, out: &mut Vec<Hoist>) {
        for stmt in block {
            match stmt {
                Stmt::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    self.collect_hoists(then_block, trip.clone(), out);
                    self.collect_hoists(else_block, trip.clone(), out);
                }
                Stmt::Loop { id, kind, body, .. } => {
                    let trip = match (trip_count(kind), &trip) {
                        (Some(n), Some(outer)) => Some(quote!(#outer * #n)),
                        _ => None,
                    };
                    if let Some(plan) = self.plans.get(&(stmt as *const Stmt))
                        && plan.items.holds_values()
                    {
                        out.push(Hoist {
                            id: *id,
                            capacity: trip.clone(),
                            on_heap: plan.on_heap,
                        });
                    }
                    self.collect_hoists(body, trip, out);
                }
                _ => {}
            }
        }
    }

    /// The witnesses of the taped loops and handouts in `block`, whose slots the outermost
    /// taped loop around them declares.
    pub(super) fn witness_slots(&self, block: &[Stmt], out: &mut Vec<VarId>) {
        for stmt in block {
            match stmt {
                Stmt::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    if let Some(h) = self.handouts.get(&(stmt as *const Stmt)) {
                        out.extend(&h.then_items.witnesses);
                        out.extend(&h.else_items.witnesses);
                    }
                    self.witness_slots(then_block, out);
                    self.witness_slots(else_block, out);
                }
                Stmt::Loop { body, .. } => {
                    if let Some(plan) = self.plans.get(&(stmt as *const Stmt)) {
                        out.extend(&plan.items.witnesses);
                    }
                    self.witness_slots(body, out);
                }
                _ => {}
            }
        }
    }

    /// The reverse of an `if` inside a taped loop: each branch reverses from what it handed
    /// out in the forward pass (see `Handout`), replaying nothing.
    pub(super) fn reverse_if_handout(
        &mut self,
        stmt: &Stmt,
        cond: VarId,
        then_block: &[Stmt],
        else_block: &[Stmt],
        phis: &[Phi],
        out: &mut Vec<AStmt>,
    ) {
        let outer = self.if_outer_contributions(then_block, else_block, phis);
        self.promote(&outer, out);
        let cts: Vec<(usize, usize)> = phis
            .iter()
            .enumerate()
            .filter_map(|(i, phi)| Some((i, self.state.get(phi.out).copied().flatten()?)))
            .collect();
        let saved = self.state.clone();
        let mut branches = Vec::new();
        for (block, then) in [(then_block, true), (else_block, false)] {
            let mut tokens = Vec::new();
            for (i, ct) in &cts {
                let phi = &phis[*i];
                let source = if then { phi.then_value } else { phi.else_value };
                self.contribute(source, Target::Whole, AExpr::Adj(*ct), &mut tokens);
            }
            self.block(block, &mut tokens);
            self.state.clone_from(&saved);
            let stmts: Vec<&Stmt> = block.iter().collect();
            let mut shapes = HashMap::new();
            shape_sources(&self.vars, &stmts, &mut shapes);
            retarget_zeros(&mut tokens, &shapes);
            let level = self.level_defs(stmts.iter().copied());
            let (recompute, items) = self.provide(&stmts, &tokens, &level, &[]);
            branches.push((tokens, recompute, items));
        }
        let span = self.vars[cond].span;
        let fresh3 = |this: &mut Self| {
            [
                this.fresh_var(span, false),
                this.fresh_var(span, false),
                this.fresh_var(span, false),
            ]
        };
        let then_vars = fresh3(self);
        let else_vars = fresh3(self);
        let mut blocks = Vec::new();
        for ((tokens, recompute, items), vars) in branches.iter().zip([then_vars, else_vars]) {
            let mut block = Vec::new();
            if !items.is_empty() {
                block.push(AStmt::Unpack {
                    from: items.holds_values().then_some(vars[2]),
                    pushed: items.pushed.clone(),
                    pullbacks: items.pullbacks.clone(),
                    witnesses: items.witnesses.clone(),
                });
                let holds_pullbacks = !items.pullbacks.is_empty()
                    || items.pushed.iter().any(|v| self.non_copy.contains(v));
                if holds_pullbacks {
                    self.non_copy.insert(vars[2]);
                }
            }
            if !recompute.is_empty() {
                block.push(AStmt::Replay(recompute.clone()));
            }
            block.extend(tokens.iter().cloned());
            blocks.push(block);
        }
        let else_stmts = blocks.pop().unwrap_or_default();
        let then_stmts = blocks.pop().unwrap_or_default();
        self.handouts.insert(
            stmt as *const Stmt,
            Handout {
                then_items: branches[0].2.clone(),
                else_items: branches[1].2.clone(),
                then_vars,
                else_vars,
            },
        );
        out.push(AStmt::If {
            cond,
            then_block: then_stmts,
            else_block: else_stmts,
        });
    }

    /// The variables a block binds at its own level: its `let`s, the values its `if`s merge
    /// (and hand out), what its loops leave and count.
    fn level_defs<'s>(&self, stmts: impl Iterator<Item = &'s Stmt>) -> BTreeSet<VarId> {
        let mut defs = BTreeSet::new();
        for stmt in stmts {
            match stmt {
                Stmt::Let { var, .. } => {
                    defs.insert(*var);
                }
                Stmt::If { phis, .. } => {
                    defs.extend(phis.iter().map(|p| p.out));
                    if let Some(h) = self.handouts.get(&(stmt as *const Stmt)) {
                        if h.then_items.holds_values() {
                            defs.insert(h.then_vars[2]);
                        }
                        if h.else_items.holds_values() {
                            defs.insert(h.else_vars[2]);
                        }
                    }
                }
                Stmt::Loop { carried, .. } => {
                    defs.extend(carried.iter().map(|c| c.out));
                    if let Some(c) = self.plans.get(&(stmt as *const Stmt)).and_then(|p| p.count) {
                        defs.insert(c);
                    }
                }
                Stmt::Effect(_) | Stmt::Store { .. } | Stmt::Push { .. } | Stmt::NewLog { .. } => {}
            }
        }
        defs
    }

    /// How the values of `level` that `reversed` reads reach it: recomputed (returned as
    /// the statements to run first), or pushed, handed out as pullbacks or as witnesses.
    fn provide(
        &mut self,
        stmts: &[&Stmt],
        reversed: &[AStmt],
        level: &BTreeSet<VarId>,
        provided: &[VarId],
    ) -> (Vec<Stmt>, Items) {
        let reads = self.block_reads(reversed);
        let lets: HashMap<VarId, &Value> = stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Let { var, value, .. } => Some((*var, value)),
                _ => None,
            })
            .collect();
        let ours = |v: &VarId| level.contains(v) && !provided.contains(v);
        let mut work: Vec<VarId> = reads.values.iter().copied().filter(ours).collect();
        // A call whose arguments are all at hand without a tape entry (elements of data,
        // values that never change) is made again in the reverse sweep, where its
        // pullback is used at once, rather than keeping its pullback on the tape: a
        // small callee's forward pass costs less than writing and reading back what its
        // pullback keeps, for each iteration.
        let recalled: BTreeSet<VarId> = reads
            .pullbacks
            .iter()
            .copied()
            .filter(ours)
            .filter(|v| match lets.get(v) {
                Some(Value::Call { args, .. }) => {
                    args.iter().all(|a| self.at_hand(*a, &lets, &ours, 8))
                }
                _ => false,
            })
            .collect();
        for v in &recalled {
            if let Some(Value::Call { args, .. }) = lets.get(v) {
                work.extend(args.iter().copied().filter(ours));
            }
        }
        self.recalled.extend(&recalled);
        let (mut recompute, mut pushed) = (recalled.clone(), BTreeSet::new());
        // Values a recomputation reads serve every gradient.
        let mut for_recompute = BTreeSet::new();
        while let Some(v) = work.pop() {
            if recompute.contains(&v) || pushed.contains(&v) {
                continue;
            }
            let immutable = !self.vars[v].mutable && !self.vars[v].place;
            match lets.get(&v) {
                Some(Value::Inert(tokens)) if immutable && self.recomputable(tokens, level) => {
                    recompute.insert(v);
                    let mut used = Vec::new();
                    token_vars(tokens, &mut used);
                    let used: Vec<VarId> = used.into_iter().filter(ours).collect();
                    for_recompute.extend(&used);
                    work.extend(used);
                }
                Some(Value::Copy(source)) if immutable => {
                    recompute.insert(v);
                    if ours(source) {
                        for_recompute.insert(*source);
                        work.push(*source);
                    }
                }
                // An element of a value that does not change (`x[i]` of a parameter):
                // a load, cheaper than a tape entry.
                Some(Value::Project { base, path })
                    if immutable && !ours(base) && self.unchanging(*base) =>
                {
                    recompute.insert(v);
                    let used: Vec<VarId> = path
                        .iter()
                        .filter_map(|p| match p {
                            Proj::Var(i) => Some(*i),
                            _ => None,
                        })
                        .filter(ours)
                        .collect();
                    for_recompute.extend(&used);
                    work.extend(used);
                }
                _ => {
                    pushed.insert(v);
                }
            }
        }
        let mut witnesses = BTreeSet::new();
        for v in reads.vjp_types.iter().chain(&reads.zero_types).copied() {
            if !ours(&v) || recompute.contains(&v) || pushed.contains(&v) {
                continue;
            }
            if reads.vjp_types.contains(&v) || self.vars[v].numeric {
                witnesses.insert(v);
            } else {
                pushed.insert(v);
            }
        }
        let pullbacks = reads
            .pullbacks
            .iter()
            .copied()
            .filter(|v| ours(v) && !recalled.contains(v))
            .collect();
        let gates = pushed
            .iter()
            .filter(|v| {
                !reads.read_elsewhere.contains(v)
                    && !reads.zero_types.contains(v)
                    && !for_recompute.contains(v)
            })
            .filter_map(|v| {
                let serves = *reads.vjp_readers.get(v)?;
                (serves.count_ones() == 1).then(|| (*v, serves.trailing_zeros() as usize))
            })
            .collect();
        let recompute = stmts
            .iter()
            .filter(|s| matches!(s, Stmt::Let { var, .. } if recompute.contains(var)))
            .map(|s| {
                let mut s = (*s).clone();
                if let Stmt::Let {
                    value: Value::Call { keep_pullback, .. },
                    ..
                } = &mut s
                {
                    *keep_pullback = true;
                }
                s
            })
            .collect();
        (
            recompute,
            Items {
                pushed: pushed.into_iter().collect(),
                pullbacks,
                witnesses: witnesses.into_iter().collect(),
                gates,
            },
        )
    }

    /// The values of the function's top level that its reverse sweep reads only for
    /// their types: a pullback keeps a `Witness` of each instead of the value (with its
    /// callee's pullbacks on a loop's tape, what a pullback keeps is memory traffic).
    pub(super) fn top_level_witnesses(&self, stmts: &[Stmt], reversed: &[AStmt]) -> Vec<VarId> {
        // A replayed region (a checkpointed loop, a branch or loop reversed by replay)
        // reads values `block_reads` does not list.
        if !reads_are_listed(reversed) {
            return Vec::new();
        }
        let reads = self.block_reads(reversed);
        let level = self.level_defs(stmts.iter());
        let witnesses: BTreeSet<VarId> = reads
            .vjp_types
            .iter()
            .chain(&reads.zero_types)
            .copied()
            .filter(|v| level.contains(v) && !reads.values.contains(v))
            .filter(|v| !reads.pullbacks.contains(v))
            .filter(|v| reads.vjp_types.contains(v) || self.vars[*v].numeric)
            .collect();
        witnesses.into_iter().collect()
    }

    /// Whether `v` can be had in the reverse sweep without a tape entry: a value of an
    /// enclosing level that never changes, or one of this level recomputed from such
    /// values (`depth` bounds the search).
    fn at_hand(
        &self,
        v: VarId,
        lets: &HashMap<VarId, &Value>,
        ours: &dyn Fn(&VarId) -> bool,
        depth: usize,
    ) -> bool {
        if !ours(&v) {
            return self.unchanging(v);
        }
        if depth == 0 || !self.unchanging(v) {
            return false;
        }
        let level: BTreeSet<VarId> = lets.keys().copied().collect();
        match lets.get(&v) {
            Some(Value::Inert(tokens)) if self.recomputable(tokens, &level) => {
                let mut used = Vec::new();
                token_vars(tokens, &mut used);
                used.iter().all(|u| self.at_hand(*u, lets, ours, depth - 1))
            }
            Some(Value::Copy(source)) => self.at_hand(*source, lets, ours, depth - 1),
            // The loop's counter: walked backwards or a `usize` on the tape.
            None => !self.vars[v].numeric,
            Some(Value::Project { base, path }) if !ours(base) && self.unchanging(*base) => {
                path.iter().all(|p| match p {
                    Proj::Var(i) => self.at_hand(*i, lets, ours, depth - 1),
                    _ => true,
                })
            }
            _ => false,
        }
    }

    /// Whether `v` keeps its value for the whole function: bound once, never assigned into.
    fn unchanging(&self, v: VarId) -> bool {
        !self.vars[v].mutable && !self.vars[v].place
    }

    /// Whether data tokens can run again in the reverse sweep and give what they gave in
    /// the forward pass: arithmetic that borrows nothing, or a borrow (`&data[i]`, an item
    /// of a loop over `&data`) of values that do not change. A borrow is never pushed: the
    /// tape would hold a reference into a local of the function, which cannot leave it.
    fn recomputable(&self, tokens: &TokenStream, level: &BTreeSet<VarId>) -> bool {
        if crate::emit::scopes::borrows_nothing(tokens.clone()) {
            return true;
        }
        let borrow = matches!(tokens.clone().into_iter().next(),
            Some(TokenTree::Punct(p)) if p.as_char() == '&');
        let mut used = Vec::new();
        token_vars(tokens, &mut used);
        borrow
            && used
                .iter()
                .all(|v| level.contains(v) || (!self.vars[*v].mutable && !self.vars[*v].place))
    }

    /// Which parameters' gradients each value a VJP reads serves: a product's VJP reads
    /// `b` for `a`'s contribution, which matters only to the parameters `a` depends on.
    fn vjp_readers(
        &self,
        prim: &crate::prim::Prim,
        var: VarId,
        operands: &[VarId],
        results: &[Option<usize>],
        reads: &mut ReadSet,
    ) {
        let diff: Vec<usize> = std::iter::once(0)
            .chain(
                prim.args
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| **a == crate::prim::Arg::Diff)
                    .map(|(i, _)| i + 1),
            )
            .collect();
        for (i, result) in results.iter().enumerate() {
            let (Some(_), Some(&receiver)) = (result, diff.get(i)) else {
                continue;
            };
            let serves = self.masks.get(operands[receiver]).copied().unwrap_or(!0);
            let only: Vec<bool> = (0..results.len()).map(|j| j == i).collect();
            let (read, out) = prim.reads_for(operands.len(), &only);
            for (k, read) in read.into_iter().enumerate() {
                match (read, diff.contains(&k)) {
                    (true, true) => *reads.vjp_readers.entry(operands[k]).or_insert(0) |= serves,
                    (true, false) => {
                        reads.read_elsewhere.insert(operands[k]);
                    }
                    _ => {}
                }
            }
            if out {
                *reads.vjp_readers.entry(var).or_insert(0) |= serves;
            }
        }
    }

    /// The forward variables `block` reads, less those it binds itself (by recomputing,
    /// unpacking or popping them).
    fn block_reads(&self, block: &[AStmt]) -> ReadSet {
        let mut reads = ReadSet::default();
        let mut defined = Vec::new();
        let path = |path: &[Proj], reads: &mut ReadSet| {
            for p in path {
                if let Proj::Var(v) = p {
                    reads.read(*v);
                }
            }
        };
        let expr = |e: &AExpr, reads: &mut ReadSet| match e {
            AExpr::Zero(v) | AExpr::SumOf(_, v) => {
                reads.zero_types.insert(*v);
            }
            AExpr::AdjPath(_, p) => path(p, reads),
            AExpr::Adj(_) | AExpr::Copied(_) | AExpr::WithoutData(_) => {}
        };
        for stmt in block {
            match stmt {
                AStmt::Init { value, .. } | AStmt::Assign { value, .. } => expr(value, &mut reads),
                AStmt::Accumulate { target, value, .. } => {
                    expr(value, &mut reads);
                    match target {
                        Target::Whole => {}
                        Target::Path(p) => path(p, &mut reads),
                        Target::Rows { start, .. } => {
                            reads.read(*start);
                        }
                    }
                }
                AStmt::AssignAll(assigns) => {
                    for (_, value) in assigns {
                        expr(value, &mut reads);
                    }
                }
                AStmt::Clear { path: p, .. } => path(p, &mut reads),
                AStmt::Pop { .. } => {}
                AStmt::Vjp {
                    var,
                    prim,
                    operands,
                    results,
                    partner,
                    ..
                } => {
                    if let Some(partner) = partner {
                        reads.read(*partner);
                        continue;
                    }
                    self.vjp_readers(prim, *var, operands, results, &mut reads);
                    let wanted: Vec<bool> = results.iter().map(Option::is_some).collect();
                    let (read, out) = prim.reads_for(operands.len(), &wanted);
                    for (v, read) in operands.iter().zip(read) {
                        match read {
                            true => reads.values.insert(*v),
                            false => reads.vjp_types.insert(*v),
                        };
                    }
                    match out {
                        true => reads.values.insert(*var),
                        false => reads.vjp_types.insert(*var),
                    };
                }
                AStmt::Backward { var, .. } => {
                    reads.pullbacks.insert(*var);
                }
                AStmt::Replay(stmts) => {
                    for s in stmts {
                        if let Stmt::Let { var, value, .. } = s {
                            defined.push(*var);
                            match value {
                                Value::Inert(tokens) => {
                                    let mut used = Vec::new();
                                    token_vars(tokens, &mut used);
                                    used.into_iter().for_each(|v| reads.read(v));
                                }
                                Value::Project { base, path: p }
                                | Value::Load {
                                    place: base,
                                    path: p,
                                } => {
                                    reads.read(*base);
                                    path(p, &mut reads);
                                }
                                Value::Detach(v) | Value::LogLen { place: v } => reads.read(*v),
                                Value::Repeat { elem, count } => {
                                    reads.read(*elem);
                                    let mut used = Vec::new();
                                    token_vars(count, &mut used);
                                    used.into_iter().for_each(|v| reads.read(v));
                                }
                                other => other
                                    .diff_operands()
                                    .into_iter()
                                    .for_each(|v| reads.read(v)),
                            }
                        }
                    }
                }
                AStmt::UndoTo { mark, .. } => {
                    reads.read(*mark);
                }
                AStmt::Restore { .. } => {}
                AStmt::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    reads.read(*cond);
                    reads.extend(self.block_reads(then_block));
                    reads.extend(self.block_reads(else_block));
                }
                AStmt::Unpack {
                    from,
                    pushed,
                    pullbacks,
                    witnesses,
                } => {
                    if let Some(from) = from {
                        reads.read(*from);
                    }
                    defined.extend(pushed.iter().chain(pullbacks).chain(witnesses));
                }
                AStmt::Taped {
                    pushed,
                    pullbacks,
                    witnesses,
                    order,
                    body,
                    ..
                } => {
                    let mut inner = self.block_reads(body);
                    for v in pushed.iter().chain(pullbacks).chain(witnesses) {
                        inner.remove(*v);
                    }
                    match order {
                        Order::UntilEmpty => {}
                        Order::Count(c) => {
                            inner.read(*c);
                        }
                        Order::Range { pat, .. } => {
                            if let Some(p) = pat {
                                inner.remove(*p);
                            }
                        }
                    }
                    reads.extend(inner);
                }
                AStmt::Loop { popped, body, .. } => {
                    let mut inner = self.block_reads(body);
                    for v in popped {
                        inner.remove(*v);
                    }
                    reads.extend(inner);
                }
                AStmt::Checkpointed { .. } => {}
            }
        }
        for v in defined {
            reads.remove(v);
        }
        reads
    }
}
