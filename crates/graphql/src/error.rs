//! The API's errors: each has a stable `extensions.code`. Internal failures
//! are logged once, where they are converted, and reach clients as INTERNAL
//! with no detail.

use async_graphql::{ErrorExtensions, ServerError};
use cortege_domain::ValidationError;

/// Every code a client may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    RateLimited,
    QueryLimit,
    Timeout,
    Unavailable,
    Internal,
    ParseFailed,
    ValidationFailed,
    PersistedQueryNotFound,
}

impl Code {
    /// Every code, e.g. to publish each error counter from start-up.
    pub const ALL: [Code; 13] = [
        Code::Unauthenticated,
        Code::Forbidden,
        Code::NotFound,
        Code::BadUserInput,
        Code::Conflict,
        Code::RateLimited,
        Code::QueryLimit,
        Code::Timeout,
        Code::Unavailable,
        Code::Internal,
        Code::ParseFailed,
        Code::ValidationFailed,
        Code::PersistedQueryNotFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::Conflict => "CONFLICT",
            Code::RateLimited => "RATE_LIMITED",
            Code::QueryLimit => "QUERY_LIMIT",
            Code::Timeout => "TIMEOUT",
            Code::Unavailable => "UNAVAILABLE",
            Code::Internal => "INTERNAL",
            Code::ParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
        }
    }
}

/// An error as the API answers it. Deliberately not `Display`: async-graphql
/// turns any `Display` type into an error carrying its text, which would let
/// internal details through; this one converts only through its own `From`.
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated,
    Forbidden(String),
    NotFound(String),
    BadInput {
        field: String,
        message: String,
    },
    Conflict(String),
    RateLimited {
        retry_after_seconds: u64,
    },
    /// A dependency (the database) is out of reach for now: the client may
    /// retry after `retryAfterSeconds`.
    Unavailable,
    Internal,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Logs `error` once with `context` and hides it behind INTERNAL.
    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %error, "{context}");
        ApiError::Internal
    }

    /// The message clients see.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => {
                "authentication required, or the session is no longer valid".to_owned()
            }
            ApiError::Forbidden(m) | ApiError::NotFound(m) | ApiError::Conflict(m) => m.clone(),
            ApiError::BadInput { field, message } => format!("{field}: {message}"),
            ApiError::RateLimited {
                retry_after_seconds,
            } => {
                format!("too many attempts; try again in {retry_after_seconds} seconds")
            }
            ApiError::Unavailable => {
                "service momentarily unavailable; try again shortly".to_owned()
            }
            ApiError::Internal => "internal error".to_owned(),
        }
    }

    pub fn code(&self) -> Code {
        match self {
            ApiError::Unauthenticated => Code::Unauthenticated,
            ApiError::Forbidden(_) => Code::Forbidden,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::BadInput { .. } => Code::BadUserInput,
            ApiError::Conflict(_) => Code::Conflict,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::Unavailable => Code::Unavailable,
            ApiError::Internal => Code::Internal,
        }
    }

    /// A validation error of a domain value, under the argument's path.
    pub fn invalid(prefix: &str, e: ValidationError) -> Self {
        let e = if prefix.is_empty() {
            e
        } else {
            e.under(prefix)
        };
        ApiError::BadInput {
            field: e.field,
            message: e.message,
        }
    }
}

/// A domain value that does not parse, under the field it names.
impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::invalid("", e)
    }
}

/// The service layer's errors, one to one.
impl From<cortege_app::Error> for ApiError {
    fn from(e: cortege_app::Error) -> Self {
        use cortege_app::Error as E;
        match e {
            E::Unauthenticated => ApiError::Unauthenticated,
            E::Forbidden(m) => ApiError::Forbidden(m),
            E::NotFound(m) => ApiError::NotFound(m),
            E::Invalid(v) => ApiError::BadInput {
                field: v.field,
                message: v.message,
            },
            E::Conflict(m) => ApiError::Conflict(m),
            E::RateLimited {
                retry_after_seconds,
            } => ApiError::RateLimited {
                retry_after_seconds,
            },
            E::Unavailable => ApiError::Unavailable,
            E::Internal => ApiError::Internal,
        }
    }
}

/// Seconds a client should wait before retrying an UNAVAILABLE answer.
pub const UNAVAILABLE_RETRY_SECONDS: u64 = 2;

impl From<cortege_db::Error> for ApiError {
    fn from(e: cortege_db::Error) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            return ApiError::Unavailable;
        }
        ApiError::internal("database error", &e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code().as_str();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", code);
            match &e {
                ApiError::BadInput { field, .. } => ext.set("field", field.as_str()),
                ApiError::RateLimited {
                    retry_after_seconds,
                } => ext.set("retryAfterSeconds", *retry_after_seconds),
                ApiError::Unavailable => ext.set("retryAfterSeconds", UNAVAILABLE_RETRY_SECONDS),
                _ => {}
            }
        })
    }
}

/// A request-level error (no field resolved), as the HTTP layer answers it.
pub fn server_error(e: ApiError) -> ServerError {
    let err: async_graphql::Error = e.into();
    err.into_server_error(async_graphql::Pos::default())
}

/// A request-level error with this code (limits, timeouts).
pub fn coded(message: impl Into<String>, code: Code) -> ServerError {
    let mut e = ServerError::new(message, None);
    ensure_code(&mut e, code);
    e
}

/// Adds `code` to an error that has none.
pub fn ensure_code(error: &mut ServerError, code: Code) {
    let ext = error.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
}
