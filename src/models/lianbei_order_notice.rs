//! `alibaba.alisports.lianbei.order.notice` (健身入淘订单信息通知).

use super::{Model, Protocol, RespTy};
use crate::json::Json;
use crate::schema::{req, Field, Ty};

pub const FIELDS: &[Field] = &[req("biz_order_id", Ty::Int)];

/// It returns the order's information: a read, safe to repeat.
fn repeat_safe(_: &Json) -> bool {
    true
}

pub const MODEL: Model = Model {
    api: "alibaba.alisports.lianbei.order.notice",
    protocol: Protocol::Top,
    fields: FIELDS,
    response_types: &[
        ("alisp_code", RespTy::Int),
        ("auction_id", RespTy::Int),
        ("auction_price", RespTy::Int),
        ("buy_amount", RespTy::Int),
        ("discount_fee", RespTy::Int),
        ("tf", RespTy::Int),
        ("sku_id", RespTy::Int),
        ("nego_price", RespTy::Int),
        ("status", RespTy::Int),
    ],
    repeat_safe,
};
