//! A minimal XML reader for gateway responses, into `Json`: elements become
//! objects, repeated elements arrays, leaves strings. Attributes, comments,
//! processing instructions and DOCTYPE are skipped; CDATA and the five named
//! plus numeric entities are decoded.
//!
//! Why not quick-xml: the responses are small, flat documents and quick-xml
//! cost ~9 KB gzip of the 64 KB wasm budget; this reader is fuzzed (`fuzz/`).

use crate::json::{merge_repeated, push_member, sub, Json};
use crate::prelude::*;

const MAX_DEPTH: usize = 128;

/// An open element: name, children so far, text so far.
type Open = (String, Vec<(String, Json)>, String);

/// Why a body is not an XML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub message: String,
    /// The text ended inside an element, tag or section: a cut body, not a
    /// malformed one (retry classification reads this, never the message).
    pub truncated: bool,
}

impl From<String> for XmlError {
    fn from(message: String) -> Self {
        XmlError {
            message,
            truncated: false,
        }
    }
}

impl From<&str> for XmlError {
    fn from(message: &str) -> Self {
        String::from(message).into()
    }
}

/// The text ended while `what` was open.
fn cut(what: &str) -> XmlError {
    XmlError {
        message: ["truncated XML body: unclosed ", what].concat(),
        truncated: true,
    }
}

pub fn parse(text: &str) -> Result<Json, XmlError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<(String, Json)> = None;
    while i < b.len() {
        if b[i] != b'<' {
            let end = find(b, i, b"<").unwrap_or(b.len());
            let raw = sub(text, i, end);
            match stack.last_mut() {
                Some(top) => top.2.push_str(&unescape(raw)?),
                None if raw.trim().is_empty() => {}
                None => return Err("text outside the root element".into()),
            }
            i = end;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<?") {
            i = find(b, i, b"?>").ok_or_else(|| cut("<?"))? + 2;
        } else if rest.starts_with(b"<!--") {
            i = find(b, i, b"-->").ok_or_else(|| cut("comment"))? + 3;
        } else if rest.starts_with(b"<![CDATA[") {
            let end = find(b, i + 9, b"]]>").ok_or_else(|| cut("CDATA"))?;
            match stack.last_mut() {
                Some(top) => top.2.push_str(sub(text, i + 9, end)),
                None => return Err("CDATA outside the root element".into()),
            }
            i = end + 3;
        } else if rest.starts_with(b"<!") {
            i = find(b, i, b">").ok_or_else(|| cut("<!"))? + 1;
        } else if rest.starts_with(b"</") {
            let end = find(b, i, b">").ok_or_else(|| cut("end tag"))?;
            let name = sub(text, i + 2, end).trim();
            let Some((open, children, txt)) = stack.pop() else {
                return Err(["malformed XML body: unexpected </", name, ">"]
                    .concat()
                    .into());
            };
            if open != name {
                return Err(
                    ["malformed XML body: <", &open, "> closed by </", name, ">"]
                        .concat()
                        .into(),
                );
            }
            let v = if children.is_empty() {
                Json::Str(txt.trim().to_string())
            } else {
                let mut children = children;
                merge_repeated(&mut children, repeat);
                Json::Obj(children)
            };
            attach(&mut stack, &mut root, open, v)?;
            i = end + 1;
        } else {
            let end = tag_end(b, i).ok_or_else(|| cut("start tag"))?;
            let inner = sub(text, i + 1, end);
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(s) => (s, true),
                None => (inner, false),
            };
            let name = inner
                .split(|c: char| c.is_ascii_whitespace())
                .next()
                .unwrap_or_default()
                .to_string();
            if name.is_empty() {
                return Err("malformed XML body: empty tag name".into());
            }
            if empty {
                attach(&mut stack, &mut root, name, Json::Str(String::new()))?;
            } else {
                if stack.len() >= MAX_DEPTH {
                    return Err("XML nested too deeply".into());
                }
                stack.push((name, Vec::new(), String::new()));
            }
            i = end + 1;
        }
    }
    if !stack.is_empty() {
        return Err(cut("elements"));
    }
    match root {
        Some((name, v)) => Ok(Json::Obj(vec![(name, v)])),
        None => Err("empty XML body".into()),
    }
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}

/// The `>` that ends the start tag at `from`, skipping quoted attribute
/// values (`<x a=">">`).
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &c) in b.get(from..)?.iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, b'>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// A repeated element: the first occurrence becomes an array of all of them.
/// Element values are strings or objects, never arrays, until grouped here.
fn repeat(existing: &mut Json, v: Json) {
    match existing {
        Json::Arr(a) => a.push(v),
        _ => {
            let prev = core::mem::take(existing);
            *existing = Json::Arr(vec![prev, v]);
        }
    }
}

fn attach(
    stack: &mut [Open],
    root: &mut Option<(String, Json)>,
    name: String,
    v: Json,
) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => {
            push_member(&mut parent.1, name, v, repeat);
            Ok(())
        }
        None if root.is_none() => {
            *root = Some((name, v));
            Ok(())
        }
        None => Err("malformed XML body: more than one root element".into()),
    }
}

fn unescape(s: &str) -> Result<String, String> {
    if !s.contains('&') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, after)) = rest.split_once('&') {
        out.push_str(before);
        let (ent, tail) = after
            .split_once(';')
            .filter(|(e, _)| e.len() <= 10)
            .ok_or("malformed XML body: bad entity")?;
        let ch = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code =
                    if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse::<u32>().ok()
                    } else {
                        None
                    };
                code.and_then(char::from_u32)
                    .ok_or_else(|| ["malformed XML body: unknown entity &", ent, ";"].concat())?
            }
        };
        out.push(ch);
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gateway_xml() {
        let v = parse("<?xml version=\"1.0\"?><r a=\"1\"><x>1 &amp; &#x4E2D;</x><l><i>a</i><i>b</i></l><e/><c><![CDATA[<raw>]]></c></r>").unwrap();
        let r = v.get("r").unwrap();
        assert_eq!(r.get("x").unwrap().as_str(), Some("1 & 中"));
        assert_eq!(
            r.get("l")
                .unwrap()
                .get("i")
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(r.get("e").unwrap().as_str(), Some(""));
        assert_eq!(r.get("c").unwrap().as_str(), Some("<raw>"));
    }

    #[test]
    fn quoted_gt_in_attributes_and_many_siblings() {
        let v = parse("<r><x a=\">\" b='>'>1</x><y c=\"/>\"/></r>").unwrap();
        let r = v.get("r").unwrap();
        assert_eq!(r.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(r.get("y").unwrap().as_str(), Some(""));
        let mut t = String::from("<r>");
        for i in 0..100 {
            t.push_str(&format!("<k{}>{}</k{}>", i % 30, i, i % 30));
        }
        t.push_str("</r>");
        let v = parse(&t).unwrap();
        let Json::Obj(m) = v.get("r").unwrap() else {
            panic!()
        };
        assert_eq!(m.len(), 30);
        assert_eq!(m[0].0, "k0");
        let k0: Vec<&str> = m[0]
            .1
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(k0, ["0", "30", "60", "90"]);
    }

    #[test]
    fn rejects_bad_xml() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a>&bogus;</a>",
            "<a></a><b></b>",
            "</a>",
            "x<a/>",
            "<a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
