//! The analysts' SQL access: pseudonyms that are not the API's ids,
//! nothing that ties a person to an event, small cells null, and the
//! limits of an analyst's login (timeout, read-only, connections,
//! permission denied on the base tables and the pseudonym key).

use crate::common;

use common::{TestApp, event_input};
use cortege_db::analytics::{LoginLimits, create_login, set_min_cell};
use serde_json::json;
use sqlx::{Connection, PgConnection};

async fn as_analyst(app: &TestApp, limits: LoginLimits) -> (String, PgConnection) {
    let name = format!(
        "analyst_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    create_login(&app.pool, &name, limits).await.unwrap();
    // The test cluster trusts loopback: the password is not checked.
    let options = (*app.pool.connect_options())
        .clone()
        .username(&name)
        .password("unused");
    (name, PgConnection::connect_with(&options).await.unwrap())
}

fn sql_state(e: &sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|e| e.code())
        .unwrap_or_default()
        .into_owned()
}

#[tokio::test]
async fn no_view_ties_a_member_the_api_names_to_what_they_attended() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Organisatrice").await;
    let group = app
        .ok(
            "mutation { createGroup(input: { name: \"Insoumis de Quimper\", description: \"Le groupe\", address: { postcode: \"29000\", city: \"Quimper\" } }) { id } }",
            json!({}),
            Some(&org.token),
        )
        .await["createGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = app
        .create_event(
            &org.token,
            event_input(
                "Tractage secret au marché",
                (48.0, -4.1),
                "29000",
                "Quimper",
            ),
        )
        .await;
    let mut attendees = Vec::new();
    for i in 0..3 {
        let m = app.member("Paul", &format!("Participant{i}")).await;
        app.ok(
            "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
            json!({ "e": event }),
            Some(&m.token),
        )
        .await;
        attendees.push(m);
    }
    let (name, mut db) = as_analyst(&app, LoginLimits::default()).await;

    // Every row of every view, as text: no id the API shows (raw or
    // encoded), no text a member wrote.
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = 'analytics'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(views.len() >= 10, "{views:?}");
    let mut dump = String::new();
    for v in &views {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT row_to_json(v)::text FROM analytics.{v} v"
        )))
        .fetch_all(&mut db)
        .await
        .unwrap();
        dump.push_str(&rows.join("\n"));
    }
    let event_id = cortege_graphql::ids::decode_any(&event).unwrap().1;
    let group_id = cortege_graphql::ids::decode_any(&group).unwrap().1;
    let mut ids = vec![event_id, group_id, org.id];
    ids.extend(attendees.iter().map(|m| m.id));
    for id in ids {
        for form in [id.to_string(), id.simple().to_string()] {
            assert!(!dump.contains(&form), "{form} in the analytics views");
        }
    }
    for gid in [&event, &group, &org.gid] {
        assert!(!dump.contains(gid.as_str()), "{gid} in the analytics views");
    }
    for text in [
        "Tractage secret",
        "Insoumis de Quimper",
        "Organisatrice",
        "Participant",
    ] {
        assert!(!dump.contains(text), "{text} in the analytics views");
    }
    // Who came is a count, never a list: no view carries a person's
    // pseudonym beside an event's or a group's.
    let linked: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'analytics'
         GROUP BY table_name
         HAVING bool_or(column_name = 'person_key')
            AND bool_or(column_name IN ('event_key', 'group_key'))",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(linked.is_empty(), "{linked:?}");
    // Three attendees: under the threshold of 5, the count is null.
    let (going, seats): (Option<i64>, i64) =
        sqlx::query_as("SELECT going_people, seats FROM analytics.attendance")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((going, seats), (None, 3));
    let weekly: Option<i64> =
        sqlx::query_scalar("SELECT participants FROM analytics.activity_weekly")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(weekly, None);
    // The threshold is the server's setting (CORTEGE_STATS_MIN_CELL).
    set_min_cell(&app.pool, 3).await.unwrap();
    let going: Option<i64> = sqlx::query_scalar("SELECT going_people FROM analytics.attendance")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(going, Some(3));
    // Pseudonyms are stable keys, distinct per person.
    let keys: Vec<String> = sqlx::query_scalar("SELECT person_key FROM analytics.people")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| k.len() == 24));
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4);

    // The key of the pseudonyms and the base tables are out of reach.
    for forbidden in [
        "SELECT pseudonym_key FROM analytics_settings",
        "SELECT person_id FROM rsvps",
        "SELECT * FROM stats_daily",
        "SELECT email FROM people",
    ] {
        let e = sqlx::query(sqlx::AssertSqlSafe(forbidden))
            .execute(&mut db)
            .await
            .unwrap_err();
        assert_eq!(sql_state(&e), "42501", "{forbidden}: {e}");
    }
    db.close().await.unwrap();
    app.drop_role(&name).await;
}

#[tokio::test]
async fn an_analyst_login_has_a_timeout_a_connection_limit_and_reads_only() {
    let app = TestApp::spawn().await;
    let limits = LoginLimits {
        statement_timeout_seconds: 1,
        connection_limit: 2,
    };
    let (name, mut db) = as_analyst(&app, limits).await;
    let timeout: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(timeout, "1s");
    let read_only: String = sqlx::query_scalar("SHOW default_transaction_read_only")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(read_only, "on");
    let e = sqlx::query("SELECT pg_sleep(3)")
        .execute(&mut db)
        .await
        .unwrap_err();
    assert_eq!(sql_state(&e), "57014", "query_canceled: {e}");
    let limit: i32 = sqlx::query_scalar("SELECT rolconnlimit FROM pg_roles WHERE rolname = $1")
        .bind(&name)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(limit, 2);
    // Granting again changes the limits and keeps the password.
    let again = create_login(&app.pool, &name, LoginLimits::default())
        .await
        .unwrap();
    assert_eq!(again, None);
    let limit: i32 = sqlx::query_scalar("SELECT rolconnlimit FROM pg_roles WHERE rolname = $1")
        .bind(&name)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(limit, 5);
    db.close().await.unwrap();
    app.drop_role(&name).await;
}
