//! No listing grows with the table: on a database large enough for the
//! planner to prefer indexes, each listing's plan is bounded by its page:
//! no sequential scan of a large table, no index walked from its start
//! while a filter rejects rows, no sort of thousands of matches.

use chrono::{Duration, Utc};
use cortege_db::events::{self as db_events, After, Listing};
use cortege_db::groups as db_groups;
use cortege_domain::EventKind;
use cortege_server::seed::{SeedOptions, seed};
use serde_json::Value;

use crate::common::TestApp;

/// Tables that grow with the movement.
const LARGE: &[&str] = &[
    "events",
    "people",
    "rsvps",
    "groups",
    "memberships",
    "activities",
];

/// Most rows a plain listing may sort: the events running at one instant
/// (about 250 in this seed) pass, a city's worth of matches does not.
const SORTED_ROWS: f64 = 1_000.0;

/// What is wrong with a plan, if anything: a Seq Scan of a large table, or
/// a Sort whose input reads a large table whole.
fn unbounded(node: &Value, under_sort: bool, found: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let relation = node["Relation Name"].as_str().unwrap_or_default();
    if kind == "Seq Scan" && LARGE.contains(&relation) {
        found.push(format!("Seq Scan on {relation}"));
    }
    let walks = matches!(kind, "Index Scan" | "Index Only Scan");
    if walks
        && LARGE.contains(&relation)
        && node.get("Index Cond").is_none()
        && node.get("Filter").is_some()
    {
        // An index walked from its start, rows filtered out as it goes:
        // what it reads grows with what the filter rejects.
        found.push(format!("unbounded index walk on {relation}"));
    }
    let rows = node["Plan Rows"].as_f64().unwrap_or_default();
    if under_sort && kind == "Bitmap Heap Scan" && LARGE.contains(&relation) && rows > SORTED_ROWS {
        // A bitmap is bounded by what matched, not by the page: the planner
        // may sort a few matches (fewer than an index walk would visit),
        // not thousands.
        found.push(format!(
            "sorted Bitmap Heap Scan of {rows} rows on {relation}"
        ));
    }
    let sorting = under_sort || kind == "Sort";
    for child in node["Plans"].as_array().into_iter().flatten() {
        unbounded(child, sorting, found);
    }
}

fn check(label: &str, plan: &Value, allow_sorted_bitmap: bool) {
    let mut found = Vec::new();
    unbounded(&plan[0]["Plan"], false, &mut found);
    if allow_sorted_bitmap {
        found.retain(|f| !f.starts_with("sorted Bitmap"));
    }
    assert!(found.is_empty(), "{label}: {found:?}\n{plan:#}");
}

#[tokio::test]
async fn every_listing_is_bounded_by_its_page() {
    let t = TestApp::spawn().await;
    let options = SeedOptions {
        people: 20_000,
        events: 60_000,
        rsvps: Some(0),
        groups: Some(400),
        friendships: Some(0),
        seed: Some(3),
    };
    seed(&t.pool, &options).await.unwrap();
    sqlx::query("ANALYZE").execute(&t.pool).await.unwrap();
    let viewer: uuid::Uuid = sqlx::query_scalar("SELECT id FROM people LIMIT 1")
        .fetch_one(&t.pool)
        .await
        .unwrap();
    let marseille = (43.2965, 5.3698, 50.0);
    let page = Listing {
        limit: 21,
        ..Listing::default()
    };
    let cases: Vec<(&str, Listing, bool)> = vec![
        ("upcoming, anonymous", page.clone(), false),
        (
            "upcoming, a member",
            Listing {
                viewer: Some(viewer),
                ..page.clone()
            },
            false,
        ),
        (
            "upcoming, second page",
            Listing {
                after: Some(After::Time(Utc::now(), uuid::Uuid::nil())),
                ..page.clone()
            },
            false,
        ),
        (
            "startsAfter",
            Listing {
                starts_after: Some(Utc::now() - Duration::days(30)),
                ..page.clone()
            },
            false,
        ),
        (
            "near Marseille",
            Listing {
                near: Some(marseille),
                ..page.clone()
            },
            false,
        ),
        (
            "kinds",
            Listing {
                kinds: Some(vec![EventKind::DoorToDoor]),
                ..page.clone()
            },
            false,
        ),
        (
            "search",
            Listing {
                search: Some("tractage".to_owned()),
                ..page.clone()
            },
            true,
        ),
    ];
    for (label, listing, search) in cases {
        let plan = db_events::plan(&t.pool, &listing).await.unwrap();
        check(label, &plan, search);
    }
    let groups = db_groups::Listing {
        limit: 21,
        ..db_groups::Listing::default()
    };
    let plan = db_groups::plan(&t.pool, &groups).await.unwrap();
    check("groups by name", &plan, false);
}
