#![cfg(not(target_arch = "wasm32"))]
//! Issue 18, "a model is data": the tables build.rs generates match
//! `apis/*.json` (read here with serde_json, independently), the build refuses
//! bad descriptors, and the model-driven rules (dedupe-key paths, session,
//! protocol, version, success) hold.

use aligate::decode::{self, Call, Received};
use aligate::json::Json;
use aligate::models::{self, Endpoint, Model, Protocol, Repeat, RespTy, Seg, Session, MODELS};
use aligate::prepare::{self, Format, HttpMethod, RpcConfig, Secret, SignatureVersion, TopConfig};
use aligate::schema::{Field, Ty};
use aligate::ErrorKind;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

fn apis_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("apis")
}

fn descriptors() -> Vec<Value> {
    build_script::descriptor_files(&apis_dir())
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn j(v: &Value) -> Json {
    aligate::json::parse(&v.to_string()).unwrap()
}

/// `fields` (generated) against `want` (the descriptor's field list), recursively.
fn same_fields(fields: &[Field], want: &Value, types: &Value, path: &str) {
    let want = want.as_array().unwrap();
    assert_eq!(fields.len(), want.len(), "{path}: field count");
    for (f, w) in fields.iter().zip(want) {
        let p = format!("{path}.{}", f.name);
        assert_eq!(f.name, w["name"].as_str().unwrap(), "{p}");
        assert_eq!(
            f.required,
            w["required"].as_bool().unwrap_or(false),
            "{p}: required"
        );
        assert_eq!(f.alias, w["alias"].as_str(), "{p}: alias");
        assert_eq!(
            f.relax,
            w["relaxed"].as_bool().unwrap_or(false),
            "{p}: relaxed"
        );
        let values = w.get("values").and_then(Value::as_array);
        match (f.ty, w["type"].as_str().unwrap()) {
            (Ty::Str, "string") | (Ty::Int, "int") => assert!(values.is_none(), "{p}: values"),
            (Ty::StrIn(vs), "string") => {
                let want: Vec<&str> = values
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert_eq!(vs, want.as_slice(), "{p}: values");
            }
            (Ty::IntIn(vs), "int") => {
                let want: Vec<i64> = values
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect();
                assert_eq!(vs, want.as_slice(), "{p}: values");
            }
            (Ty::Bool, "bool") | (Ty::DateTime, "datetime") => {}
            (Ty::Obj(inner), "object") | (Ty::List(inner), "list") => {
                let of = w["of"].as_str().unwrap();
                same_fields(inner, &types[of], types, &p);
            }
            (ty, t) => panic!("{p}: {ty:?} generated for type {t}"),
        }
    }
}

/// The int/bool leaves of a response tree, first occurrence first.
fn leaves(fields: &Value, types: &Value, out: &mut Vec<(String, RespTy)>) {
    for f in fields.as_array().unwrap() {
        let name = f["name"].as_str().unwrap().to_string();
        let ty = match f["type"].as_str().unwrap() {
            "int" => RespTy::Int,
            "bool" => RespTy::Bool,
            "object" | "list" => {
                leaves(&types[f["of"].as_str().unwrap()], types, out);
                continue;
            }
            _ => continue,
        };
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, ty));
        }
    }
}

/// `a.b[].c[+].d` as segments (a second reading of the path syntax).
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, list) = match part.strip_suffix("[]") {
            Some(n) => (n, Some(Seg::List)),
            None => match part.strip_suffix("[+]") {
                Some(n) => (n, Some(Seg::NonEmptyList)),
                None => (part, None),
            },
        };
        out.push(Seg::Member(Box::leak(name.to_string().into_boxed_str())));
        out.extend(list);
    }
    out
}

#[test]
fn the_tables_are_the_descriptors() {
    let ds = descriptors();
    assert_eq!(ds.len(), MODELS.len());
    for d in &ds {
        let api = d["api"].as_str().unwrap();
        let m = models::find(api).unwrap_or_else(|| panic!("{api} is not generated"));
        let protocol = match d["protocol"].as_str().unwrap() {
            "top" => Protocol::Top,
            "aliyun-rpc" => Protocol::AliyunRpc,
            p => panic!("{api}: protocol {p}"),
        };
        assert_eq!(m.protocol, protocol, "{api}");
        assert_eq!(m.protocol.as_str(), d["protocol"], "{api}");
        assert_eq!(m.version, d["version"].as_str().unwrap(), "{api}");
        let endpoint = match d["endpoint"].as_str().unwrap() {
            "top" => Endpoint::Top,
            _ => Endpoint::LinkedMall,
        };
        assert_eq!(m.endpoint, endpoint, "{api}");
        let session = match d["session"].as_str().unwrap() {
            "required" => Session::Required,
            "optional" => Session::Optional,
            "none" => Session::Unused,
            s => panic!("{api}: session {s}"),
        };
        assert_eq!(m.session, session, "{api}");
        let success = m
            .success
            .map(|s| json!({ "field": s.field, "equals": s.equals }));
        assert_eq!(success.as_ref(), d.get("success"), "{api}");
        let rs = &d["repeatSafe"];
        let keys: Vec<Vec<Seg>> = rs["dedupeKeys"]
            .as_array()
            .map(|ks| ks.iter().map(|k| segments(k.as_str().unwrap())).collect())
            .unwrap_or_default();
        match m.repeat {
            Repeat::Read => assert_eq!(rs["read"], true, "{api}"),
            Repeat::Never => assert!(rs["read"].is_null() && keys.is_empty(), "{api}"),
            Repeat::Keys(paths) => {
                let got: Vec<Vec<Seg>> = paths.iter().map(|p| p.to_vec()).collect();
                assert_eq!(got, keys, "{api}");
            }
        }
        let types = d.get("types").cloned().unwrap_or(json!({}));
        same_fields(m.fields, &d["request"], &types, api);
        let mut want = Vec::new();
        leaves(&d["response"], &types, &mut want);
        let got: Vec<(String, RespTy)> = m
            .response_types
            .iter()
            .map(|(n, t)| (n.to_string(), *t))
            .collect();
        assert_eq!(got, want, "{api}: response types");
        // Every model's name has its protocol's shape, so `protocol_of`
        // answers the same for modelled and unmodelled names.
        assert_eq!(models::protocol_of_shape(api), Some(m.protocol), "{api}");
    }
    for m in MODELS.iter().filter(|m| m.endpoint == Endpoint::LinkedMall) {
        assert_eq!(m.version, models::linkedmall_version());
    }
    assert!(!models::linkedmall_version().is_empty());
}

/// A descriptor changed by `edit`, run through build.rs's `generate`.
fn build_with(file: &str, edit: impl FnOnce(&mut Value)) -> Result<String, String> {
    let text = std::fs::read_to_string(apis_dir().join(file)).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    build_text(file, &serde_json::to_string_pretty(&v).unwrap())
}

fn build_text(file: &str, text: &str) -> Result<String, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "aligate-apis-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    let r = build_script::generate(&[path]);
    std::fs::remove_dir_all(&dir).unwrap();
    r
}

#[test]
fn the_build_refuses_bad_descriptors() {
    const CSC: &str = "alibaba.retail.commission.status.change.json";
    const FUNDS: &str = "aliyun.gsc.funds.flow.notify.json";
    const CD: &str = "ConfirmDisburse.json";
    let vo = "/types/UniverseOrderVo";
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let set = |ptr: &'static str, x: Value| -> Edit {
        Box::new(move |v| *v.pointer_mut(ptr).unwrap() = x)
    };
    let cases: Vec<(&str, Edit, &str)> = vec![
        (CSC, Box::new(|v| v["sesion"] = json!("required")), "$.sesion: unknown key"),
        (CSC, set("/session", json!("maybe")), "$.session: \"maybe\" is not one of"),
        (CSC, set("/version", json!(2)), "$.version: expected a string"),
        (CSC, Box::new(|v| v["types"]["UniverseOrderVo"][2]["requird"] = json!(true)), "$.types.UniverseOrderVo[2].requird: unknown key"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[2]["required"] = json!("yes")), "$.types.UniverseOrderVo[2].required: expected true or false"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[2]["type"] = json!("number")), "$.types.UniverseOrderVo[2].type: \"number\" is not one of"),
        (CSC, set("/request/0/of", json!("UniverseOrderV0")), "$.request[0].of: no type \"UniverseOrderV0\""),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[2]["values"] = json!([0, "1"])), "$.types.UniverseOrderVo[2].values[1]: \"1\" is not an int"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[2]["values"] = json!([0, 0])), "$.types.UniverseOrderVo[2].values[1]: 0 is listed twice"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[0]["values"] = json!(["x"])), "$.types.UniverseOrderVo[0].values: only string and int"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[1]["name"] = json!("order_id")), "$.types.UniverseOrderVo[6]: the name \"order_id\" is used twice"),
        (CSC, set("/repeatSafe/dedupeKeys/0", json!("param0.outer_order")), "$.repeatSafe.dedupeKeys[0]: \"param0.outer_order\": no field"),
        (CSC, set("/repeatSafe/dedupeKeys/0", json!("param0[].outer_order_id")), "$.repeatSafe.dedupeKeys[0]: \"param0[].outer_order_id\": param0 is not a list"),
        (CSC, set("/repeatSafe/dedupeKeys/0", json!("param0")), "$.repeatSafe.dedupeKeys[0]: \"param0\": must end at a string or int field"),
        (CSC, set("/repeatSafe/dedupeKeys/0", json!("param0.order_pay_time")), "must end at a string or int field"),
        (FUNDS, set("/repeatSafe/dedupeKeys/0", json!("official_funds_record_request.payments.sub_orders[+].uid")), "$.repeatSafe.dedupeKeys[0]: \"official_funds_record_request.payments.sub_orders[+].uid\": payments is a list"),
        (CSC, Box::new(|v| v["repeatSafe"]["read"] = json!(true)), "$.repeatSafe: either read or dedupeKeys"),
        (CSC, Box::new(|v| v["success"] = json!({ "field": "s_code", "equals": "200" })), "$.success: only read from aliyun-rpc"),
        (CD, set("/success/field", json!("Cod")), "$.success.field: \"Cod\" is not a string field"),
        (CD, set("/session", json!("required")), "$.session: only TOP calls carry a session"),
        (CD, set("/endpoint", json!("top")), "$.endpoint: top does not send aliyun-rpc calls"),
        (CD, set("/api", json!("ConfirmDisbursement")), "$.api: \"ConfirmDisbursement\" must be the file's name"),
        (CSC, Box::new(|v| v["types"]["Unused"] = json!([])), "$.types.Unused: never used"),
        (CSC, Box::new(move |v| v.pointer_mut(vo).unwrap()[0] = json!({ "name": "me", "type": "object", "of": "UniverseOrderVo" })), "contains itself"),
    ];
    for (file, edit, want) in cases {
        let e = build_with(file, edit).expect_err(want);
        assert!(e.starts_with(&format!("apis/{file}: ")), "{e}");
        assert!(e.contains(want), "{e}\nwanted: {want}");
    }
    // serde_json keeps the last of duplicate keys; the build refuses them.
    let text = std::fs::read_to_string(apis_dir().join(CD)).unwrap();
    let dup = text.replacen(
        "\"session\": \"none\",",
        "\"session\": \"none\", \"session\": \"none\",",
        1,
    );
    let e = build_text(CD, &dup).unwrap_err();
    assert!(
        e.contains("duplicate key \\\"session\\\"") || e.contains("duplicate key \"session\""),
        "{e}"
    );
    // The unchanged descriptors build, and the output holds no prose (size).
    let out = build_script::generate(&build_script::descriptor_files(&apis_dir())).unwrap();
    for d in descriptors() {
        assert!(
            !out.contains(d["title"].as_str().unwrap()),
            "title compiled in"
        );
    }
    assert!(
        !out.contains("订单"),
        "descriptions or examples compiled in"
    );
}

/// A model with only a dedupe rule, to walk paths of every kind.
fn keyed(paths: &'static [&'static [Seg]]) -> Model {
    Model {
        api: "x.y",
        protocol: Protocol::Top,
        version: "2.0",
        endpoint: Endpoint::Top,
        session: Session::Unused,
        success: None,
        repeat: Repeat::Keys(paths),
        fields: &[],
        response_types: &[],
    }
}

#[test]
fn dedupe_key_paths() {
    use Seg::{List, Member, NonEmptyList};
    // a[].k and b[+].k.
    let m = keyed(&[
        &[Member("a"), List, Member("k")],
        &[Member("b"), NonEmptyList, Member("k")],
    ]);
    let b = json!([{ "k": "1" }]);
    for (p, want) in [
        (json!({ "b": b }), true),
        (json!({ "a": null, "b": b }), true),
        (json!({ "a": [], "b": b }), true),
        (json!({ "a": [{ "k": 7 }], "b": b }), true),
        (json!({ "a": "x", "b": b }), false),
        (json!({ "a": {}, "b": b }), false),
        (json!({ "a": { "k": "1" }, "b": b }), false),
        (json!({ "a": [null], "b": b }), false),
        (json!({ "a": [{}], "b": b }), false),
        (json!({ "a": [{ "k": "1" }, { "k": "" }], "b": b }), false),
        (json!({ "a": [{ "k": "1" }], "b": [] }), false),
        (json!({ "a": [{ "k": "1" }] }), false),
        (json!({ "a": [{ "k": "1" }], "b": null }), false),
        (json!({ "b": [{ "k": false }] }), false),
        (json!({ "b": [{ "k": [] }] }), false),
        (json!([]), false),
        (json!(null), false),
    ] {
        assert_eq!(m.repeat_safe(&j(&p)), want, "{p}");
    }
    // Optional lists only: at least one key in all.
    let m = keyed(&[&[Member("a"), List, Member("k")]]);
    assert!(!m.repeat_safe(&j(&json!({}))));
    assert!(!m.repeat_safe(&j(&json!({ "a": [] }))));
    assert!(m.repeat_safe(&j(&json!({ "a": [{ "k": "1" }] }))));
    // Members must be objects all the way down.
    let m = keyed(&[&[Member("o"), Member("k")]]);
    assert!(m.repeat_safe(&j(&json!({ "o": { "k": " x " } }))));
    for p in [
        json!({ "o": null }),
        json!({ "o": [{ "k": "1" }] }),
        json!({ "o": "k" }),
        json!({}),
    ] {
        assert!(!m.repeat_safe(&j(&p)), "{p}");
    }
    // Nested lists, and a wide input walked once (linear: 100k records).
    let m = keyed(&[&[
        Member("a"),
        NonEmptyList,
        Member("b"),
        NonEmptyList,
        Member("k"),
    ]]);
    let wide = json!({ "a": (0..1000).map(|_| json!({ "b": (0..100).map(|i| json!({ "k": i })).collect::<Vec<_>>() })).collect::<Vec<_>>() });
    assert!(m.repeat_safe(&j(&wide)));
    assert!(!models::find("alibaba.retail.commission.status.change")
        .unwrap()
        .repeat_safe(&j(&wide)));
}

fn top_cfg(session: Option<&str>) -> TopConfig {
    TopConfig {
        app_key: "12345678".into(),
        app_secret: Secret::new("s"),
        sign_method: aligate::sign::top::SignMethod::Md5,
        endpoint: "http://127.0.0.1:9/router/rest".into(),
        session: session.map(Secret::new),
        format: Format::Json,
        simplify: false,
        keyed: Default::default(),
    }
}

fn rpc_cfg(version: &str) -> RpcConfig {
    RpcConfig {
        access_key_id: "id".into(),
        access_key_secret: Secret::new("s"),
        security_token: None,
        endpoint: "http://127.0.0.1:9/".into(),
        http_method: HttpMethod::Get,
        format: Format::Json,
        version: version.into(),
        signature_version: SignatureVersion::V1,
        keyed: Default::default(),
    }
}

const TS: &str = "2026-01-01 00:00:00";
const RPC_TS: &str = "2026-01-01T00:00:00Z";

#[test]
fn a_session_is_required_where_the_model_says() {
    let csc = "alibaba.retail.commission.status.change";
    let params = j(&json!({ "param0": { "order_id": "1", "order_status": 0 } }));
    for session in [None, Some(""), Some("   ")] {
        let e = prepare::prepare_top(&top_cfg(session), csc, &params, true, TS).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.issues.len(), 1, "{:?}", e.issues);
        assert_eq!(e.issues[0].path, "session");
        let msg = &e.issues[0].message;
        assert!(
            msg.contains(csc) && msg.contains("needs a user's session"),
            "{msg}"
        );
        assert!(
            msg.contains("TopClient options") && msg.contains("call's options"),
            "{msg}"
        );
    }
    // With other issues, all are listed.
    let bad = j(&json!({ "param0": { "order_status": 0 } }));
    let e = prepare::prepare_top(&top_cfg(None), csc, &bad, true, TS).unwrap_err();
    let paths: Vec<&str> = e.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["param0.order_id", "session"]);
    let p = prepare::prepare_top(&top_cfg(Some("sess")), csc, &params, true, TS).unwrap();
    assert!(p.url.contains("session=sess"));
    // Session "none" and unmodelled methods: no session needed.
    let lianbei = j(&json!({ "biz_order_id": 1 }));
    prepare::prepare_top(
        &top_cfg(None),
        "alibaba.alisports.lianbei.order.notice",
        &lianbei,
        true,
        TS,
    )
    .unwrap();
    prepare::prepare_top(&top_cfg(None), "taobao.item.get", &Json::Null, true, TS).unwrap();
}

#[test]
fn the_protocol_of_a_name_decides_its_client() {
    let funds = "aliyun.gsc.funds.flow.notify";
    let top = |api: &str| prepare::prepare_top(&top_cfg(Some("s")), api, &Json::Null, true, TS);
    let rpc = |api: &str| {
        prepare::prepare_rpc(&rpc_cfg("2099-01-01"), api, &Json::Null, true, RPC_TS, "n")
    };
    for (r, client) in [
        (
            top("ConfirmDisburse"),
            "sent by LinkedMallClient, not TopClient",
        ),
        (
            top("DescribeRegions"),
            "sent by LinkedMallClient, not TopClient",
        ),
        (
            rpc("taobao.item.get"),
            "sent by TopClient, not LinkedMallClient",
        ),
        (rpc(funds), "sent by TopClient, not LinkedMallClient"),
    ] {
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.issues[0].path, "api");
        assert!(
            e.issues[0].message.contains(client),
            "{}",
            e.issues[0].message
        );
    }
    for name in [
        "lianbei",
        "Describe.Regions",
        "taobao..get",
        "Confirm_Disburse",
    ] {
        for r in [top(name), rpc(name)] {
            let e = r.unwrap_err();
            assert_eq!(e.issues[0].path, "api", "{name}");
            let msg = &e.issues[0].message;
            assert!(
                msg.contains("neither")
                    && msg.contains("TopClient")
                    && msg.contains("LinkedMallClient"),
                "{msg}"
            );
        }
    }
    // validateParams' path (`business` with `protocol_of`) agrees.
    for name in [
        "ConfirmDisburse",
        "DescribeRegions",
        "taobao.item.get",
        funds,
    ] {
        let p = models::protocol_of(name).unwrap();
        let r = prepare::business(p, name, &Json::Null, true);
        assert!(
            r.is_ok() || r.err().unwrap().issues[0].path != "api",
            "{name}"
        );
    }
    assert!(prepare::business(Protocol::Top, "lianbei", &Json::Null, true).is_err());
}

#[test]
fn the_version_comes_from_the_model() {
    let cd = j(&json!({ "BizId": "b", "BizUid": "u", "LmOrderId": "1" }));
    let p = prepare::prepare_rpc(
        &rpc_cfg("2099-01-01"),
        "ConfirmDisburse",
        &cd,
        true,
        RPC_TS,
        "n",
    )
    .unwrap();
    assert!(p.url.contains("Version=2018-01-16"), "{}", p.url);
    // The client's version is for unmodelled actions.
    let p = prepare::prepare_rpc(
        &rpc_cfg("2099-01-01"),
        "DescribeRegions",
        &Json::Null,
        true,
        RPC_TS,
        "n",
    )
    .unwrap();
    assert!(p.url.contains("Version=2099-01-01"), "{}", p.url);
    let p = prepare::prepare_top(
        &top_cfg(None),
        "alibaba.alisports.lianbei.order.notice",
        &j(&json!({ "biz_order_id": 1 })),
        true,
        TS,
    )
    .unwrap();
    assert!(p.url.contains("v=2.0"), "{}", p.url);
}

#[test]
fn the_success_rule_comes_from_the_model() {
    let call = |api| Call {
        protocol: Protocol::AliyunRpc,
        api,
        format: Format::Json,
        simplify: false,
    };
    let got = |api, body: &[u8]| {
        let r = Received {
            status: 200,
            content_type: "application/json",
            body,
        };
        decode::decode(&call(api), &r, decode::DEFAULT_MAX_BODY_BYTES)
    };
    let e = got(
        "ConfirmDisburse",
        br#"{"Code":"ORDER_NOT_FOUND","Message":"no","RequestId":"R"}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    assert_eq!(e.api.code.as_deref(), Some("ORDER_NOT_FOUND"));
    let e = got("ConfirmDisburse", br#"{"RequestId":"R"}"#).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(
        e.message.contains("without Code: the outcome is unknown"),
        "{}",
        e.message
    );
    assert!(got("ConfirmDisburse", br#"{"Code":"SUCCESS"}"#).is_ok());
    // An action without a success rule: a 200 is a success, whatever its Code.
    assert!(got("DescribeRegions", br#"{"Code":"ORDER_NOT_FOUND"}"#).is_ok());
    assert!(got("DescribeRegions", br#"{"RequestId":"R"}"#).is_ok());
}
