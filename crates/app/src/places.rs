//! Postcodes and addresses, resolved against the INSEE reference.

use cortege_db::reference::Commune;
use cortege_domain::{
    AddressLines, GeoPoint, PostalAddress, Postcode, address, normalize_place_name,
};

use crate::{App, Error, Result};

/// The postcode, checked, and the communes it serves (the main one first);
/// invalid on `field` when it is malformed or no commune has it.
pub async fn communes_of_postcode(
    app: &App,
    raw: &str,
    field: &str,
) -> Result<(String, Vec<Commune>)> {
    let postcode = Postcode::parse(raw, field)?;
    let communes =
        cortege_db::reference::communes_for_postcode(&app.pool, postcode.as_str()).await?;
    if communes.is_empty() {
        return Err(Error::invalid(field, "no French commune has this postcode"));
    }
    Ok((postcode.as_str().to_owned(), communes))
}

/// Where a postcode places a member: the postcode, its (main) commune's
/// code and centre.
#[derive(Debug, Clone)]
pub struct Place {
    pub postcode: String,
    pub commune_code: String,
    pub centre: (f64, f64),
}

/// The place of a postcode (its main commune when it serves several).
pub async fn place_of_postcode(app: &App, raw: &str, field: &str) -> Result<Place> {
    let (postcode, communes) = communes_of_postcode(app, raw, field).await?;
    let commune = communes
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("postcode without commune", &postcode))?;
    Ok(Place {
        postcode,
        commune_code: commune.code,
        centre: (commune.lat, commune.lon),
    })
}

/// Finds the commune among the postcode's whose name matches the city;
/// invalid on `<prefix>.postcode` or `<prefix>.city` (naming the
/// candidates) otherwise.
pub async fn resolve(app: &App, lines: &AddressLines, prefix: &str) -> Result<PostalAddress> {
    let (postcode, candidates) =
        communes_of_postcode(app, &lines.postcode, &format!("{prefix}.postcode")).await?;
    let street = address::parse_street(lines.street.as_deref(), &format!("{prefix}.street"))?;
    let wanted = normalize_place_name(&lines.city);
    match candidates
        .iter()
        .find(|c| normalize_place_name(&c.name) == wanted)
    {
        Some(commune) => Ok(PostalAddress {
            street,
            postcode,
            city: commune.name.clone(),
            commune_code: commune.code.clone(),
        }),
        None => {
            let names: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
            Err(Error::invalid(
                format!("{prefix}.city"),
                format!(
                    "no commune of this name has postcode {postcode}: {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

/// Where an online action given no address sits, for the statistics: its
/// group's commune, else its organiser's. (Its location, when not given,
/// is that commune's centre: [`commune_centre`].)
pub async fn online_home(
    app: &App,
    organiser: &cortege_db::people::Person,
    group: Option<uuid::Uuid>,
) -> Result<PostalAddress> {
    let from_group = match group {
        Some(g) => cortege_db::groups::by_ids(&app.pool, &[g])
            .await?
            .into_iter()
            .next()
            .and_then(|g| match (g.postcode, g.city, g.commune_code) {
                (Some(postcode), Some(city), Some(commune_code)) => Some(PostalAddress {
                    street: None,
                    postcode,
                    city,
                    commune_code,
                }),
                _ => None,
            }),
        None => None,
    };
    if let Some(a) = from_group {
        return Ok(a);
    }
    if let (Some(postcode), Some(code)) = (&organiser.postcode, &organiser.commune_code)
        && let Some(c) =
            cortege_db::reference::communes_by_code(&app.pool, std::slice::from_ref(code))
                .await?
                .into_iter()
                .next()
    {
        return Ok(PostalAddress {
            street: None,
            postcode: postcode.clone(),
            city: c.name,
            commune_code: c.code,
        });
    }
    Err(Error::invalid(
        "input.address",
        "an online action outside a group sits in your commune: add a postcode to your profile, or give an address",
    ))
}

/// The centre of the address's commune.
pub async fn commune_centre(app: &App, address: &PostalAddress) -> Result<GeoPoint> {
    let c = cortege_db::reference::communes_by_code(
        &app.pool,
        std::slice::from_ref(&address.commune_code),
    )
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| Error::internal("commune vanished", &address.commune_code))?;
    Ok(GeoPoint::parse(c.lat, c.lon)?)
}
