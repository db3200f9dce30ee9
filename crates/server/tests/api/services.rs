//! The service layer called directly, where an HTTP round trip adds
//! nothing: the seat transaction under contention, and rules refused
//! before anything is written.

use std::sync::Arc;

use chrono::{Duration, Utc};
use cortege_app::App;
use cortege_app::mail::Mailer;
use cortege_app::media::MediaStore;
use cortege_app::rate_limits::{ContentLimitConfig, ThrottleConfig};
use cortege_app::{Error, events, rsvps};
use cortege_db::people::Person;
use cortege_domain::events::EventDraft;
use cortege_domain::{AddressLines, EventKind, GeoPoint, PersonId, RsvpStatus, Visibility};

use crate::common::TestApp;

async fn services(t: &TestApp) -> Arc<App> {
    let limits = ContentLimitConfig {
        events_per_hour: 1_000,
        ..ContentLimitConfig::default()
    };
    Arc::new(App::new(
        t.pool.clone(),
        Arc::new(cortege_realtime::LocalBus::new()),
        Mailer::files(
            t.mail_dir(),
            "Cortège <noreply@example.org>".parse().unwrap(),
        ),
        MediaStore::new(t.media_dir()),
        t.base.clone(),
        &ThrottleConfig::default(),
        &limits,
        None,
        cortege_app::notify::Notify {
            settings: Default::default(),
            keys: Arc::new(
                cortege_app::notify::Keys::load(&t.pool, None)
                    .await
                    .unwrap(),
            ),
        },
    ))
}

async fn person(t: &TestApp, name: &str) -> Person {
    let m = t.member(name, "Martin").await;
    cortege_db::people::by_id(&t.pool, PersonId(m.id))
        .await
        .unwrap()
        .unwrap()
}

fn draft(capacity: Option<i32>) -> EventDraft {
    let starts = Utc::now() + Duration::days(2);
    EventDraft {
        title: "Tractage au marché".to_owned(),
        description: String::new(),
        kind: EventKind::Leafleting,
        visibility: Visibility::Public,
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        location: Some(GeoPoint::parse(47.9960, -4.1024).unwrap()),
        address: Some(AddressLines {
            street: None,
            postcode: "29000".to_owned(),
            city: "Quimper".to_owned(),
        }),
        capacity,
        group: None,
        address_visibility: cortege_domain::AddressVisibility::Public,
        instructions: None,
        online: false,
        online_url: None,
    }
}

#[tokio::test]
async fn concurrent_rsvps_never_oversubscribe_and_cancelling_promotes_in_order() {
    let t = TestApp::spawn().await;
    let app = services(&t).await;
    let organiser = person(&t, "Orga").await;
    let event = events::create(&app, &organiser, draft(Some(3)))
        .await
        .unwrap();
    let mut people = Vec::new();
    for i in 0..10 {
        people.push(person(&t, &format!("M{i}")).await);
    }
    let answers = futures_util::future::join_all(people.iter().map(|p| {
        rsvps::rsvp(
            &app,
            p,
            event.id,
            rsvps::Answer {
                guests: Some(0),
                share_contact: None,
            },
        )
    }))
    .await;
    let statuses: Vec<RsvpStatus> = answers.into_iter().map(|r| r.unwrap().status).collect();
    let going = statuses.iter().filter(|s| **s == RsvpStatus::Going).count();
    assert_eq!(going, 3, "{statuses:?}");
    let stored = events::by_id(&app, event.id).await.unwrap().unwrap();
    assert_eq!(stored.seats_taken, 3);

    // The first of the waitlist in waiting order takes the freed seat.
    let leaving = people
        .iter()
        .zip(&statuses)
        .find(|(_, s)| **s == RsvpStatus::Going)
        .map(|(p, _)| p)
        .unwrap();
    let waiting_first: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT person_id FROM rsvps WHERE event_id = $1 AND status = 'WAITLISTED'
         ORDER BY waitlisted_at, id LIMIT 1",
    )
    .bind(event.id)
    .fetch_all(&t.pool)
    .await
    .unwrap();
    let cancelled = rsvps::cancel(&app, leaving, event.id).await.unwrap();
    assert_eq!(cancelled.status, RsvpStatus::Cancelled);
    let promoted: RsvpStatus =
        sqlx::query_scalar("SELECT status FROM rsvps WHERE event_id = $1 AND person_id = $2")
            .bind(event.id)
            .bind(waiting_first[0])
            .fetch_one(&t.pool)
            .await
            .unwrap();
    assert_eq!(promoted, RsvpStatus::Going);
    let stored = events::by_id(&app, event.id).await.unwrap().unwrap();
    assert_eq!(stored.seats_taken, 3);
}

#[tokio::test]
async fn refused_drafts_write_nothing() {
    let t = TestApp::spawn().await;
    let app = services(&t).await;
    let organiser = person(&t, "Orga").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
            .fetch_one(&t.pool)
            .await
            .unwrap()
    };

    let mut foreign_group = draft(None);
    foreign_group.group = Some(uuid::Uuid::now_v7());
    match events::create(&app, &organiser, foreign_group).await {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "input.groupId"),
        other => panic!("{other:?}"),
    }
    let mut wrong_city = draft(None);
    if let Some(a) = wrong_city.address.as_mut() {
        a.city = "Brest".to_owned();
    }
    match events::create(&app, &organiser, wrong_city).await {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "input.address.city"),
        other => panic!("{other:?}"),
    }
    assert_eq!(count().await, 0);

    // An RSVP of more guests than allowed never reaches the transaction.
    assert!(rsvps::parse_guests(Some(11), "guests").is_err());
    assert_eq!(rsvps::parse_guests(Some(2), "guests").unwrap(), Some(2));
}
