//! `cortege import-members FILE.csv`: the movement's existing member file.
//!
//! The file is streamed (memory stays flat whatever its size): each row is
//! checked here, valid rows are COPYed into a staging table, then merged
//! into people in one transaction (see cortege_db::import). Every refused
//! row goes to a report with its line number and reason.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use cortege_db::PgPool;
use cortege_db::bulk::{Table, copy_escape, copy_from};
use cortege_domain::{Email, PersonName, Postcode};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;
use uuid::Uuid;

const CHUNK_ROWS: usize = 5_000;
const MAX_TAGS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Valid rows that changed nothing (already imported, or repeated).
    pub unchanged: u64,
    pub rejected: u64,
    pub report: PathBuf,
}

/// Where each known column sits in the file.
struct Columns {
    first_name: usize,
    last_name: usize,
    email: usize,
    postcode: Option<usize>,
    phone: Option<usize>,
    tags: Option<usize>,
}

impl Columns {
    fn find(header: &csv::ByteRecord) -> anyhow::Result<Self> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_lowercase()
            })
            .collect();
        let at = |name: &str| names.iter().position(|n| n == name);
        let need = |name: &str| {
            at(name).with_context(|| {
                format!(
                    "the header has no {name} column (found: {})",
                    names.join(", ")
                )
            })
        };
        Ok(Self {
            first_name: need("first_name")?,
            last_name: need("last_name")?,
            email: need("email")?,
            postcode: at("postcode"),
            phone: at("phone"),
            tags: at("tags"),
        })
    }
}

/// A checked row, ready for COPY.
struct Row {
    email: String,
    first_name: String,
    last_name: String,
    postcode: Option<String>,
    phone: Option<String>,
    tags: Vec<String>,
}

fn check(record: &csv::ByteRecord, c: &Columns) -> Result<Row, String> {
    let mut fields = Vec::with_capacity(record.len());
    for raw in record.iter() {
        match std::str::from_utf8(raw) {
            Ok(s) => fields.push(s),
            Err(_) => {
                return Err(
                    "not valid UTF-8: save the file as UTF-8 (it looks like Latin-1/Windows-1252)"
                        .to_owned(),
                );
            }
        }
    }
    let get = |i: usize| fields.get(i).copied().unwrap_or("").trim();
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());
    let email = Email::parse(get(c.email), "email").map_err(|e| format!("email: {e}"))?;
    let first = PersonName::parse(get(c.first_name), "first_name")
        .map_err(|e| format!("first_name: {e}"))?;
    let last =
        PersonName::parse(get(c.last_name), "last_name").map_err(|e| format!("last_name: {e}"))?;
    let postcode = opt(c.postcode)
        .map(|p| Postcode::parse(p, "postcode").map(|p| p.as_str().to_owned()))
        .transpose()
        .map_err(|e| format!("postcode: {e}"))?;
    let phone = opt(c.phone).map(normalize_phone).transpose()?;
    let tags: Vec<String> = opt(c.tags)
        .map(|t| {
            t.split(['|', ','])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(50).collect())
                .collect()
        })
        .unwrap_or_default();
    if tags.len() > MAX_TAGS {
        return Err(format!("tags: at most {MAX_TAGS}"));
    }
    Ok(Row {
        email: email.as_str().to_owned(),
        first_name: first.into_inner(),
        last_name: last.into_inner(),
        postcode,
        phone,
        tags,
    })
}

/// Digits with an optional leading +, as stored: "06 12 34 56 78" → "0612345678".
fn normalize_phone(raw: &str) -> Result<String, String> {
    let plus = raw.starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let junk = raw
        .chars()
        .any(|c| !(c.is_ascii_digit() || " .-+()/".contains(c)));
    if junk || !(6..=20).contains(&digits.len()) {
        return Err("phone: not a phone number".to_owned());
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// The delimiter of the header line: whichever of ';' and ',' it has more of.
fn sniff_delimiter(path: &Path) -> anyhow::Result<u8> {
    let mut first = Vec::new();
    BufReader::new(File::open(path)?).read_until(b'\n', &mut first)?;
    let count = |b: u8| first.iter().filter(|c| **c == b).count();
    Ok(if count(b';') > count(b',') {
        b';'
    } else {
        b','
    })
}

/// A reader that counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

fn report_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".rejected.csv");
    file.with_file_name(name)
}

/// Imports the member file; the report of refused rows is written beside
/// it (`FILE.csv.rejected.csv`) unless `report` says where.
pub async fn import_members(
    pool: &PgPool,
    file: &Path,
    report: Option<PathBuf>,
) -> anyhow::Result<Summary> {
    let report_path = report.unwrap_or_else(|| report_path(file));
    let delimiter = sniff_delimiter(file).with_context(|| format!("reading {}", file.display()))?;
    let size = std::fs::metadata(file)?.len();
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let import = Uuid::new_v4();
    let (tx, rx) = mpsc::channel::<Vec<u8>>(8);
    let reader_file = file.to_owned();
    let reader_report = report_path.clone();
    let reader_bar = bar.clone();
    // Parsing and checking run on a blocking thread while rows stream into
    // PostgreSQL.
    let producer = tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, u64)> {
        let input = Counting {
            inner: BufReader::new(File::open(&reader_file)?),
            bar: reader_bar.clone(),
        };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let columns = Columns::find(csv.byte_headers()?)?;
        let mut report = std::io::BufWriter::new(File::create(&reader_report)?);
        writeln!(report, "line,reason,email")?;
        let (mut rows, mut rejected) = (0u64, 0u64);
        let mut chunk = String::new();
        let mut in_chunk = 0;
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    // A malformed line (an unclosed quote, say) stops the
                    // parse: report it and keep what came before.
                    rejected += 1;
                    let line = e.position().map_or(0, |p| p.line());
                    writeln!(
                        report,
                        "{line},\"unreadable CSV: {}\",",
                        e.to_string().replace('"', "'")
                    )?;
                    break;
                }
            }
            rows += 1;
            let line = record.position().map_or(0, |p| p.line());
            match check(&record, &columns) {
                Ok(row) => {
                    chunk.push_str(&format!("{import}\t{line}\t"));
                    for value in [&row.email, &row.first_name, &row.last_name] {
                        copy_escape(value, &mut chunk);
                        chunk.push('\t');
                    }
                    for value in [row.postcode.as_deref(), row.phone.as_deref()] {
                        match value {
                            Some(v) => copy_escape(v, &mut chunk),
                            None => chunk.push_str("\\N"),
                        }
                        chunk.push('\t');
                    }
                    copy_escape(&row.tags.join("|"), &mut chunk);
                    chunk.push('\n');
                    in_chunk += 1;
                }
                Err(reason) => {
                    rejected += 1;
                    let email = record
                        .get(columns.email)
                        .map(String::from_utf8_lossy)
                        .unwrap_or_default();
                    writeln!(
                        report,
                        "{line},\"{}\",\"{}\"",
                        reason.replace('"', "'"),
                        email.replace('"', "'")
                    )?;
                }
            }
            if in_chunk == CHUNK_ROWS {
                if tx
                    .blocking_send(std::mem::take(&mut chunk).into_bytes())
                    .is_err()
                {
                    anyhow::bail!("the database stopped the import");
                }
                in_chunk = 0;
            }
        }
        if !chunk.is_empty() && tx.blocking_send(chunk.into_bytes()).is_err() {
            anyhow::bail!("the database stopped the import");
        }
        report.flush()?;
        Ok((rows, rejected))
    });
    let copied = copy_from(pool, Table::ImportStaging, rx).await;
    let (rows, mut rejected) = match producer.await.context("import reader")? {
        Ok(r) => r,
        Err(e) => {
            cortege_db::import::discard(pool, import).await.ok();
            return Err(e);
        }
    };
    let copied = match copied {
        Ok(n) => n,
        Err(e) => {
            cortege_db::import::discard(pool, import).await.ok();
            return Err(e.into());
        }
    };
    bar.set_message("merging");
    let merged = cortege_db::import::merge(pool, import).await?;
    bar.finish_and_clear();
    let mut report = std::fs::OpenOptions::new()
        .append(true)
        .open(&report_path)?;
    for (line, email, reason) in &merged.rejected {
        writeln!(
            report,
            "{line},\"{reason}\",\"{}\"",
            email.replace('"', "'")
        )?;
    }
    rejected += merged.rejected.len() as u64;
    let accepted = copied - merged.rejected.len() as u64;
    Ok(Summary {
        rows,
        inserted: merged.inserted,
        updated: merged.updated,
        unchanged: accepted.saturating_sub(merged.inserted + merged.updated),
        rejected,
        report: report_path,
    })
}
