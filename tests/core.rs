#![cfg(not(target_arch = "wasm32"))]
//! Core tests driven by the shared vectors in tests/vectors (also used by the JS suites).

use aligate::decode::{self, Call, Received};
use aligate::json::Json;
use aligate::models::Protocol;
use aligate::prepare::{self, Format, HttpMethod, RpcConfig, Secret, TopConfig};
use aligate::sign::{aliyun_rpc, top};
use serde_json::Value;

/// The core's own JSON value, from a serde_json value (the test oracle).
fn j(v: &Value) -> Json {
    aligate::json::parse(&v.to_string()).unwrap()
}

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn signature_vectors() {
    let v = load("signatures.json");
    for c in v["top"].as_array().unwrap() {
        let owned = pairs(&c["params"]);
        let mut p: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let m = top::SignMethod::parse(c["method"].as_str().unwrap()).unwrap();
        let got = top::sign(&mut p, c["secret"].as_str().unwrap(), m, None);
        assert_eq!(got, c["expected"].as_str().unwrap(), "{}", c["name"]);
        if let Some(p) = c.get("published") {
            assert_eq!(got, p.as_str().unwrap());
        }
    }
    for c in v["aliyun_rpc"].as_array().unwrap() {
        let owned = pairs(&c["params"]);
        let mut p: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let got = aliyun_rpc::sign(
            &mut p,
            c["secret"].as_str().unwrap(),
            c["http_method"].as_str().unwrap(),
        );
        assert_eq!(got, c["expected"].as_str().unwrap(), "{}", c["name"]);
    }
}

#[test]
fn v3_signature_vectors() {
    use aligate::sign::acs3;
    let v = load("signatures.json");
    for c in v["aliyun_v3"].as_array().unwrap() {
        let q = pairs(&c["query"]);
        let mut query: Vec<(&str, &str)> =
            q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let h = pairs(&c["headers"]);
        let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let hashed = acs3::sha256_hex(c["body"].as_str().unwrap().as_bytes());
        let s = acs3::sign(
            acs3::Request {
                method: c["method"].as_str().unwrap(),
                uri: "/",
                query: &mut query,
                headers: &headers,
                hashed_payload: &hashed,
            },
            c["secret"].as_str().unwrap(),
        );
        assert_eq!(
            s.signature,
            c["expected"].as_str().unwrap(),
            "{}",
            c["name"]
        );
    }
}

fn top_cfg() -> TopConfig {
    TopConfig {
        app_key: "12345678".into(),
        app_secret: Secret::new("helloworld"),
        sign_method: top::SignMethod::Md5,
        endpoint: prepare::TOP_DEFAULT_ENDPOINT.into(),
        session: Some(Secret::new("sess-secret")),
        format: Format::Json,
        simplify: false,
        keyed: Default::default(),
    }
}

fn rpc_cfg(m: HttpMethod) -> RpcConfig {
    RpcConfig {
        access_key_id: "testid".into(),
        access_key_secret: Secret::new("testsecret"),
        security_token: Some(Secret::new("sts-token-secret")),
        endpoint: prepare::LINKEDMALL_DEFAULT_ENDPOINT.into(),
        http_method: m,
        format: Format::Json,
        version: "2018-01-16".into(),
        signature_version: prepare::SignatureVersion::V1,
        keyed: Default::default(),
    }
}

fn prep(api: &str, params: &Value) -> aligate::Result<prepare::Prepared> {
    let params = &j(params);
    if api == "ConfirmDisburse" {
        prepare::prepare_rpc(
            &rpc_cfg(HttpMethod::Post),
            api,
            params,
            true,
            "2026-11-22T03:00:00Z",
            "nonce-1",
        )
    } else {
        prepare::prepare_top(&top_cfg(), api, params, true, "2026-11-22 11:00:00")
    }
}

#[test]
fn reference_examples_validate() {
    let v = load("examples.json");
    for (api, params) in v.as_object().unwrap() {
        let p = prep(api, params).unwrap_or_else(|e| panic!("{api}: {e}"));
        assert!(!p.body.is_empty());
    }
}

#[test]
fn validation_rules() {
    let v = load("validation.json");
    for c in v.as_array().unwrap() {
        let api = c["api"].as_str().unwrap();
        let err = prep(api, &c["params"]).expect_err(c["rule"].as_str().unwrap());
        assert_eq!(err.kind, aligate::ErrorKind::Validation);
        let got: Vec<(String, String)> = err
            .issues
            .iter()
            .map(|i| (i.path.clone(), i.message.clone()))
            .collect();
        let want: Vec<(String, String)> = c["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["path"].as_str().unwrap().to_string(),
                    i["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, want, "rule: {}", c["rule"]);
    }
}

#[test]
fn nineteen_digit_ids_reach_the_wire() {
    let params: Value = serde_json::from_str(r#"{"biz_order_id":"9223372036854775807"}"#).unwrap();
    let p = prep("alibaba.alisports.lianbei.order.notice", &params).unwrap();
    assert_eq!(p.body, "biz_order_id=9223372036854775807");
    let params: Value =
        serde_json::from_str(r#"{"param0":{"order_id":1234567890123456789,"order_status":"2"}}"#)
            .unwrap();
    // From JS the number would have been rounded: refused.
    assert!(prep("alibaba.retail.commission.status.change", &params).is_err());
    // From exact JSON text (CLI, files) it is kept digit for digit.
    let p = prepare::prepare_top(
        &top_cfg(),
        "alibaba.retail.commission.status.change",
        &aligate::json::parse(r#"{"param0":{"order_id":1234567890123456789,"order_status":"2"}}"#)
            .unwrap(),
        false,
        "2026-11-22 11:00:00",
    )
    .unwrap();
    assert!(p.body.contains("1234567890123456789"), "{}", p.body);
}

#[test]
fn alias_sent_under_official_name() {
    let params: Value = serde_json::from_str(
        r#"{"BizId":"b","BizUid":"u","LmOrderId":"1","UseAnonymouslyTbAccount":true}"#,
    )
    .unwrap();
    let p = prep("ConfirmDisburse", &params).unwrap();
    assert!(p.body.contains("UseAnonymousTbAccount=true"));
    assert!(!p.body.contains("UseAnonymouslyTbAccount"));
}

#[test]
fn secrets_stay_out_of_debug_and_redactions() {
    let cfg = top_cfg();
    let dbg = format!("{cfg:?}");
    assert!(
        !dbg.contains("helloworld") && !dbg.contains("sess-secret"),
        "{dbg}"
    );
    let p = prep(
        "alibaba.alisports.lianbei.order.notice",
        &serde_json::json!({"biz_order_id": 1}),
    )
    .unwrap();
    assert!(p.url.contains("sess-secret"));
    assert!(!p.redacted_url().contains("sess-secret"));
    let r = prep(
        "ConfirmDisburse",
        &serde_json::json!({"BizId":"b","BizUid":"u","LmOrderId":"1"}),
    )
    .unwrap();
    assert!(r.body.contains("sts-token-secret"));
    assert!(!r.redacted_body().contains("sts-token-secret"));
    let rc = rpc_cfg(HttpMethod::Get);
    assert!(!format!("{rc:?}").contains("testsecret"));
}

#[test]
fn rpc_get_puts_everything_in_query() {
    let p = prepare::prepare_rpc(
        &rpc_cfg(HttpMethod::Get),
        "ConfirmDisburse",
        &j(&serde_json::json!({"BizId":"中 *","BizUid":"u","LmOrderId":"1"})),
        true,
        "2026-11-22T03:00:00Z",
        "n",
    )
    .unwrap();
    assert_eq!(p.method, "GET");
    assert!(p.body.is_empty());
    assert!(p.url.contains("BizId=%E4%B8%AD%20%2A"), "{}", p.url);
    assert!(p.url.contains("Version=2018-01-16"));
}

#[test]
fn unmodelled_api_passes_through() {
    let p = prepare::prepare_top(
        &top_cfg(),
        "taobao.item.seller.get",
        &j(&serde_json::json!({"fields": "num_iid,title", "num_iid": 11223344, "obj": {"a": [1]}})),
        true,
        "2016-01-01 12:00:00",
    )
    .unwrap();
    assert!(p.body.contains("num_iid=11223344"));
    assert!(p.body.contains("obj=%7B%22a%22%3A%5B1%5D%7D"), "{}", p.body);
    assert!(!p.repeat_safe);
}

#[test]
fn decode_top_error() {
    let body = br#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"This ban will last 1 more seconds","request_id":"abc"}}"#;
    let e = decode::decode(
        &Call {
            protocol: Protocol::Top,
            api: "x.y",
            format: Format::Json,
            simplify: false,
        },
        &Received {
            status: 200,
            content_type: "application/json",
            body,
        },
        1 << 20,
    )
    .unwrap_err();
    assert_eq!(e.kind, aligate::ErrorKind::Api);
    assert_eq!(e.api.code.as_deref(), Some("7"));
    assert_eq!(e.api.request_id.as_deref(), Some("abc"));
}

#[test]
fn decode_confirm_disburse_business_failure() {
    let body = br#"{"Code":"ORDER_NOT_FOUND","Message":"no","RequestId":"R"}"#;
    let e = decode::decode(
        &Call {
            protocol: Protocol::AliyunRpc,
            api: "ConfirmDisburse",
            format: Format::Json,
            simplify: false,
        },
        &Received {
            status: 200,
            content_type: "application/json",
            body,
        },
        1 << 20,
    )
    .unwrap_err();
    assert_eq!(e.kind, aligate::ErrorKind::Api);
    assert_eq!(e.status, Some(200));
    let ok = br#"{"Code":"SUCCESS","Message":"SUCCESS","RequestId":"R"}"#;
    let v = decode::decode(
        &Call {
            protocol: Protocol::AliyunRpc,
            api: "ConfirmDisburse",
            format: Format::Json,
            simplify: false,
        },
        &Received {
            status: 200,
            content_type: "application/json",
            body: ok,
        },
        1 << 20,
    )
    .unwrap();
    assert!(v.contains("\"RequestId\":\"R\""));
}
