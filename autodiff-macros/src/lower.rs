//! syn -> IR: lowers a body to A-normal form (`ir::Function`).
//!
//! Each user `let` becomes a numbered variable; shadowing and reassignment simply bind the
//! user's name to a new variable. An expression that mentions no differentiated value is
//! kept whole as Rust tokens (`Value::Inert`), with the user's names rewritten to the IR
//! variables they denote; everything else is split into primitives whose operands are
//! variables. Float literals of a body generic over its element type `T` become
//! `T` constants here.
//!
//! Output guarantees: see `ir`. Every construct this stage cannot lower is reported as a
//! spanned error; lowering then continues with a placeholder so later mistakes are found
//! in the same pass.

use crate::errors::Errors;
use crate::ir::{Carry, Function, Log, LoopKind, Phi, Proj, Stmt, Value, Var, VarId, var_ident};
use crate::prim::{self, Arg, Prim};
use crate::valid::Signature;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use std::collections::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Block, Expr, Ident, Pat, Token, UnOp};

/// An expression's span as syn's `Spanned` gives it (its first token's, joined with its
/// last where the compiler can), found by walking the tree's edges instead of turning the
/// whole subtree into tokens: O(depth) rather than O(size) per call, which keeps lowering
/// a deeply nested expression linear and its recursion shallow.
pub fn span_of(expr: &Expr) -> Span {
    let first = first_span(expr);
    first.join(last_span(expr)).unwrap_or(first)
}

fn first_span(mut e: &Expr) -> Span {
    loop {
        e = match e {
            Expr::Binary(b) => &b.left,
            Expr::MethodCall(m) => &m.receiver,
            Expr::Index(i) => &i.expr,
            Expr::Field(f) => &f.base,
            Expr::Cast(c) => &c.expr,
            Expr::Call(c) => &c.func,
            Expr::Try(t) => &t.expr,
            Expr::Assign(a) => &a.left,
            Expr::Range(syn::ExprRange {
                start: Some(start), ..
            }) => start,
            Expr::Paren(p) => return p.paren_token.span.open(),
            Expr::Unary(u) => return u.op.span(),
            Expr::Lit(l) => return l.lit.span(),
            Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                return p
                    .path
                    .leading_colon
                    .map(|c| c.spans[0])
                    .or_else(|| p.path.segments.first().map(|s| s.ident.span()))
                    .unwrap_or_else(Span::call_site);
            }
            other => return other.span(),
        };
    }
}

fn last_span(mut e: &Expr) -> Span {
    loop {
        e = match e {
            Expr::Binary(b) => &b.right,
            Expr::Unary(u) => &u.expr,
            Expr::Assign(a) => &a.right,
            Expr::Reference(r) => &r.expr,
            Expr::Cast(c) => return c.ty.span(),
            Expr::MethodCall(m) => return m.paren_token.span.close(),
            Expr::Call(c) => return c.paren_token.span.close(),
            Expr::Index(i) => return i.bracket_token.span.close(),
            Expr::Paren(p) => return p.paren_token.span.close(),
            Expr::Field(f) => return f.member.span(),
            Expr::Lit(l) => return l.lit.span(),
            Expr::Path(p) if p.qself.is_none() => {
                return p
                    .path
                    .segments
                    .last()
                    .map_or_else(Span::call_site, |s| s.ident.span());
            }
            other => return other.span(),
        };
    }
}

/// The stack left when a recursive stage grows it, and by how much (see `stacker`).
pub const RED_ZONE: usize = 256 * 1024;
pub const STACK_GROWTH: usize = 8 * 1024 * 1024;

/// Lowers `body` of a function with signature `sig`.
///
/// Which variables are places (tensors assigned element by element) is found while
/// lowering: the first element assignment of a differentiated value to a variable not yet
/// known as a place restarts lowering with that variable as one.
pub fn lower(sig: &Signature, body: &Block, errors: &mut Errors) -> Function {
    let mut body = body.clone();
    if let Some(elem) = &sig.elem_ty {
        LiteralRewriter { elem }.visit_block_mut(&mut body);
    }
    let mut places = HashSet::new();
    loop {
        let mark = errors.len();
        let (function, needed) = lower_with_places(sig, &body, errors, &places);
        let new: Vec<String> = needed.into_iter().filter(|n| !places.contains(n)).collect();
        if new.is_empty() {
            return function;
        }
        errors.truncate(mark);
        places.extend(new);
    }
}

fn lower_with_places(
    sig: &Signature,
    body: &Block,
    errors: &mut Errors,
    places: &HashSet<String>,
) -> (Function, Vec<String>) {
    let mut lowerer = Lowerer {
        vars: Vec::new(),
        stmts: Vec::new(),
        scopes: vec![HashMap::new()],
        elem_ty: sig.elem_ty.clone(),
        errors,
        next_loop: 0,
        places,
        needed_places: Vec::new(),
        varied_cache: HashMap::new(),
        ref_params: HashSet::new(),
        ref_data: HashSet::new(),
        data_refs: HashSet::new(),
        owned_sequences: HashSet::new(),
        numeric: HashSet::new(),
        assigned: HashSet::new(),
        closures: HashSet::new(),
        plain_functions: sig
            .context
            .functions
            .iter()
            .filter(|(_, annotated)| !**annotated)
            .map(|(name, _)| name.clone())
            .collect(),
    };
    for (index, param) in sig.params.iter().enumerate() {
        let var = lowerer.new_var(
            Some(param.ident.to_string()),
            param.ident.span(),
            param.wrt,
            param.mutable,
        );
        let deref = param.by_ref && param.wrt;
        if deref {
            lowerer.ref_params.insert(var);
        }
        if param.by_ref && !param.wrt {
            lowerer.data_refs.insert(var);
        }
        if !param.by_ref && !param.wrt && !param.mutable && is_sequence_type(&param.ty) {
            lowerer.owned_sequences.insert(var);
        }
        if is_numeric_type(&param.grad_ty, sig.elem_ty.as_ref()) {
            lowerer.numeric.insert(var);
        }
        lowerer.stmts.push(Stmt::Let {
            var,
            ty: None,
            value: Value::Param { index, deref },
        });
        lowerer.bind_name(&param.ident, var);
        if places.contains(&param.ident.to_string()) {
            // `mut y: Tensor<..>` assigned element by element: a place copied from it.
            let place = lowerer.new_place(Some(param.ident.to_string()), param.ident.span());
            if lowerer.numeric.contains(&var) {
                lowerer.numeric.insert(place);
            }
            lowerer.stmts.push(Stmt::Let {
                var: place,
                ty: None,
                value: Value::Copy(var),
            });
            lowerer.bind_name(&param.ident, place);
        }
    }
    let output = lowerer.lower_fn_body(body);
    let needed = std::mem::take(&mut lowerer.needed_places);
    for &var in &lowerer.numeric {
        lowerer.vars[var].numeric = true;
    }
    let function = Function {
        vars: lowerer.vars,
        stmts: lowerer.stmts,
        output,
    };
    (function, needed)
}

struct Lowerer<'e> {
    vars: Vec<Var>,
    stmts: Vec<Stmt>,
    /// User name -> the variable it denotes now, innermost scope last.
    scopes: Vec<HashMap<String, VarId>>,
    elem_ty: Option<Ident>,
    errors: &'e mut Errors,
    /// The next loop's number.
    next_loop: usize,
    /// User names that `let mut` binds as places.
    places: &'e HashSet<String>,
    /// Names found assigned element by element that are not places yet.
    needed_places: Vec<String>,
    /// `is_varied` of every subexpression of the statement being lowered, by address, so
    /// a deeply nested expression is scanned once, not once per level. Cleared whenever
    /// a name is bound (variedness depends on the scopes).
    varied_cache: HashMap<*const Expr, bool>,
    /// Variables bound to differentiated by-reference parameters (copies of the referent).
    ref_params: HashSet<VarId>,
    /// Data variables that hold references (`x` of `for x in data.iter()`): destructuring
    /// one binds references to its parts, as Rust's binding modes do.
    ref_data: HashSet<VarId>,
    /// Data parameters taken by reference (`x: &Tensor<f64, 3>`): an op reads the value
    /// behind one, as it does for a differentiated `&Tensor`, with no `*` to write.
    data_refs: HashSet<VarId>,
    /// Data that the function owns and never changes, holding a sequence (a `Vec<X>` or
    /// `[X; N]` parameter taken by value, a `let` of an array or `vec![..]`): a loop over
    /// `&data` indexes it, so a pullback keeps the sequence, not references into a local
    /// it outlives.
    owned_sequences: HashSet<VarId>,
    /// Variables known to be floats or tensors (parameters declared so, results of
    /// primitives): a method on them that is not an op is reported as such, not taken for
    /// a call of a `#[differentiable]` method.
    numeric: HashSet<VarId>,
    /// Values an assignment bound to a name, which was therefore mutable.
    assigned: HashSet<VarId>,
    /// Locals bound to a closure (which the fence reported).
    closures: HashSet<VarId>,
    /// Functions of the same module without `#[differentiable]` or `#[custom_vjp]`.
    plain_functions: HashSet<String>,
}

/// What introduces a loop.
#[derive(Clone, Copy)]
enum LoopHeader<'a> {
    For(&'a syn::ExprForLoop),
    While(&'a Expr, &'a [syn::Attribute]),
}

/// `SCALE`, `F_2`: a constant's name by Rust's conventions (at least one letter, no
/// lowercase).
fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_lowercase())
}

/// `0.0` with the suffix of `tokens` when they are one float literal (`0.5`, `2.0f64`).
fn literal_zero(tokens: &TokenStream) -> Option<TokenStream> {
    let mut trees = tokens.clone().into_iter();
    let (Some(proc_macro2::TokenTree::Literal(lit)), None) = (trees.next(), trees.next()) else {
        return None;
    };
    let text = lit.to_string();
    let suffix = ["f64", "f32"].into_iter().find(|s| text.ends_with(s));
    let digits = text.trim_end_matches(suffix.unwrap_or(""));
    let float = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.contains(['.', 'e', 'E'])
        && !digits.starts_with("0x")
        || suffix.is_some();
    float.then(|| {
        let zero = proc_macro2::Literal::f64_unsuffixed(0.0).to_string() + suffix.unwrap_or("");
        zero.parse().ok()
    })?
}

impl Lowerer<'_> {
    fn new_var(&mut self, name: Option<String>, span: Span, varied: bool, mutable: bool) -> VarId {
        self.vars.push(Var {
            name,
            span,
            varied,
            mutable,
            place: false,
            literal_zero: None,
            numeric: false,
        });
        self.vars.len() - 1
    }

    /// A place: always treated as differentiated, since any store may make it so.
    fn new_place(&mut self, name: Option<String>, span: Span) -> VarId {
        let var = self.new_var(name, span, true, true);
        self.vars[var].place = true;
        var
    }

    /// A part of a place, or the whole place with an empty path.
    fn load(&mut self, place: VarId, path: Vec<Proj>, span: Span) -> VarId {
        self.bind(Value::Load { place, path }, span, true)
    }

    /// Splits `m.layers[i].w` into its root expression and the steps into it, lowering
    /// each index (which must not depend on a differentiated value) to a data variable.
    /// `None` if an index is differentiated (an error is recorded).
    fn projections<'x>(&mut self, expr: &'x Expr) -> Option<(&'x Expr, Vec<Proj>)> {
        let mut steps = Vec::new();
        let mut base = expr;
        loop {
            match base {
                Expr::Index(i) => {
                    steps.push(Err(&*i.index));
                    base = &i.expr;
                }
                Expr::Field(f) => {
                    steps.push(Ok(f.member.clone()));
                    base = &f.base;
                }
                Expr::Paren(p) => base = &p.expr,
                _ => break,
            }
        }
        let mut path = Vec::with_capacity(steps.len());
        for step in steps.into_iter().rev() {
            match step {
                Ok(member) => path.push(Proj::Field(member)),
                // An index is an integer, data even when read from a differentiated value
                // (`xs[self.k]`, a `#[no_grad]` field).
                Err(index) => path.push(Proj::Var(self.inert(index))),
            }
        }
        Some((base, path))
    }

    /// `x[i]`, `m.w`, `p.0`, `m.layers[i].w` on a differentiated value: one projection
    /// from the root (a place is loaded from, anything else projected).
    fn lower_projection(&mut self, expr: &Expr) -> VarId {
        let span = span_of(expr);
        let Some((base, path)) = self.projections(expr) else {
            return self.placeholder(span);
        };
        if let Some(place) = self.place_named(base) {
            return self.load(place, path, span);
        }
        let base = self.lower_expr(base);
        self.bind(Value::Project { base, path }, span, true)
    }

    /// The place a name denotes now, if it is one.
    fn place_named(&self, expr: &Expr) -> Option<VarId> {
        self.local(expr).filter(|v| self.vars[*v].place)
    }

    fn bind(&mut self, value: Value, span: Span, varied: bool) -> VarId {
        let numeric = match &value {
            Value::Prim { prim, .. } => prim.numeric,
            Value::Stack { .. } => true,
            Value::Copy(v) => self.numeric.contains(v),
            _ => false,
        };
        let var = self.new_var(None, span, varied, false);
        if let Value::Inert(tokens) = &value {
            self.vars[var].literal_zero = literal_zero(tokens);
        }
        if numeric {
            self.numeric.insert(var);
        }
        self.stmts.push(Stmt::Let {
            var,
            ty: None,
            value,
        });
        var
    }

    /// A stand-in for a value that could not be lowered (an error was recorded).
    fn placeholder(&mut self, span: Span) -> VarId {
        self.bind(Value::Inert(quote!(())), span, false)
    }

    fn bind_name(&mut self, ident: &Ident, var: VarId) {
        self.varied_cache.clear();
        if self.vars[var].name.is_none() {
            self.vars[var].name = Some(ident.to_string());
        }
        self.scopes
            .last_mut()
            .expect("a scope is always open")
            .insert(ident.to_string(), var);
    }

    fn lookup(&self, name: &str) -> Option<VarId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    /// The user variable a path expression names, if it is a plain local name.
    fn local(&self, expr: &Expr) -> Option<VarId> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => self.lookup(&p.path.get_ident()?.to_string()),
            _ => None,
        }
    }

    fn is_varied(&mut self, expr: &Expr) -> bool {
        if let Some(found) = self.varied_cache.get(&(expr as *const Expr)) {
            return *found;
        }
        let mut finder = VariedFinder {
            lowerer: self,
            found: false,
            seen: Vec::new(),
        };
        finder.visit_expr(expr);
        let VariedFinder { found, seen, .. } = finder;
        self.varied_cache.extend(seen);
        found
    }

    /// The whole function body: its value is the output.
    fn lower_fn_body(&mut self, body: &Block) -> VarId {
        let span = body.span();
        match self.lower_block_stmts(&body.stmts, true) {
            Some(v) => v,
            None => {
                self.errors.push_error(syn::Error::new(
                    body.brace_token.span.close(),
                    "a #[differentiable] body must end with the value to return",
                ));
                self.placeholder(span)
            }
        }
    }

    fn lower_block(&mut self, block: &Block) -> Option<VarId> {
        self.scopes.push(HashMap::new());
        let value = self.lower_block_stmts(&block.stmts, false);
        self.scopes.pop();
        self.varied_cache.clear();
        value
    }

    fn lower_block_stmts(&mut self, stmts: &[syn::Stmt], fn_body: bool) -> Option<VarId> {
        let mut value = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            self.varied_cache.clear();
            match stmt {
                syn::Stmt::Local(local) => self.lower_let(local),
                syn::Stmt::Expr(Expr::Return(ret), _) if last && fn_body => {
                    match &ret.expr {
                        Some(e) => value = Some(self.lower_expr(e)),
                        None => self.errors.push(
                            ret,
                            "`return` without a value: a #[differentiable] function returns a tensor or a float",
                        ),
                    }
                }
                // A tail `if` may be a statement (no `else`, no value) and a tail loop
                // always is one.
                syn::Stmt::Expr(Expr::If(if_expr), None) if last && self.is_varied(stmt_expr(stmt)) => {
                    value = self.lower_if(if_expr)
                }
                syn::Stmt::Expr(e @ (Expr::ForLoop(_) | Expr::While(_)), None) if last => {
                    self.lower_expr_stmt(e)
                }
                syn::Stmt::Expr(e, None) if last => value = Some(self.lower_expr(e)),
                syn::Stmt::Expr(e, _) => self.lower_expr_stmt(e),
                // The fence already reported items and other macros.
                syn::Stmt::Item(_) | syn::Stmt::Macro(_) => {}
            }
        }
        value
    }

    fn lower_let(&mut self, local: &syn::Local) {
        self.lower_let_binding(local);
        // The fence reported the closure; a call of it then reports nothing more.
        let pat = match &local.pat {
            Pat::Type(t) => &*t.pat,
            p => p,
        };
        if let (Some(init), Pat::Ident(p)) = (&local.init, pat)
            && matches!(&*init.expr, Expr::Closure(_))
            && let Some(var) = self.lookup(&p.ident.to_string())
        {
            self.closures.insert(var);
        }
        // `let table = [1.0, 2.0];` (or `vec![..]`, or typed `Vec`/array), never changed:
        // a loop over `&table` indexes it (see `owned_sequences`).
        if let (Some(init), Pat::Ident(p)) = (&local.init, pat)
            && p.mutability.is_none()
            && (is_sequence_literal(&init.expr)
                || matches!(&local.pat, Pat::Type(t) if is_sequence_type(&t.ty)))
            && let Some(var) = self.lookup(&p.ident.to_string())
            && !self.vars[var].varied
        {
            self.owned_sequences.insert(var);
        }
    }

    fn lower_let_binding(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some(t.ty.clone())),
            p => (p, None),
        };
        let Pat::Ident(p) = pat else {
            // `let (h, c) = cell(..);`, `let Model { w, b } = m;`, `let [a, b] = xs;`
            let Some(init) = &local.init else {
                self.errors.push(
                    local,
                    "declare a variable with its value (`let x = ..`); a later assignment cannot be differentiated",
                );
                return;
            };
            let value = self.lower_expr(&init.expr);
            self.bind_pattern(pat, value);
            return;
        };
        if p.by_ref.is_some() || p.subpat.is_some() {
            self.errors
                .push(pat, "`ref` bindings are not supported; bind by value");
            return;
        }
        let Some(init) = &local.init else {
            self.errors.push(
                local,
                "declare a variable with its value (`let x = ..`); a later assignment cannot be differentiated",
            );
            return;
        };
        let first_new = self.vars.len();
        let value = self.lower_expr(&init.expr);
        if p.mutability.is_some() && self.places.contains(&p.ident.to_string()) {
            let place = self.new_place(Some(p.ident.to_string()), init.expr.span());
            if self.numeric.contains(&value) {
                self.numeric.insert(place);
            }
            self.stmts.push(Stmt::Let {
                var: place,
                ty,
                value: Value::Copy(value),
            });
            self.bind_name(&p.ident, place);
            return;
        }
        if value >= first_new && self.vars[value].name.is_none() {
            // The initialiser computed a new value: it simply gets the user's name.
            self.vars[value].mutable = p.mutability.is_some();
            if let Some(Stmt::Let { var, ty: slot, .. }) = self.stmts.last_mut()
                && *var == value
            {
                *slot = ty;
            }
            self.bind_name(&p.ident, value);
            return;
        }
        // Every other `let` binds a new variable, so a later in-place change of this name
        // never alters a value an earlier primitive saved for the reverse sweep.
        let var = self.new_var(
            Some(p.ident.to_string()),
            init.expr.span(),
            self.vars[value].varied,
            p.mutability.is_some(),
        );
        self.same_kind_of_data(value, var);
        self.stmts.push(Stmt::Let {
            var,
            ty,
            value: Value::Copy(value),
        });
        self.bind_name(&p.ident, var);
    }

    /// Binds the names of a destructuring pattern to projections of `value`.
    fn bind_pattern(&mut self, pat: &Pat, value: VarId) {
        let span = pat.span();
        let part = |this: &mut Self, proj: Proj, pat: &Pat| {
            let varied = this.vars[value].varied;
            if !varied && this.ref_data.contains(&value) {
                let base = var_ident(value, this.vars[value].span);
                let path = path_tokens(std::slice::from_ref(&proj), &this.vars);
                let var = this.bind(Value::Inert(quote!(&#base #path)), pat.span(), false);
                this.ref_data.insert(var);
                this.bind_pattern(pat, var);
                return;
            }
            let var = this.bind(
                Value::Project {
                    base: value,
                    path: vec![proj],
                },
                pat.span(),
                varied,
            );
            this.bind_pattern(pat, var);
        };
        let unnamed = |k: usize| {
            Proj::Field(syn::Member::Unnamed(syn::Index {
                index: k as u32,
                span,
            }))
        };
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let var = self.new_var(
                    Some(p.ident.to_string()),
                    p.ident.span(),
                    self.vars[value].varied,
                    p.mutability.is_some(),
                );
                self.stmts.push(Stmt::Let {
                    var,
                    ty: None,
                    value: Value::Copy(value),
                });
                self.same_kind_of_data(value, var);
                self.bind_name(&p.ident, var);
            }
            Pat::Wild(_) => {}
            Pat::Type(t) => self.bind_pattern(&t.pat, value),
            Pat::Paren(p) => self.bind_pattern(&p.pat, value),
            // `for &y in ys`: the value behind a reference to data.
            Pat::Reference(r) => {
                let var = self.value_behind(value, r.span());
                self.bind_pattern(&r.pat, var);
            }
            Pat::Tuple(t) if !t.elems.iter().any(|p| matches!(p, Pat::Rest(_))) => {
                for (k, elem) in t.elems.iter().enumerate() {
                    part(self, unnamed(k), elem);
                }
            }
            Pat::TupleStruct(t) if !t.elems.iter().any(|p| matches!(p, Pat::Rest(_))) => {
                for (k, elem) in t.elems.iter().enumerate() {
                    part(self, unnamed(k), elem);
                }
            }
            Pat::Slice(s) if !s.elems.iter().any(|p| matches!(p, Pat::Rest(_))) => {
                for (k, elem) in s.elems.iter().enumerate() {
                    part(self, Proj::Usize(k), elem);
                }
            }
            Pat::Struct(s) if s.qself.is_none() => {
                for field in &s.fields {
                    part(self, Proj::Field(field.member.clone()), &field.pat);
                }
            }
            other => self.errors.push(
                other,
                "this pattern is not supported in a #[differentiable] body; bind names, tuples, arrays or struct fields (`let (a, b) = ..`, `let S { w, b } = ..`), without `..`",
            ),
        }
    }

    /// An expression statement (`x += 1.0;`, `t[0] = 2.0;`, `f(x);`).
    fn lower_expr_stmt(&mut self, expr: &Expr) {
        if self.lower_store(expr) {
            return;
        }
        match expr {
            Expr::Assign(assign) => {
                if let Some(target) = self.assign_target(&assign.left) {
                    if !self.check_mutable(&target) {
                        return;
                    }
                    let mut value = self.lower_expr(&assign.right);
                    if let Some(old) = self.lookup(&target.to_string())
                        && self.numeric.contains(&old)
                        && self.vars[value].literal_zero.is_some()
                    {
                        value = self.typed_like(old, value, assign.right.span());
                    }
                    self.rebind(&target, value);
                    return;
                }
            }
            Expr::Binary(bin) if compound_op(&bin.op).is_some() => {
                if let Some(target) = self.assign_target(&bin.left)
                    && self.is_varied(expr)
                {
                    if !self.check_mutable(&target) {
                        return;
                    }
                    let old = self.local(&bin.left).expect("assign_target checked it");
                    let rhs = self.lower_expr(&bin.right);
                    let prim = compound_op(&bin.op).expect("guarded");
                    let spans = vec![bin.left.span(), bin.right.span()];
                    let value = self.bind_prim(prim, vec![old, rhs], spans, None, expr.span());
                    self.rebind(&target, value);
                    return;
                }
            }
            _ => {}
        }
        if self.is_varied(expr) {
            match expr {
                Expr::Block(b) if b.label.is_none() => {
                    // `{ y = y * x; }`: its own scope; reassignments reach the outer names.
                    self.lower_block(&b.block);
                }
                Expr::If(if_expr) => {
                    self.lower_if(if_expr);
                }
                Expr::ForLoop(for_loop) => {
                    self.lower_loop(LoopHeader::For(for_loop), &for_loop.body, for_loop.for_token.span)
                }
                Expr::While(while_loop) => self.lower_loop(
                    LoopHeader::While(&while_loop.cond, &while_loop.attrs),
                    &while_loop.body,
                    while_loop.while_token.span,
                ),
                Expr::Assign(a) => self.errors.push(
                    &a.left,
                    "assigning into part of a differentiated value is not supported; build the tensor with `tensor![..]` or `Tensor::from_fn` instead",
                ),
                Expr::Binary(b) if compound_op(&b.op).is_some() => self.errors.push(
                    &b.left,
                    "updating part of a differentiated value in place is not supported; build the tensor with `tensor![..]` instead",
                ),
                _ => {
                    // Evaluated for its errors; its value is discarded, like Rust's.
                    self.lower_expr(expr);
                }
            }
            return;
        }
        // Inert code that may change user variables in place: give each such variable a
        // fresh copy first, so values saved earlier for the reverse sweep stay as they were.
        for name in mutated_names(expr) {
            // A differentiated name in inert code is only read through `.detach()` (else
            // the statement would be differentiated): nothing changes it, and a copy would
            // cut its gradient.
            if let Some(old) = self.lookup(&name)
                && !self.vars[old].varied
            {
                let span = self.vars[old].span;
                let fresh = self.new_var(Some(name.clone()), span, false, true);
                self.stmts.push(Stmt::Let {
                    var: fresh,
                    ty: None,
                    value: Value::Copy(old),
                });
                self.rebind_name(&name, fresh);
            }
        }
        let tokens = self.rename(expr);
        self.stmts.push(Stmt::Effect(quote!(#tokens;)));
    }

    /// `y[i] = e`, `y[i] += e` (`-=`, `*=`, `/=`), `y = e` and `y += e` on a place; an
    /// element assignment of a differentiated value to a variable that is not a place yet
    /// records it as needed. Returns whether `expr` was such a statement.
    fn lower_store(&mut self, expr: &Expr) -> bool {
        if let Expr::MethodCall(call) = expr
            && call.method == "push"
            && call.args.len() == 1
            && call.turbofish.is_none()
        {
            return self.lower_push(call);
        }
        let (left, right, op) = match expr {
            Expr::Assign(a) => (&*a.left, &*a.right, None),
            Expr::Binary(b) => match compound_op(&b.op) {
                Some(prim) => (&*b.left, &*b.right, Some(prim)),
                None => return false,
            },
            _ => return false,
        };
        let mut root = left;
        while let Expr::Index(syn::ExprIndex { expr: inner, .. })
        | Expr::Field(syn::ExprField { base: inner, .. })
        | Expr::Paren(syn::ExprParen { expr: inner, .. }) = root
        {
            root = inner;
        }
        let partial = !std::ptr::eq(root, left);
        let Some(place) = self.place_named(root) else {
            if partial
                && let Some(var) = self.local(root)
                && (self.vars[var].varied || self.is_varied(right))
                && let Some(name) = place_base(root)
            {
                if !self.is_mutable(var) {
                    self.errors.push(
                        root,
                        format!("cannot assign to part of `{name}`, which is not mutable; declare it `let mut {name} = ..`"),
                    );
                    return true;
                }
                self.needed_places.push(name);
                return true;
            }
            return false;
        };
        let span = span_of(expr);
        let Some((_, path)) = self.projections(left) else {
            return true;
        };
        let rhs = self.lower_expr(right);
        let value = match op {
            None => rhs,
            Some(prim) => {
                let old = self.load(place, path.clone(), left.span());
                let spans = vec![left.span(), right.span()];
                self.bind_prim(prim, vec![old, rhs], spans, None, span)
            }
        };
        self.stmts.push(Stmt::Store {
            place,
            path,
            value,
            span,
            log: Log::None,
        });
        true
    }

    /// Whether `var` is bound to a name declared `mut` (directly, or as the value an
    /// assignment gave it).
    fn is_mutable(&self, var: VarId) -> bool {
        self.vars[var].mutable || self.assigned.contains(&var)
    }

    /// Whether the variable `target` names may be assigned (Rust's rule); reports it if not.
    fn check_mutable(&mut self, target: &Ident) -> bool {
        let var = self
            .lookup(&target.to_string())
            .expect("assign_target checked it");
        if self.is_mutable(var) {
            return true;
        }
        self.errors.push(
            target,
            format!("cannot assign twice to immutable variable `{target}`; declare it `let mut {target} = ..`"),
        );
        false
    }

    /// The snapshots of `#[checkpoint]` / `#[checkpoint(snapshots = K)]` on a loop, if
    /// it has one. A checkpointed body may not assign into parts of values bound outside
    /// it (their undo would have to survive the snapshots), which is reported.
    fn checkpoint_of(&mut self, attrs: &[syn::Attribute], body: &Block) -> Option<TokenStream> {
        let attr = attrs.iter().find(|a| a.path().is_ident("checkpoint"))?;
        let snapshots = match &attr.meta {
            syn::Meta::Path(_) => quote!(::autodiff::__private::DEFAULT_SNAPSHOTS),
            syn::Meta::List(list) => {
                match list.parse_args_with(|input: syn::parse::ParseStream| {
                    let key: Ident = input.parse()?;
                    if key != "snapshots" {
                        return Err(syn::Error::new(key.span(), "expected `snapshots = K`"));
                    }
                    input.parse::<Token![=]>()?;
                    input.parse::<Expr>()
                }) {
                    Ok(k) => quote!((#k) as usize),
                    Err(error) => {
                        self.errors.push_error(error);
                        return None;
                    }
                }
            }
            syn::Meta::NameValue(nv) => {
                self.errors.push(
                    nv,
                    "write `#[checkpoint]` or `#[checkpoint(snapshots = K)]`",
                );
                return None;
            }
        };
        // Stores into a value bound inside the body (`let mut u_new = u; u_new[i] = ..`)
        // are replayed with the iteration that binds it; only a value from outside the
        // loop would need its undo log kept across the snapshots.
        struct Locals(Vec<Ident>);
        impl<'ast> Visit<'ast> for Locals {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p.ident.clone());
                syn::visit::visit_pat_ident(self, p);
            }
        }
        let mut locals = Locals(Vec::new());
        locals.visit_block(body);
        struct Assigns<'l>(Option<Span>, &'l [Ident]);
        impl<'ast> Visit<'ast> for Assigns<'_> {
            fn visit_expr(&mut self, e: &'ast Expr) {
                let target = match e {
                    Expr::Assign(a) if matches!(&*a.left, Expr::Index(_) | Expr::Field(_)) => {
                        Some(&*a.left)
                    }
                    Expr::Binary(b)
                        if is_assign_op(&b.op)
                            && matches!(&*b.left, Expr::Index(_) | Expr::Field(_)) =>
                    {
                        Some(&*b.left)
                    }
                    Expr::MethodCall(m) if m.method == "push" => Some(&*m.receiver),
                    _ => None,
                };
                let outer = target.is_some_and(|t| {
                    place_base(t).is_none_or(|base| !self.1.iter().any(|l| *l == base))
                });
                if outer && self.0.is_none() {
                    self.0 = Some(e.span());
                }
                syn::visit::visit_expr(self, e);
            }
        }
        let mut assigns = Assigns(None, &locals.0);
        assigns.visit_block(body);
        if let Some(span) = assigns.0 {
            self.errors.push_error(syn::Error::new(
                span,
                "assigning into part of a value bound outside a `#[checkpoint]` loop is not supported; store into a copy bound in the loop (`let mut y_new = y; y_new[i] = ..; y = y_new;`), or remove `#[checkpoint]`",
            ));
        }
        Some(snapshots)
    }

    /// `xs.push(e)` onto a `Vec` place (an element pushed in O(1)); a push of a
    /// differentiated value onto a variable that is not a place yet records it as needed.
    fn lower_push(&mut self, call: &syn::ExprMethodCall) -> bool {
        let Some(place) = self.place_named(&call.receiver) else {
            if let Some(var) = self.local(&call.receiver)
                && (self.vars[var].varied || self.is_varied(&call.args[0]))
                && let Some(name) = place_base(&call.receiver)
            {
                if !self.is_mutable(var) {
                    self.errors.push(
                        &call.receiver,
                        format!("cannot push onto `{name}`, which is not mutable; declare it `let mut {name} = ..`"),
                    );
                    return true;
                }
                self.needed_places.push(name);
                return true;
            }
            return false;
        };
        let value = self.lower_expr(&call.args[0]);
        self.stmts.push(Stmt::Push {
            place,
            value,
            span: call.span(),
            log: Log::None,
        });
        true
    }

    /// The user variable on the left of `x = ..` / `x += ..`, if it is a plain name.
    fn assign_target(&mut self, left: &Expr) -> Option<Ident> {
        let Expr::Path(p) = left else { return None };
        let ident = p.path.get_ident()?;
        self.lookup(&ident.to_string())?;
        Some(ident.clone())
    }

    fn rebind(&mut self, target: &Ident, value: VarId) {
        self.assigned.insert(value);
        self.rebind_name(&target.to_string(), value);
    }

    /// `m = 1.0` on a float `m`: the literal, of `m`'s type as in Rust (alone it would be
    /// an ambiguous `{float}`, its type never tied to `m`'s declaration).
    fn typed_like(&mut self, old: VarId, literal: VarId, span: Span) -> VarId {
        let (old, literal) = (
            crate::ir::var_ident(old, span),
            crate::ir::var_ident(literal, span),
        );
        let tokens = quote!(::autodiff::__private::typed_like(#old, #literal));
        let var = self.bind(Value::Inert(tokens), span, false);
        self.numeric.insert(var);
        var
    }

    /// Points an existing user name at `value`, in the scope that declared it.
    fn rebind_name(&mut self, name: &str, value: VarId) {
        self.varied_cache.clear();
        for scope in self.scopes.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = value;
                break;
            }
        }
        if self.vars[value].name.is_none() {
            self.vars[value].name = Some(name.to_string());
        }
    }

    /// Runs `lower` with statements going to a new block, which it returns.
    fn region<R>(&mut self, lower: impl FnOnce(&mut Self) -> R) -> (Vec<Stmt>, R) {
        let outer = std::mem::take(&mut self.stmts);
        let result = lower(self);
        let block = std::mem::replace(&mut self.stmts, outer);
        (block, result)
    }

    /// `if cond { .. } else { .. }` around differentiated values: both branches become
    /// blocks, and every name either branch reassigns is merged by a `Phi`. Returns the
    /// value of the `if` when both branches have one.
    fn lower_if(&mut self, expr: &syn::ExprIf) -> Option<VarId> {
        let span = expr.if_token.span;
        let cond = self.lower_expr(&expr.cond);
        let before = self.scopes.clone();
        let (then_block, then_value) = self.region(|l| l.lower_block(&expr.then_branch));
        let after_then = std::mem::replace(&mut self.scopes, before.clone());
        self.varied_cache.clear();
        let (else_block, else_value) = match &expr.else_branch {
            Some((_, else_expr)) => self.region(|l| match &**else_expr {
                Expr::Block(b) => l.lower_block(&b.block),
                Expr::If(nested) => l.lower_if(nested),
                other => Some(l.lower_expr(other)),
            }),
            None => (Vec::new(), None),
        };
        let after_else = std::mem::replace(&mut self.scopes, before.clone());
        self.varied_cache.clear();
        let mut phis = Vec::new();
        for (depth, frame) in before.iter().enumerate() {
            let mut names: Vec<(&String, &VarId)> = frame.iter().collect();
            names.sort();
            for (name, &old) in names {
                let then_value = after_then[depth][name];
                let else_value = after_else[depth][name];
                if then_value == old && else_value == old {
                    continue;
                }
                let varied = self.vars[then_value].varied || self.vars[else_value].varied;
                let mutable = self.is_mutable(old);
                let out = self.new_var(Some(name.clone()), span, varied, mutable);
                phis.push(Phi {
                    out,
                    then_value,
                    else_value,
                });
                self.scopes[depth].insert(name.clone(), out);
                self.varied_cache.clear();
            }
        }
        let value = match (then_value, else_value) {
            (Some(then_value), Some(else_value)) => {
                let varied = self.vars[then_value].varied || self.vars[else_value].varied;
                let out = self.new_var(None, span, varied, false);
                phis.push(Phi {
                    out,
                    then_value,
                    else_value,
                });
                Some(out)
            }
            _ => None,
        };
        self.stmts.push(Stmt::If {
            cond,
            then_block,
            else_block,
            phis,
        });
        value
    }

    /// `for` and `while` around differentiated values. The names the body reassigns are
    /// carried: the body is lowered with each bound to a `phi` variable, and lowered again
    /// if a carried value turns out to be differentiated only after an iteration (the
    /// fixed point of activity over the loop).
    fn lower_loop(&mut self, header: LoopHeader<'_>, body: &Block, span: Span) {
        let attrs = match header {
            LoopHeader::For(f) => f.attrs.as_slice(),
            LoopHeader::While(_, attrs) => attrs,
        };
        let checkpoint = self.checkpoint_of(attrs, body);
        let mut names = assigned_names(body);
        if let LoopHeader::While(cond, _) = header {
            names.extend(assigned_names_in_expr(cond));
        }
        // Places change in place: they are never carried.
        names.retain(|n| self.lookup(n).is_some_and(|v| !self.vars[v].place));
        names.sort();
        names.dedup();
        let mut varied_inside: HashSet<String> = HashSet::new();
        loop {
            let (vars_mark, errors_mark, scopes_before) =
                (self.vars.len(), self.errors.len(), self.scopes.clone());
            let mut phis = Vec::new();
            for name in &names {
                let init = self.lookup(name).expect("retained above");
                let varied = self.vars[init].varied || varied_inside.contains(name);
                let mutable = self.is_mutable(init);
                let phi = self.new_var(Some(name.clone()), span, varied, mutable);
                // A carried value keeps its type from one iteration to the next.
                if self.numeric.contains(&init) {
                    self.numeric.insert(phi);
                }
                self.rebind_name(name, phi);
                phis.push((init, phi));
            }
            let mut exits: Vec<Option<VarId>> = vec![None; names.len()];
            let (body_block, kind) = self.region(|l| {
                l.scopes.push(HashMap::new());
                let kind = match header {
                    LoopHeader::For(for_loop) => l.for_header(for_loop),
                    LoopHeader::While(cond, _) => {
                        let (cond_block, cond_var) = l.region(|l| l.lower_expr(cond));
                        // What the condition block leaves in a carried name is its value
                        // when the condition fails and the loop ends (`while { n += 1;
                        // n < 4 }`).
                        for (k, name) in names.iter().enumerate() {
                            let now = l.lookup(name).expect("still bound");
                            if now != phis[k].1 {
                                if l.vars[now].varied {
                                    l.errors.push(
                                        cond,
                                        format!("this `while` condition changes the differentiated `{name}`; change it in the loop body instead"),
                                    );
                                }
                                exits[k] = Some(now);
                            }
                        }
                        LoopKind::While {
                            cond_block,
                            cond: cond_var,
                        }
                    }
                };
                l.lower_block_stmts(&body.stmts, false);
                l.scopes.pop();
                kind
            });
            let nexts: Vec<VarId> = names
                .iter()
                .map(|n| self.lookup(n).expect("still bound"))
                .collect();
            let mut again = false;
            for ((name, next), (_, phi)) in names.iter().zip(&nexts).zip(&phis) {
                if self.vars[*next].varied && !self.vars[*phi].varied {
                    varied_inside.insert(name.clone());
                    again = true;
                }
            }
            self.scopes = scopes_before;
            self.varied_cache.clear();
            if again {
                self.vars.truncate(vars_mark);
                self.errors.truncate(errors_mark);
                continue;
            }
            let mut carried = Vec::new();
            for (((name, next), (init, phi)), exit) in names.iter().zip(nexts).zip(phis).zip(exits)
            {
                let out = self.new_var(
                    Some(name.clone()),
                    span,
                    self.vars[phi].varied,
                    self.is_mutable(init),
                );
                if self.numeric.contains(&phi) {
                    self.numeric.insert(out);
                }
                self.rebind_name(name, out);
                carried.push(Carry {
                    init,
                    phi,
                    next,
                    out,
                    exit,
                });
            }
            let id = self.next_loop;
            self.next_loop += 1;
            self.stmts.push(Stmt::Loop {
                id,
                kind,
                body: body_block,
                carried,
                tape: None,
                checkpoint,
            });
            return;
        }
    }

    fn for_header(&mut self, for_loop: &syn::ExprForLoop) -> LoopKind {
        let plain_pattern = matches!(&*for_loop.pat, Pat::Wild(_) | Pat::Ident(_));
        if self.is_varied(&for_loop.expr)
            || !plain_pattern
            || self.iterates_owned_sequence(&for_loop.expr)
        {
            let source = Source::parse(&for_loop.expr);
            if let Some(kind) = self.collection_header(&source, &for_loop.pat) {
                return kind;
            }
        }
        // A range's bounds are integers, which carry no gradient even when they are read
        // from a differentiated value (`0..self.steps`, a `#[no_grad]` field).
        if self.is_varied(&for_loop.expr) && !matches!(&*for_loop.expr, Expr::Range(_)) {
            self.errors.push(
                &for_loop.expr,
                "what a `for` loop iterates over cannot depend on a differentiated value; compute the range from data or call `.detach()`",
            );
        }
        let iter = self.rename(&for_loop.expr);
        // `let N = n; for _ in 0..N`: an upper-case local is not a constant. Only ranges
        // from zero: a loop of constant trip count keeps its carried values in a
        // `StackTape` (`Copy + Default`), as documented.
        let trip_count = constant_trip_count(&for_loop.expr, &|name| self.lookup(name).is_some())
            .filter(|_| {
                starts_at_zero(&for_loop.expr)
                    && matches!(&*for_loop.expr, Expr::Range(r) if matches!(r.limits, syn::RangeLimits::HalfOpen(_)))
            });
        let pat = match &*for_loop.pat {
            Pat::Wild(_) => None,
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let var = self.new_var(Some(p.ident.to_string()), p.ident.span(), false, false);
                if self.yields_data_references(&for_loop.expr) {
                    // `for y in ys` over `ys: &[f64]`, `for x in xs.iter()`: ops read `*y`.
                    self.ref_data.insert(var);
                }
                self.bind_name(&p.ident, var);
                Some(var)
            }
            other => {
                self.errors.push(
                    other,
                    "a loop that carries gradients binds its counter to a plain name or `_`",
                );
                None
            }
        };
        LoopKind::For {
            pat,
            iter,
            trip_count,
        }
    }

    /// Whether `iter` is `&data` or `data.iter()` for owned data `data` (see
    /// `owned_sequences`).
    fn iterates_owned_sequence(&self, iter: &Expr) -> bool {
        match Source::parse(iter) {
            Source::Seq(leaf, true) => self
                .local(leaf)
                .is_some_and(|var| self.owned_sequences.contains(&var)),
            _ => false,
        }
    }

    /// Whether a loop over `iter` binds its items as references to data: it iterates
    /// `xs.iter()` or `&xs`, or a data reference itself (a `&[f64]` parameter).
    fn yields_data_references(&self, iter: &Expr) -> bool {
        match Source::parse(iter) {
            Source::Seq(_, true) => true,
            Source::Seq(leaf, false) => self
                .local(leaf)
                .is_some_and(|var| !self.vars[var].varied && self.is_data_reference(var)),
            _ => false,
        }
    }

    /// `for x in xs`, `xs.iter()`, `&xs`, `.zip(..)`, `.enumerate()` over slices, `Vec`s,
    /// arrays or tensors: lowered to a loop over indices `0..len` whose body starts by
    /// projecting each element (O(1), so the reverse sweep adds into one element of each
    /// adjoint). `None` (nothing recorded) if a sequence is not a local value or a part of
    /// one.
    fn collection_header(&mut self, source: &Source<'_>, pat: &Pat) -> Option<LoopKind> {
        let mut leaves = Vec::new();
        source.leaves(&mut leaves);
        let mut roots = Vec::new();
        for (leaf, _) in &leaves {
            let (root, path) = self.projections(leaf)?;
            let var = self.local(root)?;
            roots.push((var, path));
        }
        let lengths: Vec<TokenStream> = roots
            .iter()
            .map(|(var, path)| {
                let root = var_ident(*var, self.vars[*var].span);
                let path = path_tokens(path, &self.vars);
                quote!(#root #path.len())
            })
            .collect();
        let mut len = lengths[0].clone();
        for other in &lengths[1..] {
            len = quote!(::core::cmp::min(#len, #other));
        }
        let span = pat.span();
        let counter = self.new_var(None, span, false, false);
        let mut values = Vec::new();
        for ((leaf, by_ref), (root, path)) in leaves.iter().zip(roots) {
            // Iterating a reference itself (`for y in ys` with `ys: &[f64]`) yields
            // references, as in plain Rust.
            let by_ref = *by_ref || path.is_empty() && self.is_data_reference(root);
            let by_ref = &by_ref;
            let mut path = path;
            path.push(Proj::Var(counter));
            let value = if self.vars[root].place {
                self.load(root, path, leaf.span())
            } else if self.vars[root].varied {
                self.bind(Value::Project { base: root, path }, leaf.span(), true)
            } else {
                // Data, as the iterator would give it: a reference for `.iter()`.
                let base = var_ident(root, self.vars[root].span);
                let path = path_tokens(&path, &self.vars);
                let tokens = if *by_ref {
                    quote!(&#base #path)
                } else {
                    quote!(::core::clone::Clone::clone(&#base #path))
                };
                let var = self.bind(Value::Inert(tokens), leaf.span(), false);
                if *by_ref {
                    self.ref_data.insert(var);
                }
                var
            };
            values.push(value);
        }
        let mut values = values.into_iter();
        self.bind_source(source, pat, counter, &mut values);
        Some(LoopKind::For {
            pat: Some(counter),
            iter: quote!(0..#len),
            trip_count: None,
        })
    }

    /// Binds a `for` pattern against the shape of its iterator: a pair for `zip` and
    /// `enumerate`, an element for a sequence.
    fn bind_source(
        &mut self,
        source: &Source<'_>,
        pat: &Pat,
        counter: VarId,
        values: &mut std::vec::IntoIter<VarId>,
    ) {
        let pat = match pat {
            Pat::Paren(p) => &*p.pat,
            Pat::Type(t) => &*t.pat,
            p => p,
        };
        match (source, pat) {
            (Source::Zip(a, b), Pat::Tuple(t)) if t.elems.len() == 2 => {
                self.bind_source(a, &t.elems[0], counter, values);
                self.bind_source(b, &t.elems[1], counter, values);
            }
            (Source::Enumerate(inner), Pat::Tuple(t)) if t.elems.len() == 2 => {
                self.bind_pattern(&t.elems[0], counter);
                self.bind_source(inner, &t.elems[1], counter, values);
            }
            (Source::Seq(..), pat) => {
                let value = values.next().expect("one value per sequence");
                self.bind_pattern(pat, value);
            }
            (_, pat) => {
                // A whole pair bound to one name: build the tuple.
                let mut parts = Vec::new();
                let mut leaves = Vec::new();
                source.leaves(&mut leaves);
                if let Source::Enumerate(_) = source {
                    parts.push(counter);
                }
                for _ in 0..leaves.len() {
                    parts.push(values.next().expect("one value per sequence"));
                }
                let varied = parts.iter().any(|v| self.vars[*v].varied);
                let tuple = self.bind(Value::Tuple(parts), pat.span(), varied);
                self.bind_pattern(pat, tuple);
            }
        }
    }

    fn bind_prim(
        &mut self,
        prim: &'static Prim,
        operands: Vec<VarId>,
        spans: Vec<Span>,
        generic: Option<TokenStream>,
        span: Span,
    ) -> VarId {
        let operands = operands
            .into_iter()
            .zip(&spans)
            .map(|(v, span)| self.value_behind(v, *span))
            .collect();
        let value = Value::Prim {
            prim,
            operands,
            spans,
            generic,
        };
        let varied = value.diff_operands().iter().any(|v| self.vars[*v].varied);
        self.bind(value, span, varied)
    }

    /// `var`, a copy of `value`, is a number or a data reference whenever `value` is: so
    /// an op reads the value behind a reference bound to a new name (`let y = ys[0]`'s
    /// `y`, the `y` of `for (x, y) in xs.iter().zip(ys)`).
    fn same_kind_of_data(&mut self, value: VarId, var: VarId) {
        if self.numeric.contains(&value) {
            self.numeric.insert(var);
        }
        if !self.vars[value].varied && self.ref_data.contains(&value) {
            self.ref_data.insert(var);
        }
    }

    /// Whether `v` is a reference to data: a by-reference data parameter, or a part or
    /// element reached through one.
    fn is_data_reference(&self, v: VarId) -> bool {
        self.data_refs.contains(&v) || self.ref_data.contains(&v)
    }

    /// An op's operand: the value behind a data reference (a `&Tensor` parameter, an
    /// element of `data.iter()`), since ops take floats and tensors by value.
    fn value_behind(&mut self, v: VarId, span: Span) -> VarId {
        if self.vars[v].varied || !self.is_data_reference(v) {
            return v;
        }
        let reference = var_ident(v, self.vars[v].span);
        let var = self.bind(
            Value::Inert(quote_spanned!(span=> *#reference)),
            span,
            false,
        );
        self.numeric.insert(var);
        var
    }

    fn inert(&mut self, expr: &Expr) -> VarId {
        let tokens = self.rename(expr);
        self.bind(Value::Inert(tokens), span_of(expr), false)
    }

    /// With a stack that grows as deep as the expression nests.
    fn lower_expr(&mut self, expr: &Expr) -> VarId {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.lower_expr_here(expr))
    }

    fn lower_expr_here(&mut self, expr: &Expr) -> VarId {
        if let Some(var) = self.local(expr) {
            if self.vars[var].place {
                return self.load(var, Vec::new(), expr.span());
            }
            return var;
        }
        match expr {
            Expr::Paren(p) => return self.lower_expr(&p.expr),
            Expr::Group(g) => return self.lower_expr(&g.expr),
            Expr::Block(b) if b.label.is_none() => {
                return match self.lower_block(&b.block) {
                    Some(v) => v,
                    None => {
                        self.errors
                            .push(b, "this block has no value; end it with an expression");
                        self.placeholder(b.span())
                    }
                };
            }
            _ => {}
        }
        // `x.detach()` of a differentiated `x` is a `Detach` node (data, but shown in the
        // graph); inside larger data expressions it is plain data code.
        if let Expr::MethodCall(call) = expr
            && call.method == prim::DETACH
            && call.args.is_empty()
            && self.is_varied(&call.receiver)
        {
            return self.lower_method(call);
        }
        if !self.is_varied(expr) {
            return self.inert(expr);
        }
        let span = span_of(expr);
        if crate::valid::is_fenced(expr) {
            // Already reported by the fence.
            return self.placeholder(span);
        }
        match expr {
            Expr::Binary(bin) => self.lower_binary(bin),
            Expr::Unary(un) => match un.op {
                UnOp::Neg(_) => {
                    let operand = self.lower_expr(&un.expr);
                    self.bind_prim(&prim::NEG, vec![operand], vec![un.expr.span()], None, span)
                }
                // The only references to differentiated values are by-reference
                // parameters, already copied out: `*w` is `w`. A data reference is
                // read through (`*b > 0.0`).
                UnOp::Deref(_) => {
                    let operand = self.lower_expr(&un.expr);
                    self.value_behind(operand, span)
                }
                // `!(x > 0.0)`: the negation of a condition, which carries no gradient.
                UnOp::Not(_) => {
                    let operand = self.lower_expr(&un.expr);
                    let operand = var_ident(operand, un.expr.span());
                    self.bind(Value::Inert(quote_spanned!(span=> !#operand)), span, false)
                }
                _ => self.unsupported(
                    expr,
                    "this operator is not differentiable; differentiated values support unary `-`, `+`, `-`, `*`, `/`",
                ),
            },
            Expr::MethodCall(call) => self.lower_method(call),
            Expr::Index(_) | Expr::Field(_) => self.lower_projection(expr),
            Expr::Tuple(t) => {
                let elems = t.elems.iter().map(|e| self.lower_expr(e)).collect();
                self.bind(Value::Tuple(elems), span, true)
            }
            Expr::Array(a) => {
                let elems = a.elems.iter().map(|e| self.lower_expr(e)).collect();
                self.bind(Value::Array(elems), span, true)
            }
            Expr::Struct(st) => {
                if let Some(rest) = &st.rest {
                    return self.unsupported(
                        rest,
                        "`..base` in a struct literal of differentiated values is not supported; name every field",
                    );
                }
                if st.qself.is_some() {
                    return self.unsupported(st, "write the struct's name as a plain path");
                }
                let fields = st
                    .fields
                    .iter()
                    .map(|f| (f.member.clone(), self.lower_expr(&f.expr)))
                    .collect();
                let path = st.path.clone();
                self.bind(Value::Struct { path, fields }, span, true)
            }
            Expr::Macro(m) if is_vec_macro(&m.mac) => self.lower_vec(&m.mac),
            Expr::Macro(m) => self.lower_stack(&m.mac),
            // A local called like a function holds a closure, which the fence reported.
            Expr::Call(call) if self.local(&call.func).is_some() => {
                let local = self.local(&call.func).expect("guarded");
                let varied = call.args.iter().any(|arg| self.is_varied(arg));
                if varied && !self.closures.contains(&local) {
                    let name = call.func.to_token_stream();
                    self.errors.push(
                        &call.func,
                        format!("`{name}` holds a function pointer, whose derivative #[differentiable] cannot see; call the #[differentiable] function by its name"),
                    );
                }
                self.placeholder(span)
            }
            // `f64::sin(x)`, `T::exp(x)`, `Tensor::dot(a, b)`: the method op in path form.
            Expr::Call(call)
                if path_form_op(&call.func, self.elem_ty.as_ref()).is_some()
                    && !call.args.is_empty() =>
            {
                let name = path_form_op(&call.func, self.elem_ty.as_ref()).expect("guarded");
                let mut args = call.args.iter();
                let receiver = args.next().expect("guarded").clone();
                let method = syn::ExprMethodCall {
                    attrs: Vec::new(),
                    receiver: Box::new(receiver),
                    dot_token: Default::default(),
                    method: Ident::new(&name, call.func.span()),
                    turbofish: None,
                    paren_token: call.paren_token,
                    args: args.cloned().collect(),
                };
                self.lower_method(&method)
            }
            Expr::Call(call) => match &*call.func {
                // By Rust's naming rules an UPPERCASE callee is a constant: a function
                // pointer, not a function with a derivative.
                Expr::Path(callee)
                    if callee.path.get_ident().is_some_and(|i| is_constant_name(&i.to_string()))
                        && call.args.iter().any(|arg| self.is_varied(arg)) =>
                {
                    let name = callee.to_token_stream();
                    self.unsupported(
                        callee,
                        format!("`{name}` is a constant holding a function pointer, whose derivative #[differentiable] cannot see; call the #[differentiable] function by its name"),
                    )
                }
                Expr::Path(callee) => {
                    let mut args = Vec::new();
                    let mut spans = Vec::new();
                    let mut by_ref = Vec::new();
                    for arg in &call.args {
                        // `&w` for a callee taking `w: &Tensor<..>`: the reference is
                        // taken at the call, the gradient flows to `w`.
                        let (arg, reference) = match arg {
                            Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
                            arg => (arg, false),
                        };
                        // A by-reference parameter passed on as it is: the callee takes a
                        // reference too, to the copy the body works on.
                        let reference = reference
                            || self
                                .local(arg)
                                .is_some_and(|v| self.ref_params.contains(&v));
                        args.push(self.lower_expr(arg));
                        spans.push(arg.span());
                        by_ref.push(reference);
                    }
                    let varied = args.iter().any(|v| self.vars[*v].varied);
                    if let Some(name) = callee.path.get_ident().map(Ident::to_string)
                        && varied
                        && self.plain_functions.contains(&name)
                    {
                        self.errors.push(
                            callee,
                            format!("`{name}` is not #[differentiable], so no gradient flows through it: annotate `{name}` with #[differentiable] (or give it a rule with #[custom_vjp]), or pass `.detach()`ed arguments if it is data"),
                        );
                    }
                    let value = Value::Call {
                        callee: callee.clone(),
                        args,
                        spans,
                        by_ref,
                        keep_pullback: false,
                        method: None,
                    };
                    self.bind(value, span, varied)
                }
                _ => self.unsupported(
                    &call.func,
                    "only functions named by a path can be called with differentiated arguments",
                ),
            },
            Expr::Assign(_) => self.unsupported(
                expr,
                "an assignment has no value; assign in its own statement",
            ),
            Expr::If(if_expr) => match self.lower_if(if_expr) {
                Some(value) => value,
                None => self.unsupported(
                    expr,
                    "this `if` has no `else`, so it has no value; add an `else` branch",
                ),
            },
            Expr::While(_) | Expr::ForLoop(_) => self.unsupported(
                expr,
                "a loop has no value; write it as a statement and use the variables it updates",
            ),
            Expr::Reference(_) => self.unsupported(
                expr,
                "references to differentiated values are not supported; tensors are `Copy`, pass them by value",
            ),
            Expr::Cast(_) => self.unsupported(
                expr,
                "`as` casts of differentiated values are not supported; call `.detach()` first if no gradient should flow",
            ),
            _ => self.unsupported(
                expr,
                "this expression is not supported on differentiated values",
            ),
        }
    }

    fn unsupported<T: ToTokens, M: std::fmt::Display>(&mut self, tokens: T, message: M) -> VarId {
        let span = tokens.to_token_stream().span();
        self.errors.push(tokens, message);
        self.placeholder(span)
    }

    fn lower_binary(&mut self, bin: &syn::ExprBinary) -> VarId {
        let first = first_span(&bin.left);
        let span = first.join(last_span(&bin.right)).unwrap_or(first);
        let arithmetic = match bin.op {
            BinOp::Add(_) => Some(&prim::ADD),
            BinOp::Sub(_) => Some(&prim::SUB),
            BinOp::Mul(_) => Some(&prim::MUL),
            BinOp::Div(_) => Some(&prim::DIV),
            _ => None,
        };
        if let Some(prim) = arithmetic {
            let lhs = self.lower_expr(&bin.left);
            let rhs = self.lower_expr(&bin.right);
            let spans = vec![span_of(&bin.left), span_of(&bin.right)];
            return self.bind_prim(prim, vec![lhs, rhs], spans, None, span);
        }
        match bin.op {
            // A comparison of differentiated values is a plain bool: no gradient flows.
            BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_)
            | BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::And(_)
            | BinOp::Or(_) => {
                let lhs = self.lower_expr(&bin.left);
                let rhs = self.lower_expr(&bin.right);
                let (l, r) = (
                    var_ident(lhs, bin.left.span()),
                    var_ident(rhs, bin.right.span()),
                );
                // A differentiated by-reference parameter is a reference in `f` and a
                // value in the derivatives: compare what is behind it.
                let behind = |v: VarId, tokens: Ident| match self.ref_params.contains(&v) {
                    true => quote_spanned!(span=> ::autodiff::bounds::Operand::value(#tokens)),
                    false => tokens.into_token_stream(),
                };
                let (l, r) = (behind(lhs, l), behind(rhs, r));
                let op = &bin.op;
                self.bind(Value::Inert(quote_spanned!(span=> #l #op #r)), span, false)
            }
            _ if compound_op(&bin.op).is_some() => self.unsupported(
                bin,
                "a compound assignment has no value; write it as its own statement",
            ),
            _ => self.unsupported(
                bin.op,
                "this operator is not differentiable; differentiated values support `+`, `-`, `*`, `/` and comparisons",
            ),
        }
    }

    fn lower_method(&mut self, call: &syn::ExprMethodCall) -> VarId {
        let span = call.span();
        let name = call.method.to_string();
        if name == prim::DETACH {
            if !call.args.is_empty() || call.turbofish.is_some() {
                return self.unsupported(call, "`detach()` takes no arguments");
            }
            let value = self.lower_expr(&call.receiver);
            return self.bind(Value::Detach(value), span, false);
        }
        if name == "clone" && call.args.is_empty() && call.turbofish.is_none() {
            // `v.clone()` of a differentiated value: the same value, its gradient shared.
            let value = self.lower_expr(&call.receiver);
            let varied = self.vars[value].varied;
            return self.bind(Value::Copy(value), span, varied);
        }
        if let (prim::MAP, [Expr::Closure(closure)], None) = (
            name.as_str(),
            call.args.iter().collect::<Vec<_>>().as_slice(),
            &call.turbofish,
        ) {
            return self.lower_map(call, closure);
        }
        if prim::DATA_METHODS.contains(&name.as_str()) && call.args.is_empty() {
            // The size of a differentiated value is data.
            let tokens = self.rename(&Expr::MethodCall(call.clone()));
            return self.bind(Value::Inert(tokens), span, false);
        }
        let Some(prim) = prim::method(&name) else {
            let on_number = self
                .local(&call.receiver)
                .is_some_and(|v| self.numeric.contains(&v))
                || !matches!(
                    &*call.receiver,
                    Expr::Path(_) | Expr::Field(_) | Expr::Index(_) | Expr::Paren(_)
                );
            if call.turbofish.is_none() && !name.starts_with("__ad_") && !on_number {
                // Another `#[differentiable]` method: chained like a call.
                return self.lower_method_call(call);
            }
            return self.unsupported(
                &call.method,
                format!(
                    "`{name}` is not a differentiable operation; the supported methods are {}. To differentiate through `{name}`, give it a rule with #[custom_vjp] or write it as a #[differentiable] function",
                    prim::method_names()
                ),
            );
        };
        if call.args.len() != prim.args.len() {
            let wanted = prim.args.len();
            return self.unsupported(
                call,
                format!(
                    "`{name}` takes {wanted} argument{}, but {} {} given",
                    if wanted == 1 { "" } else { "s" },
                    call.args.len(),
                    if call.args.len() == 1 { "was" } else { "were" }
                ),
            );
        }
        let generic = match (&call.turbofish, prim.const_generic) {
            (Some(turbofish), true) if turbofish.args.len() == 1 => {
                Some(turbofish.args.to_token_stream())
            }
            (_, true) => {
                return self.unsupported(
                    call,
                    format!("`{name}` needs the number of rows: `x.{name}::<N>(start)`"),
                );
            }
            (Some(turbofish), false) => {
                return self.unsupported(turbofish, format!("`{name}` takes no generic arguments"));
            }
            (None, false) => None,
        };
        // `a.t().matmul(b)` is one transposed product, forward and backward.
        if let (Expr::MethodCall(inner), prim::FUSED_BY, None) =
            (&*call.receiver, name.as_str(), &call.turbofish)
            && inner.method == prim::TRANSPOSE
            && inner.args.is_empty()
            && inner.turbofish.is_none()
        {
            let lhs = self.lower_expr(&inner.receiver);
            let rhs = self.lower_expr(&call.args[0]);
            let spans = vec![inner.receiver.span(), call.args[0].span()];
            return self.bind_prim(&prim::TR_MATMUL, vec![lhs, rhs], spans, None, span);
        }
        let mut operands = vec![self.lower_expr(&call.receiver)];
        let mut spans = vec![call.receiver.span()];
        for (arg, kind) in call.args.iter().zip(prim.args) {
            // `chol.solve(&b)`, as nalgebra spells it: ops take their operands by value.
            let arg = match arg {
                Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                arg => arg,
            };
            spans.push(arg.span());
            if *kind == Arg::Const && self.is_varied(arg) {
                self.errors.push(
                    arg,
                    format!(
                        "this argument of `{name}` is not differentiated, so it cannot depend on a differentiated value; call `.detach()` on it"
                    ),
                );
            }
            operands.push(self.lower_expr(arg));
        }
        self.bind_prim(prim, operands, spans, generic, span)
    }

    /// `x.map(|v| body)`: `body` with `v` bound to `x` itself, which is the map when `body`
    /// applies only elementwise operations to `v` (`+ - * /` with scalars, unary `-`, the
    /// `ELEMENTWISE` methods): each op then acts on every element at once, a scalar it
    /// meets broadcast, and its VJP sums a broadcast scalar's contributions, as the map's
    /// derivative does.
    fn lower_map(&mut self, call: &syn::ExprMethodCall, closure: &syn::ExprClosure) -> VarId {
        let pat = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
            [pat] => closure_param(pat).map(|ident| (*pat, ident)),
            _ => None,
        };
        let pat = pat.filter(|_| closure.asyncness.is_none() && closure.constness.is_none());
        let Some((pat, param)) = pat else {
            return self.unsupported(
                &closure.inputs,
                "a `map` closure takes one parameter, named: `x.map(|v| ..)`",
            );
        };
        if !mentions(&closure.body, param) {
            return self.unsupported(
                &closure.body,
                format!("this `map` closure does not use `{param}`; a constant tensor is data: build it outside the body or with `tensor!`"),
            );
        }
        if let Err(part) = elementwise(&closure.body, param) {
            return self.unsupported(
                part,
                format!(
                    "a `map` closure's body may apply to `{param}` only `+`, `-`, `*`, `/`, unary `-` and the elementwise methods {}; write other functions of an element as a #[differentiable] function of a tensor",
                    prim::ELEMENTWISE.join(", ")
                ),
            );
        }
        let receiver = self.lower_expr(&call.receiver);
        self.scopes.push(HashMap::new());
        self.bind_pattern(pat, receiver);
        let value = self.lower_expr(&closure.body);
        self.scopes.pop();
        self.varied_cache.clear();
        value
    }

    /// `recv.method(args..)` of a `#[differentiable]` method, whose hidden sibling
    /// `__ad_full_vjp_method` gives the pullback. A method that is not `#[differentiable]`
    /// fails to compile there, with rustc's "no method named" on the user's method name.
    fn lower_method_call(&mut self, call: &syn::ExprMethodCall) -> VarId {
        let span = call.span();
        let mut args = vec![self.lower_expr(&call.receiver)];
        let mut spans = vec![call.receiver.span()];
        let mut by_ref = vec![false];
        for arg in &call.args {
            let (arg, reference) = match arg {
                Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
                arg => (arg, false),
            };
            let reference = reference
                || self
                    .local(arg)
                    .is_some_and(|v| self.ref_params.contains(&v));
            args.push(self.lower_expr(arg));
            spans.push(arg.span());
            by_ref.push(reference);
        }
        let varied = args.iter().any(|v| self.vars[*v].varied);
        let method = call.method.clone();
        let value = Value::Call {
            callee: syn::parse_quote!(#method),
            args,
            spans,
            by_ref,
            keep_pullback: false,
            method: Some(method),
        };
        self.bind(value, span, varied)
    }

    /// `vec![x; n]` or `vec![a, b, c]` with differentiated elements.
    fn lower_vec(&mut self, mac: &syn::Macro) -> VarId {
        let span = mac.span();
        let value = match VecLayout::parse(mac, self.elem_ty.as_ref()) {
            Ok(VecLayout::Repeat(parts)) => {
                let (elem, count) = *parts;
                crate::valid::fence_expr(&elem, self.errors);
                if self.is_varied(&count) {
                    self.errors.push(
                        &count,
                        "the length of `vec![x; n]` cannot depend on a differentiated value",
                    );
                }
                let elem = self.lower_expr(&elem);
                let count = self.rename(&count);
                Value::Repeat { elem, count }
            }
            Ok(VecLayout::List(elems)) => {
                for e in &elems {
                    crate::valid::fence_expr(e, self.errors);
                }
                Value::VecOf(elems.iter().map(|e| self.lower_expr(e)).collect())
            }
            Err(error) => {
                self.errors.push_error(error);
                return self.placeholder(span);
            }
        };
        // The elements were parsed into temporaries that are dropped now.
        self.varied_cache.clear();
        self.bind(value, span, true)
    }

    /// `tensor![a, b, c]` or `tensor![[a, b], [c, d]]` with differentiated elements.
    fn lower_stack(&mut self, mac: &syn::Macro) -> VarId {
        let span = mac.span();
        let layout = match StackLayout::parse(mac, self.elem_ty.as_ref()) {
            Ok(layout) => layout,
            Err(error) => {
                self.errors.push_error(error);
                return self.placeholder(span);
            }
        };
        for expr in layout.elems() {
            crate::valid::fence_expr(expr, self.errors);
        }
        let (elems, rows) = match &layout {
            StackLayout::Column(elems) => {
                (elems.iter().map(|e| self.lower_expr(e)).collect(), None)
            }
            StackLayout::Rows(rows) => {
                let mut elems = Vec::new();
                for row in rows {
                    elems.extend(row.iter().map(|e| self.lower_expr(e)));
                }
                (elems, Some(rows.len()))
            }
        };
        let elems: Vec<VarId> = elems;
        // The elements were parsed into temporaries that are dropped now.
        self.varied_cache.clear();
        let varied = elems.iter().any(|v| self.vars[*v].varied);
        let path = mac.path.clone();
        self.bind(Value::Stack { elems, rows, path }, span, varied)
    }

    /// `expr` as tokens in which every user variable is replaced by its IR variable.
    fn rename(&mut self, expr: &Expr) -> TokenStream {
        let mut expr = expr.clone();
        let mut renamer = Renamer {
            lowerer: self,
            shadowed: vec![HashSet::new()],
            error: None,
        };
        renamer.visit_expr_mut(&mut expr);
        if let Some(error) = renamer.error {
            self.errors.push_error(error);
        }
        expr.into_token_stream()
    }
}

/// The name a closure's one parameter binds: `v` in `|v| ..` or `|v: f64| ..`.
fn closure_param(pat: &Pat) -> Option<&Ident> {
    match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() && p.mutability.is_none() => {
            Some(&p.ident)
        }
        Pat::Type(t) => closure_param(&t.pat),
        _ => None,
    }
}

/// Whether `expr` names `param`.
fn mentions(expr: &Expr, param: &Ident) -> bool {
    struct Finder<'a> {
        param: &'a Ident,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            self.found |= p.qself.is_none() && p.path.is_ident(self.param);
        }
    }
    let mut finder = Finder {
        param,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

/// Checks that `expr` applies only elementwise operations to `param` (see `lower_map`);
/// on failure, the first part that does not.
fn elementwise<'e>(expr: &'e Expr, param: &Ident) -> Result<(), &'e Expr> {
    if !mentions(expr, param) {
        return Ok(());
    }
    match expr {
        Expr::Path(_) => Ok(()),
        Expr::Paren(p) => elementwise(&p.expr, param),
        Expr::Group(g) => elementwise(&g.expr, param),
        Expr::Block(b) if b.label.is_none() => match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => elementwise(e, param),
            _ => Err(expr),
        },
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => elementwise(&u.expr, param),
        Expr::Binary(b)
            if matches!(
                b.op,
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
            ) =>
        {
            elementwise(&b.left, param)?;
            elementwise(&b.right, param)
        }
        Expr::MethodCall(m)
            if prim::ELEMENTWISE.contains(&m.method.to_string().as_str())
                && m.turbofish.is_none() =>
        {
            match m.args.iter().find(|a| mentions(a, param)) {
                Some(arg) => Err(arg),
                None => elementwise(&m.receiver, param),
            }
        }
        _ => Err(expr),
    }
}

/// `name` of `f64::name`, `f32::name`, `T::name` (the element type) or `Tensor::name`
/// when `name` is a method op.
fn path_form_op(func: &Expr, elem_ty: Option<&Ident>) -> Option<String> {
    let Expr::Path(p) = func else { return None };
    if p.qself.is_some() || p.path.segments.len() != 2 {
        return None;
    }
    let (ty, name) = (&p.path.segments[0], &p.path.segments[1]);
    let numeric = ty.ident == "f64"
        || ty.ident == "f32"
        || ty.ident == "Tensor"
        || elem_ty.is_some_and(|e| ty.ident == *e);
    let name = name.ident.to_string();
    (numeric && (prim::method(&name).is_some() || name == prim::DETACH)).then_some(name)
}

/// `f32`, `f64`, the element type or a `Tensor`, as declared.
pub fn is_numeric_type(ty: &syn::Type, elem_ty: Option<&Ident>) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    path.path.segments.last().is_some_and(|last| {
        last.ident == "f32"
            || last.ident == "f64"
            || last.ident == "Tensor"
            || elem_ty.is_some_and(|elem| last.ident == *elem)
    })
}

/// `[a, b]`, `[x; n]` or `vec![..]`.
fn is_sequence_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Array(_) | Expr::Repeat(_) => true,
        Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| s.ident == "vec"),
        _ => false,
    }
}

/// `Vec<X>` or `[X; N]`, as declared.
fn is_sequence_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Array(_) => true,
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Vec"),
        _ => false,
    }
}

/// What a `for` loop over collections iterates: sequences, zipped or enumerated.
enum Source<'x> {
    /// A sequence; `true` if its items are references (`.iter()`, `&xs`).
    Seq(&'x Expr, bool),
    Zip(Box<Source<'x>>, Box<Source<'x>>),
    Enumerate(Box<Source<'x>>),
}

impl<'x> Source<'x> {
    fn parse(expr: &'x Expr) -> Source<'x> {
        match expr {
            Expr::Paren(p) => Source::parse(&p.expr),
            Expr::Group(g) => Source::parse(&g.expr),
            Expr::Reference(r) if r.mutability.is_none() => Source::Seq(&r.expr, true),
            Expr::MethodCall(m) if m.turbofish.is_none() => {
                match (m.method.to_string().as_str(), m.args.len()) {
                    ("iter", 0) => Source::Seq(&m.receiver, true),
                    ("into_iter", 0) => match Source::parse(&m.receiver) {
                        Source::Seq(e, by_ref) => Source::Seq(e, by_ref),
                        other => other,
                    },
                    ("zip", 1) => Source::Zip(
                        Box::new(Source::parse(&m.receiver)),
                        Box::new(Source::parse(&m.args[0])),
                    ),
                    ("enumerate", 0) => Source::Enumerate(Box::new(Source::parse(&m.receiver))),
                    _ => Source::Seq(expr, false),
                }
            }
            _ => Source::Seq(expr, false),
        }
    }

    fn leaves(&self, out: &mut Vec<(&'x Expr, bool)>) {
        match self {
            Source::Seq(e, by_ref) => out.push((e, *by_ref)),
            Source::Zip(a, b) => {
                a.leaves(out);
                b.leaves(out);
            }
            Source::Enumerate(inner) => inner.leaves(out),
        }
    }
}

/// `.w[__ad_v3]` for a projection path, in lowered (renamed) tokens.
fn path_tokens(path: &[Proj], vars: &[Var]) -> TokenStream {
    path.iter()
        .map(|p| match p {
            Proj::Var(v) => {
                let v = var_ident(*v, vars[*v].span);
                quote!([#v])
            }
            Proj::Const(r, c) => quote!([(#r, #c)]),
            Proj::Usize(k) => quote!([#k]),
            Proj::Field(m) => quote!(.#m),
        })
        .collect()
}

fn stmt_expr(stmt: &syn::Stmt) -> &Expr {
    match stmt {
        syn::Stmt::Expr(e, _) => e,
        _ => unreachable!("only called on expression statements"),
    }
}

/// The primitive behind `+=`, `-=`, `*=`, `/=`.
fn compound_op(op: &BinOp) -> Option<&'static Prim> {
    match op {
        BinOp::AddAssign(_) => Some(&prim::ADD),
        BinOp::SubAssign(_) => Some(&prim::SUB),
        BinOp::MulAssign(_) => Some(&prim::MUL),
        BinOp::DivAssign(_) => Some(&prim::DIV),
        _ => None,
    }
}

/// The user names an inert statement may change in place: assignment targets, `&mut`
/// borrows and method receivers (a method may take `&mut self`).
fn mutated_names(expr: &Expr) -> Vec<String> {
    let mut finder = MutationFinder {
        names: Vec::new(),
        receivers: true,
    };
    finder.visit_expr(expr);
    finder.names
}

/// The user names a loop body reassigns (`x = ..`, `x += ..`, `&mut x`): the loop's
/// carried variables.
fn assigned_names(body: &Block) -> Vec<String> {
    let mut finder = MutationFinder {
        names: Vec::new(),
        receivers: false,
    };
    finder.visit_block(body);
    finder.names
}

fn assigned_names_in_expr(expr: &Expr) -> Vec<String> {
    let mut finder = MutationFinder {
        names: Vec::new(),
        receivers: false,
    };
    finder.visit_expr(expr);
    finder.names
}

/// Collects the names at the root of places an expression may change, without repeats.
struct MutationFinder {
    names: Vec<String>,
    /// Whether method receivers count (a method may take `&mut self`).
    receivers: bool,
}

impl<'ast> Visit<'ast> for MutationFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        let target = match expr {
            Expr::Assign(a) => place_base(&a.left),
            Expr::Binary(b) if is_assign_op(&b.op) => place_base(&b.left),
            Expr::Reference(r) if r.mutability.is_some() => place_base(&r.expr),
            Expr::MethodCall(m) if self.receivers => place_base(&m.receiver),
            _ => None,
        };
        if let Some(name) = target
            && !self.names.contains(&name)
        {
            self.names.push(name);
        }
        syn::visit::visit_expr(self, expr);
    }
}

/// The variable at the root of a place expression (`x`, `x[i]`, `x.field`).
fn place_base(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::Index(i) => place_base(&i.expr),
        Expr::Field(f) => place_base(&f.base),
        Expr::Paren(p) => place_base(&p.expr),
        _ => None,
    }
}

fn is_assign_op(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// The trip count of a loop over `a..b` or `a..=b` whose bounds are known at compile
/// time: integer literals, constants (names in upper case, by Rust's convention, that
/// `is_local` does not claim) and arithmetic on them (`1..N - 1`). `0..N` gives `N`
/// itself; other ranges an expression that saturates at zero.
fn constant_trip_count(iter: &Expr, is_local: &dyn Fn(&str) -> bool) -> Option<TokenStream> {
    let Expr::Range(range) = iter else {
        return None;
    };
    let start = range.start.as_deref()?;
    let end = range.end.as_deref()?;
    if !is_constant(start, is_local) || !is_constant(end, is_local) {
        return None;
    }
    match (starts_at_zero(iter), range.limits) {
        (true, syn::RangeLimits::HalfOpen(_)) => Some(unwrap_parens(end).to_token_stream()),
        (_, syn::RangeLimits::HalfOpen(_)) => {
            Some(quote!((((#end) as usize).saturating_sub((#start) as usize))))
        }
        (_, syn::RangeLimits::Closed(_)) => {
            Some(quote!((((#end) as usize + 1).saturating_sub((#start) as usize))))
        }
    }
}

/// Whether `iter` is a range `0..` or `0..=`.
fn starts_at_zero(iter: &Expr) -> bool {
    matches!(iter, Expr::Range(range) if matches!(
        range.start.as_deref().map(unwrap_parens),
        Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(zero), .. })) if zero.base10_digits() == "0"
    ))
}

/// The trip count of a `for` loop over `iter` (as lowered: the function's own variables
/// renamed, so any name left in upper case is a constant) when it is known at compile
/// time, from any start (`1..N - 1`): what a taped loop's `StackTape` is sized by.
pub(crate) fn range_trip_count(iter: &TokenStream) -> Option<TokenStream> {
    let expr: Expr = syn::parse2(iter.clone()).ok()?;
    constant_trip_count(unwrap_parens(&expr), &|_| false)
}

/// An expression without the parentheses or `macro_rules!` groups around it.
fn unwrap_parens(mut e: &Expr) -> &Expr {
    while let Expr::Group(syn::ExprGroup { expr, .. }) | Expr::Paren(syn::ExprParen { expr, .. }) =
        e
    {
        e = expr;
    }
    e
}

/// Whether `e` is an integer known at compile time (see `constant_trip_count`).
fn is_constant(e: &Expr, is_local: &dyn Fn(&str) -> bool) -> bool {
    match unwrap_parens(e) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(_),
            ..
        }) => true,
        Expr::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|last| {
            let name = last.ident.to_string();
            let upper = name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            upper && (p.path.segments.len() > 1 || !is_local(&name))
        }),
        Expr::Binary(b) => {
            matches!(
                b.op,
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
            ) && is_constant(&b.left, is_local)
                && is_constant(&b.right, is_local)
        }
        _ => false,
    }
}

/// `vec!` by name (its last path segment).
fn is_vec_macro(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "vec")
}

/// The two forms of `vec!`.
enum VecLayout {
    Repeat(Box<(Expr, Expr)>),
    List(Vec<Expr>),
}

impl VecLayout {
    fn parse(mac: &syn::Macro, elem_ty: Option<&Ident>) -> syn::Result<VecLayout> {
        let parser = |input: syn::parse::ParseStream| -> syn::Result<VecLayout> {
            if input.is_empty() {
                return Ok(VecLayout::List(Vec::new()));
            }
            let first: Expr = input.parse()?;
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                let count: Expr = input.parse()?;
                return Ok(VecLayout::Repeat(Box::new((first, count))));
            }
            let mut elems = vec![first];
            while !input.is_empty() {
                input.parse::<Token![,]>()?;
                if input.is_empty() {
                    break;
                }
                elems.push(input.parse()?);
            }
            Ok(VecLayout::List(elems))
        };
        let mut layout = syn::parse::Parser::parse2(parser, mac.tokens.clone())?;
        if let Some(elem) = elem_ty {
            match &mut layout {
                VecLayout::Repeat(parts) => LiteralRewriter { elem }.visit_expr_mut(&mut parts.0),
                VecLayout::List(elems) => {
                    for e in elems {
                        LiteralRewriter { elem }.visit_expr_mut(e);
                    }
                }
            }
        }
        Ok(layout)
    }

    fn exprs(&self) -> Vec<&Expr> {
        match self {
            VecLayout::Repeat(parts) => vec![&parts.0, &parts.1],
            VecLayout::List(elems) => elems.iter().collect(),
        }
    }
}

/// The two forms of `tensor!`.
enum StackLayout {
    Column(Vec<Expr>),
    Rows(Vec<Vec<Expr>>),
}

impl StackLayout {
    /// Parses a `tensor!` invocation, rewriting float literals for a generic element type.
    fn parse(mac: &syn::Macro, elem_ty: Option<&Ident>) -> syn::Result<StackLayout> {
        let mut items: Vec<Expr> = mac
            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)?
            .into_iter()
            .collect();
        if let Some(elem) = elem_ty {
            for item in &mut items {
                LiteralRewriter { elem }.visit_expr_mut(item);
            }
        }
        if items.is_empty() {
            return Err(syn::Error::new_spanned(
                mac,
                "`tensor![]` needs at least one element",
            ));
        }
        if !items.iter().any(|e| matches!(e, Expr::Array(_))) {
            return Ok(StackLayout::Column(items));
        }
        let mut rows = Vec::new();
        for item in items {
            let Expr::Array(row) = item else {
                return Err(syn::Error::new_spanned(
                    item,
                    "mix of rows and elements: write every row in brackets, `tensor![[a, b], [c, d]]`",
                ));
            };
            rows.push(row.elems.into_iter().collect::<Vec<_>>());
        }
        let width = rows[0].len();
        if let Some(bad) = rows.iter().find(|r| r.len() != width) {
            return Err(syn::Error::new_spanned(
                mac,
                format!(
                    "rows of different lengths ({width} and {}): every row of a tensor has the same number of elements",
                    bad.len()
                ),
            ));
        }
        Ok(StackLayout::Rows(rows))
    }

    fn elems(&self) -> Vec<&Expr> {
        match self {
            StackLayout::Column(elems) => elems.iter().collect(),
            StackLayout::Rows(rows) => rows.iter().flatten().collect(),
        }
    }

    fn to_tokens_with(&self, mut f: impl FnMut(&Expr) -> TokenStream) -> TokenStream {
        match self {
            StackLayout::Column(elems) => {
                let elems = elems.iter().map(&mut f);
                quote!(#(#elems),*)
            }
            StackLayout::Rows(rows) => {
                let rows = rows.iter().map(|row| {
                    let elems = row.iter().map(&mut f);
                    quote!([#(#elems),*])
                });
                quote!(#(#rows),*)
            }
        }
    }
}

/// Finds a mention of a differentiated variable in an expression, recording the answer
/// for every subexpression on the way (`seen`).
struct VariedFinder<'a, 'e> {
    lowerer: &'a Lowerer<'e>,
    found: bool,
    seen: Vec<(*const Expr, bool)>,
}

impl<'ast> Visit<'ast> for VariedFinder<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        let outer = std::mem::replace(&mut self.found, false);
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            syn::visit::visit_expr(self, expr)
        });
        // Expressions inside macros are parsed into temporaries: never cache those.
        if !matches!(expr, Expr::Macro(_)) {
            self.seen.push((expr as *const Expr, self.found));
        }
        self.found |= outer;
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if let Some(ident) = path.path.get_ident()
            && let Some(v) = self.lowerer.lookup(&ident.to_string())
        {
            self.found |= self.lowerer.vars[v].varied;
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `xs.len()` and `x.detach()` are data even when `x` is differentiated.
        let name = call.method.to_string();
        if call.args.is_empty()
            && (prim::DATA_METHODS.contains(&name.as_str()) || name == prim::DETACH)
        {
            return;
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if is_vec_macro(mac) {
            if let Ok(layout) = VecLayout::parse(mac, None) {
                let mark = self.seen.len();
                for expr in layout.exprs() {
                    self.visit_expr(expr);
                }
                self.seen.truncate(mark);
            }
            return;
        }
        if let Ok(layout) = StackLayout::parse(mac, None) {
            let mark = self.seen.len();
            for expr in layout.elems() {
                self.visit_expr(expr);
            }
            self.seen.truncate(mark);
        }
    }
}

/// Rewrites the user's names in inert code to the IR variables they denote, leaving
/// names bound inside that code (a `let` in a block, a `for` pattern) alone.
struct Renamer<'a, 'e> {
    lowerer: &'a Lowerer<'e>,
    shadowed: Vec<HashSet<String>>,
    error: Option<syn::Error>,
}

impl Renamer<'_, '_> {
    fn is_shadowed(&self, name: &str) -> bool {
        self.shadowed.iter().any(|s| s.contains(name))
    }

    fn shadow_pattern(&mut self, pat: &Pat) {
        struct Names(Vec<String>);
        impl<'ast> Visit<'ast> for Names {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p.ident.to_string());
                syn::visit::visit_pat_ident(self, p);
            }
        }
        let mut names = Names(Vec::new());
        names.visit_pat(pat);
        self.shadowed
            .last_mut()
            .expect("a frame is always open")
            .extend(names.0);
    }

    fn renamed(&self, ident: &Ident) -> Option<Ident> {
        let name = ident.to_string();
        if self.is_shadowed(&name) {
            return None;
        }
        let var = self.lowerer.lookup(&name)?;
        Some(var_ident(var, ident.span()))
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        // `#[checkpoint]` on a loop that carries no differentiated value: nothing to
        // checkpoint, and plain Rust has no such attribute.
        if let Expr::ForLoop(syn::ExprForLoop { attrs, .. })
        | Expr::While(syn::ExprWhile { attrs, .. }) = expr
        {
            attrs.retain(|a| !a.path().is_ident("checkpoint"));
        }
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(new) = p.path.get_ident().and_then(|i| self.renamed(i)) {
                    *expr = Expr::Verbatim(new.into_token_stream());
                }
            }
            Expr::Macro(m) if is_vec_macro(&m.mac) => {
                let layout = match VecLayout::parse(&m.mac, self.lowerer.elem_ty.as_ref()) {
                    Ok(layout) => layout,
                    Err(error) => {
                        self.error.get_or_insert(error);
                        return;
                    }
                };
                let path = m.mac.path.clone();
                let mut renamed = |e: &Expr| {
                    let mut e = e.clone();
                    self.visit_expr_mut(&mut e);
                    e.into_token_stream()
                };
                let body = match &layout {
                    VecLayout::Repeat(parts) => {
                        let (e, n) = (renamed(&parts.0), renamed(&parts.1));
                        quote!(#e; #n)
                    }
                    VecLayout::List(elems) => {
                        let elems = elems.iter().map(&mut renamed);
                        quote!(#(#elems),*)
                    }
                };
                *expr = Expr::Verbatim(quote!(#path![#body]));
            }
            Expr::Macro(m) => {
                let layout = match StackLayout::parse(&m.mac, self.lowerer.elem_ty.as_ref()) {
                    Ok(layout) => layout,
                    Err(error) => {
                        self.error.get_or_insert(error);
                        return;
                    }
                };
                let path = m.mac.path.clone();
                let body = layout.to_tokens_with(|e| {
                    let mut e = e.clone();
                    self.visit_expr_mut(&mut e);
                    e.into_token_stream()
                });
                // The user's own path to `tensor!`, so their import stays used.
                *expr = Expr::Verbatim(quote!(#path![#body]));
            }
            Expr::MethodCall(m)
                if m.method == prim::DETACH && m.args.is_empty() && m.turbofish.is_none() =>
            {
                // `x.detach()` inside data code: the runtime's detach, which needs no import,
                // of the value behind the receiver (a `&Tensor` parameter is a reference
                // in `f` and a value in the derivatives).
                self.visit_expr_mut(&mut m.receiver);
                let receiver = &m.receiver;
                let span = m.method.span();
                *expr = Expr::Verbatim(quote_spanned!(span=>
                    ::autodiff::__private::ops::Detach::detach(
                        ::autodiff::bounds::Operand::value(#receiver)
                    )
                ));
            }
            Expr::MethodCall(m)
                if (m.method == "erf" || m.method == "erfc")
                    && m.args.is_empty()
                    && m.turbofish.is_none() =>
            {
                // `k.erf()` on data: the runtime's (std's `f64::erf` is unstable).
                self.visit_expr_mut(&mut m.receiver);
                let receiver = &m.receiver;
                let span = m.method.span();
                let op = match m.method == "erf" {
                    true => quote_spanned!(span=> ::autodiff::__private::ops::Erf::erf),
                    false => quote_spanned!(span=> ::autodiff::__private::ops::Erfc::erfc),
                };
                *expr = Expr::Verbatim(
                    quote_spanned!(span=> #op(::autodiff::bounds::Operand::value(#receiver))),
                );
            }
            Expr::Struct(s) => {
                // `S { x }` names `x` twice, as field and as value: spell both out.
                for field in &mut s.fields {
                    if field.colon_token.is_none() {
                        field.colon_token = Some(Default::default());
                    }
                }
                syn::visit_mut::visit_expr_struct_mut(self, s);
            }
            // `x.map(|v| ..)` in data code: `v` is the closure's own.
            Expr::Closure(c) => {
                self.shadowed.push(HashSet::new());
                for input in &c.inputs {
                    self.shadow_pattern(input);
                }
                self.visit_expr_mut(&mut c.body);
                self.shadowed.pop();
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.shadowed.push(HashSet::new());
                self.shadow_pattern(&f.pat);
                self.visit_block_mut(&mut f.body);
                self.shadowed.pop();
            }
            _ => stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
                syn::visit_mut::visit_expr_mut(self, expr)
            }),
        }
    }

    fn visit_block_mut(&mut self, block: &mut Block) {
        self.shadowed.push(HashSet::new());
        for stmt in &mut block.stmts {
            match stmt {
                syn::Stmt::Local(local) => {
                    if let Some(init) = &mut local.init {
                        self.visit_expr_mut(&mut init.expr);
                    }
                    let pat = local.pat.clone();
                    self.shadow_pattern(&pat);
                }
                _ => self.visit_stmt_mut(stmt),
            }
        }
        self.shadowed.pop();
    }
}

/// Turns unsuffixed float literals into constants of the generic element type.
struct LiteralRewriter<'a> {
    elem: &'a Ident,
}

/// `k as f64`, `x as f32`: an operand that makes its sibling literal plain data.
fn is_cast_to_concrete_float(expr: &Expr) -> bool {
    let mut e = expr;
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    matches!(e, Expr::Cast(c) if matches!(&*c.ty, syn::Type::Path(t) if t.path.is_ident("f64") || t.path.is_ident("f32")))
}

impl VisitMut for LiteralRewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        // `(k as f64) * 0.5` is `f64` arithmetic in a generic body: its literal stays.
        if let Expr::Binary(b) = expr {
            let (left_cast, right_cast) = (
                is_cast_to_concrete_float(&b.left),
                is_cast_to_concrete_float(&b.right),
            );
            if left_cast || right_cast {
                if !(right_cast && matches!(&*b.left, Expr::Lit(_))) {
                    self.visit_expr_mut(&mut b.left);
                }
                if !(left_cast && matches!(&*b.right, Expr::Lit(_))) {
                    self.visit_expr_mut(&mut b.right);
                }
                return;
            }
        }
        if let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(lit),
            ..
        }) = expr
            && lit.suffix().is_empty()
        {
            let elem = self.elem;
            let span = lit.span();
            *expr =
                Expr::Verbatim(quote_spanned!(span=> <#elem as ::autodiff::Real>::from_f64(#lit)));
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;

    fn lower_str(item: TokenStream, args: TokenStream) -> Result<String, String> {
        let mut errors = Errors::default();
        let args = Args::from_tokens(args, &mut errors);
        let item: syn::ItemFn = syn::parse2(item).unwrap();
        let sig = Signature::validate(&item, &args, &mut errors).unwrap();
        crate::valid::fence(&item.block, &mut errors);
        let ir = lower(&sig, &item.block, &mut errors);
        if errors.is_empty() {
            Ok(ir.to_string())
        } else {
            Err(errors.to_compile_errors().to_string())
        }
    }

    #[test]
    fn calc_lowers_to_a_normal_form() {
        let ir = lower_str(
            quote! {
                fn calc(a: Tensor<f64, 3>) -> f64 {
                    let b = a * 2.0 + 1.0;
                    let c = b * b;
                    let d = c / (c + 2.0);
                    d.mean()
                }
            },
            quote!(),
        )
        .unwrap();
        let expected = "\
*%0:a = param 0
 %1 = inert 2.0
*%2 = mul %0:a, %1
 %3 = inert 1.0
*%4:b = add %2, %3
*%5:c = mul %4:b, %4:b
 %6 = inert 2.0
*%7 = add %5:c, %6
*%8:d = div %5:c, %7
*%9 = mean %8:d
return %9
";
        assert_eq!(ir, expected);
    }

    #[test]
    fn shadowing_reassignment_and_data_pass_through() {
        let ir = lower_str(
            quote! {
                fn f(x: Tensor<f64, 2>, xs: &[f64], n: usize) -> f64 {
                    let mut y = x * xs[0];
                    y += x;
                    let x = y.detach();
                    let m = n as f64;
                    (y * x).sum() / m
                }
            },
            quote!(wrt(x)),
        )
        .unwrap();
        let expected = "\
*%0:x = param 0
 %1:xs = param 1
 %2:n = param 2
 %3 = inert __ad_v1 [0]
*%4:y = mul %0:x, %3
*%5:y = add %4:y, %0:x
 %6:x = detach %5:y
 %7:m = inert __ad_v2 as f64
*%8 = mul %5:y, %6:x
*%9 = sum %8
*%10 = div %9, %7:m
return %10
";
        assert_eq!(ir, expected);
    }

    #[test]
    fn generic_literals_become_element_constants() {
        let ir = lower_str(
            quote! {
                fn f<T: Real>(x: Tensor<T, 2>) -> T {
                    (x * 0.5).sum()
                }
            },
            quote!(),
        )
        .unwrap();
        assert!(
            ir.contains("inert < T as :: autodiff :: Real > :: from_f64 (0.5)"),
            "{ir}"
        );
    }

    #[test]
    fn errors_are_collected_not_stopped_at() {
        let errors = lower_str(
            quote! {
                fn f(x: Tensor<f64, 2>) -> f64 {
                    let y = x.frobnicate();
                    let z = x as f32;
                    (y * z).sum()
                }
            },
            quote!(),
        )
        .unwrap_err();
        assert!(
            errors.contains("`frobnicate` is not a differentiable operation"),
            "{errors}"
        );
        assert!(
            errors.contains("`as` casts of differentiated values"),
            "{errors}"
        );
    }
}
