//! The reverse sweep: IR -> the statements of the backward pass.
//!
//! Statements are visited backwards; each active one runs its op's VJP and adds the
//! contributions to its operands' adjoints. In straight-line code adjoints are immutable
//! and numbered: the first contribution to a variable *is* its adjoint and a later one
//! binds `prev + contribution`, so no adjoint is zero-initialised. A variable that receives
//! contributions inside a region (a branch, a loop body) gets a mutable accumulator just
//! before it, because the region may run once, never, or many times.
//!
//! Regions are replayed, not remembered: the reverse of an `if` tests the same condition
//! and recomputes the taken branch's forward values; the reverse of a loop pops the
//! carried values each iteration started with from the tape the forward pass pushed, and
//! recomputes that iteration's forward values before reversing it (Tapenade's
//! store-the-state, recompute-the-rest).
//!
//! Output guarantees: every name the sweep reads is a forward value in scope or an
//! adjoint bound earlier on every path; the returned gradients have the parameters' types.

use crate::emit::{
    Emit, adj_ident, borrow_operands, hygienic, op_path, pullback_ident, tape_ident,
};
use crate::ir::{Carry, LoopKind, Phi, Stmt, Value, VarId, var_ident};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use std::collections::BTreeSet;

/// Where a variable's adjoint stands at a point of the sweep.
#[derive(Clone)]
enum Adjoint {
    /// No contribution yet (zero).
    None,
    /// An immutable binding.
    Bound(Ident),
    /// A `let mut` accumulator.
    Accumulator(Ident),
}

pub struct Reverser<'a> {
    emit: &'a Emit<'a>,
    active: &'a [bool],
    adjoints: Vec<Adjoint>,
    next_adjoint: usize,
}

impl<'a> Reverser<'a> {
    pub fn new(emit: &'a Emit<'a>, active: &'a [bool]) -> Self {
        Reverser {
            emit,
            active,
            adjoints: vec![Adjoint::None; emit.ir.vars.len()],
            next_adjoint: 1,
        }
    }

    /// The whole backward pass from the seed `seed` (bound by the caller) to the
    /// gradient expression, returned separately.
    /// With `every_param`, the gradients are a tuple with one entry per parameter, `()`
    /// for those not differentiated (what `full_vjp` returns to calling functions).
    pub fn sweep(mut self, seed: &Ident, every_param: bool) -> (TokenStream, TokenStream) {
        let ir = self.emit.ir;
        if self.active[ir.output] {
            self.adjoints[ir.output] = Adjoint::Bound(seed.clone());
        }
        let statements = self.block(&ir.stmts);
        let param_vars: Vec<VarId> = ir
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
            .collect();
        let grads: Vec<TokenStream> = self
            .emit
            .sig
            .params
            .iter()
            .zip(param_vars)
            .filter(|(p, _)| every_param || p.wrt)
            .map(|(p, var)| match p.wrt {
                true => self.value_or_zero(var, hygienic(p.ident.span())),
                false => quote!(()),
            })
            .collect();
        let grads = match (every_param, grads.as_slice()) {
            (true, all) => quote!((#(#all,)*)),
            (false, [one]) => one.clone(),
            (false, many) => quote!((#(#many),*)),
        };
        (statements, grads)
    }

    fn block(&mut self, block: &[Stmt]) -> TokenStream {
        let mut tokens = TokenStream::new();
        for stmt in block.iter().rev() {
            match stmt {
                Stmt::Let { var, value, .. } if self.active[*var] => {
                    tokens.extend(self.vjp(*var, value))
                }
                Stmt::Let { .. } | Stmt::Effect(_) => {}
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                    phis,
                } => tokens.extend(self.reverse_if(*cond, then_block, else_block, phis)),
                Stmt::Loop {
                    id,
                    kind,
                    body,
                    carried,
                } => tokens.extend(self.reverse_loop(*id, kind, body, carried)),
            }
        }
        tokens
    }

    fn fresh(&mut self, var: VarId) -> Ident {
        let id = adj_ident(self.next_adjoint, hygienic(self.emit.ir.vars[var].span));
        self.next_adjoint += 1;
        id
    }

    /// The adjoint of `var` as an expression, if it has one.
    fn adjoint(&self, var: VarId) -> Option<Ident> {
        match &self.adjoints[var] {
            Adjoint::None => None,
            Adjoint::Bound(id) | Adjoint::Accumulator(id) => Some(id.clone()),
        }
    }

    /// The adjoint of `var`, or a zero of its shape.
    fn value_or_zero(&self, var: VarId, span: Span) -> TokenStream {
        match self.adjoint(var) {
            Some(id) => id.into_token_stream(),
            None => {
                let primal = self.emit.operand(var, span);
                quote_spanned!(span=> ::autodiff::__private::ZeroLike::zero_like(#primal))
            }
        }
    }

    /// Adds `value` to the adjoint of `var` (if `var` is active).
    fn contribute(&mut self, var: VarId, value: TokenStream) -> TokenStream {
        if !self.active[var] {
            return quote!();
        }
        let span = hygienic(self.emit.ir.vars[var].span);
        match self.adjoints[var].clone() {
            Adjoint::None => {
                let id = self.fresh(var);
                self.adjoints[var] = Adjoint::Bound(id.clone());
                quote_spanned!(span=> let #id = #value;)
            }
            Adjoint::Bound(prev) => {
                let id = self.fresh(var);
                self.adjoints[var] = Adjoint::Bound(id.clone());
                quote_spanned!(span=> let #id = #prev + #value;)
            }
            Adjoint::Accumulator(acc) => quote_spanned!(span=> #acc += #value;),
        }
    }

    /// Gives each variable a mutable accumulator before a region adds to it.
    fn promote(&mut self, vars: &BTreeSet<VarId>) -> TokenStream {
        let mut tokens = TokenStream::new();
        for &var in vars {
            if !self.active[var] {
                continue;
            }
            let span = hygienic(self.emit.ir.vars[var].span);
            let init = match &self.adjoints[var] {
                Adjoint::Accumulator(_) => continue,
                Adjoint::Bound(prev) => prev.to_token_stream(),
                Adjoint::None => self.value_or_zero(var, span),
            };
            let acc = self.fresh(var);
            tokens.extend(quote_spanned!(span=> let mut #acc = #init;));
            self.adjoints[var] = Adjoint::Accumulator(acc);
        }
        tokens
    }

    /// The VJP of `let var = value`.
    fn vjp(&mut self, var: VarId, value: &Value) -> TokenStream {
        let span = hygienic(self.emit.ir.vars[var].span);
        let Some(ct) = self.adjoint(var) else {
            // Active values always have a consumer; nothing flows from one that has none.
            return quote!();
        };
        match value {
            Value::Copy(source) => self.contribute(*source, ct.to_token_stream()),
            Value::Stack { elems, rows, .. } => {
                let cols = rows.map_or(1, |rows| elems.len() / rows);
                let mut tokens = TokenStream::new();
                for (k, elem) in elems.iter().enumerate() {
                    let (r, c) = (k / cols, k % cols);
                    tokens.extend(self.contribute(*elem, quote_spanned!(span=> #ct[(#r, #c)])));
                }
                tokens
            }
            Value::Prim {
                prim,
                operands,
                spans,
                generic,
            } => {
                let path = op_path(prim, generic.as_ref(), span);
                let method = format_ident!("{}_vjp", prim.name, span = span);
                let ops = self.emit.operands(operands, spans);
                let out = var_ident(var, span);
                let call = if prim.name == "index" {
                    quote_spanned!(span=> #path::#method(#(#ops),*, #ct))
                } else if prim.by_ref {
                    // Products skip the contributions no active operand receives.
                    let wanted = value.diff_operands().into_iter().map(|v| self.active[v]);
                    let refs = borrow_operands(&ops, spans);
                    quote_spanned!(span=> #path::#method(#(#refs),*, &#out, #ct, [#(#wanted),*]))
                } else {
                    quote_spanned!(span=> #path::#method(#(#ops),*, #out, #ct))
                };
                let diff = value.diff_operands();
                if let [only] = diff.as_slice() {
                    return self.contribute(*only, call);
                }
                // A first contribution is bound as the adjoint directly; a later one
                // through a temporary that is then added.
                let mut sums = TokenStream::new();
                let mut pattern = Vec::new();
                for (k, operand) in diff.iter().enumerate() {
                    if !self.active[*operand] {
                        pattern.push(quote!(_));
                    } else if matches!(self.adjoints[*operand], Adjoint::None) {
                        let id = self.fresh(*operand);
                        self.adjoints[*operand] = Adjoint::Bound(id.clone());
                        pattern.push(id.into_token_stream());
                    } else {
                        let temp = format_ident!("__ad_t{}_{}", var, k, span = span);
                        sums.extend(self.contribute(*operand, temp.to_token_stream()));
                        pattern.push(temp.into_token_stream());
                    }
                }
                let mut tokens = quote_spanned!(span=> let (#(#pattern),*) = #call;);
                tokens.extend(sums);
                tokens
            }
            Value::Call { args, .. } => {
                let pullback = pullback_ident(var, span);
                let mut sums = TokenStream::new();
                let pattern: Vec<TokenStream> = args
                    .iter()
                    .enumerate()
                    .map(|(k, arg)| {
                        if !self.active[*arg] {
                            return quote!(_);
                        }
                        let temp = format_ident!("__ad_t{}_{}", var, k, span = span);
                        sums.extend(self.contribute(*arg, temp.to_token_stream()));
                        temp.into_token_stream()
                    })
                    .collect();
                let mut tokens =
                    quote_spanned!(span=> let (#(#pattern,)*) = #pullback.backward(#ct););
                tokens.extend(sums);
                tokens
            }
            Value::Param { .. } | Value::Inert(_) | Value::Detach(_) => quote!(),
        }
    }

    fn reverse_if(
        &mut self,
        cond: VarId,
        then_block: &[Stmt],
        else_block: &[Stmt],
        phis: &[Phi],
    ) -> TokenStream {
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
        let mut tokens = self.promote(&outer);
        let cts: Vec<(usize, Ident)> = phis
            .iter()
            .enumerate()
            .filter_map(|(i, phi)| Some((i, self.adjoint(phi.out)?)))
            .collect();
        let saved = self.adjoints.clone();
        let branch = |this: &mut Self, block: &[Stmt], then: bool| {
            let mut tokens = this.emit.forward_block(block, true);
            for (i, ct) in &cts {
                let phi = &phis[*i];
                let source = if then { phi.then_value } else { phi.else_value };
                tokens.extend(this.contribute(source, ct.to_token_stream()));
            }
            tokens.extend(this.block(block));
            this.adjoints.clone_from(&saved);
            tokens
        };
        let then_tokens = branch(self, then_block, true);
        let else_tokens = branch(self, else_block, false);
        let cond = var_ident(cond, hygienic(self.emit.ir.vars[cond].span));
        tokens.extend(quote!(if #cond { #then_tokens } else { #else_tokens }));
        tokens
    }

    fn reverse_loop(
        &mut self,
        id: usize,
        kind: &LoopKind,
        body: &[Stmt],
        carried: &[Carry],
    ) -> TokenStream {
        let span = hygienic(
            carried
                .first()
                .map_or_else(Span::call_site, |c| self.emit.ir.vars[c.phi].span),
        );
        let tape = tape_ident(id, span);
        let differentiated: Vec<&Carry> = carried
            .iter()
            .filter(|c| self.emit.ir.vars[c.out].varied)
            .collect();
        if differentiated.is_empty() {
            return quote!();
        }
        let mut tokens = TokenStream::new();
        // The cotangent of each carried value at the end of the iteration being reversed.
        let carry_cts: Vec<Ident> = differentiated
            .iter()
            .map(|c| format_ident!("__ad_carry{}", c.phi, span = span))
            .collect();
        for (c, ct) in differentiated.iter().zip(&carry_cts) {
            let init = self.value_or_zero(c.out, span);
            tokens.extend(quote_spanned!(span=> let mut #ct = #init;));
        }
        let defs = definitions(body);
        let mut outer = outer_contributions(body);
        // Bound by each reversed iteration itself.
        for c in carried {
            outer.remove(&c.phi);
        }
        if let LoopKind::For { pat: Some(pat), .. } = kind {
            outer.remove(pat);
        }
        for c in &differentiated {
            if !defs.contains(&c.next) && c.next != c.phi {
                outer.insert(c.next);
            }
        }
        tokens.extend(self.promote(&outer));
        let saved = self.adjoints.clone();
        let mut inner = self.emit.forward_block(body, true);
        for (c, ct) in differentiated.iter().zip(&carry_cts) {
            inner.extend(self.contribute(c.next, ct.to_token_stream()));
        }
        inner.extend(self.block(body));
        for (c, ct) in differentiated.iter().zip(&carry_cts) {
            let value = self.value_or_zero(c.phi, span);
            inner.extend(quote_spanned!(span=> #ct = #value;));
        }
        self.adjoints = saved;
        let mut popped: Vec<Ident> = carried
            .iter()
            .map(|c| var_ident(c.phi, self.emit.ir.vars[c.phi].span))
            .collect();
        if let LoopKind::For { pat: Some(pat), .. } = kind {
            popped.push(var_ident(*pat, self.emit.ir.vars[*pat].span));
        }
        tokens.extend(quote_spanned! {span=>
            while let ::core::option::Option::Some((#(#popped,)*)) = #tape.pop() {
                #inner
            }
        });
        for (c, ct) in differentiated.iter().zip(&carry_cts) {
            tokens.extend(self.contribute(c.init, ct.to_token_stream()));
        }
        tokens
    }
}

/// Every variable a block binds, including in nested regions.
fn definitions(block: &[Stmt]) -> BTreeSet<VarId> {
    let mut defs = BTreeSet::new();
    for stmt in block {
        match stmt {
            Stmt::Let { var, .. } => {
                defs.insert(*var);
            }
            Stmt::Effect(_) => {}
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
            Stmt::Effect(_) => {}
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
