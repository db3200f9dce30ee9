//! Secrets read from files: `CORTEGE_DATABASE_URL_FILE=/run/secrets/db`
//! instead of `CORTEGE_DATABASE_URL=…`, as Docker secrets and systemd's
//! credentials hand them over, so that a password need not sit in the
//! environment, where `docker inspect` and `/proc/<pid>/environ` show it.

use std::ffi::OsString;
use std::path::PathBuf;

use super::Config;

/// The settings that may come from a file; each is read from the file
/// named by the same variable with `_FILE` appended.
pub const SECRET_SETTINGS: &[&str] = &[
    "CORTEGE_DATABASE_URL",
    "CORTEGE_ANALYTICS_DATABASE_URL",
    "CORTEGE_READ_DATABASE_URL",
    "CORTEGE_DIRECT_DATABASE_URL",
    "CORTEGE_REDIS_URL",
    "CORTEGE_SMTP_PASSWORD",
    "CORTEGE_VAPID_PRIVATE_KEY",
];

/// The `_FILE` variables, for the check of unknown variables.
pub fn secret_file_variables() -> impl Iterator<Item = String> {
    SECRET_SETTINGS.iter().map(|s| format!("{s}_FILE"))
}

impl Config {
    fn secret_mut(&mut self, setting: &str) -> Option<&mut Option<String>> {
        match setting {
            "CORTEGE_DATABASE_URL" => Some(&mut self.database_url),
            "CORTEGE_ANALYTICS_DATABASE_URL" => Some(&mut self.analytics_database_url),
            "CORTEGE_READ_DATABASE_URL" => Some(&mut self.read_database_url),
            "CORTEGE_DIRECT_DATABASE_URL" => Some(&mut self.direct_database_url),
            "CORTEGE_REDIS_URL" => Some(&mut self.redis_url),
            "CORTEGE_SMTP_PASSWORD" => Some(&mut self.smtp_password),
            "CORTEGE_VAPID_PRIVATE_KEY" => Some(&mut self.vapid_private_key),
            _ => None,
        }
    }

    /// Fills each secret setting from the file its `_FILE` variable names
    /// (`variable` looks a variable up: the process environment, or a
    /// test's). The file's content is the value, less one trailing line
    /// break. Setting both the variable and its `_FILE` is refused: which
    /// one wins would be a guess.
    pub fn read_secret_files(
        &mut self,
        variable: impl Fn(&str) -> Option<OsString>,
    ) -> Result<(), String> {
        for setting in SECRET_SETTINGS {
            let file_variable = format!("{setting}_FILE");
            let Some(path) = variable(&file_variable).map(PathBuf::from) else {
                continue;
            };
            if variable(setting).is_some() {
                return Err(format!(
                    "{setting} and {file_variable} are both set: keep one"
                ));
            }
            let content = std::fs::read_to_string(&path)
                .map_err(|e| format!("{file_variable}: cannot read {}: {e}", path.display()))?;
            let value = content
                .strip_suffix('\n')
                .map(|v| v.strip_suffix('\r').unwrap_or(v))
                .unwrap_or(&content);
            if value.is_empty() {
                return Err(format!("{file_variable}: {} is empty", path.display()));
            }
            if let Some(slot) = self.secret_mut(setting) {
                *slot = Some(value.to_owned());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn config() -> Config {
        let mut c = Config::defaults();
        for setting in SECRET_SETTINGS {
            if let Some(slot) = c.secret_mut(setting) {
                *slot = None;
            }
        }
        c
    }

    #[test]
    fn a_secret_comes_from_its_file_without_the_line_break() {
        let dir = std::env::temp_dir().join(format!("cortege-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("db");
        std::fs::write(&db, "postgres://cortege:s3cr%40t@db/cortege\r\n").unwrap();
        let smtp = dir.join("smtp");
        std::fs::write(&smtp, "mot de passe").unwrap();
        let mut c = config();
        c.read_secret_files(lookup(&[
            ("CORTEGE_DATABASE_URL_FILE", db.to_str().unwrap()),
            ("CORTEGE_SMTP_PASSWORD_FILE", smtp.to_str().unwrap()),
        ]))
        .unwrap();
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgres://cortege:s3cr%40t@db/cortege")
        );
        assert_eq!(c.smtp_password.as_deref(), Some("mot de passe"));
        assert_eq!(c.redis_url, None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn both_a_secret_and_its_file_or_a_missing_file_are_refused() {
        let mut c = config();
        let e = c
            .read_secret_files(lookup(&[
                ("CORTEGE_REDIS_URL", "redis://r"),
                ("CORTEGE_REDIS_URL_FILE", "/run/secrets/redis"),
            ]))
            .unwrap_err();
        assert!(e.contains("both set"), "{e}");
        let e = c
            .read_secret_files(lookup(&[("CORTEGE_REDIS_URL_FILE", "/nonexistent/redis")]))
            .unwrap_err();
        assert!(
            e.contains("CORTEGE_REDIS_URL_FILE: cannot read /nonexistent/redis"),
            "{e}"
        );
    }

    #[test]
    fn every_secret_setting_has_a_field() {
        let mut c = config();
        for setting in SECRET_SETTINGS {
            assert!(c.secret_mut(setting).is_some(), "{setting}");
        }
    }
}
