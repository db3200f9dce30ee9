//! Reports and moderation decisions, end to end.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Member, TestApp, error_code, error_field, event_input, event_titles};
use serde_json::json;

const REPORT: &str = "mutation($i: ReportInput!) { report(input: $i) { id status reason openReportsOnSubject snapshot subject { __typename ... on Event { title } } } }";
const RESOLVE: &str = "mutation($id: ID!, $d: ModerationDecision!, $n: String) { resolveReport(id: $id, decision: $d, note: $n) { status resolution resolvedBy { displayName } } }";
const QUEUE: &str = "query($s: ReportStatus) { reports(status: $s) { edges { node { id reason openReportsOnSubject reporter { displayName } } } } }";

async fn event(app: &TestApp, by: &Member, title: &str) -> String {
    let mut input = event_input(title, (47.99, -4.1), "29000", "Quimper");
    input["kind"] = json!("RALLY");
    app.create_event(&by.token, input).await
}

async fn log_rows(app: &TestApp) -> Vec<(String, Option<uuid::Uuid>)> {
    sqlx::query_as("SELECT action, target_person_id FROM moderation_log ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn reports_are_queued_as_cases_and_content_can_be_removed() {
    let app = TestApp::spawn().await;
    let opponent = app.member("Olivier", "Opposant").await;
    let (alice, bob) = (
        app.member("Alice", "Martin").await,
        app.member("Bob", "Durand").await,
    );
    let moderator = app.member("Mona", "Modo").await;
    app.grant(&moderator, "MODERATOR").await;
    let e = event(&app, &opponent, "Meeting du parti adverse").await;

    let input = json!({ "subjectId": e, "reason": "OPPOSING_ACTIVITY", "details": "Ce n'est pas une action du mouvement." });
    let r = app
        .ok(REPORT, json!({ "i": input }), Some(&alice.token))
        .await["report"]
        .clone();
    assert_eq!(r["status"], "OPEN");
    assert_eq!(r["subject"]["title"], "Meeting du parti adverse");
    assert!(
        r["snapshot"]
            .as_str()
            .unwrap()
            .contains("Meeting du parti adverse")
    );
    let again = app
        .gql(REPORT, json!({ "i": input }), Some(&alice.token))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    let r2 = app
        .ok(REPORT, json!({ "i": input }), Some(&bob.token))
        .await["report"]
        .clone();
    assert_eq!(r2["openReportsOnSubject"], 2, "a pile-on is one case");
    let bad = app
        .gql(
            REPORT,
            json!({ "i": { "subjectId": "nope", "reason": "SPAM", "details": "" } }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_field(&bad), Some("input.subjectId"));

    // Members see no queue and decide nothing; the rest of the answer stands.
    let r = app.gql(QUEUE, json!({}), Some(&alice.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    assert!(r["data"]["reports"].is_null());
    let r = app
        .gql(
            RESOLVE,
            json!({ "id": r2["id"], "d": "DISMISS" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    assert!(log_rows(&app).await.is_empty());

    let q = app
        .ok(QUEUE, json!({ "s": "OPEN" }), Some(&moderator.token))
        .await;
    assert_eq!(q["reports"]["edges"].as_array().unwrap().len(), 2);

    // A decision that cannot apply changes nothing and logs nothing.
    let someone = app
        .ok(
            REPORT,
            json!({ "i": { "subjectId": opponent.gid, "reason": "SPAM", "details": "" } }),
            Some(&alice.token),
        )
        .await;
    let r = app
        .gql(
            RESOLVE,
            json!({ "id": someone["report"]["id"], "d": "REMOVE_CONTENT" }),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert!(
        log_rows(&app).await.is_empty(),
        "no log row for a refused decision"
    );

    let d = app
        .ok(
            RESOLVE,
            json!({ "id": r2["id"], "d": "REMOVE_CONTENT", "n": "hors charte" }),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(d["resolveReport"]["status"], "RESOLVED");
    assert_eq!(d["resolveReport"]["resolvedBy"]["displayName"], "Mona M.");
    // Both reports on the event are closed; the event left every listing
    // but stays readable by id.
    let q = app
        .ok(QUEUE, json!({ "s": "OPEN" }), Some(&moderator.token))
        .await;
    assert_eq!(
        q["reports"]["edges"].as_array().unwrap().len(),
        1,
        "only the report on the person remains"
    );
    let list = app
        .ok(
            "{ events { edges { node { title } } } }",
            json!({}),
            Some(&alice.token),
        )
        .await;
    assert!(event_titles(&list).is_empty());
    let by_id = app
        .ok(
            "query($id: ID!) { event(id: $id) { title } }",
            json!({ "id": e }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(by_id["event"]["title"], "Meeting du parti adverse");
    assert_eq!(
        log_rows(&app).await,
        [("REMOVE_CONTENT".to_owned(), Some(opponent.id))]
    );
    let again = app
        .gql(
            RESOLVE,
            json!({ "id": r2["id"], "d": "BAN" }),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(
        error_code(&again),
        Some("CONFLICT"),
        "already decided: {again}"
    );
}

#[tokio::test]
async fn a_ban_ends_sessions_hides_content_and_refuses_sign_in() {
    let app = TestApp::spawn().await;
    // The opponent signs up for real, to test the sign-in path afterwards.
    let token = app
        .sign_up_and_login("Olivier", "Opposant", "opposant@example.org")
        .await;
    let opponent_id = app
        .ok("{ viewer { person { id } } }", json!({}), Some(&token))
        .await["viewer"]["person"]["id"]
        .clone();
    sqlx::query(
        "UPDATE people SET pledge_accepted_at = now() WHERE email = 'opposant@example.org'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let opponent = Member {
        id: cortege_graphql::ids::decode_any(opponent_id.as_str().unwrap())
            .unwrap()
            .1,
        gid: opponent_id.as_str().unwrap().to_owned(),
        token: token.clone(),
    };
    event(&app, &opponent, "Contre-manifestation").await;
    let alice = app.member("Alice", "Martin").await;
    let admin = app.member("Ada", "Admin").await;
    app.grant(&admin, "ADMIN").await;

    let r = app.ok(REPORT, json!({ "i": { "subjectId": opponent.gid, "reason": "OPPOSING_ACTIVITY", "details": "Infiltration" } }), Some(&alice.token)).await;
    let warned = app
        .ok(
            RESOLVE,
            json!({ "id": r["report"]["id"], "d": "WARN" }),
            Some(&admin.token),
        )
        .await;
    assert_eq!(warned["resolveReport"]["resolution"], "WARN");
    let warnings: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activities WHERE kind = 'MODERATION_WARNING' AND recipient_id = $1",
    )
    .bind(opponent.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(warnings, 1);

    let r = app.ok(REPORT, json!({ "i": { "subjectId": opponent.gid, "reason": "OPPOSING_ACTIVITY", "details": "Récidive" } }), Some(&alice.token)).await;
    app.ok(
        RESOLVE,
        json!({ "id": r["report"]["id"], "d": "BAN" }),
        Some(&admin.token),
    )
    .await;

    // The old token is refused, never served as anonymous.
    let r = app
        .gql("{ viewer { email } }", json!({}), Some(&token))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
    // Their content is hidden.
    let list = app
        .ok("{ events { edges { node { title } } } }", json!({}), None)
        .await;
    assert!(event_titles(&list).is_empty());
    // Sign-in and sign-up answer as always, and send nothing.
    let mails = app.mail_count();
    let r = app
        .gql(
            "mutation { requestLoginCode(email: \"opposant@example.org\") }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(r["data"]["requestLoginCode"], true);
    let r = app
        .gql(
            "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
            json!({ "i": { "firstName": "O", "lastName": "O", "email": "Opposant@example.org", "acceptsPledge": true } }),
            None,
        )
        .await;
    assert_eq!(r["data"]["signUp"]["loginCodeSent"], true);
    // A request that would send mail is processed in the background: wait
    // for an unrelated one to be sure the two above are done.
    app.gql(
        "mutation { requestLoginCode(email: \"witness@example.org\") }",
        json!({}),
        None,
    )
    .await;
    app.sign_up_and_login("Wit", "Ness", "witness2@example.org")
        .await;
    assert_eq!(app.mail_count(), mails + 1, "only the witness got mail");
    let actions: Vec<String> = log_rows(&app).await.into_iter().map(|r| r.0).collect();
    assert_eq!(actions, ["WARN", "BAN"]);
}

#[tokio::test]
async fn admins_grant_and_revoke_roles_with_a_log() {
    let app = TestApp::spawn().await;
    let admin = app.member("Ada", "Admin").await;
    app.grant(&admin, "ADMIN").await;
    let alice = app.member("Alice", "Martin").await;
    let grant =
        "mutation($p: ID!, $r: Role!) { grantRole(personId: $p, role: $r) { displayName } }";
    let revoke =
        "mutation($p: ID!, $r: Role!) { revokeRole(personId: $p, role: $r) { displayName } }";
    let r = app
        .gql(
            grant,
            json!({ "p": alice.gid, "r": "ADMIN" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app.gql(QUEUE, json!({}), Some(&alice.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    app.ok(
        grant,
        json!({ "p": alice.gid, "r": "MODERATOR" }),
        Some(&admin.token),
    )
    .await;
    let r = app.gql(QUEUE, json!({}), Some(&alice.token)).await;
    assert!(r.get("errors").is_none(), "a moderator now: {r}");
    app.ok(
        revoke,
        json!({ "p": alice.gid, "r": "MODERATOR" }),
        Some(&admin.token),
    )
    .await;
    let r = app.gql(QUEUE, json!({}), Some(&alice.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    let r = app
        .gql(
            revoke,
            json!({ "p": alice.gid, "r": "MEMBER" }),
            Some(&admin.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    let actions: Vec<String> = log_rows(&app).await.into_iter().map(|r| r.0).collect();
    assert_eq!(actions, ["GRANT_ROLE", "REVOKE_ROLE"]);
}

#[tokio::test]
async fn a_decision_whose_transaction_fails_leaves_no_trace() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Roux").await;
    let alice = app.member("Alice", "Martin").await;
    let moderator = app.member("Mona", "Dupuis").await;
    app.grant(&moderator, "MODERATOR").await;
    let id = event(&app, &org, "Meeting douteux").await;
    let r = app
        .ok(
            REPORT,
            json!({ "i": { "subjectId": id, "reason": "OPPOSING_ACTIVITY", "details": "Pas des nôtres" } }),
            Some(&alice.token),
        )
        .await;
    let report = r["report"]["id"].clone();
    // The log insert, the last statement of the decision, fails once.
    sqlx::raw_sql(
        "CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
         CREATE TRIGGER fail_once BEFORE INSERT ON moderation_log
             FOR EACH ROW EXECUTE FUNCTION fail_once();",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let r = app
        .gql(
            RESOLVE,
            json!({ "id": report, "d": "REMOVE_CONTENT" }),
            Some(&moderator.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("INTERNAL"), "{r}");
    assert!(
        !r.to_string().contains("disk full"),
        "internal details reach the client: {r}"
    );
    // Nothing happened: no log row, the report open, the event listed.
    assert!(log_rows(&app).await.is_empty());
    let status: String = sqlx::query_scalar("SELECT status::text FROM reports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "OPEN");
    let removed: bool = sqlx::query_scalar("SELECT removed_at IS NOT NULL FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!removed);

    sqlx::raw_sql("DROP TRIGGER fail_once ON moderation_log")
        .execute(&app.pool)
        .await
        .unwrap();
    app.ok(
        RESOLVE,
        json!({ "id": report, "d": "REMOVE_CONTENT" }),
        Some(&moderator.token),
    )
    .await;
    let actions: Vec<String> = log_rows(&app).await.into_iter().map(|r| r.0).collect();
    assert_eq!(actions, ["REMOVE_CONTENT"]);
}
