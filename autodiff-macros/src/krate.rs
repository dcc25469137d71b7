//! Where the runtime is: the path generated code starts its runtime paths with, and the
//! rewrite that puts it there.
//!
//! The stages write every runtime path as `::autodiff::..` (absolute, so a user's own
//! items cannot shadow it). A user may depend on the facade under another name
//! (`ad = { package = "static-autodiff", .. }`), or reach it through a crate that
//! re-exports it, so the attribute entry points in `lib.rs` go through [`expand`]:
//!
//! 1. [`split_crate_arg`] takes a `crate = path` argument (or serde's spelling,
//!    `crate = "path"`) off the attribute's arguments, so the stages never see it;
//! 2. [`resolve`] picks the root: that argument if given, else the name the user's
//!    `Cargo.toml` gives the facade package, else `::autodiff`;
//! 3. the stages expand as usual, and [`rewrite`] replaces the `::autodiff` that starts
//!    a path with the root, everywhere in their output.
//!
//! Output guarantees: a path that starts with `::autodiff` starts with the root instead;
//! every other token is unchanged, with its span, and groups keep their delimiters and
//! spans. With the root `::autodiff` (the usual case) the output is the stages' output.
//!
//! The rewrite cannot tell the stages' tokens from the user's body, which the stages copy
//! into their output: a body that names some *other* crate called `autodiff` by an
//! absolute `::autodiff::..` path, in a crate that also renames this facade, would be
//! redirected too. Such a body can write the other crate's path without the leading `::`.

use crate::errors::Errors;
use proc_macro_crate::FoundCrate;
use proc_macro2::{Group, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Ident, LitStr, Path};

/// The facade's package name on crates.io.
const FACADE_PACKAGE: &str = "static-autodiff";

/// The facade's library name (`[lib] name` in its `Cargo.toml`): what a dependency on the
/// facade without a rename is called in Rust code, and the first segment of the paths the
/// stages write.
const FACADE_LIB: &str = "autodiff";

/// Keywords after which `::` starts a path rather than continuing one (`<_ as ::a::B>`,
/// `impl ::a::B`, `let x = ..`). `self`, `super`, `crate` and `Self` are not here: they
/// are path segments themselves.
const KEYWORDS_BEFORE_PATH: &[&str] = &[
    "as", "box", "break", "const", "dyn", "else", "for", "if", "impl", "in", "let", "match",
    "move", "mut", "pub", "ref", "return", "static", "type", "unsafe", "use", "where", "while",
    "yield",
];

/// Runs an attribute's expansion with the runtime found: splits `crate = ..` off `args`,
/// expands, and rewrites the output's runtime paths. Errors in the `crate` argument are
/// reported next to the expansion, which then uses the root found without it.
pub fn expand(
    args: TokenStream,
    item: TokenStream,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let mut errors = Errors::default();
    let (explicit, args) = split_crate_arg(args, &mut errors);
    let root = resolve(explicit);
    let expanded = rewrite(expand(args, item), &root);
    let compile_errors = errors.to_compile_errors();
    quote!(#compile_errors #expanded)
}

/// Separates a `crate = path` or `crate = "path"` argument from the other arguments,
/// which are returned as they were written (minus that argument and its comma).
///
/// A malformed or repeated `crate` argument is recorded in `errors`, spanned on it, and
/// left out of both results.
pub fn split_crate_arg(args: TokenStream, errors: &mut Errors) -> (Option<Path>, TokenStream) {
    let trees: Vec<TokenTree> = args.into_iter().collect();
    let mut root = None;
    let mut rest: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let at_argument_start = i == 0 || is_punct(&trees[i - 1], ',');
        let is_crate_arg = at_argument_start
            && matches!(&trees[i], TokenTree::Ident(ident) if ident == "crate")
            && trees.get(i + 1).is_some_and(|t| is_lone_punct(t, '='));
        if !is_crate_arg {
            rest.push(trees[i].clone());
            i += 1;
            continue;
        }
        let key = &trees[i];
        let value_start = i + 2;
        let value_end = argument_end(&trees, value_start);
        let value: TokenStream = trees[value_start..value_end].iter().cloned().collect();
        match parse_root(value, &trees[i + 1]) {
            Ok(_) if root.is_some() => errors.push(
                key,
                "`crate` is given twice; name the crate that re-exports autodiff once",
            ),
            Ok(path) => root = Some(path),
            Err(error) => errors.push_error(error),
        }
        // Drop the argument with one comma: the one after it, or else the one before it.
        if trees.get(value_end).is_some_and(|t| is_punct(t, ',')) {
            i = value_end + 1;
        } else {
            if rest.last().is_some_and(|t| is_punct(t, ',')) {
                rest.pop();
            }
            i = value_end;
        }
    }
    (root, rest.into_iter().collect())
}

/// Where the argument starting at `start` ends: the next `,` outside angle brackets
/// (so `a::B<C, D>` stays whole), or the end of the arguments.
fn argument_end(trees: &[TokenTree], start: usize) -> usize {
    let mut angle_depth = 0usize;
    for (offset, tree) in trees[start..].iter().enumerate() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '<' => angle_depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => {
                angle_depth = angle_depth.saturating_sub(1)
            }
            TokenTree::Punct(p) if p.as_char() == ',' && angle_depth == 0 => return start + offset,
            _ => {}
        }
    }
    trees.len()
}

/// The value of `crate = ..`: a path, or a string holding one (serde's spelling).
fn parse_root(value: TokenStream, equals: &TokenTree) -> syn::Result<Path> {
    const EXPECTED: &str = "`crate = ..` names the path under which the autodiff facade is reachable, e.g. `crate = ::my_crate::autodiff` or `crate = \"::my_crate::autodiff\"`";
    if value.is_empty() {
        return Err(syn::Error::new_spanned(equals, EXPECTED));
    }
    if let Ok(string) = syn::parse2::<LitStr>(value.clone()) {
        return string
            .parse::<Path>()
            .map_err(|_| syn::Error::new_spanned(&string, EXPECTED));
    }
    syn::parse2::<Path>(value.clone()).map_err(|_| syn::Error::new_spanned(value, EXPECTED))
}

/// The runtime's root path: `explicit` if given, else the name the user's `Cargo.toml`
/// gives the facade package, else `::autodiff`.
pub fn resolve(explicit: Option<Path>) -> Path {
    explicit.unwrap_or_else(|| root_for(proc_macro_crate::crate_name(FACADE_PACKAGE).ok()))
}

/// The root for what `proc-macro-crate` found in the `Cargo.toml` of the crate being
/// compiled.
fn root_for(found: Option<FoundCrate>) -> Path {
    let facade_package_ident = FACADE_PACKAGE.replace('-', "_");
    match found {
        // The facade package itself: its examples and doctests link its library as
        // `autodiff`, and its library reaches itself as `::autodiff` through
        // `extern crate self as autodiff`.
        Some(FoundCrate::Itself) => default_root(),
        // `proc-macro-crate` spells an un-renamed dependency by its package name, and the
        // facade's own integration tests and benches the same way; both link the library
        // under its library name, `autodiff`.
        Some(FoundCrate::Name(name)) if name == facade_package_ident => default_root(),
        // A renamed dependency, `ad = { package = "static-autodiff", .. }`.
        Some(FoundCrate::Name(name)) => match syn::parse_str::<Ident>(&name) {
            Ok(ident) => syn::parse_quote!(::#ident),
            Err(_) => default_root(),
        },
        // No dependency on the facade (a crate using autodiff-core and autodiff-macros
        // directly, or a manifest that cannot be read): the conventional name.
        None => default_root(),
    }
}

/// `::autodiff`, the root the stages write.
fn default_root() -> Path {
    let lib = Ident::new(FACADE_LIB, Span::call_site());
    syn::parse_quote!(::#lib)
}

/// Replaces the `::autodiff` that starts a path with `root`, everywhere in `tokens`,
/// groups included. The replacement carries the span of the `autodiff` it replaces.
pub fn rewrite(tokens: TokenStream, root: &Path) -> TokenStream {
    let root = root.to_token_stream();
    if root.to_string() == default_root().to_token_stream().to_string() {
        return tokens;
    }
    rewrite_stream(tokens, &root)
}

fn rewrite_stream(tokens: TokenStream, root: &TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some(span) = runtime_root_at(&trees, i) {
            out.extend(respan(root.clone(), span));
            i += 3;
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(group) => {
                let mut rewritten =
                    Group::new(group.delimiter(), rewrite_stream(group.stream(), root));
                rewritten.set_span(group.span());
                TokenTree::Group(rewritten)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// If `trees[i..i + 3]` is `:: autodiff` at the start of a path, the span of `autodiff`.
fn runtime_root_at(trees: &[TokenTree], i: usize) -> Option<Span> {
    let [first, second, TokenTree::Ident(name)] = trees.get(i..i + 3)? else {
        return None;
    };
    let is_path_sep = matches!(first, TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(second, ':');
    (is_path_sep && name == FACADE_LIB && starts_path(trees, i)).then(|| name.span())
}

/// Whether the `::` at `trees[i]` starts a path, judged by the token before it: after an
/// identifier or a closing `>` it continues one (`a::autodiff`, `<T>::autodiff`).
fn starts_path(trees: &[TokenTree], i: usize) -> bool {
    let Some(before) = i.checked_sub(1).map(|j| &trees[j]) else {
        return true;
    };
    let before_that = i.checked_sub(2).map(|j| &trees[j]);
    match before {
        TokenTree::Ident(ident) => {
            let is_lifetime = before_that.is_some_and(|t| is_punct(t, '\''));
            is_lifetime || KEYWORDS_BEFORE_PATH.contains(&ident.to_string().as_str())
        }
        // `->` and `=>` end with `>` but do not close generics.
        TokenTree::Punct(p) if p.as_char() == '>' => before_that.is_some_and(|t| {
            matches!(t, TokenTree::Punct(q) if (q.as_char() == '-' || q.as_char() == '=') && q.spacing() == Spacing::Joint)
        }),
        // The first half of another `::`: not a path either way; leave it.
        TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint => false,
        // Any other punctuation, a literal, or a group (`#[attr]`, `{ .. }`) ends what
        // came before.
        TokenTree::Punct(_) | TokenTree::Literal(_) | TokenTree::Group(_) => true,
    }
}

/// `tokens` with every span set to `span`, inside groups too.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                tree = TokenTree::Group(respanned);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

fn is_punct(tree: &TokenTree, c: char) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == c)
}

/// `=` on its own, not the start of `==` or `=>`.
fn is_lone_punct(tree: &TokenTree, c: char) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == c && p.spacing() == Spacing::Alone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Delimiter;

    fn root(path: &str) -> Path {
        syn::parse_str(path).expect("a path")
    }

    fn rewritten(tokens: TokenStream, to: &str) -> String {
        rewrite(tokens, &root(to)).to_string()
    }

    #[test]
    fn rewrites_paths_that_start_with_the_runtime() {
        let tokens = quote! {
            fn f_graph() -> ::autodiff::Graph {
                use ::autodiff::__private::ops as __ad_ops;
                let t = ::autodiff::__private::Tape::new();
                <_ as ::autodiff::__private::ops::Exp>::exp(x);
                <f64 as ::autodiff::Real>::from_f64(1.0);
                let r: &'a ::autodiff::Tensor<f64, 3> = y;
                #[inline] ::autodiff::f();
                match x { _ => ::autodiff::g() }
                Vec::<::autodiff::Tensor<f64, 2>>::new();
                impl ::autodiff::Trait for X {}
                [::autodiff::A, ::autodiff::B]
            }
        };
        let expected = quote! {
            fn f_graph() -> ::ad::Graph {
                use ::ad::__private::ops as __ad_ops;
                let t = ::ad::__private::Tape::new();
                <_ as ::ad::__private::ops::Exp>::exp(x);
                <f64 as ::ad::Real>::from_f64(1.0);
                let r: &'a ::ad::Tensor<f64, 3> = y;
                #[inline] ::ad::f();
                match x { _ => ::ad::g() }
                Vec::<::ad::Tensor<f64, 2>>::new();
                impl ::ad::Trait for X {}
                [::ad::A, ::ad::B]
            }
        };
        assert_eq!(rewritten(tokens, "::ad"), expected.to_string());
    }

    #[test]
    fn leaves_paths_that_only_contain_the_name() {
        let tokens = quote! {
            my::autodiff::X; <T as Tr>::autodiff; Vec::<u8>::autodiff; self::autodiff::Y;
            crate::autodiff::Z; ::autodiff_core::W; ::autodiffs::V; autodiff::U; x.autodiff;
            r#autodiff::T;
        };
        assert_eq!(rewritten(tokens.clone(), "::ad"), tokens.to_string());
    }

    #[test]
    fn the_default_root_changes_nothing() {
        let tokens = quote!(let x = ::autodiff::Tensor::zeros(););
        assert_eq!(rewritten(tokens.clone(), "::autodiff"), tokens.to_string());
    }

    #[test]
    fn a_longer_or_relative_root_replaces_the_leading_segment_only() {
        let tokens = quote!(::autodiff::Pullback::new(f));
        assert_eq!(
            rewritten(tokens.clone(), "::outer::reexport::autodiff"),
            quote!(::outer::reexport::autodiff::Pullback::new(f)).to_string()
        );
        assert_eq!(
            rewritten(tokens, "crate::rt"),
            quote!(crate::rt::Pullback::new(f)).to_string()
        );
    }

    #[test]
    fn groups_keep_their_delimiters() {
        let tokens = quote!({ (::autodiff::a)[::autodiff::b] });
        let out = rewrite(tokens, &root("::ad"));
        let Some(TokenTree::Group(brace)) = out.clone().into_iter().next() else {
            panic!("a group: {out}");
        };
        assert_eq!(brace.delimiter(), Delimiter::Brace);
        let inner: Vec<_> = brace.stream().into_iter().collect();
        assert!(
            matches!(&inner[0], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
        );
        assert!(matches!(&inner[1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket));
        assert_eq!(out.to_string(), quote!({ (::ad::a)[::ad::b] }).to_string());
    }

    fn split(args: TokenStream) -> (Option<String>, String, usize) {
        let mut errors = Errors::default();
        let (root, rest) = split_crate_arg(args, &mut errors);
        let root = root.map(|p| p.to_token_stream().to_string());
        (root, rest.to_string(), errors.len())
    }

    #[test]
    fn splits_the_crate_argument_off_wherever_it_is() {
        assert_eq!(
            split(quote!(wrt(a, b), crate = ::ad)),
            (Some(":: ad".into()), quote!(wrt(a, b)).to_string(), 0)
        );
        assert_eq!(
            split(quote!(crate = "::x::y", wrt(a))),
            (Some(":: x :: y".into()), quote!(wrt(a)).to_string(), 0)
        );
        assert_eq!(
            split(quote!(softplus_vjp, crate = ad, jvp = rule)),
            (
                Some("ad".into()),
                quote!(softplus_vjp, jvp = rule).to_string(),
                0
            )
        );
        assert_eq!(
            split(quote!(crate = crate::reexport::rt)),
            (Some("crate :: reexport :: rt".into()), String::new(), 0)
        );
    }

    #[test]
    fn other_arguments_pass_through_untouched() {
        for args in [
            quote!(),
            quote!(wrt(x)),
            quote!(rule::<f64, 3>),
            quote!(wrt(crate)),
            quote!(crate == x),
            quote!(unknown = 1),
        ] {
            assert_eq!(split(args.clone()), (None, args.to_string(), 0));
        }
    }

    #[test]
    fn a_malformed_or_repeated_crate_argument_is_an_error() {
        let (root, rest, errors) = split(quote!(crate = , wrt(x)));
        assert_eq!((root, rest, errors), (None, quote!(wrt(x)).to_string(), 1));
        assert_eq!(split(quote!(crate = 1)).2, 1);
        assert_eq!(split(quote!(crate = "not a path!")).2, 1);
        let (root, rest, errors) = split(quote!(crate = a, crate = b));
        assert_eq!((root, rest, errors), (Some("a".into()), String::new(), 1));
    }

    #[test]
    fn finds_the_facade_under_the_name_cargo_gives_it() {
        let name = |n: &str| {
            root_for(Some(FoundCrate::Name(n.to_owned())))
                .to_token_stream()
                .to_string()
        };
        assert_eq!(name("ad"), ":: ad");
        assert_eq!(name("my_autodiff"), ":: my_autodiff");
        // Not renamed, or the facade's own integration tests: its library name.
        assert_eq!(name("static_autodiff"), ":: autodiff");
        // Not a Rust identifier: the conventional name rather than a panic.
        assert_eq!(name("not an ident"), ":: autodiff");
        let itself = root_for(Some(FoundCrate::Itself))
            .to_token_stream()
            .to_string();
        assert_eq!(itself, ":: autodiff");
        assert_eq!(root_for(None).to_token_stream().to_string(), ":: autodiff");
    }
}
