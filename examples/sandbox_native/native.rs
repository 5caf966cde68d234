//! The example itself (native targets only: ureq does not build for wasm32).

use aligate::client::{Attempts, Fault, Http, Step, Target};
use aligate::models::Protocol;
use aligate::prepare::{self, Format, Prepared, RpcConfig, Secret, TopConfig};
use aligate::sign::top::SignMethod;
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A nonce per attempt; the sandbox remembers them and refuses a repeat.
fn nonce(n: u64) -> String {
    format!("{:x}-{n}", now_ms())
}

/// Sends one prepared request; a complete answer is `Ok((status, content type, body))`.
fn send(agent: &ureq::Agent, p: &Prepared) -> Result<(u16, String, Vec<u8>), Fault> {
    let mut req = agent.request(p.method, &p.url);
    if let Some(ct) = p.content_type {
        req = req.set("content-type", ct);
    }
    for (k, v) in &p.headers {
        req = req.set(k, v);
    }
    let res = match if p.method == "GET" {
        req.call()
    } else {
        req.send_string(&p.body)
    } {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(_)) => return Err(Fault::Network),
    };
    let status = res.status();
    let ct = res.content_type().to_string();
    let mut body = Vec::new();
    res.into_reader()
        .take(64 * 1024 * 1024)
        .read_to_end(&mut body)
        .map_err(|_| Fault::Body)?;
    Ok((status, ct, body))
}

/// One call: sign, send, let the core decide, until done or failed.
fn call(
    agent: &ureq::Agent,
    target: Target,
    mut sign: impl FnMut(u64) -> aligate::Result<Prepared>,
) -> aligate::Result<String> {
    let mut attempts = Attempts::new(target, Http::default());
    for n in 0.. {
        let p = sign(n)?;
        attempts.signed(p.repeat_safe);
        // Jitter for the backoff: any value in [0, 1) will do for an example.
        let jitter = (now_ms() % 1000) as f64 / 1000.0;
        let step = match send(agent, &p) {
            Ok((status, ct, body)) => attempts.received(status, &ct, &body, jitter),
            Err(fault) => attempts.failed(fault, "", jitter),
        };
        match step {
            Step::Done(json) => return Ok(json),
            Step::Failed(e) => return Err(e),
            Step::Retry { after_ms, reason } => {
                eprintln!("retry after {after_ms} ms ({reason:?})");
                std::thread::sleep(std::time::Duration::from_millis(after_ms));
            }
        }
    }
    unreachable!()
}

pub fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(top_endpoint), Some(lm_endpoint)) = (args.next(), args.next()) else {
        eprintln!("usage: sandbox_native TOP_ENDPOINT LINKEDMALL_ENDPOINT");
        std::process::exit(2);
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(15))
        .build();
    let top = TopConfig::new(
        "sandbox-app-key",
        Secret::new("sandbox-app-secret"),
        SignMethod::HmacSha256,
    )
    .with_endpoint(top_endpoint)
    .with_session(Secret::new("sandbox-session"));
    let lm = RpcConfig::new(
        "sandbox-access-key-id",
        Secret::new("sandbox-access-key-secret"),
    )
    .with_endpoint(lm_endpoint);

    let top_calls = [
        (
            "alibaba.retail.commission.status.change",
            r#"{"param0":{"order_id":"1234567890123456789","order_status":1,"outer_order_id":"OUT-1"}}"#,
        ),
        // A 19-digit id as JSON text: it stays exact (no f64 on the way).
        (
            "alibaba.alisports.lianbei.order.notice",
            r#"{"biz_order_id":1234567890123456789}"#,
        ),
        (
            "aliyun.gsc.funds.flow.notify",
            r#"{"official_funds_record_request":{"payments":[{"main_biz_order_id":"M-1","create_date":"2026-11-22 09:00:00","biz_date":"2026-11-22 10:00:00","seller_id":"gmall","sale_type":"sell","sub_orders":[{"sub_biz_order_id":"S-1","auction_id":"A-1","auction_title":"t","out_item_id":"I-1","price":9900,"freight":0,"amount":9900,"amount_type":"currency","pay_type":"alipay","currency_type":"yuan","qty":1,"point_grant":0,"uid":"U-1","return_point_grant":0}]}]}}"#,
        ),
    ];
    let mut failed = false;
    for (api, params) in top_calls {
        let params = prepare::parse_params(params).expect("valid JSON");
        let target = Target {
            protocol: Protocol::Top,
            api: api.into(),
            format: Format::Json,
            simplify: false,
        };
        let r = call(&agent, target, |_| {
            let ts = aligate::time::top_timestamp(now_ms()).expect("a clock in range");
            prepare::prepare_top(&top, api, &params, false, &ts)
        });
        failed |= report(api, r);
    }
    let params = prepare::parse_params(
        r#"{"BizId":"LMALL2019****0009","BizUid":"349***23","LmOrderId":"6012345678901234567"}"#,
    )
    .expect("valid JSON");
    let target = Target {
        protocol: Protocol::AliyunRpc,
        api: "ConfirmDisburse".into(),
        format: Format::Json,
        simplify: false,
    };
    let r = call(&agent, target, |n| {
        let ts = aligate::time::iso_utc(now_ms()).expect("a clock in range");
        prepare::prepare_rpc(&lm, "ConfirmDisburse", &params, false, &ts, &nonce(n))
    });
    failed |= report("ConfirmDisburse", r);
    std::process::exit(i32::from(failed));
}

/// Prints the result or the error (errors never hold a secret); true on failure.
fn report(api: &str, r: aligate::Result<String>) -> bool {
    match r {
        Ok(json) => {
            println!("{api}: {json}");
            false
        }
        Err(e) => {
            eprintln!("{api}: {e}");
            true
        }
    }
}
