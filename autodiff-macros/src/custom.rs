//! `#[custom_vjp(vjp)]`: a user-defined primitive, a function whose derivative the user
//! writes by hand (JAX's `custom_vjp`, PyTorch's `autograd.Function`), optionally with a
//! forward rule: `#[custom_vjp(vjp, jvp = jvp_rule)]`.
//!
//! Output: the function unchanged, plus the `name::full_vjp` and `name::full_jvp` entries
//! that `#[differentiable]` callers chain into (see `emit::Emit::full_vjp` and
//! `Emit::full_jvp`), built from the forward function and the user's rules instead of from
//! a lowered body. With a forward rule the primitive implements `ForwardRule`; without
//! one, `full_jvp` exists (so callers' code compiles) but no `f_jvp` that reaches it can
//! be called: its `ForwardRule` bound fails at the call, saying the primitive has no
//! forward rule. A primitive never implements `SecondOrderRule` (`f_hvp` would need the
//! tangent of its VJP).

use crate::errors::Errors;
use crate::valid::Signature;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Path};

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let (vjp, jvp): (Option<Path>, Option<Path>) = match syn::parse::Parser::parse2(
        parse_rules,
        args.clone(),
    ) {
        Ok((vjp, jvp)) => (Some(vjp), jvp),
        Err(error) if error.to_string().is_empty() => {
            errors.push_error(syn::Error::new(
                args.span(),
                "#[custom_vjp] names the function that computes the vector-Jacobian product: `#[custom_vjp(my_fn_vjp)]`",
            ));
            (None, None)
        }
        Err(error) => {
            errors.push_error(error);
            (None, None)
        }
    };
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // A function with a syntax error: rustc has reported it already.
        Err(_) if crate::errors::is_function(&item) => return quote!(#item),
        Err(_) => {
            errors.push_error(syn::Error::new_spanned(
                &item,
                "#[custom_vjp] applies to a function (`fn softplus(x: f64) -> f64 { .. }`)",
            ));
            let compile_errors = errors.to_compile_errors();
            return quote!(#compile_errors #item);
        }
    };
    let args = crate::args::Args::default();
    let sig = Signature::validate(&item, &args, &mut errors);
    if sig.as_ref().is_some_and(|s| s.has_receiver) {
        errors.push(
            &item.sig.ident,
            "#[custom_vjp] applies to free functions, not methods",
        );
    }
    let (Some(vjp), Some(sig), true) = (vjp, sig, errors.is_empty()) else {
        let compile_errors = errors.to_compile_errors();
        return quote!(#compile_errors #item);
    };
    let full = sig.with_every_float_differentiated();
    let name = &item.sig.ident;
    let vis = &item.vis;
    let out_ty = &full.output_ty;
    let span = vjp.span();

    let params: Vec<_> = full.params.iter().map(|p| &p.ident).collect();
    // Owned copies of the inputs, captured by the pullback instead of any borrow.
    let owned = full.params.iter().map(|p| {
        let ident = &p.ident;
        if p.by_ref && p.wrt {
            quote!(let #ident = *#ident;)
        } else {
            quote!()
        }
    });
    let diff: Vec<_> = full.params.iter().filter(|p| p.wrt).collect();
    let cts: Vec<_> = diff
        .iter()
        .map(|p| format_ident!("__ad_ct_{}", p.ident))
        .collect();
    let spread = full.params.iter().map(|p| match p.wrt {
        true => format_ident!("__ad_ct_{}", p.ident).into_token_stream(),
        false => quote!(()),
    });
    let destructure = match cts.as_slice() {
        [one] => one.to_token_stream(),
        many => quote!((#(#many),*)),
    };
    let grads_ty = full.every_grad_ty();
    let inputs = item.sig.inputs.iter();
    let generics = &item.sig.generics.params;
    let generics = if generics.is_empty() {
        quote!()
    } else {
        quote!(<#generics>)
    };
    let where_clause = &item.sig.generics.where_clause;
    let captures = crate::emit::type_and_const_params(&item.sig.generics);
    // `full_vjp_for`, which `#[differentiable]` callers call with a flag per argument they
    // differentiate (see `Emit::full_vjp`): a rule computes every gradient, so it ignores
    // them.
    let flags: Vec<Ident> = (0..full.params.len())
        .map(|k| format_ident!("__AD_D{}", k, span = Span::mixed_site()))
        .collect();
    let generics_for = {
        let params = item.sig.generics.params.iter();
        quote!(<#(#params,)* #(const #flags: usize),*>)
    };
    let captures_for = captures
        .iter()
        .cloned()
        .chain(flags.iter().map(ToTokens::to_token_stream));
    let inputs_for = item.sig.inputs.iter();
    let args_for = params.iter();
    let call_args = params.iter();
    // The rule takes each input as the primitive does: a borrowed one by reference.
    let vjp_args = full.params.iter().map(|p| {
        let ident = &p.ident;
        match p.by_ref && p.wrt {
            true => quote!(&#ident),
            false => ident.to_token_stream(),
        }
    });
    // The rule is called through a function pointer of the signature it must have,
    // spanned on the user's rule path: a wrong signature is reported there as "expected
    // fn pointer `fn(f64, f64, f64) -> f64`", which spells the right one (a direct call
    // would get rustc's advice to delete arguments, or the rule itself).
    let rule_args = full
        .params
        .iter()
        .map(|p| match (&p.ty, p.by_ref && p.wrt) {
            // Any lifetime: the rule borrows the pullback's own copy.
            (syn::Type::Reference(r), true) => {
                let elem = &r.elem;
                quote!(&#elem)
            }
            _ => p.ty.to_token_stream(),
        });
    let cts_ty = match diff.as_slice() {
        [one] => one.grad_ty.to_token_stream(),
        many => {
            let tys = many.iter().map(|p| &p.grad_ty);
            quote!((#(#tys),*))
        }
    };
    let rule = Ident::new("__ad_rule", Span::mixed_site().located_at(span));
    let rule_ty = crate::krate::respan(
        quote!(fn(#(#rule_args,)* #out_ty, #out_ty) -> #cts_ty),
        span,
    );
    let vjp_call = quote_spanned! {span=>
        let #rule: #rule_ty = #vjp;
        let #destructure = #rule(#(#vjp_args,)* __ad_out, __ad_seed);
    };
    let full_jvp = full_jvp(&item, &full, jvp.as_ref());
    quote! {
        #item

        #full_jvp

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        #[allow(dead_code, clippy::all)]
        impl #name {
            #[doc(hidden)]
            pub fn full_vjp #generics(#(#inputs),*) -> (#out_ty, ::autodiff::Pullback<#out_ty, #grads_ty,
                impl ::core::ops::FnOnce(#out_ty) -> #grads_ty + ::core::clone::Clone + use<#(#captures),*>>)
                #where_clause
            {
                let __ad_out = #name(#(#call_args),*);
                #(#owned)*
                (__ad_out, ::autodiff::Pullback::new(move |__ad_seed: #out_ty| -> #grads_ty {
                    #vjp_call
                    (#(#spread,)*)
                }))
            }

            #[doc(hidden)]
            #[inline(always)]
            pub fn full_vjp_for #generics_for(_: (#(::autodiff::__private::Flag<#flags>,)*), #(#inputs_for),*) -> (#out_ty, ::autodiff::Pullback<#out_ty, #grads_ty,
                impl ::core::ops::FnOnce(#out_ty) -> #grads_ty + ::core::clone::Clone + use<#(#captures_for),*>>)
                #where_clause
            {
                Self::full_vjp(#(#args_for),*)
            }
        }
    }
}

/// `vjp_rule` or `vjp_rule, jvp = jvp_rule`. A malformed rule path is reported with the
/// general usage message (an empty error); anything else with its own.
fn parse_rules(input: syn::parse::ParseStream) -> syn::Result<(Path, Option<Path>)> {
    let vjp: Path = input.parse().map_err(|e| syn::Error::new(e.span(), ""))?;
    let mut jvp = None;
    if input.parse::<Option<syn::Token![,]>>()?.is_some() && !input.is_empty() {
        let key: syn::Ident = input.parse()?;
        if key != "jvp" {
            return Err(syn::Error::new(
                key.span(),
                "unknown #[custom_vjp] argument; the forward rule is given as `jvp = my_fn_jvp`",
            ));
        }
        input.parse::<syn::Token![=]>()?;
        jvp = Some(input.parse()?);
        input.parse::<Option<syn::Token![,]>>()?;
    }
    if !input.is_empty() {
        return Err(input.error(
            "unexpected #[custom_vjp] argument; write `#[custom_vjp(my_fn_vjp)]` or `#[custom_vjp(my_fn_vjp, jvp = my_fn_jvp)]`",
        ));
    }
    Ok((vjp, jvp))
}

/// `name::full_jvp(args.., tangents..)`: the forward and the user's forward rule
/// `jvp(args.., out, d_args..)` (one tangent per float argument, the arguments as the VJP
/// rule gets them), and the primitive's `ForwardRule` impl; without a rule, a `full_jvp`
/// that no compiling program reaches (see the module docs).
fn full_jvp(item: &ItemFn, full: &Signature, jvp: Option<&Path>) -> TokenStream {
    let name = &item.sig.ident;
    let out_ty = &full.output_ty;
    let mut inputs: Vec<TokenStream> = item
        .sig
        .inputs
        .iter()
        .map(ToTokens::to_token_stream)
        .collect();
    let mut hvp_inputs = inputs.clone();
    let mut rebind = Vec::new();
    let mut tangents = Vec::new();
    for p in &full.params {
        let ident = crate::emit::tangent_param_ident(&p.ident);
        let ty = match p.wrt {
            true => p.grad_ty.to_token_stream(),
            false => quote!(()),
        };
        inputs.push(quote!(#ident: impl ::autodiff::__private::TangentOf<#ty>));
        hvp_inputs.push(quote!(#ident: #ty));
        rebind.push(
            quote!(let #ident: #ty = ::autodiff::__private::TangentOf::<#ty>::tangent(#ident);),
        );
        if p.wrt {
            tangents.push(ident);
        }
    }
    let generics = &item.sig.generics.params;
    let generics = if generics.is_empty() {
        quote!()
    } else {
        quote!(<#generics>)
    };
    let where_clause = &item.sig.generics.where_clause;
    // `f_hvp` would need the tangent of the VJP, which no rule gives: callers' `full_hvp`
    // compiles against this one, and their `f_hvp` fails on the missing `SecondOrderRule`.
    let grads_ty = full.every_grad_ty();
    let full_hvp = quote! {
        #[allow(dead_code, clippy::all, unused_variables)]
        impl #name {
            #[doc(hidden)]
            pub fn full_hvp #generics(#(#hvp_inputs),*) -> ((#out_ty, #out_ty), ::autodiff::Pullback<(#out_ty, #out_ty), (#grads_ty, #grads_ty), fn((#out_ty, #out_ty)) -> (#grads_ty, #grads_ty)>) #where_clause {
                ::core::unreachable!("a function that reaches this primitive has no `_hvp` that compiles")
            }
        }
    };
    let Some(jvp) = jvp else {
        return quote! {
            #full_hvp

            #[allow(dead_code, clippy::all, unused_variables)]
            impl #name {
                #[doc(hidden)]
                pub fn full_jvp #generics(#(#inputs),*) -> (#out_ty, #out_ty) #where_clause {
                    ::core::unreachable!("a function that reaches this primitive has no `_jvp` that compiles")
                }
            }
        };
    };
    let params: Vec<_> = full.params.iter().map(|p| &p.ident).collect();
    let owned = full.params.iter().map(|p| {
        let ident = &p.ident;
        if p.by_ref && p.wrt {
            quote!(let #ident = *#ident;)
        } else {
            quote!()
        }
    });
    let span = jvp.span();
    let jvp_call = quote_spanned!(span=> #jvp(#(#params,)* __ad_out, #(#tangents),*));
    quote! {
        #full_hvp

        #[allow(dead_code, clippy::all)]
        impl #name {
            #[doc(hidden)]
            pub fn full_jvp #generics(#(#inputs),*) -> (#out_ty, #out_ty) #where_clause {
                let __ad_out = #name(#(#params),*);
                #(#owned)*
                #(#rebind)*
                let __ad_dout = #jvp_call;
                (__ad_out, __ad_dout)
            }
        }

        impl ::autodiff::bounds::ForwardRule for #name {}
    }
}
