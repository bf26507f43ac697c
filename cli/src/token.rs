//! `tsunagu token mint|decode`: Twilio Access Tokens for the Voice SDK.

use serde_json::json;
use tsunagu_auth::jwt;
use tsunagu_twilio::access_token::{AccessToken, Identity, OutgoingGrant, VoiceGrant};

use crate::{
    args::TokenMintArgs,
    outcome::{Outcome, input_error, now_or_clock, secret_from_env},
};

pub(crate) fn mint(args: &TokenMintArgs) -> Result<(), Outcome> {
    let secret = secret_from_env(&args.api_secret_env)?;
    let identity = Identity::try_from(args.identity.as_str())
        .map_err(|err| input_error(format!("--identity: {err}")))?;
    let mut params = std::collections::BTreeMap::new();
    for param in &args.params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| input_error("--param must be NAME=VALUE"))?;
        params.insert(name.to_owned(), value.to_owned());
    }
    let wants_voice =
        args.incoming || args.outgoing_app.is_some() || args.push_credential.is_some();
    let voice = wants_voice.then(|| VoiceGrant {
        incoming_allow: args.incoming,
        outgoing: args
            .outgoing_app
            .clone()
            .map(|application_sid| OutgoingGrant {
                application_sid,
                params,
            }),
        push_credential_sid: args.push_credential.clone(),
        endpoint_id: None,
    });
    let token = AccessToken {
        account_sid: args.account_sid.clone(),
        api_key_sid: args.api_key.clone(),
        identity,
        ttl: args.ttl,
        voice,
        region: args.region.clone(),
        nbf: args.nbf,
    };
    let jwt = token
        .to_jwt(&secret, now_or_clock(args.now))
        .map_err(|err| input_error(err.to_string()))?;
    println!("{jwt}");
    Ok(())
}

pub(crate) fn decode(token: &str) -> Result<(), Outcome> {
    let decoded =
        jwt::decode_unverified(token.trim()).map_err(|err| input_error(err.to_string()))?;
    eprintln!("note: decoded only; the signature was not verified");
    let both = json!({"header": decoded.header, "claims": decoded.claims});
    let pretty = serde_json::to_string_pretty(&both)
        .map_err(|_| input_error("the token's JSON cannot be printed"))?;
    println!("{pretty}");
    Ok(())
}
