//! Why an embed or session token was refused; every message is fit for a 401 body.

use crate::jwt::JwtError;

/// Why a token was refused or could not be minted. Messages never quote the token or a claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("The token is malformed.")]
    Malformed,
    #[error("The token must be signed with HS256.")]
    UnsupportedAlgorithm,
    #[error("The token's signature is invalid.")]
    BadSignature,
    #[error("The token has expired.")]
    Expired,
    #[error("The token is not valid yet.")]
    NotYetValid,
    #[error("The token's lifetime is longer than allowed.")]
    LifetimeTooLong,
    #[error("The token is meant for another audience.")]
    WrongAudience,
    #[error("The token's `{0}` claim is missing or invalid.")]
    InvalidClaim(&'static str),
    /// Every token must carry a `jti` (its id): embed tokens are single-use, and the id is what
    /// the replay cache remembers.
    #[error("The token has no `jti` claim; every embed token needs a unique id.")]
    MissingTokenId,
    #[error("The signing secret is shorter than 32 bytes.")]
    WeakSecret,
}

impl From<JwtError> for AuthError {
    fn from(err: JwtError) -> Self {
        match err {
            JwtError::UnsupportedAlgorithm => Self::UnsupportedAlgorithm,
            JwtError::BadSignature => Self::BadSignature,
            JwtError::TooLarge
            | JwtError::Malformed
            | JwtError::UnsupportedCriticalHeader
            | JwtError::ClaimsNotAnObject => Self::Malformed,
        }
    }
}
