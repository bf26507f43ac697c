//! `tsunagu embed mint|verify`: CRM embed tokens, for vendors testing their integration.

use std::collections::BTreeSet;

use serde_json::json;
use tsunagu_auth::{
    AuthError, EMBED_MAX_LIFETIME_SECS, EmbedClaims, Role, mint_embed_token, verify_embed_token,
};
use tsunagu_core::{AgentId, TeamId, TenantId};

use crate::{
    args::{EmbedMintArgs, EmbedVerifyArgs},
    outcome::{Outcome, input_error, now_or_clock, secret_from_env},
};

pub(crate) fn mint(args: &EmbedMintArgs) -> Result<(), Outcome> {
    let secret = secret_from_env(&args.secret_env)?;
    let tenant = TenantId::new(args.tenant.as_str())
        .map_err(|err| input_error(format!("--tenant: {err}")))?;
    let agent =
        AgentId::new(args.agent.as_str()).map_err(|err| input_error(format!("--agent: {err}")))?;
    let team = match &args.team {
        Some(team) => {
            Some(TeamId::new(team.as_str()).map_err(|err| input_error(format!("--team: {err}")))?)
        }
        None => None,
    };
    let mut roles = BTreeSet::new();
    for name in &args.roles {
        let role = Role::from_name(name.trim()).ok_or_else(|| {
            input_error(format!(
                "--roles: unknown role `{}`; the roles are agent, supervisor, admin",
                name.trim()
            ))
        })?;
        roles.insert(role);
    }
    if !(1..=EMBED_MAX_LIFETIME_SECS).contains(&args.ttl) {
        return Err(input_error(format!(
            "--ttl must be between 1 and {EMBED_MAX_LIFETIME_SECS} seconds"
        )));
    }
    let now = now_or_clock(args.now);
    let token_id = match &args.jti {
        Some(jti) => jti.clone(),
        None => random_token_id()?,
    };
    let claims = EmbedClaims {
        tenant,
        agent,
        name: args.name.clone(),
        team,
        roles,
        token_id,
        issued_at: now,
        expires_at: now.saturating_add(args.ttl),
    };
    let token =
        mint_embed_token(&claims, secret.as_bytes()).map_err(|err| input_error(err.to_string()))?;
    println!("{token}");
    Ok(())
}

pub(crate) fn verify(args: &EmbedVerifyArgs) -> Result<(), Outcome> {
    let secret = secret_from_env(&args.secret_env)?;
    match verify_embed_token(args.token.trim(), secret.as_bytes(), now_or_clock(args.now)) {
        Ok(claims) => {
            let roles: Vec<&str> = claims.roles.iter().map(|role| role.as_str()).collect();
            let printed = json!({
                "tenant": claims.tenant.as_str(),
                "agent": claims.agent.as_str(),
                "name": claims.name,
                "team": claims.team.as_ref().map(TeamId::as_str),
                "roles": roles,
                "jti": claims.token_id,
                "issued_at": claims.issued_at,
                "expires_at": claims.expires_at,
            });
            let pretty = serde_json::to_string_pretty(&printed)
                .map_err(|_| input_error("the claims cannot be printed"))?;
            println!("{pretty}");
            Ok(())
        }
        Err(AuthError::WeakSecret) => Err(input_error(AuthError::WeakSecret.to_string())),
        Err(err) => {
            println!("invalid");
            eprintln!("{err}");
            Err(Outcome::Invalid)
        }
    }
}

/// Sixteen bytes from the operating system's random source, in hex: a fresh `jti`.
fn random_token_id() -> Result<String, Outcome> {
    use std::io::Read as _;
    let mut bytes = [0_u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|_| input_error("no random source (/dev/urandom); pass --jti"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
