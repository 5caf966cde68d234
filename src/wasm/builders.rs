//! Typed request builders: one class per API. Setters consume and return the
//! builder (chain them: `new X().a(1).b(2)`); values are checked when the
//! builder is validated or prepared, so every problem is reported at once.

use super::{core_err, params_json};
use crate::json::Json;
use crate::models::{self, Protocol};
use wasm_bindgen::prelude::*;

/// A JS value as JSON; strings stay strings (unlike `params_json`).
fn to_value(v: &JsValue) -> Result<Json, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(Json::Str(s));
    }
    let (json, _) = params_json(v)?;
    crate::prepare::parse_params(&json).map_err(core_err)
}

#[derive(Clone)]
struct Inner {
    root: Json,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            root: Json::Obj(Vec::new()),
        }
    }
}

/// Makes sure `parent[key]` is an object (replacing anything else) and returns it.
fn object_at<'a>(parent: &'a mut Json, key: &str) -> Option<&'a mut Json> {
    if !matches!(parent.get(key), Some(Json::Obj(_))) {
        parent.insert(key, Json::Obj(Vec::new()));
    }
    parent.get_mut(key)
}

impl Inner {
    fn set(&mut self, key: &str, v: &JsValue) -> Result<(), JsValue> {
        let value = to_value(v)?;
        self.root.insert(key, value);
        Ok(())
    }

    fn set_in(&mut self, outer: &str, key: &str, v: &JsValue) -> Result<(), JsValue> {
        let value = to_value(v)?;
        if let Some(obj) = object_at(&mut self.root, outer) {
            obj.insert(key, value);
        }
        Ok(())
    }

    fn push_in(&mut self, outer: &str, list: &str, v: &JsValue) -> Result<(), JsValue> {
        let value = to_value(v)?;
        if let Some(obj) = object_at(&mut self.root, outer) {
            if !matches!(obj.get(list), Some(Json::Arr(_))) {
                obj.insert(list, Json::Arr(Vec::new()));
            }
            if let Some(Json::Arr(a)) = obj.get_mut(list) {
                a.push(value);
            }
        }
        Ok(())
    }

    fn json(&self) -> String {
        self.root.to_string()
    }

    fn validate(&self, api: &str, protocol: Protocol) -> Result<(), JsValue> {
        crate::prepare::business(protocol, api, &self.root, true)
            .map(|_| ())
            .map_err(core_err)
    }
}

macro_rules! builder {
    ($name:ident, $model:path, $protocol:expr) => {
        #[wasm_bindgen]
        impl $name {
            #[wasm_bindgen(constructor)]
            pub fn new() -> $name {
                $name(Inner::default())
            }

            /// The wire name of the API.
            #[wasm_bindgen(getter)]
            pub fn api(&self) -> String {
                $model.api.to_string()
            }

            /// Throws `AligateError` (kind `validation`) listing every issue.
            pub fn validate(&self) -> Result<(), JsValue> {
                self.0.validate($model.api, $protocol)
            }

            /// The parameters as set (wire names).
            #[wasm_bindgen(js_name = toJSON)]
            pub fn to_json(&self) -> Result<JsValue, JsValue> {
                js_sys::JSON::parse(&self.0.json())
            }

            #[doc(hidden)]
            #[wasm_bindgen(js_name = "__params")]
            pub fn params(&self) -> String {
                self.0.json()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}

macro_rules! setters {
    ($name:ident { $($js:literal => $fn:ident : $wire:literal),* $(,)? }) => {
        #[wasm_bindgen]
        impl $name {
            $(
                #[wasm_bindgen(js_name = $js)]
                pub fn $fn(mut self, value: JsValue) -> Result<$name, JsValue> {
                    self.0.set($wire, &value)?;
                    Ok(self)
                }
            )*
        }
    };
    ($name:ident in $outer:literal { $($js:literal => $fn:ident : $wire:literal),* $(,)? }) => {
        #[wasm_bindgen]
        impl $name {
            $(
                #[wasm_bindgen(js_name = $js)]
                pub fn $fn(mut self, value: JsValue) -> Result<$name, JsValue> {
                    self.0.set_in($outer, $wire, &value)?;
                    Ok(self)
                }
            )*
        }
    };
}

/// `alibaba.retail.commission.status.change`: setters fill `param0`.
#[wasm_bindgen]
pub struct CommissionStatusChangeRequest(Inner);
builder!(
    CommissionStatusChangeRequest,
    models::commission_status_change::MODEL,
    Protocol::Top
);
setters!(CommissionStatusChangeRequest {
    "param0" => param0: "param0",
});
setters!(CommissionStatusChangeRequest in "param0" {
    "orderPayTime" => order_pay_time: "order_pay_time",
    "outerOrderId" => outer_order_id: "outer_order_id",
    "orderStatus" => order_status: "order_status",
    "orderGoodsTime" => order_goods_time: "order_goods_time",
    "orderEndTime" => order_end_time: "order_end_time",
    "bizOrderId" => biz_order_id: "biz_order_id",
    "orderId" => order_id: "order_id",
});

/// `alibaba.alisports.lianbei.order.notice`.
#[wasm_bindgen]
pub struct LianbeiOrderNoticeRequest(Inner);
builder!(
    LianbeiOrderNoticeRequest,
    models::lianbei_order_notice::MODEL,
    Protocol::Top
);
setters!(LianbeiOrderNoticeRequest {
    "bizOrderId" => biz_order_id: "biz_order_id",
});

/// `aliyun.gsc.funds.flow.notify`: lists set whole or appended one order at a time.
#[wasm_bindgen]
pub struct FundsFlowNotifyRequest(Inner);
builder!(
    FundsFlowNotifyRequest,
    models::funds_flow_notify::MODEL,
    Protocol::Top
);
setters!(FundsFlowNotifyRequest in "official_funds_record_request" {
    "payments" => payments: "payments",
    "confirms" => confirms: "confirms",
    "refunds" => refunds: "refunds",
});

#[wasm_bindgen]
impl FundsFlowNotifyRequest {
    #[wasm_bindgen(js_name = addPayment)]
    pub fn add_payment(mut self, order: JsValue) -> Result<FundsFlowNotifyRequest, JsValue> {
        self.0
            .push_in("official_funds_record_request", "payments", &order)?;
        Ok(self)
    }

    #[wasm_bindgen(js_name = addConfirm)]
    pub fn add_confirm(mut self, order: JsValue) -> Result<FundsFlowNotifyRequest, JsValue> {
        self.0
            .push_in("official_funds_record_request", "confirms", &order)?;
        Ok(self)
    }

    #[wasm_bindgen(js_name = addRefund)]
    pub fn add_refund(mut self, order: JsValue) -> Result<FundsFlowNotifyRequest, JsValue> {
        self.0
            .push_in("official_funds_record_request", "refunds", &order)?;
        Ok(self)
    }
}

/// LinkedMall `ConfirmDisburse`.
#[wasm_bindgen]
pub struct ConfirmDisburseRequest(Inner);
builder!(
    ConfirmDisburseRequest,
    models::confirm_disburse::MODEL,
    Protocol::AliyunRpc
);
setters!(ConfirmDisburseRequest {
    "bizId" => biz_id: "BizId",
    "bizUid" => biz_uid: "BizUid",
    "lmOrderId" => lm_order_id: "LmOrderId",
    "useAnonymousTbAccount" => use_anonymous_tb_account: "UseAnonymousTbAccount",
    "thirdPartyUserId" => third_party_user_id: "ThirdPartyUserId",
    "accountType" => account_type: "AccountType",
});
