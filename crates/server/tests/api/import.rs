//! The member-file import: validation, de-duplication, idempotence, report.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::Write;

use common::{TestApp, error_code};
use cortege_server::import::import_members;
use serde_json::json;

/// A 1,000-row member file with a BOM, semicolons, and every kind of
/// trouble: (bytes, expected rejected lines).
fn member_file() -> (Vec<u8>, Vec<u64>) {
    let mut out = Vec::new();
    out.extend_from_slice("\u{feff}first_name;last_name;email;postcode;phone;tags\n".as_bytes());
    let mut rejected = Vec::new();
    for i in 1..=1000u64 {
        let line = i + 1; // the header is line 1
        let row: Vec<u8> = if i % 50 == 0 {
            rejected.push(line);
            format!("Jean;Dupont;not-an-email-{i};29000;;\n").into_bytes()
        } else if i % 70 == 0 {
            rejected.push(line);
            format!("Jean;;jean{i}@example.org;29000;;\n").into_bytes()
        } else if i % 90 == 0 {
            rejected.push(line);
            format!("Jean;Dupont;jean{i}@example.org;99999;;\n").into_bytes()
        } else if i % 97 == 0 {
            // Latin-1: é as the single byte 0xE9.
            rejected.push(line);
            let mut r = b"H".to_vec();
            r.push(0xE9);
            r.extend_from_slice(
                format!("l\u{e8}ne;Martin;helene{i}@example.org;13001;;\n").as_bytes(),
            );
            r
        } else if i > 990 {
            // Repeats of rows 1..10 with new names: the later row wins.
            let j = i - 990;
            format!(
                "Renamed{j};Dupont;person{j}@example.org;13001;06 12 34 56 78;militant|quimper\n"
            )
            .into_bytes()
        } else {
            format!("Person{i};Dupont;Person{i}@Example.org;29000;+33 6 12 34 56 78;\n")
                .into_bytes()
        };
        out.extend_from_slice(&row);
    }
    (out, rejected)
}

#[tokio::test]
async fn importing_the_member_file() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.csv");
    let (bytes, rejected_lines) = member_file();
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&bytes)
        .unwrap();

    let s = import_members(&app.pool, &path, None).await.unwrap();
    let rejected = rejected_lines.len() as u64;
    assert_eq!(s.rows, 1000);
    assert_eq!(s.rejected, rejected, "{s:?}");
    // Rows 991..999 repeat the emails of rows 1..9 (row 1000 is refused):
    // each pair is one person.
    assert_eq!(s.inserted, 1000 - rejected - 9, "{s:?}");
    assert_eq!(s.unchanged, 9);
    assert_eq!(s.updated, 0);
    let report = std::fs::read_to_string(&s.report).unwrap();
    for line in &rejected_lines {
        assert!(
            report.lines().any(|l| l.starts_with(&format!("{line},"))),
            "line {line} reported:\n{report}"
        );
    }
    assert!(
        report.contains("unknown postcode") && report.contains("UTF-8") && report.contains("email")
    );

    // The later row won; phone and tags normalised; nothing mangled.
    let (first, phone, tags, commune, pledge): (String, String, Vec<String>, String, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT first_name, phone, tags, commune_code, pledge_accepted_at FROM people WHERE email = 'person1@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (first.as_str(), phone.as_str(), commune.as_str()),
        ("Renamed1", "0612345678", "13055")
    );
    assert_eq!(tags, ["militant", "quimper"]);
    assert!(
        pledge.is_none(),
        "imported members have not accepted the pledge"
    );
    let mangled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM people WHERE first_name LIKE '%\u{fffd}%' OR email LIKE 'helene%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(mangled, 0);

    // A second run changes nothing.
    let before: String =
        sqlx::query_scalar("SELECT md5(string_agg(p::text, ',' ORDER BY email)) FROM people p")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let again = import_members(&app.pool, &path, None).await.unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0), "{again:?}");
    let after: String =
        sqlx::query_scalar("SELECT md5(string_agg(p::text, ',' ORDER BY email)) FROM people p")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before, after);

    // A newer file updates names and postcode, comma-separated this time.
    let newer = dir.path().join("newer.csv");
    std::fs::write(&newer, "email,first_name,last_name,postcode\nperson2@example.org,Deux,Nouveau,29000\nperson3@example.org,Person3,Dupont,29000\n").unwrap();
    let s = import_members(&app.pool, &newer, None).await.unwrap();
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 2, 0), "{s:?}");
    let s = import_members(&app.pool, &newer, None).await.unwrap();
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 2), "{s:?}");
}

#[tokio::test]
async fn imported_members_read_but_must_accept_the_pledge_to_act() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(
        &path,
        "first_name,last_name,email,postcode\nNina,Simon,nina@example.org,35000\n",
    )
    .unwrap();
    import_members(&app.pool, &path, None).await.unwrap();
    app.gql(
        "mutation { requestLoginCode(email: \"nina@example.org\") }",
        json!({}),
        None,
    )
    .await;
    let code = app.next_code("nina@example.org").await;
    let token = app.login("nina@example.org", &code).await;
    let v = app
        .ok(
            "{ viewer { hasAcceptedPledge person { commune { name } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(v["viewer"]["hasAcceptedPledge"], false);
    assert_eq!(v["viewer"]["person"]["commune"]["name"], "Rennes");
    let create =
        "mutation { createGroup(input: { name: \"Rennes nord\", description: \"\" }) { id } }";
    let r = app.gql(create, json!({}), Some(&token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let v = app
        .ok(
            "mutation { acceptPledge { hasAcceptedPledge } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(v["acceptPledge"]["hasAcceptedPledge"], true);
    app.ok(create, json!({}), Some(&token)).await;
}

#[tokio::test]
async fn a_file_without_the_required_columns_is_refused_whole() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "prenom,nom,courriel\nA,B,a@example.org\n").unwrap();
    let err = import_members(&app.pool, &path, None).await.unwrap_err();
    assert!(err.to_string().contains("first_name"), "{err}");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM people")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
