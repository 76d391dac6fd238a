//! Configuration from the environment (declared once in [`Env`], clap's derive style),
//! checked section by section before anything starts.
//!
//! The server refuses to start, listing every problem at once, on a missing secret, a
//! publishable key given as the secret key, a malformed `hmacSecret` / webhook secret,
//! no identity mode, or a setting that is only safe on loopback used elsewhere (plain
//! http to SIR or from allowed origins, the demo sign-in with a live key). `Debug` never
//! shows a secret.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use sir_signing::{Environment, KeyKind, Secret, Signer, WebhookSecret, is_hmac_secret, is_webhook_secret, key_kind};

pub const DEFAULT_API_BASE: &str = "http://127.0.0.1:8787";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";
pub const DEFAULT_DB: &str = "partner.sqlite3";
pub const DEFAULT_DB_POOL_SIZE: u32 = 10;
/// `__Host-`: a browser accepts it only from https, for `/`, with no `Domain`, so no sibling
/// subdomain can set or shadow the token ("cookie tossing").
pub const DEFAULT_JWT_COOKIE: &str = "__Host-partner_token";
pub const DEFAULT_USER_HEADER: &str = "x-partner-user";
pub const DEFAULT_EMAIL_HEADER: &str = "x-partner-email";
pub const DEFAULT_EMAIL_VERIFIED_HEADER: &str = "x-partner-email-verified";
/// An HS256 key shorter than its hash (32 bytes) weakens it (RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone, Debug)]
pub struct Config {
    /// `SIR_API_BASE`, without a trailing `/`.
    pub api_base: String,
    /// `SIR_SECRET_KEY` + `SIR_HMAC_SECRET`.
    pub signer: Signer,
    /// `sk_live_…`: production credentials.
    pub live: bool,
    /// `SIR_WEBHOOK_SECRET`.
    pub webhook_secret: WebhookSecret,
    /// `SIR_PUBLISHABLE_KEY`: creates donation links and reads their status (both
    /// publishable-key endpoints in the docs).
    pub publishable_key: String,
    /// `PARTNER_LISTEN`.
    pub listen: SocketAddr,
    /// `PARTNER_ALLOWED_ORIGINS`: origins whose pages may call `/sir/*` with credentials.
    pub allowed_origins: Vec<String>,
    /// `PARTNER_DATABASE_URL` (PostgreSQL), else `PARTNER_DB` (SQLite).
    pub database: Database,
    /// `PARTNER_STATIC_DIR`: served at `/` when set.
    pub static_dir: Option<PathBuf>,
    /// `PARTNER_IDENTITY`: how the server learns who the user is.
    pub identity: IdentityConfig,
    /// `PARTNER_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` (and, in header mode,
    /// identity headers) are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The demo session cookie is `Secure` and `__Host-` prefixed: off loopback always,
    /// on loopback with `PARTNER_COOKIE_SECURE=1` (behind a TLS proxy on the same host).
    pub cookie_secure: bool,
    pub limits: Limits,
    /// How calls to SIR are retried (429, 5xx, network errors).
    pub retry: RetryPolicy,
    /// How the reward outbox backs off between tries.
    pub outbox: OutboxPolicy,
    /// How donations whose signed webhook never came are found.
    pub reconcile: ReconcilePolicy,
    /// `PARTNER_METRICS_LISTEN`: the private listener's address (`GET /metrics`,
    /// `GET /donations.csv`), apart from the public one. None: no private listener.
    pub metrics_listen: Option<SocketAddr>,
    /// `PARTNER_METRICS_TOKEN`: the bearer token it requires; required off loopback.
    pub metrics_token: Option<Secret>,
}

/// Reconciliation (`reconcile.rs`): a donation still open `after` its creation is looked up
/// at SIR, every `every`, until it is final or a week old.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// `PARTNER_RECONCILE_AFTER_SECS`: SIR's own retries have had their chance by then.
    pub after: Duration,
    /// `PARTNER_RECONCILE_EVERY_SECS`: how often the job looks, and how often one donation is asked about.
    pub every: Duration,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        Self { after: Duration::from_secs(600), every: Duration::from_secs(60) }
    }
}

/// Where the server keeps its state.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// `PARTNER_DB`: an SQLite file, or `:memory:`. The default: no server to run, one instance.
    Sqlite(String),
    /// `PARTNER_DATABASE_URL=postgres://…`: shared by every instance. `pool` is
    /// `PARTNER_DB_POOL_SIZE`, the connections this instance keeps.
    Postgres { url: String, pool: u32 },
}

impl Database {
    /// Where it is, for people: host, port and database only (a password can hide in the
    /// user part or in the query).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite {path}"),
            Self::Postgres { url, pool } => {
                let shown = reqwest::Url::parse(url).ok().and_then(|parsed| {
                    let host = parsed.host_str()?.to_owned();
                    Some(format!("{host}:{}{}", parsed.port().unwrap_or(5432), parsed.path()))
                });
                format!("PostgreSQL {} (pool {pool})", shown.as_deref().unwrap_or("(unparsable URL)"))
            }
        }
    }
}

/// `Debug` hides the URL's password.
impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Who the user is, from the partner's own auth. See README "Identity".
#[derive(Clone, Debug)]
pub enum IdentityConfig {
    /// `PARTNER_IDENTITY=jwt`: an HS256 token signed with a secret shared with the
    /// partner's login, read from a cookie or an `Authorization: Bearer` header.
    Jwt(JwtConfig),
    /// `PARTNER_IDENTITY=header`: headers set by the partner's reverse proxy after it
    /// authenticated the user; believed only from `PARTNER_TRUSTED_PROXIES`.
    Header(HeaderConfig),
    /// `PARTNER_IDENTITY=demo`: "sign in with any email", for the demo and tests only.
    Demo,
}

#[derive(Clone, Debug)]
pub struct JwtConfig {
    pub secret: Secret,
    pub cookie: String,
    pub issuer: Option<String>,
    /// Required: a token minted for another service of the partner's is not one for us.
    pub audience: String,
}

#[derive(Clone, Debug)]
pub struct HeaderConfig {
    pub user: String,
    pub email: String,
    pub email_verified: String,
}

impl IdentityConfig {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Jwt(_) => "jwt",
            Self::Header(_) => "header",
            Self::Demo => "demo",
        }
    }
}

/// Bounds on what one client may ask of this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `PARTNER_REQUEST_DEADLINE_MS`: no request runs longer (504 `TIMEOUT` after it).
    pub deadline: Duration,
    /// `PARTNER_MAX_CONCURRENT`: requests in progress at once (webhooks apart); more get
    /// 503 `OVERLOADED`.
    pub max_concurrent: usize,
    /// `PARTNER_MAX_CONCURRENT_WEBHOOKS`: webhook deliveries in progress at once, in slots of
    /// their own, so no flood of other requests delays SIR's (and the reverse).
    pub max_concurrent_webhooks: usize,
    /// `PARTNER_RATE_PER_IP`: `/sir/*` requests per minute per client IP (bursts of a third).
    pub per_ip_per_minute: u32,
    /// `PARTNER_RATE_PER_SESSION`: `/sir/*` requests per minute per signed-in user.
    pub per_session_per_minute: u32,
    /// `PARTNER_SIGN_INS_PER_IP`: demo sign-ins per minute per client IP.
    pub sign_ins_per_minute: u32,
    /// `PARTNER_BALANCE_CACHE_SECS`: how long a balance read from SIR is reused.
    pub balance_cache: Duration,
    /// `PARTNER_MAX_CONNECTIONS_PER_CLIENT`: connections one client address may hold (its
    /// oldest idle one is closed for a newer one past that).
    pub connections_per_client: usize,
    /// `PARTNER_MAX_CONCURRENT_PER_CLIENT`: `/sir/*` requests in progress at once per client.
    pub concurrent_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            max_concurrent: 256,
            max_concurrent_webhooks: 256,
            per_ip_per_minute: 120,
            per_session_per_minute: 60,
            sign_ins_per_minute: 10,
            balance_cache: Duration::from_secs(15),
            connections_per_client: 256,
            concurrent_per_client: 32,
        }
    }
}

/// Bounds on retrying a call to SIR inside one request. Every call retried here is safe
/// to repeat (reads, and actions carrying an idempotency key); create-link never is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Wait before the second try after a 5xx or network error; doubles each time.
    pub base: Duration,
    /// Longest `Retry-After` honoured on a 429; a longer one is passed on to the caller.
    pub max_wait: Duration,
    /// One try's timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(2),
            timeout: Duration::from_secs(4),
        }
    }
}

/// The reward outbox: a reward SIR did not accept yet is tried again after
/// `base * 2^(tries - 1)`, at most `max`, until SIR accepts it or refuses it for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// `PARTNER_OUTBOX_RETRY_BASE_MS`.
    pub base: Duration,
    /// `PARTNER_OUTBOX_RETRY_MAX_MS`.
    pub max: Duration,
    /// `PARTNER_OUTBOX_LEASE_MS`: how long a worker holds a reward it is submitting. If the
    /// instance dies meanwhile, another takes the reward over once the lease runs out. A try
    /// gets half of it, so no try outlives its lease.
    pub lease: Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self { base: Duration::from_secs(2), max: Duration::from_secs(300), lease: Duration::from_secs(60) }
    }
}

/// Everything wrong with the environment, one line each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub Vec<String>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration:")?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The environment, declared once in clap's derive style (as the sandbox's flags are):
/// `sir-partner-server --help` lists every variable. Values are kept as text here, so that
/// [`Config::check`] reads them all and lists every problem at once, rather than stopping at
/// the first. Empty values count as unset.
/// No `Debug`: it holds the secrets as given.
#[derive(clap::Parser, Clone, Default)]
#[command(
    name = "sir-partner-server",
    version,
    about = "The reference partner backend for sir-donate \
    (servers/partner/README.md). Every setting is an environment variable; a flag of the same name overrides it."
)]
pub struct Env {
    /// SIR API base URL: https://, or http:// to a loopback sandbox [default: http://127.0.0.1:8787]
    #[arg(long, env = "SIR_API_BASE")]
    pub sir_api_base: Option<String>,
    /// sk_test_… / sk_live_… (backend only)
    #[arg(long, env = "SIR_SECRET_KEY", hide_env_values = true)]
    pub sir_secret_key: Option<String>,
    /// The 64-hex hmacSecret issued with the secret key
    #[arg(long, env = "SIR_HMAC_SECRET", hide_env_values = true)]
    pub sir_hmac_secret: Option<String>,
    /// whsec_ + 64 hex: the secret of the webhook pointing here
    #[arg(long, env = "SIR_WEBHOOK_SECRET", hide_env_values = true)]
    pub sir_webhook_secret: Option<String>,
    /// pk_… of the same environment: creates donation links and reads their status
    #[arg(long, env = "SIR_PUBLISHABLE_KEY")]
    pub sir_publishable_key: Option<String>,
    /// jwt, header or demo: how the server learns who the user is
    #[arg(long, env = "PARTNER_IDENTITY")]
    pub partner_identity: Option<String>,
    /// jwt: the HS256 secret shared with your login, at least 32 bytes
    #[arg(long, env = "PARTNER_JWT_SECRET", hide_env_values = true)]
    pub partner_jwt_secret: Option<String>,
    /// jwt: the `aud` your login puts in tokens meant for this server
    #[arg(long, env = "PARTNER_JWT_AUDIENCE")]
    pub partner_jwt_audience: Option<String>,
    /// jwt: the cookie holding the token [default: __Host-partner_token]
    #[arg(long, env = "PARTNER_JWT_COOKIE")]
    pub partner_jwt_cookie: Option<String>,
    /// jwt: when set, every token must carry this `iss`
    #[arg(long, env = "PARTNER_JWT_ISSUER")]
    pub partner_jwt_issuer: Option<String>,
    /// Comma-separated IPs of your reverse proxies
    #[arg(long, env = "PARTNER_TRUSTED_PROXIES")]
    pub partner_trusted_proxies: Option<String>,
    /// header: the user id header [default: X-Partner-User]
    #[arg(long, env = "PARTNER_USER_HEADER")]
    pub partner_user_header: Option<String>,
    /// header: the email header [default: X-Partner-Email]
    #[arg(long, env = "PARTNER_EMAIL_HEADER")]
    pub partner_email_header: Option<String>,
    /// header: the email-verified header [default: X-Partner-Email-Verified]
    #[arg(long, env = "PARTNER_EMAIL_VERIFIED_HEADER")]
    pub partner_email_verified_header: Option<String>,
    /// IP:PORT to listen on [default: 127.0.0.1:8788]
    #[arg(long, env = "PARTNER_LISTEN")]
    pub partner_listen: Option<String>,
    /// Comma-separated origins whose pages may call /sir/* with credentials
    #[arg(long, env = "PARTNER_ALLOWED_ORIGINS")]
    pub partner_allowed_origins: Option<String>,
    /// SQLite file, or :memory: [default: partner.sqlite3]
    #[arg(long, env = "PARTNER_DB")]
    pub partner_db: Option<String>,
    /// postgres://…: PostgreSQL instead of SQLite, for several instances
    #[arg(long, env = "PARTNER_DATABASE_URL", hide_env_values = true)]
    pub partner_database_url: Option<String>,
    /// PostgreSQL connections this instance keeps [default: 10]
    #[arg(long, env = "PARTNER_DB_POOL_SIZE")]
    pub partner_db_pool_size: Option<String>,
    /// A directory served at /
    #[arg(long, env = "PARTNER_STATIC_DIR")]
    pub partner_static_dir: Option<String>,
    /// 1: the demo cookie is Secure and __Host- prefixed on loopback too
    #[arg(long, env = "PARTNER_COOKIE_SECURE")]
    pub partner_cookie_secure: Option<String>,
    /// No request runs longer [default: 10000]
    #[arg(long, env = "PARTNER_REQUEST_DEADLINE_MS")]
    pub partner_request_deadline_ms: Option<String>,
    /// Requests in progress at once, webhooks apart [default: 256]
    #[arg(long, env = "PARTNER_MAX_CONCURRENT")]
    pub partner_max_concurrent: Option<String>,
    /// /sir/* requests in progress at once per client [default: 32]
    #[arg(long, env = "PARTNER_MAX_CONCURRENT_PER_CLIENT")]
    pub partner_max_concurrent_per_client: Option<String>,
    /// Webhook bodies read at once [default: 256]
    #[arg(long, env = "PARTNER_MAX_CONCURRENT_WEBHOOKS")]
    pub partner_max_concurrent_webhooks: Option<String>,
    /// Connections one client address may hold [default: 256]
    #[arg(long, env = "PARTNER_MAX_CONNECTIONS_PER_CLIENT")]
    pub partner_max_connections_per_client: Option<String>,
    /// /sir/* requests per minute per client IP [default: 120]
    #[arg(long, env = "PARTNER_RATE_PER_IP")]
    pub partner_rate_per_ip: Option<String>,
    /// /sir/* requests per minute per session [default: 60]
    #[arg(long, env = "PARTNER_RATE_PER_SESSION")]
    pub partner_rate_per_session: Option<String>,
    /// Demo sign-ins per minute per client IP [default: 10]
    #[arg(long, env = "PARTNER_SIGN_INS_PER_IP")]
    pub partner_sign_ins_per_ip: Option<String>,
    /// How long a balance read from SIR is reused [default: 15]
    #[arg(long, env = "PARTNER_BALANCE_CACHE_SECS")]
    pub partner_balance_cache_secs: Option<String>,
    /// The reward outbox's first backoff [default: 2000]
    #[arg(long, env = "PARTNER_OUTBOX_RETRY_BASE_MS")]
    pub partner_outbox_retry_base_ms: Option<String>,
    /// The reward outbox's longest backoff [default: 300000]
    #[arg(long, env = "PARTNER_OUTBOX_RETRY_MAX_MS")]
    pub partner_outbox_retry_max_ms: Option<String>,
    /// How long an instance holds a reward it is submitting [default: 60000]
    #[arg(long, env = "PARTNER_OUTBOX_LEASE_MS")]
    pub partner_outbox_lease_ms: Option<String>,
    /// A donation still open this long is looked up at SIR [default: 600]
    #[arg(long, env = "PARTNER_RECONCILE_AFTER_SECS")]
    pub partner_reconcile_after_secs: Option<String>,
    /// How often reconciliation looks [default: 60]
    #[arg(long, env = "PARTNER_RECONCILE_EVERY_SECS")]
    pub partner_reconcile_every_secs: Option<String>,
    /// IP:PORT of the private listener (GET /metrics, GET /donations.csv); loopback, or with a token
    #[arg(long, env = "PARTNER_METRICS_LISTEN")]
    pub partner_metrics_listen: Option<String>,
    /// A bearer token the private listener requires (needed off loopback), at least 32 bytes
    #[arg(long, env = "PARTNER_METRICS_TOKEN", hide_env_values = true)]
    pub partner_metrics_token: Option<String>,
}

impl Env {
    /// The variables through `lookup` (tests pass a map), never the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        use clap::{CommandFactory as _, FromArgMatches as _};
        let command = Self::command();
        let mut argv = vec!["sir-partner-server".to_owned()];
        for arg in command.get_arguments() {
            let (Some(long), Some(name)) = (arg.get_long(), arg.get_env().and_then(|name| name.to_str())) else {
                continue;
            };
            if let Some(value) = lookup(name) {
                argv.push(format!("--{long}={value}"));
            }
        }
        let command = command.mut_args(|arg| arg.env(None::<&str>));
        command
            .try_get_matches_from(argv)
            .ok()
            .and_then(|matches| Self::from_arg_matches(&matches).ok())
            .unwrap_or_default()
    }
}

/// Text settings read into typed ones; every problem is kept, none stops the reading.
#[derive(Default)]
struct Reader {
    problems: Vec<String>,
}

impl Reader {
    fn problem(&mut self, text: impl Into<String>) {
        self.problems.push(text.into());
    }

    /// A whole number within `range`, else the default and a problem.
    fn number(&mut self, name: &str, value: &Option<String>, default: u64, range: RangeInclusive<u64>) -> u64 {
        match given(value) {
            None => default,
            Some(text) => match text.parse::<u64>() {
                Ok(value) if range.contains(&value) => value,
                _ => {
                    self.problem(format!("{name} must be a whole number from {} to {}", range.start(), range.end()));
                    default
                }
            },
        }
    }

    fn millis(
        &mut self,
        name: &str,
        value: &Option<String>,
        default: Duration,
        range: RangeInclusive<u64>,
    ) -> Duration {
        Duration::from_millis(self.number(name, value, default.as_millis() as u64, range))
    }

    fn flag(&mut self, name: &str, value: &Option<String>) -> bool {
        match given(value) {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => true,
            Some(other) => {
                self.problem(format!("{name} must be 1 or 0, got {other:?}"));
                false
            }
        }
    }
}

/// A setting's text, trimmed; empty is unset.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn owned(value: &Option<String>) -> Option<String> {
    given(value).map(str::to_owned)
}

/// What SIR's section yields when it is valid.
struct SirSettings {
    api_base: String,
    signer: Signer,
    live: bool,
    webhook_secret: WebhookSecret,
    publishable_key: String,
}

/// Where and for whom the server listens.
struct ServerSettings {
    listen: SocketAddr,
    allowed_origins: Vec<String>,
    static_dir: Option<PathBuf>,
    trusted_proxies: Vec<IpAddr>,
    force_secure: bool,
}

impl Config {
    /// Reads the process environment (and flags; `--help` lists them).
    pub fn from_env() -> Result<Self, ConfigError> {
        use clap::Parser as _;
        Self::check(&Env::parse())
    }

    /// Reads the variables through `lookup` (tests pass a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::check(&Env::from_lookup(lookup))
    }

    /// Reads and checks every setting, listing every problem at once.
    pub fn check(env: &Env) -> Result<Self, ConfigError> {
        let mut reader = Reader::default();
        let sir = sir_settings(env, &mut reader);
        let server = server_settings(env, &mut reader);
        let live = sir.as_ref().is_some_and(|sir| sir.live);
        let identity = identity(env, live, &server.trusted_proxies, &mut reader);
        let database = database(env, &mut reader);
        let (limits, outbox, reconcile) = limits(env, &mut reader);
        let (metrics_listen, metrics_token) = private_listener(env, &mut reader);
        // A SIR call, retries included, fits inside the request deadline.
        let retry =
            RetryPolicy { timeout: RetryPolicy::default().timeout.min(limits.deadline / 2), ..Default::default() };
        let (true, Some(sir), Some(identity)) = (reader.problems.is_empty(), sir, identity) else {
            return Err(ConfigError(reader.problems));
        };
        Ok(Self {
            api_base: sir.api_base,
            signer: sir.signer,
            live: sir.live,
            webhook_secret: sir.webhook_secret,
            publishable_key: sir.publishable_key,
            cookie_secure: server.force_secure || !server.listen.ip().is_loopback(),
            listen: server.listen,
            allowed_origins: server.allowed_origins,
            database,
            static_dir: server.static_dir,
            identity,
            trusted_proxies: server.trusted_proxies,
            limits,
            retry,
            outbox,
            reconcile,
            metrics_listen,
            metrics_token,
        })
    }
}

/// `PARTNER_METRICS_LISTEN` and its token: off loopback, the token is required (the
/// export lists every donation).
fn private_listener(env: &Env, reader: &mut Reader) -> (Option<SocketAddr>, Option<Secret>) {
    let listen = owned(&env.partner_metrics_listen).and_then(|text| {
        text.parse::<SocketAddr>()
            .map_err(|_| reader.problem("PARTNER_METRICS_LISTEN must be an address and port, like 127.0.0.1:9464"))
            .ok()
    });
    let token = owned(&env.partner_metrics_token);
    if token.as_ref().is_some_and(|token| token.len() < 32) {
        reader.problem("PARTNER_METRICS_TOKEN must be at least 32 bytes (a random value)");
    }
    if listen.is_some_and(|address| !address.ip().is_loopback()) && token.is_none() {
        reader.problem(
            "PARTNER_METRICS_LISTEN off loopback needs PARTNER_METRICS_TOKEN: its export lists every donation",
        );
    }
    (listen, token.map(Secret::new))
}

/// `SIR_API_BASE`, trailing `/` dropped: https://, or http:// to loopback only.
fn api_base(env: &Env, reader: &mut Reader) -> String {
    let api_base = owned(&env.sir_api_base).unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
    let api_base = api_base.trim_end_matches('/').to_owned();
    match reqwest::Url::parse(&api_base) {
        Ok(url) if url.scheme() == "https" => {}
        Ok(url) if url.scheme() == "http" && is_loopback_host(url.host_str().unwrap_or_default()) => {}
        Ok(url) if url.scheme() == "http" => reader.problem(format!(
            "SIR_API_BASE must be https:// (plain http:// only to a loopback sandbox), got {api_base:?}: \
             the secret key's signatures and the donors' data must not cross a network in clear"
        )),
        _ => reader.problem(format!("SIR_API_BASE must be an https:// URL, got {api_base:?}")),
    }
    api_base
}

/// `SIR_SECRET_KEY`: a secret key, and its environment.
fn secret_key(env: &Env, reader: &mut Reader) -> Option<(String, Environment)> {
    let key = owned(&env.sir_secret_key);
    match key.as_deref().map(key_kind) {
        None => reader.problem("SIR_SECRET_KEY is missing: the sk_test_… / sk_live_… key (backend only)"),
        Some(Some((KeyKind::Secret, environment))) => return key.map(|key| (key, environment)),
        Some(Some((KeyKind::Publishable, _))) => {
            reader.problem("SIR_SECRET_KEY holds a publishable key (pk_…); give the secret key (sk_test_… / sk_live_…)")
        }
        Some(_) => reader.problem("SIR_SECRET_KEY is not a secret key: expected sk_test_… or sk_live_…"),
    }
    None
}

/// `SIR_PUBLISHABLE_KEY`: a publishable key of the secret key's environment.
fn publishable_key(env: &Env, secret_env: Option<Environment>, reader: &mut Reader) -> Option<String> {
    let key = owned(&env.sir_publishable_key);
    match key.as_deref().map(key_kind) {
        None => reader.problem(
            "SIR_PUBLISHABLE_KEY is missing: the pk_… key of the same environment (it creates the donation \
             links this server ties to their donors, and reads their status)",
        ),
        Some(Some((KeyKind::Publishable, environment))) => {
            if secret_env.is_some_and(|secret_env| secret_env != environment) {
                reader.problem(format!(
                    "SIR_PUBLISHABLE_KEY is a {} key but SIR_SECRET_KEY a {} key: use one environment",
                    environment_name(environment),
                    secret_env.map_or("", environment_name),
                ));
            }
            return key;
        }
        Some(_) => reader.problem("SIR_PUBLISHABLE_KEY must be a publishable key (pk_test_… / pk_live_…)"),
    }
    None
}

/// The SIR credentials and where SIR is.
fn sir_settings(env: &Env, reader: &mut Reader) -> Option<SirSettings> {
    let api_base = api_base(env, reader);
    let secret = secret_key(env, reader);
    let live = secret.as_ref().is_some_and(|(_, environment)| *environment == Environment::Live);
    if live && !api_base.starts_with("https://") {
        reader.problem("an sk_live_ key talks to SIR over https:// only: set SIR_API_BASE to an https:// URL");
    }
    let hmac_secret = owned(&env.sir_hmac_secret);
    match hmac_secret.as_deref() {
        None => reader.problem("SIR_HMAC_SECRET is missing: the 64-hex hmacSecret issued with the secret key"),
        Some(secret) if !is_hmac_secret(secret) => {
            reader.problem("SIR_HMAC_SECRET must be 64 hex digits (the hmacSecret, not the sk_ key)")
        }
        Some(_) => {}
    }
    let webhook_secret = owned(&env.sir_webhook_secret);
    match webhook_secret.as_deref() {
        None => reader.problem("SIR_WEBHOOK_SECRET is missing: the whsec_… secret of your webhook"),
        Some(secret) if !is_webhook_secret(secret) => {
            reader.problem("SIR_WEBHOOK_SECRET must be whsec_ followed by 64 hex digits")
        }
        Some(_) => {}
    }
    let publishable_key = publishable_key(env, secret.as_ref().map(|(_, environment)| *environment), reader);
    Some(SirSettings {
        api_base,
        signer: Signer::new(secret?.0, hmac_secret.filter(|s| is_hmac_secret(s))?),
        live,
        webhook_secret: WebhookSecret::new(webhook_secret.filter(|s| is_webhook_secret(s))?),
        publishable_key: publishable_key?,
    })
}

/// The listening address, the pages allowed to call, static files, proxies and cookies.
fn server_settings(env: &Env, reader: &mut Reader) -> ServerSettings {
    let listen_text = owned(&env.partner_listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen = listen_text.parse::<SocketAddr>().unwrap_or_else(|_| {
        reader.problem(format!("PARTNER_LISTEN must be IP:PORT, e.g. {DEFAULT_LISTEN}, got {listen_text:?}"));
        SocketAddr::from(([127, 0, 0, 1], 0))
    });
    let allowed_origins: Vec<String> =
        list(owned(&env.partner_allowed_origins)).into_iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
    for origin in &allowed_origins {
        match origin_host(origin) {
            None => reader.problem(format!(
                "PARTNER_ALLOWED_ORIGINS: {origin:?} is not an origin (scheme://host[:port], no path), \
                 e.g. https://shop.example"
            )),
            Some(("http", host)) if !is_loopback_host(host) => reader.problem(format!(
                "PARTNER_ALLOWED_ORIGINS: {origin:?} must be https:// (plain http:// only for loopback pages): \
                 the session travels with these requests"
            )),
            Some(_) => {}
        }
    }
    let static_dir = owned(&env.partner_static_dir).map(PathBuf::from);
    if let Some(dir) = &static_dir
        && !dir.is_dir()
    {
        reader.problem(format!("PARTNER_STATIC_DIR {} is not a directory", dir.display()));
    }
    let force_secure = reader.flag("PARTNER_COOKIE_SECURE", &env.partner_cookie_secure);
    let trusted_proxies = list(owned(&env.partner_trusted_proxies))
        .into_iter()
        .filter_map(|ip| {
            ip.parse().map_err(|_| reader.problem(format!("PARTNER_TRUSTED_PROXIES: {ip:?} is not an IP address"))).ok()
        })
        .collect();
    ServerSettings { listen, allowed_origins, static_dir, trusted_proxies, force_secure }
}

/// `PARTNER_DATABASE_URL` (PostgreSQL) or `PARTNER_DB` (SQLite), not both.
fn database(env: &Env, reader: &mut Reader) -> Database {
    match owned(&env.partner_database_url) {
        None => Database::Sqlite(owned(&env.partner_db).unwrap_or_else(|| DEFAULT_DB.to_owned())),
        Some(url) => {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                reader.problem("PARTNER_DATABASE_URL must be a postgres:// URL");
            }
            if given(&env.partner_db).is_some() {
                reader.problem("set PARTNER_DATABASE_URL (PostgreSQL) or PARTNER_DB (SQLite), not both");
            }
            let pool = reader.number(
                "PARTNER_DB_POOL_SIZE",
                &env.partner_db_pool_size,
                DEFAULT_DB_POOL_SIZE.into(),
                1..=1_000,
            );
            Database::Postgres { url, pool: pool as u32 }
        }
    }
}

/// `PARTNER_IDENTITY` and its mode's settings.
fn identity(env: &Env, live: bool, trusted_proxies: &[IpAddr], reader: &mut Reader) -> Option<IdentityConfig> {
    match given(&env.partner_identity) {
        Some("jwt") => Some(IdentityConfig::Jwt(jwt(env, reader))),
        Some("header") => {
            if trusted_proxies.is_empty() {
                reader.problem(
                    "PARTNER_IDENTITY=header needs PARTNER_TRUSTED_PROXIES: the reverse proxies whose identity \
                     headers are believed (anyone else could send them)",
                );
            }
            let header = |value: &Option<String>, default: &str| {
                owned(value).unwrap_or_else(|| default.to_owned()).to_lowercase()
            };
            Some(IdentityConfig::Header(HeaderConfig {
                user: header(&env.partner_user_header, DEFAULT_USER_HEADER),
                email: header(&env.partner_email_header, DEFAULT_EMAIL_HEADER),
                email_verified: header(&env.partner_email_verified_header, DEFAULT_EMAIL_VERIFIED_HEADER),
            }))
        }
        Some("demo") => {
            if live {
                reader.problem(
                    "PARTNER_IDENTITY=demo lets anyone sign in as any email: it is refused with an sk_live_ key",
                );
            }
            Some(IdentityConfig::Demo)
        }
        Some(other) => {
            reader.problem(format!("PARTNER_IDENTITY must be jwt, header or demo, got {other:?}"));
            None
        }
        None => {
            reader.problem(
                "PARTNER_IDENTITY is missing: jwt (a token from your login), header (set by your reverse proxy) \
                 or demo (any email, for the demo only); see servers/partner/README.md",
            );
            None
        }
    }
}

fn jwt(env: &Env, reader: &mut Reader) -> JwtConfig {
    let secret = owned(&env.partner_jwt_secret);
    match &secret {
        None => reader.problem("PARTNER_JWT_SECRET is missing: the HS256 secret shared with your login"),
        Some(s) if s.len() < MIN_JWT_SECRET_BYTES => reader.problem(format!(
            "PARTNER_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes (a random 256-bit value)"
        )),
        Some(_) => {}
    }
    let audience = owned(&env.partner_jwt_audience);
    if audience.is_none() {
        reader.problem(
            "PARTNER_JWT_AUDIENCE is missing: the `aud` your login puts in tokens meant for this server \
             (so a token for another of your services is refused here)",
        );
    }
    JwtConfig {
        secret: Secret::new(secret.unwrap_or_default()),
        cookie: owned(&env.partner_jwt_cookie).unwrap_or_else(|| DEFAULT_JWT_COOKIE.to_owned()),
        issuer: owned(&env.partner_jwt_issuer),
        audience: audience.unwrap_or_default(),
    }
}

/// The bounds on clients; the outbox's backoff and reconciliation's pace.
fn limits(env: &Env, reader: &mut Reader) -> (Limits, OutboxPolicy, ReconcilePolicy) {
    let defaults = Limits::default();
    let mut count = |name, value, default: usize| reader.number(name, value, default as u64, 1..=100_000) as usize;
    let max_concurrent = count("PARTNER_MAX_CONCURRENT", &env.partner_max_concurrent, defaults.max_concurrent);
    let max_concurrent_webhooks = count(
        "PARTNER_MAX_CONCURRENT_WEBHOOKS",
        &env.partner_max_concurrent_webhooks,
        defaults.max_concurrent_webhooks,
    );
    let connections_per_client = count(
        "PARTNER_MAX_CONNECTIONS_PER_CLIENT",
        &env.partner_max_connections_per_client,
        defaults.connections_per_client,
    );
    let concurrent_per_client = count(
        "PARTNER_MAX_CONCURRENT_PER_CLIENT",
        &env.partner_max_concurrent_per_client,
        defaults.concurrent_per_client,
    );
    let mut rate =
        |name, value, default: u32, least| reader.number(name, value, default.into(), least..=1_000_000) as u32;
    let per_ip_per_minute = rate("PARTNER_RATE_PER_IP", &env.partner_rate_per_ip, defaults.per_ip_per_minute, 3);
    let per_session_per_minute =
        rate("PARTNER_RATE_PER_SESSION", &env.partner_rate_per_session, defaults.per_session_per_minute, 3);
    let sign_ins_per_minute = reader.number(
        "PARTNER_SIGN_INS_PER_IP",
        &env.partner_sign_ins_per_ip,
        defaults.sign_ins_per_minute.into(),
        1..=100_000,
    ) as u32;
    let limits = Limits {
        deadline: reader.millis(
            "PARTNER_REQUEST_DEADLINE_MS",
            &env.partner_request_deadline_ms,
            defaults.deadline,
            1_000..=120_000,
        ),
        max_concurrent,
        max_concurrent_webhooks,
        per_ip_per_minute,
        per_session_per_minute,
        sign_ins_per_minute,
        balance_cache: Duration::from_secs(reader.number(
            "PARTNER_BALANCE_CACHE_SECS",
            &env.partner_balance_cache_secs,
            defaults.balance_cache.as_secs(),
            0..=3_600,
        )),
        connections_per_client,
        concurrent_per_client,
    };
    (limits, outbox_policy(env, reader), reconcile_policy(env, reader))
}

/// The reward outbox's backoff and lease.
fn outbox_policy(env: &Env, reader: &mut Reader) -> OutboxPolicy {
    let outbox_defaults = OutboxPolicy::default();
    OutboxPolicy {
        base: reader.millis(
            "PARTNER_OUTBOX_RETRY_BASE_MS",
            &env.partner_outbox_retry_base_ms,
            outbox_defaults.base,
            10..=3_600_000,
        ),
        max: reader.millis(
            "PARTNER_OUTBOX_RETRY_MAX_MS",
            &env.partner_outbox_retry_max_ms,
            outbox_defaults.max,
            10..=86_400_000,
        ),
        lease: reader.millis(
            "PARTNER_OUTBOX_LEASE_MS",
            &env.partner_outbox_lease_ms,
            outbox_defaults.lease,
            1_000..=3_600_000,
        ),
    }
}

/// How soon and how often reconciliation asks SIR.
fn reconcile_policy(env: &Env, reader: &mut Reader) -> ReconcilePolicy {
    let reconcile_defaults = ReconcilePolicy::default();
    let mut seconds = |name, value, default: Duration, most| {
        Duration::from_secs(reader.number(name, value, default.as_secs(), 1..=most))
    };
    ReconcilePolicy {
        after: seconds(
            "PARTNER_RECONCILE_AFTER_SECS",
            &env.partner_reconcile_after_secs,
            reconcile_defaults.after,
            604_800,
        ),
        every: seconds(
            "PARTNER_RECONCILE_EVERY_SECS",
            &env.partner_reconcile_every_secs,
            reconcile_defaults.every,
            86_400,
        ),
    }
}

/// A comma-separated list, entries trimmed, empty ones dropped.
fn list(value: Option<String>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

fn environment_name(environment: Environment) -> &'static str {
    match environment {
        Environment::Test => "test",
        Environment::Live => "live",
    }
}

/// `(scheme, host)` of `scheme://host[:port]` with an http(s) scheme and nothing after
/// the authority; `None` for anything else.
pub fn origin_host(origin: &str) -> Option<(&'static str, &str)> {
    let (scheme, authority) = if let Some(rest) = origin.strip_prefix("https://") {
        ("https", rest)
    } else {
        ("http", origin.strip_prefix("http://")?)
    };
    let valid = !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return None;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _port)| host),
    };
    Some((scheme, host))
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after the authority.
pub fn is_origin(origin: &str) -> bool {
    origin_host(origin).is_some()
}

/// `localhost`, `127.0.0.0/8` or `::1` (with or without brackets).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SK: &str = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    const SK_LIVE: &str = "sk_live_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    const PK: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
    const PK_LIVE: &str = "pk_live_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
    const HMAC: &str = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";
    const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";
    const JWT_SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![
            ("SIR_SECRET_KEY", SK),
            ("SIR_HMAC_SECRET", HMAC),
            ("SIR_WEBHOOK_SECRET", WHSEC),
            ("SIR_PUBLISHABLE_KEY", PK),
            ("PARTNER_IDENTITY", "demo"),
        ]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut vars: Vec<_> = valid().into_iter().filter(|(n, _)| extra.iter().all(|(e, _)| e != n)).collect();
        vars.extend_from_slice(extra);
        vars
    }

    fn problems(vars: &[(&str, &str)]) -> String {
        parse(vars).expect_err("refused").to_string()
    }

    #[test]
    fn defaults() {
        let config = parse(&valid()).expect("valid");
        assert_eq!(config.api_base, DEFAULT_API_BASE);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.database, Database::Sqlite(DEFAULT_DB.to_owned()));
        assert!(config.allowed_origins.is_empty() && config.static_dir.is_none());
        assert!(!config.cookie_secure, "plain cookie on loopback");
        assert_eq!(config.identity.name(), "demo");
        assert_eq!(config.limits, Limits::default());
        assert!(config.retry.timeout <= config.limits.deadline / 2);
    }

    #[test]
    fn everything_set() {
        let config = parse(&with(&[
            ("SIR_API_BASE", "https://devapi.sirgiving.org/"),
            ("PARTNER_LISTEN", "0.0.0.0:9000"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080, https://shop.example/"),
            ("PARTNER_DB", ":memory:"),
            ("PARTNER_IDENTITY", "jwt"),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", "partner-api"),
            ("PARTNER_TRUSTED_PROXIES", "10.0.0.1, ::1"),
            ("PARTNER_REQUEST_DEADLINE_MS", "5000"),
            ("PARTNER_RATE_PER_IP", "30"),
        ]))
        .expect("valid");
        assert_eq!(config.api_base, "https://devapi.sirgiving.org");
        assert_eq!(config.allowed_origins, ["http://127.0.0.1:8080", "https://shop.example"]);
        assert_eq!(config.database, Database::Sqlite(":memory:".to_owned()));
        assert!(config.cookie_secure, "off loopback the cookie is Secure");
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(config.limits.deadline, Duration::from_secs(5));
        assert_eq!(config.limits.per_ip_per_minute, 30);
        assert!(matches!(&config.identity, IdentityConfig::Jwt(jwt) if jwt.cookie == DEFAULT_JWT_COOKIE));
    }

    #[test]
    fn missing_secrets_and_identity_are_all_reported() {
        let message = problems(&[]);
        for name in [
            "SIR_SECRET_KEY is missing",
            "SIR_HMAC_SECRET is missing",
            "SIR_WEBHOOK_SECRET is missing",
            "SIR_PUBLISHABLE_KEY is missing",
            "PARTNER_IDENTITY is missing",
        ] {
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn a_publishable_key_as_the_secret_key_is_refused() {
        let message = problems(&with(&[("SIR_SECRET_KEY", PK)]));
        assert!(message.contains("SIR_SECRET_KEY holds a publishable key"), "{message}");
        assert!(!message.contains(&PK[8..]), "the key itself is not echoed: {message}");
    }

    #[test]
    fn production_defaults_are_enforced() {
        let cases: [(&[(&str, &str)], &str); 8] = [
            (&[("SIR_API_BASE", "http://api.sirgiving.org")], "must be https://"),
            (&[("SIR_API_BASE", "ftp://127.0.0.1")], "must be an https:// URL"),
            (&[("PARTNER_ALLOWED_ORIGINS", "http://shop.example")], "must be https://"),
            (&[("SIR_SECRET_KEY", SK_LIVE), ("SIR_PUBLISHABLE_KEY", PK_LIVE)], "over https:// only"),
            (
                &[
                    ("SIR_SECRET_KEY", SK_LIVE),
                    ("SIR_PUBLISHABLE_KEY", PK_LIVE),
                    ("SIR_API_BASE", "https://api.sirgiving.org"),
                ],
                "refused with an sk_live_ key",
            ),
            (&[("PARTNER_IDENTITY", "header")], "needs PARTNER_TRUSTED_PROXIES"),
            (&[("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_SECRET", "short")], "at least 32 bytes"),
            (&[("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_SECRET", JWT_SECRET)], "PARTNER_JWT_AUDIENCE is missing"),
        ];
        for (vars, expected) in cases {
            let message = problems(&with(vars));
            assert!(message.contains(expected), "{vars:?}: {message}");
        }
        // Loopback keeps the demo working over plain http.
        let config = parse(&with(&[
            ("SIR_API_BASE", "http://localhost:8787"),
            ("PARTNER_ALLOWED_ORIGINS", "http://[::1]:8080,http://127.0.0.1:8080"),
        ]));
        assert!(config.is_ok(), "{config:?}");
        let forced = parse(&with(&[("PARTNER_COOKIE_SECURE", "1")])).expect("valid");
        assert!(forced.cookie_secure);
    }

    #[test]
    fn malformed_values_are_refused() {
        let cases: [(&str, &str, &str); 10] = [
            ("SIR_SECRET_KEY", "hello", "not a secret key"),
            ("SIR_HMAC_SECRET", SK, "64 hex digits"),
            ("SIR_HMAC_SECRET", "abc", "64 hex digits"),
            ("SIR_WEBHOOK_SECRET", "abab", "whsec_"),
            ("SIR_WEBHOOK_SECRET", "whsec_xyz", "whsec_"),
            ("SIR_PUBLISHABLE_KEY", SK, "must be a publishable key"),
            ("SIR_PUBLISHABLE_KEY", "pk_live_abc", "one environment"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080/page", "not an origin"),
            ("PARTNER_LISTEN", "localhost", "IP:PORT"),
            ("PARTNER_IDENTITY", "anyone", "jwt, header or demo"),
        ];
        for (name, value, expected) in cases {
            let message = problems(&with(&[(name, value)]));
            assert!(message.contains(expected), "{name}={value}: {message}");
        }
    }

    #[test]
    fn postgres_is_chosen_by_its_url_and_its_password_never_shown() {
        let url = "postgres://sir:s3cret-pw@db.internal:5432/partner?password=s3cret-pw";
        let config = parse(&with(&[("PARTNER_DATABASE_URL", url), ("PARTNER_DB_POOL_SIZE", "20")])).expect("valid");
        assert_eq!(config.database, Database::Postgres { url: url.to_owned(), pool: 20 });
        let shown = format!("{config:?} {}", config.database.describe());
        assert!(shown.contains("db.internal") && !shown.contains("s3cret-pw"), "{shown}");
        let both = problems(&with(&[("PARTNER_DATABASE_URL", url), ("PARTNER_DB", "x.sqlite3")]));
        assert!(both.contains("not both"), "{both}");
        assert!(problems(&with(&[("PARTNER_DATABASE_URL", "mysql://x")])).contains("postgres:// URL"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let config = parse(&with(&[
            ("PARTNER_IDENTITY", "jwt"),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", "partner-api"),
        ]))
        .expect("valid");
        let shown = format!("{config:?}");
        for secret in [&SK[8..], HMAC, &WHSEC[6..], JWT_SECRET] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn origins_and_loopback_hosts() {
        assert_eq!(origin_host("https://shop.example:8443"), Some(("https", "shop.example")));
        assert_eq!(origin_host("http://[::1]:8080"), Some(("http", "::1")));
        assert_eq!(origin_host("http://127.0.0.1"), Some(("http", "127.0.0.1")));
        assert_eq!(origin_host("https://a.example/path"), None);
        assert!(is_loopback_host("localhost") && is_loopback_host("127.0.0.2") && is_loopback_host("[::1]"));
        assert!(!is_loopback_host("10.0.0.1") && !is_loopback_host("localhost.evil.example"));
    }
}
