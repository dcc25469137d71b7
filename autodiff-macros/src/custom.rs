//! `#[custom_vjp(vjp)]`: a user-defined primitive, a function whose derivative the user
//! writes by hand (JAX's `custom_vjp`, PyTorch's `autograd.Function`).
//!
//! Output: the function unchanged, plus the `name::full_vjp` entry that
//! `#[differentiable]` callers chain into (see `emit::Emit::full_vjp`), built from the
//! forward function and the user's VJP instead of from a lowered body.

use crate::errors::Errors;
use crate::valid::Signature;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Path};

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let vjp: Option<Path> = match syn::parse2(args.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            errors.push_error(syn::Error::new(
                args.span(),
                "#[custom_vjp] names the function that computes the vector-Jacobian product: `#[custom_vjp(my_fn_vjp)]`",
            ));
            None
        }
    };
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
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
    let call_args = params.iter();
    let vjp_args = params.iter();
    // Spanned on the user's VJP path, so a wrong signature is reported there.
    let vjp_call = quote_spanned!(span=> #vjp(#(#vjp_args,)* __ad_out, __ad_seed));
    quote! {
        #item

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
                    let #destructure = #vjp_call;
                    (#(#spread,)*)
                }))
            }
        }
    }
}
