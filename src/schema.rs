//! Declarative field tables (one per API model, in `models/`) and the single
//! walker that validates input against them and writes the wire form.
//!
//! Input is JSON text. From JS it comes from `JSON.stringify` with a replacer
//! that turns bigints into decimal strings and non-finite numbers into the
//! sentinel strings below, so every JS value has one unambiguous JSON form.

use crate::error::Issue;
use crate::json::{num_to_i64, write_str, Json};
use crate::prelude::*;

/// Largest integer a JS number holds exactly (2^53 - 1).
pub const MAX_SAFE: i64 = 9_007_199_254_740_991;
/// Longest string value accepted in any field, in bytes; keeps a stray 10 MiB
/// blob from being signed and sent.
pub const MAX_STRING_BYTES: usize = 64 * 1024;
/// Longest input accepted, in bytes of JSON.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// Validation stops listing issues after this many (the count is still reported).
pub const MAX_ISSUES: usize = 100;
/// Nesting accepted in free-form (unmodelled) values.
pub const MAX_DEPTH: usize = 64;

/// Sentinels for JS `NaN`, `Infinity`, `-Infinity` (a NUL never occurs in real data).
pub const NON_FINITE_PREFIX: char = '\u{0}';

#[derive(Clone, Copy, Debug)]
pub enum Ty {
    Str,
    /// Signed 64-bit integer (`Number` on the reference pages).
    Int,
    /// Integer limited to the listed values.
    IntIn(&'static [i64]),
    /// String limited to the listed values.
    StrIn(&'static [&'static str]),
    Bool,
    /// `yyyy-MM-dd HH:mm:ss` (GMT+8 wall time).
    DateTime,
    Obj(&'static [Field]),
    List(&'static [Field]),
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Wire name.
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// Another accepted input spelling (sent under `name`).
    pub alias: Option<&'static str>,
    /// Everything below this field is optional (a DTO reused where the page
    /// lists its fields as optional).
    pub relax: bool,
}

pub const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
        alias: None,
        relax: false,
    }
}

pub const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
        alias: None,
        relax: false,
    }
}

/// Optional field whose subtree is all optional.
pub const fn opt_relaxed(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
        alias: None,
        relax: true,
    }
}

/// Collects issues with their paths; the path is one reused buffer.
pub struct Ctx {
    pub path: String,
    pub issues: Vec<Issue>,
    pub dropped: usize,
    /// Numbers came through JS numbers: an integer beyond 2^53 was already rounded.
    pub js_numbers: bool,
}

impl Ctx {
    pub fn new(js_numbers: bool) -> Self {
        Ctx {
            path: String::new(),
            issues: Vec::new(),
            dropped: 0,
            js_numbers,
        }
    }

    pub fn issue(&mut self, message: impl Into<String>) {
        if self.issues.len() >= MAX_ISSUES {
            self.dropped += 1;
            return;
        }
        self.issues.push(Issue {
            // Keys are the caller's text: control characters made visible here,
            // once per issue, not on every key the walker visits.
            path: crate::error::visible(self.path.clone()),
            message: message.into(),
        });
    }

    pub fn finish(mut self) -> Vec<Issue> {
        if self.dropped > 0 {
            self.issues.push(Issue {
                path: String::new(),
                message: [
                    "and ",
                    &decimal(self.dropped as i64),
                    " more issues not listed",
                ]
                .concat(),
            });
        }
        self.issues
    }

    fn push_key(&mut self, key: &str) -> usize {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
        len
    }

    fn push_index(&mut self, i: usize) -> usize {
        let len = self.path.len();
        self.path.push('[');
        self.path.push_str(itoa::Buffer::new().format(i));
        self.path.push(']');
        len
    }
}

// Messages are built by `concat`, not `format!`: core::fmt's machinery and
// each call site's argument tables were ~2 KB of the gzipped .wasm (issue 18).
const OUT_OF_RANGE: &str = " is out of range for a 64-bit integer";
const EXPECTED_INT: &str = "expected an integer (number, bigint or decimal string), got ";
const EXPECTED_OBJECT: &str = "expected the parameters as an object, got ";

fn rounded_msg(text: &str) -> String {
    [
        "number ",
        text,
        " is beyond Number.MAX_SAFE_INTEGER and was already rounded; pass it as a string or bigint",
    ]
    .concat()
}

/// `i` in decimal. Not `to_string`: that goes through `core::fmt`, which was
/// ~3 KB of the code the first `prepare` of a process compiles (issue 5).
pub fn decimal(i: i64) -> String {
    itoa::Buffer::new().format(i).into()
}

pub fn describe(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => if *b { "boolean true" } else { "boolean false" }.into(),
        Json::Num(n) => ["number ", n].concat(),
        Json::Str(s) => match non_finite(s) {
            // js/core.mjs's replacer sends an invalid Date as this sentinel.
            Some("Invalid Date") => "an invalid Date".into(),
            Some(name) => ["number ", name].concat(),
            None => {
                let mut t: String = s.chars().take(40).collect();
                if t.len() < s.len() {
                    t.push('…');
                }
                // JSON quoting, not `{:?}`: Debug's escaping tables cost ~4 KB of wasm.
                let mut q = String::from("string ");
                crate::json::write_str(&t, &mut q);
                q
            }
        },
        Json::Arr(_) => "an array".into(),
        Json::Obj(_) => "an object".into(),
    }
}

fn non_finite(s: &str) -> Option<&str> {
    s.strip_prefix(NON_FINITE_PREFIX)
}

/// Integer from a JSON number or a decimal string (bigints arrive as strings).
pub fn parse_int(v: &Json, js_numbers: bool) -> Result<i64, String> {
    match v {
        Json::Num(text) => match num_to_i64(text) {
            Ok(i) if js_numbers && !(-MAX_SAFE..=MAX_SAFE).contains(&i) => Err(rounded_msg(text)),
            Ok(i) => Ok(i),
            Err(true) if js_numbers => Err(rounded_msg(text)),
            Err(true) => Err([text, OUT_OF_RANGE].concat()),
            Err(false) => Err(["expected an integer, got number ", text].concat()),
        },
        Json::Str(s) => {
            if non_finite(s).is_some() {
                return Err(["expected an integer, got ", &describe(v)].concat());
            }
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err([EXPECTED_INT, &describe(v)].concat());
            }
            s.parse::<i64>().map_err(|_| [s, OUT_OF_RANGE].concat())
        }
        _ => Err([EXPECTED_INT, &describe(v)].concat()),
    }
}

/// String field: a string, or an integer given as a number (ids often are).
pub fn parse_str(v: &Json, js_numbers: bool) -> Result<String, String> {
    match v {
        Json::Str(s) if non_finite(s).is_none() => {
            if s.len() > MAX_STRING_BYTES {
                Err([
                    "string of ",
                    &decimal(s.len() as i64),
                    " bytes is longer than the ",
                    &decimal(MAX_STRING_BYTES as i64),
                    " bytes aligate accepts",
                ]
                .concat())
            } else {
                Ok(s.clone())
            }
        }
        Json::Num(_) => parse_int(v, js_numbers)
            .map(decimal)
            .map_err(|_| ["expected a string, got ", &describe(v)].concat()),
        _ => Err(["expected a string, got ", &describe(v)].concat()),
    }
}

fn is_blank(v: &Json) -> bool {
    matches!(v, Json::Null)
}

/// Closest field name, for "did you mean" hints on typos.
fn suggest<'a>(key: &str, fields: &'a [Field]) -> Option<&'a str> {
    fn dist(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    if key.len() > 64 {
        return None;
    }
    fields
        .iter()
        .map(|f| (dist(&key.to_ascii_lowercase(), f.name), f.name))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn member<'v>(map: &'v [(String, Json)], key: &str) -> Option<&'v Json> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Looks a field up under its name or alias; reports a conflict when both are given.
fn lookup<'v>(map: &'v [(String, Json)], f: &Field, ctx: &mut Ctx) -> Option<&'v Json> {
    let main = member(map, f.name).filter(|v| !is_blank(v));
    let alt = f
        .alias
        .and_then(|a| member(map, a))
        .filter(|v| !is_blank(v));
    match (main, alt) {
        (Some(_), Some(_)) => {
            let at = ctx.push_key(f.name);
            ctx.issue(
                [
                    "given both as ",
                    f.name,
                    " and as ",
                    f.alias.unwrap_or_default(),
                    "; pass one",
                ]
                .concat(),
            );
            ctx.path.truncate(at);
            main
        }
        (Some(v), None) | (None, Some(v)) => Some(v),
        (None, None) => None,
    }
}

/// Validates `map` against `fields`, reporting unknown keys and missing required
/// fields, then calls `each` for every present field in table order.
pub fn walk_fields(
    map: &[(String, Json)],
    fields: &[Field],
    relaxed: bool,
    ctx: &mut Ctx,
    mut each: impl FnMut(&Field, &Json, &mut Ctx),
) {
    for (key, _) in map {
        if !fields
            .iter()
            .any(|f| f.name == key || f.alias == Some(key.as_str()))
        {
            let at = ctx.push_key(key);
            match suggest(key, fields) {
                Some(s) => ctx.issue(["unknown field; did you mean ", s, "?"].concat()),
                None => {
                    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    ctx.issue(["unknown field; expected one of ", &names.join(", ")].concat())
                }
            }
            ctx.path.truncate(at);
        }
    }
    for f in fields {
        match lookup(map, f, ctx) {
            Some(v) => {
                let at = ctx.push_key(f.name);
                each(f, v, ctx);
                ctx.path.truncate(at);
            }
            None if f.required && !relaxed => {
                let at = ctx.push_key(f.name);
                ctx.issue("required field is missing");
                ctx.path.truncate(at);
            }
            None => {}
        }
    }
}

/// Validates one value and appends its compact JSON form to `out`.
/// `relaxed` makes every field optional (the same DTO used where the reference
/// page lists its fields as optional).
pub fn write_json(
    v: &Json,
    ty: Ty,
    required: bool,
    relaxed: bool,
    ctx: &mut Ctx,
    out: &mut String,
) {
    match ty {
        Ty::Str if !required && matches!(v, Json::Str(s) if s.trim().is_empty()) => {
            write_str(v.as_str().unwrap_or_default(), out)
        }
        Ty::Str | Ty::StrIn(_) | Ty::DateTime => match scalar(v, ty, ctx) {
            Some(s) => write_str(&s, out),
            None => out.push_str("null"),
        },
        Ty::Int | Ty::IntIn(_) | Ty::Bool => match scalar(v, ty, ctx) {
            Some(s) => out.push_str(&s),
            None => out.push_str("null"),
        },
        Ty::Obj(fields) => {
            let Json::Obj(map) = v else {
                ctx.issue(["expected an object, got ", &describe(v)].concat());
                return;
            };
            out.push('{');
            let mut first = true;
            walk_fields(map, fields, relaxed, ctx, |f, fv, ctx| {
                if !first {
                    out.push(',');
                }
                first = false;
                write_str(f.name, out);
                out.push(':');
                write_json(
                    fv,
                    f.ty,
                    f.required && !relaxed,
                    relaxed || f.relax,
                    ctx,
                    out,
                );
            });
            out.push('}');
        }
        Ty::List(fields) => {
            let Json::Arr(items) = v else {
                ctx.issue(["expected an array, got ", &describe(v)].concat());
                return;
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let at = ctx.push_index(i);
                write_json(item, Ty::Obj(fields), true, relaxed, ctx, out);
                ctx.path.truncate(at);
            }
            out.push(']');
        }
    }
}

/// Validates a scalar and returns its wire text (unquoted).
pub fn scalar(v: &Json, ty: Ty, ctx: &mut Ctx) -> Option<String> {
    let r = match ty {
        Ty::Str => parse_str(v, ctx.js_numbers).and_then(|s| {
            if s.trim().is_empty() {
                Err("must not be empty".to_string())
            } else {
                Ok(s)
            }
        }),
        Ty::StrIn(set) => match v {
            Json::Str(s) if set.contains(&s.as_str()) => Ok(s.clone()),
            _ => Err(["expected one of ", &set.join(", "), ", got ", &describe(v)].concat()),
        },
        Ty::Int => parse_int(v, ctx.js_numbers).map(decimal),
        Ty::IntIn(set) => parse_int(v, ctx.js_numbers).and_then(|i| {
            if set.contains(&i) {
                Ok(decimal(i))
            } else {
                let names: Vec<String> = set.iter().map(|x| decimal(*x)).collect();
                Err(["expected one of ", &names.join(", "), ", got ", &decimal(i)].concat())
            }
        }),
        Ty::Bool => match v {
            Json::Bool(b) => Ok(if *b { "true" } else { "false" }.into()),
            // Java's Boolean.parseBoolean ignores case; Python SDKs send "True".
            Json::Str(s) if s.eq_ignore_ascii_case("true") => Ok("true".into()),
            Json::Str(s) if s.eq_ignore_ascii_case("false") => Ok("false".into()),
            _ => Err(["expected a boolean, got ", &describe(v)].concat()),
        },
        Ty::DateTime => match v {
            Json::Str(s) => crate::time::normalize_top_datetime(s).ok_or_else(|| {
                [
                    "expected a date-time as yyyy-MM-dd HH:mm:ss (or an ISO UTC instant), got ",
                    &describe(v),
                ]
                .concat()
            }),
            _ => Err([
                "expected a date-time as yyyy-MM-dd HH:mm:ss, got ",
                &describe(v),
            ]
            .concat()),
        },
        Ty::Obj(_) | Ty::List(_) => Err("internal: not a scalar".to_string()),
    };
    match r {
        Ok(s) => Some(s),
        Err(m) => {
            ctx.issue(m);
            None
        }
    }
}

/// Validates a top-level parameter set and returns the wire pairs in table order:
/// scalars as text, objects and lists as compact JSON.
pub fn wire_params(
    root: &Json,
    fields: &'static [Field],
    ctx: &mut Ctx,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::with_capacity(fields.len());
    let empty: Vec<(String, Json)> = Vec::new();
    let map = match root {
        Json::Obj(m) => m,
        Json::Null => &empty,
        other => {
            ctx.issue([EXPECTED_OBJECT, &describe(other)].concat());
            return out;
        }
    };
    walk_fields(map, fields, false, ctx, |f, v, ctx| match f.ty {
        Ty::Obj(_) | Ty::List(_) => {
            let mut s = String::with_capacity(256);
            write_json(v, f.ty, true, false, ctx, &mut s);
            out.push((f.name, s));
        }
        // An optional field left blank is simply not sent (TOP drops blanks anyway).
        _ if !f.required && matches!(v, Json::Str(s) if s.trim().is_empty()) => {}
        _ => {
            if let Some(s) = scalar(v, f.ty, ctx) {
                out.push((f.name, s));
            }
        }
    });
    out
}

/// Unmodelled APIs: every value as given (strings verbatim, objects as compact
/// JSON), still refusing numbers that JS already rounded.
pub fn free_params(root: &Json, ctx: &mut Ctx) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Json::Obj(map) = root else {
        if !root.is_null() {
            ctx.issue([EXPECTED_OBJECT, &describe(root)].concat());
        }
        return out;
    };
    for (k, v) in map {
        let at = ctx.push_key(k);
        check_free(v, ctx, 0);
        let text = match v {
            Json::Null => None,
            Json::Str(s) => Some(s.clone()),
            _ => Some(v.text()),
        };
        if let Some(t) = text {
            out.push((k.clone(), t));
        }
        ctx.path.truncate(at);
    }
    out
}

/// Recursively rejects rounded numbers and non-finite sentinels in free-form values.
pub fn check_free(v: &Json, ctx: &mut Ctx, depth: usize) {
    if depth > MAX_DEPTH {
        ctx.issue("nested too deeply");
        return;
    }
    match v {
        Json::Num(t) => {
            let rounded = match num_to_i64(t) {
                Ok(i) => !(-MAX_SAFE..=MAX_SAFE).contains(&i),
                Err(big) => big,
            };
            if rounded && ctx.js_numbers {
                ctx.issue(rounded_msg(t));
            }
        }
        Json::Str(s) if non_finite(s).is_some() => {
            ctx.issue([&describe(v), " cannot be sent"].concat());
        }
        Json::Arr(a) => {
            for (i, x) in a.iter().enumerate() {
                let at = ctx.push_index(i);
                check_free(x, ctx, depth + 1);
                ctx.path.truncate(at);
            }
        }
        Json::Obj(m) => {
            for (k, x) in m {
                let at = ctx.push_key(k);
                check_free(x, ctx, depth + 1);
                ctx.path.truncate(at);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn ints() {
        let j = |t: &str| parse(t).unwrap();
        assert_eq!(parse_int(&j("5"), true), Ok(5));
        assert_eq!(parse_int(&j("\"9223372036854775807\""), true), Ok(i64::MAX));
        assert!(parse_int(&j("\"9223372036854775808\""), true).is_err());
        assert!(parse_int(&j("1.5"), true).is_err());
        assert!(parse_int(&j("\"1.5\""), true).is_err());
        assert!(parse_int(&j("\"\""), true).is_err());
        assert!(parse_int(&j("\"-\""), true).is_err());
        assert!(parse_int(&j("\"\\u0000NaN\""), true).is_err());
        assert!(parse_int(&j("9007199254740993"), true).is_err());
        assert_eq!(
            parse_int(&j("9007199254740993"), false),
            Ok(9_007_199_254_740_993)
        );
        assert_eq!(parse_int(&j("1e3"), true), Ok(1000));
    }
}
