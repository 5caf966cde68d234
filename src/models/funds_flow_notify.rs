//! `aliyun.gsc.funds.flow.notify` (官网订单资金流水同步猫链系统).
//!
//! `payments`, `confirms` and `refunds` share the DTOs `MainOrderFinanceDTO` and
//! `SubOrderFinanceDTO`; the page lists different subsets per list and marks
//! them required only under `payments`, so the tables hold the union of fields
//! with the `payments` flags, and `confirms`/`refunds` are walked relaxed.

use super::{Model, Protocol};
use crate::json::Json;
use crate::schema::{opt, opt_relaxed, req, Field, Ty};

pub const SALE_TYPES: &[&str] = &["sell", "proxy"];
pub const AMOUNT_TYPES: &[&str] = &["member_point", "currency"];
pub const PAY_TYPES: &[&str] = &["alipay", "weixin"];

/// `SubOrderFinanceDTO`.
pub const SUB_ORDER_FINANCE_DTO: &[Field] = &[
    req("sub_biz_order_id", Ty::Str),
    req("auction_id", Ty::Str),
    req("auction_title", Ty::Str),
    req("out_item_id", Ty::Str),
    opt("out_item_name", Ty::Str),
    opt("out_sku_id", Ty::Str),
    opt("out_sku_name", Ty::Str),
    req("price", Ty::Int),
    req("freight", Ty::Int),
    req("amount", Ty::Int),
    req("amount_type", Ty::StrIn(AMOUNT_TYPES)),
    req("pay_type", Ty::StrIn(PAY_TYPES)),
    req("currency_type", Ty::StrIn(&["yuan"])),
    req("qty", Ty::Int),
    req("point_grant", Ty::Int),
    opt("return_amount", Ty::Int),
    opt("return_amount_type", Ty::StrIn(AMOUNT_TYPES)),
    opt("return_currency_type", Ty::StrIn(&["fen"])),
    req("uid", Ty::Str),
    req("return_point_grant", Ty::Int),
];

/// `MainOrderFinanceDTO`.
pub const MAIN_ORDER_FINANCE_DTO: &[Field] = &[
    req("main_biz_order_id", Ty::Str),
    req("create_date", Ty::DateTime),
    req("biz_date", Ty::DateTime),
    req("seller_id", Ty::Str),
    req("sale_type", Ty::StrIn(SALE_TYPES)),
    req("sub_orders", Ty::List(SUB_ORDER_FINANCE_DTO)),
];

/// `OfficialFundsRecordRequest`.
pub const OFFICIAL_FUNDS_RECORD_REQUEST: &[Field] = &[
    req("payments", Ty::List(MAIN_ORDER_FINANCE_DTO)),
    opt_relaxed("confirms", Ty::List(MAIN_ORDER_FINANCE_DTO)),
    opt_relaxed("refunds", Ty::List(MAIN_ORDER_FINANCE_DTO)),
];

pub const FIELDS: &[Field] = &[req(
    "official_funds_record_request",
    Ty::Obj(OFFICIAL_FUNDS_RECORD_REQUEST),
)];

/// `uid` (唯一键, on `SubOrderFinanceDTO`) dedupes each sub-order record. Safe
/// only when every record that could be applied carries one:
/// - `official_funds_record_request` is an object;
/// - each of `payments`, `confirms`, `refunds` is absent, `null` or an array;
/// - every main order in them is an object whose `sub_orders` is a non-empty
///   array (a main order without sub-orders would be applied with no key);
/// - every sub-order is an object with a non-blank `uid` (`models::has_key`);
/// - and there is at least one sub-order in all (nothing keyed: unsafe).
fn repeat_safe(params: &Json) -> bool {
    let Some(req @ Json::Obj(_)) = params.get("official_funds_record_request") else {
        return false;
    };
    let mut records = 0usize;
    for list in ["payments", "confirms", "refunds"] {
        let mains = match req.get(list) {
            None | Some(Json::Null) => continue,
            Some(Json::Arr(mains)) => mains,
            Some(_) => return false,
        };
        for main in mains {
            let Some(Json::Arr(subs)) = main.get("sub_orders") else {
                return false;
            };
            if subs.is_empty() || !subs.iter().all(|s| super::has_key(s.get("uid"))) {
                return false;
            }
            records += subs.len();
        }
    }
    records > 0
}

pub const MODEL: Model = Model {
    api: "aliyun.gsc.funds.flow.notify",
    protocol: Protocol::Top,
    fields: FIELDS,
    response_types: &[],
    repeat_safe,
};
