//! One module per API of the reference pages. Each holds its field table (wire
//! names, types, required flags), the response fields that XML must coerce, and
//! whether a repeat of the call can duplicate an effect.

pub mod commission_status_change;
pub mod confirm_disburse;
pub mod funds_flow_notify;
pub mod lianbei_order_notice;

use crate::json::Json;
use crate::schema::Field;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Top,
    AliyunRpc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RespTy {
    Int,
    Bool,
}

pub struct Model {
    /// TOP method or Aliyun Action.
    pub api: &'static str,
    pub protocol: Protocol,
    pub fields: &'static [Field],
    /// Response leaves that are not strings (XML carries only text).
    pub response_types: &'static [(&'static str, RespTy)],
    /// True when repeating this (valid) request cannot duplicate its effect:
    /// a read, or a write in which every record that could be applied carries
    /// the API's dedupe key (see `has_key`). Anything else is unsafe.
    pub repeat_safe: fn(&Json) -> bool,
}

pub const MODELS: [&Model; 4] = [
    &commission_status_change::MODEL,
    &lianbei_order_notice::MODEL,
    &funds_flow_notify::MODEL,
    &confirm_disburse::MODEL,
];

pub fn find(api: &str) -> Option<&'static Model> {
    MODELS.iter().copied().find(|m| m.api == api)
}

/// The protocol of an API name, for every layer (validation, signing, CLI,
/// proxy, sandbox): a modelled API's own; otherwise a dotted name
/// (`taobao.item.get`) is a TOP method and a PascalCase identifier
/// (`DescribeRegions`) an Aliyun RPC action. `None`: neither shape.
pub fn protocol_of(api: &str) -> Option<Protocol> {
    if let Some(m) = find(api) {
        return Some(m.protocol);
    }
    let b = api.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    if b.first().is_some_and(u8::is_ascii_lowercase)
        && b.contains(&b'.')
        && b.split(|c| *c == b'.')
            .all(|p| !p.is_empty() && p.iter().all(word))
    {
        return Some(Protocol::Top);
    }
    if b.first().is_some_and(u8::is_ascii_uppercase) && b.iter().all(u8::is_ascii_alphanumeric) {
        return Some(Protocol::AliyunRpc);
    }
    None
}

impl Protocol {
    /// The name JS sees (`protocolOf`, descriptors).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Top => "top",
            Protocol::AliyunRpc => "aliyun-rpc",
        }
    }
}

/// A dedupe key that is present: a string with a non-whitespace character, or
/// a number (the string fields take integers). Absent, `null`, `""`, blanks,
/// objects, arrays and booleans are no key. The JS binding's non-finite
/// marker strings fail validation, so they never reach a sent request.
pub fn has_key(v: Option<&Json>) -> bool {
    match v {
        Some(Json::Str(s)) => !s.trim().is_empty(),
        Some(Json::Num(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{protocol_of, Protocol};

    #[test]
    fn protocol_of_every_shape() {
        let cases = [
            ("ConfirmDisburse", Some(Protocol::AliyunRpc)),
            ("aliyun.gsc.funds.flow.notify", Some(Protocol::Top)),
            ("taobao.item.seller.get", Some(Protocol::Top)),
            ("taobao.item_get.v2", Some(Protocol::Top)),
            ("DescribeRegions", Some(Protocol::AliyunRpc)),
            ("Describe.Regions", None),
            ("taobao..get", None),
            ("taobao.", None),
            ("lianbei", None),
            ("", None),
            ("Confirm Disburse", None),
            ("taobao.item\nget", None),
        ];
        for (name, want) in cases {
            assert_eq!(protocol_of(name), want, "{name:?}");
        }
    }
}
