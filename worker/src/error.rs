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
    /// The request body is longer than the route accepts; refused before it is read.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// A limit of the tenant's is reached for now (e.g. its open sessions); try again later.
    #[error("{0}")]
    Unavailable(&'static str),
    /// A failure of ours or of the platform; logged with context, answered with an opaque 500.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
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
            AppError::NotConfigured(_) => (409, "not_configured"),
            AppError::Conflict { code, .. } => (409, code),
            AppError::PayloadTooLarge => (413, "payload_too_large"),
            AppError::Unavailable(_) => (503, "unavailable"),
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
        let body = ErrorBody {
            error: code,
            message: &message,
        };
        Ok(Response::from_json(&body)?.with_status(status))
    }
}

impl From<worker::Error> for AppError {
    fn from(err: worker::Error) -> Self {
        AppError::Internal(err.to_string())
    }
}
