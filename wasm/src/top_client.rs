//! `TopClient`: the Taobao Open Platform router client's JS surface. Options
//! are read by `options`, checked by the core; calls run in `execution`.

use super::batch::{new_batch, Batch};
use super::builders::Request;
use super::execution::{call_args, new_call, Call, Signer};
use super::options::{
    check_keys, endpoint, format_opt, opt_bool, opt_string, option_timestamp, req_string, HttpIo,
};
use super::{core_err, in_band, invalid, present};
use aligate::client::config;
use aligate::json::Json;
use aligate::prelude::*;
use aligate::prepare::{self, Format, Secret, TopConfig, TOP_DEFAULT_ENDPOINT};
use aligate::sign::top::SignMethod;
use js_sys::Object;
use wasm_bindgen::prelude::*;

const TOP_PREPARE_KEYS: [&str; 3] = ["timestamp", "session", "redact"];

/// Client for the Taobao Open Platform router.
#[wasm_bindgen]
pub struct TopClient {
    cfg: TopConfig,
    http: HttpIo,
}

#[wasm_bindgen]
impl TopClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TopClient, JsValue> {
        let mut keys = vec![
            "appKey",
            "appSecret",
            "signMethod",
            "endpoint",
            "session",
            "format",
            "simplify",
        ];
        keys.extend(config::HTTP_KEYS);
        check_keys(&options, &keys, "options")?;
        if !present(&options) {
            return Err(invalid("options", "appKey and appSecret are required"));
        }
        let sign_method = match opt_string(&options, "signMethod", "options")? {
            None => SignMethod::Md5,
            Some(s) => SignMethod::parse(&s).ok_or_else(|| {
                invalid(
                    "options.signMethod",
                    "expected one of md5, hmac, hmac-sha256",
                )
            })?,
        };
        let client = TopClient {
            cfg: TopConfig {
                app_key: req_string(&options, "appKey", "options")?,
                app_secret: Secret::new(req_string(&options, "appSecret", "options")?),
                sign_method,
                endpoint: endpoint(&options, TOP_DEFAULT_ENDPOINT)?,
                session: opt_string(&options, "session", "options")?.map(Secret::new),
                format: format_opt(&options)?,
                simplify: opt_bool(&options, "simplify", "options")?.unwrap_or(false),
                keyed: Default::default(),
            },
            http: HttpIo::from_options(&options)?,
        };
        // Fail at construction, not at the first call (prepare checks again).
        client.cfg.check().map_err(core_err)?;
        Ok(client)
    }

    /// Validates and signs without sending. Options: `timestamp` (GMT+8
    /// string, Date or ms), `session`, `redact`. Returns the prepared line,
    /// which the JS entry's `prepare` turns into `{ method, url, headers,
    /// body }`, or the error, which it throws (`in_band`).
    #[wasm_bindgen(js_name = "__prepare")]
    pub fn prepare(&self, api: JsValue, params: JsValue, options: JsValue) -> JsValue {
        in_band(
            call_args(&api, &params)
                .and_then(|(name, value, js)| self.prepare_value(&name, &value, js, &options)),
        )
    }

    /// `prepare` with the JS entry's JSON text of JS values (strings cross
    /// as arguments: no lookups back into JS).
    #[wasm_bindgen(js_name = "__prepareText")]
    pub fn prepare_text(&self, api: &str, json: &str, options: JsValue) -> JsValue {
        in_band(
            prepare::parse_params(json)
                .map_err(core_err)
                .and_then(|value| self.prepare_value(api, &value, true, &options)),
        )
    }

    /// `prepare` for a builder: its parameters are used in place.
    #[wasm_bindgen(js_name = "__prepareRequest")]
    pub fn prepare_request(&self, req: &Request, options: JsValue) -> JsValue {
        in_band(self.prepare_value(req.model().api, req.params(), true, &options))
    }

    /// Starts a call; the JS entry's `execute` (and the per-API methods)
    /// run it: resolves to the decoded result, rejects with `AligateError`.
    #[wasm_bindgen(js_name = "__call")]
    pub fn call(&self, api: JsValue, params: JsValue, options: JsValue) -> Result<Call, JsValue> {
        new_call(
            self.signer(),
            &self.http,
            call_args(&api, &params)?,
            &options,
        )
    }

    #[wasm_bindgen(js_name = "__callRequest")]
    pub fn call_request(&self, req: &Request, options: JsValue) -> Result<Call, JsValue> {
        let args = (req.model().api.to_string(), req.params().clone(), true);
        new_call(self.signer(), &self.http, args, &options)
    }

    /// A TOP batch (`top.batch`, or `top.prepareBatch` when `prepare`): the
    /// JS entry adds the calls, then prepares or runs it.
    #[wasm_bindgen(js_name = "__batch")]
    pub fn batch(&self, options: JsValue, prepare: bool) -> Result<Batch, JsValue> {
        new_batch(&self.cfg, &self.http, &options, prepare)
    }

    /// Configuration without credentials.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        super::set(&o, "appKey", self.cfg.app_key.as_str());
        super::set(&o, "signMethod", self.cfg.sign_method.as_str());
        super::set(&o, "endpoint", self.cfg.endpoint.as_str());
        super::set(
            &o,
            "format",
            if self.cfg.format == Format::Json {
                "json"
            } else {
                "xml"
            },
        );
        super::set(&o, "simplify", self.cfg.simplify);
        super::set(&o, "appSecret", "***");
        if self.cfg.session.is_some() {
            super::set(&o, "session", "***");
        }
        o.into()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        [
            "TopClient { appKey: ",
            &self.cfg.app_key,
            ", signMethod: ",
            self.cfg.sign_method.as_str(),
            ", endpoint: ",
            &self.cfg.endpoint,
            " }",
        ]
        .concat()
    }
}

impl TopClient {
    fn signer(&self) -> Signer {
        Signer::Top(self.cfg.clone())
    }

    fn prepare_value(
        &self,
        api: &str,
        value: &Json,
        js: bool,
        opts: &JsValue,
    ) -> Result<String, JsValue> {
        // Options are usually absent: then no lookups (each is a JS crossing).
        let given = present(opts);
        if given {
            check_keys(opts, &TOP_PREPARE_KEYS, "options")?;
        }
        let ts = option_timestamp(opts, given, aligate::time::top_timestamp)?;
        let session = if given {
            opt_string(opts, "session", "options")?
        } else {
            None
        };
        let p = match session {
            Some(s) => {
                let mut cfg = self.cfg.clone();
                cfg.session = Some(Secret::new(s));
                prepare::prepare_top(&cfg, api, value, js, &ts)
            }
            None => prepare::prepare_top(&self.cfg, api, value, js, &ts),
        }
        .map_err(core_err)?;
        let redact = given && opt_bool(opts, "redact", "options")?.unwrap_or(false);
        aligate::line::build(&p, redact).map_err(core_err)
    }
}
