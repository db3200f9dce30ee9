//! Notifications leaving the server for real: mail through a real SMTP
//! server (aiosmtpd, started by scripts/test, keeping a Maildir), and a
//! replica killed mid-send whose deliveries another finishes, each once
//! but for those that were in flight.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;

use crate::common::process::Process;
use crate::common::push::Receiver;
use crate::common::{TestApp, event_input, wait_until};

const REGISTER: &str =
    "mutation($i: PushSubscriptionInput!) { registerPushSubscription(input: $i) { id } }";
const RSVP: &str = "mutation($e: ID!) { rsvp(eventId: $e) { status } }";
const CANCEL: &str = "mutation($id: ID!) { cancelEvent(id: $id) { id } }";

/// The SMTP sink's address and the Maildir it writes.
fn sink() -> (String, u16, PathBuf) {
    let at = std::env::var("CORTEGE_TEST_SMTP").expect(
        "CORTEGE_TEST_SMTP is not set: run the tests with ./scripts/test, which starts an \
         SMTP sink",
    );
    let (host, port) = at.rsplit_once(':').unwrap();
    let maildir = std::env::var("CORTEGE_TEST_MAILDIR").expect("CORTEGE_TEST_MAILDIR");
    (
        host.to_owned(),
        port.parse().unwrap(),
        PathBuf::from(maildir),
    )
}

/// The messages the sink received for `to` (its envelope recipient).
fn messages_to(maildir: &std::path::Path, to: &str) -> Vec<String> {
    let rcpt = format!("X-RcptTo: {to}");
    std::fs::read_dir(maildir.join("new"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .map(|m| m.replace("\r\n", "\n"))
                .filter(|m| m.lines().any(|l| l == rcpt))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn mail_goes_out_through_a_real_smtp_server_once_to_each_attendee() {
    let (host, port, maildir) = sink();
    let app = TestApp::spawn_with(|c| {
        c.smtp_host = Some(host);
        c.smtp_port = Some(port);
        c.smtp_tls = cortege_app::mail::SmtpTls::None;
    })
    .await;
    // Login codes take the same road.
    let member = app.member("Lina", "Login").await;
    let login = format!("{}@example.org", member.id.simple());
    app.ok(
        "mutation($e: String!) { requestLoginCode(email: $e) }",
        json!({ "e": login }),
        None,
    )
    .await;

    let organiser = app.member("Olga", "Orga").await;
    let mut input = event_input(
        "Tractage gare Saint-Charles",
        (43.30, 5.38),
        "13001",
        "Marseille",
    );
    input["capacity"] = json!(50);
    let event = app.create_event(&organiser.token, input).await;
    let mut attendees = Vec::new();
    for i in 0..12 {
        let m = app.member("Membre", &format!("N{i}")).await;
        app.ok(RSVP, json!({ "e": event }), Some(&m.token)).await;
        attendees.push(format!("{}@example.org", m.id.simple()));
    }
    app.ok(CANCEL, json!({ "id": event }), Some(&organiser.token))
        .await;

    wait_until("a mail to every attendee", async || {
        attendees
            .iter()
            .all(|to| !messages_to(&maildir, to).is_empty())
    })
    .await;
    app.nothing_pending().await;
    for to in &attendees {
        let mails = messages_to(&maildir, to);
        assert_eq!(mails.len(), 1, "one mail to {to}");
        let mail = &mails[0];
        assert!(mail.contains("List-Unsubscribe: <"), "{mail}");
        assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(mail.contains("text/plain") && mail.contains("text/html"));
        assert!(mail.contains("X-MailFrom: noreply@localhost"), "{mail}");
    }
    let organiser_mail = format!("{}@example.org", organiser.id.simple());
    assert!(messages_to(&maildir, &organiser_mail).is_empty());
    wait_until("the login code", async || {
        !messages_to(&maildir, &login).is_empty()
    })
    .await;
    let code = messages_to(&maildir, &login);
    assert_eq!(code.len(), 1, "the login code went through SMTP");
    assert!(crate::common::code_in(&code[0]).is_some(), "{}", code[0]);
}

/// How many of the cancellation's pushes are in each state.
async fn push_states(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT d.state::text, count(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id
         WHERE a.kind = 'EVENT_CANCELLED' AND d.channel = 'PUSH' GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_replica_killed_mid_send_leaves_its_pushes_to_the_next_which_sends_each_once() {
    const MEMBERS: usize = 500;
    // This process only serves the API: the notifications are the
    // spawned replicas' to send.
    let app = TestApp::spawn_with(|c| {
        c.notifications = false;
        c.push_allow_private = true;
        c.requests_per_minute = 1_000_000;
    })
    .await;
    let (receiver, base) = Receiver::start().await;
    let organiser = app.member("Olga", "Orga").await;
    let event = app
        .create_event(
            &organiser.token,
            event_input("Meeting place Bellecour", (45.757, 4.832), "69002", "Lyon"),
        )
        .await;
    futures_util::stream::iter(0..MEMBERS)
        .for_each_concurrent(16, |i| {
            let (app, receiver, base, event) = (&app, &receiver, &base, &event);
            async move {
                let m = app.member("Membre", &format!("N{i}")).await;
                let device = receiver.device(base, &format!("d{i}"));
                app.ok(REGISTER, json!({ "i": device }), Some(&m.token))
                    .await;
                app.ok(RSVP, json!({ "e": event }), Some(&m.token)).await;
            }
        })
        .await;
    // Pushes only: the 500 in question.
    sqlx::query(
        "INSERT INTO notification_preferences (person_id, kind, email, push)
         SELECT person_id, 'EVENT_CANCELLED', false, true FROM rsvps",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let data = tempfile::tempdir().unwrap();
    let settings = [
        ("CORTEGE_PUSH_ALLOW_PRIVATE", "true"),
        ("CORTEGE_DELIVERY_LEASE_SECONDS", "2"),
    ];
    let mut first = Process::serve_with(&app, data.path(), &settings).await;
    // The push service answers 100, then keeps the rest waiting.
    receiver.hold_after(100);
    app.ok(CANCEL, json!({ "id": event }), Some(&organiser.token))
        .await;
    wait_until("100 pushes sent and the next ones in flight", async || {
        let sent = push_states(&app)
            .await
            .iter()
            .any(|(state, n)| state == "SENT" && *n == 100);
        sent && !receiver.held().is_empty()
    })
    .await;
    first.kill();
    // Pushes the dead replica had already written may still be landing in
    // the receiver: they were in flight too. Take the set once no new one
    // has arrived for a while.
    let mut held = receiver.held().len();
    let mut quiet = 0;
    while quiet < 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = receiver.held().len();
        if now == held {
            quiet += 1;
        } else {
            (held, quiet) = (now, 0);
        }
    }
    let in_flight: HashSet<String> = receiver.held().into_iter().collect();
    assert_eq!(receiver.answered(), 100);
    assert_eq!(
        push_states(&app).await,
        vec![
            ("PENDING".to_owned(), (MEMBERS - 100) as i64),
            ("SENT".to_owned(), 100)
        ],
        "the killed replica lost nothing"
    );
    receiver.release();

    // Another replica takes over once the lease of the dead one's claims
    // has run out.
    let _second = Process::serve_with(&app, data.path(), &settings).await;
    wait_until("every device reached", async || {
        receiver.counts().len() == MEMBERS
            && push_states(&app).await == vec![("SENT".to_owned(), MEMBERS as i64)]
    })
    .await;
    let counts = receiver.counts();
    let twice: HashSet<String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(d, _)| d.clone())
        .collect();
    assert!(counts.values().all(|n| *n <= 2), "{counts:?}");
    assert!(
        twice.is_subset(&in_flight),
        "only pushes in flight at the kill went twice: {twice:?} vs {in_flight:?}"
    );
    let total: usize = counts.values().sum();
    assert_eq!(total, MEMBERS + twice.len());
    eprintln!(
        "{} pushes in flight at the kill, {} sent twice",
        in_flight.len(),
        twice.len()
    );
}
