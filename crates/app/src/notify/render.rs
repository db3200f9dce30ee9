//! The words of each notification, in French: a subject or title, a
//! short text, the link to the thing itself, and for mail an HTML part.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Paris;
use cortege_db::notify::deliveries::Claimed;
use cortege_db::notify::digests::DigestEvent;
use cortege_domain::ActivityKind;
use html_escape::encode_text;

use crate::links;

/// One notification, ready for any channel.
#[derive(Debug, Clone)]
pub struct Notice {
    pub subject: String,
    /// Plain text, a few lines.
    pub text: String,
    /// Where it leads.
    pub url: String,
    /// Replaces an earlier notification with the same tag on a device.
    pub tag: String,
    /// Extra lines for the mail only (a calendar link).
    pub mail_extra: Vec<(String, String)>,
}

const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "samedi 5 décembre à 10 h 00", Europe/Paris time.
pub fn when(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&Paris);
    format!(
        "{} {} {} à {} h {:02}",
        DAYS[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month0() as usize],
        t.hour(),
        t.minute()
    )
}

/// Where the event is, as a mail or a push may say it: a private address
/// never goes out in one (mails are forwarded, lock screens read over a
/// shoulder); the commune does, and the link leads to the rest.
fn place(c: &Claimed) -> String {
    let private = c
        .event_address_visibility
        .is_some_and(cortege_domain::AddressVisibility::is_private);
    let street = if private {
        ""
    } else {
        c.event_street.as_deref().unwrap_or_default()
    };
    let town = format!(
        "{} {}",
        c.event_postcode.as_deref().unwrap_or_default(),
        c.event_city.as_deref().unwrap_or_default()
    );
    let town = town.trim();
    if street.is_empty() {
        town.to_owned()
    } else {
        format!("{street}, {town}")
    }
}

/// The notice of an activity-driven delivery, or None when there is
/// nothing to say any more (the event was removed by moderators).
pub fn activity(c: &Claimed, kind: ActivityKind, public_url: &str) -> Option<Notice> {
    let title = c.event_title.as_deref().unwrap_or("une action");
    let actor = c.actor_name.as_deref().unwrap_or("Quelqu'un");
    let group = c.group_name.as_deref().unwrap_or("votre groupe");
    let event_url = c.event_id.map(|id| links::event(public_url, id));
    let group_url = c.group_id.map(|id| links::group(public_url, id));
    let when = c.event_starts_at.map(when).unwrap_or_default();
    if c.event_id.is_some() && c.event_removed {
        return None;
    }
    let (subject, text, url) = match kind {
        ActivityKind::EventCancelled => (
            format!("Action annulée : {title}"),
            format!(
                "L'action « {title} » prévue le {when} ({}) est annulée.",
                place(c)
            ),
            event_url,
        ),
        ActivityKind::EventUpdated => (
            format!("Action modifiée : {title}"),
            format!(
                "L'action « {title} » a changé. Elle a lieu le {when}, {}.",
                place(c)
            ),
            event_url,
        ),
        ActivityKind::EventReminder => {
            let hours = c
                .payload
                .as_ref()
                .and_then(|p| p.get("hours"))
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(24);
            let soon = if hours >= 24 {
                "demain".to_owned()
            } else {
                format!("dans {hours} h")
            };
            (
                format!("Rappel : {title}, {soon}"),
                format!("« {title} » commence le {when}, {}.", place(c)),
                event_url,
            )
        }
        ActivityKind::NewAttendee => (
            format!("Nouvelle participation : {title}"),
            format!("{actor} participe à « {title} », le {when}."),
            event_url,
        ),
        ActivityKind::FriendGoing => (
            format!("{actor} participe à « {title} »"),
            format!("{actor} participe à « {title} », le {when}, {}.", place(c)),
            event_url,
        ),
        ActivityKind::FriendRequest => (
            format!("{actor} veut être votre ami·e"),
            "Répondez à sa demande dans Cortège.".to_owned(),
            Some(links::friends(public_url)),
        ),
        ActivityKind::FriendAccepted => (
            format!("{actor} a accepté votre demande"),
            format!("{actor} et vous êtes maintenant ami·es dans Cortège."),
            Some(links::friends(public_url)),
        ),
        ActivityKind::EventCreatedInGroup => (
            format!("Nouvelle action de {group} : {title}"),
            format!("{group} organise « {title} » le {when}, {}.", place(c)),
            event_url,
        ),
        ActivityKind::EventCreatedNearby => (
            format!("Nouvelle action près de chez vous : {title}"),
            format!("« {title} », le {when}, {}.", place(c)),
            event_url,
        ),
        ActivityKind::NewGroupMember => (
            format!("{actor} a rejoint {group}"),
            format!("{actor} est maintenant membre de {group}."),
            group_url,
        ),
        ActivityKind::EventHostAdded => (
            format!("Vous co-organisez « {title} »"),
            format!(
                "{actor} vous a ajouté·e à l'équipe de « {title} », le {when} : \
                 vous voyez les participant·es et pouvez modifier l'action."
            ),
            event_url,
        ),
        ActivityKind::EventHostRemoved => (
            format!("Vous ne co-organisez plus « {title} »"),
            format!("{actor} vous a retiré·e de l'équipe de « {title} »."),
            event_url,
        ),
        ActivityKind::GroupMemberRemoved => (
            format!("Vous n'êtes plus membre de {group}"),
            format!(
                "Les responsables de {group} vous ont retiré·e du groupe. \
                 Vous pourrez demander à le rejoindre de nouveau."
            ),
            group_url,
        ),
        ActivityKind::ModerationWarning => {
            let note = c
                .payload
                .as_ref()
                .and_then(|p| p.get("note"))
                .and_then(serde_json::Value::as_str)
                .filter(|n| !n.trim().is_empty());
            let about = if c.event_id.is_some() {
                format!(" au sujet de « {title} »")
            } else if c.group_id.is_some() {
                format!(" au sujet du groupe {group}")
            } else {
                String::new()
            };
            let mut text = format!(
                "L'équipe de modération vous adresse un avertissement{about}. \
                 Merci de respecter la charte du mouvement : en cas de récidive, \
                 votre compte peut être suspendu."
            );
            if let Some(note) = note {
                text.push_str(&format!("\n\nMessage de la modération : {note}"));
            }
            (
                "Avertissement de l'équipe de modération".to_owned(),
                text,
                event_url.or(group_url),
            )
        }
    };
    let mut mail_extra = Vec::new();
    if let (ActivityKind::EventReminder | ActivityKind::EventUpdated, Some(id)) = (kind, c.event_id)
    {
        mail_extra.push((
            "Ajouter à mon agenda".to_owned(),
            format!("{public_url}/calendar/events/{id}.ics"),
        ));
    }
    Some(Notice {
        tag: format!(
            "{}-{}",
            kind.as_str().to_ascii_lowercase(),
            c.event_id
                .or(c.group_id)
                .map(|i| i.to_string())
                .unwrap_or_default()
        ),
        subject,
        text,
        url: url.unwrap_or_else(|| links::feed(public_url)),
        mail_extra,
    })
}

/// The digest of new events near home, or None when there are none.
pub fn digest(events: &[DigestEvent], public_url: &str) -> Option<Notice> {
    if events.is_empty() {
        return None;
    }
    let mut text = String::from("Les nouvelles actions près de chez vous :\n");
    let mut mail_extra = Vec::new();
    for e in events {
        text.push_str(&format!(
            "\n- {} — {}, {} (à {:.0} km)",
            e.title,
            when(e.starts_at),
            e.city,
            e.distance_km.max(1.0)
        ));
        mail_extra.push((e.title.clone(), links::event(public_url, e.id)));
    }
    let count = events.len();
    Some(Notice {
        subject: if count == 1 {
            "Une nouvelle action près de chez vous".to_owned()
        } else {
            format!("{count} nouvelles actions près de chez vous")
        },
        text,
        url: links::home(public_url),
        tag: "digest".to_owned(),
        mail_extra,
    })
}

/// The mail of a notice: plain text and HTML, with the unsubscribe link
/// (when the kind may be switched off) at the bottom of both.
pub fn mail_bodies(
    n: &Notice,
    first_name: Option<&str>,
    unsubscribe_url: Option<&str>,
) -> (String, String) {
    let hello = match first_name {
        Some(f) if !f.is_empty() => format!("Bonjour {f},"),
        _ => "Bonjour,".to_owned(),
    };
    let mut text = format!("{hello}\n\n{}\n\n{}\n", n.text, n.url);
    let mut html = format!(
        "<!doctype html><html lang=\"fr\"><body style=\"font-family:sans-serif;line-height:1.4\">\
         <p>{}</p>",
        encode_text(&hello)
    );
    for para in n.text.split("\n\n") {
        html.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            html.push_str(&encode_text(line));
        }
        html.push_str("</p>");
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">Voir dans Cortège</a></p>",
        html_escape::encode_double_quoted_attribute(&n.url)
    ));
    for (label, url) in &n.mail_extra {
        text.push_str(&format!("\n{label} : {url}"));
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            html_escape::encode_double_quoted_attribute(url),
            encode_text(label)
        ));
    }
    if let Some(u) = unsubscribe_url {
        text.push_str(&format!(
            "\n\n--\nNe plus recevoir ces messages par courriel : {u}\n"
        ));
        html.push_str(&format!(
            "<hr><p style=\"font-size:small;color:#555\"><a href=\"{}\">Ne plus recevoir ces messages par courriel</a></p>",
            html_escape::encode_double_quoted_attribute(u)
        ));
    }
    html.push_str("</body></html>");
    (text, html)
}
