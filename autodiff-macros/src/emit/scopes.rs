//! Flat scopes for long bodies.
//!
//! Every `let` opens a scope that lasts to the end of its block, so a body of n lowered
//! statements nests n scopes, and the sweeps of one user statement are several `let`s
//! each. rustc's debug info recurses once per scope and overflows its stack at a few
//! thousand (a plain function of the same body survives about four times longer). A
//! long block is therefore printed as runs of `RUN` bindings, each run one
//! `let (a, mut b, ..) = { .. (a, b, ..) };`: the nesting becomes about n / RUN + RUN.
//! Short blocks, where the nesting costs nothing, are printed as they are.

use super::{Emit, hygienic, log_ident, pullback_ident, tangent_log_ident};
use crate::ir::{AStmt, Stmt, Value};
use crate::tangent::{HStmt, TStmt};
use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::quote;
use std::collections::HashSet;

/// Bindings per run.
const RUN: usize = 64;

/// Blocks with fewer bindings than this are printed unchanged.
const LONG_BLOCK: usize = 2 * RUN;

/// One printed statement, and the names it binds for the statements after it: `None`
/// when it may bind names this module does not track (user statements, loops), which
/// ends a run.
pub struct Piece {
    pub tokens: TokenStream,
    pub binds: Option<Vec<(Ident, bool)>>,
}

/// The statements of one block, runs of bindings wrapped as the module says. With
/// `tail`, the tokens that follow the block in its function, a run hands out only the
/// names read after it (rustc's cost grows with what the tuples carry); without, every
/// name it binds.
pub fn flatten(pieces: Vec<Piece>, tail: Option<&TokenStream>) -> TokenStream {
    let bindings: usize = pieces
        .iter()
        .map(|p| p.binds.as_ref().map_or(0, Vec::len))
        .sum();
    if bindings < LONG_BLOCK {
        return pieces.into_iter().map(|p| p.tokens).collect();
    }
    let mut segments = Vec::new();
    let mut run = Run::default();
    for piece in pieces {
        match piece.binds {
            Some(binds) => {
                run.count += binds.len();
                run.pieces.push(piece.tokens);
                for (name, mutable) in binds {
                    // A later binding of the same name shadows the earlier one. (Names
                    // are compared as text, read once: comparing two compiler idents
                    // reads both.)
                    let text = name.to_string();
                    if run.texts.contains(&text) {
                        run.names.retain(|(_, t, _)| *t != text);
                    } else {
                        run.texts.insert(text.clone());
                    }
                    run.names.push((name, text, mutable));
                }
                if run.count >= RUN {
                    segments.push(Segment::Run(std::mem::take(&mut run)));
                }
            }
            None => {
                segments.push(Segment::Run(std::mem::take(&mut run)));
                segments.push(Segment::Opaque(piece.tokens));
            }
        }
    }
    segments.push(Segment::Run(run));
    if let Some(tail) = tail {
        // Backwards: what is read after each run decides what it hands out.
        let mut read = HashSet::new();
        idents(tail, &mut read);
        for segment in segments.iter_mut().rev() {
            match segment {
                Segment::Run(run) => {
                    run.names.retain(|(_, text, _)| read.contains(text));
                    let tokens: TokenStream = run.pieces.iter().cloned().collect();
                    idents(&tokens, &mut read);
                }
                Segment::Opaque(tokens) => idents(tokens, &mut read),
            }
        }
    }
    segments
        .into_iter()
        .map(|segment| match segment {
            Segment::Run(run) => run.finish(),
            Segment::Opaque(tokens) => tokens,
        })
        .collect()
}

/// The generated names (`__ad_..`) in `tokens`, into `into`. Read from the printed text:
/// one call into the compiler per statement, not one per token; and found with a
/// substring search rather than by splitting every word, since the macro itself usually
/// runs unoptimised.
fn idents(tokens: &TokenStream, into: &mut HashSet<String>) {
    generated_words(&tokens.to_string(), into);
}

/// The words of `text` that start with `__ad_`, into `into`.
fn generated_words(text: &str, into: &mut HashSet<String>) {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("__ad_") {
        let start = from + found;
        let mut end = start + "__ad_".len();
        while end < bytes.len() && is_word(bytes[end]) {
            end += 1;
        }
        if start == 0 || !is_word(bytes[start - 1]) {
            into.insert(text[start..end].to_string());
        }
        from = end;
    }
}

enum Segment {
    Run(Run),
    Opaque(TokenStream),
}

#[derive(Default)]
struct Run {
    pieces: Vec<TokenStream>,
    /// What the run hands out: each name, as text, and whether it is `mut`.
    names: Vec<(Ident, String, bool)>,
    texts: HashSet<String>,
    /// How many bindings it makes.
    count: usize,
}

impl Run {
    fn finish(self) -> TokenStream {
        let Run {
            pieces,
            names,
            count,
            ..
        } = self;
        let tokens: TokenStream = pieces.into_iter().collect();
        if count < 2 {
            return tokens;
        }
        if names.is_empty() {
            return quote!({ #tokens });
        }
        let pattern = names.iter().map(|(name, _, mutable)| match mutable {
            true => quote!(mut #name),
            false => quote!(#name),
        });
        let values = names.iter().map(|(name, _, _)| name);
        quote! {
            let (#(#pattern,)*) = {
                #tokens
                (#(#values,)*)
            };
        }
    }
}

/// Whether data tokens surely hold no borrow: no `&`, no method call (which may
/// auto-borrow its receiver), no macro, no `ref`. Literals and arithmetic on numbers pass.
pub(crate) fn borrows_nothing(tokens: TokenStream) -> bool {
    tokens.into_iter().all(|tree| match tree {
        TokenTree::Punct(p) => !matches!(p.as_char(), '&' | '.' | '!'),
        TokenTree::Ident(i) => i != "ref",
        TokenTree::Group(g) => borrows_nothing(g.stream()),
        TokenTree::Literal(_) => true,
    })
}

/// What each kind of statement binds, named exactly as the printers in `emit` name it.
impl Emit<'_> {
    pub(super) fn forward_binds(&self, stmt: &Stmt) -> Option<Vec<(Ident, bool)>> {
        match stmt {
            Stmt::Effect(_) | Stmt::If { .. } | Stmt::Loop { .. } => None,
            // Data code may borrow from a local of the run, which could then not leave it.
            Stmt::Let {
                value: Value::Inert(tokens),
                ..
            } if !borrows_nothing(tokens.clone()) => None,
            Stmt::Let {
                var,
                value:
                    Value::Call {
                        keep_pullback: true,
                        ..
                    },
                ..
            } => {
                let span = hygienic(self.ir.vars[*var].span);
                Some(vec![
                    (self.var(*var), false),
                    (pullback_ident(*var, span), false),
                ])
            }
            Stmt::Let { var, .. } => Some(vec![(self.var(*var), self.ir.vars[*var].mutable)]),
            Stmt::NewLog { place, .. } => {
                Some(vec![(log_ident(*place, self.ir.vars[*place].span), true)])
            }
            Stmt::Store { .. } | Stmt::Push { .. } => Some(Vec::new()),
        }
    }

    pub(super) fn reverse_binds(&self, stmt: &AStmt) -> Option<Vec<(Ident, bool)>> {
        match stmt {
            AStmt::Init { adj, .. } | AStmt::Pop { into: adj, .. } => {
                Some(vec![(self.adj(*adj), true)])
            }
            AStmt::Vjp { results, .. } | AStmt::Backward { results, .. } => Some(
                results
                    .iter()
                    .flatten()
                    .map(|a| (self.adj(*a), true))
                    .collect(),
            ),
            AStmt::Accumulate { .. }
            | AStmt::Assign { .. }
            | AStmt::AssignAll(_)
            | AStmt::Clear { .. }
            | AStmt::UndoTo { .. }
            | AStmt::Restore { .. }
            | AStmt::If { .. } => Some(Vec::new()),
            AStmt::Replay(_)
            | AStmt::Loop { .. }
            | AStmt::Checkpointed { .. }
            | AStmt::Taped { .. }
            | AStmt::Unpack { .. } => None,
        }
    }

    pub(super) fn tangent_binds(&self, stmt: &TStmt) -> Option<Vec<(Ident, bool)>> {
        match stmt {
            TStmt::Primal(stmt) => self.forward_binds(stmt),
            TStmt::Let { var, .. } => Some(vec![(self.tan(*var), self.ir.vars[*var].mutable)]),
            TStmt::Call {
                var, keep_pullback, ..
            } => {
                let span = hygienic(self.ir.vars[*var].span);
                let mut binds = vec![(self.var(*var), false), (self.tan(*var), false)];
                if *keep_pullback {
                    binds.push((pullback_ident(*var, span), false));
                }
                Some(binds)
            }
            TStmt::NewLog { place, .. } => Some(vec![(
                tangent_log_ident(*place, self.ir.vars[*place].span),
                true,
            )]),
            TStmt::Store { .. } | TStmt::Push { .. } => Some(Vec::new()),
            TStmt::If { .. } | TStmt::Loop { .. } => None,
        }
    }

    pub(super) fn hvp_binds(&self, stmt: &HStmt) -> Option<Vec<(Ident, bool)>> {
        match stmt {
            HStmt::Adjoint(stmt) => self.reverse_binds(stmt),
            HStmt::Init { adj, .. } | HStmt::Pop { into: adj, .. } => {
                Some(vec![(self.dadj(*adj), true)])
            }
            HStmt::VjpJvp {
                vjp: AStmt::Vjp { results, .. },
                ..
            }
            | HStmt::Backward { results, .. } => Some(
                results
                    .iter()
                    .flatten()
                    .flat_map(|a| [(self.adj(*a), true), (self.dadj(*a), true)])
                    .collect(),
            ),
            HStmt::VjpJvp { vjp, .. } => self.reverse_binds(vjp),
            HStmt::Accumulate { .. }
            | HStmt::Assign { .. }
            | HStmt::AssignAll(_)
            | HStmt::Clear { .. }
            | HStmt::UndoTangentTo { .. }
            | HStmt::RestoreTangent { .. }
            | HStmt::If { .. } => Some(Vec::new()),
            HStmt::Replay(_) | HStmt::Loop { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::generated_words;
    use std::collections::HashSet;

    #[test]
    fn generated_words_are_whole_words_that_start_with_the_prefix() {
        let mut found = HashSet::new();
        generated_words(
            "let (__ad_v1, mut __ad_ct2) = f(x__ad_v3, ___ad_v4, __ad_v1.w) + __ad_",
            &mut found,
        );
        let mut found: Vec<&str> = found.iter().map(String::as_str).collect();
        found.sort_unstable();
        assert_eq!(found, ["__ad_", "__ad_ct2", "__ad_v1"]);
    }
}
