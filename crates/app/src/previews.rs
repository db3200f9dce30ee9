//! What a link to an event or a group shows before anyone opens it: the
//! title, the date and place, and the start of the description, which
//! messaging apps and social networks read from the page's meta tags.
//!
//! Only what a stranger may already see: a PUBLIC event that moderators
//! have not removed, a group that is not removed. A GROUP event's title is
//! for its members, and an UNLISTED link travels further than its
//! organiser meant once a preview repeats it: neither gets one, and the
//! page is then the bare web client, which asks the API as the reader.

use uuid::Uuid;

use crate::notify::render::when;
use crate::{App, Error, Result, events, links};

/// The longest description a preview repeats; messaging apps show two or
/// three lines.
const DESCRIPTION_CHARS: usize = 200;

/// The words of a link's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub title: String,
    pub description: String,
    /// The page's own link (its canonical URL).
    pub url: String,
}

/// The preview of an event's page, when it may have one.
pub async fn event(app: &App, id: Uuid) -> Result<Option<Preview>> {
    let event = match events::readable(app, None, id).await {
        Ok(event) => event,
        Err(Error::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !event.visibility.is_listed() || event.removed_at.is_some() {
        return Ok(None);
    }
    let title = if event.cancelled_at.is_some() {
        format!("Annulée : {}", event.title)
    } else {
        event.title
    };
    // The commune only: a private address's street never leaves the app.
    let place = if event.online {
        "en ligne".to_owned()
    } else {
        event.city
    };
    Ok(Some(Preview {
        title,
        description: lead(
            &format!("{}, {place}", when(event.starts_at)),
            &event.description,
        ),
        url: links::event(&app.public_url, id),
    }))
}

/// The preview of a group's page, when it may have one.
pub async fn group(app: &App, id: Uuid) -> Result<Option<Preview>> {
    let Some(group) = cortege_db::groups::by_ids(&app.pool, &[id])
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    if group.removed_at.is_some() {
        return Ok(None);
    }
    let members = match group.member_count {
        1 => "1 membre".to_owned(),
        n => format!("{n} membres"),
    };
    let head = match &group.city {
        Some(city) => format!("Groupe local, {city}, {members}"),
        None => format!("Groupe, {members}"),
    };
    Ok(Some(Preview {
        title: group.name,
        description: lead(&head, &group.description),
        url: links::group(&app.public_url, id),
    }))
}

/// "head. description…", the description cut at a word within
/// [`DESCRIPTION_CHARS`].
fn lead(head: &str, description: &str) -> String {
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return format!("{head}.");
    }
    if text.chars().count() <= DESCRIPTION_CHARS {
        return format!("{head}. {text}");
    }
    let cut: String = text.chars().take(DESCRIPTION_CHARS).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(words, _)| words);
    format!("{head}. {cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_is_cut_at_a_word() {
        let long = "mot ".repeat(100);
        let out = lead("samedi", &long);
        assert!(out.starts_with("samedi. mot mot"));
        assert!(out.ends_with("mot…"));
        assert!(out.chars().count() <= "samedi. ".len() + DESCRIPTION_CHARS + 1);
        assert_eq!(lead("samedi", "  Deux\n lignes "), "samedi. Deux lignes");
        assert_eq!(lead("samedi", ""), "samedi.");
    }
}
