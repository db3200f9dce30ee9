//! Photos: GraphQL multipart uploads, re-encoded without metadata, stored in
//! square sizes; anything else refused with nothing stored.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::Cursor;

use common::{TestApp, error_code, error_field, files_under};
use serde_json::json;

const UPLOAD: &str = "mutation($file: Upload!) { uploadPhoto(file: $file) { photoUrl small: photoUrl(size: SMALL) } }";

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A JPEG carrying an EXIF block with a GPS position, as phones write them.
fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, 60])
    });
    let mut plain = Vec::new();
    img.write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg)
        .unwrap();
    let payload = b"Exif\0\0GPSLatitude=48.8566N;GPSLongitude=2.3522E";
    let len = (payload.len() + 2) as u16;
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> serde_json::Value {
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": UPLOAD, "variables": { "file": null } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
    let mut req = app
        .client
        .post(format!("{}/graphql", app.base))
        .multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_photo_is_reencoded_without_metadata_in_square_sizes() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Jeanne", "Bernard", "jeanne@example.org")
        .await;
    let r = upload(&app, Some(&token), jpeg_with_gps(), "me.jpg", "image/jpeg").await;
    let url = r["data"]["uploadPhoto"]["photoUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned();
    assert!(
        url.starts_with(&app.base) && url.ends_with("-320.jpg"),
        "{url}"
    );
    assert!(
        r["data"]["uploadPhoto"]["small"]
            .as_str()
            .unwrap()
            .ends_with("-96.jpg")
    );

    let served = app.client.get(&url).send().await.unwrap();
    assert_eq!(served.status(), 200);
    let bytes = served.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (320, 320));
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("GPS") && !text.contains("Exif"),
        "metadata stripped"
    );
    assert_eq!(files_under(&app.media_dir()), 3, "three sizes");

    // A second photo replaces the first, whose files go.
    let r = upload(&app, Some(&token), png(1200, 900), "me.png", "image/png").await;
    assert!(
        r["data"]["uploadPhoto"]["photoUrl"].as_str().is_some(),
        "{r}"
    );
    assert_eq!(files_under(&app.media_dir()), 3);
}

#[tokio::test]
async fn non_images_and_oversize_files_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Karim", "Benali", "karim@example.org")
        .await;
    let before = app.snapshot().await;

    let r = upload(
        &app,
        Some(&token),
        b"#!/bin/sh\necho not a photo\n".to_vec(),
        "x.jpg",
        "image/jpeg",
    )
    .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("file"));

    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let r = upload(&app, Some(&token), gif.to_vec(), "x.gif", "image/gif").await;
    assert_eq!(
        error_code(&r),
        Some("BAD_USER_INPUT"),
        "GIF is not accepted: {r}"
    );

    let mut truncated = png(200, 200);
    truncated.truncate(truncated.len() / 2);
    let r = upload(&app, Some(&token), truncated, "x.png", "image/png").await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "truncated: {r}");

    let mut huge = png(16, 16);
    huge.resize(5 * 1024 * 1024 + 1, 0);
    let r = upload(&app, Some(&token), huge, "big.png", "image/png").await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "5 MB + 1 byte: {r}");

    assert_eq!(files_under(&app.media_dir()), 0);
    assert_eq!(app.snapshot().await, before);

    let r = upload(&app, None, png(64, 64), "x.png", "image/png").await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn sign_up_with_a_photo() {
    let app = TestApp::spawn().await;
    let query = "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }";
    let input = json!({ "firstName": "Léa", "lastName": "Moreau", "email": "lea@example.org", "acceptsPledge": true, "photo": null });
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": query, "variables": { "i": input } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.i.photo"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(png(500, 500))
                .file_name("lea.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r: serde_json::Value = app
        .client
        .post(format!("{}/graphql", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["signUp"]["loginCodeSent"], true, "{r}");
    let code = app.next_code("lea@example.org").await;
    let token = app.login("lea@example.org", &code).await;
    let v = app
        .gql(
            "{ viewer { person { photoUrl(size: LARGE) } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert!(
        v["data"]["viewer"]["person"]["photoUrl"]
            .as_str()
            .unwrap()
            .ends_with("-800.jpg"),
        "{v}"
    );
    assert_eq!(files_under(&app.media_dir()), 3);

    // A bad photo refuses the whole sign-up.
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": query, "variables": { "i": { "firstName": "Max", "lastName": "Blanc", "email": "max@example.org", "acceptsPledge": true, "photo": null } } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.i.photo"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.png"));
    let r: serde_json::Value = app
        .client
        .post(format!("{}/graphql", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("input.photo"));
    let max: i64 =
        sqlx::query_scalar("SELECT count(*) FROM people WHERE email = 'max@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(max, 0);
}
