//! Early `return`s that are guard clauses, rewritten as `if`/`else` before validation.
//!
//! `if c { ..; return a; } rest` at the top level of a body is `if c { ..; a } else { rest }`,
//! and a body's last `return e;` (also in the last statement's branches) is its tail `e`.
//! The IR then has one exit, as the reverse sweep needs. A `return` anywhere else (inside a
//! loop, or in a branch with code after it) is left alone, for the fence to report.

use syn::visit::Visit;
use syn::{Block, Expr, ExprBlock, ExprIf, Stmt};

/// Rewrites the guard clauses of a function body (see the module docs).
pub fn fold(body: &mut Block) {
    let stmts = std::mem::take(&mut body.stmts);
    body.stmts = fold_tail(stmts);
}

/// A statement list in tail position: its value is the function's result.
fn fold_tail(mut stmts: Vec<Stmt>) -> Vec<Stmt> {
    let guard = stmts.iter().position(|stmt| guard_clause(stmt).is_some());
    if let Some(at) = guard.filter(|at| at + 1 < stmts.len()) {
        let rest = stmts.split_off(at + 1);
        let Some(Stmt::Expr(Expr::If(mut guard), _)) = stmts.pop() else {
            unreachable!("`guard_clause` matched an `if` statement");
        };
        guard.then_branch.stmts = fold_tail(std::mem::take(&mut guard.then_branch.stmts));
        let brace = guard.then_branch.brace_token;
        let rest = Block {
            brace_token: brace,
            stmts: fold_tail(rest),
        };
        let else_token = syn::Token![else](guard.if_token.span);
        guard.else_branch = Some((
            else_token,
            Box::new(Expr::Block(ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: rest,
            })),
        ));
        stmts.push(Stmt::Expr(Expr::If(guard), None));
        return stmts;
    }
    match stmts.pop() {
        // The body's final `return e;` is its tail `e`.
        Some(Stmt::Expr(Expr::Return(ret), _)) if ret.expr.is_some() && ret.attrs.is_empty() => {
            let value = ret.expr.expect("checked above");
            stmts.push(Stmt::Expr(*value, None));
        }
        // A final `if`/`else` whose branches return: each branch is in tail position.
        Some(Stmt::Expr(Expr::If(mut last), semi)) if last.else_branch.is_some() => {
            fold_if_branches(&mut last);
            let semi = if ends_every_branch_with_value(&last) {
                None
            } else {
                semi
            };
            stmts.push(Stmt::Expr(Expr::If(last), semi));
        }
        Some(other) => stmts.push(other),
        None => {}
    }
    stmts
}

/// Folds both branches of a tail `if`/`else` chain.
fn fold_if_branches(if_expr: &mut ExprIf) {
    if_expr.then_branch.stmts = fold_tail(std::mem::take(&mut if_expr.then_branch.stmts));
    if let Some((_, else_branch)) = &mut if_expr.else_branch {
        match &mut **else_branch {
            Expr::If(inner) => fold_if_branches(inner),
            Expr::Block(block) => {
                block.block.stmts = fold_tail(std::mem::take(&mut block.block.stmts));
            }
            _ => {}
        }
    }
}

/// Whether every branch of an `if`/`else` chain ends in a tail expression (after folding:
/// its `return`s became values), so the `if` is the body's value and takes no `;`.
fn ends_every_branch_with_value(if_expr: &ExprIf) -> bool {
    let then_has_value = matches!(if_expr.then_branch.stmts.last(), Some(Stmt::Expr(_, None)));
    then_has_value
        && match if_expr.else_branch.as_ref().map(|(_, e)| &**e) {
            Some(Expr::If(inner)) => ends_every_branch_with_value(inner),
            Some(Expr::Block(block)) => {
                matches!(block.block.stmts.last(), Some(Stmt::Expr(_, None)))
            }
            _ => false,
        }
}

/// `if c { ..; return e; }` with no `else` and no other `return` inside.
fn guard_clause(stmt: &Stmt) -> Option<&ExprIf> {
    let Stmt::Expr(Expr::If(if_expr), _) = stmt else {
        return None;
    };
    if if_expr.else_branch.is_some() || !if_expr.attrs.is_empty() {
        return None;
    }
    let stmts = &if_expr.then_branch.stmts;
    let (last, before) = stmts.split_last()?;
    let Stmt::Expr(Expr::Return(ret), _) = last else {
        return None;
    };
    if ret.expr.is_none() || !ret.attrs.is_empty() {
        return None;
    }
    let mut returns = ReturnFinder(false);
    before.iter().for_each(|stmt| returns.visit_stmt(stmt));
    returns.visit_expr(ret.expr.as_ref()?);
    returns.visit_expr(&if_expr.cond);
    (!returns.0).then_some(if_expr)
}

/// Finds a `return` (not looking into closures or nested items, which have their own).
struct ReturnFinder(bool);

impl Visit<'_> for ReturnFinder {
    fn visit_expr_return(&mut self, _: &syn::ExprReturn) {
        self.0 = true;
    }
    fn visit_expr_closure(&mut self, _: &syn::ExprClosure) {}
    fn visit_item(&mut self, _: &syn::Item) {}
}

#[cfg(test)]
mod tests {
    use super::fold;
    use quote::ToTokens;

    fn folded(body: &str) -> String {
        let mut block: syn::Block = syn::parse_str(body).expect("a block");
        fold(&mut block);
        block.into_token_stream().to_string()
    }

    fn same(a: &str, b: &str) -> bool {
        let b: syn::Block = syn::parse_str(b).expect("a block");
        folded(a) == b.into_token_stream().to_string()
    }

    #[test]
    fn a_guard_clause_becomes_an_else_around_the_rest() {
        assert!(same(
            "{ let a = x; if a > 1.0 { let b = a * 2.0; return b; } let c = a + 1.0; c }",
            "{ let a = x; if a > 1.0 { let b = a * 2.0; b } else { let c = a + 1.0; c } }",
        ));
    }

    #[test]
    fn guards_chain_and_final_returns_become_tails() {
        assert!(same(
            "{ if a { return x; } if b { return y } return z; }",
            "{ if a { x } else { if b { y } else { z } } }",
        ));
        assert!(same(
            "{ if a { return x; } else if b { return y; } else { return z; } }",
            "{ if a { x } else if b { y } else { z } }",
        ));
    }

    #[test]
    fn other_returns_are_left_for_the_fence() {
        for body in [
            "{ for i in 0..3 { if a { return x; } } y }",
            "{ if a { return x; } }",
            "{ if a { if b { return y; } return x; } z }",
            "{ if a { return x; } else { w = 1.0; } z }",
        ] {
            assert!(folded(body).contains("return"), "{body}");
        }
    }
}
