//! Per-tenant and global secrets: tenant secrets sealed in D1 (set through the admin API), the legacy
//! `TENANT_<ID>_…` Worker secrets, the master keys and `SESSION_SECRET` (`wrangler secret put`).
//!
//! A tenant secret is looked up in D1 first, then as the Worker secret `TENANT_<ID>_<KIND>` (the
//! id upper-cased, `-` as `_`; tenant ids are `[a-z0-9-]{1,63}`, so two tenants never share a
//! name). Opened values are cached in the isolate for `tsunagu_secrets::cache::FRESH_MS` (60 s):
//! a flood of webhooks verifies against memory, not D1. When D1 cannot be read, a copy at most ten minutes
//! stale stands in, else the legacy secret, else the request fails closed (503); a row that does
//! not open with the master keys in force also fails closed. Nothing here logs a value.

use std::cell::RefCell;

use tsunagu_core::TenantId;
use tsunagu_secrets::{
    Cached, D1Read, DEFAULT_GRACE_MS, Keyring, MAX_GRACE_MS, NONCE_BYTES, Resolved, Rotation,
    Sealed, SecretCache, SecretName, Version, decide, open, seal,
};
use worker::Env;

use crate::{clock, error::AppError, log, random, store};

/// The Worker secret holding the master keys: `id:base64[,id:base64…]`, the first seals.
const MASTER_KEYS: &str = "TSUNAGU_MASTER_KEYS";
/// How long a replaced embed secret or Twilio auth token stays valid (seconds; default a day).
const GRACE_VAR: &str = "SECRET_ROTATION_GRACE_SECS";

thread_local! {
    /// Opened tenant secrets of this isolate, by tenant id and name.
    static CACHE: RefCell<SecretCache<(String, SecretName), Resolved>> =
        RefCell::new(SecretCache::default());
}

fn cache_key(tenant: &TenantId, name: SecretName) -> (String, SecretName) {
    (tenant.as_str().to_owned(), name)
}

/// The legacy Worker secret's name, e.g. `TENANT_DEMO_EMBED_SECRET`. Distinct tenants never share
/// one: `TenantId::secret_name_part` is one-to-one (a property test in `tsunagu-core`).
pub(crate) fn legacy_name(tenant: &TenantId, name: SecretName) -> String {
    format!("TENANT_{}_{}", tenant.secret_name_part(), name.env_suffix())
}

/// The legacy Worker secret's value, or `None` when the operator has not set it.
fn legacy(env: &Env, tenant: &TenantId, name: SecretName) -> Option<String> {
    env.secret(&legacy_name(tenant, name))
        .ok()
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
}

/// Whether the legacy Worker secret is set (for the admin API's list; never its value).
pub(crate) fn legacy_is_set(env: &Env, tenant: &TenantId, name: SecretName) -> bool {
    legacy(env, tenant, name).is_some()
}

/// The master keys in force, or `None` when `TSUNAGU_MASTER_KEYS` is unset or does not parse
/// (logged with the reason, which never quotes key material).
pub(crate) fn keyring(env: &Env) -> Option<Keyring> {
    let text = env.secret(MASTER_KEYS).ok()?.to_string();
    if text.trim().is_empty() {
        return None;
    }
    match Keyring::parse(&text) {
        Ok(keyring) => Some(keyring),
        Err(err) => {
            log::error(
                "secrets.master_keys_invalid",
                &[("reason", err.to_string().into())],
            );
            None
        }
    }
}

/// How long a replaced value that verifies stays valid: `SECRET_ROTATION_GRACE_SECS` (tests
/// shorten it), a day by default, a week at most; `0` switches at once.
pub(crate) fn grace_ms(env: &Env) -> u64 {
    env.var(GRACE_VAR)
        .ok()
        .and_then(|v| v.to_string().parse::<u64>().ok())
        .map_or(DEFAULT_GRACE_MS, |secs| {
            secs.saturating_mul(1000).min(MAX_GRACE_MS)
        })
}

/// Seals `value` as the tenant's `name` under the sealing master key, with a nonce from the
/// runtime's CSPRNG. Without master keys nothing is stored: a typed refusal, never plaintext.
pub(crate) fn seal_value(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
    value: &str,
) -> Result<Sealed, AppError> {
    let keyring = keyring(env).ok_or(AppError::NoMasterKey)?;
    let nonce = random::bytes::<NONCE_BYTES>()?;
    Ok(seal(keyring.sealing_key(), tenant, name, value, nonce))
}

/// The legacy Worker secret, sealed, when setting `name` in D1 replaces it (so CRMs still signing
/// with it keep working through the grace).
pub(crate) fn sealed_legacy(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
) -> Result<Option<Sealed>, AppError> {
    legacy(env, tenant, name)
        .map(|value| seal_value(env, tenant, name, &value))
        .transpose()
}

/// Forgets this isolate's copy (after the admin API changed it).
pub(crate) fn forget(tenant: &TenantId, name: SecretName) {
    CACHE.with(|cache| cache.borrow_mut().remove(&cache_key(tenant, name)));
}

/// Reads and opens the tenant's row.
async fn read_d1(env: &Env, tenant: &TenantId, name: SecretName) -> D1Read {
    let row = match store::secrets::sealed(env, tenant, name).await {
        Ok(Some(row)) => row,
        Ok(None) => return D1Read::NoRow,
        Err(err) => {
            log::warn(
                "secrets.d1_unavailable",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("name", name.as_str().into()),
                    ("detail", err.to_string().into()),
                ],
            );
            return D1Read::Failed;
        }
    };
    let unopenable = |reason: String| {
        log::error(
            "secrets.unopenable",
            &[
                ("tenant", tenant.as_str().into()),
                ("name", name.as_str().into()),
                ("reason", reason.into()),
            ],
        );
        D1Read::Unopenable
    };
    let Some(keyring) = keyring(env) else {
        return unopenable(format!("{MASTER_KEYS} is not set"));
    };
    let current = match open(&keyring, tenant, name, &row.current) {
        Ok(value) => value,
        Err(err) => return unopenable(err.to_string()),
    };
    // A previous value that no longer opens only shortens its grace; the current one stands.
    let previous =
        row.previous.and_then(
            |(sealed, until)| match open(&keyring, tenant, name, &sealed) {
                Ok(value) => Some(Version {
                    value,
                    valid_until_ms: Some(until),
                }),
                Err(err) => {
                    log::warn(
                        "secrets.previous_unopenable",
                        &[
                            ("tenant", tenant.as_str().into()),
                            ("name", name.as_str().into()),
                            ("reason", err.to_string().into()),
                        ],
                    );
                    None
                }
            },
        );
    D1Read::Opened(Rotation {
        name,
        current,
        previous,
    })
}

/// The tenant's `name`: the cache's fresh copy, else D1, else the legacy Worker secret (see the
/// module's comment). `reread` ignores a fresh copy (a value that did not verify).
async fn resolve(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
    reread: bool,
) -> Result<Resolved, AppError> {
    let key = cache_key(tenant, name);
    let now = clock::now_ms();
    let stale = CACHE.with(|cache| match cache.borrow().get(&key, now) {
        Cached::Fresh(resolved) if !reread => Ok(resolved.clone()),
        Cached::Fresh(resolved) | Cached::Stale(resolved) => Err(Some(resolved.clone())),
        Cached::Missing => Err(None),
    });
    let stale = match stale {
        Ok(fresh) => return Ok(fresh),
        Err(stale) => stale,
    };
    let read = read_d1(env, tenant, name).await;
    let decision =
        decide(name, read, legacy(env, tenant, name), stale.as_ref()).map_err(|err| {
            log::error(
                "secrets.unavailable",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("name", name.as_str().into()),
                    ("reason", err.to_string().into()),
                ],
            );
            AppError::Unavailable(
                "this company's secrets cannot be read right now; try again shortly",
            )
        })?;
    if let Some(keep_ms) = decision.keep_ms {
        CACHE.with(|cache| {
            cache
                .borrow_mut()
                .insert(key, decision.resolved.clone(), now, keep_ms);
        });
    }
    Ok(decision.resolved)
}

/// The value to sign or authenticate with (`None`: not set anywhere). Fails closed (503) when it
/// cannot be known.
pub(crate) async fn current(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
) -> Result<Option<String>, AppError> {
    Ok(resolve(env, tenant, name, false)
        .await?
        .current()
        .map(str::to_owned))
}

/// Checks something signed with the tenant's `name` against every value valid now (the current
/// one, and the replaced one during its grace). `None` when the secret is not set anywhere;
/// otherwise the first success, or the current value's failure. A failure reads D1 once more
/// (the secret may have been rotated in another isolate) if D1 was last read for it at least
/// `tsunagu_secrets::cache::REFRESH_GAP_MS` (5 s) ago: forged requests cause no more reads than
/// that, during a D1 outage too.
pub(crate) async fn verify<T, E>(
    env: &Env,
    tenant: &TenantId,
    name: SecretName,
    check: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<Result<T, E>>, AppError> {
    let first = attempt(&resolve(env, tenant, name, false).await?, &check);
    if !matches!(first, Some(Err(_))) {
        return Ok(first);
    }
    let now = clock::now_ms();
    let key = cache_key(tenant, name);
    let may_refresh = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let may = cache.may_refresh(&key, now);
        if may {
            cache.note_read(&key, now);
        }
        may
    });
    if !may_refresh {
        return Ok(first);
    }
    Ok(attempt(&resolve(env, tenant, name, true).await?, &check).or(first))
}

fn attempt<T, E>(
    resolved: &Resolved,
    check: &impl Fn(&str) -> Result<T, E>,
) -> Option<Result<T, E>> {
    let mut outcome = None;
    for value in resolved.valid_at(clock::now_ms()) {
        match check(value) {
            Ok(ok) => return Some(Ok(ok)),
            Err(err) => {
                outcome.get_or_insert(Err(err));
            }
        }
    }
    outcome
}

/// The key that signs widget session tokens; without it the worker refuses to open sessions.
pub(crate) fn session_secret(env: &Env) -> Result<String, AppError> {
    env.secret("SESSION_SECRET")
        .ok()
        .map(|s| s.to_string())
        .filter(|s| s.len() >= 32)
        .ok_or_else(|| {
            AppError::Internal("SESSION_SECRET is not set (or shorter than 32 bytes)".into())
        })
}
