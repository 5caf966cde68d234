#![cfg(not(target_arch = "wasm32"))]
//! Property tests: arbitrary JSON never panics any model; signatures do not
//! depend on parameter order; timestamps do not depend on the host zone.

use aligate::models::MODELS;
use aligate::prepare::{self, Format, HttpMethod, RpcConfig, Secret, TopConfig};
use aligate::sign::{percent, top};
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| Value::Number(i.into())),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("sell"),
            Just("weixin"),
            Just("2022-09-23 09:00:00"),
            Just("\u{0}NaN"),
            Just("12")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    let names = prop_oneof![
        Just("official_funds_record_request".to_string()),
        Just("payments".to_string()),
        Just("sub_orders".to_string()),
        Just("param0".to_string()),
        Just("order_status".to_string()),
        Just("biz_order_id".to_string()),
        Just("pay_type".to_string()),
        Just("BizId".to_string()),
        "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(names.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn top_cfg() -> TopConfig {
    TopConfig {
        app_key: "k".into(),
        app_secret: Secret::new("s"),
        sign_method: top::SignMethod::Hmac,
        endpoint: "http://127.0.0.1/router/rest".into(),
        // A session, so that APIs needing one reach their deeper rules.
        session: Some(Secret::new("sess")),
        format: Format::Json,
        simplify: false,
        keyed: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn models_never_panic(v in arb_json(), js in any::<bool>()) {
        let text = v.to_string();
        let v = aligate::json::parse(&text).unwrap();
        for m in MODELS {
            let r = match m.protocol {
                aligate::models::Protocol::Top => prepare::prepare_top(&top_cfg(), m.api, &v, js, "2026-01-01 00:00:00"),
                aligate::models::Protocol::AliyunRpc => prepare::prepare_rpc(&RpcConfig {
                    access_key_id: "i".into(), access_key_secret: Secret::new("s"), security_token: None,
                    endpoint: "http://127.0.0.1/".into(), http_method: HttpMethod::Post, format: Format::Json,
                    version: "2018-01-16".into(), signature_version: prepare::SignatureVersion::V1, keyed: Default::default() }, m.api, &v, js, "2026-01-01T00:00:00Z", "n"),
            };
            if let Err(e) = r {
                prop_assert!(e.kind == aligate::ErrorKind::Validation);
                prop_assert!(!e.issues.is_empty());
            }
        }
        // Wrapped into each model's root object too, to reach deeper rules.
        for key in ["official_funds_record_request", "param0"] {
            let wrapped = aligate::json::parse(&format!("{{\"{key}\":{text}}}")).unwrap();
            let _ = prepare::prepare_top(&top_cfg(), "aliyun.gsc.funds.flow.notify", &wrapped, js, "2026-01-01 00:00:00");
            let _ = prepare::prepare_top(&top_cfg(), "alibaba.retail.commission.status.change", &wrapped, js, "2026-01-01 00:00:00");
        }
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), xml in any::<bool>(), status in 100u16..600) {
        let call = aligate::decode::Call { protocol: aligate::models::Protocol::Top, api: "alibaba.alisports.lianbei.order.notice",
            format: if xml { Format::Xml } else { Format::Json }, simplify: false };
        let _ = aligate::decode::decode(&call, &aligate::decode::Received { status, content_type: "", body: &bytes }, 1 << 20);
    }

    #[test]
    fn top_sign_independent_of_order(mut params in prop::collection::vec(("[a-z]{1,6}", ".{0,8}"), 0..10), seed in any::<u64>()) {
        params.sort_by(|a, b| a.0.cmp(&b.0));
        params.dedup_by(|a, b| a.0 == b.0);
        let mut a: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut b = a.clone();
        let n = b.len();
        if n > 1 { b.rotate_left((seed as usize) % n); b.swap(0, n - 1); }
        for m in [top::SignMethod::Md5, top::SignMethod::Hmac, top::SignMethod::HmacSha256] {
            prop_assert_eq!(top::sign(&mut a, "sec", m, None), top::sign(&mut b, "sec", m, None));
        }
    }

    #[test]
    fn percent_round_trips(s in ".{0,40}") {
        let e = percent::encode(&s);
        let mut fast = String::new();
        percent::encode_into(&s, &mut fast);
        prop_assert_eq!(&fast, &e);
        prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        prop_assert_eq!(percent::decode_form_component(&e), Some(s));
    }

    #[test]
    fn any_i64_reaches_the_wire(i in any::<i64>()) {
        let v = aligate::json::parse(&format!(r#"{{"biz_order_id":"{i}"}}"#)).unwrap();
        let p = prepare::prepare_top(&top_cfg(), "alibaba.alisports.lianbei.order.notice", &v, true, "2026-01-01 00:00:00").unwrap();
        prop_assert_eq!(p.body, format!("biz_order_id={}", percent::encode(&i.to_string())));
        let body = format!(r#"{{"alibaba_alisports_lianbei_order_notice_response":{{"result":{{"alisp_data":{{"auction_id":{i}}}}}}}}}"#);
        let out = aligate::decode::decode(&aligate::decode::Call { protocol: aligate::models::Protocol::Top,
            api: "alibaba.alisports.lianbei.order.notice", format: Format::Json, simplify: false },
            &aligate::decode::Received { status: 200, content_type: "application/json", body: body.as_bytes() }, 1 << 20).unwrap();
        prop_assert!(out.contains(&i.to_string()));
    }

    #[test]
    fn json_parser_agrees_with_serde_json(text in prop_oneof![
        ".{0,40}",
        arb_json().prop_map(|v| v.to_string()),
        arb_json().prop_map(|v| { let t = v.to_string(); let n = t.len() / 2; t[..t.floor_char_boundary(n)].to_string() }),
    ]) {
        let ours = aligate::json::parse(&text);
        let oracle: Result<Value, _> = serde_json::from_str(&text);
        prop_assert_eq!(ours.is_ok(), oracle.is_ok(), "{}", text);
        if let (Ok(a), Ok(b)) = (ours, oracle) {
            // Same value after a round trip through our writer (numbers compared by text).
            let again: Value = serde_json::from_str(&a.to_string()).unwrap();
            prop_assert_eq!(again, b);
        }
    }

    #[test]
    fn xml_reader_never_panics(text in "(<[a-z]{1,3}>|</[a-z]{1,3}>|<[a-z]/>|&[a-z#0-9]{0,4};?|<!\\[CDATA\\[|]]>|<\\?|\\?>|[a-z ]){0,30}") {
        let _ = aligate::xml::parse(&text);
    }

    #[test]
    fn timestamps_ignore_host_zone(ms in 0i64..4_102_444_800_000) {
        // The core never reads the zone; compare against the arithmetic definition.
        let t = aligate::time::top_datetime(ms).unwrap();
        prop_assert_eq!(aligate::time::parse_top_timestamp_ms(&t), Some(ms - ms.rem_euclid(1000)));
        // Signing timestamps are the same text, inside the signing range only.
        let signable = aligate::time::signable(ms);
        prop_assert_eq!(aligate::time::top_timestamp(ms).is_some(), signable);
        prop_assert_eq!(aligate::time::top_timestamp(ms).is_some_and(|s| s == t), signable);
        prop_assert_eq!(aligate::time::iso_utc(ms).is_some(), signable);
    }
}
