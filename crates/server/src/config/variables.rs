//! Refusing `CORTEGE_*` variables that are no setting of this version.

/// Variables read outside the flags (before the flags are parsed).
const OTHER_VARIABLES: &[&str] = &["CORTEGE_LOG_FORMAT"];

/// Refuses a `CORTEGE_*` variable that is no setting of this version: a
/// typo (`CORTEGE_REDIS_URI`) or a setting from another version would
/// otherwise be ignored in silence, and the server run with a default the
/// operator did not mean.
pub fn refuse_unknown_variables(
    settings: impl IntoIterator<Item = String>,
    environment: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<(), String> {
    let mut known: Vec<String> = settings.into_iter().collect();
    known.extend(OTHER_VARIABLES.iter().map(|v| (*v).to_owned()));
    let mut unknown: Vec<String> = environment
        .into_iter()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| name.starts_with("CORTEGE_") && !known.contains(name))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort();
    let described: Vec<String> = unknown
        .iter()
        .map(|name| match closest(name, &known) {
            Some(near) => format!("{name} (did you mean {near}?)"),
            None => name.clone(),
        })
        .collect();
    Err(format!(
        "unknown setting{} {}: this version has no such setting (see cortege --help); \
         remove or correct it",
        if unknown.len() > 1 { "s" } else { "" },
        described.join(", ")
    ))
}

/// The known name that shares the longest start with `name`, when it
/// shares more than the prefix and a word.
fn closest<'k>(name: &str, known: &'k [String]) -> Option<&'k str> {
    let shared = |k: &str| {
        name.bytes()
            .zip(k.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    known
        .iter()
        .map(|k| (shared(k), k.as_str()))
        .filter(|(n, _)| *n > "CORTEGE_".len() + 2)
        .max_by_key(|(n, _)| *n)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(vars: &[&str]) -> Result<(), String> {
        refuse_unknown_variables(
            ["CORTEGE_REDIS_URL".to_owned(), "CORTEGE_LISTEN".to_owned()],
            vars.iter().map(|v| ((*v).into(), "x".into())),
        )
    }

    #[test]
    fn unknown_cortege_variables_are_refused_by_name() {
        assert!(check(&["CORTEGE_REDIS_URL", "CORTEGE_LOG_FORMAT", "HOME"]).is_ok());
        let e = check(&["CORTEGE_REDIS_URI", "CORTEGE_LISTEN"]).unwrap_err();
        assert!(
            e.contains("CORTEGE_REDIS_URI (did you mean CORTEGE_REDIS_URL?)"),
            "{e}"
        );
        let e = check(&["CORTEGE_NOPE"]).unwrap_err();
        assert!(
            e.contains("CORTEGE_NOPE") && !e.contains("did you mean"),
            "{e}"
        );
    }
}
