//! The service layer's one error enum. Each API maps it to its own wire
//! form (GraphQL codes, HTTP statuses); internal failures are logged once,
//! here, with their context, and carry nothing a client could read.

use std::time::Duration;

use cortege_domain::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("authentication required, or the session is no longer valid")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A value refused; `field` is the input's path.
    #[error("{0}")]
    Invalid(ValidationError),
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: u64 },
    /// A dependency (the database) is out of reach for now.
    #[error("service momentarily unavailable; try again shortly")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(ValidationError::new(field, message))
    }

    pub fn not_found(what: &str) -> Self {
        Error::NotFound(format!("no such {what}"))
    }

    pub fn forbidden(why: impl Into<String>) -> Self {
        Error::Forbidden(why.into())
    }

    /// Logs `error` once with `context` and hides it behind INTERNAL.
    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %error, "{context}");
        Error::Internal
    }

    /// RATE_LIMITED, with the wait rounded up to whole seconds.
    pub fn rate_limited(wait: Duration) -> Self {
        Error::RateLimited {
            retry_after_seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}

impl From<cortege_db::Error> for Error {
    fn from(e: cortege_db::Error) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            return Error::Unavailable;
        }
        Error::internal("database error", &e)
    }
}
