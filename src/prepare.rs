//! builder → validate → canonicalise → sign: turns (api, params, time, nonce)
//! into a request ready to send. No IO: the caller supplies time and nonce and
//! applies the result.

use crate::error::{Error, ErrorKind, Issue, Result};
use crate::json::{self, Json};
use crate::models::{self, Protocol};
use crate::prelude::*;
use crate::schema::{self, Ctx, MAX_INPUT_BYTES};
use crate::sign::{aliyun_rpc, percent, top};
use core::fmt;

pub mod batch;
mod checks;
pub use checks::{check_endpoint, endpoint_fault, fault, sealed, Sink};

pub const TOP_DEFAULT_ENDPOINT: &str = "https://gw.api.taobao.com/router/rest";
pub const LINKEDMALL_DEFAULT_ENDPOINT: &str = "https://linkedmall.aliyuncs.com/";
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";
const REDACTED: &str = "***";

/// A credential that never prints.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct TopConfig {
    pub app_key: String,
    pub app_secret: Secret,
    pub sign_method: top::SignMethod,
    pub endpoint: String,
    /// The user's authorisation (`session`); a credential, so redacted in dumps.
    pub session: Option<Secret>,
    pub format: Format,
    pub simplify: bool,
    /// The secret keyed into the sign method's state, made on first use.
    pub keyed: core::cell::OnceCell<Option<top::Keyed>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Some(HttpMethod::Get),
            "POST" => Some(HttpMethod::Post),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RpcConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
    pub endpoint: String,
    pub http_method: HttpMethod,
    pub format: Format,
    /// API version for actions aligate does not model (a modelled action sends
    /// its own; see `models::linkedmall_version` for the usual default).
    pub version: String,
    pub signature_version: SignatureVersion,
    /// `access_key_secret` keyed for v1, made on first use. Anything that
    /// changes the secret must start from `Default::default()` here.
    pub keyed: core::cell::OnceCell<Option<aliyun_rpc::Keyed>>,
}

/// Aliyun signature: v1 (HMAC-SHA1 over the parameters) or v3 (ACS3-HMAC-SHA256
/// over a canonical request, in headers), the official SDKs' current default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    V1,
    V3,
}

/// `host[:port]` of an endpoint URL (what fetch sends as Host, but for case:
/// see `prepare_v3`). Meaningful for endpoints `check_endpoint` accepts.
pub fn endpoint_host(endpoint: &str) -> &str {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .unwrap_or(endpoint);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // fetch omits the default port from Host.
    if endpoint.starts_with("https://") {
        host.strip_suffix(":443").unwrap_or(host)
    } else {
        host.strip_suffix(":80").unwrap_or(host)
    }
}

impl TopConfig {
    /// A client configuration with the defaults: the TOP router's endpoint,
    /// no session, JSON, not simplified.
    pub fn new(
        app_key: impl Into<String>,
        app_secret: Secret,
        sign_method: top::SignMethod,
    ) -> Self {
        TopConfig {
            app_key: app_key.into(),
            app_secret,
            sign_method,
            endpoint: TOP_DEFAULT_ENDPOINT.into(),
            session: None,
            format: Format::Json,
            simplify: false,
            keyed: Default::default(),
        }
    }

    /// The gateway URL (`…/router/rest`).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The user's authorisation, for APIs whose descriptor says it is required.
    pub fn with_session(mut self, session: Secret) -> Self {
        self.session = Some(session);
        self
    }

    /// Every option that reaches the URL, checked (`prepare_top` runs this on
    /// each call; bindings may call it at construction to fail early).
    pub fn check(&self) -> Result<()> {
        let session = self.session.as_ref().map_or("", |s| s.expose());
        checks::options(
            &[
                ("options.appKey", &self.app_key),
                ("options.session", session),
            ],
            Sink::Text,
            &self.endpoint,
        )
    }
}

impl RpcConfig {
    /// A client configuration with the defaults: LinkedMall's endpoint, POST,
    /// JSON, signature v1, LinkedMall's API version.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: Secret) -> Self {
        RpcConfig {
            access_key_id: access_key_id.into(),
            access_key_secret,
            security_token: None,
            endpoint: LINKEDMALL_DEFAULT_ENDPOINT.into(),
            http_method: HttpMethod::Post,
            format: Format::Json,
            version: crate::models::linkedmall_version().into(),
            signature_version: SignatureVersion::V1,
            keyed: Default::default(),
        }
    }

    /// The gateway URL.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// A temporary (STS) credential's token.
    pub fn with_security_token(mut self, token: Secret) -> Self {
        self.security_token = Some(token);
        self
    }

    /// Every option that reaches the URL, body or (v3) a header, checked
    /// (`prepare_rpc` runs this on each call; see `TopConfig::check`).
    pub fn check(&self) -> Result<()> {
        let token = self.security_token.as_ref().map_or("", |t| t.expose());
        let checked = checks::options(
            &[
                ("options.accessKeyId", &self.access_key_id),
                ("options.securityToken", token),
                ("options.version", &self.version),
            ],
            self.sink(),
            &self.endpoint,
        );
        // v3 writes the key id inside `Authorization: … Credential=<id>,SignedHeaders=…`.
        let structured = self.signature_version == SignatureVersion::V3
            && self
                .access_key_id
                .bytes()
                .any(|b| matches!(b, b',' | b'=' | b';') || b.is_ascii_whitespace());
        let path = "options.accessKeyId";
        let mut issues = match checked {
            Err(e) if !structured || e.issues.iter().any(|i| i.path == path) => return Err(e),
            _ if !structured => return Ok(()),
            r => r.err().map(|e| e.issues).unwrap_or_default(),
        };
        issues.push(Issue {
            path: path.into(),
            message: "must not contain ',', '=', ';' or whitespace (a field of the v3 Authorization header)".into(),
        });
        Err(Error::validation(issues))
    }

    /// v3 puts the credentials, version, action and nonce in headers.
    fn sink(&self) -> Sink {
        match self.signature_version {
            SignatureVersion::V1 => Sink::Text,
            SignatureVersion::V3 => Sink::Header,
        }
    }
}

/// A signed request: apply it with any HTTP client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub method: &'static str,
    pub url: String,
    /// `None` for GET.
    pub content_type: Option<&'static str>,
    /// Further headers (Aliyun v3: authorization and x-acs-*; Host is fetch's).
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Repeating this request cannot duplicate its effect (see `models`).
    pub repeat_safe: bool,
    /// With credentials replaced by `***`, when they differ from `url`/`body`
    /// (see `redacted_url()`); kept apart to avoid copying on the hot path.
    pub redacted: Option<(String, String)>,
}

impl Prepared {
    /// The one exit of `prepare_top` and `prepare_rpc`: refuses (as an
    /// internal error, a bug) a request whose method, URL or headers hold a
    /// character that could split a header or a protocol line.
    fn sealed(self) -> Result<Prepared> {
        let urls = [self.url.as_str(), self.redacted_url()];
        if checks::sealed(self.method, urls, self.content_type, &self.headers) {
            Ok(self)
        } else {
            Err(Error::new(
                ErrorKind::Internal,
                "control character in a prepared request",
            ))
        }
    }

    /// The URL with credentials replaced by `***`, for logs and dry runs.
    pub fn redacted_url(&self) -> &str {
        self.redacted.as_ref().map_or(&self.url, |r| &r.0)
    }

    /// The body with credentials replaced by `***`.
    pub fn redacted_body(&self) -> &str {
        self.redacted.as_ref().map_or(&self.body, |r| &r.1)
    }
}

/// Parses the JSON text of the parameters. `js_numbers`: the text came from
/// `JSON.stringify`, so integers beyond 2^53 were rounded and are refused.
pub fn parse_params(json: &str) -> Result<Json> {
    if json.len() > MAX_INPUT_BYTES {
        return Err(Error::invalid(
            "params",
            [
                "parameters of ",
                &schema::decimal(json.len() as i64),
                " bytes exceed the ",
                &schema::decimal(MAX_INPUT_BYTES as i64),
                " bytes aligate accepts",
            ]
            .concat(),
        ));
    }
    if json.trim().is_empty() {
        return Ok(Json::Null);
    }
    json::parse(json).map_err(|e| {
        Error::invalid(
            "params",
            ["parameters are not valid JSON: ", &e.text()].concat(),
        )
    })
}

/// Wire parameters of a call after validation, plus its retry safety.
pub struct Business {
    pub params: Vec<(String, String)>,
    pub repeat_safe: bool,
    /// The API's model; `None` for an unmodelled API.
    pub model: Option<&'static models::Model>,
}

/// Validates `params` for `api` (or passes them through for unmodelled APIs).
pub fn business(
    protocol: Protocol,
    api: &str,
    params: &Json,
    js_numbers: bool,
) -> Result<Business> {
    let mut ctx = Ctx::new(js_numbers);
    if api.trim().is_empty() {
        return Err(Error::invalid("api", "API name must not be empty"));
    }
    if let Some(why) = fault(api, Sink::Text) {
        return Err(Error::invalid("api", why));
    }
    let model = models::find(api);
    // `models::protocol_of`, without finding the model twice.
    match model.map_or_else(|| models::protocol_of_shape(api), |m| Some(m.protocol)) {
        Some(p) if p == protocol => {}
        Some(p) => {
            return Err(Error::invalid(
                "api",
                [api, " is sent by ", p.client(), ", not ", protocol.client()].concat(),
            ));
        }
        None => {
            return Err(Error::invalid(
                "api",
                [
                    api,
                    " is neither a TOP method (a.b.c, sent by TopClient) \
                     nor an Aliyun action (PascalCase, sent by LinkedMallClient)",
                ]
                .concat(),
            ));
        }
    }
    let (pairs, repeat_safe) = match model {
        Some(m) => {
            let pairs = schema::wire_params(params, m.fields, &mut ctx);
            let pairs = pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>();
            (pairs, m.repeat_safe(params))
        }
        None => {
            let pairs = match protocol {
                Protocol::Top => schema::free_params(params, &mut ctx),
                Protocol::AliyunRpc => flatten_rpc(params, &mut ctx),
            };
            // Unknown semantics: never assume a repeat is harmless.
            (pairs, false)
        }
    };
    let issues = ctx.finish();
    if !issues.is_empty() {
        return Err(Error::validation(issues));
    }
    Ok(Business {
        params: pairs,
        repeat_safe,
        model,
    })
}

/// Rebuilds the parameter object from wire pairs (all strings; object
/// parameters as JSON text) so a gateway emulator can apply the same rules.
pub fn wire_to_params(
    api: &str,
    pairs: &[(String, String)],
) -> core::result::Result<Json, Vec<Issue>> {
    let mut map: Vec<(String, Json)> = Vec::new();
    let mut issues = Vec::new();
    let fields = models::find(api).map(|m| m.fields).unwrap_or(&[]);
    for (k, v) in pairs {
        let structured = fields
            .iter()
            .any(|f| f.name == k && matches!(f.ty, schema::Ty::Obj(_) | schema::Ty::List(_)));
        let value = if structured {
            match json::parse(v) {
                Ok(x) => x,
                Err(e) => {
                    issues.push(Issue {
                        path: crate::error::visible(k.clone()),
                        message: ["expected JSON: ", &e.text()].concat(),
                    });
                    continue;
                }
            }
        } else {
            Json::Str(v.clone())
        };
        map.push((k.clone(), value));
    }
    if issues.is_empty() {
        Ok(Json::Obj(map))
    } else {
        Err(issues)
    }
}

/// Aliyun RPC "repeat list" style for unmodelled actions: `Key.1.Sub=v`.
fn flatten_rpc(params: &Json, ctx: &mut Ctx) -> Vec<(String, String)> {
    fn go(prefix: &str, v: &Json, out: &mut Vec<(String, String)>, depth: usize) {
        if depth > schema::MAX_DEPTH {
            return;
        }
        match v {
            Json::Null => {}
            Json::Str(s) => out.push((prefix.to_string(), s.clone())),
            Json::Arr(a) => {
                for (i, x) in a.iter().enumerate() {
                    go(
                        &[prefix, ".", &schema::decimal(i as i64 + 1)].concat(),
                        x,
                        out,
                        depth + 1,
                    );
                }
            }
            Json::Obj(m) => {
                for (k, x) in m {
                    go(&[prefix, ".", k].concat(), x, out, depth + 1);
                }
            }
            other => out.push((prefix.to_string(), other.text())),
        }
    }
    schema::check_free(params, ctx, 0);
    let mut out = Vec::new();
    match params {
        Json::Obj(m) => {
            for (k, v) in m {
                go(k, v, &mut out, 0);
            }
        }
        Json::Null => {}
        other => ctx.issue(
            [
                "expected the parameters as an object, got ",
                &schema::describe(other),
            ]
            .concat(),
        ),
    }
    out
}

const TOP_SYSTEM: &[&str] = &[
    "method",
    "app_key",
    "timestamp",
    "format",
    "v",
    "sign_method",
    "sign",
    "session",
    "simplify",
    "partner_id",
    "target_app_key",
];

/// A signing timestamp: `ms` parsed from its text, in the signing range.
fn check_timestamp(ms: Option<i64>, form: &str) -> Result<()> {
    match ms {
        Some(ms) if crate::time::signable(ms) => Ok(()),
        Some(_) => Err(Error::invalid("options.timestamp", "out of range")),
        None => Err(Error::invalid("options.timestamp", form)),
    }
}

/// The endpoint without the bare `?` it may end with (`check_endpoint`
/// refuses any other query).
fn endpoint_base(endpoint: &str) -> &str {
    endpoint.strip_suffix('?').unwrap_or(endpoint)
}

/// `endpoint` with `query` appended.
fn with_query(endpoint: &str, query: &str) -> String {
    let base = endpoint_base(endpoint);
    let mut url = String::with_capacity(base.len() + 1 + query.len());
    url.push_str(base);
    url.push('?');
    url.push_str(query);
    url
}

/// A call the model says needs a session, prepared without one.
fn session_issue(api: &str) -> Issue {
    Issue {
        path: "session".into(),
        message: [
            api,
            " needs a user's session: \
             pass session in the TopClient options or in the call's options",
        ]
        .concat(),
    }
}

/// `business` for TOP with the TOP rules: no system parameter among the
/// business ones, and the model's session rule (`has_session`: a session
/// will be sent), every issue in one error. `prepare_top` and each call of a
/// batch (`batch::item`) run it.
fn top_business(api: &str, params: &Json, js_numbers: bool, has_session: bool) -> Result<Business> {
    let needs_session = |m: Option<&models::Model>| {
        !has_session && m.is_some_and(|m| m.session == models::Session::Required)
    };
    let biz = match business(Protocol::Top, api, params, js_numbers) {
        Ok(biz) => biz,
        Err(e) if e.kind == ErrorKind::Validation && needs_session(models::find(api)) => {
            let mut issues = e.issues;
            issues.push(session_issue(api));
            return Err(Error::validation(issues));
        }
        Err(e) => return Err(e),
    };
    let mut issues = Vec::new();
    for (k, _) in &biz.params {
        if TOP_SYSTEM.contains(&k.as_str()) {
            issues.push(Issue {
                path: k.clone(),
                message: "is a TOP system parameter; set it on the client instead".into(),
            });
        }
    }
    if needs_session(biz.model) {
        issues.push(session_issue(api));
    }
    if !issues.is_empty() {
        return Err(Error::validation(issues));
    }
    Ok(biz)
}

/// Builds and signs a TOP call. `timestamp` is `yyyy-MM-dd HH:mm:ss` in GMT+8.
pub fn prepare_top(
    cfg: &TopConfig,
    api: &str,
    params: &Json,
    js_numbers: bool,
    timestamp: &str,
) -> Result<Prepared> {
    cfg.check()?;
    check_timestamp(
        crate::time::parse_top_timestamp_ms(timestamp),
        "expected yyyy-MM-dd HH:mm:ss (GMT+8)",
    )?;
    let session = cfg.session.as_ref().map(|s| s.expose()).unwrap_or("");
    let biz = top_business(api, params, js_numbers, !top::is_blank(session))?;
    let format = match cfg.format {
        Format::Json => "json",
        Format::Xml => "xml",
    };
    let mut system: Vec<(&str, &str)> = vec![
        ("app_key", &cfg.app_key),
        ("format", format),
        ("method", api),
        ("sign_method", cfg.sign_method.as_str()),
        ("timestamp", timestamp),
        ("v", biz.model.map_or("2.0", |m| m.version)),
    ];
    if !top::is_blank(session) {
        system.push(("session", session));
    }
    if cfg.simplify {
        system.push(("simplify", "true"));
    }
    let mut all: Vec<(&str, &str)> = system.clone();
    all.extend(biz.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let keyed = cfg
        .keyed
        .get_or_init(|| top::Keyed::new(cfg.app_secret.expose(), cfg.sign_method));
    let sign = keyed
        .as_ref()
        .map(|k| k.sign(&mut all, None))
        .unwrap_or_default();

    system.push(("sign", &sign));
    let url = with_query(&cfg.endpoint, &percent::form(system.iter().copied()));
    let redacted_url = if top::is_blank(session) {
        None
    } else {
        let red: Vec<(&str, &str)> = system
            .iter()
            .map(|&(k, v)| {
                if k == "session" {
                    (k, REDACTED)
                } else {
                    (k, v)
                }
            })
            .collect();
        Some(with_query(&cfg.endpoint, &percent::form(red)))
    };
    let body = percent::form(
        biz.params
            .iter()
            .filter(|(_, v)| !top::is_blank(v))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    Prepared {
        method: "POST",
        url,
        content_type: Some(FORM_CONTENT_TYPE),
        headers: Vec::new(),
        redacted: redacted_url.map(|u| (u, body.clone())),
        body,
        repeat_safe: biz.repeat_safe,
    }
    .sealed()
}

/// Builds and signs an Aliyun RPC (signature v1) call. `timestamp` is
/// `yyyy-MM-ddTHH:mm:ssZ`; `nonce` must be fresh for every attempt.
pub fn prepare_rpc(
    cfg: &RpcConfig,
    action: &str,
    params: &Json,
    js_numbers: bool,
    timestamp: &str,
    nonce: &str,
) -> Result<Prepared> {
    cfg.check()?;
    check_timestamp(
        crate::time::parse_iso_utc_ms(timestamp),
        "expected an ISO-8601 UTC instant (yyyy-MM-ddTHH:mm:ssZ)",
    )?;
    if nonce.trim().is_empty() || nonce.len() > 128 {
        return Err(Error::invalid(
            "options.nonce",
            "expected 1 to 128 characters",
        ));
    }
    if let Some(why) = fault(nonce, cfg.sink()) {
        return Err(Error::invalid("options.nonce", why));
    }
    // The action is a header in v3 (`business` checks it as text).
    if let Some(why) = fault(action, cfg.sink()) {
        return Err(Error::invalid("api", why));
    }
    let biz = business(Protocol::AliyunRpc, action, params, js_numbers)?;
    // A modelled action has its own version; `cfg.version` is for the others.
    let version = biz.model.map_or(cfg.version.as_str(), |m| m.version);
    if cfg.signature_version == SignatureVersion::V3 {
        return prepare_v3(cfg, action, version, &biz, timestamp, nonce).sealed();
    }
    let format = match cfg.format {
        Format::Json => "JSON",
        Format::Xml => "XML",
    };
    let mut all: Vec<(&str, &str)> = vec![
        ("AccessKeyId", &cfg.access_key_id),
        ("Action", action),
        ("Format", format),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", version),
    ];
    let token = cfg
        .security_token
        .as_ref()
        .map(|t| t.expose())
        .unwrap_or("");
    if !token.is_empty() {
        all.push(("SecurityToken", token));
    }
    let mut issues = Vec::new();
    for (k, v) in &biz.params {
        if all.iter().any(|(s, _)| *s == k.as_str()) || k == "Signature" {
            if k == "Action" && v == action {
                continue;
            }
            issues.push(Issue {
                path: k.clone(),
                message: "is an Aliyun system parameter; set it on the client instead".into(),
            });
        }
    }
    if !issues.is_empty() {
        return Err(Error::validation(issues));
    }
    all.extend(
        biz.params
            .iter()
            .filter(|(k, _)| k != "Action")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let keyed = cfg
        .keyed
        .get_or_init(|| aliyun_rpc::Keyed::new(cfg.access_key_secret.expose()));
    let (signature, canonical) = match keyed {
        Some(k) => aliyun_rpc::sign_keyed(&mut all, k, cfg.http_method.as_str()),
        None => aliyun_rpc::sign_canonical(
            &mut all,
            cfg.access_key_secret.expose(),
            cfg.http_method.as_str(),
        ),
    };
    // Signature first, like the official SDKs; the rest in canonical order,
    // which is exactly the canonical query already encoded for signing.
    let mut encoded = String::with_capacity(canonical.len() + 48);
    encoded.push_str("Signature=");
    percent::encode_into(&signature, &mut encoded);
    if !canonical.is_empty() {
        encoded.push('&');
        encoded.push_str(&canonical);
    }
    let redacted = (!token.is_empty()).then(|| {
        let sig = [("Signature", signature.as_str())];
        percent::form(sig.into_iter().chain(all.iter().map(|&(k, v)| {
            if k == "SecurityToken" {
                (k, REDACTED)
            } else {
                (k, v)
            }
        })))
    });
    let (url, body, content_type, redacted) = match cfg.http_method {
        HttpMethod::Get => (
            with_query(&cfg.endpoint, &encoded),
            String::new(),
            None,
            redacted.map(|r| (with_query(&cfg.endpoint, &r), String::new())),
        ),
        HttpMethod::Post => (
            endpoint_base(&cfg.endpoint).to_string(),
            encoded,
            Some(FORM_CONTENT_TYPE),
            redacted.map(|r| (endpoint_base(&cfg.endpoint).to_string(), r)),
        ),
    };
    Prepared {
        headers: Vec::new(),
        method: cfg.http_method.as_str(),
        url,
        content_type,
        body,
        repeat_safe: biz.repeat_safe,
        redacted,
    }
    .sealed()
}

/// Aliyun v3: business parameters in the query (as the official SDKs send RPC
/// query parameters), an empty body, and the signature in `Authorization`.
fn prepare_v3(
    cfg: &RpcConfig,
    action: &str,
    version: &str,
    biz: &Business,
    timestamp: &str,
    nonce: &str,
) -> Prepared {
    use crate::sign::acs3;
    let mut query: Vec<(&str, &str)> = biz
        .params
        .iter()
        .filter(|(k, _)| k != "Action")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let canonical_query = acs3::canonical_query(&mut query);
    let hashed = acs3::sha256_hex(b"");
    let token = cfg
        .security_token
        .as_ref()
        .map(|t| t.expose())
        .unwrap_or("");
    let mut signed: Vec<(&str, &str)> = vec![
        ("host", endpoint_host(&cfg.endpoint)),
        ("x-acs-action", action),
        ("x-acs-content-sha256", &hashed),
        ("x-acs-date", timestamp),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-version", version),
    ];
    if !token.is_empty() {
        signed.push(("x-acs-security-token", token));
    }
    let method = cfg.http_method.as_str();
    let s = acs3::sign(
        acs3::Request {
            method,
            uri: "/",
            query: &mut query,
            headers: &signed,
            hashed_payload: &hashed,
        },
        cfg.access_key_secret.expose(),
    );
    let mut headers: Vec<(&'static str, String)> = vec![
        ("authorization", acs3::authorization(&cfg.access_key_id, &s)),
        ("x-acs-action", action.to_string()),
        ("x-acs-content-sha256", hashed.clone()),
        ("x-acs-date", timestamp.to_string()),
        ("x-acs-signature-nonce", nonce.to_string()),
        ("x-acs-version", version.to_string()),
    ];
    if !token.is_empty() {
        headers.push(("x-acs-security-token", token.to_string()));
    }
    let base = endpoint_base(&cfg.endpoint).trim_end_matches('/');
    let url = if canonical_query.is_empty() {
        [base, "/"].concat()
    } else {
        [base, "/?", &canonical_query].concat()
    };
    Prepared {
        method,
        url,
        content_type: None,
        headers,
        body: String::new(),
        repeat_safe: biz.repeat_safe,
        redacted: None,
    }
}
