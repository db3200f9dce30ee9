use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use cortege_db::people::Profile;
use cortege_db::reference::Commune as CommuneRow;
use cortege_domain::{GeoPoint as DomainPoint, display_name};

use crate::auth::auth;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};

/// A point on Earth (WGS 84 degrees).
#[derive(SimpleObject, Clone, Copy)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A point given by a client. Latitude in [-90, 90], longitude in [-180, 180].
#[derive(InputObject, Clone, Copy)]
pub struct GeoPointInput {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPointInput {
    /// The checked point; errors name `field.lat` or `field.lon`.
    pub fn parse(self, field: &str) -> ApiResult<DomainPoint> {
        Ok(self.point().map_err(|e| e.under(field))?)
    }

    /// The checked point; errors name `lat` or `lon`.
    pub fn point(self) -> Result<DomainPoint, cortege_domain::ValidationError> {
        DomainPoint::parse(self.lat, self.lon)
    }
}

pub use cortege_domain::Role;

/// The square sizes in which photos are served.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum PhotoSize {
    /// 96 × 96 pixels, for lists.
    Small,
    /// 320 × 320 pixels.
    #[default]
    Medium,
    /// 800 × 800 pixels.
    Large,
}

impl PhotoSize {
    fn pixels(self) -> u32 {
        match self {
            PhotoSize::Small => 96,
            PhotoSize::Medium => 320,
            PhotoSize::Large => 800,
        }
    }
}

/// A French commune (INSEE code), with its department and region.
pub struct Commune(pub Arc<CommuneRow>);

#[Object]
impl Commune {
    /// INSEE commune code, e.g. "13055" for Marseille.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// INSEE department code: "13", "2A", "971".
    async fn department_code(&self) -> &str {
        &self.0.department_code
    }
    async fn department_name(&self) -> &str {
        &self.0.department_name
    }
    /// INSEE region code.
    async fn region_code(&self) -> &str {
        &self.0.region_code
    }
    async fn region_name(&self) -> &str {
        &self.0.region_name
    }
    /// The commune's centre: where an action sits when its organiser gives
    /// only the postcode and city (a picker without a map, or before it).
    async fn centre(&self) -> GeoPoint {
        GeoPoint {
            lat: self.0.lat,
            lon: self.0.lon,
        }
    }
}

#[derive(Default)]
pub struct PlaceQuery;

#[Object]
impl PlaceQuery {
    /// The communes a postcode serves, the main one first (BAD_USER_INPUT,
    /// field postcode, for a malformed or unknown postcode): to pick a
    /// commune, and its centre, from the keyboard.
    async fn communes(&self, ctx: &Context<'_>, postcode: String) -> ApiResult<Vec<Commune>> {
        let (_, communes) =
            cortege_app::places::communes_of_postcode(ctx.app(), &postcode, "postcode").await?;
        Ok(communes.into_iter().map(|c| Commune(Arc::new(c))).collect())
    }
}

/// A member. Strangers see a coarse profile: the display name, photo and
/// commune, never the email or the exact location; anonymous visitors see
/// the display name and photo only.
pub struct Person {
    pub row: Arc<Profile>,
    /// The viewer is this person (or just signed in as them): show all.
    pub is_self: bool,
}

impl Person {
    pub fn new(row: Arc<Profile>, ctx: &Context<'_>) -> Self {
        let is_self = auth(ctx).person() == Some(row.person_id());
        Self { row, is_self }
    }

    fn signed_in(&self, ctx: &Context<'_>) -> bool {
        self.is_self || auth(ctx).person().is_some()
    }
}

#[Object]
impl Person {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Person, self.row.id)
    }

    /// Null for anonymous viewers.
    async fn first_name(&self, ctx: &Context<'_>) -> Option<&str> {
        self.signed_in(ctx)
            .then_some(self.row.first_name.as_deref())
            .flatten()
    }

    /// Null for anonymous viewers.
    async fn last_name(&self, ctx: &Context<'_>) -> Option<&str> {
        self.signed_in(ctx)
            .then_some(self.row.last_name.as_deref())
            .flatten()
    }

    /// The first name and the initial of the last name: "Alice M.".
    async fn display_name(&self) -> String {
        match (&self.row.first_name, &self.row.last_name) {
            (Some(first), Some(last)) if self.row.deleted_at.is_none() => display_name(first, last),
            _ => "Compte supprimé".to_owned(),
        }
    }

    /// A square JPEG of the person, or null.
    async fn photo_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] size: PhotoSize,
    ) -> Option<String> {
        let state = ctx.state();
        self.row
            .photo_key
            .as_deref()
            .map(|key| state.photo_url(key, size.pixels()))
    }

    /// Coarse: the commune, never the exact location. Null for anonymous viewers.
    async fn commune(&self, ctx: &Context<'_>) -> ApiResult<Option<Commune>> {
        let Some(code) = self
            .row
            .commune_code
            .clone()
            .filter(|_| self.signed_in(ctx))
        else {
            return Ok(None);
        };
        let loaders = crate::loaders::of(ctx);
        Ok(loaders.commune.load_one(code).await?.map(Commune))
    }

    /// Number of accepted friends. Null for anonymous viewers.
    async fn friend_count(&self, ctx: &Context<'_>) -> ApiResult<Option<i32>> {
        if !self.signed_in(ctx) {
            return Ok(None);
        }
        let loaders = crate::loaders::of(ctx);
        let count = loaders
            .friend_count
            .load_one(self.row.id)
            .await?
            .unwrap_or(0);
        Ok(Some(i32::try_from(count).unwrap_or(i32::MAX)))
    }

    /// Whether the viewer and this person are friends.
    async fn is_friend(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let loaders = crate::loaders::of(ctx);
        match &loaders.viewer {
            Some(v) if !self.is_self => {
                Ok(v.is_friend.load_one(self.row.id).await?.unwrap_or(false))
            }
            _ => Ok(false),
        }
    }
}

/// A person who can be shown: neither banned nor deleted.
pub async fn visible_person(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Option<Person>> {
    let row = crate::loaders::of(ctx).person.load_one(id).await?;
    Ok(shown(ctx, row))
}

/// A person asked by id at the root of a query (`person`, `node`), as
/// [`visible_person`], read on the request's own task
/// (`loaders::load_now`): there is nothing to batch it with.
pub async fn lookup_person(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Option<Person>> {
    let row = crate::loaders::load_now(&crate::loaders::of(ctx).person, id).await?;
    Ok(shown(ctx, row))
}

fn shown(ctx: &Context<'_>, row: Option<Arc<Profile>>) -> Option<Person> {
    row.filter(|p| p.is_active())
        .map(|row| Person::new(row, ctx))
}
