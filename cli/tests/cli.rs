//! The `tsunagu` binary end to end: fixture vectors through stdin, exit codes, help text.

use std::{
    io::Write as _,
    process::{Command, Stdio},
};

use expect_test::expect;
use serde_json::{Value, json};

const VECTORS: &str = include_str!("../../tests/fixtures/twilio-vectors.json");
const SECRET_VAR: &str = "TSUNAGU_CLI_TEST_SECRET";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: &str, secret: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tsunagu"));
    command
        .args(args)
        .env_remove(SECRET_VAR)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = secret {
        command.env(SECRET_VAR, secret);
    }
    let mut child = command.spawn().expect("the binary starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the input");
    let output = child.wait_with_output().expect("the binary ends");
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("fixture is JSON")
}

fn list<'a>(vectors: &'a Value, key: &str) -> &'a [Value] {
    vectors[key].as_array().expect("a list")
}

/// The CLI's stdin for a fixture vector; `url_key` picks which of its URLs to use.
fn webhook_input(vector: &Value, url_key: &str, signature: Option<&Value>) -> String {
    let mut input = json!({
        "auth_token": vector["auth_token"],
        "url": vector[url_key],
    });
    if vector.get("params").is_some() {
        input["params"] = vector["params"].clone();
    }
    if let Some(body) = vector.get("raw_body") {
        input["body"] = body.clone();
    }
    if let Some(signature) = signature {
        input["signature"] = signature.clone();
    }
    input.to_string()
}

fn signed_url_key(vector: &Value) -> &'static str {
    if vector.get("url").is_some() {
        "url"
    } else {
        "url_signed"
    }
}

fn seen_url_key(vector: &Value) -> &'static str {
    if vector.get("url").is_some() {
        "url"
    } else {
        "url_seen_by_app"
    }
}

#[test]
fn sign_prints_the_fixture_signatures() {
    let vectors = vectors();
    for vector in list(&vectors, "signatures") {
        let result = run(
            &["webhook", "sign"],
            &webhook_input(vector, signed_url_key(vector), None),
            None,
        );
        assert_eq!(result.code, 0, "{}: {}", vector["name"], result.stderr);
        let expected = vector["expected_signature"].as_str().expect("signature");
        assert_eq!(result.stdout, format!("{expected}\n"), "{}", vector["name"]);
    }
}

#[test]
fn verify_accepts_the_fixture_signatures_and_says_which_url_matched() {
    let vectors = vectors();
    let mut report = String::new();
    for vector in list(&vectors, "signatures") {
        let input = webhook_input(
            vector,
            seen_url_key(vector),
            Some(&vector["expected_signature"]),
        );
        let result = run(&["webhook", "verify"], &input, None);
        report.push_str(&format!(
            "{} -> exit {} {}{}",
            vector["name"].as_str().expect("name"),
            result.code,
            result.stdout,
            result.stderr
        ));
    }
    expect![[r#"
        form_params_documented_example -> exit 0 valid
        matched the URL exactly as given: https://mycompany.com/myapp.php?foo=1&bar=2
        form_params_signed_with_explicit_443 -> exit 0 valid
        matched the URL as given, with the default port added: https://mycompany.com:443/myapp.php?foo=1&bar=2
        form_params_utf8_special_chars_and_repeated_key -> exit 0 valid
        matched the URL exactly as given: https://voice.example.jp/twilio/voice?tenant=acme&lang=ja-JP
        json_body_with_bodySHA256 -> exit 0 valid
        matched the URL exactly as given: https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620
    "#]]
    .assert_eq(&report);
}

#[test]
fn verify_refuses_the_negative_vectors_and_explains() {
    let vectors = vectors();
    let mut report = String::new();
    for vector in list(&vectors, "signatures_negative") {
        let input = webhook_input(vector, "url", Some(&vector["signature_header"]));
        let result = run(&["webhook", "verify"], &input, None);
        report.push_str(&format!(
            "== {} -> exit {} {}{}\n",
            vector["name"].as_str().expect("name"),
            result.code,
            result.stdout,
            result.stderr
        ));
    }
    expect![[r#"
        == tampered_param_value -> exit 1 invalid
        the signature matches none of these URLs:
          https://mycompany.com/myapp.php?foo=1&bar=2
          https://mycompany.com:443/myapp.php?foo=1&bar=2
        Likely causes:
          - auth token: it must be the primary auth token of the account or subaccount that owns the number (a secondary token works only once promoted)
          - url: scheme and host must be the public ones Twilio called (not the address behind a proxy), path and query byte for byte (query order included); ports with and without :443/:80 were already tried
          - params: every POST parameter, empty ones included, values untrimmed
          - body: for JSON requests give the raw body and the url with bodySHA256

        == query_order_changed -> exit 1 invalid
        the signature matches none of these URLs:
          https://mycompany.com/myapp.php?bar=2&foo=1
          https://mycompany.com:443/myapp.php?bar=2&foo=1
        hint: it matches with the query parameters in another order: https://mycompany.com/myapp.php?foo=1&bar=2
          Twilio signed that order; give the url byte for byte as Twilio requested it, and keep the query of webhook URLs in alphabetical order.

        == http_scheme_vs_https -> exit 1 invalid
        the signature matches none of these URLs:
          http://mycompany.com/myapp.php?foo=1&bar=2
          http://mycompany.com:80/myapp.php?foo=1&bar=2
        hint: it matches with the other scheme: https://mycompany.com/myapp.php?foo=1&bar=2
          Behind a TLS-terminating proxy or tunnel, rebuild the public URL Twilio called.

        == json_body_modified -> exit 1 invalid
        the signature matches the url, but the body is not the one Twilio sent:
          SHA-256 of body: 8cb4315e616d9ddde0c2362359507fc10d01e1732f57acadd6b5efc84daaa692
          bodySHA256 in url: 0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620
        Use the raw body bytes as received: no re-serialised JSON, no added or removed newline, no charset conversion.

    "#]]
    .assert_eq(&report);
}

#[test]
fn verify_hints_at_a_get_request_and_an_empty_signature() {
    let url = "https://example.com/voice?CallSid=CA1&From=%2B81";
    let signature = run(
        &["webhook", "sign"],
        &json!({"auth_token": "tok", "url": url}).to_string(),
        None,
    )
    .stdout;
    let with_params = json!({
        "auth_token": "tok", "url": url, "signature": signature.trim(),
        "params": {"CallSid": "CA1"},
    });
    let empty = json!({"auth_token": "tok", "url": url, "signature": ""});
    let report: String = [with_params, empty]
        .iter()
        .map(|input| {
            let result = run(&["webhook", "verify"], &input.to_string(), None);
            format!("exit {} {}{}", result.code, result.stdout, result.stderr)
        })
        .collect();
    expect![[r#"
        exit 1 invalid
        the signature matches none of these URLs:
          https://example.com/voice?CallSid=CA1&From=%2B81
          https://example.com:443/voice?CallSid=CA1&From=%2B81
        hint: it matches the url alone, without params: the request was a GET (its parameters are in the query string), so give no params
        exit 1 invalid
        the signature is empty: Twilio signs every webhook request, so the request did not come from Twilio or a proxy dropped the X-Twilio-Signature header
    "#]]
    .assert_eq(&report);
}

#[test]
fn input_errors_exit_2_and_never_echo_the_auth_token() {
    let token = "AUTH-TOKEN-SECRET-0123456789";
    let cases = [
        ("not JSON", "sign", format!("{{\"auth_token\": \"{token}\",")),
        ("an array", "sign", format!("[\"{token}\"]")),
        ("token a number", "sign", json!({"auth_token": 12345, "url": "https://x/"}).to_string()),
        ("no token", "sign", json!({"url": "https://x/"}).to_string()),
        ("no url", "sign", json!({"auth_token": token}).to_string()),
        ("unknown field", "sign", json!({"auth_token": token, "url": "https://x/", "authToken": token}).to_string()),
        ("bad params", "sign", json!({"auth_token": token, "url": "https://x/", "params": {"A": 1}}).to_string()),
        ("params and body", "sign", json!({"auth_token": token, "url": "https://x/?bodySHA256=0", "params": {"A": "1"}, "body": "{}"}).to_string()),
        ("body without bodySHA256", "sign", json!({"auth_token": token, "url": "https://x/", "body": "{}"}).to_string()),
        ("no signature", "verify", json!({"auth_token": token, "url": "https://x/"}).to_string()),
        ("relative url", "verify", json!({"auth_token": token, "url": "/voice", "signature": "x"}).to_string()),
    ];
    let mut report = String::new();
    for (label, command, input) in &cases {
        let result = run(&["webhook", command], input, None);
        assert!(!result.stderr.contains(token), "{label} echoed the token");
        assert!(!result.stderr.contains("12345"), "{label} echoed the token");
        report.push_str(&format!("{label}: exit {} {}", result.code, result.stderr));
    }
    expect![[r#"
        not JSON: exit 2 error: stdin is not valid JSON: EOF while parsing a value at line 1 column 46
        an array: exit 2 error: stdin must hold one JSON object
        token a number: exit 2 error: auth_token must be a string
        no token: exit 2 error: auth_token is required (a non-empty string)
        no url: exit 2 error: url is required (the full URL Twilio requested)
        unknown field: exit 2 error: unknown field `authToken`; the fields are auth_token, url, params, body, signature
        bad params: exit 2 error: params.A must be a string or an array of strings
        params and body: exit 2 error: give either params (form-encoded request) or body (JSON request with bodySHA256), not both
        body without bodySHA256: exit 2 error: the url has no bodySHA256 parameter; for this body Twilio would add bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a to the query
        no signature: exit 2 error: verify needs "signature": the value of the X-Twilio-Signature header
        relative url: exit 2 error: url must be an absolute http or https URL, as Twilio requested it
    "#]]
    .assert_eq(&report);
}

/// `token mint` arguments for a fixture's inputs.
fn mint_args(vector: &Value) -> Vec<String> {
    let inputs = &vector["inputs"];
    let voice = &inputs["voice"];
    let text = |v: &Value| v.as_str().expect("string").to_owned();
    let mut args = vec![
        "token".to_owned(),
        "mint".to_owned(),
        format!("--account-sid={}", text(&inputs["account_sid"])),
        format!("--api-key={}", text(&inputs["api_key_sid"])),
        format!("--api-secret-env={SECRET_VAR}"),
        format!("--identity={}", text(&inputs["identity"])),
        format!("--ttl={}", inputs["ttl"]),
        format!("--now={}", vector["fixed_now_unix"]),
    ];
    if voice["incoming_allow"] == true {
        args.push("--incoming".to_owned());
    }
    if let Some(app) = voice["outgoing_application_sid"].as_str() {
        args.push(format!("--outgoing-app={app}"));
    }
    for (name, value) in voice["outgoing_application_params"]
        .as_object()
        .into_iter()
        .flatten()
    {
        args.push(format!("--param={name}={}", text(value)));
    }
    if let Some(push) = voice["push_credential_sid"].as_str() {
        args.push(format!("--push-credential={push}"));
    }
    if let Some(region) = inputs["region"].as_str() {
        args.push(format!("--region={region}"));
    }
    args
}

/// `args` with the `--name=value` argument replaced (clap refuses repeated options).
fn with_arg<'a>(args: &[&'a str], replacement: &'a str) -> Vec<&'a str> {
    let name = replacement.split('=').next().unwrap_or(replacement);
    args.iter()
        .map(|arg| {
            if arg.split('=').next() == Some(name) {
                replacement
            } else {
                arg
            }
        })
        .collect()
}

fn mint_and_decode(vector: &Value, extra: &[String]) -> Value {
    let secret = vector["inputs"]["api_key_secret"].as_str().expect("secret");
    let mut args = mint_args(vector);
    args.extend_from_slice(extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let minted = run(&args, "", Some(secret));
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    assert!(!minted.stdout.contains(secret));
    let decoded = run(&["token", "decode", minted.stdout.trim()], "", None);
    assert_eq!(decoded.code, 0, "{}", decoded.stderr);
    expect!["note: decoded only; the signature was not verified\n"].assert_eq(&decoded.stderr);
    serde_json::from_str(&decoded.stdout).expect("decode prints JSON")
}

#[test]
fn token_mint_reproduces_the_node_fixture() {
    let vectors = vectors();
    let node = &vectors["access_tokens"]["node"];
    let decoded = mint_and_decode(node, &[]);
    assert_eq!(decoded["header"], node["header"]);
    assert_eq!(decoded["claims"], node["payload"]);
}

#[test]
fn token_mint_reproduces_the_python_fixtures() {
    let vectors = vectors();
    for vector in list(&vectors["access_tokens"], "python") {
        // Python writes nbf = now and no iat (see tests/access_token_vectors.rs).
        let nbf = format!("--nbf={}", vector["fixed_now_unix"]);
        let mut decoded = mint_and_decode(vector, &[nbf]);
        let claims = decoded["claims"].as_object_mut().expect("claims object");
        assert_eq!(claims.remove("iat"), Some(vector["fixed_now_unix"].clone()));
        assert_eq!(decoded["header"], vector["header"]);
        assert_eq!(decoded["claims"], vector["payload"]);
    }
}

#[test]
fn token_decode_prints_the_fixture_jwt() {
    let vectors = vectors();
    let node = &vectors["access_tokens"]["node"];
    let result = run(
        &["token", "decode", node["jwt"].as_str().expect("jwt")],
        "",
        None,
    );
    let printed: Value = serde_json::from_str(&result.stdout).expect("JSON");
    assert_eq!(
        printed,
        json!({"header": node["header"], "claims": node["payload"]})
    );
    let bad = run(&["token", "decode", "not-a-jwt"], "", None);
    expect!["exit 2 error: The token is not a well-formed JWT.\n"]
        .assert_eq(&format!("exit {} {}", bad.code, bad.stderr));
}

#[test]
fn token_mint_errors_are_clear() {
    let vectors = vectors();
    let node = &vectors["access_tokens"]["node"];
    let args = mint_args(node);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let unset = run(&args, "", None);
    let bad_identity = run(
        &with_arg(&args, "--identity=agent-alice"),
        "",
        Some("secret"),
    );
    let long_ttl = run(&with_arg(&args, "--ttl=86401"), "", Some("secret"));
    let report = [unset, bad_identity, long_ttl]
        .iter()
        .map(|r| format!("exit {} {}", r.code, r.stderr))
        .collect::<String>();
    expect![[r#"
        exit 2 error: environment variable TSUNAGU_CLI_TEST_SECRET is not set; export the secret in it first
        exit 2 error: --identity: The identity must be 1 to 121 ASCII letters, digits or underscores.
        exit 2 error: The token lifetime must be between 1 and 86400 seconds.
    "#]]
    .assert_eq(&report);
}

#[test]
fn embed_tokens_mint_and_verify() {
    let secret = "tenant-acme-embed-secret-32bytes";
    let minted = run(
        &[
            "embed",
            "mint",
            "--tenant=acme-jp",
            "--agent=sato_k",
            "--name=佐藤 健",
            "--team=support",
            "--roles=agent,supervisor",
            "--ttl=600",
            &format!("--secret-env={SECRET_VAR}"),
            "--now=1700000000",
            "--jti=crm-login-0001",
        ],
        "",
        Some(secret),
    );
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    let token = minted.stdout.trim();
    let verify = |token: &str, now: &str, secret: &str| {
        let result = run(
            &[
                "embed",
                "verify",
                token,
                &format!("--secret-env={SECRET_VAR}"),
                now,
            ],
            "",
            Some(secret),
        );
        format!("exit {} {}{}", result.code, result.stdout, result.stderr)
    };
    let mut tampered = token.to_owned();
    tampered.insert(token.len() / 2, 'x');
    let report = [
        verify(token, "--now=1700000599", secret),
        verify(token, "--now=1700000600", secret),
        verify(
            token,
            "--now=1700000000",
            "another-tenant-secret-of-32-byte",
        ),
        verify(&tampered, "--now=1700000000", secret),
        verify(token, "--now=1700000000", "short"),
    ]
    .join("");
    expect![[r#"
        exit 0 {
          "agent": "sato_k",
          "expires_at": 1700000600,
          "issued_at": 1700000000,
          "jti": "crm-login-0001",
          "name": "佐藤 健",
          "roles": [
            "agent",
            "supervisor"
          ],
          "team": "support",
          "tenant": "acme-jp"
        }
        exit 1 invalid
        The token has expired.
        exit 1 invalid
        The token's signature is invalid.
        exit 1 invalid
        The token's signature is invalid.
        exit 2 error: The signing secret is shorter than 32 bytes.
    "#]]
    .assert_eq(&report);
}

#[test]
fn embed_mint_refuses_bad_input() {
    let secret = "tenant-acme-embed-secret-32bytes";
    let secret_env = format!("--secret-env={SECRET_VAR}");
    let base = [
        "embed",
        "mint",
        "--tenant=acme",
        "--agent=sato",
        "--name=Sato",
        secret_env.as_str(),
    ];
    let mint = |change: &[&str]| {
        let mut args = base.to_vec();
        for replacement in change {
            args = with_arg(&args, replacement);
            if !args.contains(replacement) {
                args.push(replacement);
            }
        }
        let result = run(&args, "", Some(secret));
        format!("exit {} {}", result.code, result.stderr)
    };
    let report = [
        mint(&["--ttl=601"]),
        mint(&["--roles=agent,root"]),
        mint(&["--tenant=acme jp"]),
        mint(&["--name="]),
        mint(&["--jti=a b"]),
    ]
    .join("");
    expect![[r#"
        exit 2 error: --ttl must be between 1 and 600 seconds
        exit 2 error: --roles: unknown role `root`; the roles are agent, supervisor, admin
        exit 2 error: --tenant: tenant id may contain only lower-case ASCII letters, digits and `-`
        exit 2 error: The token's `name` claim is missing or invalid.
        exit 2 error: The token's `jti` claim is missing or invalid.
    "#]]
    .assert_eq(&report);
}

#[test]
fn help_texts() {
    let help = |args: &[&str]| {
        let result = run(args, "", None);
        assert_eq!(result.code, 0);
        result.stdout
    };
    expect![[r#"
        Tsunagu operator tools: Twilio webhook signatures, Access Tokens, CRM embed tokens and the admin API.

        Usage: tsunagu <COMMAND>

        Commands:
          webhook  Sign or verify a Twilio webhook request (X-Twilio-Signature)
          token    Mint or decode a Twilio Access Token for the Voice SDK
          embed    Mint or verify a CRM embed token, as a CRM backend signs it for its agent
          admin    Administer tenants over the worker's API: create a tenant, import customers, API keys, secrets, webhook failures
          help     Print this message or the help of the given subcommand(s)

        Options:
          -h, --help     Print help
          -V, --version  Print version

        Exit codes: 0 success or valid, 1 invalid, 2 unusable input.
    "#]]
    .assert_eq(&help(&["--help"]));
    expect![[r#"
        Administer tenants over the worker's API: create a tenant, import customers, API keys, secrets, webhook failures

        Usage: tsunagu admin [OPTIONS] <COMMAND>

        Commands:
          tenant     Create a tenant (the platform operator)
          customers  Import customers from a CSV file (UTF-8 or Shift_JIS), or check it first
          api-key    Create an API key for a machine (the key is printed once)
          secret     Set or rotate a tenant secret (the previous value stays valid for the grace period)
          webhooks   The CRM webhooks' failures
          help       Print this message or the help of the given subcommand(s)

        Options:
              --url <URL>  The worker's base URL [env: TSUNAGU_URL] [default: http://127.0.0.1:8787]
          -h, --help       Print help

        Every command calls the worker's API at --url (or TSUNAGU_URL) and prints its JSON reply on
        stdout. Keys are read from environment variables, never from the command line:
          TSUNAGU_OPERATOR_KEY  the platform operator's key (the worker's OPERATOR_KEY), for `tenant create`
          TSUNAGU_API_KEY       a tenant admin API key (tsk_…), for everything else
        Exit codes: 0 done, 1 the API refused (its reasons on stderr, in Japanese and English), 2 unusable
        input or the API could not be reached.
    "#]]
    .assert_eq(&help(&["admin", "--help"]));
    expect![[r#"
        Create a tenant with its embed secret and its first admin API key; both are printed once

        Usage: tsunagu admin tenant create [OPTIONS] --id <ID> --name-ja <NAME> --name-en <NAME> --origin <ORIGIN>

        Options:
              --id <ID>                     Tenant id: lowercase letters, digits and '-' (1 to 63)
              --url <URL>                   The worker's base URL [env: TSUNAGU_URL] [default: http://127.0.0.1:8787]
              --name-ja <NAME>              The tenant's name in Japanese
              --name-en <NAME>              The tenant's name in English
              --origin <ORIGIN>             A CRM origin allowed to embed the widget (repeatable), e.g. https://crm.example.jp
              --operator-key-env <VAR>      Environment variable holding the operator key [default: TSUNAGU_OPERATOR_KEY]
              --twilio-account-sid <AC…>    The tenant's Twilio account SID (AC…); its auth token goes through `secret set`
              --twilio-api-key-sid <SK…>    The tenant's Twilio API key SID (SK…); its secret goes through `secret set`
              --twilio-twiml-app-sid <AP…>  The tenant's TwiML App SID (AP…), for agents' outgoing calls
          -h, --help                        Print help
    "#]]
    .assert_eq(&help(&["admin", "tenant", "create", "--help"]));
    expect![[r#"
        Print `valid` (exit 0) or `invalid` (exit 1); explain on stderr

        Usage: tsunagu webhook verify

        Options:
          -h, --help  Print help

        Reads one JSON object on stdin:
          {"auth_token": "...", "url": "https://...",
           "params": {"Name": "value", "Repeated": ["v1", "v2"]},
           "body": "raw body, only for requests signed with bodySHA256 (no params then)",
           "signature": "X-Twilio-Signature value (verify only)"}
    "#]]
    .assert_eq(&help(&["webhook", "verify", "--help"]));
    expect![[r#"
        Print a signed Access Token with a Voice grant

        Usage: tsunagu token mint [OPTIONS] --account-sid <AC…> --api-key <SK…> --api-secret-env <VAR> --identity <ID>

        Options:
              --account-sid <AC…>      Account SID (AC…), the token's subject
              --api-key <SK…>          API key SID (SK…), the token's issuer
              --api-secret-env <VAR>   Name of the environment variable that holds the API key secret
              --identity <ID>          Client identity: 1 to 121 ASCII letters, digits or underscores
              --ttl <S>                Lifetime in seconds (1 to 86400) [default: 3600]
              --now <UNIX>             Issue time in unix seconds [default: now]
              --outgoing-app <AP…>     TwiML App SID (AP…) for outgoing calls
              --param <NAME=VALUE>     Parameter passed to the TwiML App on outgoing calls (repeatable)
              --incoming               Allow incoming calls to client:<identity>
              --push-credential <CR…>  Push credential SID (CR…) for mobile SDKs
              --region <REGION>        Home region, written as the `twr` header (e.g. au1); the API key must be from there
              --nbf <UNIX>             Not-before time in unix seconds (omitted unless given)
          -h, --help                   Print help
    "#]].assert_eq(&help(&["token", "mint", "--help"]));
    expect![[r#"
        Print an embed token signed with the tenant's embed secret

        Usage: tsunagu embed mint [OPTIONS] --tenant <T> --agent <A> --name <N> --secret-env <VAR>

        Options:
              --tenant <T>        Tenant id (`iss`)
              --agent <A>         Agent id (`sub`)
              --name <N>          Display name (1 to 100 characters)
              --team <T>          Team id
              --roles <ROLES>     Comma-separated roles: agent, supervisor, admin [default: agent]
              --ttl <S>           Lifetime in seconds (at most 600) [default: 300]
              --secret-env <VAR>  Name of the environment variable that holds the tenant's embed secret (32+ bytes)
              --now <UNIX>        Issue time in unix seconds [default: now]
              --jti <ID>          Token id (`jti`; each token opens one session only) [default: 16 random bytes in hex]
          -h, --help              Print help
    "#]].assert_eq(&help(&["embed", "mint", "--help"]));
}
