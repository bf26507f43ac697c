//! The worker's one error type, mapped to an HTTP response in exactly one place.

use serde::Serialize;
use worker::{Method, Response, console_error};

/// Everything a request can fail with. User errors carry a fixed message of ours, never input.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("unknown tenant")]
    UnknownTenant,
    #[error("expected a WebSocket upgrade")]
    UpgradeRequired,
    /// No valid credentials: a missing, expired or forged embed/session token. The message is a
    /// fixed sentence of ours saying which, so a CRM engineer can fix the integration.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// An embed or session token was refused; the domain's message says why (never quoting it).
    #[error("{0}")]
    Auth(#[from] tsunagu_auth::AuthError),
    /// A webhook whose `X-Twilio-Signature` does not match: forged, altered or signed with another token.
    #[error("invalid Twilio signature")]
    BadSignature,
    /// The request comes from somewhere this endpoint does not serve (e.g. another site's page).
    #[error("{0}")]
    Forbidden(&'static str),
    /// A valid session whose roles do not grant what the route or message needs.
    #[error("{}", missing_role_message(*.0))]
    MissingRole(tsunagu_auth::Permission),
    /// The tenant lacks configuration this endpoint needs (e.g. Twilio settings for voice).
    #[error("{0}")]
    NotConfigured(&'static str),
    /// The request is valid but the state forbids it now (e.g. dialling while on a call); the
    /// code names the reason.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: &'static str,
    },
    /// Not now: the deployment is not fit to serve (it still runs with development secrets; an
    /// operator must act), or a limit of the tenant's is reached (its open sessions).
    #[error("{0}")]
    Unavailable(&'static str),
    /// The tenant's dial policy refuses the number, or a call rate cap is reached: 403 with the
    /// policy's code as `reason` (the widget translates it); the message is the policy's fixed
    /// text and never names the number.
    #[error("{0}")]
    DialRefused(tsunagu_phone::DialRefusal),
    /// The tenant takes no calls from the web (the default).
    #[error("this company does not take calls from the web")]
    WebCallsOff,
    /// The web call's challenge (Turnstile) was missing or not passed.
    #[error("the check that you are not a robot did not pass; please reload the page")]
    ChallengeFailed,
    /// The request body is longer than the route accepts; refused before it is read.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// An admin API write with invalid fields: 422 with every field's code and its fixed
    /// message in Japanese and English (`fields`), never the input.
    #[error("some fields are invalid; see `fields`")]
    Invalid(tsunagu_admin::Invalid),
    /// A tenant secret cannot be stored: the deployment has no master key (`TSUNAGU_MASTER_KEYS`).
    /// Nothing is stored in plain instead.
    #[error(
        "no master key is configured (TSUNAGU_MASTER_KEYS), so tenant secrets cannot be stored; the operator must set one"
    )]
    NoMasterKey,
    /// A customer CSV import with bad rows: 422 with the import's report (`report`), which
    /// lists every bad row; nothing was written.
    #[error("some rows of the file are invalid; see `report.errors`")]
    RowsInvalid(Box<tsunagu_admin::customer_csv::ImportReport>),
    /// A CRM backend's push the center refused (the server API): 409 `not_signed_in` /
    /// `agent_busy`, or 422 `dial_refused` with the policy's `reason`; `messages` in Japanese
    /// and English.
    #[error("{}", .0.message().en)]
    PushRefused(tsunagu_center::PushRefusal),
    /// A record to show that cannot be shown (the server API's screen pop): 422
    /// `invalid_record` with the problem's code as `reason`, `messages` in Japanese and English.
    #[error("{}", .0.message().en)]
    InvalidRecord(tsunagu_center::RecordProblem),
    /// A failure of ours or of the platform; logged with context, answered with an opaque 500.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    /// Why, for errors with several reasons (`dial_refused`: `premium_rate`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    message: &'a str,
    /// Each refused field of an `invalid` write.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [tsunagu_admin::FieldError]>,
    /// The message in Japanese and English, for errors a CRM's user may be shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<tsunagu_protocol::Localized>,
    /// The report of a refused CSV import.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a tsunagu_admin::customer_csv::ImportReport>,
}

impl AppError {
    fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            AppError::NotFound => (404, "not_found"),
            AppError::BadRequest(_) => (400, "bad_request"),
            AppError::UnknownTenant => (404, "unknown_tenant"),
            AppError::UpgradeRequired => (426, "upgrade_required"),
            AppError::Unauthorized(_) | AppError::Auth(_) => (401, "unauthorized"),
            AppError::BadSignature => (403, "bad_signature"),
            AppError::Forbidden(_) => (403, "forbidden"),
            AppError::MissingRole(_) => (403, "missing_role"),
            AppError::NotConfigured(_) => (409, "not_configured"),
            AppError::Conflict { code, .. } => (409, code),
            AppError::PayloadTooLarge => (413, "payload_too_large"),
            AppError::Unavailable(_) => (503, "unavailable"),
            AppError::DialRefused(_) => (403, "dial_refused"),
            AppError::WebCallsOff => (404, "web_calls_off"),
            AppError::ChallengeFailed => (403, "challenge_failed"),
            AppError::Invalid(_) => (422, "invalid"),
            AppError::NoMasterKey => (409, "no_master_key"),
            AppError::RowsInvalid(_) => (422, "invalid_rows"),
            AppError::PushRefused(refusal) => match refusal {
                tsunagu_center::PushRefusal::DialRefused { .. } => (422, "dial_refused"),
                tsunagu_center::PushRefusal::TooManyPushes => (429, "too_many_pushes"),
                other => (409, other.code()),
            },
            AppError::InvalidRecord(_) => (422, "invalid_record"),
            AppError::Internal(_) => (500, "internal"),
        }
    }

    pub(crate) fn into_response(self, method: &Method, path: &str) -> worker::Result<Response> {
        let (status, code) = self.status_and_code();
        let message = match &self {
            AppError::Internal(detail) => {
                console_error!(
                    "{}",
                    serde_json::json!({"level": "error", "method": method.as_ref(), "path": path, "detail": detail})
                );
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        let reason = match &self {
            AppError::DialRefused(refusal)
            | AppError::PushRefused(tsunagu_center::PushRefusal::DialRefused { reason: refusal }) => {
                Some(refusal.code())
            }
            AppError::InvalidRecord(problem) => Some(problem.code()),
            _ => None,
        };
        let messages = match &self {
            AppError::PushRefused(refusal) => Some(refusal.message()),
            AppError::InvalidRecord(problem) => Some(problem.message()),
            _ => None,
        };
        let fields = match &self {
            AppError::Invalid(invalid) => Some(invalid.0.as_slice()),
            _ => None,
        };
        let report = match &self {
            AppError::RowsInvalid(report) => Some(report.as_ref()),
            _ => None,
        };
        let body = ErrorBody {
            error: code,
            reason,
            message: &message,
            messages,
            fields,
            report,
        };
        Ok(Response::from_json(&body)?.with_status(status))
    }
}

/// Says which roles would have been allowed, so a CRM engineer can fix the embed token.
fn missing_role_message(permission: tsunagu_auth::Permission) -> &'static str {
    use tsunagu_auth::Permission;
    match permission {
        Permission::HandleCalls => "taking and placing calls needs the agent role",
        Permission::ReadLog => "reading the call log needs the agent, supervisor or admin role",
        Permission::Administer => "this needs the admin role (or an API key with the admin scope)",
        Permission::ReadDirectory => {
            "reading the directory needs the admin role or an API key with a directory scope"
        }
        Permission::WriteDirectory => {
            "changing the directory needs the admin role or an API key with the directory:write scope"
        }
        Permission::ReadRoutingAudit => {
            "routing explanations and dry runs need the supervisor or admin role (or an API key with conversations:read)"
        }
        Permission::PushToAgents => {
            "asking an agent's widget to call or show a record needs an API key with the calls:write scope (or the admin role)"
        }
    }
}

impl From<tsunagu_admin::Invalid> for AppError {
    fn from(invalid: tsunagu_admin::Invalid) -> Self {
        AppError::Invalid(invalid)
    }
}

impl From<worker::Error> for AppError {
    fn from(err: worker::Error) -> Self {
        AppError::Internal(err.to_string())
    }
}
