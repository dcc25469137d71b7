//! IR -> tokens: `f` itself, `f_grad` and `f_vjp`, printed from the forward IR and the
//! adjoint IR. This stage knows nothing about derivatives: `reverse` decided every
//! contribution, tape and log; `emit` only spells them.
//!
//! Every statement is spanned on the user's expression, so a type error in a body (a
//! shape mismatch, an unknown method) is reported on the user's tokens. Runtime items are
//! named by absolute paths (`::autodiff::__private::..`) and generated locals carry a
//! reserved prefix with mixed-site hygiene, so user names can neither shadow nor collide
//! with them.

use crate::context::Context;
use crate::ir::{
    AExpr, AStmt, AdjId, Adjoint, Function, Log, LoopKind, Proj, Stmt, Target, Value, VarId,
    var_ident,
};
use crate::prim::{Operator, Prim};
use crate::tangent::{DExpr, HStmt, TLoopKind, TOperand, TStmt, TValue, Tangent, TangentAdjoint};
use crate::valid::Signature;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{FnArg, GenericParam, ItemFn, Pat};

pub(crate) mod scopes;

use scopes::Piece;

/// Everything `emit` needs to know about one function.
#[derive(Clone, Copy)]
pub struct Emit<'a> {
    pub item: &'a ItemFn,
    pub sig: &'a Signature,
    /// The forward IR `f` runs.
    pub ir: &'a Function,
    /// The reverse sweep `f_grad` and `f_vjp` run, with their forward pass.
    pub adjoint: &'a Adjoint,
    /// Variables bound to differentiated by-reference parameters.
    pub ref_params: &'a [bool],
    /// Whether those stay borrowed (in `f` and `f_grad`, which return no closure) rather
    /// than copied (in pullbacks, which must own what they read): a large weight matrix
    /// is then never copied.
    pub borrowed: bool,
    /// Emitting `full_vjp_for`, generic over which arguments its caller differentiates
    /// (one `const` flag per parameter, see `flag_ident`): gated tape entries
    /// (`Adjoint::gates`) and contributions to values of other parameters only (see
    /// `Adjoint::param_masks`) depend on them.
    pub masked: bool,
}

/// For each variable, whether it is bound to a differentiated by-reference parameter.
pub fn ref_params(ir: &Function) -> Vec<bool> {
    let mut flags = vec![false; ir.vars.len()];
    for stmt in &ir.stmts {
        if let Stmt::Let {
            var,
            value: Value::Param { deref: true, .. },
            ..
        } = stmt
        {
            flags[*var] = true;
        }
    }
    flags
}

impl Emit<'_> {
    pub fn emit(&self) -> TokenStream {
        let borrowing = Emit {
            borrowed: true,
            ..*self
        };
        let plain = borrowing.plain();
        let grad = Emit {
            ir: &self.adjoint.forward,
            ..borrowing
        }
        .grad();
        let vjp = Emit {
            borrowed: false,
            ir: &self.adjoint.forward,
            ..*self
        }
        .vjp();
        let graph = self.graph();
        quote! {
            #plain
            #grad
            #vjp
            #graph
        }
    }

    /// `f` itself and `f_graph`, for a function whose derivatives go through its twins.
    pub fn plain_and_graph(&self) -> TokenStream {
        let plain = Emit {
            borrowed: true,
            ..*self
        }
        .plain();
        let graph = self.graph();
        quote!(#plain #graph)
    }

    /// `f_graph()`: the IR as static data, for inspection at run time. Copies are folded
    /// into the value they copy; a branch merge is a `Phi` node, a loop-carried value a
    /// `LoopPhi` node fed by its value before the loop and at the end of the body.
    fn graph(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let graph_name = format_ident!("{}_graph", name);
        let mut graph = GraphBuilder {
            emit: self,
            alias: (0..self.ir.vars.len()).collect(),
            nodes: Vec::new(),
        };
        graph.block(&self.ir.stmts);
        let GraphBuilder { alias, nodes, .. } = graph;
        let resolve = |mut v: VarId| {
            while alias[v] != v {
                v = alias[v];
            }
            v
        };
        let node_of: std::collections::HashMap<VarId, usize> =
            nodes.iter().enumerate().map(|(i, n)| (n.var, i)).collect();
        // One line per node (see `GraphCell`); a label is one line of tokens.
        let text: String = nodes
            .iter()
            .map(|node| {
                let inputs: Vec<String> = node
                    .inputs
                    .iter()
                    .filter_map(|v| node_of.get(&resolve(*v)))
                    .map(usize::to_string)
                    .collect();
                let requires_grad = u8::from(self.ir.vars[node.var].varied);
                let label = node.label.replace(['\t', '\n', '\r'], " ");
                format!(
                    "{}\t{requires_grad}\t{}\t{label}\n",
                    node.op,
                    inputs.join(",")
                )
            })
            .collect();
        let output = node_of.get(&resolve(self.ir.output)).copied().unwrap_or(0);
        let function = name.to_string();
        let vis = &self.item.vis;
        let doc = format!(
            "The computation graph `#[differentiable]` built for [`{name}`], for inspection (`Display`, `to_dot`)."
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis fn #graph_name() -> ::autodiff::Graph {
                static __AD_GRAPH: ::autodiff::__private::GraphCell =
                    ::autodiff::__private::GraphCell::new();
                __AD_GRAPH.get(#function, #text, #output)
            }
        }
    }

    /// The user's function, with its body replaced by the lowered forward pass.
    fn plain(&self) -> TokenStream {
        let ItemFn { attrs, vis, .. } = self.item;
        // `#![allow(..)]` at the top of the body stays inside it.
        let (inner, attrs): (Vec<_>, Vec<_>) = attrs
            .iter()
            .partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
        let signature = self.signature(&self.item.sig.ident, self.output_ty(), None);
        let out = self.operand(self.ir.output, self.ir.vars[self.ir.output].span);
        let forward = self.forward_block_before(&self.ir.stmts, Some(&out));
        // Users often call only `f_grad`; the plain `f` being unused is not their mistake.
        quote! {
            #(#attrs)*
            #[allow(dead_code, unused_mut)]
            #vis #signature {
                #(#inner)*
                use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                #forward
                #out
            }
        }
    }

    fn grad(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let grad_name = format_ident!("{}_grad", name);
        let out_ty = self.output_ty();
        let grads_ty = self.sig.grads_ty();
        let ret = quote!((#out_ty, #grads_ty));
        let signature = self.signature(&grad_name, ret, Some(self.scalar_bound()));
        let checks = self.requires_grad_checks();
        let seed = adj_ident(0, Span::call_site());
        let grads = self.grads(false);
        let out = self.operand(self.ir.output, self.ir.vars[self.ir.output].span);
        let result = quote!((#out, #grads));
        let reverse = self.reverse_block_before(&self.adjoint.stmts, Some(&result));
        let forward =
            self.forward_block_before(&self.ir.stmts, Some(&quote!(#seed #reverse #result)));
        let vis = &self.item.vis;
        let doc = self.doc_grad();
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                #checks
                #forward
                let mut #seed: #out_ty = <#out_ty as ::autodiff::bounds::ScalarOutput>::unit_seed();
                #reverse
                (#out, #grads)
            }
        }
    }

    fn vjp(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let doc = self.doc_vjp();
        let vis = &self.item.vis;
        let function = self.vjp_fn(&format_ident!("{}_vjp", name), false);
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #function
        }
    }

    /// `name::full_vjp`, what calling `#[differentiable]` functions chain into: the VJP
    /// with respect to every float argument, one gradient per parameter (`()` for the
    /// others). It lives on a braced struct named like the function, which takes no room
    /// in the value namespace and is imported along with the function by `use m::f;`.
    /// `self` (the `Emit` of a lowering with every float argument differentiated).
    pub fn full_vjp(&self) -> TokenStream {
        let this = Emit {
            borrowed: false,
            ir: &self.adjoint.forward,
            ..*self
        };
        let this = &this;
        if self.sig.sibling {
            // A sibling (impl blocks cannot hold the struct; nor can a module with another
            // item of the function's name), a method taking `self` by value so the
            // pullback borrows nothing of the caller's.
            let name = full_vjp_method(&this.item.sig.ident);
            let function = this.vjp_fn(&name, true);
            let vis = self.sibling_vis();
            return quote! {
                #[doc(hidden)]
                #[allow(dead_code, unused_mut, clippy::all)]
                #vis #function
            };
        }
        let name = &this.item.sig.ident;
        let vis = &this.item.vis;
        // `full_vjp_for((Flag::<d0>, ..), ..)` is the one sweep, for callers that say
        // which arguments they differentiate; `full_vjp` calls it with every one.
        let masked = Emit {
            masked: true,
            ..*this
        };
        let function = masked.vjp_fn(&Ident::new("full_vjp_for", name.span()), true);
        let grads_ty = this.sig.every_grad_ty();
        let ret = this.value_and_pullback_ty(&grads_ty);
        let signature = this.signature_with(
            &Ident::new("full_vjp", name.span()),
            ret,
            None,
            this.names_captures(),
        );
        let args = this.twin_args();
        let every = this
            .sig
            .params
            .iter()
            .map(|_| quote!(::autodiff::__private::Flag::<1>));
        quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}

            #[allow(dead_code, unused_mut, clippy::all)]
            impl #name {
                #[doc(hidden)]
                pub #function

                #[doc(hidden)]
                #[inline(always)]
                pub #signature {
                    Self::full_vjp_for((#(#every,)*), #(#args),*)
                }
            }
        }
    }

    fn vjp_fn(&self, fn_name: &Ident, every_param: bool) -> TokenStream {
        let out_ty = self.output_ty();
        let grads_ty = if every_param {
            self.sig.every_grad_ty()
        } else {
            self.sig.grads_ty()
        };
        let ret = self.value_and_pullback_ty(&grads_ty);
        let signature = self.signature_with(fn_name, ret, None, self.names_captures());
        let checks = self.requires_grad_checks();
        let seed = adj_ident(0, Span::call_site());
        let grads = self.grads(every_param);
        let out = self.operand(self.ir.output, self.ir.vars[self.ir.output].span);
        let reverse = self.reverse_block_before(&self.adjoint.stmts, Some(&grads));
        // A short sweep's pullback keeps witnesses of the values it reads only for their
        // types (a long one's `let`s would each open a scope, see `scopes`).
        let short = reverse_len(&self.adjoint.stmts) <= INLINED_REVERSE;
        let witnesses: &[VarId] = match short {
            true => &self.adjoint.top_witnesses,
            false => &[],
        };
        let slots: Vec<Ident> = witnesses
            .iter()
            .map(|v| witness_ident(*v, self.ir.vars[*v].span))
            .collect();
        let values: Vec<Ident> = witnesses.iter().map(|v| self.var(*v)).collect();
        let (keep_witnesses, stand_ins) = match witnesses.is_empty() {
            true => (quote!(), quote!()),
            false => (
                quote!(let (#(#slots,)*) = (#(::autodiff::__private::Witness::of(&#values),)*);),
                quote!(let (#(#values,)*) = (#(::autodiff::__private::Witness::stand_in(#slots),)*);),
            ),
        };
        let forward = self.forward_block_before(
            &self.ir.stmts,
            Some(&quote!(#keep_witnesses #out #reverse #grads)),
        );
        // A short reverse sweep is inlined where `backward` is called: a Jacobian's
        // `backward` calls, one per row, then run side by side (their dependency chains
        // are independent), and the pullback's captures stay in registers. A long one
        // stays a call, so rustc does not compile it once per `backward`. Not in debug
        // builds: there inlined frames add up instead of being reused (a long body's
        // callees would all sit in its frame).
        let inline = (reverse_len(&self.adjoint.stmts) <= INLINED_REVERSE)
            .then(|| quote!(#[cfg_attr(not(debug_assertions), inline(always))]));
        quote! {
            #signature {
                use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                #checks
                #forward
                #keep_witnesses
                (#out, ::autodiff::Pullback::new(#inline move |mut #seed: #out_ty| -> #grads_ty {
                    #stand_ins
                    #reverse
                    #grads
                }))
            }
        }
    }

    fn doc_grad(&self) -> String {
        let name = &self.item.sig.ident;
        format!(
            "The value of [`{name}`] and its gradient with respect to {}. Generated by `#[differentiable]`.",
            self.wrt_list()
        )
    }

    fn doc_vjp(&self) -> String {
        let name = &self.item.sig.ident;
        format!(
            "The value of [`{name}`] and its pullback, whose `backward(seed)` returns the vector-Jacobian product with respect to {}. Generated by `#[differentiable]`.",
            self.wrt_list()
        )
    }

    fn doc_hvp(&self) -> String {
        let name = &self.item.sig.ident;
        format!(
            "The value of [`{name}`], its gradient with respect to {} and the Hessian-vector product `H v` along one direction per differentiated parameter, in order, shaped like the gradients (forward mode over the reverse sweep). Generated by `#[differentiable]`.",
            self.wrt_list()
        )
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
        self.signature_with(name, ret, extra_bound, false)
    }

    /// With `name_data_lifetimes`, the elided lifetimes of by-reference data arguments
    /// get names, so the pullback's type can say it borrows them.
    fn signature_with(
        &self,
        name: &Ident,
        ret: TokenStream,
        extra_bound: Option<TokenStream>,
        name_data_lifetimes: bool,
    ) -> TokenStream {
        let sig = &self.item.sig;
        let data_lifetimes = if name_data_lifetimes {
            self.data_lifetimes()
        } else {
            Vec::new()
        };
        // `data_lifetimes` counts parameters as `sig.params` does, a receiver included.
        let inputs = sig
            .inputs
            .iter()
            .enumerate()
            .map(|(index, input)| match input {
                FnArg::Typed(typed) => {
                    let mut typed = typed.clone();
                    if let Pat::Ident(p) = &mut *typed.pat {
                        p.mutability = None;
                    }
                    if let (Some((_, lifetime, _)), syn::Type::Reference(r)) = (
                        data_lifetimes.iter().find(|(i, _, _)| *i == index),
                        &mut *typed.ty,
                    ) {
                        r.lifetime = Some(lifetime.clone());
                    }
                    typed.into_token_stream()
                }
                FnArg::Receiver(receiver) => {
                    let mut receiver = receiver.clone();
                    if let (Some((_, lifetime, _)), Some((_, elided @ None))) = (
                        data_lifetimes.iter().find(|(i, _, _)| *i == index),
                        &mut receiver.reference,
                    ) {
                        *elided = Some(lifetime.clone());
                    }
                    receiver.into_token_stream()
                }
            });
        let mut inputs: Vec<TokenStream> = inputs.collect();
        let flags: Vec<Ident> = match self.masked {
            true => (0..self.sig.params.len()).map(flag_ident).collect(),
            false => Vec::new(),
        };
        if self.masked {
            inputs.insert(0, quote!(_: (#(::autodiff::__private::Flag<#flags>,)*)));
        }
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
        let mut params: Vec<TokenStream> = data_lifetimes
            .iter()
            .filter(|(_, _, introduced)| *introduced)
            .map(|(_, lifetime, _)| lifetime.to_token_stream())
            .collect();
        params.extend(sig.generics.params.iter().map(ToTokens::to_token_stream));
        params.extend(flags.iter().map(|f| quote!(const #f: usize)));
        let generics = if params.is_empty() {
            quote!()
        } else {
            quote!(<#(#params),*>)
        };
        let fn_token = &sig.fn_token;
        quote!(#fn_token #name #generics(#(#inputs),*) -> #ret #where_clause)
    }

    /// The lifetime of each by-reference argument that is not differentiated (index among
    /// the typed parameters, the lifetime, whether the macro introduces it). The reverse
    /// sweep may read such data, so the pullback borrows it; differentiated arguments are
    /// copied and never borrowed.
    fn data_lifetimes(&self) -> Vec<(usize, syn::Lifetime, bool)> {
        self.sig
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.by_ref && !p.wrt)
            .filter_map(|(i, p)| match &p.ty {
                syn::Type::Reference(r) => Some(match &r.lifetime {
                    Some(lifetime) => (i, lifetime.clone(), false),
                    None => (
                        i,
                        syn::Lifetime::new(&format!("'__ad_data{i}"), Span::call_site()),
                        true,
                    ),
                }),
                _ => None,
            })
            .collect()
    }

    /// `use<'data, T, N>` on the pullback's type: every type and const parameter, and the
    /// lifetimes of by-reference data arguments only, so a pullback never borrows a
    /// differentiated argument (it owns copies). Methods keep the default: their impl's
    /// generics are not visible here.
    fn precise_captures(&self) -> TokenStream {
        // In an impl, `use<..>` must list the impl's parameters, which only the source
        // scan knows.
        let impl_params: Vec<Ident> = match (self.sig.in_impl, &self.sig.context.impl_params) {
            (false, _) => Vec::new(),
            (true, Some(params)) => params
                .iter()
                .map(|p| Ident::new(p, Span::call_site()))
                .collect(),
            (true, None) => return quote!(),
        };
        // `impl Trait` arguments and elided lifetimes inside types (`View<'_>`) cannot be
        // named in `use<..>`: such a pullback keeps the default, capturing everything.
        let unnameable = self.item.sig.inputs.iter().any(|input| {
            let FnArg::Typed(t) = input else { return false };
            let ty = match &*t.ty {
                syn::Type::Reference(r) => &*r.elem,
                ty => ty,
            };
            let text = ty.to_token_stream().to_string();
            text.contains("impl ") || text.contains("'_")
        });
        if unnameable {
            return quote!();
        }
        let mut lifetimes: Vec<TokenStream> = self
            .data_lifetimes()
            .into_iter()
            .map(|(_, lifetime, _)| lifetime.into_token_stream())
            .collect();
        // Lifetimes the function declares, which by-value data (`View<'a>`) may carry.
        for param in &self.item.sig.generics.params {
            if let GenericParam::Lifetime(l) = param {
                let l = l.lifetime.to_token_stream();
                if !lifetimes
                    .iter()
                    .any(|known| known.to_string() == l.to_string())
                {
                    lifetimes.push(l);
                }
            }
        }
        let flags = match self.masked {
            true => (0..self.sig.params.len()).map(flag_ident).collect(),
            false => Vec::new(),
        };
        let all = lifetimes
            .into_iter()
            .chain(impl_params.iter().map(|p| p.to_token_stream()))
            .chain(type_and_const_params(&self.item.sig.generics))
            .chain(flags.into_iter().map(ToTokens::into_token_stream));
        quote!(+ use<#(#all),*>)
    }

    /// Whether the pullback's type can spell what it captures (`use<..>`), and so the
    /// signature names the lifetimes of borrowed data for it.
    fn names_captures(&self) -> bool {
        !self.sig.in_impl || self.sig.context.impl_params.is_some()
    }

    fn output_ty(&self) -> TokenStream {
        self.sig.output_ty.to_token_stream()
    }

    /// One `assert_requires_grad::<Ty>()` per differentiated parameter, on its type.
    fn requires_grad_checks(&self) -> TokenStream {
        self.sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| {
                let ty = &p.grad_ty;
                let span = hygienic(p.ident.span());
                if p.ident == "self" {
                    let self_ty = Ident::new("Self", p.ident.span());
                    return quote_spanned!(span=> ::autodiff::bounds::assert_self_requires_grad::<#self_ty>(););
                }
                let span = hygienic(p.ty.span_or_call_site());
                quote_spanned!(span=> ::autodiff::bounds::assert_requires_grad::<#ty>();)
            })
            .collect()
    }

    /// `let mut tape = ..;` for loop `id`. The first entries live on the stack, the rest in
    /// one allocation sized from the trip count where it is known: a constant (a plain
    /// array when it fits the stack budget), a const parameter (`inline_entries(N)` of
    /// one is not a constant expression on stable Rust), or the bound iterator's length.
    fn tape_declaration(
        &self,
        id: usize,
        span: Span,
        for_loop: bool,
        trip_count: Option<&TokenStream>,
        on_heap: bool,
    ) -> TokenStream {
        let tape = tape_ident(id, span);
        match (for_loop, trip_count) {
            (true, Some(n)) if !on_heap && !self.mentions_const_param(n) => {
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::StackTape::<_, { ::autodiff::__private::inline_entries((#n) as usize) }, { ::autodiff::__private::INLINE_ENTRIES < ((#n) as usize) }>::with_capacity((#n) as usize);)
            }
            (true, Some(n)) => {
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::Tape::with_capacity((#n) as usize);)
            }
            (true, None) => {
                let iter = iter_ident(id, span);
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::Tape::for_iter(&#iter);)
            }
            (false, _) => {
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::Tape::new();)
            }
        }
    }

    /// The declaration of a nested loop's tape, before the outermost loop around it.
    /// Entries that are not plain `Copy` values (a callee's pullback, which holds the
    /// callee's own tapes; a `Vec`) go on the heap: inline, a tape of pullbacks would hold
    /// every call's tapes on the stack at once.
    fn hoisted_tape(&self, hoist: &crate::ir::Hoist, span: Span) -> TokenStream {
        let tape = tape_ident(hoist.id, span);
        match &hoist.capacity {
            Some(n) if !hoist.on_heap && !self.mentions_const_param(n) => {
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::StackTape::<_, { ::autodiff::__private::inline_entries(#n) }, { ::autodiff::__private::INLINE_ENTRIES < (#n) }>::with_capacity(#n);)
            }
            Some(n) => {
                quote_spanned!(span=> let mut #tape = ::autodiff::__private::Tape::with_capacity(#n);)
            }
            None => quote_spanned!(span=> let mut #tape = ::autodiff::__private::Tape::new();),
        }
    }

    /// Whether `tokens` name one of the function's const parameters anywhere.
    fn mentions_const_param(&self, tokens: &TokenStream) -> bool {
        tokens.clone().into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(i) => self.is_const_param(&i.into_token_stream()),
            proc_macro2::TokenTree::Group(g) => self.mentions_const_param(&g.stream()),
            _ => false,
        })
    }

    /// A tape entry's or handout's items: pushed values and pullbacks, as the forward pass
    /// builds them (`build`) or as the pattern the reverse binds them to.
    fn entry_items(&self, pushed: &[VarId], pullbacks: &[VarId], build: bool) -> Vec<TokenStream> {
        let values = pushed.iter().map(|v| self.entry_value(*v, build));
        let pullbacks = pullbacks
            .iter()
            .map(|v| pullback_ident(*v, hygienic(self.ir.vars[*v].span)).into_token_stream());
        values.chain(pullbacks).collect()
    }

    /// `let w = stand_in(slot of w);` for each witness: the value a VJP is given in place
    /// of one it reads only for its type.
    fn stand_ins(&self, witnesses: &[VarId]) -> TokenStream {
        witnesses
            .iter()
            .map(|v| {
                let slot = witness_ident(*v, self.ir.vars[*v].span);
                let v = self.var(*v);
                quote!(let #v = ::autodiff::__private::Witness::stand_in(#slot);)
            })
            .collect()
    }

    /// `slot of w = Witness::of(&w);` for each witness: where a taped iteration or a
    /// branch in one leaves the types its reverse reads.
    fn witness_stores(&self, witnesses: &[VarId]) -> TokenStream {
        witnesses
            .iter()
            .map(|v| {
                let slot = witness_ident(*v, self.ir.vars[*v].span);
                let v = self.var(*v);
                quote!(#slot = ::autodiff::__private::Witness::of(&#v);)
            })
            .collect()
    }

    /// The loop statement of the forward pass or of its tangent sweep, and the binding of a
    /// taped `for` loop's iterator that comes before it (so the tape can be sized from it).
    fn loop_statement(
        &self,
        id: usize,
        span: Span,
        shape: LoopShape<'_>,
        taped: bool,
        parts: LoopParts,
    ) -> (TokenStream, TokenStream) {
        let LoopParts {
            header,
            body,
            push,
            update,
            exits,
        } = parts;
        match shape {
            LoopShape::For { pat, iter } => {
                let pat = match pat {
                    Some(p) => self.var(p).into_token_stream(),
                    None => quote!(_),
                };
                let (bind_iter, iter) = if taped {
                    let name = iter_ident(id, span);
                    (
                        quote_spanned!(span=> let #name = ::core::iter::IntoIterator::into_iter(#iter);),
                        name.into_token_stream(),
                    )
                } else {
                    (quote!(), iter.clone())
                };
                let looped = quote_spanned! {span=>
                    for #pat in #iter {
                        #header
                        #body
                        #push
                        #update
                    }
                };
                (bind_iter, looped)
            }
            LoopShape::While { cond_tokens, cond } => {
                let cond = self.var(cond);
                let looped = quote_spanned! {span=>
                    loop {
                        #header
                        #cond_tokens
                        if !#cond {
                            #exits
                            break;
                        }
                        #body
                        #push
                        #update
                    }
                };
                (quote!(), looped)
            }
        }
    }

    /// What a `while` loop leaves in its slots when the condition fails: for each carried
    /// value, the condition's change of it (`exit`), else the iteration's value, moved
    /// back (the header moved it out, and a `Vec` is not `Copy`). `tangent_phis` are the
    /// carried values whose tangents the loop carries too.
    fn while_exits(
        &self,
        carried: &[crate::ir::Carry],
        tangent_phis: &[VarId],
        span: Span,
    ) -> TokenStream {
        let values = carried.iter().map(|c| {
            let exit = self.value_of(c.exit.unwrap_or(c.phi));
            let slot = format_ident!("__ad_slot{}", c.phi, span = span);
            quote_spanned!(span=> #slot = #exit;)
        });
        let tangents = tangent_phis.iter().map(|phi| {
            let (slot, tangent) = (
                format_ident!("__ad_dslot{}", phi, span = span),
                self.tan(*phi),
            );
            quote_spanned!(span=> #slot = #tangent;)
        });
        values.chain(tangents).collect()
    }

    /// A value a branch leaves behind: moved when the branch bound it, else a clone (a
    /// copy for floats and tensors), since code after the `if`, or the reverse sweep, may
    /// read the value from before it again.
    fn branch_value<S: BindsVar>(&self, v: VarId, block: &[S]) -> TokenStream {
        let value = self.value_of(v);
        match block.iter().any(|stmt| stmt.binds(v)) {
            true => value,
            false => quote!(::core::clone::Clone::clone(&#value)),
        }
    }

    /// Whether `tokens` is just the name of one of the function's const parameters.
    fn is_const_param(&self, tokens: &TokenStream) -> bool {
        let name = tokens.to_string();
        self.item.sig.generics.params.iter().any(|p| match p {
            GenericParam::Const(c) => c.ident == name,
            _ => false,
        })
    }

    fn var(&self, v: VarId) -> Ident {
        var_ident(v, self.ir.vars[v].span)
    }

    /// A block of the forward pass, exactly as the IR says: tapes, kept pullbacks and
    /// undo logs appear only where `reverse` put them.
    pub fn forward_block(&self, block: &[Stmt]) -> TokenStream {
        self.forward_block_before(block, None)
    }

    /// `forward_block`, knowing the tokens that follow it in the function (see `scopes`).
    fn forward_block_before(&self, block: &[Stmt], tail: Option<&TokenStream>) -> TokenStream {
        let pieces = block.iter().map(|stmt| Piece {
            tokens: self.forward_stmt(stmt),
            binds: self.forward_binds(stmt),
        });
        scopes::flatten(pieces.collect(), tail)
    }

    fn forward_stmt(&self, stmt: &Stmt) -> TokenStream {
        let mut tokens = TokenStream::new();
        match stmt {
            Stmt::Effect(effect) => tokens.extend(effect.clone()),
            Stmt::NewLog { place, log: kind } => {
                let log = log_ident(*place, self.ir.vars[*place].span);
                let ty = match kind {
                    Log::Parts => quote!(PartLog),
                    _ => quote!(UndoLog),
                };
                tokens.extend(quote_spanned! {log.span()=>
                    let mut #log = ::autodiff::__private::#ty::new();
                });
            }
            Stmt::Store {
                place,
                path,
                value,
                span,
                log: kind,
            } => {
                let span = hygienic(*span);
                let name = self.var(*place);
                let value = self.cloned(*value, self.ir.vars[*value].span);
                let log = log_ident(*place, self.ir.vars[*place].span);
                tokens.extend(match (path.as_slice(), kind) {
                        (_, Log::None) => {
                            let path = self.path(path);
                            quote_spanned!(span=> #name #path = #value;)
                        }
                        ([], _) => {
                            quote_spanned!(span=> #log.store_whole(&mut #name, #value);)
                        }
                        ([Proj::Var(i)], Log::Elements) => {
                            let i = self.var(*i);
                            quote_spanned!(span=> #log.store(&mut #name, #i, #value);)
                        }
                        (_, _) => {
                            // Indices are copied into the closure that finds the part again.
                            let path = self.path(path);
                            let place = Ident::new("__ad_place", Span::mixed_site().located_at(span));
                            quote_spanned!(span=> #log.store_part(&mut #name, move |#place| &mut #place #path, #value);)
                        }
                    });
            }
            Stmt::Push {
                place,
                value,
                span,
                log: kind,
            } => {
                let span = hygienic(*span);
                let (name, value) = (
                    self.var(*place),
                    self.cloned(*value, self.ir.vars[*value].span),
                );
                let log = log_ident(*place, self.ir.vars[*place].span);
                tokens.extend(match kind {
                    Log::None => quote_spanned!(span=> #name.push(#value);),
                    _ => quote_spanned!(span=> #log.push(&mut #name, #value);),
                });
            }
            Stmt::Let { var, ty, value } => {
                // Every generated token shares one hygiene context located at the
                // user's expression, so rustc reports errors there (mixing contexts
                // makes it fall back to the attribute).
                let span = hygienic(self.ir.vars[*var].span);
                let name = self.var(*var);
                if let Value::Call {
                    callee,
                    args,
                    spans,
                    by_ref,
                    keep_pullback: true,
                    method,
                } = value
                {
                    let pullback = pullback_ident(*var, span);
                    let ir_args = args;
                    let args = self.call_args(args, spans, by_ref);
                    let call = match method {
                        Some(method) => {
                            let full = full_vjp_method(method);
                            let (receiver, rest) = (&args[0], &args[1..]);
                            quote_spanned!(span=> ::core::clone::Clone::clone(&#receiver).#full(#(#rest),*))
                        }
                        // A free function called without turbofish (which would have to
                        // spell `full_vjp_for`'s flags) learns which arguments this caller
                        // differentiates.
                        None if !sibling_callee(&callee.path, &self.sig.context)
                            && callee
                                .path
                                .segments
                                .last()
                                .is_some_and(|s| s.arguments.is_none()) =>
                        {
                            let full = callee_twin(callee, "vjp_for", &self.sig.context);
                            let flags = ir_args.iter().map(|a| {
                                let differentiated = usize::from(self.ir.vars[*a].varied);
                                quote!(::autodiff::__private::Flag::<#differentiated>)
                            });
                            quote_spanned!(span=> #full((#(#flags,)*), #(#args),*))
                        }
                        None => {
                            let full = callee_twin(callee, "vjp", &self.sig.context);
                            quote_spanned!(span=> #full(#(#args),*))
                        }
                    };
                    tokens.extend(quote_spanned! {span=>
                        let (#name, #pullback) = #call;
                    });
                    return tokens;
                }
                let rhs = self.forward_value(value, span);
                let ty = ty.as_ref().map(|ty| quote!(: #ty));
                tokens.extend(if self.ir.vars[*var].mutable {
                    quote_spanned!(span=> let mut #name #ty = #rhs;)
                } else {
                    quote_spanned!(span=> let #name #ty = #rhs;)
                });
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                let cond = self.var(*cond);
                let then_tokens = self.forward_block(then_block);
                let else_tokens = self.forward_block(else_block);
                if phis.is_empty() {
                    // Only effects (stores, inert statements): no value to merge.
                    tokens.extend(quote! {
                        if #cond { #then_tokens } else { #else_tokens }
                    });
                    return tokens;
                }
                let outs = phis.iter().map(|p| self.binding(p.out));
                let then_values = phis
                    .iter()
                    .map(|p| self.branch_value(p.then_value, then_block));
                let else_values = phis
                    .iter()
                    .map(|p| self.branch_value(p.else_value, else_block));
                tokens.extend(quote! {
                    let (#(#outs,)*) = if #cond {
                        #then_tokens
                        (#(#then_values,)*)
                    } else {
                        #else_tokens
                        (#(#else_values,)*)
                    };
                });
            }
            Stmt::Loop {
                id,
                kind,
                body,
                carried,
                tape,
                ..
            } => {
                let span = hygienic(
                    carried
                        .first()
                        .map_or_else(Span::call_site, |c| self.ir.vars[c.phi].span),
                );
                let slots: Vec<Ident> = carried
                    .iter()
                    .map(|c| format_ident!("__ad_slot{}", c.phi, span = span))
                    .collect();
                let inits = carried
                    .iter()
                    .map(|c| self.cloned(c.init, self.ir.vars[c.init].span));
                let phis: Vec<Ident> = carried.iter().map(|c| self.var(c.phi)).collect();
                let nexts = carried.iter().map(|c| self.value_of(c.next));
                let outs = carried.iter().map(|c| self.binding(c.out));
                let tape_name = tape_ident(*id, span);
                let body_tokens = self.forward_block(body);
                let (tape_decl, push, after) = match tape {
                    // The starting state (carried values, the iterator) and the trip
                    // count, which the checkpointed reverse sweep replays from.
                    Some(tape) if tape.checkpointed => {
                        let (init, count) = (init_ident(*id, span), count_ident(*id, span));
                        let inits = carried.iter().map(|c| {
                            let v = self.value_of(c.init);
                            quote_spanned!(span=> ::core::clone::Clone::clone(&#v))
                        });
                        let iter = match kind {
                            LoopKind::For { .. } => {
                                let iter = iter_ident(*id, span);
                                quote_spanned!(span=> ::core::clone::Clone::clone(&#iter),)
                            }
                            LoopKind::While { .. } => quote!(),
                        };
                        (
                            quote_spanned!(span=>
                                let #init = (#(#inits,)* #iter);
                                let mut #count: usize = 0;
                            ),
                            quote_spanned!(span=> #count += 1;),
                            quote!(),
                        )
                    }
                    Some(tape) => {
                        let (for_loop, trip_count) = match kind {
                            LoopKind::For { trip_count, .. } => {
                                (true, tape.capacity.as_ref().or(trip_count.as_ref()))
                            }
                            LoopKind::While { .. } => (false, None),
                        };
                        // A taped loop's own tape, unless an enclosing loop declares it or
                        // it keeps nothing but its trip count.
                        let own = tape.own();
                        let mut decl = TokenStream::new();
                        let mut push = TokenStream::new();
                        let mut after = TokenStream::new();
                        if own && !tape.hoisted {
                            decl.extend(self.tape_declaration(
                                *id,
                                span,
                                for_loop,
                                trip_count,
                                tape.on_heap,
                            ));
                        }
                        for hoist in &tape.hoists {
                            decl.extend(self.hoisted_tape(hoist, span));
                        }
                        for w in &tape.witness_slots {
                            let slot = witness_ident(*w, self.ir.vars[*w].span);
                            decl.extend(quote_spanned!(span=> let mut #slot = ::autodiff::__private::Witness::new();));
                        }
                        if own {
                            let entry =
                                tape_entry(self.entry_items(&tape.pushed, &tape.pullbacks, true));
                            push.extend(quote_spanned!(span=> #tape_name.push(#entry);));
                        }
                        push.extend(self.witness_stores(&tape.witnesses));
                        if let Some(c) = tape.count {
                            let (count, c) = (count_ident(*id, span), self.var(c));
                            decl.extend(quote_spanned!(span=> let mut #count: usize = 0;));
                            push.extend(quote_spanned!(span=> #count += 1;));
                            after.extend(quote_spanned!(span=> let #c = #count;));
                        }
                        (decl, push, after)
                    }
                    None => (quote!(), quote!(), quote!()),
                };
                let header = quote_spanned!(span=> #(let #phis = #slots;)*);
                let update = quote_spanned!(span=> #(#slots = #nexts;)*);
                let shape = match kind {
                    LoopKind::For { pat, iter, .. } => LoopShape::For { pat: *pat, iter },
                    LoopKind::While { cond_block, cond } => LoopShape::While {
                        cond_tokens: self.forward_block(cond_block),
                        cond: *cond,
                    },
                };
                let parts = LoopParts {
                    header,
                    body: body_tokens,
                    push,
                    update,
                    exits: self.while_exits(carried, &[], span),
                };
                let (bind_iter, looped) =
                    self.loop_statement(*id, span, shape, tape.is_some(), parts);
                tokens.extend(quote_spanned! {span=>
                    #bind_iter
                    #tape_decl
                    #(let mut #slots = #inits;)*
                    #looped
                    let (#(#outs,)*) = (#(#slots,)*);
                    #after
                });
            }
        }
        tokens
    }

    /// The reverse sweep, printed from the adjoint IR.
    pub fn reverse_block(&self, block: &[AStmt]) -> TokenStream {
        self.reverse_block_before(block, None)
    }

    /// `reverse_block`, knowing the tokens that follow it in the function (see `scopes`).
    fn reverse_block_before(&self, block: &[AStmt], tail: Option<&TokenStream>) -> TokenStream {
        let pieces = block.iter().map(|stmt| Piece {
            tokens: self.reverse_stmt(stmt),
            binds: self.reverse_binds(stmt),
        });
        scopes::flatten(pieces.collect(), tail)
    }

    fn adj(&self, a: AdjId) -> Ident {
        let primal = self.adjoint.adjoints[a];
        adj_ident(a, self.ir.vars[primal].span)
    }

    /// `.w`, `[i]`, `[(0, 1)]`, ... after a value.
    fn path(&self, path: &[Proj]) -> TokenStream {
        path.iter()
            .map(|p| match p {
                Proj::Var(v) => {
                    let v = self.var(*v);
                    quote!([#v])
                }
                Proj::Const(r, c) => quote!([(#r, #c)]),
                Proj::Usize(k) => quote!([#k]),
                Proj::Field(m) => quote!(.#m),
            })
            .collect()
    }

    /// The type of parameter `v` when its zero follows from the type alone: a float or
    /// tensor parameter whose type names none of the function's type parameters (whose
    /// bounds may not give a zero without the value). A pullback then keeps no copy of
    /// the parameter only for the shape of its gradient.
    fn type_given_zero(&self, v: VarId) -> Option<&syn::Type> {
        // An impl's own type parameters are not in the method's signature.
        if !self.ir.vars[v].numeric || self.sig.in_impl {
            return None;
        }
        let index = self.ir.stmts.iter().find_map(|s| match s {
            Stmt::Let {
                var,
                value: Value::Param { index, .. },
                ..
            } if *var == v => Some(*index),
            _ => None,
        })?;
        let ty = &self.sig.params.get(index)?.grad_ty;
        let generic_types: Vec<String> = self
            .item
            .sig
            .generics
            .params
            .iter()
            .filter_map(|g| match g {
                GenericParam::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        fn names_any(tokens: TokenStream, names: &[String]) -> bool {
            tokens.into_iter().any(|tree| match tree {
                proc_macro2::TokenTree::Ident(i) => {
                    i == "Self" || i == "impl" || names.iter().any(|n| i == n)
                }
                proc_macro2::TokenTree::Group(g) => names_any(g.stream(), names),
                _ => false,
            })
        }
        (!names_any(ty.to_token_stream(), &generic_types)).then_some(ty)
    }

    /// `stmt`, in `full_vjp_for` only where the caller differentiates one of the
    /// parameters `primal` depends on: a contribution to a value of a constant passed as
    /// data is skipped, and with it the chain of products that computed it.
    fn unless_no_caller_needs(&self, primal: VarId, stmt: TokenStream) -> TokenStream {
        let n = self.sig.params.len();
        let mask = self.adjoint.param_masks.get(primal).copied().unwrap_or(!0);
        let every = if n < 64 { (1u64 << n) - 1 } else { !0 };
        if !self.masked || n >= 64 || mask == 0 || mask & every == every {
            return stmt;
        }
        let flags = (0..n).filter(|k| mask & (1 << k) != 0).map(flag_ident);
        quote!(if #(#flags != 0)||* { #stmt })
    }

    /// A pushed value as a tape entry holds it: in `full_vjp_for`, a value read only for
    /// one parameter's gradient is kept only if the caller differentiates it.
    fn entry_value(&self, v: VarId, build: bool) -> TokenStream {
        let name = self.var(v);
        match (self.masked, self.adjoint.gates.get(&v), build) {
            (true, Some(k), true) => {
                let flag = flag_ident(*k);
                quote!(::autodiff::__private::Kept::<_, #flag>::keep(::core::clone::Clone::clone(&#name)))
            }
            (_, _, true) => quote!(::core::clone::Clone::clone(&#name)),
            (_, _, false) => name.into_token_stream(),
        }
    }

    /// `let v = take(v);` for each gated value of a popped entry (see `entry_value`).
    fn ungated(&self, pushed: &[VarId]) -> TokenStream {
        if !self.masked {
            return quote!();
        }
        pushed
            .iter()
            .filter_map(|v| {
                self.adjoint.gates.get(v)?;
                let v = self.var(*v);
                Some(quote!(let #v = ::autodiff::__private::Kept::take(#v);))
            })
            .collect()
    }

    fn aexpr(&self, e: &AExpr) -> TokenStream {
        match e {
            AExpr::Adj(a) => self.adj(*a).into_token_stream(),
            AExpr::Copied(a) => {
                let a = self.adj(*a);
                quote!(::core::clone::Clone::clone(&#a))
            }
            AExpr::AdjPath(a, path) => {
                let (a, path) = (self.adj(*a), self.path(path));
                quote!(::core::clone::Clone::clone(&#a #path))
            }
            AExpr::Zero(v) => {
                let span = hygienic(self.ir.vars[*v].span);
                if let Some(ty) = self.type_given_zero(*v) {
                    return quote_spanned!(span=> <#ty as ::autodiff::__private::StandIn>::stand_in());
                }
                let primal = self.operand(*v, span);
                quote_spanned!(span=> ::autodiff::bounds::ZeroGrad::zero_grad(&#primal))
            }
            AExpr::SumOf(a, v) => {
                let span = hygienic(self.ir.vars[*v].span);
                let (a, primal) = (self.adj(*a), self.operand(*v, span));
                quote_spanned!(span=> ::autodiff::__private::sum_of(&#a, &#primal))
            }
            AExpr::WithoutData(a) => {
                let a = self.adj(*a);
                read_tangent(quote!(::core::clone::Clone::clone(&#a)))
            }
        }
    }

    /// A VJP's or pullback's results: a single binding, or a tuple pattern.
    fn results(&self, results: &[Option<AdjId>], tuple: bool) -> TokenStream {
        let names: Vec<TokenStream> = results
            .iter()
            .map(|r| match r {
                Some(a) => {
                    let a = self.adj(*a);
                    quote!(mut #a)
                }
                None => quote!(_),
            })
            .collect();
        match (tuple, names.as_slice()) {
            (false, [one]) => one.clone(),
            (false, many) => quote!((#(#many),*)),
            (true, all) => quote!((#(#all,)*)),
        }
    }

    fn reverse_stmt(&self, stmt: &AStmt) -> TokenStream {
        match stmt {
            AStmt::Init { adj, value } => {
                let (name, value) = (self.adj(*adj), self.aexpr(value));
                quote_spanned!(name.span()=> let mut #name = #value;)
            }
            AStmt::Accumulate { adj, target, value } => {
                let (name, value) = (self.adj(*adj), self.aexpr(value));
                let span = name.span();
                let accumulate = match target {
                    Target::Whole if self.ir.vars[self.adjoint.adjoints[*adj]].numeric => {
                        quote_spanned!(span=> #name += #value;)
                    }
                    Target::Whole => {
                        quote_spanned!(span=> ::autodiff::__private::accumulate(&mut #name, #value);)
                    }
                    Target::Path(path) => {
                        let path = self.path(path);
                        quote_spanned!(span=> ::autodiff::__private::accumulate(&mut #name #path, #value);)
                    }
                    Target::Rows { start, rows } => {
                        let start = self.var(*start);
                        quote_spanned!(span=> ::autodiff::__private::ops::add_rows::<_, #rows, _, _>(&mut #name, #start, #value);)
                    }
                };
                self.unless_no_caller_needs(self.adjoint.adjoints[*adj], accumulate)
            }
            AStmt::AssignAll(assigns) => {
                let names = assigns.iter().map(|(a, _)| self.adj(*a));
                let values = assigns.iter().map(|(_, v)| self.aexpr(v));
                quote!((#(#names,)*) = (#(#values,)*);)
            }
            AStmt::Assign { adj, value } => {
                let (name, value) = (self.adj(*adj), self.aexpr(value));
                quote_spanned!(name.span()=> #name = #value;)
            }
            AStmt::Pop { adj, into } => {
                let (name, into) = (self.adj(*adj), self.adj(*into));
                quote_spanned!(into.span()=> let mut #into = ::autodiff::__private::pop(&mut #name);)
            }
            AStmt::Clear { adj, path } => {
                let (name, path) = (self.adj(*adj), self.path(path));
                quote_spanned!(name.span()=> ::autodiff::__private::clear(&mut #name #path);)
            }
            AStmt::Vjp {
                var,
                prim,
                operands,
                spans,
                generic,
                ct,
                results,
                partner,
            } => {
                let span = hygienic(self.ir.vars[*var].span);
                let path = op_path(prim, generic.as_ref(), span);
                let method = format_ident!("{}_vjp", prim.name, span = span);
                let ops = self.prim_operands(prim, operands, spans);
                let out = var_ident(*var, span);
                let ct = self.adj(*ct);
                let call = if let (Some(partner), Some(rule)) = (partner, prim.partner) {
                    let (partner, method) = (self.var(*partner), Ident::new(rule.method, span));
                    quote_spanned!(span=> #path::#method(#partner, #ct))
                } else if prim.by_ref {
                    // Products skip the contributions no active operand receives.
                    let wanted = results.iter().map(Option::is_some);
                    let refs = borrow_operands(&ops, spans);
                    quote_spanned!(span=> #path::#method(#(#refs),*, &#out, #ct, [#(#wanted),*]))
                } else {
                    quote_spanned!(span=> #path::#method(#(#ops),*, #out, #ct))
                };
                let pattern = self.results(results, false);
                quote_spanned!(span=> let #pattern = #call;)
            }
            AStmt::Backward { var, ct, results } => {
                let span = hygienic(self.ir.vars[*var].span);
                let pullback = pullback_ident(*var, span);
                let ct = self.adj(*ct);
                let pattern = self.results(results, true);
                quote_spanned!(span=> let #pattern = #pullback.backward(#ct);)
            }
            AStmt::Replay(stmts) => self.forward_block(stmts),
            AStmt::UndoTo { place, mark } => {
                let span = self.ir.vars[*place].span;
                let (log, name, mark) =
                    (log_ident(*place, span), self.var(*place), self.var(*mark));
                quote_spanned!(log.span()=> #log.undo_to(&mut #name, #mark);)
            }
            AStmt::Restore { place, whole } => {
                let span = self.ir.vars[*place].span;
                let (log, name) = (log_ident(*place, span), self.var(*place));
                let _ = whole;
                quote_spanned!(log.span()=> #log.restore(&mut #name);)
            }
            AStmt::If {
                cond,
                then_block,
                else_block,
            } => {
                let cond = self.var(*cond);
                let then_tokens = self.reverse_block(then_block);
                let else_tokens = self.reverse_block(else_block);
                quote!(if #cond { #then_tokens } else { #else_tokens })
            }
            AStmt::Checkpointed {
                id,
                snapshots,
                phis,
                pat,
                is_for,
                advance,
                nexts,
                body,
            } => {
                let span = hygienic(
                    phis.first()
                        .map_or_else(Span::call_site, |v| self.ir.vars[*v].span),
                );
                let (init, count) = (init_ident(*id, span), count_ident(*id, span));
                let state = Ident::new("__ad_state", Span::mixed_site().located_at(span));
                let it = Ident::new("__ad_it", Span::mixed_site().located_at(span));
                let phis: Vec<Ident> = phis.iter().map(|v| self.var(*v)).collect();
                let nexts = nexts.iter().map(|v| self.value_of(*v));
                let (pattern, next_item, iter_out) = if *is_for {
                    let bind = pat.map(|p| {
                        let p = self.var(p);
                        quote_spanned!(span=> let #p = ::core::iter::Iterator::next(&mut #it).expect("the loop ran this many iterations");)
                    });
                    let bind = bind.unwrap_or_else(
                        || quote_spanned!(span=> let _ = ::core::iter::Iterator::next(&mut #it);),
                    );
                    (quote!((#(#phis,)* mut #it,)), bind, quote!(#it,))
                } else {
                    (quote!((#(#phis,)*)), quote!(), quote!())
                };
                let advance = self.forward_block(advance);
                let body = self.reverse_block(body);
                quote_spanned! {span=>
                    ::autodiff::__private::reverse_checkpointed(
                        #count,
                        #snapshots,
                        #init,
                        |#state, _| {
                            let #pattern = #state;
                            #next_item
                            #advance
                            (#(#nexts,)* #iter_out)
                        },
                        |#state, _| {
                            let #pattern = ::core::clone::Clone::clone(#state);
                            #next_item
                            #body
                        },
                    );
                }
            }
            AStmt::Unpack {
                from,
                pushed,
                pullbacks,
                witnesses,
            } => {
                let pattern = tape_entry(self.entry_items(pushed, pullbacks, false));
                let unpack = from.map(|from| {
                    let from = self.var(from);
                    quote!(let #pattern = ::core::option::Option::expect(#from, "the branch that ran handed out its values");)
                });
                let stand_ins = self.stand_ins(witnesses);
                quote! {
                    #unpack
                    #stand_ins
                }
            }
            AStmt::Taped {
                id,
                pushed,
                pullbacks,
                witnesses,
                order,
                body,
            } => {
                let span = hygienic(Span::call_site());
                let tape = tape_ident(*id, span);
                let pattern = tape_entry(self.entry_items(pushed, pullbacks, false));
                let stand_ins = self.stand_ins(witnesses);
                let ungated = self.ungated(pushed);
                let stand_ins = quote!(#ungated #stand_ins);
                let pops = !(pushed.is_empty() && pullbacks.is_empty());
                let pop = pops.then(|| {
                    quote! {
                        let #pattern = ::core::option::Option::expect(#tape.pop(), "the reverse sweep pops exactly what the forward pass pushed");
                    }
                });
                let body = self.reverse_block(body);
                match order {
                    crate::ir::Order::UntilEmpty => quote! {
                        while let ::core::option::Option::Some(#pattern) = #tape.pop() {
                            #stand_ins
                            #body
                        }
                    },
                    crate::ir::Order::Count(c) => {
                        let c = self.var(*c);
                        quote! {
                            for _ in 0..#c {
                                #pop
                                #stand_ins
                                #body
                            }
                        }
                    }
                    crate::ir::Order::Range { pat, iter } => {
                        let pat = match pat {
                            Some(p) => self.var(*p).into_token_stream(),
                            None => quote!(_),
                        };
                        quote! {
                            for #pat in ::core::iter::Iterator::rev(::core::iter::IntoIterator::into_iter(#iter)) {
                                #pop
                                #stand_ins
                                #body
                            }
                        }
                    }
                }
            }
            AStmt::Loop { id, popped, body } => {
                let span = hygienic(
                    popped
                        .first()
                        .map_or_else(Span::call_site, |v| self.ir.vars[*v].span),
                );
                let tape = tape_ident(*id, span);
                let entry = tape_entry(
                    popped
                        .iter()
                        .map(|v| self.var(*v).into_token_stream())
                        .collect(),
                );
                let body = self.reverse_block(body);
                quote_spanned! {span=>
                    while let ::core::option::Option::Some(#entry) = #tape.pop() {
                        #body
                    }
                }
            }
        }
    }

    /// The gradients: one per differentiated parameter, or with `every_param` one per
    /// parameter (`()` for those not differentiated).
    fn grads(&self, every_param: bool) -> TokenStream {
        self.param_grads(every_param, |adj| self.adj(adj), |e| self.aexpr(e))
    }

    /// One entry per parameter (or per differentiated one): `adjoint` of a parameter's
    /// adjoint, `other` of anything else. A struct's `#[no_grad]` fields come back as its
    /// value's, whatever the sweep added into them (floats and tensors have none).
    fn param_grads(
        &self,
        every_param: bool,
        adjoint: impl Fn(AdjId) -> Ident,
        other: impl Fn(&AExpr) -> TokenStream,
    ) -> TokenStream {
        let params = self.ir.stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Let {
                var,
                value: Value::Param { index, .. },
                ..
            } => Some((*var, *index)),
            _ => None,
        });
        let elem_ty = self.sig.elem_ty.as_ref();
        let grads: Vec<TokenStream> = self
            .adjoint
            .grads
            .iter()
            .zip(params)
            .filter(|(g, _)| every_param || g.is_some())
            .map(|(g, (param, index))| {
                let ty = self.sig.params.get(index).map(|p| &p.ty);
                match g {
                    Some(AExpr::Adj(adj)) if ty.is_none_or(|ty| may_hold_no_grad(ty, elem_ty)) => {
                        let span = hygienic(self.ir.vars[param].span);
                        let (grad, value) = (adjoint(*adj), self.operand(param, span));
                        let slice = ty.is_some_and(|ty| {
                            matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Slice(_)))
                        });
                        match slice {
                            // A slice's gradient is a `Vec` of its length.
                            true => quote_spanned!(span=> ::autodiff::__private::keep_no_grad_each(#grad, &#value)),
                            false => quote_spanned!(span=> ::autodiff::__private::keep_no_grad(#grad, &#value)),
                        }
                    }
                    Some(e) => other(e),
                    None => quote!(()),
                }
            })
            .collect();
        match (every_param, grads.as_slice()) {
            (true, all) => quote!((#(#all,)*)),
            (false, [one]) => one.clone(),
            (false, many) => quote!((#(#many),*)),
        }
    }

    /// `v` where a value is read: a borrowed by-reference parameter is dereferenced.
    pub fn operand(&self, v: VarId, span: Span) -> TokenStream {
        let ident = var_ident(v, span);
        if self.borrowed && self.ref_params[v] {
            quote!((*#ident))
        } else {
            ident.into_token_stream()
        }
    }

    fn value_of(&self, v: VarId) -> TokenStream {
        self.operand(v, self.ir.vars[v].span)
    }

    /// Operands named where the user wrote them, so a type error underlines that operand.
    pub fn operands(&self, operands: &[VarId], spans: &[Span]) -> Vec<TokenStream> {
        operands
            .iter()
            .zip(spans)
            .map(|(v, span)| self.operand(*v, *span))
            .collect()
    }

    /// A primitive's operands. A data operand in a differentiated position may be a
    /// reference the macro cannot see (`y` of `for (x, y) in xs.iter().zip(ys)`): it is
    /// read through `Operand::value`, which trait resolution makes a copy of the value
    /// behind any number of `&`. Floats and tensors the macro knows are values (results,
    /// literals, parameters) are passed as they are.
    pub fn prim_operands(
        &self,
        prim: &crate::prim::Prim,
        operands: &[VarId],
        spans: &[Span],
    ) -> Vec<TokenStream> {
        let ops = self.operands(operands, spans);
        ops.into_iter()
            .enumerate()
            .map(|(k, op)| {
                let v = operands[k];
                let diff_position = k == 0 || prim.args.get(k - 1) == Some(&crate::prim::Arg::Diff);
                match diff_position && !self.known_value(v) {
                    true => {
                        let span = hygienic(spans.get(k).copied().unwrap_or(self.ir.vars[v].span));
                        quote_spanned!(span=> ::autodiff::bounds::Operand::value(#op))
                    }
                    false => op,
                }
            })
            .collect()
    }

    /// Whether `v` is a float or tensor value the macro can see is not a reference: a
    /// differentiated value, a primitive's result, a literal, a dereferenced parameter.
    fn known_value(&self, v: VarId) -> bool {
        let var = &self.ir.vars[v];
        match self.ref_params[v] {
            true => self.borrowed,
            false => var.varied || var.numeric || var.literal_zero.is_some(),
        }
    }

    /// A call's arguments, borrowed where the user wrote `&arg`.
    fn call_args(&self, args: &[VarId], spans: &[Span], by_ref: &[bool]) -> Vec<TokenStream> {
        self.operands(args, spans)
            .into_iter()
            .zip(by_ref)
            // By value, a clone: the reverse sweep (and a tape) may read the argument again
            // after the call (a copy for floats and tensors).
            .map(|(arg, by_ref)| {
                if *by_ref {
                    quote!(&#arg)
                } else {
                    quote!(::core::clone::Clone::clone(&#arg))
                }
            })
            .collect()
    }

    /// `v` where a value is moved into a new one (a literal, a store, a slot): a clone, for
    /// the same reason as call arguments.
    fn cloned(&self, v: VarId, span: Span) -> TokenStream {
        let v = self.operand(v, span);
        quote_spanned!(span=> ::core::clone::Clone::clone(&#v))
    }

    /// A binding pattern for `v`: `mut` if the user may change it in place.
    fn binding(&self, v: VarId) -> TokenStream {
        let name = self.var(v);
        if self.ir.vars[v].mutable {
            quote!(mut #name)
        } else {
            name.into_token_stream()
        }
    }

    fn forward_value(&self, value: &Value, span: Span) -> TokenStream {
        match value {
            Value::Param { index, deref } => {
                let ident = &self.sig.params[*index].ident;
                if *deref && !self.borrowed {
                    // An owned copy (`&[X]` becomes a `Vec<X>`): the pullback owns it.
                    quote_spanned!(span=> ::autodiff::__private::to_owned(#ident))
                } else {
                    quote_spanned!(span=> #ident)
                }
            }
            Value::Inert(tokens) => tokens.clone(),
            // The source may be read again (by the reverse sweep, or by the user's code
            // if it is `Copy`): a clone, which is a plain copy for floats and tensors.
            Value::Copy(v) => {
                let v = self.operand(*v, span);
                quote_spanned!(span=> ::core::clone::Clone::clone(&#v))
            }
            Value::Call {
                callee,
                args,
                spans,
                by_ref,
                method,
                ..
            } => {
                let args = self.call_args(args, spans, by_ref);
                match method {
                    Some(method) => {
                        let (receiver, rest) = (&args[0], &args[1..]);
                        quote_spanned!(span=> #receiver.#method(#(#rest),*))
                    }
                    None => quote_spanned!(span=> #callee(#(#args),*)),
                }
            }
            Value::Detach(v) => {
                let known_value = self.known_value(*v);
                let v = self.operand(*v, span);
                match known_value {
                    true => quote_spanned!(span=> ::autodiff::__private::ops::Detach::detach(#v)),
                    false => quote_spanned!(span=> ::autodiff::__private::ops::Detach::detach(
                        ::autodiff::bounds::Operand::value(#v)
                    )),
                }
            }
            Value::Load { place: base, path } | Value::Project { base, path } => {
                let base = self.operand(*base, span);
                let path = self.path(path);
                quote_spanned!(span=> ::core::clone::Clone::clone(&#base #path))
            }
            Value::Tuple(elems) => {
                let elems = elems.iter().map(|v| self.cloned(*v, span));
                quote_spanned!(span=> (#(#elems,)*))
            }
            Value::VecOf(elems) => {
                let elems = elems.iter().map(|v| self.cloned(*v, span));
                quote_spanned!(span=> ::std::vec![#(#elems),*])
            }
            Value::Repeat { elem, count } => {
                let elem = self.operand(*elem, span);
                quote_spanned!(span=> ::std::vec![::core::clone::Clone::clone(&#elem); #count])
            }
            Value::Array(elems) => {
                let elems = elems.iter().map(|v| self.cloned(*v, span));
                quote_spanned!(span=> [#(#elems),*])
            }
            Value::Struct { path, fields } => {
                let fields = fields.iter().map(|(member, v)| {
                    let v = self.cloned(*v, span);
                    quote_spanned!(span=> #member: #v)
                });
                quote_spanned!(span=> #path { #(#fields),* })
            }
            Value::LogLen { place } => {
                let log = log_ident(*place, self.ir.vars[*place].span);
                quote_spanned!(span=> #log.len())
            }
            Value::Stack { elems, rows, path } => {
                let elems: Vec<TokenStream> =
                    elems.iter().map(|v| self.operand(*v, span)).collect();
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
                let ops = self.prim_operands(prim, operands, spans);
                match (prim.operator, ops.as_slice()) {
                    (Some(Operator::Add), [a, b]) => quote_spanned!(span=> #a + #b),
                    (Some(Operator::Sub), [a, b]) => quote_spanned!(span=> #a - #b),
                    (Some(Operator::Mul), [a, b]) => quote_spanned!(span=> #a * #b),
                    (Some(Operator::Div), [a, b]) => quote_spanned!(span=> #a / #b),
                    (Some(Operator::Neg), [a]) => quote_spanned!(span=> -#a),
                    _ => {
                        let path = op_path(prim, generic.as_ref(), span);
                        let method = Ident::new(prim.name, span);
                        if prim.by_ref {
                            let refs = borrow_operands(&ops, spans);
                            quote_spanned!(span=> #path::#method(#(#refs),*))
                        } else {
                            quote_spanned!(span=> #path::#method(#(#ops),*))
                        }
                    }
                }
            }
        }
    }
}

struct GraphNode {
    var: VarId,
    label: String,
    op: &'static str,
    inputs: Vec<VarId>,
}

struct GraphBuilder<'a> {
    emit: &'a Emit<'a>,
    /// Each variable's stand-in: itself, or the variable it copies.
    alias: Vec<VarId>,
    nodes: Vec<GraphNode>,
}

impl GraphBuilder<'_> {
    fn node(&mut self, var: VarId, op: &'static str, inputs: Vec<VarId>, label: String) {
        let label = self.emit.ir.vars[var].name.clone().unwrap_or(label);
        self.nodes.push(GraphNode {
            var,
            label,
            op,
            inputs,
        });
    }

    fn block(&mut self, block: &[Stmt]) {
        for stmt in block {
            match stmt {
                Stmt::Effect(_) | Stmt::NewLog { .. } => {}
                Stmt::Store { place, value, .. } | Stmt::Push { place, value, .. } => {
                    self.node(*place, "CopySlices", vec![*place, *value], String::new())
                }
                Stmt::Let { var, value, .. } => match value {
                    Value::Copy(source) => self.alias[*var] = *source,
                    Value::Param { index, .. } => {
                        let op = if self.emit.sig.params[*index].wrt {
                            "AccumulateGrad"
                        } else {
                            "Input"
                        };
                        self.node(*var, op, Vec::new(), String::new());
                    }
                    Value::Inert(tokens) => {
                        let mut text = tokens.to_string();
                        if text.len() > 40 {
                            let cut = (0..=37)
                                .rev()
                                .find(|i| text.is_char_boundary(*i))
                                .unwrap_or(0);
                            text.truncate(cut);
                            text.push_str("...");
                        }
                        self.node(*var, "Constant", Vec::new(), text);
                    }
                    Value::Detach(source) => {
                        self.node(*var, "Detach", vec![*source], String::new())
                    }
                    Value::Load { place: base, path } | Value::Project { base, path } => {
                        let op = if path.is_empty() {
                            "CloneBackward0"
                        } else {
                            "SelectBackward0"
                        };
                        self.node(*var, op, vec![*base], String::new())
                    }
                    Value::Tuple(elems) | Value::Array(elems) | Value::VecOf(elems) => {
                        self.node(*var, "StackBackward0", elems.clone(), String::new())
                    }
                    Value::Repeat { elem, .. } => {
                        self.node(*var, "RepeatBackward0", vec![*elem], String::new())
                    }
                    Value::Struct { fields, .. } => {
                        let inputs = fields.iter().map(|(_, v)| *v).collect();
                        self.node(*var, "StructBackward0", inputs, String::new())
                    }
                    Value::LogLen { .. } => {}
                    Value::Call { callee, args, .. } => {
                        let label = callee.to_token_stream().to_string().replace(' ', "");
                        self.node(*var, "CallBackward0", args.clone(), label)
                    }
                    Value::Stack { elems, .. } => {
                        self.node(*var, "StackBackward0", elems.clone(), String::new())
                    }
                    Value::Prim { prim, operands, .. } => {
                        self.node(*var, prim.grad_fn, operands.clone(), String::new())
                    }
                },
                Stmt::If {
                    then_block,
                    else_block,
                    phis,
                    ..
                } => {
                    self.block(then_block);
                    self.block(else_block);
                    for phi in phis {
                        let inputs = vec![phi.then_value, phi.else_value];
                        self.node(phi.out, "Phi", inputs, String::new());
                    }
                }
                Stmt::Loop {
                    kind,
                    body,
                    carried,
                    ..
                } => {
                    for c in carried {
                        self.node(c.phi, "LoopPhi", vec![c.init, c.next], String::new());
                        self.alias[c.out] = c.phi;
                    }
                    match kind {
                        LoopKind::For { pat: Some(pat), .. } => {
                            self.node(*pat, "Constant", Vec::new(), String::new())
                        }
                        LoopKind::For { pat: None, .. } => {}
                        LoopKind::While { cond_block, .. } => self.block(cond_block),
                    }
                    self.block(body);
                }
            }
        }
    }
}

/// The names of a function's type and const parameters (what a pullback's `use<..>`
/// must list).
pub fn type_and_const_params(generics: &syn::Generics) -> Vec<TokenStream> {
    generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.to_token_stream()),
            GenericParam::Const(c) => Some(c.ident.to_token_stream()),
            GenericParam::Lifetime(_) => None,
        })
        .collect()
}

/// `__ad_ops::Trait`, or `<_ as __ad_ops::Trait<N>>` for a const-generic op: every
/// generated body starts with `use ::autodiff::__private::ops as __ad_ops;`, so that each
/// of the thousands of op calls in a long body is a short path (fewer tokens to expand).
pub fn op_path(prim: &Prim, generic: Option<&TokenStream>, span: Span) -> TokenStream {
    let trait_name = Ident::new(prim.trait_name, span);
    match generic {
        Some(g) => quote_spanned!(span=> <_ as __ad_ops::#trait_name<#g>>),
        None => quote_spanned!(span=> __ad_ops::#trait_name),
    }
}

/// `&operand`, each `&` at its operand so that type errors point there.
pub fn borrow_operands(ops: &[TokenStream], spans: &[Span]) -> Vec<TokenStream> {
    ops.iter()
        .zip(spans)
        .map(|(op, span)| quote_spanned!(hygienic(*span)=> &#op))
        .collect()
}

pub fn hygienic(span: Span) -> Span {
    Span::mixed_site().located_at(span)
}

/// `full_vjp_for`'s `const` flag of parameter `index`: whether its caller differentiates
/// that argument.
fn flag_ident(index: usize) -> Ident {
    format_ident!("__AD_D{}", index, span = Span::mixed_site())
}

/// The name of adjoint number `n`; number 0 is the seed.
pub fn adj_ident(n: usize, span: Span) -> Ident {
    format_ident!("__ad_ct{}", n, span = hygienic(span))
}

/// The pullback a call bound to `var` returned.
pub fn pullback_ident(var: VarId, span: Span) -> Ident {
    format_ident!("__ad_pullback{}", var, span = hygienic(span))
}

/// The hidden sibling of method `name` that calling `#[differentiable]` bodies chain into.
pub fn full_vjp_method(name: &Ident) -> Ident {
    format_ident!("__ad_full_vjp_{}", name)
}

/// How a caller reaches the hidden twin `full_<which>` of a `#[differentiable]` callee
/// (its generic arguments moved to the twin): `path::full_vjp` on the struct named like
/// a free function, or the sibling `Type::__ad_full_vjp_f` of an associated function and
/// of a function whose module holds another item of its name (see `sibling_callee`).
pub fn callee_twin(callee: &syn::ExprPath, which: &str, context: &Context) -> TokenStream {
    let mut path = callee.path.clone();
    let sibling = sibling_callee(&path, context);
    let span = callee.span_or_call_site();
    let Some(last) = path.segments.last_mut() else {
        return quote!(#path);
    };
    let generics = match std::mem::replace(&mut last.arguments, syn::PathArguments::None) {
        syn::PathArguments::AngleBracketed(args) => args.to_token_stream(),
        _ => quote!(),
    };
    if sibling {
        last.ident = format_ident!("__ad_full_{}_{}", which, last.ident);
        return quote!(#path #generics);
    }
    let method = format_ident!("full_{}", which, span = span);
    quote!(#path::#method #generics)
}

/// Whether a callee's twins are siblings rather than methods of a struct named like it:
/// `Self::f` and `Model::f` (a type's associated function, by Rust's naming rules, unless
/// the caller's module declares a module `Model`), and `f` when the caller's module has a
/// module or type named `f`.
pub fn sibling_callee(path: &syn::Path, context: &Context) -> bool {
    let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    match segments.as_slice() {
        [only] => context.type_names.contains(&only.ident.to_string()),
        [.., owner, _] => {
            let owner = owner.ident.to_string();
            owner == "Self"
                || owner.starts_with(|c: char| c.is_ascii_uppercase())
                    && !context.modules.contains(&owner)
        }
        [] => false,
    }
}

/// The undo log of place `place`.
pub fn log_ident(place: VarId, span: Span) -> Ident {
    format_ident!("__ad_log{}", place, span = hygienic(span))
}

/// What a loop iterates, for `Emit::loop_statement`.
enum LoopShape<'a> {
    For {
        pat: Option<VarId>,
        iter: &'a TokenStream,
    },
    While {
        cond_tokens: TokenStream,
        cond: VarId,
    },
}

/// The statements of one iteration, for `Emit::loop_statement`.
struct LoopParts {
    header: TokenStream,
    body: TokenStream,
    push: TokenStream,
    update: TokenStream,
    /// A `while` loop's updates when its condition fails.
    exits: TokenStream,
}

/// Whether a parameter of type `ty` may hold `#[no_grad]` fields: anything but floats,
/// tensors, the generic element type and slices, `Vec`s, arrays and tuples of them.
fn may_hold_no_grad(ty: &syn::Type, elem_ty: Option<&Ident>) -> bool {
    match ty {
        syn::Type::Reference(r) => may_hold_no_grad(&r.elem, elem_ty),
        syn::Type::Paren(p) => may_hold_no_grad(&p.elem, elem_ty),
        syn::Type::Slice(s) => may_hold_no_grad(&s.elem, elem_ty),
        syn::Type::Array(a) => may_hold_no_grad(&a.elem, elem_ty),
        syn::Type::Tuple(t) => t.elems.iter().any(|e| may_hold_no_grad(e, elem_ty)),
        ty if crate::lower::is_numeric_type(ty, elem_ty) => false,
        syn::Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return true;
            };
            match (&last.arguments, last.ident == "Vec") {
                (syn::PathArguments::AngleBracketed(args), true) => {
                    args.args.iter().any(|arg| match arg {
                        syn::GenericArgument::Type(t) => may_hold_no_grad(t, elem_ty),
                        _ => true,
                    })
                }
                _ => true,
            }
        }
        _ => true,
    }
}

/// Reverse sweeps of at most this many statements are inlined into `backward`'s callers.
const INLINED_REVERSE: usize = 256;

/// The statements of a reverse sweep, nested ones included.
fn reverse_len(stmts: &[AStmt]) -> usize {
    stmts
        .iter()
        .map(|stmt| match stmt {
            AStmt::If {
                then_block,
                else_block,
                ..
            } => 1 + reverse_len(then_block) + reverse_len(else_block),
            AStmt::Loop { body, .. } | AStmt::Checkpointed { body, .. } => 1 + reverse_len(body),
            AStmt::Replay(stmts) => stmts.len(),
            _ => 1,
        })
        .sum()
}

/// A tape entry (pushed, and the pattern it is popped into): a tuple, nested in tuples of
/// at most 12, the largest that are `Copy + Default`.
pub fn tape_entry(items: Vec<TokenStream>) -> TokenStream {
    if items.len() <= 12 {
        return quote!((#(#items,)*));
    }
    tape_entry(items.chunks(12).map(|c| tape_entry(c.to_vec())).collect())
}

/// The starting state of checkpointed loop `id`.
pub fn init_ident(id: usize, span: Span) -> Ident {
    format_ident!("__ad_init{}", id, span = hygienic(span))
}

/// The trip count of checkpointed loop `id`.
pub fn count_ident(id: usize, span: Span) -> Ident {
    format_ident!("__ad_count{}", id, span = hygienic(span))
}

/// The iterator of loop number `id`, bound before a taped loop.
pub fn iter_ident(id: usize, span: Span) -> Ident {
    format_ident!("__ad_iter{}", id, span = hygienic(span))
}

/// The tape of loop number `id`.
/// The slot that carries the type of forward variable `v`, a `Witness`, from a taped loop
/// to its reverse.
pub fn witness_ident(v: VarId, span: Span) -> Ident {
    format_ident!("__ad_witness{}", v, span = hygienic(span))
}

pub fn tape_ident(id: usize, span: Span) -> Ident {
    format_ident!("__ad_tape{}", id, span = hygienic(span))
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

// ---------------------------------------------------------------------------------------
// Forward mode: `f_jvp` and `full_jvp`, printed from the tangent IR (`tangent.rs`).
// ---------------------------------------------------------------------------------------

impl Emit<'_> {
    /// `f_jvp(args.., tangents..) -> (Out, Out)`: the value and the directional
    /// derivative along one tangent per differentiated parameter.
    pub fn jvp(&self, tangent: &Tangent) -> TokenStream {
        let this = Emit {
            ir: &tangent.forward,
            borrowed: true,
            ..*self
        };
        let name = &self.item.sig.ident;
        let jvp_name = format_ident!("{}_jvp", name);
        let out_ty = self.output_ty();
        let bounds = callee_bounds(
            &tangent.stmts,
            quote!(::autodiff::bounds::ForwardRule),
            &self.sig.context,
        );
        let item = self.tangent_inputs();
        let signature = Emit {
            item: &item,
            ..this
        }
        .signature(&jvp_name, quote!((#out_ty, #out_ty)), bounds);
        let checks = self.requires_grad_checks();
        let (out, dout) = this.output_and_tangent();
        let body = this.tangent_block_before(&tangent.stmts, Some(&quote!(#out #dout)));
        let vis = &self.item.vis;
        let tangents: Vec<String> = self
            .sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| format!("`{}`", p.ident))
            .collect();
        let doc = format!(
            "The value of [`{name}`] and its directional derivative (Jacobian-vector product) along one tangent per differentiated parameter ({}), in order, each of its parameter's type. Generated by `#[differentiable]`.",
            tangents.join(", ")
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                #checks
                #body
                (#out, #dout)
            }
        }
    }

    /// `name::full_jvp(args.., tangents..)`, what calling `#[differentiable]` functions
    /// chain into in forward mode: one tangent per parameter, each an
    /// `impl TangentOf<G>` (a `G`, or `NoTangent` for zero) where `G` is the parameter's
    /// gradient type, `()` for a parameter that is not differentiated. Beside it, the
    /// function's `ForwardRule` impl, which holds when every function it calls has one.
    /// `self` is the `Emit` of a lowering with every float argument differentiated. With
    /// `calls_public`, the body calls the function's own `f_jvp`, which then holds the
    /// sweep (see `through_full`).
    pub fn full_jvp(&self, tangent: &Tangent, calls_public: bool) -> TokenStream {
        let this = Emit {
            ir: &tangent.forward,
            borrowed: true,
            ..*self
        };
        let name = &self.item.sig.ident;
        let out_ty = self.output_ty();
        let mut rebind = Vec::new();
        let extra = self
            .sig
            .params
            .iter()
            .map(|p| {
                let ident = tangent_param_ident(&p.ident);
                let ty = match p.wrt {
                    true => p.grad_ty.to_token_stream(),
                    false => quote!(()),
                };
                rebind.push(quote! {
                    let #ident: #ty = ::autodiff::__private::TangentOf::<#ty>::tangent(#ident);
                });
                quote!(#ident: impl ::autodiff::__private::TangentOf<#ty>)
            })
            .collect();
        let item = with_inputs(self.item, extra);
        let signature = Emit {
            item: &item,
            ..this
        }
        .signature(
            &if self.sig.sibling {
                format_ident!("__ad_full_jvp_{}", name)
            } else {
                Ident::new("full_jvp", name.span())
            },
            quote!((#out_ty, #out_ty)),
            None,
        );
        let body = if calls_public {
            let public = self.public_path(&format!("{}_jvp", syn::ext::IdentExt::unraw(name)));
            let (args, tangents) = (self.twin_args(), self.own_tangents());
            quote!(#public(#(#args,)* #(#tangents),*))
        } else {
            let (out, dout) = this.output_and_tangent();
            let body = this.tangent_block_before(&tangent.stmts, Some(&quote!(#out #dout)));
            quote!(#body (#out, #dout))
        };
        if self.sig.sibling {
            // A sibling, as for `full_vjp` (no rule impl: a sibling is no type).
            let vis = self.sibling_vis();
            return quote! {
                #[doc(hidden)]
                #[allow(dead_code, unused_mut, clippy::all, unused_variables)]
                #vis #signature {
                    use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                    #(#rebind)*
                    #body
                }
            };
        }
        let rule = callee_bounds(
            &tangent.stmts,
            quote!(::autodiff::bounds::ForwardRule),
            &self.sig.context,
        );
        let rule = rule.map(|bounds| quote!(where #bounds));
        quote! {
            #[allow(dead_code, unused_mut, clippy::all, unused_variables)]
            impl #name {
                #[doc(hidden)]
                pub #signature {
                    use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                    #(#rebind)*
                    #body
                }
            }

            impl ::autodiff::bounds::ForwardRule for #name #rule {}
        }
    }

    /// The output and its tangent (zero if the output does not depend on the inputs).
    fn output_and_tangent(&self) -> (TokenStream, TokenStream) {
        let v = self.ir.output;
        let span = self.ir.vars[v].span;
        let out = self.operand(v, span);
        let dout = self.t_operand(&match self.ir.vars[v].varied {
            true => TOperand::Tan(v),
            false => TOperand::Zero(v),
        });
        (out, dout)
    }

    fn tan(&self, v: VarId) -> Ident {
        tangent_ident(v, self.ir.vars[v].span)
    }

    /// A tangent operand: a variable's tangent or zero shaped like a primal.
    fn t_operand(&self, t: &TOperand) -> TokenStream {
        match t {
            // A clone (a copy for floats and tensors): a tangent may be read again, in a
            // later iteration or by the reverse sweep.
            TOperand::Tan(v) => {
                let t = self.tan(*v);
                quote!(::core::clone::Clone::clone(&#t))
            }
            TOperand::Zero(v) => {
                if let Some(zero) = &self.ir.vars[*v].literal_zero {
                    return zero.clone();
                }
                let span = hygienic(self.ir.vars[*v].span);
                let primal = self.operand(*v, span);
                quote_spanned!(span=> ::autodiff::bounds::ZeroGrad::zero_grad(&#primal))
            }
        }
    }

    /// A tangent operand of a primitive: the tangent itself, no clone. A primitive's
    /// operands are floats and tensors, which are `Copy` (the forward pass moves them into
    /// the op too), and a clone per operand was most of what rustc spent checking a sweep.
    fn t_prim_operand(&self, t: &TOperand) -> TokenStream {
        match t {
            TOperand::Tan(v) => self.tan(*v).into_token_stream(),
            // A data operand's zero, shaped like its value (it may be a reference).
            TOperand::Zero(v) if !self.known_value(*v) => {
                let span = hygienic(self.ir.vars[*v].span);
                let primal = self.operand(*v, span);
                quote_spanned!(span=> ::autodiff::bounds::ZeroGrad::zero_grad(
                    &::autodiff::bounds::Operand::value(#primal)
                ))
            }
            TOperand::Zero(_) => self.t_operand(t),
        }
    }

    fn t_binding(&self, v: VarId) -> TokenStream {
        let name = self.tan(v);
        if self.ir.vars[v].mutable {
            quote!(mut #name)
        } else {
            name.into_token_stream()
        }
    }

    /// A block of the tangent sweep: each primal statement as `forward_block` prints it,
    /// followed by its tangent.
    pub fn tangent_block(&self, block: &[TStmt]) -> TokenStream {
        self.tangent_block_before(block, None)
    }

    /// `tangent_block`, knowing the tokens that follow it in the function (see `scopes`).
    fn tangent_block_before(&self, block: &[TStmt], tail: Option<&TokenStream>) -> TokenStream {
        let pieces = block.iter().map(|stmt| Piece {
            tokens: self.tangent_stmt(stmt),
            binds: self.tangent_binds(stmt),
        });
        scopes::flatten(pieces.collect(), tail)
    }

    fn tangent_stmt(&self, stmt: &TStmt) -> TokenStream {
        match stmt {
            TStmt::Primal(stmt) => self.forward_stmt(stmt),
            TStmt::Let { var, value } => {
                let span = hygienic(self.ir.vars[*var].span);
                let name = self.tan(*var);
                let rhs = self.tangent_value(*var, value, span);
                if self.ir.vars[*var].mutable {
                    quote_spanned!(span=> let mut #name = #rhs;)
                } else {
                    quote_spanned!(span=> let #name = #rhs;)
                }
            }
            TStmt::Call {
                var,
                callee,
                args,
                spans,
                by_ref,
                tangents,
                keep_pullback,
                method,
            } => {
                let span = hygienic(self.ir.vars[*var].span);
                let (name, dname) = (self.var(*var), self.tan(*var));
                let args = self.call_args(args, spans, by_ref);
                let tangents = tangents.iter().map(|t| match (t, keep_pullback) {
                    (Some(v), false) => self.t_operand(&TOperand::Tan(*v)),
                    // As the parameter's type wants it (an array's tangent for a slice's).
                    (Some(v), true) => {
                        let tangent = self.t_operand(&TOperand::Tan(*v));
                        quote_spanned!(span=> ::autodiff::__private::TangentOf::tangent(#tangent))
                    }
                    (None, false) => quote_spanned!(span=> ::autodiff::__private::NoTangent),
                    // `full_hvp` takes its tangents' own types.
                    (None, true) => quote_spanned!(span=> ::autodiff::__private::TangentOf::tangent(::autodiff::__private::NoTangent)),
                });
                let tangents: Vec<TokenStream> = tangents.collect();
                let which = if *keep_pullback { "hvp" } else { "jvp" };
                let call = match method {
                    // `recv.__ad_full_jvp_m(args.., tangents..)`, `self` by value.
                    Some(method) => {
                        let full = format_ident!("__ad_full_{}_{}", which, method);
                        let (receiver, rest) = (&args[0], &args[1..]);
                        quote_spanned!(span=> ::core::clone::Clone::clone(&#receiver).#full(#(#rest,)* #(#tangents),*))
                    }
                    None => {
                        let path = callee_twin(callee, which, &self.sig.context);
                        quote_spanned!(span=> #path(#(#args,)* #(#tangents),*))
                    }
                };
                if *keep_pullback {
                    let pullback = pullback_ident(*var, span);
                    quote_spanned! {span=>
                        let ((#name, #dname), #pullback) = #call;
                    }
                } else {
                    quote_spanned! {span=>
                        let (#name, #dname) = #call;
                    }
                }
            }
            TStmt::Store {
                place,
                path,
                value,
                span,
                log: kind,
            } => {
                let span = hygienic(*span);
                let name = self.tan(*place);
                let value = self.t_operand(value);
                let log = tangent_log_ident(*place, self.ir.vars[*place].span);
                match (path.as_slice(), kind) {
                    (_, Log::None) => {
                        let path = self.path(path);
                        quote_spanned!(span=> #name #path = #value;)
                    }
                    ([], _) => quote_spanned!(span=> #log.store_whole(&mut #name, #value);),
                    ([Proj::Var(i)], Log::Elements) => {
                        let i = self.var(*i);
                        quote_spanned!(span=> #log.store(&mut #name, #i, #value);)
                    }
                    (_, _) => {
                        let path = self.path(path);
                        let place = Ident::new("__ad_place", Span::mixed_site().located_at(span));
                        quote_spanned!(span=> #log.store_part(&mut #name, move |#place| &mut #place #path, #value);)
                    }
                }
            }
            TStmt::Push {
                place,
                value,
                span,
                log: kind,
            } => {
                let span = hygienic(*span);
                let (name, value) = (self.tan(*place), self.t_operand(value));
                let log = tangent_log_ident(*place, self.ir.vars[*place].span);
                match kind {
                    Log::None => quote_spanned!(span=> #name.push(#value);),
                    _ => quote_spanned!(span=> #log.push(&mut #name, #value);),
                }
            }
            TStmt::NewLog { place, log: kind } => {
                let log = tangent_log_ident(*place, self.ir.vars[*place].span);
                let ty = match kind {
                    Log::Parts => quote!(PartLog),
                    _ => quote!(UndoLog),
                };
                quote_spanned! {log.span()=>
                    let mut #log = ::autodiff::__private::#ty::new();
                }
            }
            TStmt::If {
                cond,
                then_block,
                else_block,
                phis,
                tangent_phis,
            } => {
                let cond = self.var(*cond);
                let then_tokens = self.tangent_block(then_block);
                let else_tokens = self.tangent_block(else_block);
                if phis.is_empty() {
                    return quote!(if #cond { #then_tokens } else { #else_tokens });
                }
                let outs = phis
                    .iter()
                    .map(|p| self.binding(p.out))
                    .chain(tangent_phis.iter().map(|(out, _, _)| self.t_binding(*out)));
                let then_values = phis
                    .iter()
                    .map(|p| self.branch_value(p.then_value, then_block))
                    .chain(tangent_phis.iter().map(|(_, t, _)| self.t_operand(t)));
                let else_values = phis
                    .iter()
                    .map(|p| self.branch_value(p.else_value, else_block))
                    .chain(tangent_phis.iter().map(|(_, _, e)| self.t_operand(e)));
                quote! {
                    let (#(#outs,)*) = if #cond {
                        #then_tokens
                        (#(#then_values,)*)
                    } else {
                        #else_tokens
                        (#(#else_values,)*)
                    };
                }
            }
            TStmt::Loop {
                id,
                kind,
                body,
                carried,
                tangent_carried,
                tape,
            } => {
                let span = hygienic(
                    carried
                        .first()
                        .map_or_else(Span::call_site, |c| self.ir.vars[c.phi].span),
                );
                let slots: Vec<Ident> = carried
                    .iter()
                    .map(|c| format_ident!("__ad_slot{}", c.phi, span = span))
                    .chain(
                        tangent_carried
                            .iter()
                            .map(|c| format_ident!("__ad_dslot{}", c.phi, span = span)),
                    )
                    .collect();
                let inits = carried
                    .iter()
                    .map(|c| self.value_of(c.init))
                    .chain(tangent_carried.iter().map(|c| self.t_operand(&c.init)));
                let phis: Vec<Ident> = carried
                    .iter()
                    .map(|c| self.var(c.phi))
                    .chain(tangent_carried.iter().map(|c| self.tan(c.phi)))
                    .collect();
                let nexts = carried
                    .iter()
                    .map(|c| self.value_of(c.next))
                    .chain(tangent_carried.iter().map(|c| self.t_operand(&c.next)));
                let outs = carried
                    .iter()
                    .map(|c| self.binding(c.out))
                    .chain(tangent_carried.iter().map(|c| self.t_binding(c.out)));
                let tape_name = tape_ident(*id, span);
                let body_tokens = self.tangent_block(body);
                let (tape_decl, push) = match tape {
                    Some(tape) => {
                        let pushed = tape.iter().map(|s| self.slot(s));
                        let (for_loop, trip_count) = match kind {
                            TLoopKind::For { trip_count, .. } => (true, trip_count.as_ref()),
                            TLoopKind::While { .. } => (false, None),
                        };
                        let decl = self.tape_declaration(*id, span, for_loop, trip_count, false);
                        (decl, {
                            let entry = tape_entry(pushed.map(|p| p.into_token_stream()).collect());
                            quote_spanned!(span=> #tape_name.push(#entry);)
                        })
                    }
                    None => (quote!(), quote!()),
                };
                let header = quote_spanned!(span=> #(let #phis = #slots;)*);
                let update = quote_spanned!(span=> #(#slots = #nexts;)*);
                let shape = match kind {
                    TLoopKind::For { pat, iter, .. } => LoopShape::For { pat: *pat, iter },
                    TLoopKind::While { cond_block, cond } => LoopShape::While {
                        cond_tokens: self.tangent_block(cond_block),
                        cond: *cond,
                    },
                };
                let parts = LoopParts {
                    header,
                    body: body_tokens,
                    push,
                    update,
                    exits: self.while_exits(
                        carried,
                        &tangent_carried.iter().map(|c| c.phi).collect::<Vec<_>>(),
                        span,
                    ),
                };
                let (bind_iter, looped) =
                    self.loop_statement(*id, span, shape, tape.is_some(), parts);
                quote_spanned! {span=>
                    #bind_iter
                    #tape_decl
                    #(let mut #slots = #inits;)*
                    #looped
                    let (#(#outs,)*) = (#(#slots,)*);
                }
            }
        }
    }

    fn slot(&self, slot: &crate::tangent::Slot) -> Ident {
        match slot {
            crate::tangent::Slot::Primal(v) => self.var(*v),
            crate::tangent::Slot::Tangent(v) => self.tan(*v),
        }
    }

    fn tangent_value(&self, var: VarId, value: &TValue, span: Span) -> TokenStream {
        match value {
            TValue::Param(index) => {
                // A direction built from a gradient holds the `#[no_grad]` fields' values.
                let tangent = tangent_param_ident(&self.sig.params[*index].ident);
                read_tangent(quote!(#tangent))
            }
            TValue::Zero => {
                let primal = self.operand(var, span);
                quote_spanned!(span=> ::autodiff::bounds::ZeroGrad::zero_grad(&#primal))
            }
            TValue::Copy(v) => self.t_operand(&TOperand::Tan(*v)),
            TValue::Project { base, path } => {
                let (base, path) = (self.tan(*base), self.path(path));
                quote_spanned!(span=> ::core::clone::Clone::clone(&#base #path))
            }
            TValue::Repeat { elem, count } => {
                let elem = self.t_operand(elem);
                quote_spanned!(span=> ::std::vec![#elem; #count])
            }
            TValue::Build { parts } => {
                // Zero shaped like the value (data fields cloned), then the varied parts.
                let primal = self.operand(var, span);
                let built = Ident::new("__ad_built", Span::mixed_site().located_at(span));
                let sets = parts.iter().map(|(p, v)| {
                    let (p, t) = (self.path(std::slice::from_ref(p)), self.tan(*v));
                    quote_spanned!(span=> #built #p = #t;)
                });
                let read = read_tangent(built.to_token_stream());
                quote_spanned!(span=> {
                    let mut #built = ::autodiff::bounds::ZeroGrad::zero_grad(&#primal);
                    #(#sets)*
                    #read
                })
            }
            TValue::Stack { elems, rows, path } => {
                let elems: Vec<TokenStream> = elems.iter().map(|t| self.t_operand(t)).collect();
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
            TValue::Jvp {
                prim,
                operands,
                spans,
                generic,
                tangents,
            } => {
                let path = op_path(prim, generic.as_ref(), span);
                let method = format_ident!("{}_jvp", prim.name, span = span);
                let ops = self.prim_operands(prim, operands, spans);
                let out = self.var(var);
                let dops: Vec<TokenStream> =
                    tangents.iter().map(|t| self.t_prim_operand(t)).collect();
                if prim.by_ref {
                    let active = tangents.iter().map(|t| matches!(t, TOperand::Tan(_)));
                    let refs = borrow_operands(&ops, spans);
                    quote_spanned!(span=> #path::#method(#(#refs,)* &#out, #(&#dops,)* [#(#active),*]))
                } else {
                    quote_spanned!(span=> #path::#method(#(#ops,)* #out, #(#dops),*))
                }
            }
        }
    }
}

/// `f`'s item with `extra` parameters appended (the tangents of `f_jvp` and `full_jvp`).
fn with_inputs(item: &ItemFn, extra: Vec<TokenStream>) -> ItemFn {
    let mut item = item.clone();
    for tokens in extra {
        if let Ok(arg) = syn::parse2::<FnArg>(tokens) {
            item.sig.inputs.push(arg);
        }
    }
    item
}

/// Whether a tangent sweep calls other functions, whose rules `f_jvp` then bounds (and a
/// `full_jvp` without those bounds cannot call `f_jvp`).
pub fn calls_functions(tangent: &Tangent, context: &Context) -> bool {
    callee_bounds(
        &tangent.stmts,
        quote!(::autodiff::bounds::ForwardRule),
        context,
    )
    .is_some()
}

/// `for<'__ad_rule> callee: Rule` for every function the sweep calls (each once), so
/// that a callee without the rule is reported where the generated function is called.
fn callee_bounds(block: &[TStmt], rule: TokenStream, context: &Context) -> Option<TokenStream> {
    fn walk(block: &[TStmt], out: &mut Vec<syn::Path>) {
        for stmt in block {
            match stmt {
                // A method has no type to carry the rule; its own sweep checks its callees.
                TStmt::Call {
                    method: Some(_), ..
                } => {}
                TStmt::Call { callee, .. } => {
                    let mut path = callee.path.clone();
                    if let Some(last) = path.segments.last_mut() {
                        last.arguments = syn::PathArguments::None;
                    }
                    if !out.contains(&path) {
                        out.push(path);
                    }
                }
                TStmt::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    walk(then_block, out);
                    walk(else_block, out);
                }
                TStmt::Loop { kind, body, .. } => {
                    if let TLoopKind::While { cond_block, .. } = kind {
                        walk(cond_block, out);
                    }
                    walk(body, out);
                }
                _ => {}
            }
        }
    }
    let mut paths = Vec::new();
    walk(block, &mut paths);
    // Like a method, a sibling has no type to carry the rule.
    paths.retain(|path| !sibling_callee(path, context));
    if paths.is_empty() {
        return None;
    }
    let bounds = paths.iter().map(|path| {
        let span = hygienic(path.span_or_call_site());
        quote_spanned!(span=> for<'__ad_rule> #path: #rule)
    });
    Some(quote!(#(#bounds),*))
}

/// The tangent of variable `v`.
pub fn tangent_ident(v: VarId, span: Span) -> Ident {
    format_ident!("__ad_d{}", v, span = hygienic(span))
}

/// The tangent argument of parameter `param` in `f_jvp`, `f_hvp` and `full_jvp`.
/// `value`, a tangent or cotangent, as derivative code reads it: its `#[no_grad]` numbers
/// zero when its type is differentiable (`AsTangent` lets trait resolution decide).
fn read_tangent(value: TokenStream) -> TokenStream {
    quote!({
        #[allow(unused_imports)]
        use ::autodiff::__private::{ReadOther as _, ReadTangent as _};
        ::autodiff::__private::AsTangent::new(#value).read_tangent()
    })
}

pub fn tangent_param_ident(param: &Ident) -> Ident {
    format_ident!(
        "__ad_tangent_{}",
        param,
        span = Span::mixed_site().located_at(param.span())
    )
}

/// The undo log of the tangent of place `place`.
pub fn tangent_log_ident(place: VarId, span: Span) -> Ident {
    format_ident!("__ad_dlog{}", place, span = hygienic(span))
}

// ---------------------------------------------------------------------------------------
// Second order: `f_hvp` and `full_hvp`, printed from the tangent of the adjoint IR.
// ---------------------------------------------------------------------------------------

impl Emit<'_> {
    /// `f_hvp(args.., v..) -> (Out, Grads, Grads)`: the value, the gradient and the
    /// Hessian-vector product along one direction per differentiated parameter, for a
    /// scalar output. `self.adjoint` must be `th.adjoint`.
    pub fn hvp(&self, th: &TangentAdjoint) -> TokenStream {
        let this = Emit {
            ir: &th.adjoint.forward,
            adjoint: &th.adjoint,
            borrowed: true,
            ..*self
        };
        let name = &self.item.sig.ident;
        let hvp_name = format_ident!("{}_hvp", name);
        let out_ty = self.output_ty();
        let grads_ty = self.sig.grads_ty();
        let scalar_bound = self.scalar_bound();
        let bounds = match callee_bounds(
            &th.forward,
            quote!(::autodiff::bounds::SecondOrderRule),
            &self.sig.context,
        ) {
            Some(rules) => quote!(#scalar_bound, #rules),
            None => scalar_bound,
        };
        let item = self.tangent_inputs();
        let signature = Emit {
            item: &item,
            ..this
        }
        .signature(
            &hvp_name,
            quote!((#out_ty, #grads_ty, #grads_ty)),
            Some(bounds),
        );
        let checks = self.requires_grad_checks();
        let (seed, dseed) = (
            adj_ident(0, Span::call_site()),
            dadj_ident(0, Span::call_site()),
        );
        let grads = this.grads(false);
        let dgrads = this.dgrads(false);
        let out = this.operand(this.ir.output, this.ir.vars[this.ir.output].span);
        let result = quote!(#out #grads #dgrads);
        let reverse = this.hvp_block_before(&th.stmts, Some(&result));
        let forward =
            this.tangent_block_before(&th.forward, Some(&quote!(#seed #dseed #reverse #result)));
        let vis = &self.item.vis;
        let doc = self.doc_hvp();
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                #checks
                #forward
                let mut #seed: #out_ty = <#out_ty as ::autodiff::bounds::ScalarOutput>::unit_seed();
                let mut #dseed: #out_ty = ::autodiff::bounds::ZeroGrad::zero_grad(&#seed);
                #reverse
                (#out, #grads, #dgrads)
            }
        }
    }

    /// `name::full_hvp(args.., tangents..) -> ((out, dout), pullback)` whose
    /// `backward((ct, dct))` returns `(grads, dgrads)`, one entry per parameter (`()` for
    /// the others): what `f_hvp` of a caller chains into. Tangents as for `full_jvp`.
    /// Beside it, the function's `SecondOrderRule` impl. `self` is the `Emit` of a lowering
    /// with every float argument differentiated and `th` its tangent adjoint.
    pub fn full_hvp(&self, th: &TangentAdjoint) -> TokenStream {
        let this = Emit {
            ir: &th.adjoint.forward,
            adjoint: &th.adjoint,
            borrowed: false,
            ..*self
        };
        let name = &self.item.sig.ident;
        let out_ty = self.output_ty();
        let grads_ty = self.sig.every_grad_ty();
        // Concrete tangent types (an `impl TangentOf<..>` argument could not be named in the
        // pullback's `use<..>`): callers convert `NoTangent` themselves.
        let extra = self
            .sig
            .params
            .iter()
            .map(|p| {
                let ident = tangent_param_ident(&p.ident);
                let ty = match p.wrt {
                    true => p.grad_ty.to_token_stream(),
                    false => quote!(()),
                };
                quote!(#ident: #ty)
            })
            .collect();
        let captures = this.precise_captures();
        let ret = quote! {
            ((#out_ty, #out_ty), ::autodiff::Pullback<(#out_ty, #out_ty), (#grads_ty, #grads_ty),
                impl ::core::ops::FnOnce((#out_ty, #out_ty)) -> (#grads_ty, #grads_ty) + ::core::clone::Clone #captures>)
        };
        let item = with_inputs(self.item, extra);
        let signature = Emit {
            item: &item,
            ..this
        }
        .signature_with(
            &if self.sig.sibling {
                format_ident!("__ad_full_hvp_{}", name)
            } else {
                Ident::new("full_hvp", name.span())
            },
            ret,
            None,
            self.names_captures(),
        );
        let (seed, dseed) = (
            adj_ident(0, Span::call_site()),
            dadj_ident(0, Span::call_site()),
        );
        let grads = this.grads(true);
        let dgrads = this.dgrads(true);
        let (out, dout) = this.output_and_tangent();
        let reverse = this.hvp_block_before(&th.stmts, Some(&quote!(#grads #dgrads)));
        let forward = this.tangent_block_before(
            &th.forward,
            Some(&quote!(#out #dout #seed #dseed #reverse #grads #dgrads)),
        );
        if self.sig.sibling {
            let vis = self.sibling_vis();
            return quote! {
                #[doc(hidden)]
                #[allow(dead_code, unused_mut, clippy::all, unused_variables)]
                #vis #signature {
                    use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                    #forward
                    ((#out, #dout), ::autodiff::Pullback::new(
                        move |(mut #seed, mut #dseed): (#out_ty, #out_ty)| -> (#grads_ty, #grads_ty) {
                            #reverse
                            (#grads, #dgrads)
                        },
                    ))
                }
            };
        }
        let rule = callee_bounds(
            &th.forward,
            quote!(::autodiff::bounds::SecondOrderRule),
            &self.sig.context,
        );
        let rule = rule.map(|bounds| quote!(where #bounds));
        quote! {
            #[allow(dead_code, unused_mut, clippy::all, unused_variables)]
            impl #name {
                #[doc(hidden)]
                pub #signature {
                    use ::autodiff::__private::ops as __ad_ops;
                #[allow(unused_imports)]
                use ::autodiff::__private::data_methods::*;
                    #forward
                    ((#out, #dout), ::autodiff::Pullback::new(
                        move |(mut #seed, mut #dseed): (#out_ty, #out_ty)| -> (#grads_ty, #grads_ty) {
                            #reverse
                            (#grads, #dgrads)
                        },
                    ))
                }
            }

            impl ::autodiff::bounds::SecondOrderRule for #name #rule {}
        }
    }

    /// The gradients' tangents, grouped like `grads`.
    fn dgrads(&self, every_param: bool) -> TokenStream {
        self.param_grads(
            every_param,
            |adj| self.dadj(adj),
            |e| self.dexpr(&crate::tangent::dexpr(e)),
        )
    }

    fn dadj(&self, a: AdjId) -> Ident {
        let primal = self.adjoint.adjoints[a];
        dadj_ident(a, self.ir.vars[primal].span)
    }

    fn dexpr(&self, e: &DExpr) -> TokenStream {
        match e {
            DExpr::Adj(a) => self.dadj(*a).into_token_stream(),
            DExpr::AdjPath(a, path) => {
                let (a, path) = (self.dadj(*a), self.path(path));
                quote!(::core::clone::Clone::clone(&#a #path))
            }
            DExpr::Zero(v) => self.aexpr(&AExpr::Zero(*v)),
            DExpr::SumOf(a, v) => {
                let span = hygienic(self.ir.vars[*v].span);
                let (a, primal) = (self.dadj(*a), self.operand(*v, span));
                quote_spanned!(span=> ::autodiff::__private::sum_of(&#a, &#primal))
            }
            DExpr::WithoutData(a) => {
                let a = self.dadj(*a);
                read_tangent(quote!(::core::clone::Clone::clone(&#a)))
            }
        }
    }

    /// The reverse sweep carried into tangent space.
    fn hvp_block(&self, block: &[HStmt]) -> TokenStream {
        self.hvp_block_before(block, None)
    }

    /// `hvp_block`, knowing the tokens that follow it in the function (see `scopes`).
    fn hvp_block_before(&self, block: &[HStmt], tail: Option<&TokenStream>) -> TokenStream {
        let pieces = block.iter().map(|stmt| Piece {
            tokens: self.hvp_stmt(stmt),
            binds: self.hvp_binds(stmt),
        });
        scopes::flatten(pieces.collect(), tail)
    }

    fn hvp_stmt(&self, stmt: &HStmt) -> TokenStream {
        match stmt {
            HStmt::Adjoint(a) => self.reverse_stmt(a),
            HStmt::Init { adj, value } => {
                let (name, value) = (self.dadj(*adj), self.dexpr(value));
                quote_spanned!(name.span()=> let mut #name = #value;)
            }
            HStmt::Accumulate { adj, target, value } => {
                let (name, value) = (self.dadj(*adj), self.dexpr(value));
                let span = name.span();
                match target {
                    Target::Whole if self.ir.vars[self.adjoint.adjoints[*adj]].numeric => {
                        quote_spanned!(span=> #name += #value;)
                    }
                    Target::Whole => {
                        quote_spanned!(span=> ::autodiff::__private::accumulate(&mut #name, #value);)
                    }
                    Target::Path(path) => {
                        let path = self.path(path);
                        quote_spanned!(span=> ::autodiff::__private::accumulate(&mut #name #path, #value);)
                    }
                    Target::Rows { start, rows } => {
                        let start = self.var(*start);
                        quote_spanned!(span=> ::autodiff::__private::ops::add_rows::<_, #rows, _, _>(&mut #name, #start, #value);)
                    }
                }
            }
            HStmt::AssignAll(assigns) => {
                let names = assigns.iter().map(|(a, _)| self.dadj(*a));
                let values = assigns.iter().map(|(_, v)| self.dexpr(v));
                quote!((#(#names,)*) = (#(#values,)*);)
            }
            HStmt::Assign { adj, value } => {
                let (name, value) = (self.dadj(*adj), self.dexpr(value));
                quote_spanned!(name.span()=> #name = #value;)
            }
            HStmt::Pop { adj, into } => {
                let (name, into) = (self.dadj(*adj), self.dadj(*into));
                quote_spanned!(into.span()=> let mut #into = ::autodiff::__private::pop(&mut #name);)
            }
            HStmt::Clear { adj, path } => {
                let (name, path) = (self.dadj(*adj), self.path(path));
                quote_spanned!(name.span()=> ::autodiff::__private::clear(&mut #name #path);)
            }
            HStmt::VjpJvp { vjp, tangents } => {
                let AStmt::Vjp {
                    var,
                    prim,
                    operands,
                    spans,
                    generic,
                    ct,
                    results,
                    ..
                } = vjp
                else {
                    return self.reverse_stmt(vjp);
                };
                let span = hygienic(self.ir.vars[*var].span);
                let path = op_path(prim, generic.as_ref(), span);
                let paired = prim.pair && !prim.by_ref && generic.is_none();
                let method = match paired {
                    true => format_ident!("{}_vjp_pair", prim.name, span = span),
                    false => format_ident!("{}_vjp_jvp", prim.name, span = span),
                };
                let ops = self.prim_operands(prim, operands, spans);
                let out = var_ident(*var, span);
                let dout = self.tan(*var);
                let (ct, dct) = (self.adj(*ct), self.dadj(*ct));
                let dops: Vec<TokenStream> =
                    tangents.iter().map(|t| self.t_prim_operand(t)).collect();
                let call = if prim.by_ref {
                    let wanted = results.iter().map(Option::is_some);
                    let active = tangents.iter().map(|t| matches!(t, TOperand::Tan(_)));
                    let refs = borrow_operands(&ops, spans);
                    quote_spanned!(span=> #path::#method(#(#refs,)* &#out, #ct, #(&#dops,)* &#dout, #dct, [#(#wanted),*], [#(#active),*]))
                } else {
                    quote_spanned!(span=> #path::#method(#(#ops,)* #out, #ct, #(#dops,)* #dout, #dct))
                };
                let names: Vec<TokenStream> = results
                    .iter()
                    .map(|r| match r {
                        Some(a) => {
                            let a = self.dadj(*a);
                            quote!(mut #a)
                        }
                        None => quote!(_),
                    })
                    .collect();
                let pattern = match names.as_slice() {
                    [one] => one.clone(),
                    many => quote!((#(#many),*)),
                };
                if paired {
                    let primal = self.results(results, false);
                    return quote_spanned!(span=> let (#primal, #pattern) = #call;);
                }
                let primal = self.reverse_stmt(vjp);
                quote_spanned! {span=>
                    #primal
                    let #pattern = #call;
                }
            }
            HStmt::Backward { var, ct, results } => {
                let span = hygienic(self.ir.vars[*var].span);
                let pullback = pullback_ident(*var, span);
                let (ct, dct) = (self.adj(*ct), self.dadj(*ct));
                let pattern = self.results(results, true);
                let dnames = results.iter().map(|r| match r {
                    Some(a) => {
                        let a = self.dadj(*a);
                        quote!(mut #a)
                    }
                    None => quote!(_),
                });
                quote_spanned! {span=>
                    let (#pattern, (#(#dnames,)*)) = #pullback.backward((#ct, #dct));
                }
            }
            HStmt::Replay(stmts) => self.tangent_block(stmts),
            HStmt::UndoTangentTo { place, mark } => {
                let span = self.ir.vars[*place].span;
                let (log, name, mark) = (
                    tangent_log_ident(*place, span),
                    self.tan(*place),
                    self.var(*mark),
                );
                quote_spanned!(log.span()=> #log.undo_to(&mut #name, #mark);)
            }
            HStmt::RestoreTangent { place, whole } => {
                let span = self.ir.vars[*place].span;
                let (log, name) = (tangent_log_ident(*place, span), self.tan(*place));
                // One entry undoes a whole store as well as an element store.
                let _ = whole;
                quote_spanned!(log.span()=> #log.restore(&mut #name);)
            }
            HStmt::If {
                cond,
                then_block,
                else_block,
            } => {
                let cond = self.var(*cond);
                let then_tokens = self.hvp_block(then_block);
                let else_tokens = self.hvp_block(else_block);
                quote!(if #cond { #then_tokens } else { #else_tokens })
            }
            HStmt::Loop { id, popped, body } => {
                let span = hygienic(popped.first().map_or_else(Span::call_site, |s| {
                    let (crate::tangent::Slot::Primal(v) | crate::tangent::Slot::Tangent(v)) = s;
                    self.ir.vars[*v].span
                }));
                let tape = tape_ident(*id, span);
                let entry = tape_entry(
                    popped
                        .iter()
                        .map(|s| self.slot(s).into_token_stream())
                        .collect(),
                );
                let body = self.hvp_block(body);
                quote_spanned! {span=>
                    while let ::core::option::Option::Some(#entry) = #tape.pop() {
                        #body
                    }
                }
            }
        }
    }
}

/// The tangent of adjoint number `n`; number 0 is the seed's.
pub fn dadj_ident(n: usize, span: Span) -> Ident {
    format_ident!("__ad_dct{}", n, span = hygienic(span))
}

/// The public items of a free function whose `wrt` is the hidden twins' (every float
/// parameter): each is a few lines calling `name::full_vjp`, `full_jvp` or `full_hvp`
/// instead of another copy of the sweeps. rustc checks every copy, and for a long body
/// the copies were most of what the attribute cost at compile time.
impl Emit<'_> {
    /// `f_grad`, `f_vjp` and `f_hvp` through the hidden twins, and `f_jvp` with the
    /// tangent sweep, which `full_jvp` calls where it can (through the twin, `f_jvp` of a
    /// small function measured twice as slow; see `calls_functions`). `f_grad` keeps its own body when a
    /// differentiated parameter is borrowed: through a pullback, which owns what it
    /// reads, a large borrowed weight matrix would be copied. `tangent` and `over` are the
    /// twins' sweeps.
    pub fn through_full(&self, tangent: &Tangent, over: &TangentAdjoint) -> TokenStream {
        let grad = if self.ref_params.iter().any(|r| *r) {
            Emit {
                borrowed: true,
                ir: &self.adjoint.forward,
                ..*self
            }
            .grad()
        } else {
            self.grad_through_full()
        };
        let vjp = self.vjp_through_full();
        let jvp = self.jvp(tangent);
        let hvp = self.hvp_through_full(over);
        quote!(#grad #vjp #jvp #hvp)
    }

    /// `name::full_<method>::<T, N>` (or the sibling `Self::__ad_full_<method>_name`),
    /// generic arguments spelt out where there are any.
    fn twin(&self, method: &str) -> TokenStream {
        let name = &self.item.sig.ident;
        let generics = type_and_const_params(&self.item.sig.generics);
        let generics = (!generics.is_empty()).then(|| quote!(::<#(#generics),*>));
        if self.sig.sibling {
            let sibling = format_ident!("__ad_{}_{}", method, name);
            return self.own_item(quote!(#sibling #generics));
        }
        let method = Ident::new(method, name.span());
        quote!(#name::#method #generics)
    }

    /// A public item of the function (`f_jvp`), generic arguments spelt out.
    fn public_path(&self, item: &str) -> TokenStream {
        let item = Ident::new(item, self.item.sig.ident.span());
        let generics = type_and_const_params(&self.item.sig.generics);
        let generics = (!generics.is_empty()).then(|| quote!(::<#(#generics),*>));
        self.own_item(quote!(#item #generics))
    }

    /// An item generated beside the function, named from inside another: `Self::item`
    /// in an impl.
    fn own_item(&self, item: TokenStream) -> TokenStream {
        match self.sig.in_impl {
            true => quote!(Self::#item),
            false => item,
        }
    }

    /// The visibility of a sibling twin: public in an impl like the methods' (the impl's
    /// type bounds who can name it), the function's own in a module (a `pub` item there
    /// could expose a private type).
    fn sibling_vis(&self) -> TokenStream {
        match self.sig.in_impl {
            true => quote!(pub),
            false => self.item.vis.to_token_stream(),
        }
    }

    /// The tangents of the differentiated parameters, as `f_jvp` takes them.
    fn own_tangents(&self) -> Vec<Ident> {
        self.sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| tangent_param_ident(&p.ident))
            .collect()
    }

    fn twin_args(&self) -> Vec<&Ident> {
        self.sig.params.iter().map(|p| &p.ident).collect()
    }

    /// The twins' tangent arguments: the caller's for differentiated parameters, `()`
    /// for the others (whose tangent type is `()`).
    fn twin_tangents(&self) -> Vec<TokenStream> {
        self.sig
            .params
            .iter()
            .map(|p| match p.wrt {
                true => tangent_param_ident(&p.ident).into_token_stream(),
                false => quote!(()),
            })
            .collect()
    }

    /// `f_jvp`'s and `f_hvp`'s extra parameters: one tangent per differentiated one.
    fn tangent_inputs(&self) -> ItemFn {
        let extra = self
            .sig
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| {
                let (ident, ty) = (tangent_param_ident(&p.ident), &p.grad_ty);
                quote!(#ident: #ty)
            })
            .collect();
        with_inputs(self.item, extra)
    }

    /// A pattern binding the twins' per-parameter gradients (`(g0, g1,)`, prefixed
    /// `prefix`) and the expression of the differentiated ones, grouped as `Grads`.
    fn twin_grads(&self, prefix: &str) -> (TokenStream, TokenStream) {
        let names: Vec<Ident> = (0..self.sig.params.len())
            .map(|i| format_ident!("__ad_{}{}", prefix, i, span = Span::mixed_site()))
            .collect();
        let kept: Vec<&Ident> = names
            .iter()
            .zip(&self.sig.params)
            .filter(|(_, p)| p.wrt)
            .map(|(n, _)| n)
            .collect();
        let grads = match kept.as_slice() {
            [one] => quote!(#one),
            many => quote!((#(#many),*)),
        };
        (quote!((#(#names,)*)), grads)
    }

    /// `(Out, Pullback<Out, Grads, impl FnOnce(Out) -> Grads + Clone + use<..>>)`.
    fn value_and_pullback_ty(&self, grads_ty: &TokenStream) -> TokenStream {
        let out_ty = self.output_ty();
        let captures = self.precise_captures();
        quote! {
            (#out_ty, ::autodiff::Pullback<#out_ty, #grads_ty,
                impl ::core::ops::FnOnce(#out_ty) -> #grads_ty + ::core::clone::Clone #captures>)
        }
    }

    /// `for<'a> Out: ScalarOutput`: checked where `f_grad` or `f_hvp` is called, not where
    /// it is defined (see `ScalarOutput`).
    fn scalar_bound(&self) -> TokenStream {
        let out_ty = self.output_ty();
        quote_spanned! {out_ty.span_or_call_site()=>
            for<'__ad_scalar> #out_ty: ::autodiff::bounds::ScalarOutput
        }
    }

    fn grad_through_full(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let grad_name = format_ident!("{}_grad", name);
        let out_ty = self.output_ty();
        let grads_ty = self.sig.grads_ty();
        let signature = self.signature(
            &grad_name,
            quote!((#out_ty, #grads_ty)),
            Some(self.scalar_bound()),
        );
        let checks = self.requires_grad_checks();
        let (twin, args) = (self.twin("full_vjp"), self.twin_args());
        let (pattern, grads) = self.twin_grads("g");
        let (out, pullback) = (
            Ident::new("__ad_out", Span::mixed_site()),
            Ident::new("__ad_pullback", Span::mixed_site()),
        );
        let vis = &self.item.vis;
        let doc = self.doc_grad();
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                #checks
                let (#out, #pullback) = #twin(#(#args),*);
                let #pattern = ::autodiff::Pullback::backward(
                    #pullback,
                    <#out_ty as ::autodiff::bounds::ScalarOutput>::unit_seed(),
                );
                (#out, #grads)
            }
        }
    }

    fn vjp_through_full(&self) -> TokenStream {
        let name = &self.item.sig.ident;
        let out_ty = self.output_ty();
        let grads_ty = self.sig.grads_ty();
        let ret = self.value_and_pullback_ty(&grads_ty);
        let signature = self.signature_with(&format_ident!("{}_vjp", name), ret, None, true);
        let checks = self.requires_grad_checks();
        let (twin, args) = (self.twin("full_vjp"), self.twin_args());
        let (pattern, grads) = self.twin_grads("g");
        let (out, pullback, seed) = (
            Ident::new("__ad_out", Span::mixed_site()),
            Ident::new("__ad_pullback", Span::mixed_site()),
            Ident::new("__ad_seed", Span::mixed_site()),
        );
        let vis = &self.item.vis;
        let doc = self.doc_vjp();
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                #checks
                let (#out, #pullback) = #twin(#(#args),*);
                (#out, ::autodiff::Pullback::new(move |#seed: #out_ty| -> #grads_ty {
                    let #pattern = ::autodiff::Pullback::backward(#pullback, #seed);
                    #grads
                }))
            }
        }
    }

    fn hvp_through_full(&self, over: &TangentAdjoint) -> TokenStream {
        let name = &self.item.sig.ident;
        let out_ty = self.output_ty();
        let grads_ty = self.sig.grads_ty();
        let scalar_bound = self.scalar_bound();
        let bounds = match callee_bounds(
            &over.forward,
            quote!(::autodiff::bounds::SecondOrderRule),
            &self.sig.context,
        ) {
            Some(rules) => quote!(#scalar_bound, #rules),
            None => scalar_bound,
        };
        let item = self.tangent_inputs();
        let signature = Emit {
            item: &item,
            ..*self
        }
        .signature(
            &format_ident!("{}_hvp", name),
            quote!((#out_ty, #grads_ty, #grads_ty)),
            Some(bounds),
        );
        let checks = self.requires_grad_checks();
        let (twin, args, tangents) = (
            self.twin("full_hvp"),
            self.twin_args(),
            self.twin_tangents(),
        );
        let (pattern, grads) = self.twin_grads("g");
        let (dpattern, dgrads) = self.twin_grads("dg");
        let (out, pullback, seed) = (
            Ident::new("__ad_out", Span::mixed_site()),
            Ident::new("__ad_pullback", Span::mixed_site()),
            Ident::new("__ad_seed", Span::mixed_site()),
        );
        let dseed = Ident::new("__ad_seed_tangent", Span::mixed_site());
        let vis = &self.item.vis;
        let doc = self.doc_hvp();
        quote! {
            #[doc = #doc]
            #[allow(dead_code, unused_mut, clippy::all)]
            #vis #signature {
                #checks
                let ((#out, _), #pullback) = #twin(#(#args,)* #(#tangents),*);
                let #seed: #out_ty = <#out_ty as ::autodiff::bounds::ScalarOutput>::unit_seed();
                // The seed's tangent first: the seed itself then moves into the sweep,
                // whether or not its type is `Copy`.
                let #dseed = ::autodiff::bounds::ZeroGrad::zero_grad(&#seed);
                let (#pattern, #dpattern) =
                    ::autodiff::Pullback::backward(#pullback, (#seed, #dseed));
                (#out, #grads, #dgrads)
            }
        }
    }
}

/// A statement that may bind a variable with `let` (forward and tangent statements).
trait BindsVar {
    fn binds(&self, v: VarId) -> bool;
}

impl BindsVar for Stmt {
    fn binds(&self, v: VarId) -> bool {
        matches!(self, Stmt::Let { var, .. } if *var == v)
    }
}

impl BindsVar for crate::tangent::TStmt {
    fn binds(&self, v: VarId) -> bool {
        match self {
            crate::tangent::TStmt::Primal(stmt) => stmt.binds(v),
            crate::tangent::TStmt::Call { var, .. } => *var == v,
            _ => false,
        }
    }
}
