//! Request builders: one wasm class for every API. The JS entry gives each API
//! its typed subclass (`CommissionStatusChangeRequest`, …) whose named setters
//! call `__set` / `__push` with wire names; values are checked when the
//! builder is validated or prepared, so every problem is reported at once.
//! `prepare(builder)` reads the parsed parameters in place (no re-serialising).

use super::{core_err, invalid, js, params_json};
use aligate::json::Json;
use aligate::models::{self, Model};
use aligate::prelude::*;
use aligate::schema::MAX_INPUT_BYTES;
use wasm_bindgen::prelude::*;

/// A JS value as JSON and the bytes it took; strings stay strings (unlike
/// `params_json`). Both are capped before they are copied into wasm memory.
fn to_value(v: &JsValue) -> Result<(Json, usize), JsValue> {
    match js::string_capped(v, MAX_INPUT_BYTES) {
        Some(Ok(s)) => {
            let n = s.len();
            return Ok((Json::Str(s), n));
        }
        Some(Err(_)) => return Err(too_large()),
        None => {}
    }
    let (json, _) = params_json(v)?;
    let value = aligate::prepare::parse_params(&json).map_err(core_err)?;
    Ok((value, json.len()))
}

fn too_large() -> JsValue {
    invalid(
        "params",
        &[
            "the builder's values exceed the ",
            &aligate::schema::decimal(MAX_INPUT_BYTES as i64),
            " bytes aligate accepts",
        ]
        .concat(),
    )
}

/// `parent[key]` as an object (replacing anything else there), or the root
/// itself when `key` is empty.
fn object_at<'a>(parent: &'a mut Json, key: &str) -> Option<&'a mut Json> {
    if key.is_empty() {
        return Some(parent);
    }
    if !matches!(parent.get(key), Some(Json::Obj(_))) {
        parent.insert(key, Json::Obj(Vec::new()));
    }
    parent.get_mut(key)
}

#[wasm_bindgen]
pub struct Request {
    model: &'static Model,
    root: Json,
    /// Bytes of every value set so far (replaced ones included): the builder
    /// is held to the same input cap as `prepare`'s parameters.
    bytes: usize,
}

impl Request {
    /// Converts `value` and counts it against the input cap.
    fn take(&mut self, value: &JsValue) -> Result<Json, JsValue> {
        let (v, n) = to_value(value)?;
        match self.bytes.checked_add(n) {
            Some(total) if total <= MAX_INPUT_BYTES => {
                self.bytes = total;
                Ok(v)
            }
            _ => Err(too_large()),
        }
    }
}

impl Request {
    pub(crate) fn model(&self) -> &'static Model {
        self.model
    }

    pub(crate) fn params(&self) -> &Json {
        &self.root
    }
}

#[wasm_bindgen]
impl Request {
    /// An empty builder for a modelled API.
    #[wasm_bindgen(constructor)]
    pub fn new(api: &str) -> Result<Request, JsValue> {
        let model = models::find(api).ok_or_else(|| invalid("api", "not a modelled API"))?;
        Ok(Request {
            model,
            root: Json::Obj(Vec::new()),
            bytes: 0,
        })
    }

    /// The wire name of the API.
    #[wasm_bindgen(getter)]
    pub fn api(&self) -> String {
        self.model.api.to_string()
    }

    /// Throws `AligateError` (kind `validation`) listing every issue.
    pub fn validate(&self) -> Result<(), JsValue> {
        aligate::prepare::business(self.model.protocol, self.model.api, &self.root, true)
            .map(|_| ())
            .map_err(core_err)
    }

    /// The parameters as set (wire names).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        js_sys::JSON::parse(&self.root.text())
    }

    /// `params[outer][key] = value` (`outer` empty: `params[key]`). Returns
    /// the error, or `undefined` (see `in_band`).
    #[wasm_bindgen(js_name = "__set")]
    pub fn set(&mut self, outer: &str, key: &str, value: JsValue) -> JsValue {
        let value = match self.take(&value) {
            Ok(v) => v,
            Err(e) => return e,
        };
        if let Some(obj) = object_at(&mut self.root, outer) {
            obj.insert(key, value);
        }
        JsValue::UNDEFINED
    }

    /// Appends `value` to the list `params[outer][list]`. Returns the error,
    /// or `undefined` (see `in_band`).
    #[wasm_bindgen(js_name = "__push")]
    pub fn push(&mut self, outer: &str, list: &str, value: JsValue) -> JsValue {
        let value = match self.take(&value) {
            Ok(v) => v,
            Err(e) => return e,
        };
        if let Some(obj) = object_at(&mut self.root, outer) {
            if !matches!(obj.get(list), Some(Json::Arr(_))) {
                obj.insert(list, Json::Arr(Vec::new()));
            }
            if let Some(Json::Arr(a)) = obj.get_mut(list) {
                a.push(value);
            }
        }
        JsValue::UNDEFINED
    }
}
