//! Notifications away from the app (issue 14): real mail files, a real
//! Web Push receiver that decrypts with the subscription's own keys (the
//! ece crate), real calendar parsing.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::push::Receiver;
use crate::common::{Member, TestApp, error_code, event_input};

const REGISTER: &str =
    "mutation($i: PushSubscriptionInput!) { registerPushSubscription(input: $i) { id endpoint } }";
const RSVP: &str = "mutation($e: ID!) { rsvp(eventId: $e) { status } }";
const CANCEL: &str = "mutation($id: ID!) { cancelEvent(id: $id) { id } }";

async fn spawn() -> TestApp {
    TestApp::spawn_with(|c| c.push_allow_private = true).await
}

fn email_of(m: &Member) -> String {
    format!("{}@example.org", m.id.simple())
}

/// The raw mail file to `to`, once it is there.
async fn raw_mail(app: &TestApp, to: &str, subject_part: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(app.mail_dir()).unwrap().flatten() {
            let raw = std::fs::read_to_string(entry.path())
                .unwrap_or_default()
                .replace("\r\n", "\n");
            if raw
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
                && raw.contains(subject_part)
            {
                return raw;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} about {subject_part}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn mails_to(app: &TestApp, to: &str) -> usize {
    std::fs::read_dir(app.mail_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .replace("\r\n", "\n")
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
        })
        .count()
}

async fn event_with_capacity(
    app: &TestApp,
    organiser: &Member,
    title: &str,
    capacity: i32,
) -> String {
    let mut input = event_input(title, (48.85, 2.35), "75001", "Paris");
    input["capacity"] = json!(capacity);
    app.create_event(&organiser.token, input).await
}

/// Every activity fanned out: the notifier's cursor has reached the end
/// of the sequence.
async fn fanned_out(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (n, o, unnumbered): (i64, i64, i64) = sqlx::query_as(
            "SELECT n.last_seq, o.last_seq, (SELECT count(*) FROM activities WHERE seq IS NULL)
             FROM notifier_state n, outbox_state o",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if n == o && unnumbered == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the notifier is stuck at {n} of {o}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_cancellation_reaches_the_going_and_the_waitlisted_once_by_mail_and_push_and_no_one_else()
{
    let app = spawn().await;
    let (receiver, base) = Receiver::start().await;
    let organiser = app.member("Olga", "Orga").await;
    let going = app.member("Gaston", "Going").await;
    let waiting = app.member("Wanda", "Waits").await;
    let bystander = app.member("Bruno", "Bystander").await;
    for (m, device) in [
        (&going, "going"),
        (&waiting, "waiting"),
        (&bystander, "bystander"),
    ] {
        app.ok(
            REGISTER,
            json!({ "i": receiver.device(&base, device) }),
            Some(&m.token),
        )
        .await;
    }
    let event = event_with_capacity(&app, &organiser, "Tractage au marché", 1).await;
    assert_eq!(
        app.ok(RSVP, json!({ "e": event }), Some(&going.token))
            .await["rsvp"]["status"],
        "GOING"
    );
    assert_eq!(
        app.ok(RSVP, json!({ "e": event }), Some(&waiting.token))
            .await["rsvp"]["status"],
        "WAITLISTED"
    );

    app.ok(CANCEL, json!({ "id": event }), Some(&organiser.token))
        .await;

    for (m, device) in [(&going, "going"), (&waiting, "waiting")] {
        let raw = raw_mail(&app, &email_of(m), "annul").await;
        assert!(raw.contains("List-Unsubscribe: <"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("text/html") && raw.contains("text/plain"));
        let pushes = receiver.wait_for(device, 1).await;
        assert!(
            pushes[0]["title"]
                .as_str()
                .unwrap()
                .contains("Action annulée"),
            "{pushes:?}"
        );
        assert!(pushes[0]["url"].as_str().unwrap().contains("/actions/"));
    }
    fanned_out(&app).await;
    // Once nothing is pending, no more can come.
    app.nothing_pending().await;
    for m in [&going, &waiting] {
        assert_eq!(mails_to(&app, &email_of(m)), 1, "one mail each");
    }
    assert_eq!(receiver.received("going").len(), 1);
    assert_eq!(receiver.received("waiting").len(), 1);
    assert_eq!(mails_to(&app, &email_of(&bystander)), 0);
    assert!(receiver.received("bystander").is_empty());
    // The organiser hears of the RSVP (NEW_ATTENDEE: push by default, and
    // they have no device) but gets no mail of their own cancellation.
    assert_eq!(mails_to(&app, &email_of(&organiser)), 0);
}

#[tokio::test]
async fn one_click_unsubscribe_turns_that_mail_off_and_the_next_cancellation_sends_none() {
    let app = spawn().await;
    let organiser = app.member("Olga", "Orga").await;
    let member = app.member("Mia", "Member").await;
    let first = event_with_capacity(&app, &organiser, "Porte-à-porte", 10).await;
    let second = event_with_capacity(&app, &organiser, "Collage d'affiches", 10).await;
    for e in [&first, &second] {
        app.ok(RSVP, json!({ "e": e }), Some(&member.token)).await;
    }
    app.ok(CANCEL, json!({ "id": first }), Some(&organiser.token))
        .await;
    let raw = raw_mail(&app, &email_of(&member), "Porte").await;
    let url = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.strip_suffix('>'))
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    // A GET (a link scanner, a click) shows a button and changes nothing.
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    let prefs = "{ viewer { notificationPreferences { kind email push } } }";
    let cancelled_email = |v: &Value| {
        v["viewer"]["notificationPreferences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "EVENT_CANCELLED")
            .unwrap()["email"]
            .as_bool()
            .unwrap()
    };
    assert!(cancelled_email(
        &app.ok(prefs, json!({}), Some(&member.token)).await
    ));
    // The mail client's one-click POST (RFC 8058), without any session.
    let done = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(!cancelled_email(
        &app.ok(prefs, json!({}), Some(&member.token)).await
    ));
    // A forged token does nothing.
    let forged = url.replace("EVENT_CANCELLED", "EVENT_UPDATED");
    assert_eq!(http.post(&forged).send().await.unwrap().status(), 404);

    app.ok(CANCEL, json!({ "id": second }), Some(&organiser.token))
        .await;
    fanned_out(&app).await;
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id
         WHERE a.kind = 'EVENT_CANCELLED' AND d.person_id = $1 AND d.channel = 'EMAIL'",
    )
    .bind(member.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1, "the second cancellation wrote no mail");
    assert_eq!(mails_to(&app, &email_of(&member)), 1);
}

#[tokio::test]
async fn a_gone_device_is_forgotten_and_private_endpoints_are_refused() {
    let app = spawn().await;
    let (receiver, base) = Receiver::start().await;
    let organiser = app.member("Olga", "Orga").await;
    let member = app.member("Mia", "Member").await;
    app.ok(
        REGISTER,
        json!({ "i": receiver.device(&base, "old-phone") }),
        Some(&member.token),
    )
    .await;
    // Registering again is the same subscription.
    let again = receiver.device(&base, "old-phone");
    let a = app
        .ok(REGISTER, json!({ "i": again }), Some(&member.token))
        .await;
    let b = app
        .ok(REGISTER, json!({ "i": again }), Some(&member.token))
        .await;
    assert_eq!(
        a["registerPushSubscription"]["id"],
        b["registerPushSubscription"]["id"]
    );
    receiver.answer("old-phone", 410);
    let event = event_with_capacity(&app, &organiser, "Réunion publique", 10).await;
    app.ok(RSVP, json!({ "e": event }), Some(&member.token))
        .await;
    app.ok(CANCEL, json!({ "id": event }), Some(&organiser.token))
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = app
            .ok(
                "{ viewer { pushSubscriptions { id } } }",
                json!({}),
                Some(&member.token),
            )
            .await;
        if v["viewer"]["pushSubscriptions"]
            .as_array()
            .unwrap()
            .is_empty()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gone subscription is still there"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Without CORTEGE_PUSH_ALLOW_PRIVATE, loopback and private networks are refused.
    let strict = TestApp::spawn().await;
    let m = strict.member("Sam", "Strict").await;
    for endpoint in [
        "https://127.0.0.1/push",
        "https://10.0.0.8/push",
        "https://localhost/x",
        "http://push.example.org/x",
    ] {
        let mut input = receiver.device(&base, "x");
        input["endpoint"] = json!(endpoint);
        let r = strict
            .gql(REGISTER, json!({ "i": input }), Some(&m.token))
            .await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{endpoint}: {r}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM push_subscriptions")
        .fetch_one(&strict.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn preferences_have_respectful_defaults_and_refuse_what_the_rules_forbid() {
    let app = spawn().await;
    let m = app.member("Mia", "Member").await;
    let v = app
        .ok(
            "{ viewer { digest notificationPreferences { kind email push } } }",
            json!({}),
            Some(&m.token),
        )
        .await;
    assert_eq!(v["viewer"]["digest"], "WEEKLY");
    let prefs: HashMap<String, (bool, bool)> = v["viewer"]["notificationPreferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                (p["email"].as_bool().unwrap(), p["push"].as_bool().unwrap()),
            )
        })
        .collect();
    assert_eq!(prefs.len(), cortege_domain::ActivityKind::ALL.len());
    assert_eq!(prefs["EVENT_HOST_ADDED"], (true, true));
    assert_eq!(prefs["EVENT_CANCELLED"], (true, true));
    assert_eq!(prefs["EVENT_REMINDER"], (true, true));
    assert_eq!(prefs["NEW_ATTENDEE"], (false, true));
    assert_eq!(prefs["FRIEND_REQUEST"], (false, true));
    assert_eq!(prefs["EVENT_CREATED_NEARBY"], (false, false));
    assert!(prefs["MODERATION_WARNING"].0);
    let set = "mutation($i: [NotificationPreferenceInput!]!, $d: DigestFrequency) {
        setNotificationPreferences(input: $i, digest: $d) { digest notificationPreferences { kind email push } } }";
    let r = app
        .gql(
            set,
            json!({ "i": [{ "kind": "MODERATION_WARNING", "email": false }] }),
            Some(&m.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    let r = app
        .gql(
            set,
            json!({ "i": [{ "kind": "EVENT_CREATED_NEARBY", "push": true }] }),
            Some(&m.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    let r = app
        .ok(
            set,
            json!({ "i": [{ "kind": "EVENT_UPDATED", "push": false }], "d": "DAILY" }),
            Some(&m.token),
        )
        .await;
    assert_eq!(r["setNotificationPreferences"]["digest"], "DAILY");
    let updated = r["setNotificationPreferences"]["notificationPreferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "EVENT_UPDATED")
        .unwrap()
        .clone();
    assert_eq!(
        updated,
        json!({ "kind": "EVENT_UPDATED", "email": true, "push": false })
    );
    assert!(
        !app.ok("{ vapidPublicKey }", json!({}), None).await["vapidPublicKey"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn calendars_parse_and_follow_updates_and_cancellations_and_keep_group_events_private() {
    use icalendar::{Calendar, Component};
    let app = spawn().await;
    let organiser = app.member("Olga", "Orga").await;
    let member = app.member("Mia", "Member").await;
    let event = event_with_capacity(&app, &organiser, "Tractage gare", 10).await;
    app.ok(RSVP, json!({ "e": event }), Some(&member.token))
        .await;
    let q = "query($id: ID!) { event(id: $id) { icsUrl } viewer { calendarFeedUrl } }";
    let v = app.ok(q, json!({ "id": event }), Some(&member.token)).await;
    let event_url = v["event"]["icsUrl"].as_str().unwrap().to_owned();
    let feed_url = v["viewer"]["calendarFeedUrl"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let fetch = |url: String| {
        let http = http.clone();
        async move {
            let r = http.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/calendar")
            );
            assert!(r.headers().contains_key("etag"));
            let text = r.text().await.unwrap();
            let cal: Calendar = text.parse().unwrap();
            cal.events().cloned().collect::<Vec<_>>()
        }
    };
    let before = fetch(event_url.clone()).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].get_summary(), Some("Tractage gare"));
    let uid = before[0].get_uid().unwrap().to_owned();
    let seq = before[0].get_sequence().unwrap();
    let in_feed = fetch(feed_url.clone()).await;
    assert_eq!(in_feed.len(), 1);
    assert_eq!(in_feed[0].get_uid(), Some(uid.as_str()));

    app.ok(
        "mutation($id: ID!) { updateEvent(id: $id, input: { title: \"Tractage gare SNCF\" }) { id } }",
        json!({ "id": event }),
        Some(&organiser.token),
    )
    .await;
    let after = fetch(event_url.clone()).await;
    assert_eq!(after[0].get_uid(), Some(uid.as_str()), "stable UID");
    assert!(after[0].get_sequence().unwrap() > seq, "SEQUENCE bumped");
    assert_eq!(after[0].get_summary(), Some("Tractage gare SNCF"));
    app.ok(CANCEL, json!({ "id": event }), Some(&organiser.token))
        .await;
    let cancelled = fetch(feed_url.clone()).await;
    assert_eq!(
        cancelled[0].get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );

    // The old feed URL stops working once reset.
    let reset = app
        .ok(
            "mutation { resetCalendarFeedUrl { calendarFeedUrl } }",
            json!({}),
            Some(&member.token),
        )
        .await;
    assert_ne!(
        reset["resetCalendarFeedUrl"]["calendarFeedUrl"]
            .as_str()
            .unwrap(),
        feed_url
    );
    assert_eq!(http.get(&feed_url).send().await.unwrap().status(), 404);

    // A GROUP event: not in a stranger's calendar, nor by its bare URL.
    let group = app
        .ok(
            "mutation { createGroup(input: { name: \"Comité Gare\", description: \"Le comité du quartier de la gare.\", joinPolicy: OPEN }) { id } }",
            json!({}),
            Some(&organiser.token),
        )
        .await["createGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut input = event_input("Réunion du comité", (48.85, 2.35), "75001", "Paris");
    input["visibility"] = json!("GROUP");
    input["groupId"] = json!(group);
    let private = app.create_event(&organiser.token, input).await;
    let url = app
        .ok(
            "query($id: ID!) { event(id: $id) { icsUrl } }",
            json!({ "id": private }),
            Some(&organiser.token),
        )
        .await["event"]["icsUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.contains("?token="));
    assert_eq!(fetch(url.clone()).await.len(), 1);
    let bare = url.split('?').next().unwrap().to_owned();
    assert_eq!(http.get(&bare).send().await.unwrap().status(), 404);
    let stranger_feed = app
        .ok(
            "{ viewer { calendarFeedUrl } }",
            json!({}),
            Some(&member.token),
        )
        .await["viewer"]["calendarFeedUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger_url = format!(
        "{bare}?token={}",
        stranger_feed
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".ics")
    );
    assert_eq!(http.get(&stranger_url).send().await.unwrap().status(), 404);
    let group_url = app
        .ok(
            "query($id: ID!) { group(id: $id) { icsUrl } }",
            json!({ "id": group }),
            None,
        )
        .await["group"]["icsUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        fetch(group_url).await.is_empty(),
        "a stranger's group calendar has no GROUP event"
    );
}

#[tokio::test]
async fn a_reminder_arrives_for_an_event_starting_inside_the_window_and_a_late_joiner_gets_it_too()
{
    let app = spawn().await;
    let (receiver, base) = Receiver::start().await;
    let organiser = app.member("Olga", "Orga").await;
    let early = app.member("Eve", "Early").await;
    let late = app.member("Leo", "Late").await;
    app.ok(
        REGISTER,
        json!({ "i": receiver.device(&base, "early") }),
        Some(&early.token),
    )
    .await;
    app.ok(
        REGISTER,
        json!({ "i": receiver.device(&base, "late") }),
        Some(&late.token),
    )
    .await;
    let starts = chrono::Utc::now() + chrono::Duration::minutes(90);
    let mut input = event_input(
        "Distribution devant l'usine",
        (48.85, 2.35),
        "75001",
        "Paris",
    );
    input["startsAt"] = json!(starts.to_rfc3339());
    input["endsAt"] = json!((starts + chrono::Duration::hours(1)).to_rfc3339());
    let event = app.create_event(&organiser.token, input).await;
    app.ok(RSVP, json!({ "e": event }), Some(&early.token))
        .await;
    // The clock's own run (every 30 s) would do it too; this is the same call.
    let state = cortege_app::notify::schedule::reminders(&app.state().app)
        .await
        .unwrap();
    assert_eq!(
        state, 1,
        "one reminder: the 2-hour one (the 24-hour one is folded in)"
    );
    assert_eq!(
        cortege_app::notify::schedule::reminders(&app.state().app)
            .await
            .unwrap(),
        0
    );
    let pushes = receiver.wait_for("early", 1).await;
    assert!(
        pushes[0]["title"].as_str().unwrap().starts_with("Rappel"),
        "{pushes:?}"
    );
    let raw = raw_mail(&app, &email_of(&early), "Rappel").await;
    assert!(raw.contains(".ics"), "the mail links the calendar");
    app.ok(RSVP, json!({ "e": event }), Some(&late.token)).await;
    let late_pushes = receiver.wait_for("late", 1).await;
    assert!(
        late_pushes[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Rappel")
    );
    fanned_out(&app).await;
    assert_eq!(
        receiver.received("early").len(),
        1,
        "the early one is not reminded twice"
    );
}

#[tokio::test]
async fn the_digest_lists_new_nearby_events_and_goes_once_per_period() {
    let app = spawn().await;
    let organiser = app.member("Olga", "Orga").await;
    // The events first: the server's clock may send the week's digest as
    // soon as the members exist.
    app.create_event(
        &organiser.token,
        event_input("Tractage République", (48.867, 2.363), "75011", "Paris"),
    )
    .await;
    app.create_event(
        &organiser.token,
        event_input("Tractage Vieux-Port", (43.295, 5.374), "13001", "Marseille"),
    )
    .await;
    let near = app.member_at("Nina", "Near", Some((48.86, 2.35))).await;
    let far = app.member_at("Fabien", "Far", Some((43.3, 5.37))).await;
    let a = &app.state().app;
    let at = chrono::Utc::now();
    // The server's clock may have written them already: either way, once.
    cortege_app::notify::schedule::schedule_digests(a, cortege_domain::DigestFrequency::Weekly, at)
        .await
        .unwrap();
    let written: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE digest_period IS NOT NULL AND person_id = ANY($1)",
    )
    .bind(vec![near.id, far.id])
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(written, 2);
    assert_eq!(
        cortege_app::notify::schedule::schedule_digests(
            a,
            cortege_domain::DigestFrequency::Weekly,
            at
        )
        .await
        .unwrap(),
        0,
        "once per period"
    );
    let (_, body) = app.next_mail(&email_of(&near)).await;
    assert!(
        body.contains("République") && !body.contains("Vieux-Port"),
        "{body}"
    );
    let (_, body) = app.next_mail(&email_of(&far)).await;
    assert!(
        body.contains("Vieux-Port") && !body.contains("République"),
        "{body}"
    );
    let raw = raw_mail(&app, &email_of(&far), "List-Unsubscribe").await;
    assert!(raw.contains("List-Unsubscribe"));
}
