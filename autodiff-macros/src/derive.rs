//! `#[derive(Differentiable)]`: the runtime trait `autodiff::Differentiable` for a struct
//! with named fields or a tuple struct, one line per field.
//!
//! Output: an `impl ::autodiff::Differentiable` whose three required methods call the
//! field types' own, in declaration order, skipping `#[no_grad]` fields (which `zero_like`
//! clones). Calls are spanned on each field's type, so a field type that is not
//! differentiable is reported there, with the trait's own message. On a misuse (an enum, a
//! union, a malformed `#[no_grad]`) it emits every error found and a stub impl with the
//! same signature, so the user sees those errors and not a cascade at every use.

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use std::collections::BTreeSet;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Attribute, Data, DeriveInput, Generics, Ident, Member, Type, WherePredicate};

pub fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let fields = validate(&input, &mut errors);
    match fields {
        Some(fields) if errors.is_empty() => emit(&input, &fields),
        _ => {
            let compile_errors = errors.to_compile_errors();
            let stub = stub(&input);
            quote!(#compile_errors #stub)
        }
    }
}

/// A field as the impl sees it.
struct Field<'a> {
    member: Member,
    ty: &'a Type,
    no_grad: bool,
}

/// The struct's fields, or `None` for an enum or a union; every misuse goes to `errors`.
fn validate<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<Vec<Field<'a>>> {
    for attr in no_grad_attrs(&input.attrs) {
        errors.push(
            attr,
            "#[no_grad] belongs on a field: it marks that field as data, cloned into gradients",
        );
    }
    let ident = &input.ident;
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            let enum_token = data.enum_token;
            errors.push(
                quote!(#enum_token #ident),
                "an enum cannot derive `Differentiable`: a gradient has its value's own type and shape, \
                 which a variant chosen at run time does not fix; use a struct, with the variant's tag \
                 as a `#[no_grad]` field",
            );
            for variant in &data.variants {
                for attr in no_grad_attrs(&variant.attrs) {
                    errors.push(attr, "#[no_grad] belongs on a field of a struct");
                }
            }
            return None;
        }
        Data::Union(data) => {
            let union_token = data.union_token;
            errors.push(
                quote!(#union_token #ident),
                "a union cannot derive `Differentiable`: its fields share storage, so none can hold \
                 a gradient of its own; use a struct",
            );
            return None;
        }
    };
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let mut no_grad = false;
            for attr in no_grad_attrs(&field.attrs) {
                no_grad = true;
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    errors.push(
                        attr,
                        "#[no_grad] takes no arguments: write `#[no_grad]` above the field",
                    );
                }
            }
            let member = match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(syn::Index {
                    index: i as u32,
                    span: field.ty.span(),
                }),
            };
            Field {
                member,
                ty: &field.ty,
                no_grad,
            }
        })
        .collect();
    Some(fields)
}

fn no_grad_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("no_grad"))
}

fn emit(input: &DeriveInput, fields: &[Field]) -> TokenStream {
    let name = &input.ident;
    let generics = with_bounds(&input.generics, fields);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let zero_fields = fields.iter().map(|field| {
        let (member, ty) = (&field.member, field.ty);
        let value = if field.no_grad {
            quote_spanned!(ty.span()=> ::core::clone::Clone::clone(&self.#member))
        } else {
            quote_spanned!(ty.span()=> <#ty as ::autodiff::Differentiable>::zero_like(&self.#member))
        };
        quote!(#member: #value)
    });
    // `Self { w: .., k: .. }` moved out field by field: the differentiated ones pass
    // `without_data` on, the `#[no_grad]` ones become zero where they are numbers.
    let without_data_fields = fields.iter().map(|field| {
        let (member, ty) = (&field.member, field.ty);
        let value = if field.no_grad {
            quote_spanned! {ty.span()=> {
                #[allow(unused_imports)]
                use ::autodiff::__private::{CloneDataField as _, ZeroDataField as _};
                (&&::autodiff::__private::NoGradField(&self.#member)).data_tangent()
            }}
        } else {
            quote_spanned!(ty.span()=> <#ty as ::autodiff::Differentiable>::without_data(self.#member))
        };
        quote!(#member: #value)
    });
    let active: Vec<_> = fields.iter().filter(|field| !field.no_grad).collect();
    let updates = active.iter().map(|field| {
        let (member, ty) = (&field.member, field.ty);
        quote_spanned! {ty.span()=>
            <#ty as ::autodiff::Differentiable>::zip_update(
                &mut self.#member,
                __autodiff_others.map(|__autodiff_other| &__autodiff_other.#member),
                __autodiff_f,
            );
        }
    });
    let visits = active.iter().map(|field| {
        let (member, ty) = (&field.member, field.ty);
        quote_spanned! {ty.span()=>
            <#ty as ::autodiff::Differentiable>::zip_visit(
                __autodiff_values.map(|__autodiff_value| &__autodiff_value.#member),
                __autodiff_f,
            );
        }
    });
    let (update_sig, visit_sig) = signatures();
    let own_no_grad = fields.iter().any(|field| field.no_grad);
    let parts_no_grad = active.iter().map(|field| {
        let ty = field.ty;
        quote_spanned!(ty.span()=> || <#ty as ::autodiff::Differentiable>::HAS_NO_GRAD_FIELDS)
    });
    // `Self { 0: .., 1: .. }` is valid for tuple structs too, so one form serves both.
    quote! {
        #[automatically_derived]
        impl #impl_generics ::autodiff::Differentiable for #name #ty_generics #where_clause {
            const HAS_NO_GRAD_FIELDS: bool = #own_no_grad #(#parts_no_grad)*;

            #[inline]
            fn zero_like(&self) -> Self {
                Self { #(#zero_fields,)* }
            }

            #[inline]
            fn without_data(self) -> Self {
                Self { #(#without_data_fields,)* }
            }

            #[inline]
            #update_sig {
                #(#updates)*
            }

            #[inline]
            #visit_sig {
                #(#visits)*
            }
        }
    }
}

/// The two generic methods' signatures, shared by the impl and the stub. Generic names
/// carry the reserved prefix so they cannot clash with the struct's own parameters.
fn signatures() -> (TokenStream, TokenStream) {
    let update = quote! {
        fn zip_update<const __AUTODIFF_K: ::core::primitive::usize>(
            &mut self,
            __autodiff_others: [&Self; __AUTODIFF_K],
            __autodiff_f: &mut impl ::autodiff::CoordUpdate<__AUTODIFF_K>,
        )
    };
    let visit = quote! {
        fn zip_visit<const __AUTODIFF_K: ::core::primitive::usize>(
            __autodiff_values: [&Self; __AUTODIFF_K],
            __autodiff_f: &mut impl ::core::ops::FnMut([::core::primitive::f64; __AUTODIFF_K]),
        )
    };
    (update, visit)
}

/// The struct's generics plus what the impl needs of them, as serde adds bounds: every
/// type parameter is `Clone` (as `#[derive(Clone)]` requires), and each field type that
/// mentions a type parameter is `Differentiable` (or `Clone` for a `#[no_grad]` field).
/// Bounding field types rather than parameters lets `Tensor<T, 3>` with `T: Real` work
/// without asking `T` itself to be differentiable. Concrete field types get no bound: the
/// calls spanned on them report a wrong one.
fn with_bounds(generics: &Generics, fields: &[Field]) -> Generics {
    let params: BTreeSet<Ident> = generics
        .type_params()
        .map(|param| param.ident.clone())
        .collect();
    let mut generics = generics.clone();
    let mut predicates: Vec<WherePredicate> = params
        .iter()
        .map(|param| syn::parse_quote!(#param: ::core::clone::Clone))
        .collect();
    for field in fields {
        if !mentions_any(field.ty, &params) {
            continue;
        }
        let ty = field.ty;
        predicates.push(if field.no_grad {
            syn::parse_quote_spanned!(ty.span()=> #ty: ::core::clone::Clone)
        } else {
            syn::parse_quote_spanned!(ty.span()=> #ty: ::autodiff::Differentiable)
        });
    }
    generics.make_where_clause().predicates.extend(predicates);
    generics
}

/// Whether `ty` names one of `params` (as `T`, `Vec<T>`, `T::Assoc`, ...).
fn mentions_any(ty: &Type, params: &BTreeSet<Ident>) -> bool {
    struct Finder<'a> {
        params: &'a BTreeSet<Ident>,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_path(&mut self, path: &'ast syn::TypePath) {
            if path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path
                    .path
                    .segments
                    .first()
                    .is_some_and(|segment| self.params.contains(&segment.ident))
            {
                self.found = true;
            }
            syn::visit::visit_type_path(self, path);
        }
    }
    if params.is_empty() {
        return false;
    }
    let mut finder = Finder {
        params,
        found: false,
    };
    finder.visit_type(ty);
    finder.found
}

/// An impl with the trait's signatures and no body to speak of, emitted next to the
/// errors so that uses of the type elsewhere do not each report a missing impl. It is
/// never run: the errors stop the build.
fn stub(input: &DeriveInput) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (update_sig, visit_sig) = signatures();
    let span = Span::call_site();
    let body = quote_spanned!(span=> { ::core::unreachable!() });
    let name = name.to_token_stream();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::autodiff::Differentiable for #name #ty_generics #where_clause {
            fn zero_like(&self) -> Self #body
            #[allow(unused_variables)]
            #update_sig #body
            #[allow(unused_variables)]
            #visit_sig #body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(input: &str) -> String {
        let tokens: TokenStream = input.parse().unwrap_or_default();
        expand(tokens).to_string()
    }

    #[test]
    fn named_fields_skip_no_grad_in_updates_and_clone_it_in_zeros() {
        let out = expand_str("struct M { w: Tensor<f64, 2>, #[no_grad] n: usize, b: f64 }");
        assert!(
            out.contains("impl :: autodiff :: Differentiable for M"),
            "{out}"
        );
        assert!(
            out.contains("n : :: core :: clone :: Clone :: clone (& self . n)"),
            "{out}"
        );
        assert_eq!(out.matches("zip_update (& mut self").count(), 2, "{out}");
        assert!(!out.contains("& mut self . n"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn tuple_structs_use_indices() {
        let out = expand_str("struct P(f64, #[no_grad] u8, Vec<f32>);");
        assert!(out.contains("0 : < f64 as"), "{out}");
        assert!(out.contains("& mut self . 2"), "{out}");
        assert!(!out.contains("& mut self . 1"), "{out}");
    }

    #[test]
    fn generic_field_types_are_bounded_and_concrete_ones_are_not() {
        let out = expand_str(
            "struct G<T: Real, X, M> { w: Tensor<T, 3>, xs: Vec<X>, #[no_grad] m: M, b: f64 }",
        );
        assert!(out.contains("T : :: core :: clone :: Clone"), "{out}");
        assert!(
            out.contains("Tensor < T , 3 > : :: autodiff :: Differentiable"),
            "{out}"
        );
        assert!(
            out.contains("Vec < X > : :: autodiff :: Differentiable"),
            "{out}"
        );
        assert!(out.contains("M : :: core :: clone :: Clone"), "{out}");
        assert!(!out.contains("f64 : :: autodiff"), "{out}");
    }

    #[test]
    fn misuses_are_errors_with_a_stub_and_never_panics() {
        for (input, message) in [
            ("enum E { A(f64), B }", "an enum cannot derive"),
            ("union U { a: f64, b: f32 }", "a union cannot derive"),
            ("#[no_grad] struct S { a: f64 }", "belongs on a field"),
            ("struct S { #[no_grad(x)] a: f64 }", "takes no arguments"),
            ("struct S { #[no_grad = 1] a: f64 }", "takes no arguments"),
        ] {
            let out = expand_str(input);
            assert!(out.contains("compile_error"), "{input}: {out}");
            assert!(out.contains(message), "{input}: {out}");
            assert!(out.contains("unreachable"), "{input}: {out}");
        }
        // Not an item at all, and a unit struct (no coordinates: allowed).
        assert!(expand_str("fn f() {}").contains("compile_error"));
        assert!(expand_str("struct Unit;").contains("Self { }"));
    }

    #[test]
    fn collects_every_error() {
        let out = expand_str("#[no_grad] struct S { #[no_grad(a)] a: f64, #[no_grad(b)] b: f64 }");
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    }
}
