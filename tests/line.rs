#![cfg(not(target_arch = "wasm32"))]
//! The prepared-request line (src/line.rs): its grammar round-trips real
//! prepared requests, and nothing with a control character becomes a line.

use aligate::error::ErrorKind;
use aligate::line;
use aligate::prepare::{self, Format, HttpMethod, Prepared, RpcConfig, Secret, SignatureVersion};

fn rpc(v: SignatureVersion, m: HttpMethod) -> Prepared {
    let cfg = RpcConfig {
        access_key_id: "id".into(),
        access_key_secret: Secret::new("s"),
        security_token: Some(Secret::new("sts-tok")),
        endpoint: "http://127.0.0.1:9/".into(),
        http_method: m,
        format: Format::Json,
        version: "2018-01-16".into(),
        signature_version: v,
        keyed: Default::default(),
    };
    let params =
        prepare::parse_params(r#"{"BizId":"a b&c","BizUid":"u\n","LmOrderId":"1"}"#).unwrap();
    prepare::prepare_rpc(
        &cfg,
        "ConfirmDisburse",
        &params,
        false,
        "2026-01-01T00:00:00Z",
        "n-1",
    )
    .unwrap()
}

#[test]
fn lines_round_trip_and_redact() {
    for (v, m) in [
        (SignatureVersion::V1, HttpMethod::Post),
        (SignatureVersion::V1, HttpMethod::Get),
        (SignatureVersion::V3, HttpMethod::Post),
    ] {
        let p = rpc(v, m);
        let l = line::build(&p, false).unwrap();
        let parts = line::parse(&l).unwrap();
        assert_eq!(
            (parts.method, parts.url, parts.body),
            (p.method, p.url.as_str(), p.body.as_str())
        );
        let headers = parts.headers;
        let mut want: Vec<(&str, &str)> = p
            .content_type
            .map(|c| ("content-type", c))
            .into_iter()
            .collect();
        want.extend(p.headers.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(headers, want);
        // The body's newline was percent-encoded: exactly three line feeds.
        assert_eq!(l.matches('\n').count(), 3);
        let red = line::build(&p, true).unwrap();
        assert!(l.contains("sts-tok") && !red.contains("sts-tok"), "{red}");
    }
}

#[test]
fn control_characters_never_reach_a_line() {
    let base = rpc(SignatureVersion::V3, HttpMethod::Post);
    let bad_value = |v: &str| {
        let mut p = base.clone();
        p.headers.push(("x-acs-extra", v.to_string()));
        p
    };
    let mut cases: Vec<Prepared> = [
        "a\tb",
        "a\rb",
        "a\nb",
        "a\u{0}b",
        "a\u{85}b",
        "a\u{2028}b",
        "é",
    ]
    .into_iter()
    .map(bad_value)
    .collect();
    let mut name = base.clone();
    name.headers.push(("x:y", "v".into()));
    cases.push(name);
    for url in ["http://h/\n", "http://h/\tx", "http://h/\r"] {
        let mut p = base.clone();
        p.url = url.into();
        cases.push(p);
    }
    let mut m = base.clone();
    m.method = "PO\nST";
    cases.push(m);
    let mut ct = base.clone();
    ct.content_type = Some("text/plain\tx:y");
    cases.push(ct);
    for p in cases {
        let e = line::build(&p, false).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{p:?}");
        // The redacted line follows the same rule.
        assert!(line::build(&p, true).is_err());
    }
    assert!(line::parse("GET\nhttp://h/\n").is_none());
}

proptest::proptest! {
    /// A header value goes on a line exactly when `prepare::sealed` accepts it.
    #[test]
    fn the_line_rule_is_the_sealed_rule(
        v in proptest::prop_oneof!["(?s).{0,40}", "[\\x00-\\x21\\x7d-\\x81a\u{2028}é]{0,20}"],
        pad in 0usize..9,
    ) {
        let mut p = rpc(SignatureVersion::V3, HttpMethod::Post);
        let v = format!("{}{v}", "a".repeat(pad));
        p.headers.push(("x-acs-extra", v.clone()));
        let sealed = prepare::sealed(p.method, [&p.url, &p.url], p.content_type, &p.headers);
        proptest::prop_assert_eq!(line::build(&p, false).is_ok(), sealed, "{:?}", v);
        let mut u = rpc(SignatureVersion::V1, HttpMethod::Get);
        u.url.push_str(&v);
        let sealed = prepare::sealed(u.method, [&u.url, &u.url], u.content_type, &u.headers);
        proptest::prop_assert_eq!(line::build(&u, false).is_ok(), sealed, "{:?}", v);
    }
}
