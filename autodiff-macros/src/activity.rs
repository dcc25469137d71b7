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

use crate::ir::{Function, Stmt, VarId};

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
