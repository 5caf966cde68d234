#![cfg(not(target_arch = "wasm32"))]
//! The attempt state machine over the fault matrix (tests/js/faults.test.mjs
//! drives the same faults through the wasm binding against a real server):
//! each fault's step, the number of attempts a call makes, repeat safety,
//! and the error a caller finally sees. Requests are real `prepare` output,
//! so repeat safety comes from the models, not from the test.

use aligate::client::config::{Http, HttpOptions};
use aligate::client::{Attempts, CredentialCache, Credentials, Fault, NoncePool, Step, Target};
use aligate::error::{Cause, ErrorKind};
use aligate::json::Json;
use aligate::models::Protocol;
use aligate::prepare::{self, Format, RpcConfig, Secret, TopConfig};
use aligate::retry::Reason;
use aligate::sign::top::SignMethod;

const SAFE: (&str, &str) = (
    "alibaba.alisports.lianbei.order.notice",
    r#"{"biz_order_id":1}"#,
);
// commission.status.change without outer_order_id: a write without its dedupe key.
const UNSAFE: (&str, &str) = (
    "alibaba.retail.commission.status.change",
    r#"{"param0":{"order_id":"1","order_status":0}}"#,
);
const DEDUPED: (&str, &str) = (
    "alibaba.retail.commission.status.change",
    r#"{"param0":{"order_id":"1","order_status":0,"outer_order_id":"o1"}}"#,
);
const CONFIRM: &str = r#"{"BizId":"b","BizUid":"u","LmOrderId":"1"}"#;
const JSON_CT: &str = "application/json;charset=utf-8";

fn top_cfg() -> TopConfig {
    TopConfig::new("12345678", Secret::new("s"), SignMethod::Md5)
        .with_endpoint("http://127.0.0.1:9/router/rest")
        .with_session(Secret::new("user-session"))
}

/// POST, JSON, signature v1, Version 2018-01-16: `RpcConfig::new`'s defaults.
fn rpc_cfg() -> RpcConfig {
    RpcConfig::new("id", Secret::new("s")).with_endpoint("http://127.0.0.1:9/")
}

/// The policy of tests/js/faults.test.mjs: `retries: 2`, 5 ms base delay.
fn fast() -> Http {
    Http::from_options(&HttpOptions {
        retries: Some(2.0),
        retry_base_delay_ms: Some(5.0),
        ..Default::default()
    })
    .unwrap()
}

/// A call and a signer for it, like the binding's `Call`.
struct Run {
    attempts: Attempts,
    sign: Box<dyn Fn() -> bool>,
}

impl Run {
    fn top((api, params): (&str, &str), http: Http) -> Run {
        let params: Json = prepare::parse_params(params).unwrap();
        let api_owned = api.to_string();
        let target = Target {
            protocol: Protocol::Top,
            api: api.into(),
            format: Format::Json,
            simplify: false,
        };
        Run {
            attempts: Attempts::new(target, http),
            sign: Box::new(move || {
                prepare::prepare_top(
                    &top_cfg(),
                    &api_owned,
                    &params,
                    false,
                    "2026-01-01 00:00:00",
                )
                .unwrap()
                .repeat_safe
            }),
        }
    }

    fn confirm(body_params: &str, http: Http) -> Run {
        Run::rpc("ConfirmDisburse", body_params, http)
    }

    fn rpc(action: &'static str, body_params: &str, http: Http) -> Run {
        let params: Json = prepare::parse_params(body_params).unwrap();
        let target = Target {
            protocol: Protocol::AliyunRpc,
            api: action.into(),
            format: Format::Json,
            simplify: false,
        };
        Run {
            attempts: Attempts::new(target, http),
            sign: Box::new(move || {
                let p = prepare::prepare_rpc(
                    &rpc_cfg(),
                    action,
                    &params,
                    false,
                    "2026-01-01T00:00:00Z",
                    "nonce-1",
                );
                p.unwrap().repeat_safe
            }),
        }
    }

    /// Runs the loop: each attempt's outcome from `outcomes` (the last one
    /// repeats). Returns the final step, the waits and the attempts made.
    fn drive(&mut self, outcomes: &[Outcome]) -> (Step, Vec<(u64, Reason)>, u32) {
        let mut waits = Vec::new();
        for i in 0.. {
            let safe = (self.sign)();
            self.attempts.signed(safe);
            let step = match &outcomes[i.min(outcomes.len() - 1)] {
                Outcome::Response(status, ct, body) => {
                    self.attempts.received(*status, ct, body.as_bytes(), 0.5)
                }
                Outcome::Fault(f) => self.attempts.failed(*f, "TypeError (ECONNRESET)", 0.5),
            };
            match step {
                Step::Retry { after_ms, reason } => waits.push((after_ms, reason)),
                done => return (done, waits, self.attempts.attempts()),
            }
        }
        unreachable!()
    }
}

#[derive(Clone)]
enum Outcome {
    Response(u16, &'static str, String),
    Fault(Fault),
}

fn json(status: u16, body: &str) -> Outcome {
    Outcome::Response(status, JSON_CT, body.to_string())
}

fn ok_top() -> Outcome {
    json(
        200,
        r#"{"alibaba_alisports_lianbei_order_notice_response":{"result":{"alisp_code":200},"request_id":"r"}}"#,
    )
}

fn ok_commission() -> Outcome {
    json(
        200,
        r#"{"alibaba_retail_commission_status_change_response":{"s_success":true}}"#,
    )
}

fn ok_confirm() -> Outcome {
    json(200, r#"{"Code":"SUCCESS","RequestId":"r"}"#)
}

fn status503() -> Outcome {
    Outcome::Response(503, "text/html", "<h1>Service Unavailable</h1>".into())
}

fn isp() -> Outcome {
    json(
        200,
        r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isp.remote-service-timeout","sub_msg":"timeout","request_id":"r"}}"#,
    )
}

fn ban(seconds: &str) -> Outcome {
    json(
        200,
        &format!(
            r#"{{"error_response":{{"code":7,"msg":"App Call Limited","sub_msg":"This ban will last {seconds} more seconds"}}}}"#
        ),
    )
}

fn failed(step: Step) -> aligate::Error {
    match step {
        Step::Failed(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn done(step: Step) -> String {
    match step {
        Step::Done(j) => j,
        other => panic!("expected a result, got {other:?}"),
    }
}

#[test]
fn http_503_is_retried_only_when_repeat_safe() {
    let (step, waits, n) = Run::top(SAFE, fast()).drive(&[status503()]);
    let e = failed(step);
    assert_eq!(
        (e.kind, e.status, e.retryable, n),
        (ErrorKind::Http, Some(503), true, 3)
    );
    assert!(waits.iter().all(|w| w.1 == Reason::ServerFault));
    let (step, waits, n) = Run::top(UNSAFE, fast()).drive(&[status503()]);
    let e = failed(step);
    assert_eq!(
        (e.kind, e.retryable, n, waits.len()),
        (ErrorKind::Http, false, 1, 0)
    );
    // The dedupe key makes the same write repeat-safe.
    let (step, _, n) = Run::top(DEDUPED, fast()).drive(&[status503(), ok_commission()]);
    assert!(done(step).contains("s_success"));
    assert_eq!(n, 2);
}

#[test]
fn http_429_is_always_retried() {
    let r429 = Outcome::Response(429, "", String::new());
    let (step, waits, n) = Run::top(UNSAFE, fast()).drive(&[r429.clone(), ok_commission()]);
    done(step);
    assert_eq!((n, waits[0].1), (2, Reason::Throttled));
    // retries: 0 disables retrying; the error still says a retry could help.
    let zero = fast().with_call(None, Some(0.0)).unwrap();
    let (step, _, n) = Run::top(SAFE, zero).drive(&[r429]);
    let e = failed(step);
    assert_eq!((e.status, e.retryable, n), (Some(429), true, 1));
}

#[test]
fn top_isp_is_retried_only_when_repeat_safe() {
    let (step, waits, n) = Run::top(SAFE, fast()).drive(&[isp(), ok_top()]);
    done(step);
    assert_eq!((n, waits[0].1), (2, Reason::ServerFault));
    let (step, _, n) = Run::top(UNSAFE, fast()).drive(&[isp()]);
    let e = failed(step);
    assert_eq!(
        (e.kind, e.api.sub_code.as_deref(), e.retryable, n),
        (ErrorKind::Api, Some("isp.remote-service-timeout"), false, 1)
    );
}

#[test]
fn top_code_7_waits_out_a_short_ban_and_gives_up_on_a_long_one() {
    let (step, waits, n) = Run::top(UNSAFE, fast()).drive(&[ban("1"), ok_commission()]);
    done(step);
    assert_eq!(n, 2);
    // The ban is a floor under the jittered backoff (5 ms base, jitter 0.5).
    assert_eq!(waits, vec![(1002, Reason::Banned)]);
    for long in ["100", "3.5", "99999999999999999999"] {
        let (step, _, n) = Run::top(SAFE, fast()).drive(&[ban(long)]);
        let e = failed(step);
        assert_eq!(
            (e.api.code.as_deref(), e.retryable, n),
            (Some("7"), false, 1),
            "{long}"
        );
    }
}

#[test]
fn aliyun_throttling_and_nonce_used_are_always_retried() {
    let throttled = json(
        400,
        r#"{"Code":"Throttling.User","Message":"flow control","RequestId":"t"}"#,
    );
    let nonce = json(
        400,
        r#"{"Code":"SignatureNonceUsed","Message":"used","RequestId":"n"}"#,
    );
    // An unmodelled action is never repeat-safe: refused requests are retried anyway.
    for (fault, reason) in [(throttled, Reason::Throttled), (nonce, Reason::NonceUsed)] {
        let mut run = Run::rpc("DescribeThings", "{}", fast());
        let (step, waits, n) = run.drive(&[fault, ok_confirm()]);
        assert!(done(step).contains("SUCCESS"));
        assert_eq!((n, waits[0].1), (2, reason));
    }
    let busy = json(
        503,
        r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"s"}"#,
    );
    let (step, _, n) = Run::confirm(CONFIRM, fast()).drive(std::slice::from_ref(&busy));
    let e = failed(step);
    assert_eq!(
        (e.kind, e.api.code.as_deref(), e.status, e.retryable, n),
        (
            ErrorKind::Api,
            Some("ServiceUnavailable"),
            Some(503),
            true,
            3
        )
    );
    let (step, _, n) = Run::rpc("DescribeThings", "{}", fast()).drive(&[busy]);
    assert_eq!((failed(step).retryable, n), (false, 1));
}

#[test]
fn confirm_disburse_200_without_code_is_an_unknown_outcome_never_retried() {
    let unknown = json(200, r#"{"RequestId":"r-1","Success":true}"#);
    let (step, _, n) = Run::confirm(CONFIRM, fast()).drive(&[unknown]);
    let e = failed(step);
    assert_eq!((e.kind, e.retryable, n), (ErrorKind::Decode, false, 1));
    assert_eq!(e.api.request_id.as_deref(), Some("r-1"));
    let refused = json(
        200,
        r#"{"Code":"ORDER_NOT_FOUND","Message":"no","RequestId":"r"}"#,
    );
    let (step, _, n) = Run::confirm(CONFIRM, fast()).drive(&[refused]);
    let e = failed(step);
    assert_eq!((e.kind, e.retryable, n), (ErrorKind::Api, false, 1));
}

#[test]
fn timeouts_and_resets_are_retried_only_when_repeat_safe() {
    for (fault, kind, reason) in [
        (Fault::Timeout, ErrorKind::Timeout, Reason::Timeout),
        (Fault::Network, ErrorKind::Network, Reason::Network),
    ] {
        let (step, _, n) = Run::top(UNSAFE, fast()).drive(&[Outcome::Fault(fault)]);
        let e = failed(step);
        assert_eq!((e.kind, e.retryable, n), (kind, false, 1));
        let (step, waits, n) = Run::top(SAFE, fast()).drive(&[Outcome::Fault(fault), ok_top()]);
        done(step);
        assert_eq!((n, waits[0].1), (2, reason));
        let (step, _, n) = Run::top(SAFE, fast()).drive(&[Outcome::Fault(fault)]);
        assert_eq!((failed(step).retryable, n), (true, 3));
    }
    let mut run = Run::top(SAFE, fast().with_call(Some(100.0), None).unwrap());
    let e = failed(run.drive(&[Outcome::Fault(Fault::Timeout)]).0);
    assert_eq!(e.message, "no complete response within 100 ms");
}

#[test]
fn a_refused_connection_is_always_retried() {
    let (step, waits, n) = Run::top(UNSAFE, fast()).drive(&[Outcome::Fault(Fault::Refused)]);
    let e = failed(step);
    assert_eq!(
        (e.kind, e.cause, e.retryable, n),
        (ErrorKind::Network, Cause::Refused, true, 3)
    );
    assert!(waits.iter().all(|w| w.1 == Reason::Refused));
    assert!(e.message.starts_with("request failed: connection refused"));
}

#[test]
fn malformed_wrong_type_and_oversized_bodies_are_final() {
    let small = Http::from_options(&HttpOptions {
        max_body_bytes: Some(10_000.0),
        ..Default::default()
    })
    .unwrap();
    let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(100_000));
    for (http, outcome) in [
        (
            fast(),
            json(
                200,
                r#"{"alibaba_alisports_lianbei_order_notice_response": {,}"#,
            ),
        ),
        (
            fast(),
            Outcome::Response(200, "text/html", "<html>login</html>".into()),
        ),
        (small, Outcome::Response(200, JSON_CT, big)),
    ] {
        let (step, _, n) = Run::top(SAFE, http).drive(&[outcome]);
        let e = failed(step);
        assert_eq!(
            (e.kind, e.retryable, n),
            (ErrorKind::Decode, false, 1),
            "{}",
            e.message
        );
    }
}

#[test]
fn truncated_bodies_are_retried_only_when_repeat_safe() {
    // Cut while reading (the transport saw it) and cut inside the document
    // (the decoder saw it): both by `Cause`, never by message text.
    let cut_json = json(
        200,
        r#"{"alibaba_alisports_lianbei_order_notice_response":{"res"#,
    );
    let cut_xml = Outcome::Response(200, "text/xml", "<a><b>1</b>".into());
    for cut in [Outcome::Fault(Fault::Body), cut_json] {
        let (step, waits, n) = Run::top(SAFE, fast()).drive(&[cut.clone(), ok_top()]);
        done(step);
        assert_eq!((n, waits[0].1), (2, Reason::Truncated));
        let (step, _, n) = Run::top(UNSAFE, fast()).drive(&[cut]);
        let e = failed(step);
        assert_eq!(
            (e.kind, e.cause, e.retryable, n),
            (ErrorKind::Decode, Cause::Truncated, false, 1)
        );
    }
    let mut xml = Run::top(SAFE, fast());
    xml.attempts = Attempts::new(
        Target {
            protocol: Protocol::Top,
            api: SAFE.0.into(),
            format: Format::Xml,
            simplify: false,
        },
        fast(),
    );
    let e = failed(xml.drive(&[cut_xml]).0);
    assert_eq!((e.cause, e.retryable), (Cause::Truncated, true));
    // A decode error whose text merely starts with "truncated" is not one.
    let text = json(200, r#""truncated""#);
    let (step, _, n) = Run::top(SAFE, fast()).drive(&[text]);
    assert_eq!((failed(step).cause, n), (Cause::Unspecified, 1));
}

#[test]
fn an_abort_is_final_at_once() {
    let (step, waits, n) = Run::top(SAFE, fast()).drive(&[Outcome::Fault(Fault::Aborted)]);
    let e = failed(step);
    assert_eq!(
        (e.kind, e.retryable, n, waits.len()),
        (ErrorKind::Aborted, false, 1, 0)
    );
}

#[test]
fn retries_exhausted_reports_every_attempt_and_backs_off_exponentially() {
    let http = Http::from_options(&HttpOptions {
        retries: Some(3.0),
        retry_base_delay_ms: Some(100.0),
        ..Default::default()
    })
    .unwrap();
    let (step, waits, n) = Run::top(SAFE, http).drive(&[status503()]);
    let e = failed(step);
    assert_eq!((e.retryable, n), (true, 4));
    // Full jitter at 0.5: half of 100, 200, 400.
    let ms: Vec<u64> = waits.iter().map(|w| w.0).collect();
    assert_eq!(ms, vec![50, 100, 200]);
}

#[test]
fn an_unsigned_call_never_retries() {
    let mut a = Attempts::new(
        Target {
            protocol: Protocol::Top,
            api: SAFE.0.into(),
            format: Format::Json,
            simplify: false,
        },
        fast(),
    );
    assert!(matches!(
        a.failed(Fault::Refused, "x", 0.0),
        Step::Failed(_)
    ));
}

#[test]
fn http_options_are_checked_and_named() {
    for (opts, path) in [
        (
            HttpOptions {
                retries: Some(11.0),
                ..Default::default()
            },
            "options.retries",
        ),
        (
            HttpOptions {
                timeout_ms: Some(-1.0),
                ..Default::default()
            },
            "options.timeoutMs",
        ),
        (
            HttpOptions {
                timeout_ms: Some(f64::NAN),
                ..Default::default()
            },
            "options.timeoutMs",
        ),
        (
            HttpOptions {
                max_body_bytes: Some(1.5),
                ..Default::default()
            },
            "options.maxBodyBytes",
        ),
        (
            HttpOptions {
                max_ban_wait_ms: Some(1e9),
                ..Default::default()
            },
            "options.maxBanWaitMs",
        ),
        (
            HttpOptions {
                retry_base_delay_ms: Some(f64::INFINITY),
                ..Default::default()
            },
            "options.retryBaseDelayMs",
        ),
    ] {
        let e = Http::from_options(&opts).unwrap_err();
        assert_eq!(
            (e.kind, e.issues[0].path.as_str()),
            (ErrorKind::Validation, path)
        );
    }
    let h = Http::from_options(&HttpOptions::default()).unwrap();
    assert_eq!((h.timeout_ms, h.policy.retries), (15_000, 2));
    let c = h.with_call(Some(5.0), Some(0.0)).unwrap();
    assert_eq!(
        (c.timeout_ms, c.policy.retries, h.timeout_ms),
        (5, 0, 15_000)
    );
}

#[test]
fn credentials_are_refreshed_a_margin_before_they_expire() {
    let creds = |exp: Option<f64>| {
        Credentials::from_provider(
            Some("id".into()),
            Some("k3y-value".into()),
            Some("t0ken-value".into()),
            exp,
        )
    };
    let mut cache = CredentialCache::new();
    assert!(cache.needs_refresh(0));
    assert!(cache.current(0).is_none());
    cache.accept(creds(Some(60_000.0)).unwrap());
    assert!(!cache.needs_refresh(0));
    assert!(cache.needs_refresh(55_000), "inside the margin");
    assert!(
        cache.current(55_000).is_some(),
        "still usable until it expires"
    );
    assert!(cache.current(60_000).is_none());
    cache.accept(creds(None).unwrap());
    assert!(!cache.needs_refresh(i64::MAX));
    // Unreadable or missing answers are errors naming the field.
    let e = creds(Some(f64::NAN)).unwrap_err();
    assert_eq!(e.issues[0].path, "credentials().expiration");
    let e =
        Credentials::from_provider(Some("id".into()), Some(String::new()), None, None).unwrap_err();
    assert_eq!(e.issues[0].path, "credentials().accessKeySecret");
    // A failing provider has its own kind and is never retried.
    let e = Credentials::provider_failed("Error");
    assert_eq!(e.kind.as_str(), "credentials");
    assert_eq!(
        aligate::retry::classify(&e, &Default::default()),
        aligate::retry::Decision::Final
    );
    // Applied credentials re-key the signer and never print.
    let c = creds(None).unwrap();
    let cfg = c.apply(&rpc_cfg());
    assert_eq!(cfg.access_key_id, "id");
    let dump = format!("{c:?}{cfg:?}");
    assert!(
        !dump.contains("k3y-value") && !dump.contains("t0ken-value"),
        "{dump}"
    );
}

#[test]
fn nonces_come_from_the_pool_once_each() {
    let mut pool = NoncePool::new();
    assert!(pool.needs_refill());
    assert_eq!(pool.take(), None);
    pool.refill((0..48u8).collect());
    let a = pool.take().unwrap();
    let b = pool.take().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4", "UUID v4 shape");
    pool.take().unwrap();
    assert!(pool.needs_refill());
    assert_eq!(pool.take(), None);
    assert!(!format!("{pool:?}").contains('0'.to_string().repeat(2).as_str()));
}

/// The call's outcome, not the last attempt's: once an attempt may have been
/// applied (a 503 on a repeat-safe write, retried), a later refusal (429,
/// 400) cannot make the call "not applied" (hostile review of issue 18).
#[test]
fn an_unknown_outcome_sticks_to_the_call() {
    let throttled = json(400, r#"{"Code":"Throttling.User","RequestId":"r"}"#);
    let bad = json(400, r#"{"Code":"InvalidParameter","RequestId":"r"}"#);
    for last in [throttled, bad.clone()] {
        let mut run = Run::confirm(CONFIRM, fast());
        let (step, _, n) = run.drive(&[status503(), last]);
        let e = failed(step);
        assert!(n >= 2, "{n}");
        assert_eq!(e.outcome, Some(aligate::error::Outcome::Unknown));
    }
    // Without an ambiguous attempt a refusal proves nothing was applied.
    let e = failed(Run::confirm(CONFIRM, fast()).drive(&[bad]).0);
    assert_eq!(e.outcome, Some(aligate::error::Outcome::NotApplied));
}

/// A credentials provider that does not answer in time: nothing was sent, so
/// the outcome is "not applied" and it is retried (as an attempt, bounded).
#[test]
fn a_provider_timeout_is_not_applied_and_retried() {
    let target = Target {
        protocol: Protocol::AliyunRpc,
        api: "ConfirmDisburse".into(),
        format: Format::Json,
        simplify: false,
    };
    let mut a = Attempts::new(target, fast());
    let mut waits = 0;
    let e = loop {
        match a.failed(Fault::Provider, "", 0.5) {
            Step::Retry { .. } => waits += 1,
            Step::Failed(e) => break e,
            Step::Done(_) => panic!("done without a response"),
        }
    };
    assert_eq!((waits, a.attempts()), (2, 3));
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.outcome, Some(aligate::error::Outcome::NotApplied));
}
