//! `cortege seed-demo`: realistic demonstration data across France, for
//! trying the product and for the benchmarks. People and events are placed
//! around commune centres, weighted by population; every event kind, RSVPs
//! (within capacity), groups and friendships. Loaded with COPY.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Duration, Utc};
use cortege_db::PgPool;
use cortege_db::bulk::{SeedCommune, Table};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

mod rows;
mod vocabulary;

use rows::{CHUNK_ROWS, copy, earth, field, opt_field, ts};
use vocabulary::{FIRST, KINDS, LAST, PLACES};

/// How much to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct SeedOptions {
    #[arg(long, default_value_t = 1_000)]
    pub people: u64,
    #[arg(long, default_value_t = 1_000)]
    pub events: u64,
    /// RSVPs in all, approximately (default: five per event).
    #[arg(long)]
    pub rsvps: Option<u64>,
    /// Groups (default: one per 200 people).
    #[arg(long)]
    pub groups: Option<u64>,
    /// Accepted friendships (default: two per person).
    #[arg(long)]
    pub friendships: Option<u64>,
    /// Random seed, for reproducible data into an empty database (default:
    /// a new one each run, so runs add up).
    #[arg(long)]
    pub seed: Option<u64>,
}

struct World {
    communes: Vec<SeedCommune>,
    weights: WeightedIndex<f64>,
}

impl World {
    /// A commune, weighted by population, and a point a few kilometres
    /// around its centre.
    fn place(&self, rng: &mut StdRng) -> (&SeedCommune, f64, f64) {
        let c = &self.communes[self.weights.sample(rng)];
        // Larger towns spread wider; about 1 km for a village, 6 km for Paris.
        let spread_km = (f64::from(c.population.max(500)) / 500.0)
            .log10()
            .clamp(0.5, 3.5)
            * 1.6;
        let r = spread_km * rng.random::<f64>().sqrt();
        let theta = rng.random::<f64>() * std::f64::consts::TAU;
        let lat = c.lat + (r * theta.sin()) / 111.0;
        let lon = c.lon + (r * theta.cos()) / (111.0 * c.lat.to_radians().cos().max(0.2));
        (c, lat.clamp(-90.0, 90.0), lon.clamp(-180.0, 180.0))
    }
}

/// Who RSVPs to each event, drawn from a generator seeded per event, so
/// the events pass can store each event's seats and the RSVPs pass write
/// the matching rows, with no bulk update afterwards.
struct RsvpPlan {
    seed: u64,
    per_event: f64,
}

impl RsvpPlan {
    /// The GOING parties (person, guests) of event `i` and the seats they take.
    fn party(&self, i: usize, capacity: Option<i32>, people: &[Uuid]) -> (Vec<(Uuid, i32)>, i32) {
        let mut rng =
            StdRng::seed_from_u64(self.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let want = (self.per_event * 2.0 * rng.random::<f64>()).round() as usize;
        let mut seats = 0;
        let mut seen = HashSet::new();
        let mut parties = Vec::with_capacity(want);
        for _ in 0..want {
            let p = people[rng.random_range(0..people.len())];
            let guests = if rng.random_bool(0.85) {
                0
            } else {
                rng.random_range(1..3)
            };
            if capacity.is_some_and(|c| seats + 1 + guests > c) || !seen.insert(p) {
                continue;
            }
            seats += 1 + guests;
            parties.push((p, guests));
        }
        (parties, seats)
    }
}

pub async fn seed(pool: &PgPool, o: &SeedOptions) -> anyhow::Result<()> {
    let communes = cortege_db::bulk::seed_communes(pool).await?;
    anyhow::ensure!(
        !communes.is_empty(),
        "the reference data is not loaded: run cortege migrate"
    );
    let weights = WeightedIndex::new(communes.iter().map(|c| f64::from(c.population)))?;
    let world = std::sync::Arc::new(World { communes, weights });
    let base_seed = o.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(base_seed);
    let now = Utc::now();
    let started = Instant::now();

    // People: ids kept to draw organisers, attendees, members and friends.
    let people: std::sync::Arc<Vec<Uuid>> = std::sync::Arc::new(
        (0..o.people)
            .map(|_| Uuid::from_u128(rng.random()))
            .collect(),
    );
    {
        let (world, people, mut rng) = (
            world.clone(),
            people.clone(),
            StdRng::seed_from_u64(base_seed.wrapping_add(1)),
        );
        let mut i = 0usize;
        let n = copy(pool, Table::People, move |out| {
            for _ in 0..CHUNK_ROWS {
                let Some(id) = people.get(i) else {
                    return false;
                };
                let first = FIRST[rng.random_range(0..FIRST.len())];
                let last = LAST[rng.random_range(0..LAST.len())];
                let (c, lat, lon) = world.place(&mut rng);
                field(out, &id.to_string());
                field(out, first);
                field(out, last);
                field(out, &format!("demo-{}@demo.invalid", id.simple()));
                field(out, &c.postcode);
                field(out, &c.code);
                let _ = write!(
                    out,
                    "{lat}\t{lon}\t{}\t",
                    [5, 10, 20, 30, 50][rng.random_range(0..5)]
                );
                let joined = now - Duration::days(rng.random_range(0..900));
                field(out, &ts(joined));
                out.push_str(&ts(joined));
                out.push('\n');
                i += 1;
            }
            true
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "people");
    }

    // Groups, each with a manager and members; the organisers of group events.
    let group_count = o
        .groups
        .unwrap_or(o.people / 200)
        .max(1)
        .min(o.people.max(1));
    let groups: Vec<(Uuid, Uuid)> = (0..group_count)
        .map(|_| {
            (
                Uuid::from_u128(rng.random()),
                people[rng.random_range(0..people.len())],
            )
        })
        .collect();
    {
        let (world, groups2, mut rng) = (
            world.clone(),
            groups.clone(),
            StdRng::seed_from_u64(base_seed.wrapping_add(2)),
        );
        let mut i = 0usize;
        let n = copy(pool, Table::Groups, move |out| {
            for _ in 0..CHUNK_ROWS {
                let Some((id, manager)) = groups2.get(i) else {
                    return false;
                };
                let (c, lat, lon) = world.place(&mut rng);
                field(out, &id.to_string());
                field(out, &format!("{} insoumise {}", c.name, i + 1));
                field(out, &format!("Le groupe d'action de {}.", c.name));
                field(
                    out,
                    if rng.random_bool(0.8) {
                        "OPEN"
                    } else {
                        "APPROVAL"
                    },
                );
                let _ = write!(out, "{lat}\t{lon}\t");
                field(out, &earth(lat, lon));
                field(out, &c.postcode);
                field(out, &c.name);
                field(out, &c.code);
                field(out, &manager.to_string());
                out.push_str(&ts(now - Duration::days(rng.random_range(0..700))));
                out.push('\n');
                i += 1;
            }
            true
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "groups");
    }
    {
        let (people, groups2, mut rng) = (
            people.clone(),
            groups.clone(),
            StdRng::seed_from_u64(base_seed.wrapping_add(3)),
        );
        let mut i = 0usize;
        let n = copy(pool, Table::Memberships, move |out| {
            let mut rows = 0;
            while rows < CHUNK_ROWS {
                let Some((group, manager)) = groups2.get(i) else {
                    return false;
                };
                let t = ts(now - Duration::days(rng.random_range(0..600)));
                let _ = writeln!(out, "{group}\t{manager}\tMANAGER\tACTIVE\t{t}\t{t}");
                let mut seen = HashSet::from([*manager]);
                for _ in 0..rng.random_range(3..40) {
                    let p = people[rng.random_range(0..people.len())];
                    if seen.insert(p) {
                        let _ = writeln!(out, "{group}\t{p}\tMEMBER\tACTIVE\t{t}\t{t}");
                        rows += 1;
                    }
                }
                rows += 1;
                i += 1;
            }
            true
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "memberships");
    }

    // Events: from two months ago to three months ahead, every kind.
    let events: std::sync::Arc<Vec<(Uuid, Option<i32>)>> = std::sync::Arc::new(
        (0..o.events)
            .map(|_| {
                let capacity = rng.random_bool(0.3).then(|| rng.random_range(8..120));
                (Uuid::from_u128(rng.random()), capacity)
            })
            .collect(),
    );
    let rsvp_plan = std::sync::Arc::new(RsvpPlan {
        seed: base_seed.wrapping_add(5),
        per_event: o.rsvps.unwrap_or(o.events * 5) as f64 / (o.events.max(1) as f64),
    });
    {
        let (world, people, events2, groups2, plan, mut rng) = (
            world.clone(),
            people.clone(),
            events.clone(),
            groups.clone(),
            rsvp_plan.clone(),
            StdRng::seed_from_u64(base_seed.wrapping_add(4)),
        );
        let mut i = 0usize;
        let n = copy(pool, Table::Events, move |out| {
            for _ in 0..CHUNK_ROWS {
                let Some((id, capacity)) = events2.get(i) else {
                    return false;
                };
                let (c, lat, lon) = world.place(&mut rng);
                let (kind, label) = KINDS[rng.random_range(0..KINDS.len())];
                let group = rng
                    .random_bool(0.4)
                    .then(|| groups2[rng.random_range(0..groups2.len())]);
                let organiser =
                    group.map_or_else(|| people[rng.random_range(0..people.len())], |g| g.1);
                let visibility = match (group, rng.random_range(0..20)) {
                    (Some(_), 0..=2) => "GROUP",
                    (_, 3) => "UNLISTED",
                    _ => "PUBLIC",
                };
                let place = PLACES[rng.random_range(0..PLACES.len())];
                let starts = now + Duration::minutes(rng.random_range(-60 * 24 * 60..60 * 24 * 90));
                let ends = starts + Duration::minutes(rng.random_range(1..8) * 30);
                field(out, &id.to_string());
                field(out, &organiser.to_string());
                opt_field(out, group.map(|g| g.0.to_string()));
                field(out, kind);
                field(out, visibility);
                field(out, &format!("{label} à {} {place}", c.name));
                field(
                    out,
                    &format!(
                        "{label} {place}, {}. Venez nombreuses et nombreux !",
                        c.name
                    ),
                );
                field(out, &ts(starts));
                field(out, &ts(ends));
                let _ = write!(out, "{lat}\t{lon}\t");
                field(out, &earth(lat, lon));
                field(out, place);
                field(out, &c.postcode);
                field(out, &c.name);
                field(out, &c.code);
                opt_field(out, capacity.map(|c| c.to_string()));
                let _ = write!(out, "{}\t", plan.party(i, *capacity, &people).1);
                out.push_str(&ts(starts - Duration::days(rng.random_range(1..30))));
                out.push('\n');
                i += 1;
            }
            true
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "events");
    }

    // RSVPs: spread over events, distinct people per event, within capacity.
    if !events.is_empty() {
        let (people, events2, plan) = (people.clone(), events.clone(), rsvp_plan.clone());
        let mut rng = StdRng::seed_from_u64(base_seed.wrapping_add(5));
        let mut i = 0usize;
        let n = copy(pool, Table::Rsvps, move |out| {
            let mut rows = 0;
            while rows < CHUNK_ROWS {
                let Some((event, capacity)) = events2.get(i) else {
                    return false;
                };
                for (p, guests) in plan.party(i, *capacity, &people).0 {
                    let _ = writeln!(
                        out,
                        "{}\t{event}\t{p}\tGOING\t{guests}\t{}",
                        Uuid::from_u128(rng.random()),
                        ts(now - Duration::days(rng.random_range(0..20)))
                    );
                    rows += 1;
                }
                i += 1;
            }
            true
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "rsvps");
    }

    // Friendships: distinct accepted pairs (at most half of all possible
    // pairs, so drawing distinct ones stays quick).
    let n = people.len() as u64;
    let target = o
        .friendships
        .unwrap_or(o.people * 2)
        .min(n * n.saturating_sub(1) / 4);
    if target > 0 {
        let (people, mut rng) = (
            people.clone(),
            StdRng::seed_from_u64(base_seed.wrapping_add(6)),
        );
        let mut seen = HashSet::new();
        let mut made = 0u64;
        let n = copy(pool, Table::Friendships, move |out| {
            let mut rows = 0;
            while made < target && rows < CHUNK_ROWS {
                let (a, b) = (
                    rng.random_range(0..people.len()),
                    rng.random_range(0..people.len()),
                );
                if a == b || !seen.insert((a.min(b), a.max(b))) {
                    continue;
                }
                let t = ts(now - Duration::days(rng.random_range(0..400)));
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\tACCEPTED\t{t}\t{t}",
                    Uuid::from_u128(rng.random()),
                    people[a],
                    people[b]
                );
                made += 1;
                rows += 1;
            }
            made < target
        })
        .await?;
        tracing::info!(rows = n, elapsed = ?started.elapsed(), "friendships");
    }

    cortege_db::bulk::refresh_counters(pool).await?;
    tracing::info!(elapsed = ?started.elapsed(), "seeded");
    Ok(())
}
