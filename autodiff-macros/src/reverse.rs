//! The reverse sweep: forward IR -> adjoint IR (`ir::Adjoint`), as data.
//!
//! Statements are visited backwards; each active one contributes to its operands'
//! adjoints. Adjoints are mutable places: the first contribution to a variable initialises
//! its adjoint (`let mut ct = c`, so most adjoints need no zero), later ones add into it in
//! place, into the whole value or into one element (`x[i]` adds into `ct_x[i]`: O(1), not
//! a dense one-hot tensor). A variable that receives contributions inside a region (a
//! branch, a loop body) gets its adjoint before the region, because the region may run
//! once, never, or many times; a loop-invariant value then accumulates across iterations
//! without any per-iteration cost beyond its own contributions.
//!
//! Regions are replayed, not remembered: the reverse of an `if` tests the same condition
//! and recomputes the taken branch's forward values; the reverse of a loop pops the
//! carried values each iteration started with from the tape the forward pass pushed, and
//! recomputes that iteration's forward values before reversing it (Tapenade's
//! store-the-state, recompute-the-rest).
//!
//! Places (tensors assigned element by element) are changed in place. The reverse of
//! `y[i] = e` moves `ct_y[i]` into `e`'s adjoint and clears it. A place whose loads a
//! replayed region reads keeps an undo log of the values its stores overwrote: a region is
//! replayed from the state it started in (undone to a mark taken when it started), and the
//! reverse of each store restores the overwritten value.
//!
//! Output guarantees: every forward variable the sweep reads is bound in `forward` on
//! every path to it; every adjoint is initialised before it is read or added to; each
//! gradient has its parameter's type.

use crate::ir::var_ident;
use crate::ir::{
    AExpr, AStmt, AdjId, Adjoint, Carry, Function, Log, LoopKind, LoopTape, Phi, Proj, Stmt,
    Target, Value, Var, VarId,
};
use crate::prim::Accumulates;
use std::collections::{BTreeSet, HashMap};

mod taped;

use taped::{Handout, LoopPlan};

/// The reverse sweep of `ir`, given which of its variables are active.
pub fn reverse(ir: &Function, active: &[bool]) -> Adjoint {
    reverse_with(ir, active, true)
}

/// The reverse sweep with every loop taped, `#[checkpoint]` or not: what forward mode
/// over the reverse sweep (`f_hvp`) transforms.
pub fn reverse_without_checkpoints(ir: &Function, active: &[bool]) -> Adjoint {
    reverse_with(ir, active, false)
}

fn reverse_with(ir: &Function, active: &[bool], checkpointing: bool) -> Adjoint {
    let logged = logged_places(ir, checkpointing);
    let mut reverser = Reverser {
        checkpointing,
        taped_depth: 0,
        taped_forward: 0,
        plans: HashMap::new(),
        handouts: HashMap::new(),
        non_copy: BTreeSet::new(),
        masks: crate::activity::param_masks(ir),
        recalled: BTreeSet::new(),
        gates: HashMap::new(),
        vars: ir.vars.clone(),
        active: active.to_vec(),
        adjoints: vec![ir.output],
        state: vec![None; ir.vars.len()],
        logged,
        marks: HashMap::new(),
        branch_cache: HashMap::new(),
        unary_ops: Vec::new(),
    };
    let mut stmts = Vec::new();
    if reverser.active[ir.output] {
        reverser.state[ir.output] = Some(0);
    }
    // The reverse sweep first: it decides what each taped loop's forward pass records.
    reverser.block(&ir.stmts, &mut stmts);
    start_from_first_contribution(&mut stmts);
    taped::retarget_top_level_zeros(&reverser.vars, &ir.stmts, &mut stmts);
    let top_witnesses = reverser.top_level_witnesses(&ir.stmts, &stmts);
    let forward_stmts = reverser.augment(&ir.stmts, true);
    let grads = ir
        .stmts
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Let {
                var,
                value: Value::Param { .. },
                ..
            } => Some(*var),
            _ => None,
        })
        .map(|var| {
            reverser.vars[var]
                .varied
                .then(|| match reverser.state[var] {
                    Some(adj) => AExpr::Adj(adj),
                    None => AExpr::Zero(var),
                })
        })
        .collect();
    Adjoint {
        forward: Function {
            vars: reverser.vars,
            stmts: forward_stmts,
            output: ir.output,
        },
        adjoints: reverser.adjoints,
        stmts,
        grads,
        gates: reverser.gates,
        param_masks: reverser.masks,
        top_witnesses,
    }
}

/// `let mut a = zero; a += b;` becomes `let mut a = b;`: a place's adjoint (zeroed where
/// the place is defined, for the element stores that clear parts of it) whose first
/// contribution is a whole value starts as that value instead of adding it to zeros,
/// which the compiler cannot fold (`0.0 + x` is not `x` for `x = -0.0`).
fn start_from_first_contribution(block: &mut Vec<AStmt>) {
    let mut i = 0;
    while i < block.len() {
        if i + 1 < block.len()
            && let AStmt::Init {
                adj,
                value: AExpr::Zero(_),
            } = &block[i]
            && let AStmt::Accumulate {
                adj: target,
                target: Target::Whole,
                value: value @ (AExpr::Adj(_) | AExpr::Copied(_)),
            } = &block[i + 1]
            && adj == target
        {
            block[i] = AStmt::Init {
                adj: *adj,
                value: value.clone(),
            };
            block.remove(i + 1);
        }
        match &mut block[i] {
            AStmt::If {
                then_block,
                else_block,
                ..
            } => {
                start_from_first_contribution(then_block);
                start_from_first_contribution(else_block);
            }
            AStmt::Loop { body, .. }
            | AStmt::Taped { body, .. }
            | AStmt::Checkpointed { body, .. } => start_from_first_contribution(body),
            _ => {}
        }
        i += 1;
    }
}

struct Reverser {
    /// Whether `#[checkpoint]` loops are checkpointed (else taped like the others); also
    /// whether other loops are reversed from their tapes alone (`taped`), which `f_hvp`'s
    /// sweep does not do yet: it replays them.
    checkpointing: bool,
    /// How many taped loops enclose the statement being reversed.
    taped_depth: usize,
    /// How many taped loops enclose the statement being augmented.
    taped_forward: usize,
    /// What each taped loop records, by address (see `marks`).
    plans: HashMap<*const Stmt, LoopPlan>,
    /// What each `if` inside a taped loop hands out of its branches, by address.
    handouts: HashMap<*const Stmt, Handout>,
    /// Variables whose values hold pullbacks (a branch's handout): their tapes take `Option`s.
    non_copy: BTreeSet<VarId>,
    /// Each forward variable's parameters (`activity::param_masks`).
    masks: Vec<u64>,
    /// Calls in taped loops that the reverse sweep makes again (see `provide`).
    recalled: BTreeSet<VarId>,
    /// See `Adjoint::gates`.
    gates: HashMap<VarId, usize>,
    /// The forward variables, grown by the marks of logged places.
    vars: Vec<Var>,
    active: Vec<bool>,
    /// The primal of each adjoint.
    adjoints: Vec<VarId>,
    /// Each forward variable's adjoint at the current point of the sweep.
    state: Vec<Option<AdjId>>,
    /// Places with an undo log, and its kind.
    logged: HashMap<VarId, Log>,
    /// The undo-log marks of each region (by the address of its statement, which is stable
    /// for the life of the forward IR), so the forward pass and every replay of a region
    /// name the same variables.
    marks: HashMap<*const Stmt, Vec<(VarId, VarId)>>,
    /// `branch_kept` of each `if`, by address.
    branch_cache: HashMap<*const Stmt, Option<BranchKept>>,
    /// For each block being reversed, innermost last: the unary ops it computes, by (op,
    /// operand), for `Prim::partner`.
    unary_ops: Vec<HashMap<(&'static str, VarId), VarId>>,
}

/// What an `if` keeps of its branches: each branch's costly values, and the variables that
/// carry them out as `Option`s of tuples (`Some` bound in the branch that computes them,
/// `None` in the other, merged by a phi into `*_out`).
#[derive(Clone)]
struct BranchKept {
    then_values: Vec<VarId>,
    else_values: Vec<VarId>,
    then_some: VarId,
    then_none: VarId,
    then_out: VarId,
    else_some: VarId,
    else_none: VarId,
    else_out: VarId,
}

impl Reverser {
    fn new_adjoint(&mut self, primal: VarId) -> AdjId {
        self.adjoints.push(primal);
        self.adjoints.len() - 1
    }

    /// The forward pass of `block` as `f_grad` runs it. With `top`, the block's own
    /// reversed loops push tapes and its calls keep their pullbacks (nested regions are
    /// replayed by the reverse sweep, which does that for them); at any depth, stores to
    /// logged places keep their undo logs.
    fn augment(&mut self, block: &[Stmt], top: bool) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(block.len());
        for stmt in block {
            match stmt {
                Stmt::Let { var, ty, value } => {
                    let mut value = value.clone();
                    if let Value::Call { keep_pullback, .. } = &mut value {
                        // A call the reverse sweep makes again keeps no pullback here.
                        *keep_pullback = (top || self.taped_forward > 0)
                            && self.active[*var]
                            && !self.recalled.contains(var);
                    }
                    out.push(Stmt::Let {
                        var: *var,
                        ty: ty.clone(),
                        value,
                    });
                    if let Some(log) = self.logged.get(var).filter(|_| self.vars[*var].place) {
                        out.push(Stmt::NewLog {
                            place: *var,
                            log: *log,
                        });
                    }
                }
                Stmt::Effect(_) | Stmt::NewLog { .. } => out.push(stmt.clone()),
                Stmt::Store {
                    place,
                    path,
                    value,
                    span,
                    ..
                } => out.push(Stmt::Store {
                    place: *place,
                    path: path.clone(),
                    value: *value,
                    span: *span,
                    log: self.logged.get(place).copied().unwrap_or(Log::None),
                }),
                Stmt::Push {
                    place, value, span, ..
                } => out.push(Stmt::Push {
                    place: *place,
                    value: *value,
                    span: *span,
                    log: self.logged.get(place).copied().unwrap_or(Log::None),
                }),
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } if self.taped_forward > 0 => {
                    let mut then_block = self.augment(then_block, false);
                    let mut else_block = self.augment(else_block, false);
                    let mut phis = phis.clone();
                    if let Some(handout) = self.handouts.get(&(stmt as *const Stmt)).cloned() {
                        self.hand_out(&handout, &mut then_block, &mut else_block, &mut phis);
                    }
                    out.push(Stmt::If {
                        cond: *cond,
                        then_block,
                        else_block,
                        phis,
                    });
                }
                Stmt::Loop {
                    id,
                    kind,
                    body,
                    carried,
                    checkpoint,
                    ..
                } if (top || self.taped_forward > 0)
                    && self.plans.contains_key(&(stmt as *const Stmt)) =>
                {
                    let plan = self.plans[&(stmt as *const Stmt)].clone();
                    self.taped_forward += 1;
                    let kind = match kind {
                        LoopKind::For {
                            pat,
                            iter,
                            trip_count,
                        } => LoopKind::For {
                            pat: *pat,
                            iter: iter.clone(),
                            trip_count: trip_count.clone(),
                        },
                        LoopKind::While { cond_block, cond } => LoopKind::While {
                            cond_block: self.augment(cond_block, false),
                            cond: *cond,
                        },
                    };
                    let mut witness_slots = Vec::new();
                    if !plan.nested {
                        witness_slots.extend(&plan.items.witnesses);
                        self.witness_slots(body, &mut witness_slots);
                    }
                    let body = self.augment(body, false);
                    self.taped_forward -= 1;
                    let records = plan.count.is_some()
                        || !plan.items.is_empty()
                        || !plan.hoists.is_empty()
                        || !witness_slots.is_empty();
                    let tape = records.then(|| LoopTape {
                        pushed: plan.items.pushed,
                        checkpointed: false,
                        pullbacks: plan.items.pullbacks,
                        witnesses: plan.items.witnesses,
                        witness_slots,
                        walks_range: plan.walks_range,
                        capacity: plan.capacity,
                        hoisted: plan.nested,
                        count: plan.count,
                        hoists: plan.hoists,
                        on_heap: plan.on_heap,
                    });
                    out.push(Stmt::Loop {
                        id: *id,
                        kind,
                        body,
                        carried: carried.clone(),
                        tape,
                        checkpoint: checkpoint.clone(),
                    });
                }
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } => {
                    for (place, mark) in self.region_marks(stmt) {
                        out.push(Stmt::Let {
                            var: mark,
                            ty: None,
                            value: Value::LogLen { place },
                        });
                    }
                    let mut then_block = self.augment(then_block, false);
                    let mut else_block = self.augment(else_block, false);
                    let mut phis = phis.clone();
                    if let Some(kept) = self.branch_kept(stmt) {
                        // Each branch hands its costly values out of the `if` in an
                        // `Option` of a tuple: `Some` from the branch that ran.
                        let some = |vars: &[VarId], this: &Self| {
                            let idents = vars.iter().map(|v| var_ident(*v, this.vars[*v].span));
                            Value::Inert(
                                quote::quote!(::core::option::Option::Some((#(#idents,)*))),
                            )
                        };
                        let none = Value::Inert(quote::quote!(::core::option::Option::None));
                        then_block.push(Stmt::Let {
                            var: kept.then_some,
                            ty: None,
                            value: some(&kept.then_values, self),
                        });
                        then_block.push(Stmt::Let {
                            var: kept.else_none,
                            ty: None,
                            value: none.clone(),
                        });
                        else_block.push(Stmt::Let {
                            var: kept.then_none,
                            ty: None,
                            value: none,
                        });
                        else_block.push(Stmt::Let {
                            var: kept.else_some,
                            ty: None,
                            value: some(&kept.else_values, self),
                        });
                        phis.push(Phi {
                            out: kept.then_out,
                            then_value: kept.then_some,
                            else_value: kept.then_none,
                        });
                        phis.push(Phi {
                            out: kept.else_out,
                            then_value: kept.else_none,
                            else_value: kept.else_some,
                        });
                    }
                    out.push(Stmt::If {
                        cond: *cond,
                        then_block,
                        else_block,
                        phis,
                    });
                }
                Stmt::Loop {
                    id,
                    kind,
                    body,
                    carried,
                    checkpoint,
                    ..
                } => {
                    let reversed = top && self.loop_is_reversed(body, carried);
                    let checkpointed = checkpoint.is_some() && self.checkpointing;
                    let mut new_body = Vec::new();
                    let kind = match kind {
                        LoopKind::For {
                            pat,
                            iter,
                            trip_count,
                        } => LoopKind::For {
                            pat: *pat,
                            iter: iter.clone(),
                            trip_count: trip_count.clone(),
                        },
                        LoopKind::While { cond_block, cond } => LoopKind::While {
                            cond_block: self.augment(cond_block, false),
                            cond: *cond,
                        },
                    };
                    let tape = if reversed && checkpointed {
                        Some(LoopTape {
                            checkpointed: true,
                            ..LoopTape::default()
                        })
                    } else if reversed {
                        let mut pushed: Vec<VarId> = carried.iter().map(|c| c.phi).collect();
                        if let LoopKind::For { pat: Some(pat), .. } = &kind {
                            pushed.push(*pat);
                        }
                        for (place, mark) in self.region_marks(stmt) {
                            new_body.push(Stmt::Let {
                                var: mark,
                                ty: None,
                                value: Value::LogLen { place },
                            });
                            pushed.push(mark);
                        }
                        // Pushed at the end of the iteration, where they are all bound.
                        pushed.extend(self.kept(body));
                        Some(LoopTape {
                            pushed,
                            ..LoopTape::default()
                        })
                    } else {
                        None
                    };
                    new_body.extend(self.augment(body, false));
                    out.push(Stmt::Loop {
                        id: *id,
                        kind,
                        body: new_body,
                        carried: carried.clone(),
                        tape,
                        checkpoint: checkpoint.clone(),
                    });
                }
            }
        }
        out
    }

    /// The values of a loop body the tape keeps rather than the reverse sweep
    /// recomputing them: active results of costly primitives at the body's top level.
    fn kept(&self, body: &[Stmt]) -> Vec<VarId> {
        body.iter()
            .filter_map(|stmt| match stmt {
                Stmt::Let {
                    var,
                    value: Value::Prim { prim, .. },
                    ..
                } if prim.costly && self.active[*var] => Some(*var),
                _ => None,
            })
            .collect()
    }

    /// The costly values each branch of an `if` keeps for its reverse (see `kept`), and the
    /// variables that carry them out of the `if`; made once per `if`, so the forward pass
    /// and every replay name the same variables.
    fn branch_kept(&mut self, stmt: &Stmt) -> Option<BranchKept> {
        if !self.checkpointing {
            return None;
        }
        let key = stmt as *const Stmt;
        if let Some(kept) = self.branch_cache.get(&key) {
            return kept.clone();
        }
        let Stmt::If {
            then_block,
            else_block,
            ..
        } = stmt
        else {
            return None;
        };
        let (then_values, else_values) = (self.kept(then_block), self.kept(else_block));
        let kept = if then_values.is_empty() && else_values.is_empty() {
            None
        } else {
            let span = then_values
                .first()
                .or(else_values.first())
                .map(|v| self.vars[*v].span)
                .unwrap_or_else(proc_macro2::Span::call_site);
            let mut fresh = || {
                self.vars.push(Var {
                    name: None,
                    span,
                    varied: false,
                    mutable: false,
                    place: false,
                    literal_zero: None,
                    numeric: false,
                });
                self.active.push(false);
                self.vars.len() - 1
            };
            Some(BranchKept {
                then_some: fresh(),
                then_none: fresh(),
                then_out: fresh(),
                else_some: fresh(),
                else_none: fresh(),
                else_out: fresh(),
                then_values,
                else_values,
            })
        };
        self.branch_cache.insert(key, kept.clone());
        kept
    }

    /// A loop needs reversing when anything in it is active.
    fn loop_is_reversed(&self, body: &[Stmt], carried: &[Carry]) -> bool {
        carried
            .iter()
            .any(|c| self.active[c.out] || self.active[c.phi])
            || any_active(body, &self.active)
    }

    /// The marks a region takes of the logged places it stores to and does not define.
    fn region_marks(&mut self, stmt: &Stmt) -> Vec<(VarId, VarId)> {
        let key = stmt as *const Stmt;
        if let Some(marks) = self.marks.get(&key) {
            return marks.clone();
        }
        let (stored, defined) = match stmt {
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                let mut stored = stores(then_block);
                stored.extend(stores(else_block));
                let mut defined = definitions(then_block);
                defined.extend(definitions(else_block));
                (stored, defined)
            }
            Stmt::Loop { body, kind, .. } => {
                let mut stored = stores(body);
                let mut defined = definitions(body);
                if let LoopKind::While { cond_block, .. } = kind {
                    stored.extend(stores(cond_block));
                    defined.extend(definitions(cond_block));
                }
                (stored, defined)
            }
            _ => (BTreeSet::new(), BTreeSet::new()),
        };
        let mut marks = Vec::new();
        for place in stored {
            if self.logged.contains_key(&place) && !defined.contains(&place) {
                let span = self.vars[place].span;
                self.vars.push(Var {
                    name: None,
                    span,
                    varied: false,
                    mutable: false,
                    place: false,
                    literal_zero: None,
                    numeric: false,
                });
                marks.push((place, self.vars.len() - 1));
            }
        }
        self.marks.insert(key, marks.clone());
        marks
    }

    fn block(&mut self, block: &[Stmt], out: &mut Vec<AStmt>) {
        // A place's adjoint lives as long as the place: from the end of the block that
        // defines it, backwards.
        for stmt in block {
            if let Stmt::Let { var, .. } = stmt
                && self.vars[*var].place
                && self.active[*var]
            {
                let adj = self.new_adjoint(*var);
                out.push(AStmt::Init {
                    adj,
                    value: AExpr::Zero(*var),
                });
                self.state[*var] = Some(adj);
            }
        }
        // Every value of the block is bound where its reverse runs (read by the pullback,
        // replayed, or kept on a tape), so a VJP may read any of them.
        let unary_ops = block
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Let {
                    var,
                    value: Value::Prim { prim, operands, .. },
                    ..
                } if operands.len() == 1 => Some(((prim.name, operands[0]), *var)),
                _ => None,
            })
            .collect();
        self.unary_ops.push(unary_ops);
        for stmt in block.iter().rev() {
            match stmt {
                Stmt::Let { var, value, .. } if self.active[*var] => self.vjp(*var, value, out),
                Stmt::Let { .. } | Stmt::Effect(_) | Stmt::NewLog { .. } => {}
                Stmt::Store {
                    place, path, value, ..
                } => {
                    if let Some(adj) = self.state[*place].filter(|_| self.active[*place]) {
                        if path.is_empty() {
                            // A copy: the place's adjoint is cleared next and lives on.
                            self.contribute(*value, Target::Whole, AExpr::Copied(adj), out);
                            out.push(AStmt::Assign {
                                adj,
                                value: AExpr::Zero(*place),
                            });
                        } else {
                            let part = AExpr::AdjPath(adj, path.clone());
                            self.contribute(*value, Target::Whole, part, out);
                            out.push(AStmt::Clear {
                                adj,
                                path: path.clone(),
                            });
                        }
                    }
                    if self.logged.contains_key(place) {
                        out.push(AStmt::Restore {
                            place: *place,
                            whole: path.is_empty(),
                        });
                    }
                }
                Stmt::Push { place, value, .. } => {
                    // The pushed element's adjoint is the last one of the place's.
                    if let Some(adj) = self.state[*place].filter(|_| self.active[*place]) {
                        let into = self.new_adjoint(*value);
                        out.push(AStmt::Pop { adj, into });
                        self.contribute(*value, Target::Whole, AExpr::Adj(into), out);
                    }
                    if self.logged.contains_key(place) {
                        out.push(AStmt::Restore {
                            place: *place,
                            whole: false,
                        });
                    }
                }
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } if self.taped_depth > 0 => {
                    self.reverse_if_handout(stmt, *cond, then_block, else_block, phis, out)
                }
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } => self.reverse_if(stmt, *cond, then_block, else_block, phis, out),
                Stmt::Loop {
                    id,
                    kind,
                    body,
                    carried,
                    ..
                } if self.is_taped(stmt) => {
                    self.reverse_loop_taped(stmt, *id, kind, body, carried, out)
                }
                Stmt::Loop {
                    id,
                    kind,
                    body,
                    carried,
                    checkpoint,
                    ..
                } => {
                    let checkpoint = checkpoint.as_ref().filter(|_| self.checkpointing);
                    self.reverse_loop(stmt, *id, kind, body, carried, checkpoint, out)
                }
            }
        }
        self.unary_ops.pop();
    }

    /// Adds `value` into the adjoint of `var` at `target` (if `var` is active).
    fn contribute(&mut self, var: VarId, target: Target, value: AExpr, out: &mut Vec<AStmt>) {
        if !self.active[var] {
            return;
        }
        match (self.state[var], &target) {
            (Some(adj), _) => out.push(AStmt::Accumulate { adj, target, value }),
            // The contribution's adjoint is never read again (it belongs to a value the
            // sweep is done with, or is a VJP's result): it becomes this one, uncopied.
            (None, Target::Whole) if matches!(value, AExpr::Adj(_)) => {
                let AExpr::Adj(adj) = value else {
                    unreachable!("matched above")
                };
                self.state[var] = Some(adj);
            }
            (None, Target::Whole) => {
                let adj = self.new_adjoint(var);
                out.push(AStmt::Init { adj, value });
                self.state[var] = Some(adj);
            }
            (None, _) => {
                let adj = self.new_adjoint(var);
                out.push(AStmt::Init {
                    adj,
                    value: AExpr::Zero(var),
                });
                out.push(AStmt::Accumulate { adj, target, value });
                self.state[var] = Some(adj);
            }
        }
    }

    /// Gives each active variable an adjoint before a region adds to it.
    fn promote(&mut self, vars: &BTreeSet<VarId>, out: &mut Vec<AStmt>) {
        for &var in vars {
            if self.active[var] && self.state[var].is_none() {
                let adj = self.new_adjoint(var);
                out.push(AStmt::Init {
                    adj,
                    value: AExpr::Zero(var),
                });
                self.state[var] = Some(adj);
            }
        }
    }

    /// The reverse of `let var = value`.
    fn vjp(&mut self, var: VarId, value: &Value, out: &mut Vec<AStmt>) {
        let Some(ct) = self.state[var] else {
            // Active values always have a consumer; nothing flows from one that has none.
            return;
        };
        match value {
            Value::Copy(source) => self.contribute(*source, Target::Whole, AExpr::Adj(ct), out),
            Value::Load { place, path } | Value::Project { base: place, path } => {
                let target = if path.is_empty() {
                    Target::Whole
                } else {
                    Target::Path(path.clone())
                };
                self.contribute(*place, target, AExpr::Adj(ct), out)
            }
            Value::Stack { elems, rows, .. } => {
                let cols = rows.map_or(1, |rows| elems.len() / rows);
                for (k, elem) in elems.iter().enumerate() {
                    let at = vec![Proj::Const(k / cols, k % cols)];
                    self.contribute(*elem, Target::Whole, AExpr::AdjPath(ct, at), out);
                }
            }
            Value::Repeat { elem, .. } => {
                self.contribute(*elem, Target::Whole, AExpr::SumOf(ct, *elem), out)
            }
            Value::Tuple(elems) | Value::Array(elems) | Value::VecOf(elems) => {
                let tuple = matches!(value, Value::Tuple(_));
                for (k, elem) in elems.iter().enumerate() {
                    let at = if tuple {
                        Proj::Field(syn::Member::Unnamed(syn::Index {
                            index: k as u32,
                            span: self.vars[*elem].span,
                        }))
                    } else {
                        Proj::Usize(k)
                    };
                    self.contribute(*elem, Target::Whole, AExpr::AdjPath(ct, vec![at]), out);
                }
            }
            Value::Struct { fields, .. } => {
                // A `#[no_grad]` field is data: its part of the adjoint reaches nothing.
                let data_free = self.new_adjoint(var);
                out.push(AStmt::Init {
                    adj: data_free,
                    value: AExpr::WithoutData(ct),
                });
                for (member, field) in fields {
                    let at = vec![Proj::Field(member.clone())];
                    self.contribute(*field, Target::Whole, AExpr::AdjPath(data_free, at), out);
                }
            }
            Value::Prim {
                prim,
                operands,
                spans,
                generic,
            } => match prim.accumulates {
                Accumulates::Rows => {
                    let target = Target::Rows {
                        start: operands[1],
                        rows: generic.clone().unwrap_or_default(),
                    };
                    self.contribute(operands[0], target, AExpr::Adj(ct), out)
                }
                Accumulates::Dense => {
                    let diff = value.diff_operands();
                    let results: Vec<Option<AdjId>> = diff
                        .iter()
                        .map(|v| self.active[*v].then(|| self.new_adjoint(*v)))
                        .collect();
                    // Not in `f_hvp`'s sweep, whose tangent rules take the op's own VJP.
                    let partner = prim
                        .partner
                        .filter(|_| self.checkpointing)
                        .and_then(|partner| {
                            let ops = self.unary_ops.last()?;
                            ops.get(&(partner.op, operands[0])).copied()
                        });
                    out.push(AStmt::Vjp {
                        var,
                        prim,
                        operands: operands.clone(),
                        spans: spans.clone(),
                        generic: generic.clone(),
                        ct,
                        results: results.clone(),
                        partner,
                    });
                    for (operand, result) in diff.iter().zip(results) {
                        if let Some(result) = result {
                            self.contribute(*operand, Target::Whole, AExpr::Adj(result), out);
                        }
                    }
                }
            },
            Value::Call { args, .. } => {
                let results: Vec<Option<AdjId>> = args
                    .iter()
                    .map(|v| self.active[*v].then(|| self.new_adjoint(*v)))
                    .collect();
                out.push(AStmt::Backward {
                    var,
                    ct,
                    results: results.clone(),
                });
                for (arg, result) in args.iter().zip(results) {
                    if let Some(result) = result {
                        self.contribute(*arg, Target::Whole, AExpr::Adj(result), out);
                    }
                }
            }
            Value::Param { .. } | Value::Inert(_) | Value::Detach(_) | Value::LogLen { .. } => {}
        }
    }

    fn undo(&self, marks: &[(VarId, VarId)], out: &mut Vec<AStmt>) {
        for &(place, mark) in marks {
            out.push(AStmt::UndoTo { place, mark });
        }
    }

    /// Variables bound outside an `if` that its branches may contribute to.
    fn if_outer_contributions(
        &self,
        then_block: &[Stmt],
        else_block: &[Stmt],
        phis: &[Phi],
    ) -> BTreeSet<VarId> {
        let mut outer = outer_contributions(then_block);
        outer.extend(outer_contributions(else_block));
        let then_defs = definitions(then_block);
        let else_defs = definitions(else_block);
        for phi in phis {
            if !then_defs.contains(&phi.then_value) {
                outer.insert(phi.then_value);
            }
            if !else_defs.contains(&phi.else_value) {
                outer.insert(phi.else_value);
            }
        }
        outer
    }

    /// Puts what a handout says at the end of each branch of an `if` (see `Handout`).
    fn hand_out(
        &self,
        handout: &Handout,
        then_block: &mut Vec<Stmt>,
        else_block: &mut Vec<Stmt>,
        phis: &mut Vec<Phi>,
    ) {
        let some = |items: &taped::Items| {
            let values = items.pushed.iter().map(|v| {
                let v = var_ident(*v, self.vars[*v].span);
                quote::quote!(::core::clone::Clone::clone(&#v))
            });
            let pullbacks = items.pullbacks.iter().map(|v| {
                crate::emit::pullback_ident(*v, crate::emit::hygienic(self.vars[*v].span))
            });
            let items: Vec<proc_macro2::TokenStream> = values
                .chain(pullbacks.map(quote::ToTokens::into_token_stream))
                .collect();
            // Nested like a tape entry, which is the pattern `Unpack` binds it to.
            let entry = crate::emit::tape_entry(items);
            Value::Inert(quote::quote!(::core::option::Option::Some(#entry)))
        };
        let none = || Value::Inert(quote::quote!(::core::option::Option::None));
        let sides = [
            (&handout.then_items, handout.then_vars, true),
            (&handout.else_items, handout.else_vars, false),
        ];
        for (items, [some_var, none_var, out], then) in sides {
            let (here, there) = match then {
                true => (&mut *then_block, &mut *else_block),
                false => (&mut *else_block, &mut *then_block),
            };
            for w in &items.witnesses {
                let span = self.vars[*w].span;
                let (slot, v) = (crate::emit::witness_ident(*w, span), var_ident(*w, span));
                here.push(Stmt::Effect(
                    quote::quote!(#slot = ::autodiff::__private::Witness::of(&#v);),
                ));
            }
            if !items.holds_values() {
                continue;
            }
            here.push(Stmt::Let {
                var: some_var,
                ty: None,
                value: some(items),
            });
            there.push(Stmt::Let {
                var: none_var,
                ty: None,
                value: none(),
            });
            let (then_value, else_value) = match then {
                true => (some_var, none_var),
                false => (none_var, some_var),
            };
            phis.push(Phi {
                out,
                then_value,
                else_value,
            });
        }
    }

    /// The adjoint of each differentiated carried value at the end of the iteration being
    /// reversed, initialised from the value's adjoint after the loop.
    fn carry_adjoints(&mut self, differentiated: &[&Carry], out: &mut Vec<AStmt>) -> Vec<AdjId> {
        let mut carry_adjs = Vec::new();
        for c in differentiated {
            let adj = self.new_adjoint(c.phi);
            let value = match self.state[c.out] {
                Some(a) => AExpr::Adj(a),
                None => AExpr::Zero(c.out),
            };
            out.push(AStmt::Init { adj, value });
            carry_adjs.push(adj);
        }
        carry_adjs
    }

    /// Gives an adjoint before the loop to each active value bound outside it that its
    /// body contributes to.
    fn promote_loop_outer(
        &mut self,
        kind: &LoopKind,
        body: &[Stmt],
        carried: &[Carry],
        differentiated: &[&Carry],
        out: &mut Vec<AStmt>,
    ) {
        let defs = definitions(body);
        let mut outer = outer_contributions(body);
        for c in carried {
            outer.remove(&c.phi);
        }
        if let LoopKind::For { pat: Some(pat), .. } = kind {
            outer.remove(pat);
        }
        // A carried value may end an iteration as another one's start value (`prev = y`):
        // that is bound by the loop itself, not outside it.
        let header: BTreeSet<VarId> = carried.iter().map(|c| c.phi).collect();
        for c in differentiated {
            if !defs.contains(&c.next) && !header.contains(&c.next) {
                outer.insert(c.next);
            }
        }
        self.promote(&outer, out);
    }

    /// The carried adjoints at the start of the iteration become those at the end of the
    /// one before. All at once: a carry's adjoint may have become another carried value's
    /// (`prev = y` makes y's start adjoint prev's carry), so every value is read before any
    /// is assigned.
    fn carry_reassignment(&self, differentiated: &[&Carry], carry_adjs: &[AdjId]) -> AStmt {
        let assigns = differentiated
            .iter()
            .zip(carry_adjs)
            .map(|(c, adj)| {
                let value = match self.state[c.phi] {
                    Some(a) => AExpr::Adj(a),
                    None => AExpr::Zero(c.phi),
                };
                (*adj, value)
            })
            .collect();
        AStmt::AssignAll(assigns)
    }

    fn reverse_if(
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
        let marks = self.region_marks(stmt);
        let cts: Vec<(usize, AdjId)> = phis
            .iter()
            .enumerate()
            .filter_map(|(i, phi)| Some((i, self.state.get(phi.out).copied().flatten()?)))
            .collect();
        let saved = self.state.clone();
        let kept = self.branch_kept(stmt);
        let branch = |this: &mut Self, block: &[Stmt], then: bool| {
            // Reversed first: that decides what the taped loops in the branch record.
            let mut reversed = Vec::new();
            for (i, ct) in &cts {
                let phi = &phis[*i];
                let source = if then { phi.then_value } else { phi.else_value };
                this.contribute(source, Target::Whole, AExpr::Adj(*ct), &mut reversed);
            }
            this.block(block, &mut reversed);
            this.state.clone_from(&saved);
            let mut tokens = Vec::new();
            this.undo(&marks, &mut tokens);
            let mut replay = this.augment(block, true);
            // The costly values the branch handed out are taken back, not recomputed.
            if let Some(kept) = &kept {
                let (opt, values) = if then {
                    (kept.then_out, &kept.then_values)
                } else {
                    (kept.else_out, &kept.else_values)
                };
                let opt_ident = var_ident(opt, this.vars[opt].span);
                for stmt in &mut replay {
                    if let Stmt::Let { var, value, .. } = stmt
                        && let Some(j) = values.iter().position(|v| v == var)
                    {
                        let j = syn::Index::from(j);
                        *value = Value::Inert(quote::quote!(
                            ::core::option::Option::expect(
                                ::core::clone::Clone::clone(&#opt_ident),
                                "the branch that ran handed out its values",
                            ).#j
                        ));
                    }
                }
            }
            tokens.push(AStmt::Replay(replay));
            tokens.extend(reversed);
            tokens
        };
        let then_stmts = branch(self, then_block, true);
        let else_stmts = branch(self, else_block, false);
        out.push(AStmt::If {
            cond,
            then_block: then_stmts,
            else_block: else_stmts,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn reverse_loop(
        &mut self,
        stmt: &Stmt,
        id: usize,
        kind: &LoopKind,
        body: &[Stmt],
        carried: &[Carry],
        checkpoint: Option<&proc_macro2::TokenStream>,
        out: &mut Vec<AStmt>,
    ) {
        if !self.loop_is_reversed(body, carried) {
            return;
        }
        let differentiated: Vec<&Carry> = carried
            .iter()
            .filter(|c| self.active[c.out] || self.active[c.phi])
            .collect();
        let carry_adjs = self.carry_adjoints(&differentiated, out);
        self.promote_loop_outer(kind, body, carried, &differentiated, out);
        let marks = self.region_marks(stmt);
        let saved = self.state.clone();
        let mut inner = Vec::new();
        self.undo(&marks, &mut inner);
        // A taped iteration pops what the tape kept instead of recomputing it.
        let kept = if checkpoint.is_none() {
            self.kept(body)
        } else {
            Vec::new()
        };
        // Reversed first: that decides what the taped loops in the body record.
        let mut reversed = Vec::new();
        for (c, adj) in differentiated.iter().zip(&carry_adjs) {
            self.contribute(c.next, Target::Whole, AExpr::Adj(*adj), &mut reversed);
        }
        self.block(body, &mut reversed);
        let mut replay = self.augment(body, true);
        replay.retain(|s| !matches!(s, Stmt::Let { var, .. } if kept.contains(var)));
        inner.push(AStmt::Replay(replay));
        inner.extend(reversed);
        // All at once: a carry's adjoint may have become another carried value's (`prev =
        // y` makes y's start adjoint prev's carry), so every value is read before any is
        // assigned.
        let assigns = differentiated
            .iter()
            .zip(&carry_adjs)
            .map(|(c, adj)| {
                let value = match self.state[c.phi] {
                    Some(a) => AExpr::Adj(a),
                    None => AExpr::Zero(c.phi),
                };
                (*adj, value)
            })
            .collect();
        inner.push(AStmt::AssignAll(assigns));
        self.state = saved;
        if let Some(snapshots) = checkpoint {
            // Recomputing an iteration from a snapshot runs the body's plain forward pass
            // (a `while` loop's condition block first, for what the body reads of it).
            let mut advance = Vec::new();
            if let LoopKind::While { cond_block, .. } = kind {
                advance.extend(cond_block.iter().cloned());
            }
            advance.extend(body.iter().cloned());
            let (pat, is_for) = match kind {
                LoopKind::For { pat, .. } => (*pat, true),
                LoopKind::While { .. } => (None, false),
            };
            out.push(AStmt::Checkpointed {
                id,
                snapshots: snapshots.clone(),
                phis: carried.iter().map(|c| c.phi).collect(),
                pat,
                is_for,
                advance,
                nexts: carried.iter().map(|c| c.next).collect(),
                body: inner,
            });
        } else {
            let mut popped: Vec<VarId> = carried.iter().map(|c| c.phi).collect();
            if let LoopKind::For { pat: Some(pat), .. } = kind {
                popped.push(*pat);
            }
            popped.extend(marks.iter().map(|(_, mark)| *mark));
            popped.extend(kept);
            out.push(AStmt::Loop {
                id,
                popped,
                body: inner,
            });
        }
        for (c, adj) in differentiated.iter().zip(&carry_adjs) {
            self.contribute(c.init, Target::Whole, AExpr::Adj(*adj), out);
        }
    }
}

/// Whether any statement of `block` (at any depth) is active.
fn any_active(block: &[Stmt], active: &[bool]) -> bool {
    block.iter().any(|stmt| match stmt {
        Stmt::Let { var, .. } => active[*var],
        Stmt::Store { place, .. } | Stmt::Push { place, .. } => active[*place],
        Stmt::Effect(_) | Stmt::NewLog { .. } => false,
        Stmt::If {
            then_block,
            else_block,
            phis,
            ..
        } => {
            phis.iter().any(|p| active[p.out])
                || any_active(then_block, active)
                || any_active(else_block, active)
        }
        Stmt::Loop { body, carried, .. } => {
            carried.iter().any(|c| active[c.out] || active[c.phi]) || any_active(body, active)
        }
    })
}

/// Places that need an undo log: those loaded inside a replayed region nested in the
/// block that defines them (a replay of that region reads them, so they must be as they
/// were), and stored to at all. With `taped`, loops are reversed from their tapes (see
/// `taped`) and so are the `if`s inside them: those regions replay nothing.
fn logged_places(ir: &Function, taped: bool) -> HashMap<VarId, Log> {
    struct Walk {
        taped: bool,
        defined_at: HashMap<VarId, usize>,
        loaded_deeper: BTreeSet<VarId>,
        stored: HashMap<VarId, Log>,
        /// For each region around the statement, outermost first: whether it is replayed.
        replayed: Vec<bool>,
    }
    impl Walk {
        fn block(&mut self, block: &[Stmt], in_taped: bool) {
            let depth = self.replayed.len();
            for stmt in block {
                match stmt {
                    Stmt::Let { var, value, .. } => {
                        if let Value::Load { place, .. } = value
                            && let Some(d) = self.defined_at.get(place)
                            && self.replayed[*d..depth].iter().any(|r| *r)
                        {
                            self.loaded_deeper.insert(*place);
                        }
                        self.defined_at.insert(*var, depth);
                    }
                    Stmt::Push { place, .. } => {
                        self.stored.entry(*place).or_insert(Log::Elements);
                    }
                    Stmt::Store { place, path, .. } => {
                        let kind = match path.as_slice() {
                            [] | [Proj::Var(_)] => Log::Elements,
                            _ => Log::Parts,
                        };
                        let entry = self.stored.entry(*place).or_insert(kind);
                        if kind == Log::Parts {
                            *entry = Log::Parts;
                        }
                    }
                    Stmt::Effect(_) | Stmt::NewLog { .. } => {}
                    Stmt::If {
                        then_block,
                        else_block,
                        ..
                    } => {
                        self.replayed.push(!in_taped);
                        self.block(then_block, in_taped);
                        self.block(else_block, in_taped);
                        self.replayed.pop();
                    }
                    Stmt::Loop {
                        body,
                        kind,
                        checkpoint,
                        ..
                    } => {
                        let taped = in_taped
                            || (self.taped
                                && checkpoint.is_none()
                                && !taped::holds_checkpoint(body));
                        self.replayed.push(!taped);
                        if let LoopKind::While { cond_block, .. } = kind {
                            self.block(cond_block, taped);
                        }
                        self.block(body, taped);
                        self.replayed.pop();
                    }
                }
            }
        }
    }
    let mut walk = Walk {
        taped,
        defined_at: HashMap::new(),
        loaded_deeper: BTreeSet::new(),
        stored: HashMap::new(),
        replayed: Vec::new(),
    };
    walk.block(&ir.stmts, false);
    let Walk {
        mut stored,
        loaded_deeper,
        ..
    } = walk;
    stored.retain(|place, _| loaded_deeper.contains(place));
    stored
}

/// The places a block stores to, at any depth.
fn stores(block: &[Stmt]) -> BTreeSet<VarId> {
    let mut places = BTreeSet::new();
    for stmt in block {
        match stmt {
            Stmt::Store { place, .. } | Stmt::Push { place, .. } => {
                places.insert(*place);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                places.extend(stores(then_block));
                places.extend(stores(else_block));
            }
            Stmt::Loop { body, kind, .. } => {
                places.extend(stores(body));
                if let LoopKind::While { cond_block, .. } = kind {
                    places.extend(stores(cond_block));
                }
            }
            Stmt::Let { .. } | Stmt::Effect(_) | Stmt::NewLog { .. } => {}
        }
    }
    places
}

/// Every variable a block binds, including in nested regions.
fn definitions(block: &[Stmt]) -> BTreeSet<VarId> {
    let mut defs = BTreeSet::new();
    for stmt in block {
        match stmt {
            Stmt::Let { var, .. } => {
                defs.insert(*var);
            }
            Stmt::Effect(_) | Stmt::Store { .. } | Stmt::Push { .. } | Stmt::NewLog { .. } => {}
            Stmt::If {
                then_block,
                else_block,
                phis,
                ..
            } => {
                defs.extend(definitions(then_block));
                defs.extend(definitions(else_block));
                defs.extend(phis.iter().map(|p| p.out));
            }
            Stmt::Loop {
                kind,
                body,
                carried,
                ..
            } => {
                defs.extend(definitions(body));
                for c in carried {
                    defs.insert(c.phi);
                    defs.insert(c.out);
                }
                match kind {
                    LoopKind::For { pat, .. } => defs.extend(*pat),
                    LoopKind::While { cond_block, cond } => {
                        defs.extend(definitions(cond_block));
                        defs.insert(*cond);
                    }
                }
            }
        }
    }
    defs
}

/// Variables bound outside `block` that may receive contributions inside it.
fn outer_contributions(block: &[Stmt]) -> BTreeSet<VarId> {
    let mut used = BTreeSet::new();
    collect_targets(block, &mut used);
    let defs = definitions(block);
    used.retain(|v| !defs.contains(v));
    used
}

fn collect_targets(block: &[Stmt], targets: &mut BTreeSet<VarId>) {
    for stmt in block {
        match stmt {
            Stmt::Let { value, .. } => targets.extend(value.diff_operands()),
            Stmt::Store { value, .. } | Stmt::Push { value, .. } => {
                targets.insert(*value);
            }
            Stmt::Effect(_) | Stmt::NewLog { .. } => {}
            Stmt::If {
                then_block,
                else_block,
                phis,
                ..
            } => {
                collect_targets(then_block, targets);
                collect_targets(else_block, targets);
                for phi in phis {
                    targets.insert(phi.then_value);
                    targets.insert(phi.else_value);
                }
            }
            Stmt::Loop { body, carried, .. } => {
                collect_targets(body, targets);
                for c in carried {
                    targets.insert(c.init);
                    targets.insert(c.next);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::reverse_str;
    use quote::quote;

    fn assert_dump(got: &str, want: &str) {
        let want: Vec<&str> = want
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect();
        let got: Vec<&str> = got.lines().map(str::trim_end).collect();
        assert_eq!(got, want, "\ngot:\n{}\n", got.join("\n"));
    }

    #[test]
    fn straight_line_code_accumulates_each_adjoint_once() {
        let text = reverse_str(quote! {
            fn f(a: Tensor<f64, 3>) -> f64 {
                let b = a * a;
                let c = b.sin() + a;
                c.sum()
            }
        });
        assert_dump(
            &text,
            "
forward:
  *%0:a = param 0
  *%1:b = mul %0:a, %0:a
  *%2 = sin %1:b
  *%3:c = add %2, %0:a
  *%4 = sum %3:c
reverse:
  ct1(c) = vjp of %4 with ct0(%4)
  ct2(%2), ct3(a) = vjp of %3:c with ct1(c)
  ct4(b) = vjp of %2 with ct2(%2)
  ct5(a), ct6(a) = vjp of %1:b with ct4(b)
  ct3(a) += ct5(a)
  ct3(a) += ct6(a)
gradients (ct3(a))
",
        );
    }

    #[test]
    fn an_element_read_in_a_loop_adds_into_one_element() {
        let text = reverse_str(quote! {
            fn f(x: Tensor<f64, 8>) -> f64 {
                let mut s = 0.0;
                for i in 0..8 {
                    s = s + x[i] * x[i];
                }
                s
            }
        });
        // `x[i]` of a parameter is loaded again, not taped: the loop keeps no tape.
        assert!(!text.contains("new tape"), "{text}");
        assert!(text.contains("*%5 = project %0:x[%4]\n       %6"), "{text}");
        // x's adjoint exists before the loop and each iteration adds into element i.
        assert!(text.contains("ct2(x) = zero like %0:x"), "{text}");
        assert!(text.contains("ct2(x)[%4] += ct5(%5)"), "{text}");
        assert!(
            !text.contains("vjp of %5"),
            "an index has no dense VJP: {text}"
        );
    }

    #[test]
    fn an_if_replays_its_branch_and_a_while_loop_reverses_from_its_tape() {
        let text = reverse_str(quote! {
            fn f(x: f64) -> f64 {
                let mut y = x;
                while y < 10.0 {
                    y = y * 2.0;
                }
                if y > 12.0 { y.sin() } else { y * y }
            }
        });
        assert_dump(
            &text,
            "
forward:
  *%0:x = param 0
  *%1:y = copy %0:x
   new witness of %2:y
   new witness of %6:y
   (each iteration witnesses the types of %2:y, %6:y)
   (counts iterations into %19)
   while [%2:y <- %1:y / %6:y] {
     %3 = inert 10.0
     %4 = inert __ad_v2 < __ad_v3
     break unless %4
     %5 = inert 2.0
    *%6:y = mul %2:y, %5
   }
  *%7:y = after loop %2:y
   %8 = inert 12.0
   %9 = inert __ad_v7 > __ad_v8
   if %9 {
    *%10 = sin %7:y
     %13 = inert :: core :: option :: Option :: Some ((__ad_v10 ,))
     %17 = inert :: core :: option :: Option :: None
   } else {
    *%11 = mul %7:y, %7:y
     %14 = inert :: core :: option :: Option :: None
     %16 = inert :: core :: option :: Option :: Some (())
   }
  *%12 = phi %10, %11
   %15 = phi %13, %14
   %18 = phi %17, %16
reverse:
  ct1(y) = zero like %7:y
  if %9 {
    replay {
      *%10 = inert :: core :: option :: Option :: expect (:: core :: clone :: Clone :: clone (& __ad_v15) , \"the branch that ran handed out its values\" ,) . 0
    }
    ct2(y) = vjp of %10 with ct0(%12)
    ct1(y) += ct2(y)
  } else {
    replay {
      *%11 = mul %7:y, %7:y
    }
    ct3(y), ct4(y) = vjp of %11 with ct0(%12)
    ct1(y) += ct3(y)
    ct1(y) += ct4(y)
  }
  ct5(y) = ct1(y)
  reverse of loop 0, %19 times, popping (type of %2:y, type of %6:y) {
    replay {
       %5 = inert 2.0
    }
    ct6(y), _ = vjp of %6:y with ct5(y)
    ct5(y) := ct6(y) (together)
  }
gradients (ct5(y))
",
        );
    }

    #[test]
    fn a_call_keeps_its_pullback_and_a_store_moves_its_adjoint() {
        let text = reverse_str(quote! {
            fn f(x: Tensor<f64, 2>) -> f64 {
                let mut y = x;
                y[0] = helper(x[1]);
                y.sum()
            }
        });
        assert!(text.contains("call (keep pullback) helper"), "{text}");
        assert!(text.contains("pullback of"), "{text}");
        // The store hands y[0]'s adjoint to the stored value and clears it.
        assert!(text.contains("[%"), "{text}");
        assert!(text.contains(":= 0"), "{text}");
        assert!(
            !text.contains("logged"),
            "straight-line stores need no undo log: {text}"
        );
    }

    #[test]
    fn sine_and_cosine_of_one_angle_read_each_other() {
        let text = reverse_str(quote! {
            fn f(t: f64, x: f64) -> f64 {
                let c = t.cos();
                let s = t.sin();
                x * c + s * s + x.sin()
            }
        });
        assert!(text.contains("vjp of %3:s from %2:c"), "{text}");
        assert!(text.contains("vjp of %2:c from %3:s"), "{text}");
        // `x.sin()` has no cosine of `x` beside it.
        assert_eq!(text.matches(" from ").count(), 2, "{text}");
    }

    #[test]
    fn a_place_read_in_a_replayed_branch_keeps_an_undo_log() {
        let text = reverse_str(quote! {
            fn f(x: Tensor<f64, 4>) -> f64 {
                let mut y = x;
                if x[0] > 0.0 {
                    y[1] = y[1] * y[0];
                } else {
                    y[2] = y[2] * y[0];
                }
                y[0] = y[3] * y[1];
                y.sum()
            }
        });
        assert!(text.contains("new undo log of"), "{text}");
        assert!(text.contains("(logged)"), "{text}");
        assert!(text.contains("undo "), "{text}");
        assert!(text.contains("restore "), "{text}");
    }

    #[test]
    fn a_place_read_in_a_taped_loop_keeps_no_undo_log() {
        let text = reverse_str(quote! {
            fn f(x: Tensor<f64, 4>) -> f64 {
                let mut y = x;
                for i in 1..4 {
                    y[i] = y[i] + y[i - 1];
                }
                y.sum()
            }
        });
        assert!(!text.contains("undo log"), "{text}");
        assert!(!text.contains("(logged)"), "{text}");
    }
}

#[cfg(test)]
mod tests_support {
    use crate::args::Args;
    use crate::errors::Errors;
    use crate::valid::Signature;
    use proc_macro2::TokenStream;
    use quote::quote;

    /// The adjoint IR of `item`, as text.
    pub fn reverse_str(item: TokenStream) -> String {
        let mut errors = Errors::default();
        let args = Args::from_tokens(quote!(), &mut errors);
        let item: syn::ItemFn = syn::parse2(item).expect("a function");
        let sig = Signature::validate(&item, &args, &mut errors).expect("a valid signature");
        let ir = crate::lower::lower(&sig, &item.block, &mut errors);
        assert!(errors.is_empty(), "{}", errors.to_compile_errors());
        let active = crate::activity::active(&ir);
        let text = super::reverse(&ir, &active).to_string();
        if std::env::var_os("AUTODIFF_PRINT_IR").is_some() {
            println!("{text}");
        }
        text
    }
}

#[cfg(test)]
mod taped_tests {
    use super::tests_support::reverse_str;
    use quote::quote;

    /// Every VJP of a linear stencil is linear: its reverse sweep reads only the loop
    /// counters, which it walks backwards, so the forward pass records nothing.
    #[test]
    fn a_heat_stencil_tapes_nothing_and_replays_nothing() {
        let text = reverse_str(quote! {
            fn f(u0: Tensor<f64, 8>) -> f64 {
                let mut u = u0;
                for _ in 0..10 {
                    let mut u_new = u;
                    for i in 1..7 {
                        u_new[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
                    }
                    u = u_new;
                }
                (u * u).sum()
            }
        });
        // Nothing on a tape: the VJPs read values only for their types, which witnesses
        // carry without taking room.
        assert!(!text.contains("each iteration pushes"), "{text}");
        assert!(!text.contains("new tape"), "{text}");
        assert!(
            text.contains("each iteration witnesses the types of"),
            "{text}"
        );
        assert!(!text.contains("replay {\n         %7"), "{text}");
        assert!(!text.contains("logged"), "{text}");
        assert!(text.contains("in (1 .. 7).rev()"), "{text}");
    }

    /// A product's VJP reads the other operand; a sine its input. The spring pushes the
    /// two carried values it multiplies by, nothing else.
    #[test]
    fn a_loop_tapes_exactly_what_its_vjps_read() {
        let text = reverse_str(quote! {
            fn f(k: f64, x0: f64) -> f64 {
                let mut x = x0;
                let mut v = 0.0;
                for _ in 0..10 {
                    let a = -k * x;
                    v = v + a * 0.1;
                    x = (x + v * 0.1).sin();
                }
                x
            }
        });
        let reverse = text.split("reverse:").nth(1).unwrap_or_default();
        assert!(
            !reverse.contains(" = mul ") && !reverse.contains(" = sin "),
            "{text}"
        );
        let pushes: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("each iteration pushes"))
            .collect();
        assert_eq!(pushes.len(), 1, "{text}");
        assert!(
            pushes[0].contains(":x,") || pushes[0].contains(":x)"),
            "{text}"
        );
        let values = pushes[0].split("type of").next().unwrap_or_default();
        assert!(!values.contains(":v"), "{text}");
    }
}
