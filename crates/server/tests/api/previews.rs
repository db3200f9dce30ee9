//! Link previews (issue 18): `/actions/<id>` and `/groupes/<id>` serve the
//! web client with a public event's or group's title and description in
//! its Open Graph tags; a GROUP or UNLISTED event, a removed one and any
//! other id get the bare page, which names nothing.

use crate::common;

use common::{TestApp, event_input};
use serde_json::json;

const MARSEILLE: (f64, f64) = (43.2965, 5.3698);
const INDEX: &str = "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\" />\
    <title>Cortège</title></head><body><div id=\"root\"></div></body></html>";

#[tokio::test]
async fn public_pages_carry_a_preview_and_nothing_else_does() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), INDEX).unwrap();
    let dir = web.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| {
        c.web_dir = Some(dir);
        c.public_url = Some("https://cortege.example".to_owned());
    })
    .await;
    let alice = app.member("Alice", "Martin").await;
    let page = |path: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
            r.text().await.unwrap()
        }
    };

    let mut public = event_input("Tractage <marché> & café", MARSEILLE, "13001", "Marseille");
    public["description"] = json!("Rendez-vous \"devant\" la halle. ".repeat(20));
    public["addressVisibility"] = json!("ATTENDEES");
    let public = app.create_event(&alice.token, public).await;
    let html = page(format!("/actions/{public}")).await;
    assert!(
        html.contains("<title>Tractage &lt;marché&gt; &amp; café · Cortège</title>"),
        "{html}"
    );
    assert_eq!(html.matches("<title>").count(), 1);
    assert!(
        html.contains(
            "<meta property=\"og:title\" content=\"Tractage &lt;marché&gt; &amp; café\" />"
        )
    );
    assert!(html.contains(&format!(
        "<meta property=\"og:url\" content=\"https://cortege.example/actions/{public}\" />"
    )));
    assert!(html.contains("twitter:card"));
    let description = html
        .split("og:description\" content=\"")
        .nth(1)
        .and_then(|d| d.split('"').next())
        .unwrap();
    assert!(description.contains("Marseille"), "{description}");
    assert!(description.contains("Rendez-vous &quot;devant&quot; la halle."));
    assert!(description.ends_with('…'), "{description}");
    // A private address's street is not in a preview.
    assert!(!html.contains("Place de la Mairie"));
    assert!(html.contains("<div id=\"root\"></div>"));

    let group = app
        .ok(
            "mutation { createGroup(input: { name: \"Insoumis du Panier\", description: \"Le groupe du quartier\", address: { postcode: \"13002\", city: \"Marseille\" } }) { id } }",
            json!({}),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let html = page(format!("/groupes/{group}")).await;
    assert!(html.contains("<meta property=\"og:title\" content=\"Insoumis du Panier\" />"));
    assert!(html.contains("Le groupe du quartier"));
    assert!(html.contains("1 membre"));

    let mut members_only = event_input("Réunion interne", MARSEILLE, "13001", "Marseille");
    members_only["visibility"] = json!("GROUP");
    members_only["groupId"] = json!(group);
    let members_only = app.create_event(&alice.token, members_only).await;
    let mut unlisted = event_input("Action discrète", MARSEILLE, "13001", "Marseille");
    unlisted["visibility"] = json!("UNLISTED");
    let unlisted = app.create_event(&alice.token, unlisted).await;
    let removed = app
        .create_event(
            &alice.token,
            event_input("Retirée", MARSEILLE, "13001", "Marseille"),
        )
        .await;
    let removed_uuid = cortege_graphql::ids::decode_any(&removed).unwrap().1;
    sqlx::query("UPDATE events SET removed_at = now() WHERE id = $1")
        .bind(removed_uuid)
        .execute(&app.pool)
        .await
        .unwrap();
    for (path, secret) in [
        (format!("/actions/{members_only}"), "Réunion interne"),
        (format!("/actions/{unlisted}"), "Action discrète"),
        (format!("/actions/{removed}"), "Retirée"),
        // A group's ID on the event route names nothing either.
        (format!("/actions/{group}"), "Insoumis du Panier"),
        ("/actions/not-an-id".to_owned(), "og:"),
        (format!("/groupes/{public}"), "Tractage"),
    ] {
        let html = page(path.clone()).await;
        assert!(!html.contains(secret), "{path}: {html}");
        assert!(!html.contains("og:title"), "{path}");
        assert!(html.contains("<title>Cortège</title>"), "{path}");
    }
}
