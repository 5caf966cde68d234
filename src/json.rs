//! A small JSON value, parser and writer for the hot path.
//!
//! Why not `serde_json::Value`: numbers must stay exact text (19-digit ids,
//! no float round trips), objects keep the caller's key order, and the wasm
//! budget is 64 KB gzip. serde_json's `arbitrary_precision` Value and its error
//! and float machinery cost ~35 KB gzip and a third of `prepare`'s time here.
//! The parser is checked against serde_json (the oracle) in `tests/props.rs`
//! and fuzzed (`fuzz/`).

use crate::prelude::*;
use core::fmt;

pub const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    /// The number's JSON text, exactly as received.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    /// Members in input order; a repeated key keeps its first position and last value.
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Obj(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key`, replacing an existing member in place.
    pub fn insert(&mut self, key: &str, value: Json) {
        if let Json::Obj(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Compact JSON text (`to_string` without `core::fmt`).
    pub fn text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// Compact JSON text.
    pub fn write(&self, out: &mut String) {
        self.write_with(out, &|n, out| out.push_str(n));
    }

    /// Compact JSON text, numbers written by `num` (decode.rs quotes the ones
    /// JS cannot hold exactly).
    pub fn write_with(&self, out: &mut String, num: &dyn Fn(&str, &mut String)) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => num(n, out),
            Json::Str(s) => write_str(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write_with(out, num);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    x.write_with(out, num);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A JSON string literal: `"` and `\` and control characters escaped; the rest
/// (all of Unicode) verbatim.
pub fn write_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &str = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(sub(s, start, i));
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(c >> 4) as usize] as char);
            out.push(HEX[(c & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(sub(s, start, s.len()));
    out.push('"');
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: &'static str,
    /// Byte offset.
    pub at: usize,
    /// The input ended before the value did (a truncated body).
    pub eof: bool,
}

impl ParseError {
    /// "<message> at byte <n>", without core::fmt (see `schema`'s messages).
    pub fn text(&self) -> String {
        [
            self.message,
            " at byte ",
            &crate::schema::decimal(self.at as i64),
        ]
        .concat()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

struct Parser<'a> {
    /// The text, for slicing out runs as `&str` (a boundary check instead of
    /// validating every byte again); `b` is the same bytes.
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

/// Parses bytes that should be UTF-8 JSON.
pub fn parse_bytes(bytes: &[u8]) -> Result<Json, ParseError> {
    match core::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(e) => Err(ParseError {
            message: "body is not UTF-8",
            at: e.valid_up_to(),
            eof: e.error_len().is_none(),
        }),
    }
}

impl Parser<'_> {
    fn err(&self, message: &'static str) -> ParseError {
        ParseError {
            message,
            at: self.i,
            eof: self.i >= self.b.len(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &'static [u8], v: Json) -> Result<Json, ParseError> {
        let end = self.i + word.len();
        match self.b.get(self.i..end) {
            Some(s) if s == word => {
                self.i = end;
                Ok(v)
            }
            _ if end > self.b.len() && word.starts_with(&self.b[self.i..]) => {
                self.i = self.b.len();
                Err(self.err("unexpected end of input"))
            }
            _ => Err(self.err("expected a JSON value")),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.lit(b"null", Json::Null),
            Some(b't') => self.lit(b"true", Json::Bool(true)),
            Some(b'f') => self.lit(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        None => return Err(self.err("unexpected end of input")),
                        _ => return Err(self.err("expected , or ] in an array")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut members: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b'"') => {}
                        None => return Err(self.err("unexpected end of input")),
                        _ => return Err(self.err("expected a string key")),
                    }
                    let k = self.string()?;
                    self.ws();
                    match self.peek() {
                        Some(b':') => self.i += 1,
                        None => return Err(self.err("unexpected end of input")),
                        _ => return Err(self.err("expected : after a key")),
                    }
                    self.ws();
                    let v = self.value(depth + 1)?;
                    push_member(&mut members, k, v, |old, v| *old = v);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            merge_repeated(&mut members, |old, v| *old = v);
                            return Ok(Json::Obj(members));
                        }
                        None => return Err(self.err("unexpected end of input")),
                        _ => return Err(self.err("expected , or } in an object")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            None => return Err(self.err("unexpected end of input")),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err(if self.peek().is_none() {
                    "unexpected end of input"
                } else {
                    "invalid number"
                }));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err(if self.peek().is_none() {
                    "unexpected end of input"
                } else {
                    "invalid number"
                }));
            }
        }
        // The slice is ASCII by construction.
        let text = self.s.get(start..self.i).unwrap_or_default().to_string();
        Ok(Json::Num(text))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                None => return Err(self.err("unexpected end of input")),
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = v * 16 + d as u32;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Input is &str and we stop only at ASCII bytes: a char boundary.
            out.push_str(self.s.get(start..self.i).unwrap_or_default());
            match self.peek() {
                None => return Err(self.err("unexpected end of input")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        None => return Err(self.err("unexpected end of input")),
                        Some(c) => c,
                    };
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.err(if self.i + 2 > self.b.len() {
                                        "unexpected end of input"
                                    } else {
                                        "lone surrogate in \\u escape"
                                    }));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("lone surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.err("lone surrogate in \\u escape"));
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(ch) => out.push(ch),
                                None => return Err(self.err("invalid \\u escape")),
                            }
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in a string")),
            }
        }
    }
}

/// Members checked for a repeated key on insertion; past this many they are
/// appended and `merge_repeated` groups them once (a scan per insertion made
/// a 350,000-key body take minutes).
const SCANNED: usize = 16;

/// Appends a member; among the first `SCANNED` a repeated key is combined
/// into the first one at once. Callers run `merge_repeated` when the
/// object is complete.
pub(crate) fn push_member(
    m: &mut Vec<(String, Json)>,
    k: String,
    v: Json,
    combine: fn(&mut Json, Json),
) {
    if m.len() < SCANNED {
        if let Some((_, old)) = m.iter_mut().find(|(mk, _)| *mk == k) {
            combine(old, v);
            return;
        }
    }
    m.push((k, v));
}

/// Combines every later member with a key into its first one, in input
/// order, keeping the first's position: O(n log n) in the member count.
pub(crate) fn merge_repeated(m: &mut Vec<(String, Json)>, combine: fn(&mut Json, Json)) {
    if m.len() <= SCANNED {
        return;
    }
    let mut order: Vec<u32> = (0..m.len() as u32).collect();
    // The index breaks ties, so equal keys stay in input order.
    crate::sign::sort_unstable(&mut order, |&a, &b| {
        (&m[a as usize].0, a) < (&m[b as usize].0, b)
    });
    let mut keep = vec![true; m.len()];
    let mut g = 0;
    while g < order.len() {
        let first = order[g] as usize;
        let mut j = g + 1;
        while j < order.len() && m[order[j] as usize].0 == m[first].0 {
            let later = order[j] as usize;
            let v = core::mem::take(&mut m[later].1);
            combine(&mut m[first].1, v);
            keep[later] = false;
            j += 1;
        }
        g = j;
    }
    let mut kept = keep.into_iter();
    m.retain(|_| kept.next().unwrap_or(true));
}

/// `s[a..b]`, or "" off a char boundary. The callers' indices sit on ASCII
/// delimiters; `get` keeps core's panic formatting (char boundary messages,
/// `char` Debug, Unicode tables: ~4 KB) out of the .wasm.
pub(crate) fn sub(s: &str, a: usize, b: usize) -> &str {
    s.get(a..b).unwrap_or_default()
}

/// Byte offset of `needle` in `hay`. A first-byte scan instead of `str::find`:
/// core's two-way `StrSearcher` and the panic paths it drags in were ~3 KB
/// of the .wasm, and every needle here is a short literal.
#[doc(hidden)]
pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let first = *n.first()?;
    let mut i = 0;
    while let Some(p) = h.get(i..)?.iter().position(|&b| b == first) {
        let at = i + p;
        if h.get(at..at + n.len()) == Some(n) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Exact integer value of a JSON number's text, if it is an integer in i64
/// range. `Err(true)` = integer but out of range; `Err(false)` = not an integer.
pub fn num_to_i64(text: &str) -> Result<i64, bool> {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => {
            let e_val: i64 = match e.parse() {
                Ok(v) => v,
                // An exponent beyond i64: absurdly large or small.
                Err(_) => return Err(!e.starts_with('-')),
            };
            (m, e_val)
        }
        None => (rest, 0),
    };
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = String::with_capacity(int_part.len() + frac.len());
    digits.push_str(int_part);
    digits.push_str(frac);
    let mut exp = exp.saturating_sub(frac.len() as i64);
    while digits.len() > 1 && digits.ends_with('0') && exp < 0 {
        digits.pop();
        exp += 1;
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    if exp < 0 {
        return Err(false);
    }
    if (digits.len() as i64).saturating_add(exp) > 19 {
        return Err(true);
    }
    let mut s = String::with_capacity(20);
    if neg {
        s.push('-');
    }
    s.push_str(digits);
    for _ in 0..exp {
        s.push('0');
    }
    s.parse::<i64>().map_err(|_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_str_agrees_with_str_find() {
        let hays = [
            "",
            "a",
            "aaab",
            "xaabaab",
            "中文null中",
            "ban will last 3",
            "ab",
            "nul",
        ];
        let needles = [
            "a",
            "aab",
            "ab",
            "null",
            "中",
            "文n",
            "ban will last",
            "b",
            "nulll",
        ];
        for h in hays {
            for n in needles {
                assert_eq!(find_str(h, n), h.find(n), "{h:?} / {n:?}");
            }
            assert_eq!(
                find_str(h, ""),
                None,
                "empty needles are never searched for"
            );
        }
        assert_eq!(sub("中a", 1, 3), "", "off a char boundary: empty, no panic");
        assert_eq!(sub("中a", 3, 4), "a");
        assert_eq!(sub("ab", 1, 9), "");
    }

    #[test]
    fn round_trip() {
        let t = r#"{"a":[1,-2.5e3,true,null,"x\"\\\n\u00e9\ud83d\ude00"],"b":{}}"#;
        let v = parse(t).unwrap();
        assert_eq!(v.get("a").unwrap().as_array().unwrap().len(), 5);
        let mut out = String::new();
        v.write(&mut out);
        assert_eq!(parse(&out).unwrap(), v);
        assert!(out.contains("é😀"));
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "{",
            "[1,",
            "\"abc",
            "tru",
            "01",
            "1.",
            "-",
            "{\"a\" 1}",
            "[1 2]",
            "\"\\ud800\"",
            "1 2",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("{\"a\":").unwrap_err().eof);
        assert!(!parse("{,}").unwrap_err().eof);
        let deep = "[".repeat(200);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn repeated_keys_first_position_last_value() {
        for n in [3usize, 16, 17, 40, 1000] {
            let mut t = String::from("{");
            for i in 0..n {
                t.push_str(&format!("\"k{}\":{},", i % 7, i));
            }
            t.push_str("\"z\":0}");
            let v = parse(&t).unwrap();
            let Json::Obj(m) = &v else { panic!() };
            let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
            let mut want: Vec<String> = (0..n.min(7)).map(|i| format!("k{i}")).collect();
            want.push("z".into());
            assert_eq!(keys, want, "n={n}");
            for (k, x) in m.iter().take(n.min(7)) {
                let i: usize = k[1..].parse().unwrap();
                let last = (0..n).filter(|j| j % 7 == i).max().unwrap();
                assert_eq!(x, &Json::Num(last.to_string()), "n={n} {k}");
            }
        }
    }

    #[test]
    fn ints() {
        assert_eq!(num_to_i64("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(num_to_i64("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(num_to_i64("9223372036854775808"), Err(true));
        assert_eq!(num_to_i64("1e3"), Ok(1000));
        assert_eq!(num_to_i64("1.5"), Err(false));
        assert_eq!(num_to_i64("1.50e1"), Ok(15));
        assert_eq!(num_to_i64("-0"), Ok(0));
        assert_eq!(num_to_i64("0.0e5"), Ok(0));
        assert_eq!(num_to_i64("1e+21"), Err(true));
        assert_eq!(num_to_i64("1e-400"), Err(false));
        assert_eq!(num_to_i64("1e99999999999999999999"), Err(true));
    }
}
