use async_graphql::{Context, InputObject, Object};
use cortege_domain::{Postcode, normalize_place_name};

use crate::error::{ApiError, ApiResult};
use crate::objects::person::Commune;
use crate::state::SharedState;

/// A French postal address. The postcode and city must name one commune.
#[derive(InputObject, Clone)]
pub struct AddressInput {
    pub street: Option<String>,
    pub postcode: String,
    /// The commune's name; case, accents, hyphens and "St"/"Saint" are ignored.
    pub city: String,
}

/// An address resolved to its commune: street, postcode, official city
/// name, commune code.
pub type ResolvedAddress = (Option<String>, String, String, String);

/// Finds the commune among the postcode's whose name matches the city;
/// BAD_USER_INPUT on `<prefix>.postcode` or `<prefix>.city` (naming the
/// candidates) otherwise.
pub async fn resolve(
    state: &SharedState,
    input: &AddressInput,
    prefix: &str,
) -> ApiResult<ResolvedAddress> {
    let (postcode, candidates) =
        communes_of_postcode(state, &input.postcode, &format!("{prefix}.postcode")).await?;
    let street = match input.street.as_deref().map(str::trim) {
        Some(s) if s.chars().count() > 200 => {
            return Err(ApiError::bad_input(
                format!("{prefix}.street"),
                "must be at most 200 characters",
            ));
        }
        Some(s) if !s.is_empty() => Some(s.to_owned()),
        _ => None,
    };
    let wanted = normalize_place_name(&input.city);
    match candidates
        .iter()
        .find(|c| normalize_place_name(&c.name) == wanted)
    {
        Some(commune) => Ok((street, postcode, commune.name.clone(), commune.code.clone())),
        None => {
            let names: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
            Err(ApiError::bad_input(
                format!("{prefix}.city"),
                format!(
                    "no commune of this name has postcode {}: {}",
                    postcode.as_str(),
                    names.join(", ")
                ),
            ))
        }
    }
}

/// The postcode, checked, and the communes it serves (the main one first);
/// BAD_USER_INPUT on `field` when it is malformed or no commune has it.
pub async fn communes_of_postcode(
    state: &SharedState,
    raw: &str,
    field: &str,
) -> ApiResult<(String, Vec<cortege_db::reference::Commune>)> {
    let postcode = Postcode::parse(raw, "").map_err(|e| ApiError::invalid(field, e))?;
    let communes =
        cortege_db::reference::communes_for_postcode(&state.pool, postcode.as_str()).await?;
    if communes.is_empty() {
        return Err(ApiError::bad_input(
            field,
            "no French commune has this postcode",
        ));
    }
    Ok((postcode.as_str().to_owned(), communes))
}

/// A postal address and the commune it belongs to.
pub struct Address {
    pub street: Option<String>,
    pub postcode: String,
    pub city: String,
    pub commune_code: String,
}

#[Object]
impl Address {
    async fn street(&self) -> Option<&str> {
        self.street.as_deref()
    }
    async fn postcode(&self) -> &str {
        &self.postcode
    }
    async fn city(&self) -> &str {
        &self.city
    }
    async fn commune(&self, ctx: &Context<'_>) -> ApiResult<Option<Commune>> {
        let loaders = crate::loaders::of(ctx);
        Ok(loaders
            .commune
            .load_one(self.commune_code.clone())
            .await?
            .map(Commune))
    }
}
