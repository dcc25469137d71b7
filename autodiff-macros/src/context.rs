//! Where the annotated function sits.
//!
//! An attribute sees only its item, yet what it may emit beside the item depends on the
//! block around it: a module can hold the struct named like the function that callers
//! chain into (see `Emit::full_vjp`), an inherent `impl` only sibling functions, a trait
//! impl nothing but the trait's own methods; and a module that already has a type, a
//! trait or a module of the function's name has no room for the struct. So the macro
//! reads the function's source file (the path and line rustc gives its name's span) and
//! finds the function in it with a small lexer that only tracks braces and item
//! headers. Where that is not possible (a function written by another macro, a tool
//! without source locations), the function is taken to sit in a module, as before.

use proc_macro2::Ident;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

/// The block the function is an item of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Place {
    /// A module, a function body, or not known.
    #[default]
    Module,
    /// `impl Type { .. }`.
    InherentImpl,
    /// `impl Trait for Type { .. }`.
    TraitImpl,
    /// `trait Trait { .. }`.
    Trait,
}

/// What the macro learnt of the function's surroundings.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub place: Place,
    /// Names the function's block already uses in the type namespace (modules, types,
    /// traits), written in the source.
    pub type_names: Rc<HashSet<String>>,
    /// The modules among them.
    pub modules: Rc<HashSet<String>>,
    /// In an inherent impl, the impl's type and const parameters (`T`, `N` of
    /// `impl<T: Real, const N: usize>`), which a `use<..>` bound must list.
    pub impl_params: Option<Vec<String>>,
    /// The functions of the block, each with whether it carries `#[differentiable]` or
    /// `#[custom_vjp]`; empty when the scan did not find the function.
    pub functions: Rc<HashMap<String, bool>>,
}

/// The context of the function named `ident`, from its source file.
pub fn of_function(ident: &Ident) -> Context {
    if !proc_macro::is_available() {
        return Context::default();
    }
    let span = ident.span().unwrap();
    let Some(path) = span.local_file() else {
        return Context::default();
    };
    let Some(file) = analysed(path) else {
        return Context::default();
    };
    file.get(&(span.line(), ident.to_string()))
        .cloned()
        .unwrap_or_else(Context::default)
}

type Analysis = HashMap<(usize, String), Context>;

/// A file's length and modification time, when it was analysed.
type Stamp = (u64, Option<std::time::SystemTime>);

thread_local! {
    /// Each file is read and scanned once per compilation, not once per function; the
    /// length and modification time guard against a long-lived macro server.
    static FILES: RefCell<HashMap<PathBuf, (Stamp, Rc<Analysis>)>> = RefCell::new(HashMap::new());
}

fn analysed(path: PathBuf) -> Option<Rc<Analysis>> {
    let meta = std::fs::metadata(&path).ok()?;
    let stamp = (meta.len(), meta.modified().ok());
    if let Some(found) = FILES.with(|files| {
        files
            .borrow()
            .get(&path)
            .filter(|(seen, _)| *seen == stamp)
            .map(|(_, analysis)| analysis.clone())
    }) {
        return Some(found);
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let analysis = Rc::new(analyse(&text));
    FILES.with(|files| files.borrow_mut().insert(path, (stamp, analysis.clone())));
    Some(analysis)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String, usize),
    Punct(char),
    Open(char),
    Close(char),
}

/// The tokens of Rust source that matter here: identifiers (with their line),
/// punctuation and delimiters. Comments, strings, characters and lifetimes are skipped.
fn lex(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(chars[i] == '\n');
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, &mut line),
            'r' | 'b' | 'c' if raw_string_start(&chars, i).is_some() => {
                let (hashes, quote) = raw_string_start(&chars, i).expect("guarded");
                i = quote + 1;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
            'b' | 'c' if at(i + 1) == '"' => i = skip_string(&chars, i + 2, &mut line),
            '\'' => {
                // A character literal, or a lifetime / label (no closing quote).
                if at(i + 1) == '\\' {
                    // Past the escaped character, which may itself be a quote.
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                }
            }
            _ if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let word = word.strip_prefix("r#").map(str::to_string).unwrap_or(word);
                toks.push(Tok::Ident(word, line));
            }
            '{' | '(' | '[' => {
                toks.push(Tok::Open(c));
                i += 1;
            }
            '}' | ')' | ']' => {
                toks.push(Tok::Close(c));
                i += 1;
            }
            _ => {
                toks.push(Tok::Punct(c));
                i += 1;
            }
        }
    }
    toks
}

/// Past the closing quote of a string whose contents start at `i`.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            c => {
                *line += usize::from(c == '\n');
                i += 1;
            }
        }
    }
    i
}

/// `r"`, `r#"`, `br##"`, `cr"`: the number of `#` and the index of the opening quote.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut k = i;
    if chars[k] != 'r' {
        k += 1;
    }
    if chars.get(k) != Some(&'r') || (k > i && !matches!(chars[i], 'b' | 'c')) {
        return None;
    }
    // Not the tail of an identifier such as `for`.
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    k += 1;
    let mut hashes = 0;
    while chars.get(k) == Some(&'#') {
        hashes += 1;
        k += 1;
    }
    (chars.get(k) == Some(&'"')).then_some((hashes, k))
}

/// An open brace block: its kind, the type-namespace names declared in it, the header
/// of the item being read, and the functions found directly in it.
struct Frame {
    place: Place,
    names: HashSet<String>,
    modules: HashSet<String>,
    impl_params: Option<Vec<String>>,
    header: Vec<Tok>,
    /// `(` and `[` open in the current header.
    depth: usize,
    /// By (line, name), whether annotated.
    functions: Vec<((usize, String), bool)>,
}

impl Frame {
    fn new(place: Place) -> Frame {
        Frame {
            place,
            names: HashSet::new(),
            modules: HashSet::new(),
            impl_params: None,
            header: Vec::new(),
            depth: 0,
            functions: Vec::new(),
        }
    }
}

impl Frame {
    /// Records a type-namespace item declared in the block.
    fn note(&mut self, item: Option<Declared>) {
        if let Some(Declared { name, module }) = item {
            if module {
                self.modules.insert(name.clone());
            }
            self.names.insert(name);
        }
    }
}

/// A type-namespace item an item header declares.
struct Declared {
    name: String,
    module: bool,
}

/// Every function of the file by (line of its name, name), with its context.
fn analyse(text: &str) -> Analysis {
    let mut analysis = Analysis::new();
    let mut frames = vec![Frame::new(Place::Module)];
    let close = |frame: Frame, analysis: &mut Analysis| {
        // Shared by the block's functions, not copied for each.
        let functions: Rc<HashMap<String, bool>> = Rc::new(
            frame
                .functions
                .iter()
                .map(|((_, name), annotated)| (name.clone(), *annotated))
                .collect(),
        );
        let (type_names, modules) = (Rc::new(frame.names), Rc::new(frame.modules));
        for (key, _) in frame.functions {
            let context = Context {
                place: frame.place,
                type_names: type_names.clone(),
                modules: modules.clone(),
                impl_params: frame.impl_params.clone(),
                functions: functions.clone(),
            };
            analysis.insert(key, context);
        }
    };
    let toks = lex(text);
    for (k, tok) in toks.iter().enumerate() {
        let frame = frames.last_mut().expect("the file's frame is never closed");
        match tok {
            Tok::Open('{') => {
                let (place, name) = classify(&frame.header);
                let impl_params =
                    (place == Place::InherentImpl).then(|| impl_params(&frame.header));
                frame.note(name);
                frame.header.clear();
                frame.depth = 0;
                let mut block = Frame::new(place);
                block.impl_params = impl_params;
                frames.push(block);
            }
            Tok::Close('}') => {
                if frames.len() > 1 {
                    let done = frames.pop().expect("checked");
                    close(done, &mut analysis);
                }
                let frame = frames.last_mut().expect("the file's frame is never closed");
                frame.header.clear();
                frame.depth = 0;
            }
            Tok::Punct(';') if frame.depth == 0 => {
                let (_, name) = classify(&frame.header);
                frame.note(name);
                frame.header.clear();
            }
            _ => {
                match tok {
                    Tok::Open(_) => frame.depth += 1,
                    Tok::Close(_) => frame.depth = frame.depth.saturating_sub(1),
                    Tok::Ident(word, _) if word == "fn" => {
                        if let Some(Tok::Ident(name, line)) = toks.get(k + 1) {
                            let annotated = may_be_annotated(&frame.header);
                            frame.functions.push(((*line, name.clone()), annotated));
                        }
                    }
                    _ => {}
                }
                frame.header.push(tok.clone());
            }
        }
    }
    while let Some(frame) = frames.pop() {
        close(frame, &mut analysis);
    }
    analysis
}

/// Whether a function's header may carry `#[differentiable]` or `#[custom_vjp]`: it
/// names one, or has an attribute other than the common built-in ones (which could be
/// the attribute imported under another name).
fn may_be_annotated(header: &[Tok]) -> bool {
    const BUILT_IN: [&str; 10] = [
        "doc",
        "inline",
        "allow",
        "warn",
        "deny",
        "expect",
        "must_use",
        "cold",
        "track_caller",
        "deprecated",
    ];
    header.windows(3).any(|w| match w {
        [Tok::Punct('#'), Tok::Open('['), Tok::Ident(name, _)] => {
            !BUILT_IN.contains(&name.as_str())
        }
        _ => false,
    }) || header
        .iter()
        .any(|t| matches!(t, Tok::Ident(w, _) if w == "differentiable" || w == "custom_vjp"))
}

/// The type and const parameters of an impl header (`impl<T: Real, 'a, const N: usize>`
/// gives `T`, `N`; lifetimes are not tokens here).
fn impl_params(header: &[Tok]) -> Vec<String> {
    let Some(start) = header
        .iter()
        .position(|t| matches!(t, Tok::Ident(w, _) if w == "impl"))
    else {
        return Vec::new();
    };
    let mut params = Vec::new();
    if header.get(start + 1) != Some(&Tok::Punct('<')) {
        return params;
    }
    let (mut angle, mut segment_start) = (0i32, true);
    for tok in &header[start + 1..] {
        match tok {
            Tok::Punct('<') => angle += 1,
            Tok::Punct('>') => {
                angle -= 1;
                if angle == 0 {
                    break;
                }
            }
            Tok::Punct(',') if angle == 1 => segment_start = true,
            Tok::Ident(w, _) if angle == 1 && segment_start && w == "const" => {}
            Tok::Ident(w, _) if angle == 1 && segment_start => {
                params.push(w.clone());
                segment_start = false;
            }
            _ if angle == 1 => segment_start = false,
            _ => {}
        }
    }
    params
}

/// The block an item header opens, and the type-namespace name it declares.
fn classify(header: &[Tok]) -> (Place, Option<Declared>) {
    // Attributes, visibility and qualifiers come first; `(crate)` is skipped with them.
    let mut depth = 0usize;
    let mut first = None;
    for (i, tok) in header.iter().enumerate() {
        match tok {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => depth = depth.saturating_sub(1),
            Tok::Ident(w, _)
                if depth == 0
                    && !matches!(
                        w.as_str(),
                        "pub" | "unsafe" | "default" | "async" | "extern" | "auto"
                    ) =>
            {
                first = Some((i, w.as_str()));
                break;
            }
            _ => {}
        }
    }
    let Some((at, keyword)) = first else {
        return (Place::Module, None);
    };
    let declared = |module: bool| match header.get(at + 1) {
        Some(Tok::Ident(name, _)) => Some(Declared {
            name: name.clone(),
            module,
        }),
        _ => None,
    };
    match keyword {
        "impl" => {
            let mut angle = 0i32;
            let mut trait_impl = false;
            for (i, tok) in header.iter().enumerate().skip(at + 1) {
                match tok {
                    Tok::Punct('<') => angle += 1,
                    Tok::Punct('>')
                        if !matches!(header.get(i.wrapping_sub(1)), Some(Tok::Punct('-'))) =>
                    {
                        angle -= 1
                    }
                    Tok::Ident(w, _) if w == "where" && angle <= 0 => break,
                    Tok::Ident(w, _)
                        if w == "for"
                            && angle <= 0
                            && !matches!(header.get(i + 1), Some(Tok::Punct('<'))) =>
                    {
                        trait_impl = true;
                        break;
                    }
                    _ => {}
                }
            }
            let place = match trait_impl {
                true => Place::TraitImpl,
                false => Place::InherentImpl,
            };
            (place, None)
        }
        "trait" => (Place::Trait, declared(false)),
        "mod" => (Place::Module, declared(true)),
        "struct" | "enum" | "union" | "type" => (Place::Module, declared(false)),
        _ => (Place::Module, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(text: &str, line: usize, name: &str) -> Option<Context> {
        analyse(text).get(&(line, name.to_string())).cloned()
    }

    #[test]
    fn finds_the_block_of_each_function() {
        let text = r#"
mod loss {}
fn loss(x: f64) -> f64 { x }
impl<T: Clone> Model<T> where T: Copy {
    fn scaled(x: f64) -> f64 { let s = "}"; x }
}
impl<'a> Loss for Model<'a> {
    fn value(&self) -> f64 { '}'; 1.0 }
}
/* } */ // }
trait Named { fn name() {} }
fn outer() { struct Inner; fn inner() {} }
impl Fn() -> u8 { fn odd() {} }
"#;
        let free = context(text, 3, "loss").expect("found");
        assert_eq!(free.place, Place::Module);
        assert!(free.type_names.contains("loss"));
        assert!(free.type_names.contains("Named"));
        assert!(free.modules.contains("loss") && !free.modules.contains("Named"));
        let scaled = context(text, 5, "scaled").expect("found");
        assert_eq!(scaled.place, Place::InherentImpl);
        assert_eq!(scaled.impl_params, Some(vec!["T".to_string()]));
        assert_eq!(
            context(text, 8, "value").expect("found").place,
            Place::TraitImpl
        );
        assert_eq!(
            context(text, 11, "name").expect("found").place,
            Place::Trait
        );
        let inner = context(text, 12, "inner").expect("found");
        assert_eq!(inner.place, Place::Module);
        assert!(inner.type_names.contains("Inner"));
        assert!(!inner.type_names.contains("loss"));
        assert_eq!(
            context(text, 13, "odd").expect("found").place,
            Place::InherentImpl
        );
    }

    #[test]
    fn knows_which_functions_are_annotated() {
        let text = "#[differentiable]\nfn f(x: f64) -> f64 { helper(x) }\n#[inline]\nfn helper(x: f64) -> f64 { x }\n#[autodiff::custom_vjp(r)]\nfn p() {}\n#[diff]\nfn renamed() {}\n";
        let f = context(text, 2, "f").expect("found");
        assert_eq!(f.functions.get("f"), Some(&true));
        assert_eq!(f.functions.get("helper"), Some(&false));
        assert_eq!(f.functions.get("p"), Some(&true));
        assert_eq!(f.functions.get("renamed"), Some(&true));
    }

    #[test]
    fn skips_raw_strings_and_lifetimes() {
        let text = "const S: &str = r#\"{ \"# ;\nfn f<'a>(x: &'a f64) -> f64 { *x }\nimpl X { fn g() { let q = '\\''; } }\n";
        assert_eq!(context(text, 2, "f").expect("found").place, Place::Module);
        assert_eq!(
            context(text, 3, "g").expect("found").place,
            Place::InherentImpl
        );
    }
}
