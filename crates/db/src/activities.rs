//! The outbox side of the activity feed: a mutation others should hear
//! about records its activity here, inside its own transaction.

use cortege_domain::ActivityId;
pub use cortege_domain::Happening;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::Result;

/// One activity: who did it, about which event or group, addressed to whom.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub actor: Option<Uuid>,
    pub event: Option<Uuid>,
    pub group: Option<Uuid>,
    pub recipient: Option<Uuid>,
    pub payload: serde_json::Value,
}

pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    kind: Happening,
    a: Activity,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO activities (id, kind, actor_id, event_id, group_id, recipient_id, payload, earth)
         VALUES ($1, $2::activity_kind, $3, $4, $5, $6, $7,
                 (SELECT e.earth FROM events e WHERE e.id = $4))",
    )
    .bind(ActivityId::new().0)
    .bind(kind)
    .bind(a.actor)
    .bind(a.event)
    .bind(a.group)
    .bind(a.recipient)
    .bind(if a.payload.is_null() {
        serde_json::json!({})
    } else {
        a.payload
    })
    .execute(&mut **tx)
    .await?;
    // Wakes the relay (issue: live feed); harmless when nobody listens.
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(crate::outbox::CHANNEL)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
