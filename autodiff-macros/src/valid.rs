//! The fence: checks the signature and rejects every construct the macro does not
//! support, each with one error spanned on the construct that says what to write instead.
//!
//! Output: a `Signature` describing the parameters (which are differentiated, which are
//! taken by reference) and the element type of a generic function, or errors. After this
//! stage the body contains no closure but the argument of `map`, no `match`, `unsafe`, `loop`, `break`, `continue`,
//! `?`, `async`, `.await`, nested item or macro other than `tensor!`.

use crate::args::Args;
use crate::errors::Errors;
use syn::visit::Visit;
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type, TypeParamBound};

/// A parameter of the user's function.
#[derive(Clone)]
pub struct Param {
    pub ident: Ident,
    /// The type as written (`&Tensor<f64, 3>` or `Tensor<f64, 3>`).
    pub ty: Type,
    /// The type of its gradient: `ty` without the reference.
    pub grad_ty: Type,
    pub by_ref: bool,
    /// Declared `mut x: ..`.
    pub mutable: bool,
    /// Whether its gradient is computed.
    pub wrt: bool,
}

/// What the later stages need to know about the signature.
#[derive(Clone)]
pub struct Signature {
    pub params: Vec<Param>,
    /// The generic element type (`T` of `T: Real`), whose float literals the body rewrites.
    pub elem_ty: Option<Ident>,
    pub output_ty: Type,
    /// A method: `self` is never differentiated.
    pub has_receiver: bool,
    /// An item of an `impl` block (a method, or an associated function).
    pub in_impl: bool,
    /// The hidden twins are sibling items `__ad_full_vjp_f` rather than methods of a
    /// struct named `f`: in an impl, and where the module has another item named `f`.
    pub sibling: bool,
    /// Where the function sits (see `context`).
    pub context: crate::context::Context,
}

impl Signature {
    pub fn validate(item: &ItemFn, args: &Args, errors: &mut Errors) -> Option<Signature> {
        let sig = &item.sig;
        let fn_name = &sig.ident;
        if let Some(token) = &sig.constness {
            errors.push(
                token,
                "#[differentiable] does not support `const fn`; remove `const`",
            );
        }
        if let Some(token) = &sig.asyncness {
            errors.push(
                token,
                "#[differentiable] does not support `async fn`; differentiate a plain function and call it from async code",
            );
        }
        if let Some(token) = &sig.unsafety {
            errors.push(
                token,
                "#[differentiable] does not support `unsafe fn`; differentiable bodies are safe code",
            );
        }
        if let Some(abi) = &sig.abi {
            errors.push(
                abi,
                "#[differentiable] does not support `extern` functions; wrap the differentiable Rust function in one instead",
            );
        }
        if let Some(variadic) = &sig.variadic {
            errors.push(
                variadic,
                "#[differentiable] does not support variadic functions",
            );
        }
        let output_ty = match &sig.output {
            ReturnType::Type(_, ty) => {
                if let Type::ImplTrait(_) = **ty {
                    errors.push(
                        ty,
                        "a #[differentiable] function must name its output type (a tensor or a float), not `impl Trait`",
                    );
                }
                Some((**ty).clone())
            }
            ReturnType::Default => {
                errors.push(
                    fn_name,
                    format!(
                        "`{fn_name}` returns nothing to differentiate; a #[differentiable] function returns a tensor or a float"
                    ),
                );
                None
            }
        };

        let mut has_receiver = false;
        let mut params = Vec::new();
        for input in &sig.inputs {
            let attrs = match input {
                FnArg::Receiver(r) => &r.attrs,
                FnArg::Typed(t) => &t.attrs,
            };
            if let Some(attr) = attrs.iter().find(|a| !is_lint_attribute(a)) {
                errors.push(
                    attr,
                    "attributes on the parameters of a #[differentiable] function are not supported (`#[cfg]` would leave the generated functions with a parameter the body cannot see); remove it",
                );
            }
            match input {
                FnArg::Receiver(receiver) => {
                    has_receiver = true;
                    // `self` is differentiated like any parameter (its gradient has type
                    // `Self`) unless `wrt` leaves it out.
                    let by_ref = receiver.reference.is_some();
                    if let Some(m) = &receiver.mutability
                        && by_ref
                    {
                        errors.push(
                            m,
                            "a #[differentiable] method takes `self` or `&self`, not `&mut self`",
                        );
                    }
                    params.push(Param {
                        ident: Ident::new("self", receiver.self_token.span),
                        ty: if by_ref {
                            syn::parse_quote!(&Self)
                        } else {
                            syn::parse_quote!(Self)
                        },
                        grad_ty: syn::parse_quote!(Self),
                        by_ref,
                        mutable: receiver.mutability.is_some() && !by_ref,
                        wrt: args.wrt.is_none(),
                    });
                }
                FnArg::Typed(typed) => {
                    let (ident, mutable) = match &*typed.pat {
                        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                            (p.ident.clone(), p.mutability.is_some())
                        }
                        other => {
                            errors.push(
                                other,
                                "#[differentiable] parameters must be plain names (`x: Tensor<f64, 3>`); destructure inside the body instead",
                            );
                            continue;
                        }
                    };
                    let (grad_ty, by_ref) = match &*typed.ty {
                        Type::Reference(r) => {
                            if let Some(m) = &r.mutability {
                                errors.push(
                                    m,
                                    "a #[differentiable] function takes its inputs by value or by shared reference, not `&mut`",
                                );
                            }
                            // A slice's gradient is a `Vec` of its length.
                            let grad_ty = match &*r.elem {
                                Type::Slice(slice) => {
                                    let elem = &slice.elem;
                                    syn::parse_quote!(::std::vec::Vec<#elem>)
                                }
                                elem => elem.clone(),
                            };
                            (grad_ty, true)
                        }
                        ty => (ty.clone(), false),
                    };
                    params.push(Param {
                        ident,
                        ty: (*typed.ty).clone(),
                        grad_ty,
                        by_ref,
                        mutable,
                        wrt: args.wrt.is_none(),
                    });
                }
            }
        }

        if let Some(wrt) = &args.wrt {
            for (i, name) in wrt.iter().enumerate() {
                if wrt[..i].contains(name) {
                    errors.push(name, format!("`{name}` is named twice in `wrt`"));
                } else if name == "self" && !has_receiver {
                    errors.push(
                        name,
                        format!("`{fn_name}` has no `self` to differentiate; `wrt(self)` belongs on a method that takes `self` or `&self`"),
                    );
                } else if let Some(p) = params.iter_mut().find(|p| p.ident == *name) {
                    p.wrt = true;
                } else {
                    let names: Vec<String> = params.iter().map(|p| p.ident.to_string()).collect();
                    errors.push(
                        name,
                        format!(
                            "`{name}` is not a parameter of `{fn_name}`; `wrt` names parameters to differentiate ({})",
                            if names.is_empty() {
                                "it has none".to_string()
                            } else {
                                format!("one of: {}", names.join(", "))
                            }
                        ),
                    );
                }
            }
        }
        if params.is_empty() && errors.is_empty() {
            errors.push(
                fn_name,
                format!("`{fn_name}` has no parameter to differentiate"),
            );
        }
        for p in params.iter_mut().filter(|p| p.wrt) {
            if let Some(kind) = non_float_kind(&p.grad_ty) {
                // Treated as data from here on, so its uses raise no further errors.
                p.wrt = false;
                errors.push(
                    &p.ty,
                    format!(
                        "only floating-point tensors can require gradients, and `{}` is {kind}; leave it out of `#[differentiable(wrt(..))]`",
                        p.ident
                    ),
                );
            }
        }

        let elem_ty = element_type(item);
        Some(Signature {
            params,
            elem_ty,
            output_ty: output_ty?,
            has_receiver,
            in_impl: has_receiver,
            sibling: has_receiver,
            context: Default::default(),
        })
    }
}

impl Signature {
    /// The type of the gradients: the one differentiated parameter's, or a tuple.
    pub fn grads_ty(&self) -> proc_macro2::TokenStream {
        let tys: Vec<&Type> = self
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| &p.grad_ty)
            .collect();
        match tys.as_slice() {
            [one] => quote::quote!(#one),
            many => quote::quote!((#(#many),*)),
        }
    }

    /// The type of `full_vjp`'s gradients: a tuple with an entry per parameter, `()` for
    /// those not differentiated.
    pub fn every_grad_ty(&self) -> proc_macro2::TokenStream {
        let tys = self.params.iter().map(|p| match p.wrt {
            true => quote::ToTokens::to_token_stream(&p.grad_ty),
            false => quote::quote!(()),
        });
        quote::quote!((#(#tys,)*))
    }

    /// The same signature differentiating every parameter that is a float or a tensor:
    /// what a caller may pass differentiated values into, whatever this function's `wrt`.
    pub fn with_every_float_differentiated(&self) -> Signature {
        let mut full = self.clone();
        // Floats and tensors only: a slice, `Vec` or struct parameter keeps the function's
        // own `wrt` (by default, differentiated), so data passed in one stays data.
        for p in &mut full.params {
            p.wrt |= is_float_or_tensor(&p.grad_ty, self.elem_ty.as_ref());
        }
        full
    }
}

/// `f32`, `f64`, the generic element type or a `Tensor`.
fn is_float_or_tensor(ty: &Type, elem_ty: Option<&Ident>) -> bool {
    matches!(ty, Type::Path(_)) && !is_container(ty) && is_floating(ty, elem_ty)
}

fn is_container(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return true };
    path.path.segments.last().is_some_and(|s| s.ident == "Vec")
}

/// `f32`, `f64`, the generic element type, a `Tensor`, or a slice, array, tuple or `Vec`
/// of those.
fn is_floating(ty: &Type, elem_ty: Option<&Ident>) -> bool {
    let path = match ty {
        Type::Slice(s) => return is_floating(&s.elem, elem_ty),
        Type::Array(a) => return is_floating(&a.elem, elem_ty),
        Type::Reference(r) => return is_floating(&r.elem, elem_ty),
        Type::Paren(p) => return is_floating(&p.elem, elem_ty),
        Type::Tuple(t) => {
            return !t.elems.is_empty() && t.elems.iter().all(|e| is_floating(e, elem_ty));
        }
        Type::Path(path) => path,
        _ => return false,
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "Vec"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(elem)) = args.args.first()
    {
        return is_floating(elem, elem_ty);
    }
    last.ident == "f32"
        || last.ident == "f64"
        || last.ident == "Tensor"
        || elem_ty.is_some_and(|elem| path.path.is_ident(elem))
}

/// Recognises types that are certainly not floating point, to report them at the
/// parameter instead of through a trait error.
fn non_float_kind(ty: &Type) -> Option<&'static str> {
    const INTEGERS: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    let Type::Path(path) = ty else {
        // Containers are differentiable when what they hold is.
        return match ty {
            Type::Slice(s) => non_float_kind(&s.elem),
            Type::Array(a) => non_float_kind(&a.elem),
            Type::Reference(r) => non_float_kind(&r.elem),
            Type::Tuple(t) => t.elems.iter().find_map(non_float_kind),
            _ => None,
        };
    };
    let last = path.path.segments.last()?;
    let name = last.ident.to_string();
    if name == "Vec"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(elem)) = args.args.first()
    {
        return non_float_kind(elem);
    }
    if INTEGERS.contains(&name.as_str()) {
        return Some("an integer");
    }
    if name == "bool" || name == "char" || name == "str" || name == "String" {
        return Some("not a number");
    }
    if name == "Tensor"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(Type::Path(elem))) = args.args.first()
        && (elem.path.is_ident("bool") || INTEGERS.iter().any(|int| elem.path.is_ident(int)))
    {
        return Some("an integer tensor");
    }
    None
}

/// The type parameter bounded by `Real` (`T: Real`, `T: autodiff::Real`), if any.
fn element_type(item: &ItemFn) -> Option<Ident> {
    element_type_of(&item.sig.generics)
}

/// `element_type` of any generics (a function's, an impl block's).
pub fn element_type_of(generics: &syn::Generics) -> Option<Ident> {
    let is_real = |bound: &TypeParamBound| match bound {
        TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Real"),
        _ => false,
    };
    for param in &generics.params {
        if let GenericParam::Type(t) = param
            && t.bounds.iter().any(is_real)
        {
            return Some(t.ident.clone());
        }
    }
    let where_clause = generics.where_clause.as_ref()?;
    for predicate in &where_clause.predicates {
        if let syn::WherePredicate::Type(p) = predicate
            && let Type::Path(ty) = &p.bounded_ty
            && let Some(ident) = ty.path.get_ident()
            && p.bounds.iter().any(is_real)
        {
            return Some(ident.clone());
        }
    }
    None
}

/// Rejects the constructs no body may contain, wherever they are. A `return` is only
/// allowed as the body's last statement.
pub fn fence(body: &syn::Block, errors: &mut Errors) {
    let tokens = stacker::maybe_grow(crate::lower::RED_ZONE, crate::lower::STACK_GROWTH, || {
        quote::ToTokens::to_token_stream(body)
    });
    if let Some(deep) = too_deep(tokens, 0) {
        // Deeper nesting than this would overflow the compiler's stack in the stages'
        // recursion; the plain function is unaffected.
        errors.push_error(syn::Error::new(
            deep,
            format!(
                "expression nested too deeply for #[differentiable] (more than {MAX_NESTING} levels of brackets); bind parts of it with `let` first"
            ),
        ));
        return;
    }
    let mut fence = Fence { errors };
    for (i, stmt) in body.stmts.iter().enumerate() {
        match stmt {
            syn::Stmt::Expr(syn::Expr::Return(ret), _) if i + 1 == body.stmts.len() => {
                if let Some(value) = &ret.expr {
                    fence.visit_expr(value);
                }
            }
            _ => fence.visit_stmt(stmt),
        }
    }
}

/// Rejects calls of the function by itself (`name(..)`, `Self::name(..)`,
/// `self.name(..)`): its derivatives would call their own, and each generated function's
/// type would contain itself, which rustc reports as an overflow on the attribute.
pub fn no_recursion(item: &syn::ItemFn, errors: &mut Errors) {
    struct Finder<'a> {
        name: &'a syn::Ident,
        calls: Vec<proc_macro2::TokenStream>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let syn::Expr::Path(path) = &*call.func {
                let segments = &path.path.segments;
                let own = match segments.len() {
                    1 => true,
                    2 => segments[0].ident == "Self",
                    _ => false,
                };
                if own && segments.last().is_some_and(|s| s.ident == *self.name) {
                    self.calls
                        .push(quote::ToTokens::to_token_stream(&call.func));
                }
            }
            syn::visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if call.method == *self.name
                && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"))
            {
                self.calls
                    .push(quote::ToTokens::to_token_stream(&call.method));
            }
            syn::visit::visit_expr_method_call(self, call);
        }
        // An item inside the body is another function.
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder {
        name: &item.sig.ident,
        calls: Vec::new(),
    };
    finder.visit_block(&item.block);
    let name = syn::ext::IdentExt::unraw(&item.sig.ident);
    for call in finder.calls {
        errors.push(
            call,
            format!("`{name}` calls itself, and a #[differentiable] function cannot be recursive (its derivatives would be types containing themselves); write the recursion as a loop"),
        );
    }
}

/// How deeply brackets may nest in a body.
pub const MAX_NESTING: usize = 200;

/// The span of a group nested more than `MAX_NESTING` deep, if any (the recursion is
/// itself bounded by `MAX_NESTING`).
fn too_deep(tokens: proc_macro2::TokenStream, depth: usize) -> Option<proc_macro2::Span> {
    for tree in tokens {
        if let proc_macro2::TokenTree::Group(group) = tree {
            if depth >= MAX_NESTING {
                return Some(group.span());
            }
            if let Some(span) = too_deep(group.stream(), depth + 1) {
                return Some(span);
            }
        }
    }
    None
}

/// Attributes a body statement may carry: lint levels, accepted (the generated code does
/// not copy them onto its statements; on the function they take effect). Every other
/// attribute is reported, never dropped silently.
fn is_lint_attribute(attr: &syn::Attribute) -> bool {
    ["allow", "warn", "deny", "expect", "forbid"]
        .iter()
        .any(|lint| attr.path().is_ident(lint))
}

fn check_statement_attributes(attrs: &[syn::Attribute], loop_statement: bool, errors: &mut Errors) {
    for attr in attrs {
        if is_lint_attribute(attr) {
            continue;
        }
        let message = if attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr") {
            "`#[cfg]` on a statement in a #[differentiable] body is not supported (the statement would be compiled in regardless); move the conditional code into a function of its own with `#[cfg]` on it"
        } else if attr.path().is_ident("checkpoint") {
            if loop_statement {
                continue;
            }
            "`#[checkpoint]` belongs on a `for` or `while` loop"
        } else {
            "this attribute is not supported on a statement in a #[differentiable] body; only lint attributes (`#[allow(..)]`, ...) are accepted there; put a lint attribute that must take effect on the function"
        };
        errors.push(attr, message);
    }
}

/// Whether the fence reports `expr` itself, so later stages skip it silently.
pub fn is_fenced(expr: &syn::Expr) -> bool {
    use syn::Expr;
    match expr {
        Expr::Macro(m) => !is_tensor_macro(&m.mac),
        _ => fence_message(expr).is_some(),
    }
}

/// `tensor![..]` and `vec![..]`, the macros a body may use to build values.
fn is_tensor_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "tensor" || s.ident == "vec")
}

fn fence_message(expr: &syn::Expr) -> Option<&'static str> {
    use syn::Expr;
    let message = match expr {
        Expr::Closure(_) => {
            "closures are not supported in a #[differentiable] body; write the computation inline or as another #[differentiable] function"
        }
        Expr::Match(_) => {
            "`match` is not supported in a #[differentiable] body; use `if`/`else` on a condition that carries no gradient"
        }
        Expr::Unsafe(_) => "`unsafe` blocks are not allowed in a #[differentiable] body",
        Expr::Loop(_) => {
            "`loop` is not supported in a #[differentiable] body; use `for` over a range or `while` with a condition"
        }
        Expr::Break(_) => {
            "`break` is not supported in a #[differentiable] body; put the exit condition in a `while` loop's condition"
        }
        Expr::Continue(_) => {
            "`continue` is not supported in a #[differentiable] body; put the rest of the loop body in an `if`"
        }
        Expr::Try(_) => {
            "the `?` operator is not supported in a #[differentiable] body; compute fallible values before calling the function"
        }
        Expr::Async(_) => "`async` blocks are not supported in a #[differentiable] body",
        Expr::Await(_) => "`.await` is not supported in a #[differentiable] body",
        Expr::TryBlock(_) => "`try` blocks are not supported in a #[differentiable] body",
        Expr::Yield(_) => "`yield` is not supported in a #[differentiable] body",
        Expr::Const(_) => {
            "inline `const` blocks are not supported in a #[differentiable] body; declare a `const` item outside the function"
        }
        Expr::Let(_) => {
            "`let` conditions (`if let`, `while let`) are not supported in a #[differentiable] body; test a plain condition"
        }
        Expr::Return(_) => {
            "this `return` is not supported in a #[differentiable] body: only a final `return` and guard clauses at the top of the body (`if c { ..; return a; }` followed by the rest) are; compute the result and return it at the end"
        }
        Expr::Macro(_) => {
            "macros other than `tensor!` and `vec!` are not supported in a #[differentiable] body; compute the value outside the function or with the supported operations"
        }
        _ => return None,
    };
    Some(message)
}

/// The same for an expression the macro parsed out of a `tensor!` invocation.
pub fn fence_expr(expr: &syn::Expr, errors: &mut Errors) {
    Fence { errors }.visit_expr(expr);
}

struct Fence<'a> {
    errors: &'a mut Errors,
}

/// The outer attributes of the statement-level expressions that can carry them.
fn expr_attrs(expr: &syn::Expr) -> &[syn::Attribute] {
    use syn::Expr;
    match expr {
        Expr::ForLoop(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Assign(e) => &e.attrs,
        Expr::Binary(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Path(e) => &e.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Fence<'_> {
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if is_fenced(expr) {
            let message = fence_message(expr).expect("fenced expressions have a message");
            self.errors.push(expr, message);
        } else {
            stacker::maybe_grow(crate::lower::RED_ZONE, crate::lower::STACK_GROWTH, || {
                syn::visit::visit_expr(self, expr)
            });
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `x.map(|v| ..)`: the one closure a body may hold; its body is fenced like the
        // rest (lowering checks that it is elementwise).
        if let (true, [syn::Expr::Closure(closure)]) = (
            call.method == crate::prim::MAP,
            call.args.iter().collect::<Vec<_>>().as_slice(),
        ) {
            self.visit_expr(&call.receiver);
            self.visit_expr(&closure.body);
            return;
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let attrs: &[syn::Attribute] = match stmt {
            syn::Stmt::Local(local) => &local.attrs,
            syn::Stmt::Macro(m) => &m.attrs,
            syn::Stmt::Expr(e, _) => expr_attrs(e),
            syn::Stmt::Item(_) => &[],
        };
        let loop_statement = matches!(
            stmt,
            syn::Stmt::Expr(syn::Expr::ForLoop(_) | syn::Expr::While(_), _)
        );
        check_statement_attributes(attrs, loop_statement, self.errors);
        match stmt {
            syn::Stmt::Item(item) => self.errors.push(
                item,
                "items (fn, struct, use, const, ...) cannot be declared inside a #[differentiable] body; move them outside the function",
            ),
            syn::Stmt::Macro(m) if !is_tensor_macro(&m.mac) => {
                let message = fence_message(&syn::Expr::Macro(syn::ExprMacro {
                    attrs: Vec::new(),
                    mac: m.mac.clone(),
                }));
                self.errors.push(&m.mac, message.expect("macros have a message"));
            }
            syn::Stmt::Local(local) if local.init.as_ref().is_some_and(|i| i.diverge.is_some()) => {
                self.errors.push(
                    local,
                    "`let ... else` is not supported in a #[differentiable] body",
                )
            }
            _ => syn::visit::visit_stmt(self, stmt),
        }
    }
}
