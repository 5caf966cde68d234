//! wasm-bindgen-test suite: the bindings inside a real JS engine (Node, and
//! headless Chromium / a dedicated worker via WASM_BINDGEN_USE_* variables).
#![cfg(target_arch = "wasm32")]

use aligate_wasm::{
    sign_aliyun_rpc, sign_top, validate_params, LinkedMallClient, Request, TopClient,
};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

#[wasm_bindgen_test]
fn public_top_vector() {
    let params = obj(
        r#"{"app_key":"12345678","method":"taobao.item.seller.get","timestamp":"2016-01-01 12:00:00","format":"json","v":"2.0","sign_method":"md5","session":"test","fields":"num_iid,title,nick,price,num","num_iid":"11223344"}"#,
    );
    assert_eq!(
        sign_top(params, "helloworld".into(), "md5".into()).unwrap(),
        "66987CB115214E59E6EC978214934FB8"
    );
}

#[wasm_bindgen_test]
fn public_aliyun_vector() {
    let params = obj(
        r#"{"AccessKeyId":"testid","Action":"DescribeRegions","Format":"XML","SignatureMethod":"HMAC-SHA1","SignatureNonce":"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf","SignatureVersion":"1.0","Timestamp":"2016-02-23T12:46:24Z","Version":"2014-05-26"}"#,
    );
    assert_eq!(
        sign_aliyun_rpc(params, "testsecret".into(), "GET".into()).unwrap(),
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    );
}

#[wasm_bindgen_test]
fn prepare_top_with_bigint() {
    let top = TopClient::new(obj(r#"{"appKey":"k","appSecret":"s"}"#)).unwrap();
    let params = Object::new();
    Reflect::set(
        &params,
        &"biz_order_id".into(),
        &js_sys::BigInt::from(1_234_567_890_123_456_789i64).into(),
    )
    .unwrap();
    // Before the JS entry's setup there is no replacer: a bigint cannot be
    // stringified and the error says so instead of panicking.
    let r = top.prepare(
        "alibaba.alisports.lianbei.order.notice".into(),
        params.into(),
        JsValue::UNDEFINED,
    );
    assert!(
        r.is_instance_of::<js_sys::Error>(),
        "the error is returned in band"
    );
    let p = top
        .prepare(
            "alibaba.alisports.lianbei.order.notice".into(),
            obj(r#"{"biz_order_id":"1234567890123456789"}"#),
            obj(r#"{"timestamp":"2016-01-01 12:00:00"}"#),
        )
        .as_string()
        .unwrap();
    // method, url, content type, body: one line each.
    let lines: Vec<&str> = p.split('\n').collect();
    assert_eq!(lines[0], "POST");
    assert!(lines[1].contains("timestamp=2016-01-01%2012%3A00%3A00"));
    assert_eq!(lines[3], "biz_order_id=1234567890123456789");
}

#[wasm_bindgen_test]
fn builders_and_fresh_nonces() {
    let lm = LinkedMallClient::new(obj(r#"{"accessKeyId":"i","accessKeySecret":"s"}"#)).unwrap();
    let mut request = Request::new("ConfirmDisburse").unwrap();
    for (k, v) in [("BizId", "b"), ("BizUid", "u"), ("LmOrderId", "1")] {
        assert!(request.set("", k, v.into()).is_undefined());
    }
    let a = lm
        .prepare_request(&request, JsValue::UNDEFINED)
        .as_string()
        .unwrap();
    let c = lm
        .prepare_request(&request, JsValue::UNDEFINED)
        .as_string()
        .unwrap();
    let nonce = |p: &String| {
        let body = p.split('\n').nth(3).unwrap().to_string();
        body.split('&')
            .find(|kv| kv.starts_with("SignatureNonce="))
            .unwrap()
            .to_string()
    };
    assert_ne!(
        nonce(&a),
        nonce(&c),
        "getrandom gives each request its own nonce"
    );
}

#[wasm_bindgen_test]
fn validation_paths() {
    let issues: Array = validate_params(
        "aliyun.gsc.funds.flow.notify".into(),
        obj(r#"{"official_funds_record_request":{"payments":[{"main_biz_order_id":"m","create_date":"2022-09-23 09:00:00","biz_date":"2022-09-23 09:00:00","seller_id":"s","sale_type":"sell","sub_orders":[{"sub_biz_order_id":"s","auction_id":"a","auction_title":"t","out_item_id":"o","price":1,"freight":1,"amount":1,"amount_type":"currency","pay_type":"card","currency_type":"yuan","qty":1,"point_grant":1,"uid":"u","return_point_grant":1}]}]}}"#),
    )
    .unwrap()
    .into();
    // The issues as a JS user sees them, read back with serde-wasm-bindgen.
    #[derive(serde::Deserialize)]
    struct Issue {
        path: String,
        message: String,
    }
    let issues: Vec<Issue> = serde_wasm_bindgen::from_value(issues.into()).unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].path,
        "official_funds_record_request.payments[0].sub_orders[0].pay_type"
    );
    assert!(
        issues[0].message.starts_with("expected one of"),
        "{}",
        issues[0].message
    );
    let mut lb = Request::new("alibaba.alisports.lianbei.order.notice").unwrap();
    assert!(lb
        .set("", "biz_order_id", JsValue::from_f64(1.5))
        .is_undefined());
    assert!(lb.validate().is_err());
    let mut funds = Request::new("aliyun.gsc.funds.flow.notify").unwrap();
    let order = obj(r#"{"main_biz_order_id":"m"}"#);
    assert!(funds
        .push("official_funds_record_request", "payments", order)
        .is_undefined());
    let json = JSON::stringify(&funds.to_json().unwrap()).unwrap();
    assert_eq!(
        json.as_string().unwrap(),
        r#"{"official_funds_record_request":{"payments":[{"main_biz_order_id":"m"}]}}"#
    );
    assert!(Request::new("no.such.api").is_err());
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> js_sys::Promise;
}

/// The attempt loop the JS entry runs, driven from Rust against a real fetch
/// to a closed loopback port: the core's decision for a failed connection.
#[wasm_bindgen_test]
async fn refused_connection_is_a_retryable_network_error() {
    let top = TopClient::new(obj(
        r#"{"appKey":"k","appSecret":"s","endpoint":"http://127.0.0.1:9/router/rest","retries":1,"retryBaseDelayMs":1,"timeoutMs":5000}"#,
    ))
    .unwrap();
    let mut call = top
        .call(
            "alibaba.alisports.lianbei.order.notice".into(),
            obj(r#"{"biz_order_id":1}"#),
            JsValue::UNDEFINED,
        )
        .unwrap();
    let mut err = JsValue::UNDEFINED;
    for _ in 0..3 {
        let line = call.sign().unwrap();
        let url = line.split('\n').nth(1).unwrap().to_string();
        assert!(url.starts_with("http://127.0.0.1:9/router/rest?"), "{url}");
        let failure = JsFuture::from(global_fetch(&url)).await.unwrap_err();
        match call.failed("network", failure) {
            // Node names the refusal (nothing was sent): one retry is allowed.
            Ok(delay) => assert!((0.0..=1.0).contains(&delay), "{delay}"),
            Err(e) => {
                err = e;
                break;
            }
        }
    }
    // Without the JS entry's setup the error is a plain Error carrying the message.
    let message = get(&err, "message").as_string().unwrap_or_default();
    assert!(message.contains("request failed"), "{message}");
}

/// The .wasm's allocator (talc behind a per-class cache of small blocks):
/// blocks of mixed sizes grown and shrunk across classes and into talc's
/// range, freed in scrambled order, each keeping its own bytes throughout.
#[wasm_bindgen_test]
fn allocator_keeps_every_block_intact() {
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut live: Vec<(u8, Vec<u8>)> = Vec::new();
    for round in 0..20_000u32 {
        let tag = (round % 251) as u8;
        match next() % 4 {
            // A new block of 0..1500 bytes (small classes and large).
            0 | 1 => {
                let n = (next() % 1500) as usize;
                live.push((tag, vec![tag; n]));
            }
            // Grow or shrink one: realloc within a class, across classes, across the 1024-byte edge.
            2 if !live.is_empty() => {
                let i = next() as usize % live.len();
                let (t, v) = &mut live[i];
                let n = (next() % 1500) as usize;
                v.resize(n, *t);
                v.shrink_to_fit();
            }
            _ if !live.is_empty() => {
                let i = next() as usize % live.len();
                let (t, v) = live.swap_remove(i);
                assert!(v.iter().all(|&b| b == t), "block changed before free");
            }
            _ => {}
        }
        if live.len() > 300 {
            live.truncate(150);
        }
    }
    for (t, v) in &live {
        assert!(v.iter().all(|b| b == t), "block changed");
    }
    // Far more small blocks than the cache keeps (64 KiB per class): the
    // excess goes back to talc on free, and everything allocated after holds.
    for round in 0..3u8 {
        let many: Vec<Vec<u8>> = (0..20_000u32)
            .map(|i| vec![(i % 251) as u8 ^ round; 1 + (i % 40) as usize])
            .collect();
        for (i, v) in many.iter().enumerate() {
            assert!(
                v.iter().all(|&b| b == (i as u32 % 251) as u8 ^ round),
                "small block changed"
            );
        }
    }
}
