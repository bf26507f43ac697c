//! `tsunagu webhook sign|verify`: Twilio signatures for a request described as JSON on stdin.

use std::io::Read as _;

use serde_json::Value;
use tsunagu_twilio::signature::{self, SignatureError};

use crate::outcome::{Outcome, input_error};

const FIELDS: [&str; 5] = ["auth_token", "url", "params", "body", "signature"];
const MAX_QUERY_PERMUTATION_PARAMS: usize = 6;

/// One webhook request as the operator describes it.
struct Request {
    auth_token: String,
    url: String,
    params: Vec<(String, String)>,
    body: Option<String>,
    signature: Option<String>,
}

pub(crate) fn sign() -> Result<(), Outcome> {
    let request = read_request()?;
    let signature = match &request.body {
        Some(body) => {
            reject_params_with_body(&request)?;
            let actual = signature::body_sha256_hex(body.as_bytes());
            match signature::body_sha256_param(&request.url) {
                None => {
                    return Err(input_error(format!(
                        "the url has no bodySHA256 parameter; for this body Twilio would add \
                         bodySHA256={actual} to the query"
                    )));
                }
                Some(claimed) if claimed != actual => eprintln!(
                    "warning: the url's bodySHA256 is not the SHA-256 of body ({actual}); the \
                     signature covers the url only, so it is printed, but verification will fail"
                ),
                Some(_) => {}
            }
            signature::compute(&request.auth_token, &request.url, &[])
        }
        None => signature::compute(&request.auth_token, &request.url, &request.params),
    };
    println!("{signature}");
    Ok(())
}

pub(crate) fn verify() -> Result<(), Outcome> {
    let request = read_request()?;
    let Some(header) = request.signature.as_deref() else {
        return Err(input_error(
            "verify needs \"signature\": the value of the X-Twilio-Signature header",
        ));
    };
    let result = match &request.body {
        Some(body) => {
            reject_params_with_body(&request)?;
            signature::validate_json(&request.auth_token, &request.url, body.as_bytes(), header)
        }
        None => {
            signature::validate_form(&request.auth_token, &request.url, &request.params, header)
        }
    };
    match result {
        Ok(found) => {
            println!("valid");
            eprintln!("matched {}: {}", found.variant.describe(), found.url);
            Ok(())
        }
        Err(SignatureError::InvalidUrl) => Err(input_error(
            "url must be an absolute http or https URL, as Twilio requested it",
        )),
        Err(err) => {
            println!("invalid");
            eprintln!("{}", explain(&request, header, err));
            Err(Outcome::Invalid)
        }
    }
}

/// What went wrong, for the operator: the URLs tried, what would have matched, likely causes.
fn explain(request: &Request, header: &str, err: SignatureError) -> String {
    match err {
        SignatureError::Missing => {
            "the signature is empty: Twilio signs every webhook request, so \
             the request did not come from Twilio or a proxy dropped the X-Twilio-Signature header"
                .to_owned()
        }
        SignatureError::MissingBodyHash => "body is given but the url has no bodySHA256 \
             parameter: Twilio adds it only to requests with a non-form (JSON) body; for a \
             form-encoded request give its fields as params instead of body"
            .to_owned(),
        SignatureError::BodyHashMismatch => {
            let actual = request
                .body
                .as_deref()
                .map(|body| signature::body_sha256_hex(body.as_bytes()))
                .unwrap_or_default();
            let claimed = signature::body_sha256_param(&request.url).unwrap_or_default();
            format!(
                "the signature matches the url, but the body is not the one Twilio sent:\n  \
                 SHA-256 of body: {actual}\n  bodySHA256 in url: {claimed}\n\
                 Use the raw body bytes as received: no re-serialised JSON, no added or removed \
                 newline, no charset conversion."
            )
        }
        SignatureError::Mismatch | SignatureError::InvalidUrl => explain_mismatch(request, header),
    }
}

fn explain_mismatch(request: &Request, header: &str) -> String {
    let params: &[(String, String)] = if request.body.is_some() {
        &[]
    } else {
        &request.params
    };
    let matches = |url: &str, params: &[(String, String)]| {
        signature::validate_form(&request.auth_token, url, params, header).is_ok()
    };

    let mut text = String::from("the signature matches none of these URLs:\n");
    for candidate in signature::url_candidates(&request.url) {
        text.push_str(&format!("  {candidate}\n"));
    }
    let mut hints = Vec::new();
    if let Some(other) = other_scheme(&request.url).filter(|url| matches(url, params)) {
        hints.push(format!(
            "it matches with the other scheme: {other}\n  Behind a TLS-terminating proxy or \
             tunnel, rebuild the public URL Twilio called."
        ));
    }
    if let Some(other) = other_trailing_slash(&request.url).filter(|url| matches(url, params)) {
        hints.push(format!(
            "it matches with the path's trailing slash toggled: {other}\n  Use the path exactly \
             as configured in Twilio."
        ));
    }
    if let Some(other) = query_permutations(&request.url)
        .into_iter()
        .find(|url| matches(url, params))
    {
        hints.push(format!(
            "it matches with the query parameters in another order: {other}\n  Twilio signed \
             that order; give the url byte for byte as Twilio requested it, and keep the query \
             of webhook URLs in alphabetical order."
        ));
    }
    if !params.is_empty() && matches(&request.url, &[]) {
        hints.push(
            "it matches the url alone, without params: the request was a GET (its parameters \
             are in the query string), so give no params"
                .to_owned(),
        );
    }
    if hints.is_empty() {
        text.push_str(
            "Likely causes:\n  \
             - auth token: it must be the primary auth token of the account or subaccount that \
             owns the number (a secondary token works only once promoted)\n  \
             - url: scheme and host must be the public ones Twilio called (not the address \
             behind a proxy), path and query byte for byte (query order included); ports \
             with and without :443/:80 were already tried\n  \
             - params: every POST parameter, empty ones included, values untrimmed\n  \
             - body: for JSON requests give the raw body and the url with bodySHA256",
        );
    } else {
        for hint in hints {
            text.push_str(&format!("hint: {hint}\n"));
        }
        text.pop();
    }
    text
}

fn other_scheme(url: &str) -> Option<String> {
    if let Some(rest) = url.strip_prefix("https://") {
        Some(format!("http://{rest}"))
    } else {
        url.strip_prefix("http://")
            .map(|rest| format!("https://{rest}"))
    }
}

/// Splits `url` into the part before the query, the query, and the fragment (with its `#`).
fn split_query(url: &str) -> (&str, Option<&str>, &str) {
    let (before_fragment, fragment) = match url.find('#') {
        Some(hash) => url.split_at(hash),
        None => (url, ""),
    };
    match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query), fragment),
        None => (before_fragment, None, fragment),
    }
}

fn other_trailing_slash(url: &str) -> Option<String> {
    let (base, query, fragment) = split_query(url);
    let path_start = base.find("://").map(|i| i + 3)?;
    // Only paths beyond the bare host: `https://host/` has the slash WHATWG always adds.
    base.get(path_start..)?.find('/')?;
    let toggled = match base.strip_suffix('/') {
        Some(stripped) => stripped.to_owned(),
        None => format!("{base}/"),
    };
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{toggled}{query}{fragment}"))
}

/// Every other order of the query's parameters, if there are few enough to try them all.
fn query_permutations(url: &str) -> Vec<String> {
    let (base, Some(query), fragment) = split_query(url) else {
        return Vec::new();
    };
    let pairs: Vec<&str> = query.split('&').collect();
    if pairs.len() < 2 || pairs.len() > MAX_QUERY_PERMUTATION_PARAMS {
        return Vec::new();
    }
    let mut orders = Vec::new();
    permute(&mut pairs.clone(), 0, &mut orders);
    orders
        .into_iter()
        .filter(|order| *order != pairs)
        .map(|order| format!("{base}?{}{fragment}", order.join("&")))
        .collect()
}

fn permute<'a>(items: &mut Vec<&'a str>, from: usize, out: &mut Vec<Vec<&'a str>>) {
    if from + 1 >= items.len() {
        out.push(items.clone());
        return;
    }
    for i in from..items.len() {
        items.swap(from, i);
        permute(items, from + 1, out);
        items.swap(from, i);
    }
}

fn reject_params_with_body(request: &Request) -> Result<(), Outcome> {
    if request.params.is_empty() {
        Ok(())
    } else {
        Err(input_error(
            "give either params (form-encoded request) or body (JSON request with bodySHA256), \
             not both",
        ))
    }
}

fn read_request() -> Result<Request, Outcome> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|_| input_error("stdin is not readable UTF-8 text"))?;
    parse_request(&text)
}

/// Parses by hand rather than with serde's derive, whose errors can quote the offending value
/// (which may be the auth token).
fn parse_request(text: &str) -> Result<Request, Outcome> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| input_error(format!("stdin is not valid JSON: {err}")))?;
    let Value::Object(object) = value else {
        return Err(input_error("stdin must hold one JSON object"));
    };
    if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(input_error(format!(
            "unknown field `{unknown}`; the fields are {}",
            FIELDS.join(", ")
        )));
    }
    let string = |name: &str| -> Result<Option<String>, Outcome> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(input_error(format!("{name} must be a string"))),
        }
    };
    let auth_token = string("auth_token")?
        .filter(|token| !token.is_empty())
        .ok_or_else(|| input_error("auth_token is required (a non-empty string)"))?;
    let url = string("url")?
        .filter(|url| !url.is_empty())
        .ok_or_else(|| input_error("url is required (the full URL Twilio requested)"))?;
    Ok(Request {
        auth_token,
        url,
        params: parse_params(object.get("params"))?,
        body: string("body")?,
        signature: string("signature")?,
    })
}

fn parse_params(params: Option<&Value>) -> Result<Vec<(String, String)>, Outcome> {
    let object = match params {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(input_error(
                "params must be an object of names to a string or an array of strings",
            ));
        }
    };
    let mut pairs = Vec::new();
    for (name, value) in object {
        let bad = || {
            input_error(format!(
                "params.{name} must be a string or an array of strings"
            ))
        };
        match value {
            Value::String(single) => pairs.push((name.clone(), single.clone())),
            Value::Array(many) => {
                for item in many {
                    let item = item.as_str().ok_or_else(bad)?;
                    pairs.push((name.clone(), item.to_owned()));
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(pairs)
}
