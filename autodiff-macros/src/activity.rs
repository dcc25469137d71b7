//! Activity analysis: which values need an adjoint.
//!
//! A value is *active* when it is varied (depends on a differentiated parameter, which
//! `lower` records) and useful (the output depends on it through differentiable
//! operations). Usefulness flows backwards through statements, from a merged value to
//! both branch values, and around loops (an iteration's start value feeds the previous
//! iteration's end value) until nothing changes. Output: one flag per variable; the
//! reverse sweep only touches active values, so constants cost nothing. A place (a
//! tensor assigned element by element) is useful when any load of it is, and then so is
//! every value stored into it.

use crate::ir::{Function, LoopKind, Stmt, Value, VarId};

pub fn active(f: &Function) -> Vec<bool> {
    let mut useful = vec![false; f.vars.len()];
    useful[f.output] = true;
    mark_block(f, &f.stmts, &mut useful);
    useful
        .iter()
        .zip(&f.vars)
        .map(|(useful, var)| *useful && var.varied)
        .collect()
}

fn mark(useful: &mut [bool], var: VarId) -> bool {
    !std::mem::replace(&mut useful[var], true)
}

/// Marks what `block` makes useful; returns whether anything changed.
fn mark_block(f: &Function, block: &[Stmt], useful: &mut [bool]) -> bool {
    let mut changed = false;
    for stmt in block.iter().rev() {
        match stmt {
            Stmt::Let { var, value, .. } => {
                if useful[*var] && f.vars[*var].varied {
                    for operand in value.diff_operands() {
                        changed |= mark(useful, operand);
                    }
                }
            }
            Stmt::Effect(_) | Stmt::NewLog { .. } => {}
            // A store's value reaches the output if the place does.
            Stmt::Store { place, value, .. } | Stmt::Push { place, value, .. } => {
                if useful[*place] {
                    changed |= mark(useful, *value);
                }
            }
            Stmt::If {
                then_block,
                else_block,
                phis,
                ..
            } => {
                for phi in phis {
                    if useful[phi.out] {
                        changed |= mark(useful, phi.then_value);
                        changed |= mark(useful, phi.else_value);
                    }
                }
                changed |= mark_block(f, then_block, useful);
                changed |= mark_block(f, else_block, useful);
            }
            Stmt::Loop { body, carried, .. } => loop {
                let mut round = false;
                for c in carried {
                    // After zero iterations `out` is `init`; after one or more it is the
                    // last `next`, and every `next` but the last is the following `phi`.
                    if useful[c.out] || useful[c.phi] {
                        round |= mark(useful, c.next);
                        round |= mark(useful, c.init);
                    }
                }
                round |= mark_block(f, body, useful);
                changed |= round;
                if !round {
                    break;
                }
            },
        }
    }
    changed
}

/// For each variable, the parameters whose value it depends on through differentiable
/// operations: bit `i` for parameter `i` (every bit for parameters past the 64th). What a
/// caller's choice of differentiated arguments turns off in a callee (see `Adjoint::gates`).
pub fn param_masks(f: &Function) -> Vec<u64> {
    let mut masks = vec![0u64; f.vars.len()];
    // Places change in place and loops carry values around: repeat until nothing grows.
    while masks_block(&f.stmts, &mut masks) {}
    masks
}

fn grow(masks: &mut [u64], var: VarId, bits: u64) -> bool {
    let before = masks[var];
    masks[var] |= bits;
    masks[var] != before
}

fn masks_block(block: &[Stmt], masks: &mut [u64]) -> bool {
    let mut changed = false;
    for stmt in block {
        match stmt {
            Stmt::Let { var, value, .. } => {
                let bits = match value {
                    Value::Param { index, .. } => 1u64.checked_shl(*index as u32).unwrap_or(!0),
                    other => other.diff_operands().iter().fold(0, |m, v| m | masks[*v]),
                };
                changed |= grow(masks, *var, bits);
            }
            Stmt::Effect(_) | Stmt::NewLog { .. } => {}
            Stmt::Store { place, value, .. } | Stmt::Push { place, value, .. } => {
                changed |= grow(masks, *place, masks[*value]);
            }
            Stmt::If {
                then_block,
                else_block,
                phis,
                ..
            } => {
                changed |= masks_block(then_block, masks);
                changed |= masks_block(else_block, masks);
                for phi in phis {
                    let bits = masks[phi.then_value] | masks[phi.else_value];
                    changed |= grow(masks, phi.out, bits);
                }
            }
            Stmt::Loop {
                kind,
                body,
                carried,
                ..
            } => {
                for c in carried {
                    changed |= grow(masks, c.phi, masks[c.init] | masks[c.next]);
                }
                if let LoopKind::While { cond_block, .. } = kind {
                    changed |= masks_block(cond_block, masks);
                }
                changed |= masks_block(body, masks);
                for c in carried {
                    let exit = c.exit.map_or(0, |e| masks[e]);
                    changed |= grow(masks, c.out, masks[c.init] | masks[c.next] | exit);
                }
            }
        }
    }
    changed
}
