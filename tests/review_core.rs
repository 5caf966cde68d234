#![cfg(not(target_arch = "wasm32"))]
//! Issue 18's hostile review, core findings: structured v3 header fields (11).

use aligate::prepare::{Format, HttpMethod, RpcConfig, Secret, SignatureVersion};

#[test]
fn v3_key_id_cannot_restructure_authorization() {
    let cfg = |id: &str, v| RpcConfig {
        access_key_id: id.into(),
        access_key_secret: Secret::new("s"),
        security_token: None,
        endpoint: "http://127.0.0.1:9/".into(),
        http_method: HttpMethod::Post,
        format: Format::Json,
        version: "2018-01-16".into(),
        signature_version: v,
        keyed: Default::default(),
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
