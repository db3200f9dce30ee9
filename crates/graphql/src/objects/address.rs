use async_graphql::{Context, InputObject, Object};
use cortege_domain::{AddressLines, PostalAddress};

use crate::error::ApiResult;
use crate::objects::person::Commune;

/// A French postal address. The postcode and city must name one commune.
#[derive(InputObject, Clone)]
pub struct AddressInput {
    pub street: Option<String>,
    pub postcode: String,
    /// The commune's name; case, accents, hyphens and "St"/"Saint" are ignored.
    pub city: String,
}

impl From<AddressInput> for AddressLines {
    fn from(a: AddressInput) -> Self {
        AddressLines {
            street: a.street,
            postcode: a.postcode,
            city: a.city,
        }
    }
}

/// A postal address and the commune it belongs to.
pub struct Address(pub PostalAddress);

#[Object]
impl Address {
    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }
    async fn postcode(&self) -> &str {
        &self.0.postcode
    }
    async fn city(&self) -> &str {
        &self.0.city
    }
    async fn commune(&self, ctx: &Context<'_>) -> ApiResult<Option<Commune>> {
        let loaders = crate::loaders::of(ctx);
        Ok(loaders
            .commune
            .load_one(self.0.commune_code.clone())
            .await?
            .map(Commune))
    }
}
