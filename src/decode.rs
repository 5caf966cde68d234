//! transport → decode: a received response (status, content type, body bytes)
//! into the result JSON handed to JS, or a typed error.
//!
//! 64-bit integers: every JSON integer outside ±(2^53-1) is emitted as a
//! decimal string with its exact digits; everything else keeps its JSON type.
//! XML leaves are strings, except the fields the reference pages document as
//! Number/Boolean, which follow the same rule as JSON.

use crate::error::{ApiFields, Cause, Error, ErrorKind, Result};
use crate::json::{self, find_str, num_to_i64, write_str, Json};
use crate::models::{self, Protocol, RespTy};
use crate::prelude::*;
use crate::prepare::Format;
use crate::schema::{decimal, MAX_SAFE};

/// Default cap on a response body; larger is a decode error.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
const MAX_XML_DEPTH: usize = 128;

/// What the transport received.
pub struct Received<'a> {
    pub status: u16,
    pub content_type: &'a str,
    pub body: &'a [u8],
}

/// Which call the response belongs to.
pub struct Call<'a> {
    pub protocol: Protocol,
    pub api: &'a str,
    pub format: Format,
    pub simplify: bool,
}

fn excerpt(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let mut t: String = s.chars().filter(|c| !c.is_control() || *c == ' ').collect();
    if body.len() > 200 {
        t.push('…');
    }
    t
}

fn http_error(r: &Received) -> Error {
    let mut e = Error::new(
        ErrorKind::Http,
        ["HTTP ", &decimal(r.status.into()), ": ", &excerpt(r.body)].concat(),
    );
    e.status = Some(r.status);
    e
}

/// A gateway field as error text (control characters made visible).
fn text_of(v: Option<&Json>) -> Option<String> {
    let t = match v? {
        Json::Str(s) => s.clone(),
        Json::Null => return None,
        Json::Num(n) => n.clone(),
        other => other.text(),
    };
    Some(crate::error::visible(t))
}

/// Parses a body as the call's format into a JSON value (XML via `xml.rs`);
/// a body that ends early is a decode error with `Cause::Truncated`.
fn parse_body(body: &[u8], format: Format) -> Result<Json> {
    let cut = |m: String, truncated: bool| {
        let e = Error::decode(m);
        if truncated {
            e.with_cause(Cause::Truncated)
        } else {
            e
        }
    };
    match format {
        Format::Json => json::parse_bytes(body).map_err(|e| {
            if e.eof {
                cut(["truncated JSON body: ", &e.text()].concat(), true)
            } else {
                cut(["malformed JSON body: ", &e.text()].concat(), false)
            }
        }),
        Format::Xml => match core::str::from_utf8(body) {
            Ok(t) => crate::xml::parse(t).map_err(|e| cut(e.message, e.truncated)),
            Err(_) => Err(Error::decode("malformed XML body: not UTF-8")),
        },
    }
}

/// Gives XML leaves their documented types.
fn coerce(v: &mut Json, types: &[(&str, RespTy)], depth: usize) {
    if depth > MAX_XML_DEPTH {
        return;
    }
    match v {
        Json::Obj(m) => {
            for (k, x) in m.iter_mut() {
                if let Json::Str(s) = x {
                    match types.iter().find(|(n, _)| n == k).map(|(_, t)| *t) {
                        Some(RespTy::Int) => {
                            if let Ok(n) = s.parse::<i64>() {
                                *x = Json::Num(decimal(n));
                            }
                        }
                        Some(RespTy::Bool) if s == "true" || s == "false" => {
                            *x = Json::Bool(s == "true");
                        }
                        _ => {}
                    }
                } else {
                    coerce(x, types, depth + 1);
                }
            }
        }
        Json::Arr(a) => a.iter_mut().for_each(|x| coerce(x, types, depth + 1)),
        _ => {}
    }
}

/// Writes `v` as JSON for `JSON.parse`; a number JS would not hold exactly
/// is a string (see `js_number`).
pub fn to_js_json(v: &Json, out: &mut String) {
    v.write_with(out, &|t, out| match js_number(t) {
        JsNumber::Keep => out.push_str(t),
        JsNumber::Int(i) => write_str(&crate::schema::decimal(i), out),
        JsNumber::Text => write_str(t, out),
    });
}

enum JsNumber {
    /// `JSON.parse` gives the value (an integer exactly; a fraction as JS
    /// always rounds fractions).
    Keep,
    /// An integer beyond ±(2^53-1), sent as its exact decimal digits
    /// (`1234567890123456789.0` → "1234567890123456789").
    Int(i64),
    /// Beyond i64, or a magnitude that would become ±Infinity or 0: the text
    /// as received (`1e999`, `99999999999999999999`).
    Text,
}

fn js_number(t: &str) -> JsNumber {
    match num_to_i64(t) {
        Ok(i) if (-MAX_SAFE..=MAX_SAFE).contains(&i) => JsNumber::Keep,
        Ok(i) => JsNumber::Int(i),
        Err(true) => JsNumber::Text,
        // f64 spans about 1e-308..1.8e308; a bound of whole decades keeps
        // float parsing (~10 KB of wasm) out.
        Err(false) => match decimal_exponent(t) {
            Some(e) if !(-307..=307).contains(&e) => JsNumber::Text,
            _ => JsNumber::Keep,
        },
    }
}

/// The power of ten of a number's leading significant digit (`0.05e3` → 1),
/// or None for zero.
fn decimal_exponent(t: &str) -> Option<i64> {
    let t = t.strip_prefix('-').unwrap_or(t);
    let (m, e) = t.split_once(['e', 'E']).unwrap_or((t, "0"));
    // An exponent past i64 saturates: its sign alone decides.
    let e: i64 = e.parse().unwrap_or(if e.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    });
    let (int, frac) = m.split_once('.').unwrap_or((m, ""));
    let int = int.trim_start_matches('0');
    let lead = if !int.is_empty() {
        int.len() as i64 - 1
    } else {
        let zeros = frac.len() - frac.trim_start_matches('0').len();
        if zeros == frac.len() {
            return None;
        }
        -(zeros as i64) - 1
    };
    Some(lead.saturating_add(e))
}

fn content_type_ok(ct: &str, format: Format) -> bool {
    let ct = ct.to_ascii_lowercase();
    if ct.is_empty() || ct.starts_with("text/plain") {
        return true;
    }
    match format {
        Format::Json => find_str(&ct, "json").is_some() || ct.starts_with("text/javascript"),
        Format::Xml => find_str(&ct, "xml").is_some(),
    }
}

/// Decodes a response: `Ok(json)` is the result for the caller (the body
/// without its envelope, wire names, request id included); errors carry the
/// gateway's fields.
pub fn decode(call: &Call, r: &Received, max_body: usize) -> Result<String> {
    if r.body.len() > max_body {
        let mut e = Error::decode(
            [
                "response body larger than the ",
                &decimal(max_body as i64),
                " bytes allowed",
            ]
            .concat(),
        );
        e.status = Some(r.status);
        return Err(e);
    }
    let ok_status = (200..300).contains(&r.status);
    if !content_type_ok(r.content_type, call.format) {
        if !ok_status {
            return Err(http_error(r));
        }
        let mut quoted = String::new();
        crate::json::write_str(r.content_type, &mut quoted);
        let mut e = Error::decode(
            [
                "unexpected content type ",
                &quoted,
                if call.format == Format::Json {
                    " for a JSON response: "
                } else {
                    " for a XML response: "
                },
                &excerpt(r.body),
            ]
            .concat(),
        );
        e.status = Some(r.status);
        return Err(e);
    }
    let mut value = match parse_body(r.body, call.format) {
        Ok(v) => v,
        Err(_) if !ok_status => return Err(http_error(r)),
        Err(mut e) => {
            e.status = Some(r.status);
            return Err(e);
        }
    };
    let mut result = match call.protocol {
        Protocol::Top => decode_top(call, r, &mut value)?,
        Protocol::AliyunRpc => decode_rpc(call, r, &mut value)?,
    };
    if call.format == Format::Xml {
        if let Some(m) = models::find(call.api) {
            coerce(&mut result, m.response_types, 0);
        }
    }
    let mut out = String::with_capacity(r.body.len() + 16);
    to_js_json(&result, &mut out);
    Ok(out)
}

/// Decodes a batch answer (`prepare::batch`): the body split on `separator`,
/// each part decoded by `decode` as a single call's response, in request
/// order. `Err` is a failure of the whole batch: a status outside 2xx or a
/// part count that differs from the call count, decoded from the first part
/// (where the gateway puts its rejection); when that part is no error, the
/// answer does not match the request and the outcome is unknown.
pub fn decode_batch(
    calls: &[Call],
    r: &Received,
    separator: &str,
    max_body: usize,
) -> Result<Vec<Result<String>>> {
    let Some(first) = calls.first() else {
        return Err(Error::new(ErrorKind::Internal, "a batch without calls"));
    };
    if r.body.len() > max_body {
        return decode(first, r, max_body).map(|_| Vec::new());
    }
    let parts = crate::prepare::batch::split(r.body, separator.as_bytes(), calls.len() + 1);
    let part = |body| Received { body, ..*r };
    if parts.len() != calls.len() || !(200..300).contains(&r.status) {
        let head = parts.first().copied().unwrap_or_default();
        // The gateway refuses a whole batch with ONE part; any other count
        // (a part lost, or a separator inside a value) may follow calls that
        // were applied, so it decides nothing: every outcome is unknown.
        let whole = parts.len() == 1 || parts.len() == calls.len();
        let mut e = match decode(first, &part(head), max_body) {
            Err(e) if whole => e,
            _ => Error::decode(
                [
                    "the batch answer has ",
                    &decimal(parts.len() as i64),
                    " part(s) for the ",
                    &decimal(calls.len() as i64),
                    " calls sent",
                    if parts.len() == calls.len() {
                        " and a failure status"
                    } else {
                        ""
                    },
                ]
                .concat(),
            )
            .with_cause(Cause::Truncated),
        };
        e.status = Some(r.status);
        return Err(e);
    }
    Ok(calls
        .iter()
        .zip(parts)
        .map(|(c, p)| decode(c, &part(p), max_body))
        .collect())
}

fn decode_top(call: &Call, r: &Received, value: &mut Json) -> Result<Json> {
    let Json::Obj(map) = value else {
        return Err(Error::decode("TOP response is not an object"));
    };
    if let Some((_, err)) = map.iter().find(|(k, _)| k == "error_response") {
        let api = ApiFields {
            code: text_of(err.get("code")),
            message: text_of(err.get("msg")),
            sub_code: text_of(err.get("sub_code")),
            sub_msg: text_of(err.get("sub_msg")),
            request_id: text_of(err.get("request_id")),
            ..Default::default()
        };
        let mut msg = [
            "TOP error ",
            api.code.as_deref().unwrap_or("?"),
            ": ",
            api.message.as_deref().unwrap_or(""),
        ]
        .concat();
        if let Some(sc) = &api.sub_code {
            msg.push_str(&[" (", sc, ": ", api.sub_msg.as_deref().unwrap_or(""), ")"].concat());
        }
        let mut e = Error::new(ErrorKind::Api, msg);
        e.api = Box::new(api);
        e.status = Some(r.status);
        return Err(e);
    }
    if !(200..300).contains(&r.status) {
        return Err(http_error(r));
    }
    if call.simplify {
        // XML always has a root element (`<x_response>`); simplify means its content, as for JSON.
        if call.format == Format::Xml && map.len() == 1 {
            return Ok(map.pop().map(|(_, v)| v).unwrap_or_default());
        }
        return Ok(core::mem::take(value));
    }
    let key = [&call.api.replace('.', "_"), "_response"].concat();
    match map.iter().position(|(k, _)| *k == key) {
        Some(i) => Ok(map.swap_remove(i).1),
        None => Err(Error::decode(["response has no ", &key].concat())),
    }
}

fn decode_rpc(call: &Call, r: &Received, value: &mut Json) -> Result<Json> {
    // XML wraps the body in <Action>Response or <Error>; JSON does not.
    let mut body = match (call.format, core::mem::take(value)) {
        (Format::Xml, Json::Obj(mut m)) if m.len() == 1 => {
            m.pop().map(|(_, v)| v).unwrap_or_default()
        }
        (_, v) => v,
    };
    let Json::Obj(map) = &mut body else {
        if !(200..300).contains(&r.status) {
            return Err(http_error(r));
        }
        return Err(Error::decode("Aliyun response is not an object"));
    };
    let field = |k: &str| map.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let mut code = text_of(field("Code"));
    let failed = if (200..300).contains(&r.status) {
        // The model's success rule: a business failure is an HTTP 200 whose
        // success field differs; a 200 without it proves neither outcome.
        match models::find(call.api).and_then(|m| m.success) {
            None => false,
            Some(s) => match text_of(field(s.field)) {
                None => {
                    let mut e = Error::decode(
                        [
                            call.api,
                            " answered HTTP ",
                            &decimal(r.status.into()),
                            " without ",
                            s.field,
                            ": the outcome is unknown",
                        ]
                        .concat(),
                    );
                    e.status = Some(r.status);
                    e.api.request_id = text_of(field("RequestId"));
                    return Err(e);
                }
                // Aliyun's `Code` names the failure; without one, the field's value.
                Some(v) if v != s.equals => {
                    code.get_or_insert(v);
                    true
                }
                Some(_) => false,
            },
        }
    } else {
        true
    };
    if failed {
        if code.is_none() {
            return Err(http_error(r));
        }
        let api = ApiFields {
            code,
            message: text_of(field("Message")),
            request_id: text_of(field("RequestId")),
            host_id: text_of(field("HostId")),
            recommend: text_of(field("Recommend")),
            ..Default::default()
        };
        let mut e = Error::new(
            ErrorKind::Api,
            [
                "Aliyun error ",
                api.code.as_deref().unwrap_or("?"),
                " (HTTP ",
                &decimal(r.status.into()),
                "): ",
                api.message.as_deref().unwrap_or(""),
            ]
            .concat(),
        );
        e.api = Box::new(api);
        e.status = Some(r.status);
        return Err(e);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top_call(api: &str, format: Format) -> Call<'_> {
        Call {
            protocol: Protocol::Top,
            api,
            format,
            simplify: false,
        }
    }

    #[test]
    fn big_ids_exact() {
        let body = br#"{"alibaba_alisports_lianbei_order_notice_response":{"result":{"alisp_code":200,"alisp_data":{"auction_id":9223372036854775807,"sku_id":1.5}},"request_id":"r1"}}"#;
        let out = decode(
            &top_call("alibaba.alisports.lianbei.order.notice", Format::Json),
            &Received {
                status: 200,
                content_type: "application/json",
                body,
            },
            DEFAULT_MAX_BODY_BYTES,
        )
        .unwrap();
        assert!(
            out.contains(r#""auction_id":"9223372036854775807""#),
            "{out}"
        );
        assert!(out.contains(r#""alisp_code":200"#));
        assert!(out.contains(r#""sku_id":1.5"#));
    }

    #[test]
    fn numbers_js_cannot_hold_are_strings() {
        let body = br#"{"alibaba_alisports_lianbei_order_notice_response":{"a":1e999,"b":-1e999,"c":1234567890123456789.0,"d":9007199254740993e0,"e":1e-999,"f":1.5,"g":0.0,"h":1e300,"i":12.5e-3,"j":99999999999999999999,"k":9007199254740991.0,"l":0.5e308,"m":2e308}}"#;
        let out = decode(
            &top_call("alibaba.alisports.lianbei.order.notice", Format::Json),
            &Received {
                status: 200,
                content_type: "application/json",
                body,
            },
            DEFAULT_MAX_BODY_BYTES,
        )
        .unwrap();
        for want in [
            r#""a":"1e999""#,
            r#""b":"-1e999""#,
            r#""c":"1234567890123456789""#,
            r#""d":"9007199254740993""#,
            r#""e":"1e-999""#,
            r#""f":1.5"#,
            r#""g":0.0"#,
            r#""h":"1e300""#,
            r#""i":12.5e-3"#,
            r#""j":"99999999999999999999""#,
            r#""k":9007199254740991.0"#,
            r#""l":"0.5e308""#,
            r#""m":"2e308""#,
        ] {
            assert!(out.contains(want), "{want} in {out}");
        }
    }

    #[test]
    fn confirm_disburse_without_code_is_a_decode_error() {
        let call = Call {
            protocol: Protocol::AliyunRpc,
            api: "ConfirmDisburse",
            format: Format::Json,
            simplify: false,
        };
        let got = |body: &[u8]| {
            decode(
                &call,
                &Received {
                    status: 200,
                    content_type: "application/json",
                    body,
                },
                DEFAULT_MAX_BODY_BYTES,
            )
        };
        let e = got(br#"{"RequestId":"r-1","Success":true}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.api.request_id.as_deref(), Some("r-1"));
        assert!(got(br#"{"Code":"SUCCESS","RequestId":"r"}"#).is_ok());
        assert_eq!(got(br#"{"Code":"FAIL"}"#).unwrap_err().kind, ErrorKind::Api);
    }

    #[test]
    fn xml_typed() {
        let body = "<alibaba_alisports_lianbei_order_notice_response><result><alisp_code>200</alisp_code><alisp_data><biz_order_id>1000000</biz_order_id><auction_id>1234567890123456789</auction_id></alisp_data></result><request_id>x</request_id></alibaba_alisports_lianbei_order_notice_response>";
        let out = decode(
            &top_call("alibaba.alisports.lianbei.order.notice", Format::Xml),
            &Received {
                status: 200,
                content_type: "text/xml;charset=utf-8",
                body: body.as_bytes(),
            },
            DEFAULT_MAX_BODY_BYTES,
        )
        .unwrap();
        assert!(out.contains(r#""biz_order_id":"1000000""#), "{out}");
        assert!(
            out.contains(r#""auction_id":"1234567890123456789""#),
            "{out}"
        );
        assert!(out.contains(r#""alisp_code":200"#), "{out}");
    }
}
