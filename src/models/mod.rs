//! The API models: tables generated at build time from `apis/*.json` (see
//! build.rs and apis/README.md): field tables (wire names, types, required
//! flags), version, endpoint, session and success rules, the response fields
//! that XML must coerce, and whether a repeat of the call can duplicate an
//! effect (`Repeat`, walked by `Model::repeat_safe`).

use crate::json::Json;
use crate::schema::{Field, Ty};

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

/// Which client sends an API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The TOP router (`TopClient`).
    Top,
    /// LinkedMall's Aliyun endpoint (`LinkedMallClient`).
    LinkedMall,
}

/// Whether a TOP call needs a user's `session`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Session {
    Required,
    Optional,
    /// The descriptor's `"none"`.
    Unused,
}

/// A business result in an HTTP 200 body: a 200 whose `field` differs from
/// `equals` is a failure; a 200 without `field` is an unknown outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Success {
    pub field: &'static str,
    pub equals: &'static str,
}

/// One step of a dedupe-key path (`a.b[].c[+].d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg {
    /// `.name`: the member of an object, which must be there.
    Member(&'static str),
    /// `[]`: a list that may be absent or `null`; each element walked.
    List,
    /// `[+]`: a non-empty list; each element walked.
    NonEmptyList,
}

/// Whether repeating a valid request can duplicate its effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// No dedupe key: never repeated.
    Never,
    /// A read: always safe.
    Read,
    /// Safe when every path reaches only present keys (`has_key`), nothing a
    /// path requires is missing or of another shape, and at least one key is
    /// reached in all.
    Keys(&'static [&'static [Seg]]),
}

pub struct Model {
    /// TOP method or Aliyun Action.
    pub api: &'static str,
    pub protocol: Protocol,
    /// TOP `v` or Aliyun `Version`.
    pub version: &'static str,
    pub endpoint: Endpoint,
    pub session: Session,
    pub success: Option<Success>,
    pub repeat: Repeat,
    pub fields: &'static [Field],
    /// Response leaves that are not strings (XML carries only text).
    pub response_types: &'static [(&'static str, RespTy)],
}

impl Model {
    /// True when repeating this (valid) request cannot duplicate its effect
    /// (see `Repeat`). Linear in `params` for each path.
    pub fn repeat_safe(&self, params: &Json) -> bool {
        match self.repeat {
            Repeat::Never => false,
            Repeat::Read => true,
            Repeat::Keys(paths) => {
                let mut keys = 0usize;
                paths.iter().all(|p| keyed(Some(params), p, &mut keys)) && keys > 0
            }
        }
    }
}

/// Walks `segs` from `v` (None: absent), counting the keys reached; false as
/// soon as one is missing or something on the way has another shape.
fn keyed(v: Option<&Json>, segs: &[Seg], keys: &mut usize) -> bool {
    let Some((seg, rest)) = segs.split_first() else {
        *keys += 1;
        return has_key(v);
    };
    let each = |a: &[Json], keys: &mut usize| a.iter().all(|x| keyed(Some(x), rest, keys));
    match (seg, v) {
        (Seg::Member(name), Some(o @ Json::Obj(_))) => keyed(o.get(name), rest, keys),
        (Seg::List, None | Some(Json::Null)) => true,
        (Seg::List, Some(Json::Arr(a))) => each(a, keys),
        (Seg::NonEmptyList, Some(Json::Arr(a))) if !a.is_empty() => each(a, keys),
        _ => false,
    }
}

include!(concat!(env!("OUT_DIR"), "/models.rs"));

pub fn find(api: &str) -> Option<&'static Model> {
    // black_box: over the known table LLVM unrolled the loop and inlined each
    // name's comparison (2 KB of .wasm); the plain loop is a few bytes and as fast.
    core::hint::black_box(MODELS)
        .iter()
        .copied()
        .find(|m| m.api == api)
}

/// Longest API name of either shape (real names are far shorter).
pub const MAX_API_NAME: usize = 256;

/// The protocol of an API name, for every layer (validation, signing, CLI,
/// proxy, sandbox): a modelled API's own; otherwise a dotted name
/// (`taobao.item.get`) is a TOP method and a PascalCase identifier
/// (`DescribeRegions`) an Aliyun RPC action. `None`: neither shape.
pub fn protocol_of(api: &str) -> Option<Protocol> {
    match find(api) {
        Some(m) => Some(m.protocol),
        None => protocol_of_shape(api),
    }
}

/// The protocol a name's shape says (the rule for unmodelled names; every
/// model's name has its protocol's shape, see the tests).
pub fn protocol_of_shape(api: &str) -> Option<Protocol> {
    let b = api.as_bytes();
    if b.len() > MAX_API_NAME {
        return None;
    }
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

/// The `Version` LinkedMallClient sends for actions aligate does not model:
/// that of the LinkedMall actions it models (all share it; see the tests).
pub fn linkedmall_version() -> &'static str {
    MODELS
        .iter()
        .find(|m| m.endpoint == Endpoint::LinkedMall)
        .map_or("", |m| m.version)
}

impl Protocol {
    /// The client that sends this protocol's calls, for messages.
    pub fn client(self) -> &'static str {
        match self {
            Protocol::Top => "TopClient",
            Protocol::AliyunRpc => "LinkedMallClient",
        }
    }

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
