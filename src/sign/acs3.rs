//! Aliyun signature V3, ACS3-HMAC-SHA256 (the current official SDKs' default):
//! CanonicalRequest = METHOD \n URI \n sorted-encoded-query \n
//!   lowercase "name:value\n" headers (sorted) \n signed-header-names \n hex(sha256(body));
//! StringToSign = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest));
//! Signature = hex(HMAC-SHA256(secret, StringToSign)).

use crate::prelude::*;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex_lower(&Sha256::digest(data))
}

/// Sorted `enc(k)=enc(v)` pairs joined by `&` (sorts `query` in place).
pub fn canonical_query(query: &mut [(&str, &str)]) -> String {
    super::percent::sorted_form(query, "")
}

/// The signed parts of a request. `headers` are the headers to sign (names
/// any case; they are lower-cased, trimmed and sorted here).
pub struct Request<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub query: &'a mut [(&'a str, &'a str)],
    pub headers: &'a [(&'a str, &'a str)],
    pub hashed_payload: &'a str,
}

pub struct Signed {
    pub canonical_request: String,
    pub signed_headers: String,
    pub signature: String,
}

pub fn sign(req: Request<'_>, secret: &str) -> Signed {
    let mut headers: Vec<(String, &str)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .collect();
    super::sort_by_name(&mut headers, |h| h.0.as_bytes());
    let mut canonical_headers = String::with_capacity(256);
    let mut signed_headers = String::with_capacity(128);
    for (k, v) in &headers {
        canonical_headers.push_str(k);
        canonical_headers.push(':');
        canonical_headers.push_str(v);
        canonical_headers.push('\n');
        if !signed_headers.is_empty() {
            signed_headers.push(';');
        }
        signed_headers.push_str(k);
    }
    let query = canonical_query(req.query);
    let canonical_request = [
        req.method,
        "\n",
        req.uri,
        "\n",
        &query,
        "\n",
        &canonical_headers,
        "\n",
        &signed_headers,
        "\n",
        req.hashed_payload,
    ]
    .concat();
    let string_to_sign = [ALGORITHM, "\n", &sha256_hex(canonical_request.as_bytes())].concat();
    let signature = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            hex_lower(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    Signed {
        canonical_request,
        signed_headers,
        signature,
    }
}

/// The `Authorization` header value.
pub fn authorization(access_key_id: &str, s: &Signed) -> String {
    [
        ALGORITHM,
        " Credential=",
        access_key_id,
        ",SignedHeaders=",
        &s.signed_headers,
        ",Signature=",
        &s.signature,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public example of the V3 documentation (RunInstances, empty body).
    #[test]
    fn published_vector() {
        let empty = sha256_hex(b"");
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut q = [
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ];
        let headers = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
            ("x-acs-content-sha256", empty.as_str()),
        ];
        let s = sign(
            Request {
                method: "POST",
                uri: "/",
                query: &mut q,
                headers: &headers,
                hashed_payload: &empty,
            },
            "YourAccessKeySecret",
        );
        assert_eq!(
            s.signed_headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            s.signature,
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
    }
}
