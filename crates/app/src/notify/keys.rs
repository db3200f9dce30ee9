//! Keys of the deployment: the VAPID key pair push services know the
//! server by (RFC 8292), and the key that signs unsubscribe links, so that
//! a link in a mail works without logging in and cannot be forged for
//! somebody else. Both are made at first start and kept in the database.
//! The signing key also makes each event's check-in code and signs the
//! hosts' short-lived attendee-list links; every use prefixes what it
//! signs with its own word, so no token of one serves as another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cortege_db::PgPool;
use cortege_domain::{ActivityKind, PersonId};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

const VAPID_SECRET: &str = "vapid_private_key";
const UNSUBSCRIBE_SECRET: &str = "unsubscribe_key";

/// What an unsubscribe link switches off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribe {
    /// Mail of one kind of activity.
    Kind(ActivityKind),
    /// The digest.
    Digest,
}

impl Unsubscribe {
    fn as_str(self) -> &'static str {
        match self {
            Unsubscribe::Kind(k) => k.as_str(),
            Unsubscribe::Digest => "DIGEST",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        if s == "DIGEST" {
            return Some(Unsubscribe::Digest);
        }
        s.parse().ok().map(Unsubscribe::Kind)
    }
}

pub struct Keys {
    /// URL-safe base64 of the raw P-256 private key, as web-push takes it.
    vapid_private: String,
    /// URL-safe base64 of the uncompressed public key: the
    /// applicationServerKey browsers subscribe with.
    vapid_public: String,
    unsubscribe: Vec<u8>,
}

impl Keys {
    /// Loads the keys, making them on first start. `vapid_private` (from
    /// CORTEGE_VAPID_PRIVATE_KEY) replaces the stored key pair.
    pub async fn load(pool: &PgPool, vapid_private: Option<&str>) -> Result<Self, String> {
        let vapid_private = match vapid_private {
            Some(k) => k.trim().to_owned(),
            None => cortege_db::notify::secrets::get_or_create(pool, VAPID_SECRET, || {
                URL_SAFE_NO_PAD.encode(jwt_simple::algorithms::ES256KeyPair::generate().to_bytes())
            })
            .await
            .map_err(|e| format!("loading the VAPID key: {e}"))?,
        };
        let vapid_public = web_push::VapidSignatureBuilder::from_base64_no_sub(&vapid_private)
            .map_err(|e| {
                format!("the VAPID private key is not a P-256 key in URL-safe base64: {e}")
            })?
            .get_public_key();
        let unsubscribe =
            cortege_db::notify::secrets::get_or_create(pool, UNSUBSCRIBE_SECRET, || {
                URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
            })
            .await
            .map_err(|e| format!("loading the unsubscribe key: {e}"))?;
        Ok(Self {
            vapid_public: URL_SAFE_NO_PAD.encode(vapid_public),
            vapid_private,
            unsubscribe: URL_SAFE_NO_PAD
                .decode(unsubscribe)
                .map_err(|e| format!("the stored unsubscribe key is damaged: {e}"))?,
        })
    }

    pub fn vapid_public_key(&self) -> &str {
        &self.vapid_public
    }

    pub fn vapid_private_key(&self) -> &str {
        &self.vapid_private
    }

    fn mac(&self, text: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.unsubscribe)
            .expect("HMAC takes keys of any length");
        mac.update(text.as_bytes());
        mac
    }

    /// The token of an unsubscribe link: who, what, and their signature.
    pub fn unsubscribe_token(&self, person: PersonId, what: Unsubscribe) -> String {
        self.sign(&format!("{}.{}", person.0.simple(), what.as_str()))
    }

    /// `text` with its signature: `text.tag`, the tag the first 16 bytes
    /// of its HMAC, URL-safe.
    fn sign(&self, text: &str) -> String {
        let tag = self.mac(text).finalize().into_bytes();
        format!("{text}.{}", URL_SAFE_NO_PAD.encode(&tag[..16]))
    }

    /// The text of a token [`Keys::sign`] made, if its signature holds.
    fn verified<'t>(&self, token: &'t str) -> Option<&'t str> {
        let (text, tag) = token.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != 16 {
            return None;
        }
        self.mac(text).verify_truncated_left(&tag).ok()?;
        Some(text)
    }

    /// The code attendees type to check in at an event: a keyed digest of
    /// the event, the same on every replica, not guessable from its id.
    pub fn check_in_code(&self, event: Uuid) -> String {
        let tag = self
            .mac(&format!("check-in.{}", event.simple()))
            .finalize()
            .into_bytes();
        cortege_domain::attendance::code_from(&tag)
    }

    /// The token of a link to an event's attendee list for one host, valid
    /// until `expires` (Unix seconds).
    pub fn attendees_token(&self, event: Uuid, host: PersonId, expires: i64) -> String {
        self.sign(&format!(
            "csv.{}.{}.{expires}",
            event.simple(),
            host.0.simple()
        ))
    }

    /// The event, host and expiry of an attendee-list token, if it is one
    /// of ours (expiry is the caller's to check).
    pub fn check_attendees_token(&self, token: &str) -> Option<(Uuid, PersonId, i64)> {
        let mut parts = self.verified(token)?.strip_prefix("csv.")?.split('.');
        let event = Uuid::parse_str(parts.next()?).ok()?;
        let host = PersonId(Uuid::parse_str(parts.next()?).ok()?);
        let expires = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some((event, host, expires))
    }

    /// Who and what a token unsubscribes, if it is one of ours.
    pub fn check_unsubscribe(&self, token: &str) -> Option<(PersonId, Unsubscribe)> {
        let (person, what) = self.verified(token)?.split_once('.')?;
        Some((
            PersonId(Uuid::parse_str(person).ok()?),
            Unsubscribe::parse(what)?,
        ))
    }
}
