//! IR -> tokens: `f` itself, `f_grad` and `f_vjp`.
//!
//! All three share one forward pass, emitted from the IR with each statement spanned on
//! the user's expression, so a type error in a body (a shape mismatch, an unknown method)
//! is reported once, on the user's tokens. Runtime items are named by absolute paths
//! (`::autodiff::__private::..`) and generated locals carry a reserved prefix with
//! mixed-site hygiene, so user names can neither shadow nor collide with them.

use crate::adjoint::{AdjId, Contribution, Reverse};
use crate::ir::{Function, Stmt, Value, VarId, var_ident};
use crate::prim::Prim;
use crate::valid::Signature;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{FnArg, GenericParam, ItemFn, Pat};

/// Everything `emit` needs to know about one function.
pub struct Emit<'a> {
    pub item: &'a ItemFn,
    pub sig: &'a Signature,
    pub ir: &'a Function,
    pub reverse: &'a Reverse,
}

impl Emit<'_> {
    pub fn emit(&self) -> TokenStream {
        let plain = self.plain();
        let grad = self.grad();
        let vjp = self.vjp();
        let graph = self.graph();
        quote! {
            #plain
            #grad
            #vjp
            #graph
        }
    }

    /// `f_graph()`: the IR as static data, for inspection at run time. Copies are folded
    /// into the value they copy; statements with no value are left out.
    fn graph(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let graph_name = format_ident!("{}_graph", name);
        let mut node_of: Vec<Option<usize>> = vec![None; self.ir.vars.len()];
        let mut nodes = Vec::new();
        for stmt in &self.ir.stmts {
            let Stmt::Let { var, value, .. } = stmt else {
                continue;
            };
            let info = &self.ir.vars[*var];
            let (op, inputs, label): (&str, Vec<VarId>, String) = match value {
                Value::Copy(source) => {
                    node_of[*var] = node_of[*source];
                    continue;
                }
                Value::Param { index, .. } => {
                    let op = if self.sig.params[*index].wrt {
                        "AccumulateGrad"
                    } else {
                        "Input"
                    };
                    (op, Vec::new(), String::new())
                }
                Value::Inert(tokens) => {
                    let mut text = tokens.to_string();
                    if text.len() > 40 {
                        text.truncate(37);
                        text.push_str("...");
                    }
                    ("Constant", Vec::new(), text)
                }
                Value::Detach(source) => ("Detach", vec![*source], String::new()),
                Value::Stack { elems, .. } => ("StackBackward0", elems.clone(), String::new()),
                Value::Prim { prim, operands, .. } => {
                    (prim.grad_fn, operands.clone(), String::new())
                }
            };
            let label = info.name.clone().unwrap_or(label);
            let inputs = inputs.iter().filter_map(|v| node_of[*v]);
            let requires_grad = info.varied;
            nodes.push(quote! {
                ::autodiff::graph::Node {
                    label: #label,
                    op: #op,
                    inputs: &[#(#inputs),*],
                    requires_grad: #requires_grad,
                }
            });
            node_of[*var] = Some(nodes.len() - 1);
        }
        let output = node_of[self.ir.output].unwrap_or(0);
        let function = name.to_string();
        let vis = &self.item.vis;
        let doc = format!(
            "The computation graph `#[differentiable]` built for [`{name}`], for inspection (`Display`, `to_dot`)."
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis fn #graph_name() -> ::autodiff::Graph {
                ::autodiff::Graph {
                    function: #function,
                    nodes: &[#(#nodes),*],
                    output: #output,
                }
            }
        }
    }

    /// The user's function, with its body replaced by the lowered forward pass.
    fn plain(&self) -> TokenStream {
        let ItemFn { attrs, vis, .. } = self.item;
        let signature = self.signature(&self.item.sig.ident, self.output_ty(), None);
        let forward = self.forward();
        let out = self.var(self.ir.output);
        // Users often call only `f_grad`; the plain `f` being unused is not their mistake.
        quote! {
            #(#attrs)*
            #[allow(dead_code)]
            #vis #signature {
                #forward
                #out
            }
        }
    }

    fn grad(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let grad_name = format_ident!("{}_grad", name);
        let out_ty = self.output_ty();
        let grads_ty = self.grads_ty();
        let ret = quote!((#out_ty, #grads_ty));
        // Checked where `f_grad` is called, not where it is defined (see `ScalarOutput`).
        let scalar_bound = quote_spanned! {out_ty.span_or_call_site()=>
            for<'__ad_scalar> #out_ty: ::autodiff::__private::ScalarOutput
        };
        let signature = self.signature(&grad_name, ret, Some(scalar_bound));
        let checks = self.requires_grad_checks();
        let forward = self.forward();
        let seed = adj_ident(crate::adjoint::SEED, Span::call_site());
        let reverse = self.reverse();
        let grads = self.grads();
        let out = self.var(self.ir.output);
        let vis = &self.item.vis;
        let doc = format!(
            "The value of [`{name}`] and its gradient with respect to {}. Generated by `#[differentiable]`.",
            self.wrt_list()
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis #signature {
                #checks
                #forward
                let #seed: #out_ty = <#out_ty as ::autodiff::__private::ScalarOutput>::one();
                #reverse
                (#out, #grads)
            }
        }
    }

    fn vjp(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let vjp_name = format_ident!("{}_vjp", name);
        let out_ty = self.output_ty();
        let grads_ty = self.grads_ty();
        let captures = self.precise_captures();
        let ret = quote! {
            (#out_ty, ::autodiff::Pullback<#out_ty, #grads_ty,
                impl ::core::ops::FnOnce(#out_ty) -> #grads_ty + ::core::clone::Clone #captures>)
        };
        let signature = self.signature(&vjp_name, ret, None);
        let checks = self.requires_grad_checks();
        let forward = self.forward();
        let seed = adj_ident(crate::adjoint::SEED, Span::call_site());
        let reverse = self.reverse();
        let grads = self.grads();
        let out = self.var(self.ir.output);
        let vis = &self.item.vis;
        let doc = format!(
            "The value of [`{name}`] and its pullback, whose `backward(seed)` returns the vector-Jacobian product with respect to {}. Generated by `#[differentiable]`.",
            self.wrt_list()
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis #signature {
                #checks
                #forward
                (#out, ::autodiff::Pullback::new(move |#seed: #out_ty| -> #grads_ty {
                    #reverse
                    #grads
                }))
            }
        }
    }

    fn wrt_list(&self) -> String {
        let names: Vec<String> = self
            .sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| format!("`{}`", p.ident))
            .collect();
        names.join(", ")
    }

    /// `fn name<generics>(inputs) -> ret where ..`, with `mut` dropped from parameter
    /// patterns (the body rebinds them instead).
    fn signature(
        &self,
        name: &Ident,
        ret: TokenStream,
        extra_bound: Option<TokenStream>,
    ) -> TokenStream {
        let sig = &self.item.sig;
        let params = &sig.generics.params;
        let inputs = sig.inputs.iter().map(|input| match input {
            FnArg::Typed(typed) => {
                let mut typed = typed.clone();
                if let Pat::Ident(p) = &mut *typed.pat {
                    p.mutability = None;
                }
                typed.into_token_stream()
            }
            receiver => receiver.into_token_stream(),
        });
        let mut predicates: Vec<TokenStream> = sig
            .generics
            .where_clause
            .iter()
            .flat_map(|w| w.predicates.iter().map(ToTokens::to_token_stream))
            .collect();
        predicates.extend(extra_bound);
        let where_clause = if predicates.is_empty() {
            quote!()
        } else {
            quote!(where #(#predicates),*)
        };
        let generics = if params.is_empty() {
            quote!()
        } else {
            quote!(<#params>)
        };
        let fn_token = &sig.fn_token;
        quote!(#fn_token #name #generics(#(#inputs),*) -> #ret #where_clause)
    }

    /// `use<T, N>` on the pullback's type, listing every type and const parameter but no
    /// lifetime, so a pullback never borrows a by-reference argument (it owns copies).
    /// Methods keep the default: their impl's generics are not visible here.
    fn precise_captures(&self) -> TokenStream {
        if self.sig.has_receiver {
            return quote!();
        }
        let names = self
            .item
            .sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(t.ident.to_token_stream()),
                GenericParam::Const(c) => Some(c.ident.to_token_stream()),
                GenericParam::Lifetime(_) => None,
            });
        quote!(+ use<#(#names),*>)
    }

    fn output_ty(&self) -> TokenStream {
        self.sig.output_ty.to_token_stream()
    }

    fn grads_ty(&self) -> TokenStream {
        let tys: Vec<_> = self
            .sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| &p.grad_ty)
            .collect();
        match tys.as_slice() {
            [one] => one.to_token_stream(),
            many => quote!((#(#many),*)),
        }
    }

    /// One `assert_requires_grad::<Ty>()` per differentiated parameter, on its type.
    fn requires_grad_checks(&self) -> TokenStream {
        self.sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| {
                let ty = &p.grad_ty;
                let span = hygienic(p.ty.span_or_call_site());
                quote_spanned!(span=> ::autodiff::__private::assert_requires_grad::<#ty>();)
            })
            .collect()
    }

    fn var(&self, v: VarId) -> Ident {
        var_ident(v, self.ir.vars[v].span)
    }

    fn forward(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        for stmt in &self.ir.stmts {
            match stmt {
                Stmt::Effect(effect) => tokens.extend(effect.clone()),
                Stmt::Let { var, ty, value } => {
                    // Every generated token shares one hygiene context located at the
                    // user's expression, so rustc reports errors there (mixing contexts
                    // makes it fall back to the attribute).
                    let span = hygienic(self.ir.vars[*var].span);
                    let name = self.var(*var);
                    let rhs = self.forward_value(value, span);
                    let ty = ty.as_ref().map(|ty| quote!(: #ty));
                    tokens.extend(if self.ir.vars[*var].mutable {
                        quote_spanned!(span=> #[allow(unused_mut)] let mut #name #ty = #rhs;)
                    } else {
                        quote_spanned!(span=> let #name #ty = #rhs;)
                    });
                }
            }
        }
        tokens
    }

    fn forward_value(&self, value: &Value, span: Span) -> TokenStream {
        match value {
            Value::Param { index, deref } => {
                let ident = &self.sig.params[*index].ident;
                if *deref {
                    quote_spanned!(span=> *#ident)
                } else {
                    quote_spanned!(span=> #ident)
                }
            }
            Value::Inert(tokens) => tokens.clone(),
            Value::Copy(v) => var_ident(*v, span).into_token_stream(),
            Value::Detach(v) => {
                let v = var_ident(*v, span);
                quote_spanned!(span=> ::autodiff::__private::ops::Detach::detach(#v))
            }
            Value::Stack { elems, rows, path } => {
                let elems: Vec<Ident> = elems.iter().map(|v| var_ident(*v, span)).collect();
                match rows {
                    None => quote_spanned!(span=> #path![#(#elems),*]),
                    Some(rows) => {
                        let rows = elems
                            .chunks(elems.len() / rows)
                            .map(|row| quote!([#(#row),*]));
                        quote_spanned!(span=> #path![#(#rows),*])
                    }
                }
            }
            Value::Prim {
                prim,
                operands,
                spans,
                generic,
            } => {
                let ops = operand_idents(operands, spans);
                match (prim.name, ops.as_slice()) {
                    ("add", [a, b]) => quote_spanned!(span=> #a + #b),
                    ("sub", [a, b]) => quote_spanned!(span=> #a - #b),
                    ("mul", [a, b]) => quote_spanned!(span=> #a * #b),
                    ("div", [a, b]) => quote_spanned!(span=> #a / #b),
                    ("neg", [a]) => quote_spanned!(span=> -#a),
                    ("index", [a, i]) => quote_spanned!(span=> #a[#i]),
                    _ => {
                        let path = op_path(prim, generic.as_ref(), span);
                        let method = Ident::new(prim.name, span);
                        quote_spanned!(span=> #path::#method(#(#ops),*))
                    }
                }
            }
        }
    }

    /// The reverse sweep's statements.
    fn reverse(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        for step in &self.reverse.steps {
            let Stmt::Let { var, value, .. } = &self.ir.stmts[step.stmt] else {
                unreachable!("adjoint only plans steps for `let` statements")
            };
            let span = hygienic(self.ir.vars[*var].span);
            let ct = adj_ident(step.ct, span);
            match value {
                Value::Copy(_) => {
                    tokens.extend(self.accumulate(&step.contributions[0], ct.to_token_stream()))
                }
                Value::Stack { elems, rows, .. } => {
                    let cols = rows.map_or(1, |rows| elems.len() / rows);
                    for (k, contribution) in step.contributions.iter().enumerate() {
                        let (r, c) = match rows {
                            None => (k, 0),
                            Some(_) => (k / cols, k % cols),
                        };
                        let element = quote_spanned!(span=> #ct[(#r, #c)]);
                        tokens.extend(self.accumulate(contribution, element));
                    }
                }
                Value::Prim {
                    prim,
                    operands,
                    spans,
                    generic,
                } => {
                    let path = op_path(prim, generic.as_ref(), span);
                    let method = format_ident!("{}_vjp", prim.name, span = span);
                    let ops = operand_idents(operands, spans);
                    let out = var_ident(*var, span);
                    let call = if prim.name == "index" {
                        quote_spanned!(span=> #path::#method(#(#ops),*, #ct))
                    } else {
                        quote_spanned!(span=> #path::#method(#(#ops),*, #out, #ct))
                    };
                    if let [only] = step.contributions.as_slice() {
                        tokens.extend(self.accumulate(only, call));
                        continue;
                    }
                    // A first contribution is bound as the adjoint directly; a later one
                    // through a temporary that is then added to the adjoint so far.
                    let mut sums = TokenStream::new();
                    let pattern: Vec<TokenStream> = step
                        .contributions
                        .iter()
                        .enumerate()
                        .map(|(k, c)| match c {
                            Some(c) if c.prev.is_none() => {
                                adj_ident(c.new, self.ir.vars[c.var].span).into_token_stream()
                            }
                            Some(_) => {
                                let temp = format_ident!(
                                    "__ad_t{}_{}",
                                    step.stmt,
                                    k,
                                    span = hygienic(span)
                                );
                                sums.extend(self.accumulate(c, temp.to_token_stream()));
                                temp.into_token_stream()
                            }
                            None => quote!(_),
                        })
                        .collect();
                    tokens.extend(quote_spanned!(span=> let (#(#pattern),*) = #call;));
                    tokens.extend(sums);
                }
                Value::Param { .. } | Value::Inert(_) | Value::Detach(_) => {
                    unreachable!(
                        "activity never marks parameters' bindings, inert or detached values as steps"
                    )
                }
            }
        }
        tokens
    }

    /// `let new = contribution;` or `let new = prev + contribution;`.
    fn accumulate(&self, contribution: &Option<Contribution>, value: TokenStream) -> TokenStream {
        let Some(c) = contribution else {
            return quote!();
        };
        let span = hygienic(self.ir.vars[c.var].span);
        let new = adj_ident(c.new, span);
        match c.prev {
            None => quote_spanned!(span=> let #new = #value;),
            Some(prev) => {
                let prev = adj_ident(prev, span);
                quote_spanned!(span=> let #new = #prev + #value;)
            }
        }
    }

    /// The gradients in parameter order: final adjoints, or zeros for parameters the
    /// output does not depend on.
    fn grads(&self) -> TokenStream {
        let grads: Vec<TokenStream> = self
            .sig
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.wrt)
            .map(|(i, p)| {
                let span = hygienic(p.ident.span());
                match self.reverse.grads[i] {
                    Some(adj) => adj_ident(adj, span).into_token_stream(),
                    None => {
                        let v = self.var(self.reverse.param_vars[i]);
                        quote_spanned!(span=> ::autodiff::__private::ZeroLike::zero_like(#v))
                    }
                }
            })
            .collect();
        match grads.as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many),*)),
        }
    }
}

/// `::autodiff::__private::ops::Trait`, or `<_ as ..::Trait<N>>` for a const-generic op.
fn op_path(prim: &Prim, generic: Option<&TokenStream>, span: Span) -> TokenStream {
    let trait_name = Ident::new(prim.trait_name, span);
    match generic {
        Some(g) => quote_spanned!(span=> <_ as ::autodiff::__private::ops::#trait_name<#g>>),
        None => quote_spanned!(span=> ::autodiff::__private::ops::#trait_name),
    }
}

/// Operands named where the user wrote them, so a type error underlines that operand.
fn operand_idents(operands: &[VarId], spans: &[Span]) -> Vec<Ident> {
    operands
        .iter()
        .zip(spans)
        .map(|(v, span)| var_ident(*v, *span))
        .collect()
}

fn hygienic(span: Span) -> Span {
    Span::mixed_site().located_at(span)
}

fn adj_ident(adj: AdjId, span: Span) -> Ident {
    format_ident!("__ad_ct{}", adj, span = hygienic(span))
}

trait SpanOrCallSite {
    fn span_or_call_site(&self) -> Span;
}

impl<T: ToTokens> SpanOrCallSite for T {
    fn span_or_call_site(&self) -> Span {
        self.to_token_stream()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span())
    }
}
