//! No listing grows with the table: on a database large enough for the
//! planner to prefer indexes, each listing's plan is bounded by its page:
//! no sequential scan of a large table, no index walked from its start
//! while a filter rejects rows, no sort (or numbering) of thousands of
//! rows. The statements EXPLAINed are the ones the API runs, built by the
//! same functions with the arguments of a first and of a later page, and
//! their plans are the generic ones the pools keep for any arguments
//! (`cortege_db::statement::generic_plan`).

use chrono::{Duration, Utc};
use cortege_db::events::{self as db_events, After, Listing};
use cortege_db::groups as db_groups;
use cortege_db::memberships as db_memberships;
use cortege_db::reports as db_reports;
use cortege_db::rsvps as db_rsvps;
use cortege_db::statement::Statement;
use cortege_domain::{EventKind, GroupRole, MembershipStatus, ReportStatus, RsvpStatus};
use cortege_server::seed::{SeedOptions, seed};
use serde_json::Value;
use uuid::Uuid;

use crate::common::TestApp;

/// Tables that grow with the movement; one counts as large here when it
/// holds more than [`LARGE_ROWS`] rows (below that a sequential scan is
/// what a planner should choose).
const GROWING: &[&str] = &[
    "events",
    "people",
    "rsvps",
    "groups",
    "memberships",
    "activities",
    "friendships",
    "reports",
    "moderation_log",
];

const LARGE_ROWS: f32 = 10_000.0;

/// Most rows a plain listing may sort: the events running at one instant
/// (about 250 in this seed) pass, a city's worth of matches does not.
const SORTED_ROWS: f64 = 1_000.0;

/// What is wrong with a plan, if anything: a Seq Scan of a large table, or
/// a Sort whose input reads a large table whole.
fn unbounded(node: &Value, large: &[String], under_sort: bool, found: &mut Vec<String>) {
    let is_large = |relation: &str| large.iter().any(|l| l == relation);
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let relation = node["Relation Name"].as_str().unwrap_or_default();
    if kind == "Seq Scan" && is_large(relation) {
        found.push(format!("Seq Scan on {relation}"));
    }
    let walks = matches!(kind, "Index Scan" | "Index Only Scan");
    if walks
        && is_large(relation)
        && node.get("Index Cond").is_none()
        && node.get("Filter").is_some()
    {
        // An index walked from its start, rows filtered out as it goes:
        // what it reads grows with what the filter rejects.
        found.push(format!("unbounded index walk on {relation}"));
    }
    let rows = node["Plan Rows"].as_f64().unwrap_or_default();
    if under_sort && kind == "Bitmap Heap Scan" && is_large(relation) && rows > SORTED_ROWS {
        // A bitmap is bounded by what matched, not by the page: the planner
        // may sort a few matches (fewer than an index walk would visit),
        // not thousands.
        found.push(format!(
            "sorted Bitmap Heap Scan of {rows} rows on {relation}"
        ));
    }
    let numbers = matches!(kind, "Sort" | "WindowAgg");
    if numbers {
        // A sort or a window over every row of an event or a group (its
        // attendees, its members) instead of the page read in index order.
        let input: f64 = node["Plans"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["Plan Rows"].as_f64())
            .sum();
        if input > SORTED_ROWS && !under_sort {
            found.push(format!("{kind} of {input} rows"));
        }
    }
    let sorting = under_sort || kind == "Sort";
    for child in node["Plans"].as_array().into_iter().flatten() {
        unbounded(child, large, sorting, found);
    }
}

/// What is wrong with `plan`, as a line that names the listing, or
/// nothing: every listing is judged before the test fails.
fn check(label: &str, plan: &Value, large: &[String], allow_sorted_bitmap: bool) -> Option<String> {
    let mut found = Vec::new();
    unbounded(&plan[0]["Plan"], large, false, &mut found);
    if allow_sorted_bitmap {
        // Search ranks every match by relevance: bounded by the matches.
        found.retain(|f| !f.starts_with("sorted Bitmap") && !f.starts_with("Sort of"));
    }
    (!found.is_empty()).then(|| format!("{label}: {found:?}\n{plan:#}"))
}

#[tokio::test]
async fn every_listing_is_bounded_by_its_page() {
    // No notifier: its reminders of the seeded events starting soon would
    // be activities the relay numbers while the test writes its own log.
    let t = TestApp::spawn_with(|c| c.notifications = false).await;
    let options = SeedOptions {
        people: 20_000,
        events: 60_000,
        rsvps: Some(100_000),
        groups: Some(3_000),
        friendships: Some(20_000),
        seed: Some(3),
    };
    seed(&t.pool, &options).await.unwrap();
    let big = Big::make(&t.pool).await;
    sqlx::query("ANALYZE").execute(&t.pool).await.unwrap();
    let large: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class WHERE relname = ANY($1) AND reltuples > $2",
    )
    .bind(GROWING)
    .bind(LARGE_ROWS)
    .fetch_all(&t.pool)
    .await
    .unwrap();
    assert!(
        large.len() >= 6,
        "the seed is too small to judge plans: {large:?}"
    );
    let viewer = big.person;
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
    // Each again with its organisers, groups and the viewer's RSVPs joined,
    // as the API reads them when the query asks for them.
    let cases: Vec<(String, Listing, bool)> = cases
        .into_iter()
        .flat_map(|(label, listing, search)| {
            let joined = Listing {
                with: db_events::With {
                    organiser: true,
                    group: true,
                    viewer_rsvp: true,
                },
                ..listing.clone()
            };
            [
                (label.to_owned(), listing, search),
                (format!("{label}, with its relations"), joined, search),
            ]
        })
        .collect();
    let mut failures = Vec::new();
    for (label, listing, search) in cases {
        let plan = db_events::plan(&t.pool, &listing).await.unwrap();
        failures.extend(check(&label, &plan, &large, search));
    }
    let groups = db_groups::Listing {
        limit: 21,
        ..db_groups::Listing::default()
    };
    let group_cases = [
        ("groups by name", groups.clone(), false),
        (
            "groups near Marseille",
            db_groups::Listing {
                near: Some(marseille),
                ..groups.clone()
            },
            false,
        ),
        (
            "groups search",
            db_groups::Listing {
                search: Some("comité".to_owned()),
                ..groups.clone()
            },
            true,
        ),
    ];
    for (label, listing, search) in group_cases {
        let plan = db_groups::plan(&t.pool, &listing).await.unwrap();
        failures.extend(check(label, &plan, &large, search));
    }
    let plan = db_events::plan(
        &t.pool,
        &Listing {
            group: Some(big.group),
            ..page.clone()
        },
    )
    .await
    .unwrap();
    failures.extend(check("a group's events", &plan, &large, false));
    let groups_listed: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM groups ORDER BY id LIMIT 20")
        .fetch_all(&t.pool)
        .await
        .unwrap();
    for (label, after) in [
        ("a list's group events", None),
        (
            "a list's group events, later page",
            Some(After::Time(Utc::now(), Uuid::nil())),
        ),
    ] {
        // A member's page, with what the web client's group page joins.
        let listing = Listing {
            viewer: Some(viewer),
            after,
            with: db_events::With {
                organiser: true,
                group: false,
                viewer_rsvp: true,
            },
            ..page.clone()
        };
        let plan = db_events::plan_per_group(&t.pool, &listing, &groups_listed)
            .await
            .unwrap();
        failures.extend(check(label, &plan, &large, false));
    }

    let later = Utc::now() - Duration::days(3650);
    // A page of events and one of groups (the big ones first), whose
    // nested connections are read for all of them at once.
    let listed_events: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM events ORDER BY id LIMIT 20")
        .fetch_all(&t.pool)
        .await
        .unwrap();
    let listed_groups: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM groups ORDER BY id LIMIT 20")
        .fetch_all(&t.pool)
        .await
        .unwrap();
    let statements: Vec<(&str, Statement)> = vec![
        (
            "a list's attendees",
            db_rsvps::attendees_of_events(&listed_events, None, 6, true),
        ),
        (
            "a list's attendees, later page",
            db_rsvps::attendees_of_events(
                &listed_events,
                Some((RsvpStatus::Going, later, Uuid::nil())),
                6,
                false,
            ),
        ),
        (
            "a list's members",
            db_memberships::members_pages(&listed_groups, MembershipStatus::Active, None, 6),
        ),
        (
            "a list's join requests, later page",
            db_memberships::members_pages(
                &listed_groups,
                MembershipStatus::Pending,
                Some((GroupRole::Member, later, Uuid::nil())),
                6,
            ),
        ),
        ("attendees", db_rsvps::attendees(big.event, None, 51, false)),
        (
            "attendees, later page",
            db_rsvps::attendees(
                big.event,
                Some((RsvpStatus::Going, later, Uuid::nil())),
                51,
                false,
            ),
        ),
        (
            "attendees with their people",
            db_rsvps::attendees(big.event, None, 51, true),
        ),
        (
            "members",
            db_memberships::members_page(big.group, MembershipStatus::Active, None, 51),
        ),
        (
            "members, later page",
            db_memberships::members_page(
                big.group,
                MembershipStatus::Active,
                Some((GroupRole::Member, later, Uuid::nil())),
                51,
            ),
        ),
        (
            "join requests",
            db_memberships::members_page(big.group, MembershipStatus::Pending, None, 21),
        ),
        (
            "open reports",
            db_reports::queue_page(Some(ReportStatus::Open), None, 21),
        ),
        ("all reports", db_reports::queue_page(None, None, 21)),
        (
            "reports, later page",
            db_reports::queue_page(
                Some(ReportStatus::Open),
                Some((later, Uuid::nil(), Uuid::nil())),
                21,
            ),
        ),
        (
            "moderation log",
            cortege_db::moderation_log::page_statement(None, None, 21),
        ),
        (
            "moderation log, later page",
            cortege_db::moderation_log::page_statement(None, Some(100), 21),
        ),
        (
            "a person's moderation log",
            cortege_db::moderation_log::page_statement(Some(viewer), None, 21),
        ),
        (
            "a person's moderation log, later page",
            cortege_db::moderation_log::page_statement(Some(viewer), Some(100), 21),
        ),
        (
            "feed",
            cortege_db::feed::page_statement(
                viewer,
                i64::MAX,
                21,
                cortege_db::feed::Relations::None,
            ),
        ),
        (
            "feed with its events and actors",
            cortege_db::feed::page_statement(
                viewer,
                i64::MAX,
                21,
                cortege_db::feed::Relations::Full,
            ),
        ),
        (
            "viewer's events",
            cortege_db::events::organised_page(viewer, None, 21),
        ),
        ("viewer's RSVPs", db_rsvps::of_person_page(viewer, None, 21)),
        (
            "viewer's groups",
            db_memberships::of_person_page(viewer, None, 21),
        ),
        (
            "viewer's friends",
            cortege_db::friendships::friends_page(viewer, None, 21),
        ),
        (
            "viewer's friend requests",
            cortege_db::friendships::requests_page(viewer, None, 21),
        ),
    ];
    for (label, statement) in statements {
        let plan = statement.plan(&t.pool).await.unwrap();
        failures.extend(check(label, &plan, &large, false));
    }
    let labels: Vec<&str> = failures
        .iter()
        .filter_map(|f| f.split(':').next())
        .collect();
    assert!(
        failures.is_empty(),
        "{} unbounded plans: {labels:?}\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One event, one group and one person with lists far longer than a
/// page (5,000 attendees, members, friends, RSVPs), 5,000 reports, a
/// moderation log of 30,000 lines (2,000 about the person, 2,000 by
/// them) and an activity per event: what a listing must not read whole.
struct Big {
    event: Uuid,
    group: Uuid,
    person: Uuid,
}

impl Big {
    async fn make(pool: &sqlx::PgPool) -> Big {
        let person: Uuid = sqlx::query_scalar("SELECT id FROM people ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
        let event: Uuid = sqlx::query_scalar("SELECT id FROM events ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
        let group: Uuid = sqlx::query_scalar("SELECT id FROM groups ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
        let statements = [
            // 4,000 going and 1,000 waiting at one event.
            "INSERT INTO rsvps (id, event_id, person_id, status, waitlisted_at, created_at)
             SELECT gen_random_uuid(), $1, p.id,
                    CASE WHEN n <= 4000 THEN 'GOING' ELSE 'WAITLISTED' END::rsvp_status,
                    CASE WHEN n > 4000 THEN now() - n * interval '1 minute' END,
                    now() - n * interval '1 minute'
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people OFFSET 1 LIMIT 5000) p
             ON CONFLICT (event_id, person_id) DO NOTHING",
            "INSERT INTO memberships (group_id, person_id, role, status, created_at, activated_at)
             SELECT $2, p.id, 'MEMBER', 'ACTIVE', now() - n * interval '1 minute', now()
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people OFFSET 1 LIMIT 5000) p
             ON CONFLICT DO NOTHING",
            "INSERT INTO memberships (group_id, person_id, role, status, created_at)
             SELECT $2, p.id, 'MEMBER', 'PENDING', now() - n * interval '1 minute'
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people OFFSET 6000 LIMIT 2000) p
             ON CONFLICT DO NOTHING",
            // The person's RSVPs, groups and friends.
            "INSERT INTO rsvps (id, event_id, person_id, status)
             SELECT gen_random_uuid(), e.id, $3, 'GOING' FROM events e ORDER BY e.id OFFSET 1 LIMIT 5000
             ON CONFLICT (event_id, person_id) DO NOTHING",
            "INSERT INTO memberships (group_id, person_id, role, status, activated_at)
             SELECT g.id, $3, 'MEMBER', 'ACTIVE', now() FROM groups g ORDER BY g.id OFFSET 1 LIMIT 300
             ON CONFLICT DO NOTHING",
            "INSERT INTO friendships (id, requester_id, addressee_id, status, responded_at)
             SELECT gen_random_uuid(), $3, p.id, 'ACCEPTED', now() FROM people p
             WHERE p.id <> $3 AND NOT EXISTS (
                 SELECT 1 FROM friendships f WHERE (f.requester_id = $3 AND f.addressee_id = p.id)
                                                OR (f.requester_id = p.id AND f.addressee_id = $3))
             ORDER BY p.id LIMIT 5000",
            // 5,000 reports on 2,500 events, half of them decided.
            "INSERT INTO reports (id, reporter_id, subject_type, subject_id, reason, details, snapshot,
                                  status, case_started_at, created_at)
             SELECT gen_random_uuid(), p.id, 'EVENT', e.id, 'SPAM', '', '{}',
                    CASE WHEN e.n % 2 = 0 THEN 'OPEN' ELSE 'DISMISSED' END::report_status,
                    now() - e.n * interval '1 hour', now() - e.n * interval '1 hour'
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events LIMIT 2500) e
             CROSS JOIN (SELECT id FROM people ORDER BY id LIMIT 2) p",
            // 30,000 lines of moderation log: one in fifteen about the
            // person, one in fifteen by them, the rest between others.
            "INSERT INTO moderation_log (actor_id, action, target_person_id, target_type, target_id,
                                         created_at)
             SELECT CASE WHEN n % 15 = 1 THEN $3 ELSE a.id END, 'WARN',
                    CASE WHEN n % 15 = 0 THEN $3 ELSE t.id END, 'PERSON',
                    CASE WHEN n % 15 = 0 THEN $3 ELSE t.id END,
                    now() - n * interval '1 minute'
             FROM generate_series(1, 30000) n
             JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM people) a ON a.k = 2 + n % 500
             JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM people) t
               ON t.k = 1000 + n % 3000",
            // What the relay would have numbered: an activity per event.
            "INSERT INTO activities (id, seq, kind, actor_id, event_id, created_at, published_at)
             SELECT gen_random_uuid(), row_number() OVER (ORDER BY e.created_at, e.id),
                    'EVENT_CREATED', e.organiser_id, e.id, e.created_at, e.created_at
             FROM events e",
        ];
        for sql in statements {
            sqlx::query(sql)
                .bind(event)
                .bind(group)
                .bind(person)
                .execute(pool)
                .await
                .unwrap();
        }
        Big {
            event,
            group,
            person,
        }
    }
}
