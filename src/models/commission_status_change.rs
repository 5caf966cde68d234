//! `alibaba.retail.commission.status.change` (分佣状态变更).

use super::{Model, Protocol, RespTy};
use crate::json::Json;
use crate::schema::{opt, req, Field, Ty};

/// `UniverseOrderVo`.
pub const UNIVERSE_ORDER_VO: &[Field] = &[
    opt("order_pay_time", Ty::DateTime),
    opt("outer_order_id", Ty::Str),
    req("order_status", Ty::IntIn(&[0, 1, 2])),
    opt("order_goods_time", Ty::DateTime),
    opt("order_end_time", Ty::DateTime),
    opt("biz_order_id", Ty::Str),
    req("order_id", Ty::Str),
];

pub const FIELDS: &[Field] = &[opt("param0", Ty::Obj(UNIVERSE_ORDER_VO))];

/// `outer_order_id` is the documented dedupe key ("用于订单幂等去重"): safe
/// only when `param0.outer_order_id` is a non-blank key.
fn repeat_safe(params: &Json) -> bool {
    super::has_key(params.get("param0").and_then(|p| p.get("outer_order_id")))
}

pub const MODEL: Model = Model {
    api: "alibaba.retail.commission.status.change",
    protocol: Protocol::Top,
    fields: FIELDS,
    response_types: &[("data", RespTy::Bool), ("s_success", RespTy::Bool)],
    repeat_safe,
};
