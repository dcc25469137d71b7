//! The attribute's own arguments: `#[differentiable]` or `#[differentiable(wrt(a, b))]`.
//!
//! Output: the list of names given to `wrt`, each with its span, or `None` when every
//! argument is differentiated. Whether those names are parameters is checked in `valid`.

use crate::errors::Errors;
use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Token, punctuated::Punctuated};

/// What the attribute asked for.
#[derive(Default)]
pub struct Args {
    /// `wrt(..)`: the parameters to differentiate; `None` means all of them.
    pub wrt: Option<Vec<Ident>>,
}

impl Args {
    pub fn from_tokens(tokens: TokenStream, errors: &mut Errors) -> Args {
        match (|input: ParseStream| parse_args(input)).parse2(tokens) {
            Ok(args) => args,
            Err(error) => {
                errors.push_error(error);
                Args::default()
            }
        }
    }
}

fn parse_args(input: ParseStream) -> syn::Result<Args> {
    let mut args = Args::default();
    while !input.is_empty() {
        let key: Ident = input.parse()?;
        if key != "wrt" {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown argument `{key}` to #[differentiable]; the only argument is `wrt(..)`, naming the parameters to differentiate"
                ),
            ));
        }
        if args.wrt.is_some() {
            return Err(syn::Error::new(
                key.span(),
                "`wrt` is given twice; name every differentiated parameter in one `wrt(..)`",
            ));
        }
        let content;
        syn::parenthesized!(content in input);
        // `self` is a keyword, which `Ident`'s own parser rejects.
        let names =
            Punctuated::<Ident, Token![,]>::parse_terminated_with(&content, Ident::parse_any)?;
        if names.is_empty() {
            return Err(syn::Error::new(
                key.span(),
                "`wrt()` names no parameter; name at least one, or leave `wrt` out to differentiate every parameter",
            ));
        }
        args.wrt = Some(names.into_iter().collect());
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(args)
}
