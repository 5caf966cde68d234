#![cfg(not(target_arch = "wasm32"))]
//! Issue 17, core items: repeat safety without dedupe keys (9), TOP ban
//! overflow (10), endpoints and signing time (12), control characters in
//! anything that becomes a header, URL part or protocol line (6).

use aligate::error::{ApiFields, Error, ErrorKind};
use aligate::json::Json;
use aligate::models::{self, Protocol};
use aligate::prepare::{
    self, Format, HttpMethod, Prepared, RpcConfig, Secret, SignatureVersion, TopConfig,
};
use aligate::retry::{self, Decision, Policy, Reason};
use aligate::sign::top::SignMethod;
use proptest::prelude::*;
use serde_json::{json, Value};

const TOP_TS: &str = "2026-01-01 00:00:00";
const RPC_TS: &str = "2026-01-01T00:00:00Z";
const FUNDS: &str = "aliyun.gsc.funds.flow.notify";

fn j(v: &Value) -> Json {
    aligate::json::parse(&v.to_string()).unwrap()
}

fn top_cfg() -> TopConfig {
    TopConfig {
        app_key: "12345678".into(),
        app_secret: Secret::new("s"),
        sign_method: SignMethod::HmacSha256,
        endpoint: "http://127.0.0.1:9/router/rest".into(),
        session: Some(Secret::new("sess")),
        format: Format::Json,
        simplify: false,
        keyed: Default::default(),
    }
}

fn rpc_cfg(v: SignatureVersion, m: HttpMethod) -> RpcConfig {
    RpcConfig {
        access_key_id: "id".into(),
        access_key_secret: Secret::new("s"),
        security_token: Some(Secret::new("tok")),
        endpoint: "http://127.0.0.1:9/".into(),
        http_method: m,
        format: Format::Json,
        version: "2018-01-16".into(),
        signature_version: v,
        keyed: Default::default(),
    }
}

fn confirm() -> Json {
    j(&json!({ "BizId": "b", "BizUid": "u", "LmOrderId": "1" }))
}

/// Nothing of a prepared request but its body may hold a byte outside
/// printable ASCII (the URL not even a space).
fn assert_clean(p: &Prepared) {
    assert!(
        p.url.bytes().all(|b| (0x21..0x7f).contains(&b)),
        "{}",
        p.url
    );
    assert!(p.redacted_url().bytes().all(|b| (0x21..0x7f).contains(&b)));
    for (k, v) in &p.headers {
        assert!(v.bytes().all(|b| (0x20..0x7f).contains(&b)), "{k}");
    }
    assert!(
        p.body.bytes().all(|b| (0x21..0x7f).contains(&b)),
        "{}",
        p.body
    );
}

// ---------------------------------------------------------------- item 9

fn sub(uid: Option<Value>) -> Value {
    let mut s = json!({
        "sub_biz_order_id": "s1", "auction_id": "a", "auction_title": "t", "out_item_id": "o",
        "price": 1, "freight": 0, "amount": 1, "amount_type": "currency", "pay_type": "alipay",
        "currency_type": "yuan", "qty": 1, "point_grant": 0, "return_point_grant": 0,
    });
    if let Some(u) = uid {
        s["uid"] = u;
    }
    s
}

fn main_order(subs: Option<Value>) -> Value {
    let mut m = json!({
        "main_biz_order_id": "m1", "create_date": "2022-09-23 09:00:00",
        "biz_date": "2022-09-23 10:00:00", "seller_id": "gmall", "sale_type": "sell",
    });
    if let Some(s) = subs {
        m["sub_orders"] = s;
    }
    m
}

fn funds(req: Value) -> Json {
    j(&json!({ "official_funds_record_request": req }))
}

fn safe(params: &Json) -> bool {
    models::find(FUNDS).unwrap().repeat_safe(params)
}

#[test]
fn funds_flow_without_sub_orders_is_not_repeat_safe() {
    let keyed = json!([main_order(Some(json!([sub(Some(json!("p_1")))])))]);
    // The issue's case: a keyed payment plus a confirm/refund with no sub_orders.
    for list in ["confirms", "refunds"] {
        let p = funds(json!({ "payments": keyed, list: [main_order(None)] }));
        let prepared = prepare::prepare_top(&top_cfg(), FUNDS, &p, true, TOP_TS).unwrap();
        assert!(!prepared.repeat_safe, "{list} entry without sub_orders");
        // …so a 503 is not retried.
        let mut e = Error::new(ErrorKind::Http, "503");
        e.status = Some(503);
        let d = retry::classify(&e, &Policy::default());
        assert_eq!(d, Decision::Ambiguous(Reason::ServerFault));
        assert_eq!(
            retry::next_delay(d, prepared.repeat_safe, 1, &Policy::default(), 0.5),
            None
        );
    }
    assert!(safe(&funds(json!({ "payments": keyed }))));
    // Each way of leaving a key out is unsafe.
    for bad in [
        json!({ "payments": [] }),
        json!({ "payments": keyed, "confirms": [{}] }),
        json!({ "payments": keyed, "confirms": [{ "sub_orders": [] }] }),
        json!({ "payments": keyed, "confirms": [{ "sub_orders": [{}] }] }),
        json!({ "payments": keyed, "refunds": [{ "sub_orders": null }] }),
        json!({ "payments": keyed, "refunds": [{ "sub_orders": [{ "uid": null }] }] }),
        json!({ "payments": keyed, "refunds": [{ "sub_orders": [{ "uid": " \t" }] }] }),
        json!({ "payments": keyed, "refunds": [{ "sub_orders": [{ "uid": "\u{3000}" }] }] }),
        json!({ "payments": keyed, "refunds": [{ "sub_orders": [{ "uid": true }] }] }),
        json!({ "payments": keyed, "refunds": "x" }),
        json!({ "payments": keyed, "refunds": [null] }),
        json!({}),
        json!(null),
    ] {
        assert!(!safe(&funds(bad.clone())), "{bad}");
    }
    assert!(!safe(&j(&json!({}))));
}

#[test]
fn every_model_needs_its_key() {
    let m = |api| {
        let model = models::find(api).unwrap();
        move |p: &Json| model.repeat_safe(p)
    };
    let csc = m("alibaba.retail.commission.status.change");
    for (p, want) in [
        (
            json!({ "param0": { "order_id": "1", "order_status": 0, "outer_order_id": "k" } }),
            true,
        ),
        (
            json!({ "param0": { "order_id": "1", "order_status": 0, "outer_order_id": 12 } }),
            true,
        ),
        (
            json!({ "param0": { "order_id": "1", "order_status": 0, "outer_order_id": " " } }),
            false,
        ),
        (
            json!({ "param0": { "order_id": "1", "order_status": 0, "outer_order_id": null } }),
            false,
        ),
        (
            json!({ "param0": { "order_id": "1", "order_status": 0 } }),
            false,
        ),
        (json!({ "param0": {} }), false),
        (json!({}), false),
    ] {
        assert_eq!(csc(&j(&p)), want, "{p}");
    }
    let cd = m("ConfirmDisburse");
    assert!(cd(&confirm()));
    for p in [
        json!({}),
        json!({ "LmOrderId": "" }),
        json!({ "LmOrderId": "  " }),
        json!({ "LmOrderId": null }),
    ] {
        assert!(!cd(&j(&p)), "{p}");
    }
    // A read: always safe.
    assert!(m("alibaba.alisports.lianbei.order.notice")(&j(
        &json!({ "biz_order_id": 1 })
    )));
}

/// The key at one position: absent, null, blank in several ways, or present.
fn arb_uid() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        Just(Some(json!(""))),
        Just(Some(json!("   "))),
        Just(Some(json!("\t\n"))),
        Just(Some(json!("\u{3000}"))),
        Just(Some(json!({}))),
        Just(Some(json!(false))),
        "[a-z0-9_]{1,8}".prop_map(|s| Some(json!(s))),
        (0i64..1_000_000).prop_map(|n| Some(json!(n))),
    ]
}

/// `sub_orders` of one main order: absent, null, empty, or 1–3 sub-orders
/// (some of them empty objects).
fn arb_subs() -> impl Strategy<Value = Option<Value>> {
    let one = prop_oneof![
        4 => arb_uid().prop_map(sub),
        1 => Just(json!({})),
    ];
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!([]))),
        6 => prop::collection::vec(one, 1..4).prop_map(|v| Some(Value::Array(v))),
    ]
}

/// One of `payments`/`confirms`/`refunds`: absent, null, or 0–2 main orders.
fn arb_list() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        4 => prop::collection::vec(arb_subs().prop_map(main_order), 0..3)
            .prop_map(|v| Some(Value::Array(v))),
    ]
}

/// The rule, from the reference page (`uid`, 唯一键, is the key of each
/// `SubOrderFinanceDTO`; all three lists carry that DTO): repeat-safe ⇔ at
/// least one sub-order exists, every main order in payments/confirms/refunds
/// has a non-empty `sub_orders`, and every sub-order has a `uid` that is a
/// string with a non-whitespace character or a number.
fn oracle(req: &Value) -> bool {
    let mut records = 0;
    for list in ["payments", "confirms", "refunds"] {
        let mains = match &req[list] {
            Value::Null => continue,
            Value::Array(a) => a,
            _ => return false,
        };
        for m in mains {
            match &m["sub_orders"] {
                Value::Array(subs) if !subs.is_empty() => {
                    for s in subs {
                        let keyed = match &s["uid"] {
                            Value::String(u) => u.chars().any(|c| !c.is_whitespace()),
                            Value::Number(_) => true,
                            _ => false,
                        };
                        if !keyed {
                            return false;
                        }
                        records += 1;
                    }
                }
                _ => return false,
            }
        }
    }
    records > 0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn funds_flow_safe_iff_every_record_keyed(p in arb_list(), c in arb_list(), r in arb_list()) {
        let mut req = json!({});
        for (k, v) in [("payments", p), ("confirms", c), ("refunds", r)] {
            if let Some(v) = v {
                req[k] = v;
            }
        }
        let want = oracle(&req);
        let params = funds(req.clone());
        prop_assert_eq!(safe(&params), want, "{}", req);
        // What a sent request carries agrees (when it is valid at all).
        if let Ok(prepared) = prepare::prepare_top(&top_cfg(), FUNDS, &params, true, TOP_TS) {
            prop_assert_eq!(prepared.repeat_safe, want, "{}", req);
        }
    }
}

// --------------------------------------------------------------- item 10

fn code7(text: &str) -> Error {
    let mut e = Error::new(ErrorKind::Api, "limited");
    e.api = Box::new(ApiFields {
        code: Some("7".into()),
        message: Some("App Call Limited".into()),
        sub_msg: Some(text.into()),
        ..Default::default()
    });
    e
}

#[test]
fn huge_or_unreadable_bans_are_not_retried() {
    let p = Policy::default();
    for text in [
        "This ban will last 18446744073709552 more seconds",
        "This ban will last 99999999999999999999 more seconds",
        "This ban will last 18446744073709551615 more seconds",
        "This ban will last 3.5 more seconds",
        "This ban will last -1 more seconds",
        "This ban will last more seconds",
        "App Call Limited",
        "",
    ] {
        let d = retry::classify(&code7(text), &p);
        assert_eq!(d, Decision::Final, "{text}");
        assert_eq!(retry::next_delay(d, true, 1, &p, 0.5), None);
    }
    let d = retry::classify(&code7("This ban will last 3 more seconds"), &p);
    assert_eq!(d, Decision::NotProcessed(Reason::Banned, Some(3000)));
    assert_eq!(
        retry::classify(&code7("THIS BAN WILL LAST 5 MORE SECONDS"), &p),
        Decision::NotProcessed(Reason::Banned, Some(5000))
    );
    assert_eq!(
        retry::classify(&code7("ban will last 6"), &p),
        Decision::Final
    );
}

fn arb_ban_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        "[0-9]{1,25}",
        (0u64..20).prop_map(|n| n.to_string()),
        Just(u64::MAX.to_string()),
        Just("18446744073709552".to_string()),
        "[0-9]{0,3}[.,e+-][0-9]{0,3}",
        ".{0,6}",
    ];
    (
        ".{0,10}",
        prop_oneof![
            Just("ban will last "),
            Just("Ban Will Last"),
            Just("ban  will last")
        ],
        number,
        prop_oneof![Just(" more seconds"), Just(""), Just("s"), Just("\tmore")],
    )
        .prop_map(|(pre, mark, n, post)| format!("{pre}{mark}{n}{post}"))
}

/// The rule: a decimal integer right after "ban will last" (and spaces),
/// ended by whitespace or the text, whose milliseconds fit the wait.
fn ban_oracle(text: &str, max_wait_ms: u64) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("ban will last")?;
    let rest =
        lower[at + "ban will last".len()..].trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let after = rest[digits.len()..].chars().next();
    if digits.is_empty() || after.is_some_and(|c| !c.is_ascii_whitespace()) {
        return None;
    }
    let ms = digits.parse::<u128>().ok()? * 1000;
    (ms <= max_wait_ms as u128).then_some(ms as u64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn ban_texts(text in arb_ban_text(), wait in prop_oneof![Just(0u64), Just(5_000), Just(600_000), Just(u64::MAX)]) {
        let p = Policy { max_ban_wait_ms: wait, ..Policy::default() };
        let d = retry::classify(&code7(&text), &p);
        match ban_oracle(&text, wait) {
            Some(ms) => prop_assert_eq!(d, Decision::NotProcessed(Reason::Banned, Some(ms)), "{}", text),
            None => prop_assert_eq!(d, Decision::Final, "{}", text),
        }
    }

    #[test]
    fn delays_never_overflow(
        retries in any::<u32>(), attempt in any::<u32>(), base in any::<u64>(), max in any::<u64>(),
        floor in any::<u64>(), safe in any::<bool>(),
        random in prop_oneof![any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.999_999)],
    ) {
        let p = Policy { retries, base_delay_ms: base, max_delay_ms: max, max_ban_wait_ms: u64::MAX };
        for d in [Decision::NotProcessed(Reason::Banned, Some(floor)), Decision::NotProcessed(Reason::Refused, None), Decision::Ambiguous(Reason::Network), Decision::Final] {
            let got = retry::next_delay(d, safe, attempt, &p, random);
            if attempt == 0 || attempt > retries || d == Decision::Final || (matches!(d, Decision::Ambiguous(_)) && !safe) {
                prop_assert_eq!(got, None);
            } else {
                let f = if let Decision::NotProcessed(_, Some(f)) = d { f } else { 0 };
                let w = got.unwrap();
                prop_assert!(w >= f && w <= f.saturating_add(max.min(base.saturating_mul(1 << (attempt - 1).min(20)))));
            }
        }
    }
}

// --------------------------------------------------------------- item 12

fn top_with_endpoint(e: &str) -> aligate::Result<Prepared> {
    let cfg = TopConfig {
        endpoint: e.into(),
        ..top_cfg()
    };
    prepare::prepare_top(
        &cfg,
        "alibaba.alisports.lianbei.order.notice",
        &j(&json!({ "biz_order_id": 1 })),
        true,
        TOP_TS,
    )
}

const BAD_ENDPOINTS: &[&str] = &[
    "http://127.0.0.1:9/router/rest#x",
    "http://127.0.0.1:9/#",
    "https://gw.api.taobao.com/router/rest?x=1",
    "https://gw.api.taobao.com/router/rest?a#",
    "https://user:pw@gw.api.taobao.com/router/rest",
    "https://@gw.api.taobao.com/",
    "ftp://gw.api.taobao.com/",
    "javascript:alert(1)",
    "HTTPS://gw.api.taobao.com/",
    "https:/gw.api.taobao.com/",
    "https:///router/rest",
    "https://",
    "http://:80/",
    "https://gw.api.taobao.com /",
    "https://gw.api.taobao.com/a b",
    "https://gw.api.taobao.com/\t",
    "https://gw.api.taobao.com\\@evil.example/",
    "https://evil.example\u{85}/",
    "https://gw.api.taobao.com/\u{2028}",
    "https://gw.api.taobao.com/路径",
    "",
];

#[test]
fn endpoints_are_validated() {
    for e in BAD_ENDPOINTS {
        let err = top_with_endpoint(e).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{e:?}");
        assert_eq!(err.issues[0].path, "options.endpoint", "{e:?}");
        assert!(prepare::check_endpoint(e).is_err(), "{e:?}");
        let rpc = RpcConfig {
            endpoint: e.to_string(),
            ..rpc_cfg(SignatureVersion::V3, HttpMethod::Post)
        };
        let err = prepare::prepare_rpc(&rpc, "ConfirmDisburse", &confirm(), true, RPC_TS, "n")
            .unwrap_err();
        assert_eq!(err.issues[0].path, "options.endpoint", "{e:?}");
    }
    let fragment = top_with_endpoint("http://127.0.0.1:9/router/rest#x").unwrap_err();
    assert!(
        fragment.message.contains("fragment"),
        "{}",
        fragment.message
    );
    for e in [
        "http://127.0.0.1:9/router/rest",
        "https://gw.api.taobao.com/router/rest",
        "https://gw.api.taobao.com/router/rest?",
        "https://Gw.API.taobao.com:8443/router/rest",
        "http://localhost/",
        "http://my_host-1.internal:65535",
        "http://[::1]:8080/",
        "http://10.0.0.1/a@b",
    ] {
        let p = top_with_endpoint(e).unwrap_or_else(|err| panic!("{e}: {err}"));
        let base = e.strip_suffix('?').unwrap_or(e);
        assert!(p.url.starts_with(&format!("{base}?")), "{}", p.url);
        assert_eq!(p.url.matches('?').count(), 1, "{}", p.url);
        assert!(prepare::check_endpoint(e).is_ok());
    }
}

#[test]
fn endpoint_query_mark_and_case_in_rpc() {
    for v in [SignatureVersion::V1, SignatureVersion::V3] {
        for m in [HttpMethod::Get, HttpMethod::Post] {
            let plain = RpcConfig {
                endpoint: "https://linkedmall.aliyuncs.com/".into(),
                ..rpc_cfg(v, m)
            };
            let marked = RpcConfig {
                endpoint: "https://linkedmall.aliyuncs.com/?".into(),
                ..rpc_cfg(v, m)
            };
            let a = prepare::prepare_rpc(&plain, "ConfirmDisburse", &confirm(), true, RPC_TS, "n")
                .unwrap();
            let b = prepare::prepare_rpc(&marked, "ConfirmDisburse", &confirm(), true, RPC_TS, "n")
                .unwrap();
            assert_eq!(
                b.url.matches('?').count(),
                usize::from(m == HttpMethod::Get || v == SignatureVersion::V3)
            );
            assert!(!b.url.contains("?/") && !b.url.contains("??"), "{}", b.url);
            assert_eq!(a.headers, b.headers, "{v:?} {m:?}");
            assert_eq!(a.body, b.body);
        }
    }
}

#[test]
fn signing_times_outside_the_range_are_refused() {
    use aligate::time;
    for t in [
        0,
        -1,
        1,
        i64::MIN,
        i64::MAX,
        time::SIGN_MIN_MS - 1,
        time::SIGN_MAX_MS + 1,
    ] {
        assert_eq!(time::top_timestamp(t), None, "{t}");
        assert_eq!(time::iso_utc(t), None, "{t}");
    }
    assert!(time::top_timestamp(1_767_225_600_000).is_some());
    let lianbei = j(&json!({ "biz_order_id": 1 }));
    for ts in [
        "1970-01-01 08:00:00",
        "1999-12-31 23:59:59",
        "2100-01-01 08:00:00",
        "0000-01-01 00:00:00",
    ] {
        let e = prepare::prepare_top(
            &top_cfg(),
            "alibaba.alisports.lianbei.order.notice",
            &lianbei,
            true,
            ts,
        )
        .unwrap_err();
        assert_eq!(e.issues[0].path, "options.timestamp", "{ts}");
    }
    for ts in [
        "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999Z",
        "2100-01-01T00:00:00Z",
    ] {
        let e = prepare::prepare_rpc(
            &rpc_cfg(SignatureVersion::V1, HttpMethod::Post),
            "ConfirmDisburse",
            &confirm(),
            true,
            ts,
            "n",
        )
        .unwrap_err();
        assert_eq!(e.issues[0].path, "options.timestamp", "{ts}");
    }
    // Date fields keep the whole calendar.
    assert_eq!(
        time::normalize_top_datetime("1970-01-01T00:00:00Z").as_deref(),
        Some("1970-01-01 08:00:00")
    );
}

// ---------------------------------------------------------------- item 6

/// Every character the core refuses in text.
fn controls() -> Vec<char> {
    let mut v: Vec<char> = (0u32..0x20)
        .chain(0x7f..0xa0)
        .filter_map(char::from_u32)
        .collect();
    v.extend(['\u{2028}', '\u{2029}']);
    v
}

#[derive(Clone, Copy, Debug)]
enum Field {
    TopAppKey,
    TopSession,
    TopApi,
    RpcAccessKeyId,
    RpcSecurityToken,
    RpcVersion,
    RpcApi,
    RpcNonce,
    Endpoint,
}

const FIELDS: [Field; 9] = [
    Field::TopAppKey,
    Field::TopSession,
    Field::TopApi,
    Field::RpcAccessKeyId,
    Field::RpcSecurityToken,
    Field::RpcVersion,
    Field::RpcApi,
    Field::RpcNonce,
    Field::Endpoint,
];

/// Prepares with `value` in `field` (for RPC: signature `v`, method `m`);
/// returns the result and the option path the error must name.
fn prepare_with(
    field: Field,
    value: &str,
    v: SignatureVersion,
    m: HttpMethod,
) -> (aligate::Result<Prepared>, &'static str) {
    let top = |cfg: TopConfig, api: &str| {
        let params = if api == "alibaba.alisports.lianbei.order.notice" {
            json!({ "biz_order_id": 1 })
        } else {
            json!({})
        };
        prepare::prepare_top(&cfg, api, &j(&params), true, TOP_TS)
    };
    let rpc = |cfg: RpcConfig, api: &str, nonce: &str| {
        let params = if api == "ConfirmDisburse" {
            confirm()
        } else {
            j(&json!({}))
        };
        prepare::prepare_rpc(&cfg, api, &params, true, RPC_TS, nonce)
    };
    let lianbei = "alibaba.alisports.lianbei.order.notice";
    match field {
        Field::TopAppKey => (
            top(
                TopConfig {
                    app_key: format!("123{value}4"),
                    ..top_cfg()
                },
                lianbei,
            ),
            "options.appKey",
        ),
        Field::TopSession => (
            top(
                TopConfig {
                    session: Some(Secret::new(format!("s{value}x"))),
                    ..top_cfg()
                },
                lianbei,
            ),
            "options.session",
        ),
        Field::TopApi => (top(top_cfg(), &format!("x.{value}y")), "api"),
        Field::RpcAccessKeyId => (
            rpc(
                RpcConfig {
                    access_key_id: format!("id{value}"),
                    ..rpc_cfg(v, m)
                },
                "ConfirmDisburse",
                "n",
            ),
            "options.accessKeyId",
        ),
        Field::RpcSecurityToken => (
            rpc(
                RpcConfig {
                    security_token: Some(Secret::new(format!("tok{value}x-evil:1"))),
                    ..rpc_cfg(v, m)
                },
                "ConfirmDisburse",
                "n",
            ),
            "options.securityToken",
        ),
        Field::RpcVersion => (
            rpc(
                RpcConfig {
                    version: format!("2018{value}"),
                    ..rpc_cfg(v, m)
                },
                "Describe",
                "n",
            ),
            "options.version",
        ),
        Field::RpcApi => (
            rpc(rpc_cfg(v, m), &format!("Confirm{value}Disburse"), "n"),
            "api",
        ),
        Field::RpcNonce => (
            rpc(rpc_cfg(v, m), "ConfirmDisburse", &format!("n{value}rest")),
            "options.nonce",
        ),
        Field::Endpoint => (
            rpc(
                RpcConfig {
                    endpoint: format!("http://127.0.0.1:9/{value}"),
                    ..rpc_cfg(v, m)
                },
                "ConfirmDisburse",
                "n",
            ),
            "options.endpoint",
        ),
    }
}

fn assert_refused(r: aligate::Result<Prepared>, path: &str, value: &str, what: &str) {
    let e = match r {
        Ok(p) => panic!("{what}: prepared {p:?}"),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::Validation, "{what}: {e}");
    assert_eq!(e.issues.len(), 1, "{what}: {e}");
    assert_eq!(e.issues[0].path, path, "{what}");
    // Never the value itself (it may be a credential).
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(value), "{what}: {shown}");
}

#[test]
fn the_issue_examples_are_refused() {
    let v3 = SignatureVersion::V3;
    // securityToken "tok\tx-evil:1", an action with a TAB, an LF in the nonce, version, accessKeyId.
    let (r, path) = prepare_with(Field::RpcSecurityToken, "\t", v3, HttpMethod::Post);
    assert_refused(r, path, "tok\tx-evil:1", "token");
    let (r, path) = prepare_with(Field::RpcApi, "\tauthorization:", v3, HttpMethod::Post);
    assert_refused(r, path, "Confirm\tauthorization:Disburse", "action");
    for field in [Field::RpcNonce, Field::RpcVersion, Field::RpcAccessKeyId] {
        let (r, path) = prepare_with(field, "\n\nbody", v3, HttpMethod::Post);
        assert_refused(r, path, "\n\nbody", &format!("{field:?}"));
    }
    // Header values must be ASCII in v3 (fetch would refuse them quoting the value).
    let (r, path) = prepare_with(Field::RpcSecurityToken, "é", v3, HttpMethod::Post);
    assert_refused(r, path, "tokéx-evil:1", "non-ASCII token");
    // In v1 the same token is percent-encoded, so it is fine.
    let (r, _) = prepare_with(
        Field::RpcSecurityToken,
        "é",
        SignatureVersion::V1,
        HttpMethod::Post,
    );
    assert_clean(&r.unwrap());
}

#[test]
fn every_field_refuses_every_control_character() {
    for c in controls() {
        for field in FIELDS {
            for (v, m) in [
                (SignatureVersion::V1, HttpMethod::Post),
                (SignatureVersion::V1, HttpMethod::Get),
                (SignatureVersion::V3, HttpMethod::Post),
            ] {
                let value = c.to_string();
                let (r, path) = prepare_with(field, &value, v, m);
                assert_refused(
                    r,
                    path,
                    &format!("{c}x"),
                    &format!("{field:?} U+{:04X} {v:?} {m:?}", c as u32),
                );
            }
        }
    }
    // The same fields with ordinary values prepare cleanly (the test can fail).
    for field in FIELDS {
        let (r, _) = prepare_with(field, "ok", SignatureVersion::V3, HttpMethod::Post);
        assert_clean(&r.unwrap_or_else(|e| panic!("{field:?}: {e}")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A control character anywhere in any option or name: a validation
    /// error at that option's path, never a Prepared, never the value shown.
    #[test]
    fn control_characters_never_reach_a_request(
        field in prop::sample::select(FIELDS.to_vec()),
        c in prop::sample::select(controls()),
        pre in "[a-zA-Z0-9]{0,4}", post in "[a-zA-Z0-9]{0,4}",
        v3 in any::<bool>(), get in any::<bool>(),
    ) {
        let v = if v3 { SignatureVersion::V3 } else { SignatureVersion::V1 };
        let m = if get && !v3 { HttpMethod::Get } else { HttpMethod::Post };
        let value = format!("{pre}{c}{post}");
        let (r, path) = prepare_with(field, &value, v, m);
        prop_assert!(r.is_err());
        let e = r.unwrap_err();
        prop_assert_eq!(e.kind, ErrorKind::Validation);
        prop_assert_eq!(&e.issues[0].path, path);
        let shown = format!("{} {:?}", e, e);
        prop_assert!(!shown.contains(&value));
    }

    /// Business parameters are percent-encoded, so any text is safe there:
    /// the request is prepared and carries no control character.
    #[test]
    fn business_values_are_encoded(s in "[a-z]\\PC{0,6}[\\x00-\\x1f\\x7f\u{80}-\u{9f}\u{2028}\u{2029}]{1,3}\\PC{0,6}") {
        let top = prepare::prepare_top(&top_cfg(), "x.unmodelled", &j(&json!({ "k": s, s.clone(): "v" })), true, TOP_TS).unwrap();
        assert_clean(&top);
        let funds = j(&json!({ "official_funds_record_request": { "payments": [main_order(Some(json!([sub(Some(json!(format!("u{s}"))))])))] } }));
        assert_clean(&prepare::prepare_top(&top_cfg(), FUNDS, &funds, true, TOP_TS).unwrap());
        for (v, m) in [(SignatureVersion::V1, HttpMethod::Get), (SignatureVersion::V1, HttpMethod::Post), (SignatureVersion::V3, HttpMethod::Post)] {
            let p = j(&json!({ "BizId": format!("b{s}"), "BizUid": "u", "LmOrderId": "1", "ThirdPartyUserId": s }));
            assert_clean(&prepare::prepare_rpc(&rpc_cfg(v, m), "ConfirmDisburse", &p, true, RPC_TS, "n").unwrap());
            let free = j(&json!({ "Free": s, "List": [s, { "x": s }] }));
            assert_clean(&prepare::prepare_rpc(&rpc_cfg(v, m), "Unmodelled", &free, true, RPC_TS, "n").unwrap());
        }
    }
}

#[test]
fn validate_params_checks_the_api_name_too() {
    let e = prepare::business(Protocol::Top, "a\nb", &Json::Null, true)
        .err()
        .unwrap();
    assert_eq!(e.issues[0].path, "api");
}
