//! Gives every error a stable `extensions.code`, including those
//! async-graphql raises itself before or while executing. `operation.rs`
//! applies these at each step.

use async_graphql::{Response, ServerError};

use crate::error::{Code, ensure_code};

/// A request refused before parsing: an unknown persisted query (the
/// client then resends the query), or a malformed one.
pub(crate) fn refused_request(mut e: ServerError) -> ServerError {
    let code = if e.message == "PersistedQueryNotFound" {
        Code::PersistedQueryNotFound
    } else {
        Code::BadUserInput
    };
    ensure_code(&mut e, code);
    e
}

/// A document that does not parse.
pub(crate) fn parse_failed(mut e: ServerError) -> ServerError {
    ensure_code(&mut e, Code::ParseFailed);
    e
}

/// An error of a document that does not validate against the schema.
fn validation_failed(e: &mut ServerError) {
    // A variable or literal of the wrong type is bad user input, named by
    // its argument path ("filter.radiusKm").
    if let Some(rest) = e.message.strip_prefix("Invalid value for argument \"")
        && let Some((field, _)) = rest.split_once('"')
    {
        let field = field.to_owned();
        let ext = e.extensions.get_or_insert_with(Default::default);
        ext.set("code", Code::BadUserInput.as_str());
        ext.set("field", field);
    }
    ensure_code(e, Code::ValidationFailed);
}

/// The errors of an executed operation. Our resolvers always set a code.
/// What comes without one is async-graphql's: with no path, the document
/// did not validate (or named no operation it holds); with a path, it
/// refused an argument or variable value.
pub(crate) fn executed(response: &mut Response) {
    for e in &mut response.errors {
        if e.path.is_empty() {
            validation_failed(e);
        } else {
            ensure_code(e, Code::BadUserInput);
        }
    }
}
