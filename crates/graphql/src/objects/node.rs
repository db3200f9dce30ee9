use async_graphql::{Context, ID, Interface, Object};

use crate::auth::require_person;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::loaders::Loaders;
use crate::objects::person::Person;

/// An object with a global ID, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Person(Person),
}

/// A person who can be shown: neither banned nor deleted.
pub async fn visible_person(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Option<Person>> {
    let loaders = ctx.data_unchecked::<Loaders>();
    Ok(loaders
        .person
        .load_one(id)
        .await?
        .filter(|p| p.is_active())
        .map(|row| Person::new(row, ctx)))
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or the viewer
    /// may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let Some((kind, uuid)) = ids::decode_any(&id) else {
            return Ok(None);
        };
        match kind {
            Kind::Person => {
                require_person(ctx)?;
                Ok(visible_person(ctx, uuid).await?.map(Node::Person))
            }
            _ => Ok(None),
        }
    }
}
