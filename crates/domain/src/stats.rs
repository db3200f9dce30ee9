//! The rules of the statistics: which buckets a breakdown may ask for,
//! when a count is too small to show, and which periods the daily rollup
//! answers exactly.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

use crate::error::ValidationError;
use crate::kinds::StatsDimension;

/// Counts of people below this many are shown as null (small-cell
/// suppression), whoever asks: a bucket of three participants in a village
/// says who went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinCell(u32);

impl MinCell {
    pub const DEFAULT: MinCell = MinCell(5);

    /// At least 1 (which shows every count).
    pub fn new(n: u32) -> Option<Self> {
        (n >= 1).then_some(MinCell(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The count, or None when it is small enough to single someone out.
    /// Zero is shown: "nobody" names no one.
    pub fn show(self, people: i64) -> Option<i64> {
        (people == 0 || people >= i64::from(self.0)).then_some(people)
    }
}

impl Default for MinCell {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The dimensions of a breakdown: one to three, each at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown(Vec<StatsDimension>);

impl Breakdown {
    pub const MAX_DIMENSIONS: usize = 3;

    pub fn new(dimensions: Vec<StatsDimension>) -> Result<Self, ValidationError> {
        if dimensions.is_empty() || dimensions.len() > Self::MAX_DIMENSIONS {
            return Err(ValidationError::new(
                "groupBy",
                "asks for one to three dimensions",
            ));
        }
        for (i, d) in dimensions.iter().enumerate() {
            if dimensions[..i].contains(d) {
                return Err(ValidationError::new(
                    "groupBy",
                    format!("names {} twice", d.as_str()),
                ));
            }
        }
        Ok(Breakdown(dimensions))
    }

    pub fn dimensions(&self) -> &[StatsDimension] {
        &self.0
    }

    /// The finest place among the dimensions, whose population makes the
    /// per-capita figure: a commune within its department is the commune.
    pub fn place(&self) -> Option<StatsDimension> {
        [
            StatsDimension::Commune,
            StatsDimension::Department,
            StatsDimension::Region,
        ]
        .into_iter()
        .find(|d| self.0.contains(d))
    }
}

/// How many rows a breakdown returns at most.
pub fn breakdown_rows(first: Option<i32>) -> Result<i64, ValidationError> {
    const DEFAULT: i64 = 1_000;
    const MAX: i64 = 10_000;
    match first.map(i64::from) {
        None => Ok(DEFAULT),
        Some(n) if (1..=MAX).contains(&n) => Ok(n),
        Some(_) => Err(ValidationError::new(
            "first",
            format!("must be between 1 and {MAX}"),
        )),
    }
}

/// The Europe/Paris day that starts at this instant, if it is a midnight
/// there: the daily rollup answers exactly the periods whose bounds are.
pub fn paris_midnight(t: DateTime<Utc>) -> Option<NaiveDate> {
    let local = t.with_timezone(&Paris);
    (local.time() == NaiveTime::MIN).then(|| local.date_naive())
}

/// The instant a Europe/Paris day starts.
pub fn paris_day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    Paris
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// An INSEE department or region code as a filter ("13", "2A", "971",
/// "93"): trimmed, upper case, one to three letters or digits.
pub fn insee_code(raw: Option<String>, field: &str) -> Result<Option<String>, ValidationError> {
    match raw.map(|s| s.trim().to_uppercase()) {
        Some(s) if s.is_empty() || s.len() > 3 || !s.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Err(ValidationError::new(field, "is not an INSEE code"))
        }
        other => Ok(other),
    }
}

/// Events per 10,000 inhabitants, when the place has a known population.
pub fn per_ten_thousand(count: i64, population: Option<i64>) -> Option<f64> {
    match population {
        Some(p) if p > 0 => {
            #[allow(clippy::cast_precision_loss)]
            let ratio = count as f64 * 10_000.0 / p as f64;
            Some((ratio * 1000.0).round() / 1000.0)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_hidden_from_one_below_the_threshold() {
        let m = MinCell::DEFAULT;
        assert_eq!(m.show(4), None);
        assert_eq!(m.show(5), Some(5));
        assert_eq!(m.show(0), Some(0));
        assert_eq!(MinCell::new(0), None);
        assert_eq!(MinCell::new(1).map(|m| m.show(1)), Some(Some(1)));
    }

    #[test]
    fn a_breakdown_has_one_to_three_distinct_dimensions() {
        use StatsDimension::*;
        assert!(Breakdown::new(vec![]).is_err());
        assert!(Breakdown::new(vec![Department, Department]).is_err());
        assert!(Breakdown::new(vec![Commune, Kind, Week, Month]).is_err());
        let b = Breakdown::new(vec![Week, Department, Commune]).expect("valid");
        assert_eq!(b.place(), Some(Commune));
        assert_eq!(Breakdown::new(vec![Kind]).expect("valid").place(), None);
    }

    #[test]
    fn midnights_are_read_in_paris_time() {
        let winter: DateTime<Utc> = "2026-11-30T23:00:00Z".parse().expect("time");
        assert_eq!(paris_midnight(winter), NaiveDate::from_ymd_opt(2026, 12, 1));
        let summer: DateTime<Utc> = "2026-06-30T22:00:00Z".parse().expect("time");
        assert_eq!(paris_midnight(summer), NaiveDate::from_ymd_opt(2026, 7, 1));
        let noon: DateTime<Utc> = "2026-06-30T12:00:00Z".parse().expect("time");
        assert_eq!(paris_midnight(noon), None);
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        assert_eq!(paris_day_start(day), Some(winter));
    }

    #[test]
    fn per_capita_needs_a_population() {
        assert_eq!(per_ten_thousand(3, Some(30_000)), Some(1.0));
        assert_eq!(per_ten_thousand(3, Some(0)), None);
        assert_eq!(per_ten_thousand(3, None), None);
        assert_eq!(breakdown_rows(None), Ok(1_000));
        assert!(breakdown_rows(Some(0)).is_err());
        assert!(breakdown_rows(Some(10_001)).is_err());
    }
}
