//! LinkedMall `ConfirmDisburse` (确认收货), Aliyun RPC, Version 2018-01-16.
//!
//! The reference page spells the optional flag `UseAnonymouslyTbAccount`; the
//! official SDKs send `UseAnonymousTbAccount` and add `AccountType`. Both
//! spellings are accepted; the SDKs' spelling goes on the wire.

use super::{Model, Protocol};
use crate::json::Json;
use crate::schema::{opt, req, Field, Ty};

pub const VERSION: &str = "2018-01-16";

pub const FIELDS: &[Field] = &[
    req("BizId", Ty::Str),
    req("BizUid", Ty::Str),
    req("LmOrderId", Ty::Str),
    Field {
        name: "UseAnonymousTbAccount",
        ty: Ty::Bool,
        required: false,
        alias: Some("UseAnonymouslyTbAccount"),
        relax: false,
    },
    opt("ThirdPartyUserId", Ty::Str),
    opt("AccountType", Ty::Str),
];

/// Confirming receipt is a state change keyed by `LmOrderId`: a repeat finds the
/// order already confirmed and cannot disburse twice. Safe only with that key.
fn repeat_safe(params: &Json) -> bool {
    super::has_key(params.get("LmOrderId"))
}

pub const MODEL: Model = Model {
    api: "ConfirmDisburse",
    protocol: Protocol::AliyunRpc,
    fields: FIELDS,
    response_types: &[],
    repeat_safe,
};
