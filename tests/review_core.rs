#![cfg(not(target_arch = "wasm32"))]
//! Issue 18's hostile review, core findings: control characters in error text
//! (6), secrets echoed by a gateway (7), unknown outcomes (4), structured v3
//! header fields (11).

use aligate::decode::{self, Call, Received, DEFAULT_MAX_BODY_BYTES};
use aligate::error::Cause;
use aligate::error::{scrub_text, Error, ErrorKind, Outcome};
use aligate::json::Json;
use aligate::models::Protocol;
use aligate::prepare::{self, Format, RpcConfig, Secret, SignatureVersion};
use aligate::retry::{self, Policy};

const LIANBEI: &str = "alibaba.alisports.lianbei.order.notice";

fn unsafe_char(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_visible(e: &Error) {
    let a = &e.api;
    let texts = [
        &a.code,
        &a.message,
        &a.sub_code,
        &a.sub_msg,
        &a.request_id,
        &a.host_id,
        &a.recommend,
    ];
    for t in core::iter::once(&e.message)
        .chain(texts.into_iter().flatten())
        .chain(e.issues.iter().flat_map(|i| [&i.path, &i.message]))
    {
        assert!(
            !t.chars().any(unsafe_char),
            "raw control character in {t:?}"
        );
    }
}

fn decoded(protocol: Protocol, api: &str, format: Format, status: u16, body: &str) -> Error {
    let call = Call {
        protocol,
        api,
        format,
        simplify: false,
    };
    let ct = if format == Format::Json {
        "application/json"
    } else {
        "text/xml"
    };
    decode::decode(
        &call,
        &Received {
            status,
            content_type: ct,
            body: body.as_bytes(),
        },
        DEFAULT_MAX_BODY_BYTES,
    )
    .unwrap_err()
}

#[test]
fn gateway_text_has_no_raw_controls() {
    let nasty = r"bad\r\n2026 INFO login ok\u0085\u009b2J\u2028\u202e\u2066\u007f\u001b[2J";
    let top = format!(
        r#"{{"error_response":{{"code":15,"msg":"{nasty}","sub_code":"isv.x{nasty}","sub_msg":"{nasty}","request_id":"{nasty}"}}}}"#
    );
    let e = decoded(Protocol::Top, LIANBEI, Format::Json, 200, &top);
    assert_eq!(e.kind, ErrorKind::Api);
    assert_visible(&e);
    assert!(e.message.contains(r"bad\u000d\u000a2026"), "{}", e.message);
    let xml = "<error_response><code>15</code><msg>a&#10;b&#x2028;c</msg></error_response>";
    assert_visible(&decoded(Protocol::Top, LIANBEI, Format::Xml, 200, xml));
    let rpc = format!(
        r#"{{"Code":"X{nasty}","Message":"{nasty}","Recommend":"{nasty}","HostId":"{nasty}","RequestId":"r"}}"#
    );
    let e = decoded(
        Protocol::AliyunRpc,
        "ConfirmDisburse",
        Format::Json,
        400,
        &rpc,
    );
    assert_eq!(e.kind, ErrorKind::Api);
    assert_visible(&e);
    // An HTTP excerpt and an XML element name.
    assert_visible(&decoded(
        Protocol::Top,
        LIANBEI,
        Format::Json,
        502,
        "x\u{2028}y\u{202e}z",
    ));
    assert_visible(&decoded(
        Protocol::Top,
        LIANBEI,
        Format::Xml,
        200,
        "<a\u{2028}></b>",
    ));
}

#[test]
fn parameter_keys_in_issues_have_no_raw_controls() {
    for key in [
        "biz_order_id\nINJECTED: yes",
        "k\u{2028}x",
        "k\u{85}x",
        "k\r\nx",
        "k\u{202e}x",
    ] {
        let params = Json::Obj(vec![
            ("biz_order_id".into(), Json::Num("1".into())),
            (
                key.into(),
                Json::Obj(vec![(key.into(), Json::Str("v".into()))]),
            ),
        ]);
        for api in [LIANBEI, "alibaba.retail.commission.status.change"] {
            if let Err(e) = prepare::business(Protocol::Top, api, &params, false) {
                assert_visible(&e);
            }
        }
        let lm = Json::Obj(vec![(key.into(), Json::Str("v".into()))]);
        let Err(e) = prepare::business(Protocol::AliyunRpc, "ConfirmDisburse", &lm, false) else {
            panic!("{key:?} accepted")
        };
        assert!(!e.issues.is_empty());
        assert_visible(&e);
        let issues = prepare::wire_to_params(
            "aliyun.gsc.funds.flow.notify",
            &[
                ("official_funds_record_request".into(), "{".into()),
                (key.into(), "v".into()),
            ],
        );
        if let Err(issues) = issues {
            assert_visible(&Error::validation(issues));
        }
    }
    let e = Error::invalid("a\u{2029}b", "m\u{9b}");
    assert_eq!(e.issues[0].path, r"a\u2029b");
    assert_eq!(e.issues[0].message, r"m\u009b");
}

fn json_inner(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap();
    q[1..q.len() - 1].to_string()
}

const SECRET: &str = "CAIS+STS/token==\"x&y<z>'";

#[test]
fn every_encoding_of_a_secret_is_scrubbed() {
    let pct_upper: String = SECRET
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let forms = [
        SECRET.to_string(),
        pct_upper.clone(),
        pct_upper
            .to_lowercase()
            .replace("cais", "CAIS")
            .replace("sts", "STS"),
        "CAIS%2bSTS%2ftoken%3d%3d%22x%26y%3Cz%3E%27".into(),
        serde_json::to_string(SECRET)
            .unwrap()
            .trim_matches('"')
            .replace('/', "\\/"),
        // JSON-escaped twice (an echo inside a JSON string, serialised again).
        json_inner(&json_inner(SECRET).replace('/', "\\/")),
        "CAIS+STS/token==&quot;x&amp;y&lt;z&gt;&#39;".into(),
        "CAIS&#x2B;STS&#47;token==&quot;x&amp;y&lt;z&gt;&apos;".into(),
    ];
    for f in forms {
        let text = format!("HTTP 400: Bad request: token={f}&x=1");
        let out = scrub_text(&text, &["s", SECRET]).expect(&text);
        assert_eq!(out, "HTTP 400: Bad request: token=***&x=1", "{text}");
    }
    // A secret cut short by an excerpt, and a form `+` for a space.
    let out = scrub_text("HTTP 400: CAIS+STS/tok…", &[SECRET]).unwrap();
    assert!(!out.contains("STS/tok"), "{out}");
    assert_eq!(
        scrub_text("a+secret+value+x", &["a secret value x"]).unwrap(),
        "***"
    );
    assert_eq!(scrub_text("nothing here", &[SECRET]), None);
    // A shared prefix inside a text is not a cut secret.
    assert_eq!(
        scrub_text("key sandbox-app-key ok", &["sandbox-app-secret"]),
        None
    );
    assert_eq!(
        scrub_text("HTTP 400: id=sandbox-app-s…", &["sandbox-app-secret"]).unwrap(),
        "HTTP 400: id=***…"
    );
    // Short secrets are not looked for (they would match words).
    assert_eq!(scrub_text("s s s", &["s"]), None);
    // A long text of near-matches (KMP: linear, no backtracking), then the secret.
    let long = "CAIS+STS/toke".repeat(200_000) + SECRET;
    let out = scrub_text(&long, &[SECRET]).unwrap();
    assert_eq!(out.len(), long.len() - SECRET.len() + 3);
    assert!(out.ends_with("CAIS+STS/toke***"));
}

#[test]
fn scrub_covers_every_error_field() {
    let mut e = Error::new(ErrorKind::Api, format!("TOP error 15: {SECRET}"));
    e.api.message = Some(SECRET.into());
    e.api.sub_msg = Some(format!("echo {}", SECRET.replace('+', "%2b")));
    e.api.recommend = Some(SECRET.into());
    e.scrub(&[SECRET]);
    assert_eq!(e.message, "TOP error 15: ***");
    assert_eq!(e.api.message.as_deref(), Some("***"));
    assert_eq!(e.api.sub_msg.as_deref(), Some("echo ***"));
    assert_eq!(e.api.recommend.as_deref(), Some("***"));
}

#[test]
fn unknown_outcomes_are_marked() {
    let p = Policy::default();
    let mark = |mut e: Error| {
        let d = retry::classify(&e, &p);
        retry::mark(&mut e, d, false);
        e
    };
    let t = mark(Error::new(ErrorKind::Timeout, "t"));
    assert_eq!((t.retryable, t.outcome), (false, Some(Outcome::Unknown)));
    let truncated = decoded(Protocol::Top, LIANBEI, Format::Json, 200, r#"{"a":"#);
    assert_eq!(mark(truncated).outcome, Some(Outcome::Unknown));
    let no_code = decoded(
        Protocol::AliyunRpc,
        "ConfirmDisburse",
        Format::Json,
        200,
        r#"{"RequestId":"r"}"#,
    );
    assert_eq!(mark(no_code).outcome, Some(Outcome::Unknown));
    let five = decoded(Protocol::Top, LIANBEI, Format::Json, 503, "busy");
    assert_eq!(mark(five).outcome, Some(Outcome::Unknown));
    let reset = mark(Error::new(ErrorKind::Network, "n"));
    assert_eq!(reset.outcome, Some(Outcome::Unknown));
    let refused = mark(Error::new(ErrorKind::Network, "n").with_cause(Cause::Refused));
    assert_eq!(refused.outcome, Some(Outcome::NotApplied));
    let bad = decoded(Protocol::Top, LIANBEI, Format::Json, 400, "bad request");
    assert_eq!(mark(bad).outcome, Some(Outcome::NotApplied));
    let throttled = decoded(
        Protocol::AliyunRpc,
        "ConfirmDisburse",
        Format::Json,
        400,
        r#"{"Code":"Throttling.User"}"#,
    );
    assert_eq!(mark(throttled).outcome, Some(Outcome::NotApplied));
    assert_eq!(Error::invalid("p", "m").outcome, Some(Outcome::NotApplied));
}

#[test]
fn v3_key_id_cannot_restructure_authorization() {
    let cfg = |id: &str, v| RpcConfig {
        signature_version: v,
        ..RpcConfig::new(id, Secret::new("s")).with_endpoint("http://127.0.0.1:9/")
    };
    for id in [
        "a,SignedHeaders=host,Signature=00",
        "a=b",
        "a;b",
        "a b",
        "a\tb",
    ] {
        let e = cfg(id, SignatureVersion::V3).check().unwrap_err();
        assert!(
            e.issues.iter().any(|i| i.path == "options.accessKeyId"),
            "{id:?}"
        );
        assert!(
            !e.message.contains(id),
            "the value is echoed: {}",
            e.message
        );
    }
    assert!(cfg("LTAI5tExample", SignatureVersion::V3).check().is_ok());
    // v1 percent-encodes it into the query: any printable text goes.
    assert!(cfg("a,b=c;d", SignatureVersion::V1).check().is_ok());
}

/// Aliyun's SignatureDoesNotMatch quotes its string-to-sign, values encoded
/// twice (`%252B`); a secret holding `%41` or `&amp;` matches its raw echo
/// (hostile review of issue 18).
#[test]
fn scrub_twice_encoded_and_secrets_that_look_encoded() {
    let token = "CAIS8gF1q6Ft5B2y/fSjIr5bkKN+2gZn3ZeH=";
    let text = "StringToSign: POST&%2F&SecurityToken%3DCAIS8gF1q6Ft5B2y%252FfSjIr5bkKN%252B2gZn3ZeH%253D%26";
    let out = scrub_text(text, &[token]).expect("scrubbed");
    assert!(!out.contains("CAIS8gF1q6Ft5B2y"), "{out}");
    assert!(!out.contains("fSjIr5bkKN"), "{out}");
    let session = "6100%41b2c3d4e5f6session";
    for t in [
        format!("session {session} is invalid"),
        "session 6100Ab2c3d4e5f6session is invalid".to_string(),
        "session 6100%2541b2c3d4e5f6session".to_string(),
    ] {
        let out = scrub_text(&t, &[session]).expect("scrubbed");
        assert!(!out.contains("b2c3d4e5f6"), "{out}");
    }
}

#[test]
fn protocol_of_has_an_answer_for_any_length() {
    let long = format!("taobao.{}", "a".repeat(300));
    assert_eq!(aligate::models::protocol_of(&long), None);
    assert_eq!(
        aligate::models::protocol_of("taobao.item.get"),
        Some(aligate::models::Protocol::Top)
    );
}
