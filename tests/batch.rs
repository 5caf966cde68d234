#![cfg(not(target_arch = "wasm32"))]
//! The TOP batch API in the core: the wire format (checked by re-deriving
//! the sign from the query and body with the hash crates directly), every
//! call validated with index-prefixed paths, the split and decode of hostile
//! answers, and the retry rules of `client::batch` round by round. Inputs
//! are tests/vectors/batch.json (shared with tests/js/batch.test.mjs).

use aligate::client::batch::Batch;
use aligate::client::config::{Http, HttpOptions};
use aligate::client::Fault;
use aligate::decode::{self, Received};
use aligate::error::{ErrorKind, Outcome};
use aligate::json;
use aligate::models::Protocol;
use aligate::prepare::batch::{self, item, prepare_batch, separator_of, split, Calls, Item};
use aligate::prepare::{Format, Prepared, Secret, TopConfig};
use aligate::sign::top::SignMethod;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde_json::Value;

const L: &str = "alibaba.alisports.lianbei.order.notice";
const C: &str = "alibaba.retail.commission.status.change";
const CT: &str = "application/json;charset=utf-8";

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/batch.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn cfg(v: &Value, method: SignMethod, session: Option<&str>) -> TopConfig {
    let c = &v["client"];
    let mut cfg = TopConfig::new(
        c["appKey"].as_str().unwrap(),
        Secret::new(c["appSecret"].as_str().unwrap()),
        method,
    )
    .with_endpoint("http://127.0.0.1:9/router/rest");
    cfg.session = session.map(Secret::new);
    cfg
}

fn calls(cfg: &TopConfig, case: &Value) -> Result<Vec<Item>, aligate::Error> {
    let mut calls = Calls::default();
    for c in case["calls"].as_array().unwrap() {
        let params = aligate::prepare::parse_params(c["params"].as_str().unwrap()).unwrap();
        let session = c["session"].as_str().map(Secret::new);
        calls.push(item(
            cfg,
            c["api"].as_str().unwrap(),
            &params,
            false,
            session,
        ));
    }
    calls.finish()
}

fn prepared(cfg: &TopConfig, case: &Value) -> Prepared {
    let items = calls(cfg, case).unwrap();
    let refs: Vec<&Item> = items.iter().collect();
    let ts = vectors()["client"]["timestamp"]
        .as_str()
        .unwrap()
        .to_string();
    prepare_batch(cfg, &refs, &ts, case["separator"].as_str()).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The query's parameters, decoded.
fn query(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').unwrap().1;
    q.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let d = |s: &str| aligate::sign::percent::decode_form_component(s).unwrap();
            (d(k), d(v))
        })
        .collect()
}

/// The TOP sign over the sorted query (blank values skipped) and the body.
fn expected_sign(secret: &str, method: SignMethod, q: &[(String, String)], body: &str) -> String {
    let mut q: Vec<_> = q
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .collect();
    q.sort();
    let mut s: String = q.iter().map(|(k, v)| format!("{k}{v}")).collect();
    s.push_str(body);
    match method {
        SignMethod::Md5 => hex(&Md5::digest(format!("{secret}{s}{secret}").as_bytes())),
        SignMethod::Hmac => {
            let mut m = Hmac::<Md5>::new_from_slice(secret.as_bytes()).unwrap();
            m.update(s.as_bytes());
            hex(&m.finalize().into_bytes())
        }
        SignMethod::HmacSha256 => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            m.update(s.as_bytes());
            hex(&m.finalize().into_bytes())
        }
    }
}

#[test]
fn wire_format_of_every_vector_and_sign_method() {
    let v = vectors();
    let secret = v["client"]["appSecret"].as_str().unwrap();
    for case in v["wire"].as_array().unwrap() {
        for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            let name = case["name"].as_str().unwrap();
            let shared = case["session"].as_str();
            let cfg = cfg(&v, method, shared);
            let p = prepared(&cfg, case);
            assert_eq!(p.method, "POST");
            assert!(
                p.url.starts_with("http://127.0.0.1:9/router/batch?"),
                "{name}"
            );
            assert_eq!(p.content_type, Some("text/plain;charset=UTF-8"));
            let q = query(&p.url);
            let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            assert_eq!(get("v"), Some("2.0"));
            assert_eq!(get("method"), None, "{name}: method is never in the query");
            assert_eq!(get("session"), shared, "{name}");
            let sign = expected_sign(secret, method, &q, &p.body);
            assert_eq!(get("sign"), Some(sign.as_str()), "{name} {method:?}");
            // The separator: the caller's (announced) or the default.
            let sep = case["separator"]
                .as_str()
                .unwrap_or(batch::DEFAULT_SEPARATOR);
            assert_eq!(separator_of(&p), sep);
            let announced = p.headers.iter().any(|(k, _)| *k == "top-api-separator");
            assert_eq!(announced, case["separator"].is_string(), "{name}");
            // Parts: #PUBLIC# when every call has one API, then one per call.
            let apis: Vec<&str> = case["calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["api"].as_str().unwrap())
                .collect();
            let public = apis.iter().all(|a| *a == apis[0]);
            let parts = split(p.body.as_bytes(), sep.as_bytes(), usize::MAX);
            assert_eq!(parts.len(), apis.len() + usize::from(public), "{name}");
            let parts: Vec<&str> = parts
                .iter()
                .map(|b| std::str::from_utf8(b).unwrap())
                .collect();
            let calls = &parts[usize::from(public)..];
            if public {
                assert_eq!(parts[0], format!("#PUBLIC#method={}", apis[0]));
            }
            for ((part, api), c) in calls
                .iter()
                .zip(&apis)
                .zip(case["calls"].as_array().unwrap())
            {
                let pairs = query(&format!("?{part}"));
                let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
                assert_eq!(get("method"), (!public).then_some(*api), "{name}");
                let own = c["session"].as_str().filter(|s| Some(*s) != shared);
                assert_eq!(get("session"), own, "{name}: {part}");
            }
            // Secrets stay out of the redacted form.
            for s in ["user-session", "s2", "s3"] {
                assert!(!p.redacted_url().contains(s) && !p.redacted_body().contains(s));
            }
            assert!(!format!("{p:?}").contains(secret));
        }
    }
}

#[test]
fn big_ids_and_object_params_survive_the_body() {
    let v = vectors();
    let cfg = cfg(&v, SignMethod::Md5, Some("user-session"));
    let p = prepared(&cfg, &v["wire"][0]);
    assert!(
        p.body.contains("biz_order_id=1234567890123456789"),
        "{}",
        p.body
    );
    let p = prepared(&cfg, &v["wire"][1]);
    let part = p.body.split(batch::DEFAULT_SEPARATOR).next().unwrap();
    let pairs = query(&format!("?{part}"));
    let param0 = &pairs.iter().find(|(k, _)| k == "param0").unwrap().1;
    let back: Value = serde_json::from_str(param0).unwrap();
    assert_eq!(back["outer_order_id"], "o-1");
    assert!(!p.repeat_safe, "one call without its dedupe key");
}

#[test]
fn every_invalid_call_is_reported_with_its_index() {
    let v = vectors();
    for case in v["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let cfg = cfg(&v, SignMethod::Md5, case["session"].as_str());
        let err = match calls(&cfg, case) {
            Err(e) => e,
            Ok(items) => {
                let refs: Vec<&Item> = items.iter().collect();
                prepare_batch(
                    &cfg,
                    &refs,
                    "2026-12-04 12:00:00",
                    case["separator"].as_str(),
                )
                .unwrap_err()
            }
        };
        assert_eq!(err.kind, ErrorKind::Validation, "{name}");
        let paths: Vec<&str> = err.issues.iter().map(|i| i.path.as_str()).collect();
        let want: Vec<&str> = case["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(paths, want, "{name}");
    }
}

#[test]
fn single_call_paths_are_the_batch_paths_without_the_index() {
    let v = vectors();
    let cfg = cfg(&v, SignMethod::Md5, None);
    let case = &v["invalid"][0];
    let c = &case["calls"][1];
    let params = aligate::prepare::parse_params(c["params"].as_str().unwrap()).unwrap();
    let single = aligate::prepare::prepare_top(
        &cfg.clone().with_session(Secret::new("s")),
        C,
        &params,
        false,
        "2026-12-04 12:00:00",
    )
    .unwrap_err();
    let batch = calls(&cfg.with_session(Secret::new("s")), case).unwrap_err();
    assert_eq!(
        batch.issues[0].path,
        format!("[1].{}", single.issues[0].path)
    );
    assert_eq!(batch.issues[0].message, single.issues[0].message);
}

#[test]
fn a_default_separator_inside_a_part_picks_a_fallback() {
    let parts = vec!["a=1".to_string(), format!("x{}y", batch::DEFAULT_SEPARATOR)];
    let (body, sep) = batch::join_parts(&parts, None).unwrap();
    assert_ne!(sep, batch::DEFAULT_SEPARATOR);
    assert_eq!(split(body.as_bytes(), sep.as_bytes(), 9).len(), 2);
    let (_, sep) = batch::join_parts(&["a=1".into()], None).unwrap();
    assert_eq!(sep, batch::DEFAULT_SEPARATOR);
}

#[test]
fn split_is_bounded_and_total() {
    let sep = batch::DEFAULT_SEPARATOR.as_bytes();
    assert_eq!(split(b"", sep, 3), vec![b"" as &[u8]]);
    assert_eq!(split(b"a", sep, 3), vec![b"a" as &[u8]]);
    let many = batch::DEFAULT_SEPARATOR.repeat(100_000);
    // Only `limit` pieces are collected, whatever the body holds.
    assert_eq!(split(many.as_bytes(), sep, 4).len(), 4);
    // Near-misses: a body of almost-separators is scanned once.
    let near = "\r\n-S-\r".repeat(200_000);
    assert_eq!(split(near.as_bytes(), sep, 3).len(), 1);
}

fn http(retries: u32) -> Http {
    Http::from_options(&HttpOptions {
        retries: Some(retries.into()),
        retry_base_delay_ms: Some(1.0),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn response_vectors_decode_per_part_or_as_a_whole() {
    let v = vectors();
    for case in v["responses"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let apis: Vec<&str> = case["apis"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let calls: Vec<decode::Call> = apis
            .iter()
            .map(|api| decode::Call {
                protocol: Protocol::Top,
                api,
                format: Format::Json,
                simplify: false,
            })
            .collect();
        let r = Received {
            status: case["status"].as_u64().unwrap() as u16,
            content_type: CT,
            body: case["body"].as_str().unwrap().as_bytes(),
        };
        let got = decode::decode_batch(&calls, &r, batch::DEFAULT_SEPARATOR, 1 << 20);
        let describe = |e: &aligate::Error| match (e.kind, &e.api.sub_code, &e.api.code) {
            (ErrorKind::Api, Some(s), _) => format!("api:{s}"),
            (ErrorKind::Api, None, Some(c)) => format!("api:{c}"),
            (k, ..) => k.as_str().to_string(),
        };
        match (&got, case["whole"].as_str()) {
            (Err(e), Some(whole)) => assert_eq!(describe(e), whole, "{name}"),
            (Ok(parts), None) => {
                let want: Vec<&str> = case["expect"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                let seen: Vec<String> = parts
                    .iter()
                    .map(|p| match p {
                        Ok(_) => "ok".into(),
                        Err(e) => describe(e),
                    })
                    .collect();
                assert_eq!(seen, want, "{name}");
                if let Some(ids) = case["ids"].as_array() {
                    for (p, id) in parts.iter().zip(ids) {
                        let j: Value = serde_json::from_str(p.as_ref().unwrap()).unwrap();
                        assert_eq!(&j["result"]["alisp_data"]["biz_order_id"], id, "{name}");
                    }
                }
            }
            _ => panic!("{name}: {got:?}"),
        }
    }
}

/// A batch of `safe` lianbei reads and commission writes without their
/// dedupe key (`!safe`), shared session, retries 2, batch size `size`.
fn machine(kinds: &[bool], size: usize) -> Batch {
    let cfg = TopConfig::new(
        "12345678",
        Secret::new("batch-secret-0123"),
        SignMethod::Md5,
    )
    .with_endpoint("http://127.0.0.1:9/router/rest")
    .with_session(Secret::new("user-session"));
    let mut calls = Calls::default();
    for (i, safe) in kinds.iter().enumerate() {
        let (api, params) = if *safe {
            (L, format!(r#"{{"biz_order_id":{i}}}"#))
        } else {
            (
                C,
                format!(r#"{{"param0":{{"order_id":"{i}","order_status":1}}}}"#),
            )
        };
        let params = json::parse(&params).unwrap();
        calls.push(item(&cfg, api, &params, false, None));
    }
    Batch::new(cfg, http(2), calls.finish().unwrap(), size, None)
}

const TS: &str = "2026-12-04 12:00:00";
const SEP: &str = "\r\n-S-\r\n";

fn lianbei_ok(n: usize) -> String {
    format!(
        r#"{{"alibaba_alisports_lianbei_order_notice_response":{{"result":{{"alisp_code":200}},"request_id":"r{n}"}}}}"#
    )
}
fn commission_ok() -> String {
    r#"{"alibaba_retail_commission_status_change_response":{"s_success":true,"request_id":"c"}}"#
        .into()
}
const ISP: &str =
    r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isp.unknown-error"}}"#;
const BAN: &str = r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_msg":"This ban will last 1 more seconds"}}"#;

/// How many calls the next round carries.
fn round_len(b: &mut Batch) -> Option<usize> {
    b.sign(TS).map(|p| {
        let p = p.unwrap();
        let sep = separator_of(&p).to_string();
        split(p.body.as_bytes(), sep.as_bytes(), usize::MAX)
            .iter()
            .filter(|part| !part.starts_with(b"#PUBLIC#"))
            .count()
    })
}

#[test]
fn chunks_by_batch_size_in_request_order() {
    let mut b = machine(&[true; 45], 20);
    let mut sizes = Vec::new();
    while let Some(n) = round_len(&mut b) {
        sizes.push(n);
        let body: Vec<String> = (0..n).map(lianbei_ok).collect();
        assert_eq!(b.received(200, CT, body.join(SEP).as_bytes(), 0.5), 0);
    }
    assert_eq!(sizes, vec![20, 20, 5]);
    let results = b.results();
    assert_eq!(results.len(), 45);
    assert!(results
        .iter()
        .all(|(r, attempts)| r.is_ok() && *attempts == 1));
}

#[test]
fn a_throttled_batch_is_retried_whole() {
    let mut b = machine(&[true, false, false], 20);
    assert_eq!(round_len(&mut b), Some(3));
    let wait = b.received(429, "text/plain", b"Too Many Requests", 0.0);
    assert_eq!(wait, 0, "jitter 0, no ban floor");
    assert_eq!(round_len(&mut b), Some(3), "every item, writes included");
    let wait = b.received(200, CT, BAN.as_bytes(), 0.0);
    assert_eq!(wait, 1000, "the ban's floor");
    assert_eq!(round_len(&mut b), Some(3));
    let body = [lianbei_ok(0), commission_ok(), commission_ok()].join(SEP);
    b.received(200, CT, body.as_bytes(), 0.0);
    assert_eq!(round_len(&mut b), None);
    for (r, attempts) in b.results() {
        assert!(r.is_ok());
        assert_eq!(attempts, 3);
    }
}

#[test]
fn a_transport_fault_resends_only_repeat_safe_items() {
    let mut b = machine(&[true, false, true, false], 20);
    assert_eq!(round_len(&mut b), Some(4));
    b.failed(Fault::Network, "reset", 0.0);
    assert_eq!(round_len(&mut b), Some(2), "the two reads only");
    b.received(
        200,
        CT,
        [lianbei_ok(0), lianbei_ok(2)].join(SEP).as_bytes(),
        0.0,
    );
    assert_eq!(round_len(&mut b), None);
    let r = b.results();
    assert!(r[0].0.is_ok() && r[2].0.is_ok());
    for i in [1, 3] {
        let e = r[i].0.as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Network);
        assert_eq!(e.outcome, Some(Outcome::Unknown));
        assert!(!e.retryable);
        assert_eq!(r[i].1, 1, "never sent twice");
    }
}

#[test]
fn per_item_errors_decide_for_their_item() {
    // isp on a read: resent; isp on an unsafe write: fails unknown; a ban on a write: resent.
    let mut b = machine(&[true, false, false], 20);
    assert_eq!(round_len(&mut b), Some(3));
    let body = [ISP, ISP, BAN].join(SEP);
    assert_eq!(b.received(200, CT, body.as_bytes(), 0.0), 1000);
    assert_eq!(round_len(&mut b), Some(2), "a smaller follow-up batch");
    let body = [lianbei_ok(0), commission_ok()].join(SEP);
    b.received(200, CT, body.as_bytes(), 0.0);
    assert_eq!(round_len(&mut b), None);
    let r = b.results();
    assert!(r[0].0.is_ok() && r[2].0.is_ok());
    let e = r[1].0.as_ref().unwrap_err();
    assert_eq!(e.api.sub_code.as_deref(), Some("isp.unknown-error"));
    assert_eq!(e.outcome, Some(Outcome::Unknown));
    assert_eq!(r[1].1, 1);
}

#[test]
fn retries_are_bounded_and_outcomes_stay_unknown() {
    let mut b = machine(&[true], 20);
    let mut rounds = 0;
    while round_len(&mut b).is_some() {
        rounds += 1;
        b.failed(Fault::Timeout, "", 0.0);
    }
    assert_eq!(rounds, 3, "one attempt and the policy's 2 retries");
    let (r, attempts) = b.results().remove(0);
    assert_eq!(attempts, 3);
    let e = r.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.outcome, Some(Outcome::Unknown));
}

#[test]
fn abort_fails_what_is_pending() {
    let mut b = machine(&[true, false, true], 2);
    assert_eq!(round_len(&mut b), Some(2));
    b.failed(Fault::Network, "reset", 0.0);
    b.abort();
    assert_eq!(round_len(&mut b), None);
    let r = b.results();
    let outcome = |i: usize| r[i].0.as_ref().unwrap_err().outcome;
    assert_eq!(
        outcome(0),
        Some(Outcome::Unknown),
        "sent once, maybe applied"
    );
    assert_eq!(outcome(1), Some(Outcome::Unknown));
    assert_eq!(outcome(2), Some(Outcome::NotApplied), "never sent");
    assert_eq!(r[2].0.as_ref().unwrap_err().kind, ErrorKind::Aborted);
}

#[test]
fn secrets_are_listed_for_scrubbing_and_not_in_debug() {
    let b = machine(&[true], 20);
    assert!(b.secrets().contains(&"batch-secret-0123"));
    assert!(b.secrets().contains(&"user-session"));
    let dump = format!("{b:?}");
    assert!(!dump.contains("batch-secret-0123") && !dump.contains("user-session"));
}

/// Review 3: only ONE part is the gateway's whole-batch refusal; a lost part
/// or a separator inside a value (any other count) may follow applied calls.
#[test]
fn a_wrong_part_count_leaves_every_outcome_unknown() {
    for body in [
        [BAN, &commission_ok()].join(SEP), // one part lost
        [BAN, &commission_ok(), &commission_ok(), "x"].join(SEP), // one too many
    ] {
        let mut b = machine(&[false, false, true], 20);
        assert_eq!(round_len(&mut b), Some(3));
        b.received(200, CT, body.as_bytes(), 0.0);
        assert_eq!(
            round_len(&mut b),
            Some(1),
            "only the repeat-safe read again"
        );
        b.received(200, CT, lianbei_ok(2).as_bytes(), 0.0);
        let r = b.results();
        for (res, attempts) in &r[..2] {
            let e = res.as_ref().unwrap_err();
            assert_eq!(
                (e.kind, e.outcome, *attempts),
                (ErrorKind::Decode, Some(Outcome::Unknown), 1)
            );
        }
        assert!(r[2].0.is_ok());
    }
    // One part: the whole batch refused, as before (a short ban: retried whole).
    let mut b = machine(&[false, false], 20);
    round_len(&mut b);
    assert_eq!(b.received(200, CT, BAN.as_bytes(), 0.0), 1000);
    assert_eq!(round_len(&mut b), Some(2));
}

/// Review 3: a 5xx decides before the code in its body (a ban text proves nothing).
#[test]
fn a_server_fault_with_a_ban_body_is_not_resent_for_writes() {
    let mut b = machine(&[false], 20);
    round_len(&mut b);
    b.received(503, CT, BAN.as_bytes(), 0.0);
    assert_eq!(round_len(&mut b), None);
    let (r, attempts) = b.results().remove(0);
    assert_eq!(
        (r.unwrap_err().outcome, attempts),
        (Some(Outcome::Unknown), 1)
    );
}

/// Review 3: HTTP trims a header's edge spaces, so such a separator is refused.
#[test]
fn a_separator_with_an_edge_space_is_refused() {
    for sep in [" |S|", "|S| ", " "] {
        assert!(batch::check_separator(sep).is_err(), "{sep:?}");
    }
    assert!(batch::check_separator("|S|").is_ok());
}

/// Review 3: a round that cannot be signed after calls were sent fails its
/// own calls only; the calls sent keep their answers.
#[test]
fn a_later_round_that_cannot_be_signed_fails_alone() {
    let cfg = TopConfig::new(
        "12345678",
        Secret::new("batch-secret-0123"),
        SignMethod::Md5,
    )
    .with_endpoint("http://127.0.0.1:9/router/rest")
    .with_session(Secret::new("user-session"));
    let mut calls = Calls::default();
    for id in ["1", "2", "a-S-b"] {
        let params = json::parse(&format!(
            r#"{{"param0":{{"order_id":"{id}","order_status":1}}}}"#
        ))
        .unwrap();
        calls.push(item(&cfg, C, &params, false, None));
    }
    let mut b = Batch::new(cfg, http(2), calls.finish().unwrap(), 2, Some("-S-".into()));
    let p = b.sign(TS).unwrap().unwrap();
    assert_eq!(separator_of(&p), "-S-");
    b.received(
        200,
        CT,
        [commission_ok(), commission_ok()].join("-S-").as_bytes(),
        0.0,
    );
    assert!(
        b.sign(TS).is_none(),
        "the third call's round is refused, not sent"
    );
    let r = b.results();
    assert!(r[0].0.is_ok() && r[1].0.is_ok());
    let e = r[2].0.as_ref().unwrap_err();
    assert_eq!(
        (e.kind, e.outcome, r[2].1),
        (ErrorKind::Validation, Some(Outcome::NotApplied), 0)
    );
}
