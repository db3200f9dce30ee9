//! Relay connections: `first` (1..100, default 20) and `after`, with opaque
//! keyset cursors (the sort key of the last item), stable under inserts.

use async_graphql::OutputType;
use async_graphql::connection::{Connection, CursorType, Edge};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// A requested page: how many items, after which cursor.
pub struct Page<C> {
    pub first: i64,
    pub after: Option<C>,
}

impl<C: DeserializeOwned> Page<C> {
    pub fn parse(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        let after = after.as_deref().map(decode).transpose()?;
        Ok(Self {
            first: i64::from(first),
            after,
        })
    }

    /// Rows to fetch: one more than the page, to learn whether more follow.
    pub fn limit(&self) -> i64 {
        self.first + 1
    }
}

/// A computed sort key in a cursor (a distance), kept bit for bit: the next
/// page compares it with the same value computed again, and a decimal
/// round trip may be one ulp off, repeating or skipping an item. Cursors
/// issued before this encoding (a decimal number) are still read.
pub mod exact_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(value.to_bits())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Bits(u64),
            Decimal(f64),
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Bits(bits) => f64::from_bits(bits),
            Repr::Decimal(value) => value,
        })
    }
}

pub fn encode<C: Serialize>(cursor: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

fn decode<C: DeserializeOwned>(raw: &str) -> ApiResult<C> {
    let invalid = || ApiError::bad_input("after", "is not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// An item's cursor: its sort key, encoded only when a client reads it
/// (`edges.cursor`, `pageInfo.startCursor`/`endCursor`). Most lists are
/// read for their nodes alone, and encoding every key (JSON, then base64,
/// three allocations) was work thrown away; keeping the key is one box.
pub struct Cursor(Box<dyn Key>);

/// A sort key of any list, to encode later.
trait Key: Send + Sync {
    fn encode(&self) -> String;
}

impl<C: Serialize + Send + Sync> Key for C {
    fn encode(&self) -> String {
        encode(self)
    }
}

impl CursorType for Cursor {
    type Error = &'static str;

    /// Cursors arrive as `after: String` and are decoded by each list,
    /// into its own key type (`Page::parse`); async-graphql never calls this.
    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("cursors are decoded by their list")
    }

    fn encode_cursor(&self) -> String {
        self.0.encode()
    }
}

/// Builds a connection from up to `first + 1` fetched items, each with its
/// cursor key.
pub fn connection<N: OutputType, C: Serialize + Send + Sync + 'static>(
    mut items: Vec<(C, N)>,
    page_first: i64,
    had_cursor: bool,
) -> Connection<Cursor, N> {
    let first = usize::try_from(page_first).unwrap_or(0);
    let has_next = items.len() > first;
    items.truncate(first);
    let mut connection = Connection::new(had_cursor, has_next);
    connection.edges.extend(
        items
            .into_iter()
            .map(|(c, n)| Edge::new(Cursor(Box::new(c)), n)),
    );
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Key(#[serde(with = "exact_f64")] f64);

    #[test]
    fn distances_survive_a_cursor_bit_for_bit() {
        // Values whose shortest decimal form parses back to a neighbour
        // with a fast, inexact parser; and the edges.
        for value in [
            0.0,
            0.1 + 0.2,
            2.220_446_049_250_313e-16,
            1.797_693_134_862_315_7e308,
            5e-324,
            0.099_999_999_999_999_99,
        ] {
            let decoded: Key = decode(&encode(&Key(value))).unwrap();
            assert_eq!(decoded.0.to_bits(), value.to_bits(), "{value}");
        }
        let legacy = URL_SAFE_NO_PAD.encode(b"1.5");
        assert_eq!(decode::<Key>(&legacy).unwrap(), Key(1.5));
    }
}
