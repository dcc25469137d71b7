//! A collector that gathers every `syn::Error` a stage finds, so the user sees all of
//! their mistakes at once instead of one per compile.

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Errors found so far, in source order of discovery.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// Records an error spanned on `tokens`.
    pub fn push<T: quote::ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.list.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an already built error.
    pub fn push_error(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many errors are recorded: a mark to `truncate` back to.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Forgets errors recorded after `mark` (a stage that redoes work).
    pub fn truncate(&mut self, mark: usize) {
        self.list.truncate(mark);
    }

    /// `compile_error!` invocations for every recorded error.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.list.iter().map(syn::Error::to_compile_error).collect()
    }
}

/// Whether an item's tokens are a function's (`fn` before its first brace), even ones
/// that do not parse: rustc reports their syntax error itself, and a second error saying
/// the attribute needs a function would be wrong.
pub fn is_function(item: &proc_macro2::TokenStream) -> bool {
    item.clone()
        .into_iter()
        .take_while(|tree| {
            !matches!(tree, proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace)
        })
        .any(|tree| matches!(tree, proc_macro2::TokenTree::Ident(ident) if ident == "fn"))
}
