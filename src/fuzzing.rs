//! Fuzz target bodies, shared by `fuzz/` (cargo fuzz) and the regression
//! replay in `tests/fuzz_regressions.rs`. Each panics only on a real defect.

use crate::decode::{decode, Call, Received};
use crate::models::{Protocol, MODELS};
use crate::prelude::*;
use crate::prepare::{self, Format, HttpMethod, RpcConfig, Secret, TopConfig};
use crate::sign::top::SignMethod;
use crate::sign::{aliyun_rpc, percent, top};

/// Every model's validation (and the unmodelled pass-through) from arbitrary
/// JSON text, through `prepare` for TOP and Aliyun, plus `wire_to_params`.
pub fn validate_models(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = prepare::parse_params(text) else {
        return;
    };
    let top = TopConfig {
        app_key: "k".into(),
        app_secret: Secret::new("s"),
        sign_method: SignMethod::HmacSha256,
        endpoint: "http://127.0.0.1/router/rest".into(),
        session: Some(Secret::new("sess")),
        format: Format::Json,
        simplify: false,
        keyed: Default::default(),
    };
    let rpc = RpcConfig {
        access_key_id: "i".into(),
        access_key_secret: Secret::new("s"),
        security_token: Some(Secret::new("t")),
        endpoint: "http://127.0.0.1/".into(),
        http_method: HttpMethod::Get,
        format: Format::Xml,
        version: "2018-01-16".into(),
        signature_version: prepare::SignatureVersion::V1,
        keyed: Default::default(),
    };
    for js in [true, false] {
        for m in MODELS {
            let r = match m.protocol {
                Protocol::Top => {
                    prepare::prepare_top(&top, m.api, &value, js, "2026-01-01 00:00:00")
                }
                Protocol::AliyunRpc => {
                    prepare::prepare_rpc(&rpc, m.api, &value, js, "2026-01-01T00:00:00Z", "n")
                }
            };
            if let Err(e) = r {
                assert!(!e.issues.is_empty());
            }
        }
        let _ = prepare::prepare_top(&top, "x.unmodelled", &value, js, "2026-01-01 00:00:00");
        let _ = prepare::prepare_rpc(&rpc, "Unmodelled", &value, js, "2026-01-01T00:00:00Z", "n");
    }
    if let crate::json::Json::Obj(members) = &value {
        let pairs: Vec<(String, String)> = members
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        for m in MODELS {
            let _ = prepare::wire_to_params(m.api, &pairs);
        }
    }
}

/// TOP and Aliyun response decoding, JSON and XML, from arbitrary bytes.
pub fn decode_response(data: &[u8]) {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (200 + (*s as u16 % 4) * 100, rest),
        None => (200, data),
    };
    for protocol in [Protocol::Top, Protocol::AliyunRpc] {
        for format in [Format::Json, Format::Xml] {
            for api in [
                "alibaba.alisports.lianbei.order.notice",
                "ConfirmDisburse",
                "x.y",
            ] {
                for simplify in [false, true] {
                    let call = Call {
                        protocol,
                        api,
                        format,
                        simplify,
                    };
                    let r = Received {
                        status,
                        content_type: "",
                        body,
                    };
                    if let Ok(json) = decode(&call, &r, 1 << 20) {
                        // What we hand to JSON.parse must itself be valid JSON.
                        assert!(crate::json::parse(&json).is_ok(), "{json}");
                    }
                }
            }
        }
    }
}

/// The table-driven RFC 3986 encoder against the percent-encoding crate, and
/// the form decoder's round trip.
pub fn percent_encode(data: &[u8]) {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let mut fast = String::new();
    percent::encode_into(s, &mut fast);
    assert_eq!(fast, percent::encode(s));
    assert_eq!(percent::decode_form_component(&fast).as_deref(), Some(s));
    let _ = percent::decode_form_component(s);
}

/// The canonicalisers and signers over arbitrary parameter sets: no panic, and
/// the result does not depend on the order the parameters came in.
pub fn canonicalize(data: &[u8]) {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    // Lines of k=v; duplicate keys dropped (a request cannot carry them).
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for line in s.split('\n') {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        if !pairs.iter().any(|(pk, _)| *pk == k) {
            pairs.push((k, v));
        }
    }
    let mut rev: Vec<(&str, &str)> = pairs.iter().rev().copied().collect();
    let mut a = pairs.clone();
    assert_eq!(
        aliyun_rpc::canonicalize(&mut a),
        aliyun_rpc::canonicalize(&mut rev)
    );
    for m in [
        top::SignMethod::Md5,
        top::SignMethod::Hmac,
        top::SignMethod::HmacSha256,
    ] {
        let mut x = pairs.clone();
        let mut y: Vec<(&str, &str)> = pairs.iter().rev().copied().collect();
        assert_eq!(
            top::sign(&mut x, "secret", m, None),
            top::sign(&mut y, "secret", m, None)
        );
    }
    let mut z = pairs.clone();
    let _ = aliyun_rpc::sign(&mut z, s, "POST");
}

/// Wide and deep JSON and XML built from the input as a small program, so a
/// 64 KB input makes documents of megabytes: many siblings, repeated keys,
/// nesting to the limit. Run with libFuzzer's `-timeout`, work that is not
/// linear in the size shows as a timeout; the checks are that well-formed
/// text parses, each object holds each key once, and writing and reparsing
/// gives the same value.
pub fn wide_deep(data: &[u8]) {
    const CAP: usize = 4 << 20;
    let (mut json, mut xml) = (String::from("["), String::from("<r>"));
    // Open containers: true = object (JSON) / element with named children.
    let mut open: Vec<bool> = Vec::new();
    let mut n = 0usize;
    let mut it = data.iter();
    while let Some(&b) = it.next() {
        if json.len() > CAP || xml.len() > CAP {
            break;
        }
        let in_obj = open.last().copied().unwrap_or(false);
        let sep = |s: &mut String| {
            if !matches!(s.as_bytes().last(), Some(b'[' | b'{')) {
                s.push(',');
            }
        };
        match b % 4 {
            0 | 1 if open.len() < 100 => {
                sep(&mut json);
                if in_obj {
                    json.push_str(&format!("\"o{}\":", b % 8));
                }
                json.push(if b % 4 == 0 { '{' } else { '[' });
                xml.push_str(&format!("<e{}>", open.len()));
                open.push(b % 4 == 0);
            }
            2 => {
                // A run of leaves: the next byte × 64 of them, keys cycling.
                let count = 1 + *it.next().unwrap_or(&0) as usize * 64;
                let span = 1 + (b as usize >> 2);
                for _ in 0..count {
                    sep(&mut json);
                    if in_obj {
                        json.push_str(&format!("\"k{}\":{}", n % (span * span * 97), n));
                    } else {
                        json.push_str(&format!("{n}"));
                    }
                    let k = n % (span * span * 97);
                    xml.push_str(&format!("<k{k} a=\">\">{n}</k{k}>"));
                    n += 1;
                }
            }
            _ => {
                if let Some(obj) = open.pop() {
                    json.push(if obj { '}' } else { ']' });
                    xml.push_str(&format!("</e{}>", open.len()));
                }
            }
        }
    }
    while let Some(obj) = open.pop() {
        json.push(if obj { '}' } else { ']' });
        xml.push_str(&format!("</e{}>", open.len()));
    }
    json.push(']');
    xml.push_str("</r>");
    let v = crate::json::parse(&json).expect("well-formed JSON parses");
    assert_unique_keys(&v);
    assert_eq!(crate::json::parse(&v.text()).as_ref(), Ok(&v));
    let x = crate::xml::parse(&xml).expect("well-formed XML parses");
    assert_unique_keys(&x);
}

fn assert_unique_keys(v: &crate::json::Json) {
    use crate::json::Json;
    match v {
        Json::Obj(m) => {
            let mut keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            assert!(keys.windows(2).all(|w| w[0] != w[1]), "a key twice");
            m.iter().for_each(|(_, x)| assert_unique_keys(x));
        }
        Json::Arr(a) => a.iter().for_each(assert_unique_keys),
        _ => {}
    }
}
