//! `LinkedMallClient`: the Aliyun RPC (LinkedMall) client's JS surface.
//! Options and the environment are read by `options`, checked by the core;
//! calls run in `execution`.

use super::builders::Request;
use super::execution::{call_args, new_call, Call, Provider, Signer};
use super::options::{
    check_keys, endpoint, env_var, format_opt, opt, opt_bool, opt_function, opt_string,
    option_timestamp, HttpIo,
};
use super::random::fresh_nonce;
use super::{core_err, in_band, invalid, present};
use aligate::client::config;
use aligate::json::Json;
use aligate::prelude::*;
use aligate::prepare::{
    self, Format, HttpMethod, RpcConfig, Secret, SignatureVersion, LINKEDMALL_DEFAULT_ENDPOINT,
};
use js_sys::Object;
use wasm_bindgen::prelude::*;

const RPC_PREPARE_KEYS: [&str; 3] = ["timestamp", "nonce", "redact"];

/// Client for LinkedMall (Aliyun RPC, signature v1).
#[wasm_bindgen]
pub struct LinkedMallClient {
    cfg: RpcConfig,
    http: HttpIo,
    provider: Option<Provider>,
}

#[wasm_bindgen]
impl LinkedMallClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<LinkedMallClient, JsValue> {
        let mut keys = vec![
            "accessKeyId",
            "accessKeySecret",
            "securityToken",
            "credentials",
            "env",
            "signatureVersion",
            "endpoint",
            "httpMethod",
            "format",
            "version",
        ];
        keys.extend(config::HTTP_KEYS);
        check_keys(&options, &keys, "options")?;
        let http_method = match opt_string(&options, "httpMethod", "options")? {
            None => HttpMethod::Post,
            Some(m) => HttpMethod::parse(&m)
                .ok_or_else(|| invalid("options.httpMethod", "expected GET or POST"))?,
        };
        let signature_version =
            match opt_string(&options, "signatureVersion", "options")?.as_deref() {
                None | Some("v1") => SignatureVersion::V1,
                Some("v3") => SignatureVersion::V3,
                Some(_) => return Err(invalid("options.signatureVersion", "expected v1 or v3")),
            };
        let format = format_opt(&options)?;
        if signature_version == SignatureVersion::V3 && format == Format::Xml {
            return Err(invalid(
                "options.format",
                "signature v3 responses are JSON; use format json",
            ));
        }
        let provider = opt_function(&options, "credentials", "options")?.map(Provider::new);
        // Explicit options first, then the environment; a provider needs neither.
        let env = opt(&options, "env", "options")?;
        let from = |key: &str, var: &str| -> Result<Option<String>, JsValue> {
            Ok(opt_string(&options, key, "options")?
                .filter(|s| !s.is_empty())
                .or_else(|| env_var(&env, var)))
        };
        let id = from("accessKeyId", "ALIBABA_CLOUD_ACCESS_KEY_ID")?;
        let secret = from("accessKeySecret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")?;
        let token = from("securityToken", "ALIBABA_CLOUD_SECURITY_TOKEN")?;
        if provider.is_none() {
            if id.is_none() {
                return Err(invalid(
                    "options.accessKeyId",
                    "missing: pass accessKeyId or credentials, or set ALIBABA_CLOUD_ACCESS_KEY_ID",
                ));
            }
            if secret.is_none() {
                return Err(invalid("options.accessKeySecret", "missing: pass accessKeySecret or credentials, or set ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
            }
        }
        let client = LinkedMallClient {
            cfg: RpcConfig {
                access_key_id: id.unwrap_or_default(),
                access_key_secret: Secret::new(secret.unwrap_or_default()),
                security_token: token.map(Secret::new),
                endpoint: endpoint(&options, LINKEDMALL_DEFAULT_ENDPOINT)?,
                http_method,
                format,
                version: opt_string(&options, "version", "options")?
                    .unwrap_or_else(|| aligate::models::linkedmall_version().to_string()),
                signature_version,
                keyed: Default::default(),
            },
            http: HttpIo::from_options(&options)?,
            provider,
        };
        client.cfg.check().map_err(core_err)?;
        Ok(client)
    }

    /// A call with no parameters, for `refreshCredentials()` (the JS entry
    /// awaits the provider when its cached credentials expired).
    #[wasm_bindgen(js_name = "__credentials")]
    pub fn credentials(&self) -> Result<Call, JsValue> {
        let none = (String::new(), Json::Null, false);
        new_call(self.signer(), &self.http, none, &JsValue::UNDEFINED)
    }

    /// Validates and signs without sending. Options: `timestamp` (ISO UTC
    /// string, Date or ms), `nonce`, `redact`. See `TopClient::prepare`.
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

    #[wasm_bindgen(js_name = "__prepareRequest")]
    pub fn prepare_request(&self, req: &Request, options: JsValue) -> JsValue {
        in_band(self.prepare_value(req.model().api, req.params(), true, &options))
    }

    /// See `TopClient::call`.
    #[wasm_bindgen(js_name = "__call")]
    pub fn call(&self, api: JsValue, params: JsValue, options: JsValue) -> Result<Call, JsValue> {
        let args = call_args(&api, &params)?;
        new_call(self.signer(), &self.http, args, &options)
    }

    #[wasm_bindgen(js_name = "__callRequest")]
    pub fn call_request(&self, req: &Request, options: JsValue) -> Result<Call, JsValue> {
        let args = (req.model().api.to_string(), req.params().clone(), true);
        new_call(self.signer(), &self.http, args, &options)
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        super::set(&o, "accessKeyId", self.cfg.access_key_id.as_str());
        super::set(&o, "accessKeySecret", "***");
        if self.cfg.security_token.is_some() {
            super::set(&o, "securityToken", "***");
        }
        super::set(&o, "endpoint", self.cfg.endpoint.as_str());
        super::set(&o, "httpMethod", self.cfg.http_method.as_str());
        o.into()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        [
            "LinkedMallClient { accessKeyId: ",
            &self.cfg.access_key_id,
            ", endpoint: ",
            &self.cfg.endpoint,
            " }",
        ]
        .concat()
    }
}

impl LinkedMallClient {
    fn signer(&self) -> Signer {
        Signer::Rpc(self.cfg.clone(), self.provider.clone())
    }

    fn prepare_value(
        &self,
        api: &str,
        value: &Json,
        js: bool,
        opts: &JsValue,
    ) -> Result<String, JsValue> {
        let given = present(opts);
        if given {
            check_keys(opts, &RPC_PREPARE_KEYS, "options")?;
        }
        let ts = option_timestamp(opts, given, aligate::time::iso_utc)?;
        let nonce = match given
            .then(|| opt_string(opts, "nonce", "options"))
            .transpose()?
        {
            Some(Some(n)) => n,
            _ => fresh_nonce().map_err(core_err)?,
        };
        let cfg = match &self.provider {
            None => alloc::borrow::Cow::Borrowed(&self.cfg),
            Some(p) => alloc::borrow::Cow::Owned(
                p.current()
                    .ok_or_else(|| {
                        invalid(
                            "credentials",
                            "the provider has no current credentials; execute() calls it, or await refreshCredentials() before prepare()",
                        )
                    })?
                    .apply(&self.cfg),
            ),
        };
        let p = prepare::prepare_rpc(&cfg, api, value, js, &ts, &nonce).map_err(core_err)?;
        let redact = given && opt_bool(opts, "redact", "options")?.unwrap_or(false);
        aligate::line::build(&p, redact).map_err(core_err)
    }
}
