//! The driver: parse -> validate -> lower -> activity -> reverse -> emit.
//!
//! On any error the user's function is still emitted unchanged, with stubs carrying the
//! generated functions' signatures, so the user sees the macro's errors and not a cascade
//! of "cannot find function `f_grad`".

use crate::args::Args;
use crate::context::{self, Place};
use crate::emit::{self, Emit};
use crate::errors::Errors;
use crate::guards;
use crate::valid::{self, Signature};
use crate::{activity, lower, reverse, tangent};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::ItemFn;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
        return expand_impl(args, block);
    }
    expand_fn(args, item, None)
}

/// `#[differentiable] impl Type { .. }`: each method marked `#[differentiable]` (every
/// method with a body when none is marked, with the block's arguments) expanded as a
/// lone method would be, with the block's own context: the attribute sees the whole
/// block, so no source scan is needed.
fn expand_impl(args: TokenStream, mut block: syn::ItemImpl) -> TokenStream {
    if let Some((_, trait_path, _)) = &block.trait_ {
        let error = syn::Error::new_spanned(
            trait_path,
            "#[differentiable] on a trait impl: the functions it generates (`f_grad`, ..) are not members of the trait; put the methods in an inherent `impl` block and call them from the trait's",
        );
        let error = error.to_compile_error();
        return quote!(#error #block);
    }
    let is_marker = |attr: &syn::Attribute| attr.path().is_ident("differentiable");
    let marked = block
        .items
        .iter()
        .any(|item| matches!(item, syn::ImplItem::Fn(f) if f.attrs.iter().any(is_marker)));
    let mut functions = std::collections::HashMap::new();
    for item in &block.items {
        if let syn::ImplItem::Fn(f) = item {
            let differentiated = !marked || f.attrs.iter().any(is_marker);
            functions.insert(f.sig.ident.to_string(), differentiated);
        }
    }
    let impl_params = block
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(t.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    let context = context::Context {
        place: Place::InherentImpl,
        impl_params: Some(impl_params),
        functions: std::rc::Rc::new(functions),
        ..context::Context::default()
    };
    let impl_elem = valid::element_type_of(&block.generics);
    let mut items = Vec::with_capacity(block.items.len());
    for item in std::mem::take(&mut block.items) {
        let syn::ImplItem::Fn(mut method) = item else {
            items.push(item.into_token_stream());
            continue;
        };
        let position = method.attrs.iter().position(is_marker);
        let method_args = match position {
            Some(k) => match method.attrs.remove(k).meta {
                syn::Meta::List(list) => list.tokens,
                _ => TokenStream::new(),
            },
            None if !marked => args.clone(),
            None => {
                items.push(method.into_token_stream());
                continue;
            }
        };
        // The block's `T: Real` is the method's element type too (its float literals
        // become `T` constants): restated on the method, where the expansion looks.
        if let Some(elem) = &impl_elem
            && valid::element_type_of(&method.sig.generics).is_none()
        {
            method
                .sig
                .generics
                .make_where_clause()
                .predicates
                .push(syn::parse_quote!(#elem: ::autodiff::Real));
        }
        items.push(expand_fn(
            method_args,
            method.into_token_stream(),
            Some(context.clone()),
        ));
    }
    let (attrs, defaultness, unsafety, impl_token) = (
        &block.attrs,
        &block.defaultness,
        &block.unsafety,
        &block.impl_token,
    );
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    let self_ty = &block.self_ty;
    quote! {
        #(#attrs)*
        #defaultness #unsafety #impl_token #impl_generics #self_ty #where_clause {
            #(#items)*
        }
    }
}

/// One function; `context` is the block's when the attribute is on the block, else the
/// source scan's.
fn expand_fn(
    args: TokenStream,
    item: TokenStream,
    context: Option<context::Context>,
) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::from_tokens(args, &mut errors);
    let mut item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // A declaration without a body: a trait's method or a foreign function.
        Err(_)
            if let Ok(declared) = syn::parse2::<syn::TraitItemFn>(item.clone())
                && declared.default.is_none() =>
        {
            errors.push_error(syn::Error::new_spanned(
                &declared.sig,
                "#[differentiable] needs the function's body, and this declaration has none; put the attribute on the method in each `impl`, or wrap a foreign function in a `#[custom_vjp]` primitive",
            ));
            let compile_errors = errors.to_compile_errors();
            return quote!(#compile_errors #item);
        }
        // A function with a syntax error: rustc has reported it already.
        Err(_) if crate::errors::is_function(&item) => return quote!(#item),
        Err(_) => {
            errors.push_error(syn::Error::new_spanned(
                &item,
                "#[differentiable] applies to a function (`fn f(x: Tensor<f64, 3>) -> f64 { .. }`)",
            ));
            let compile_errors = errors.to_compile_errors();
            return quote!(#compile_errors #item);
        }
    };
    guards::fold(&mut item.block);
    for attr in &item.attrs {
        let name = attr.path().segments.last().map(|s| s.ident.to_string());
        match name.as_deref() {
            Some("differentiable") => errors.push(
                attr,
                "#[differentiable] is applied twice to this function; remove one",
            ),
            Some("custom_vjp") => errors.push(
                attr,
                "a function is either #[differentiable] (its derivative is generated) or #[custom_vjp] (its derivative is written by hand), not both",
            ),
            _ => {}
        }
    }
    let context = context.unwrap_or_else(|| context::of_function(&item.sig.ident));
    if let Place::TraitImpl | Place::Trait = context.place {
        let (fn_token, name) = (&item.sig.fn_token, &item.sig.ident);
        let (block, home) = match context.place {
            Place::Trait => ("a trait", "a #[differentiable] free function"),
            _ => (
                "a trait impl",
                "a #[differentiable] method of an inherent `impl` block",
            ),
        };
        errors.push(
            quote!(#fn_token #name),
            format!(
                "#[differentiable] cannot be used in {block}: `{name}_grad`, `{name}_vjp` and the others it generates are not members of the trait. Write the body as {home} and call it from `{name}`"
            ),
        );
        let compile_errors = errors.to_compile_errors();
        return quote!(#compile_errors #item);
    }
    let name = item.sig.ident.to_string();
    for generated in ["grad", "vjp", "jvp", "hvp", "graph"].map(|s| format!("{name}_{s}")) {
        if context.functions.contains_key(&generated) {
            errors.push(
                &item.sig.ident,
                format!("#[differentiable] generates `{generated}` for `{name}`, and this block already has a function `{generated}`; rename one of them"),
            );
        }
    }
    let mut sig = Signature::validate(&item, &args, &mut errors);
    if let Some(sig) = &mut sig {
        // `Self` in a function the source scan could not place (one written by another
        // macro) still says it is in an impl.
        sig.in_impl = sig.has_receiver
            || context.place == Place::InherentImpl
            || context.functions.is_empty() && mentions_self(item.to_token_stream());
        sig.sibling = sig.in_impl || context.type_names.contains(&item.sig.ident.to_string());
        sig.context = context;
    }
    valid::fence(&item.block, &mut errors);
    valid::no_recursion(&item, &mut errors);
    let Some(sig) = sig else {
        return fallback(&item, None, &errors);
    };
    let ir = lower::lower(&sig, &item.block, &mut errors);
    if !errors.is_empty() {
        return fallback(&item, Some(&sig), &errors);
    }
    let active = activity::active(&ir);

    // What callers chain into: the same body differentiated with respect to every float
    // argument. If that lowering fails (a float argument used where a gradient cannot
    // flow, such as `n as usize`), callers get this function's own `wrt` instead.
    let full_item = by_value_receiver(&item);
    let item_for_full = full_item.as_ref().unwrap_or(&item);
    let mut full_sig = sig.with_every_float_differentiated();
    if let Some(receiver) = full_sig.params.first_mut().filter(|_| sig.has_receiver) {
        // The hidden method takes `self` by value (see `Emit::full_vjp`).
        receiver.by_ref = false;
        receiver.ty = syn::parse_quote!(Self);
    }
    let same_wrt = |full: &Signature| {
        sig.params
            .iter()
            .zip(&full.params)
            .all(|(own, twin)| own.wrt == twin.wrt)
    };
    // A free function differentiated with respect to every float parameter has the same
    // sweeps as its hidden twins: its public derivatives call them (see `through_full`).
    let through_full = !sig.has_receiver && same_wrt(&full_sig);
    let relowered;
    let (full_sig, full_ir, full_active) = if through_full {
        (full_sig, &ir, &active)
    } else {
        let mut full_errors = Errors::default();
        let full_ir = lower::lower(&full_sig, &item.block, &mut full_errors);
        if full_errors.is_empty() {
            let full_active = activity::active(&full_ir);
            relowered = (full_ir, full_active);
            (full_sig, &relowered.0, &relowered.1)
        } else {
            (sig.clone(), &ir, &active)
        }
    };
    let through_full = through_full || (!sig.has_receiver && same_wrt(&full_sig));
    let full_adjoint = reverse::reverse(full_ir, full_active);
    let full_ref_params = emit::ref_params(&full_adjoint.forward);
    let full = Emit {
        item: item_for_full,
        sig: &full_sig,
        ir: full_ir,
        adjoint: &full_adjoint,
        ref_params: &full_ref_params,
        borrowed: false,
        masked: false,
    };
    let full_tangent = tangent::tangent(full_ir);
    let full_over =
        tangent::over_adjoint(reverse::reverse_without_checkpoints(full_ir, full_active));

    let mut tokens = if through_full {
        // The twins' IR is this function's own.
        let this = Emit {
            item: &item,
            sig: &sig,
            ..full
        };
        let mut tokens = this.plain_and_graph();
        tokens.extend(this.through_full(&full_tangent, &full_over));
        tokens
    } else {
        let adjoint = reverse::reverse(&ir, &active);
        let ref_params = emit::ref_params(&adjoint.forward);
        let this = Emit {
            item: &item,
            sig: &sig,
            ir: &ir,
            adjoint: &adjoint,
            ref_params: &ref_params,
            borrowed: false,
            masked: false,
        };
        let mut tokens = this.emit();
        // Forward mode: the tangent sweep of the forward IR; second order: the tangent
        // sweep of the adjoint IR.
        tokens.extend(this.jvp(&tangent::tangent(&ir)));
        let over = tangent::over_adjoint(reverse::reverse_without_checkpoints(&ir, &active));
        tokens.extend(this.hvp(&over));
        tokens
    };
    tokens.extend(full.full_vjp());
    let jvp_calls_public = through_full && !emit::calls_functions(&full_tangent, &full_sig.context);
    tokens.extend(full.full_jvp(&full_tangent, jvp_calls_public));
    tokens.extend(full.full_hvp(&full_over));
    tokens
}

/// Whether `Self` appears in the tokens.
fn mentions_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "Self",
        proc_macro2::TokenTree::Group(group) => mentions_self(group.stream()),
        _ => false,
    })
}

/// A method's signature with `&self` replaced by `self`, for its hidden sibling.
fn by_value_receiver(item: &ItemFn) -> Option<ItemFn> {
    let mut item = item.clone();
    let syn::FnArg::Receiver(receiver) = item.sig.inputs.first_mut()? else {
        return None;
    };
    receiver.reference = None;
    receiver.mutability = None;
    *receiver.ty = syn::parse_quote!(Self);
    Some(item)
}

/// The user's function as written, the errors, and stubs of `f_grad`/`f_vjp` that
/// type-check so that calls to them add no further errors.
fn fallback(item: &ItemFn, sig: Option<&Signature>, errors: &Errors) -> TokenStream {
    let compile_errors = errors.to_compile_errors();
    let Some(sig) = sig else {
        return quote!(#compile_errors #item);
    };
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &item.sig.generics.where_clause;
    let inputs = &item.sig.inputs;
    let out = &sig.output_ty;
    let grads = sig.grads_ty();
    let grad_name = format_ident!("{}_grad", item.sig.ident);
    let vjp_name = format_ident!("{}_vjp", item.sig.ident);
    let graph_name = format_ident!("{}_graph", item.sig.ident);
    let jvp_name = format_ident!("{}_jvp", item.sig.ident);
    let hvp_name = format_ident!("{}_hvp", item.sig.ident);
    let tangents: Vec<TokenStream> = sig
        .params
        .iter()
        .filter(|p| p.wrt)
        .map(|p| {
            let (ident, ty) = (emit::tangent_param_ident(&p.ident), &p.grad_ty);
            quote!(#ident: #ty)
        })
        .collect();
    let sep = if inputs.is_empty() || inputs.trailing_punct() {
        quote!()
    } else {
        quote!(,)
    };
    // The user's body is left out: it would only repeat, as type errors, what the macro
    // already reported.
    // A second `#[differentiable]` or a `#[custom_vjp]` (reported already) would expand
    // again on the stub.
    let attrs: Vec<_> = item
        .attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Outer))
        .filter(|a| {
            !a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "differentiable" || s.ident == "custom_vjp")
        })
        .collect();
    let mut sig_tokens = item.sig.clone();
    // Qualifiers the macro rejected would only add errors of their own to the stub.
    sig_tokens.constness = None;
    sig_tokens.asyncness = None;
    sig_tokens.unsafety = None;
    sig_tokens.abi = None;
    let stubs = [
        (
            &grad_name,
            quote! {
                #[allow(dead_code, unused_variables, clippy::diverging_sub_expression)]
                #vis fn #grad_name #generics(#inputs) -> (#out, #grads) #where_clause {
                    ::core::unreachable!("#[differentiable] reported an error for this function")
                }
            },
        ),
        (
            &graph_name,
            quote! {
                #[allow(dead_code)]
                #vis fn #graph_name() -> ::autodiff::Graph {
                    ::core::unreachable!("#[differentiable] reported an error for this function")
                }
            },
        ),
        (
            &vjp_name,
            quote! {
                #[allow(dead_code, unused_variables, clippy::diverging_sub_expression)]
                #vis fn #vjp_name #generics(#inputs) -> (#out, ::autodiff::Pullback<#out, #grads, fn(#out) -> #grads>) #where_clause {
                    ::core::unreachable!("#[differentiable] reported an error for this function")
                }
            },
        ),
        (
            &jvp_name,
            quote! {
                #[allow(dead_code, unused_variables, clippy::diverging_sub_expression)]
                #vis fn #jvp_name #generics(#inputs #sep #(#tangents),*) -> (#out, #out) #where_clause {
                    ::core::unreachable!("#[differentiable] reported an error for this function")
                }
            },
        ),
        (
            &hvp_name,
            quote! {
                #[allow(dead_code, unused_variables, clippy::diverging_sub_expression)]
                #vis fn #hvp_name #generics(#inputs #sep #(#tangents),*) -> (#out, #grads, #grads) #where_clause {
                    ::core::unreachable!("#[differentiable] reported an error for this function")
                }
            },
        ),
    ];
    // A stub whose name the user's own function holds (reported) would only clash.
    let stubs = stubs
        .into_iter()
        .filter(|(name, _)| !sig.context.functions.contains_key(&name.to_string()))
        .map(|(_, stub)| stub);
    quote! {
        #compile_errors
        #(#attrs)*
        #[allow(dead_code, unused_variables, clippy::diverging_sub_expression)]
        #vis #sig_tokens {
            ::core::unreachable!("#[differentiable] reported an error for this function")
        }
        #(#stubs)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(args: TokenStream, item: TokenStream) -> String {
        expand(args, item).to_string()
    }

    #[test]
    fn calc_expands_to_three_functions() {
        let out = expand_str(
            quote!(),
            quote! {
                pub fn calc(a: Tensor<f64, 3>) -> f64 {
                    let b = a * 2.0 + 1.0;
                    let c = b * b;
                    let d = c / (c + 2.0);
                    d.mean()
                }
            },
        );
        if std::env::var_os("AUTODIFF_PRINT_EXPANSION").is_some() {
            println!("{out}");
        }
        for name in ["fn calc (", "fn calc_grad (", "fn calc_vjp ("] {
            assert!(out.contains(name), "{name} missing from {out}");
        }
        // The reverse sweep reuses the forward output of the division and the mean.
        assert!(out.contains("__ad_ops :: DivVjp :: div_vjp"));
        assert!(out.contains("__ad_ops :: Mean :: mean_vjp"));
        assert!(!out.contains("compile_error"));
    }

    #[test]
    fn errors_keep_the_function_and_emit_stubs() {
        let out = expand_str(
            quote!(wrt(y)),
            quote! {
                fn f(x: Tensor<f64, 3>) -> f64 { x.sum() }
            },
        );
        assert!(out.contains("compile_error"));
        assert!(out.contains("fn f ("));
        assert!(out.contains("fn f_grad ("));
        assert!(out.contains("fn f_vjp ("));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            quote!(),
            quote!(
                struct S;
            ),
            quote!(
                fn f() {}
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    return;
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {}
            ),
            quote!(
                fn f((a, b): (f64, f64)) -> f64 {
                    a
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let y;
                    y = x;
                    y
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    tensor![]
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    tensor![[x], [x, x]]
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    tensor![[x], x]
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.fixed_rows(0)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.powi()
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.exp::<f64>()
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.detach(1)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x % 2.0
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    !x
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    {}
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x += 1.0
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let a = x;
                    a[0] += 1.0;
                    a
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    'a: { x }
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    for (a, b) in x {}
                    x
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let mut y = x;
                    while y {
                        y = y * 2.0;
                    }
                    y
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    if x > 0.0 {
                        x
                    } else if x < 1.0 {
                        2.0
                    }
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let y = if x > 0.0 {
                        x
                    };
                    y
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    for i in 0..3 {
                        let g = || x;
                    }
                    x
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let mut y = x;
                    for _ in 0..N {
                        y += x;
                    }
                    y
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let mut y = x;
                    for _ in 0.. {
                        y += x;
                    }
                    y
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    for _ in x.iter() {}
                    x
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    g::<f64>(x, &x, &mut x)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    (g)(x)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    <T as Tr>::g(x)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.t().matmul()
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.t(1).matmul(x)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    while x < 1.0 {}
                    x
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let mut y = x;
                    if true {
                        y = 1.0;
                    } else {
                        let y = 2.0;
                    }
                    y
                }
            ),
            quote!(
                fn f(&self, x: f64) -> f64 {
                    self.w * x
                }
            ),
            quote!(
                fn f<'a>(x: &'a f64, d: &'a [f64]) -> f64 {
                    *x * d[0]
                }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    let g: fn(f64) -> f64 = h;
                    g(x) + H(x) + Self::k(x) + M::k(x)
                }
            ),
            quote!(
                fn f(x: f64) -> f64 { let y = x * 2.0 y }
            ),
            quote!(
                fn f(x: f64) -> f64 {
                    x.sin() * x.cos() + x.cos().sin()
                }
            ),
        ];
        for input in inputs {
            let _ = expand(quote!(), input.clone());
            let _ = expand(quote!(wrt(x)), input.clone());
            let _ = expand(quote!(wrt()), input.clone());
            let _ = expand(quote!(wrt(x), wrt(x)), input);
        }
    }
}
