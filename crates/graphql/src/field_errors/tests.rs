//! The rules of field errors, on schemas of their own.

use super::*;

#[test]
fn nullability_is_read_from_the_type() {
    assert!(is_nullable("Event"));
    assert!(is_nullable("[Event!]"));
    assert!(!is_nullable("Event!"));
    assert!(!is_nullable("[Event]!"));
    assert_eq!(item_type("[Event!]!"), Some("Event!"));
    assert_eq!(item_type("[[Int]!]"), Some("[Int]!"));
    assert_eq!(item_type("Event!"), None);
}

fn list(n: usize) -> Value {
    Value::List((0..n).map(|i| Value::from(i as i32)).collect())
}

#[test]
fn a_failed_item_nulls_the_nearest_nullable_holder() {
    // Nullable items: only the failed item becomes null.
    let mut v = list(3);
    assert!(null_failed_items("[Event]!", &mut v, &[vec![1]]));
    assert_eq!(v, Value::List(vec![0.into(), Value::Null, 2.into()]));
    // Non-null items: the whole (nullable or not) field fails.
    let mut v = list(3);
    assert!(!null_failed_items("[Event!]", &mut v, &[vec![1]]));
    // The field's own object.
    assert!(!null_failed_items("Event", &mut Value::Null, &[vec![]]));
    // Nested lists: the inner nullable list is nulled.
    let mut v = Value::List(vec![list(2), list(2)]);
    assert!(null_failed_items("[[Int!]]!", &mut v, &[vec![1, 0]]));
    assert_eq!(v, Value::List(vec![list(2), Value::Null]));
}

#[test]
fn pending_failures_are_taken_through_list_items_only() {
    let f = |s: &str| PathSegment::Field(s.to_owned());
    let mut pending = Pending {
        errors: vec![],
        failed: vec![
            vec![f("a"), PathSegment::Index(2)],
            vec![f("a"), f("b")],
            vec![f("a")],
            vec![f("c")],
        ],
    };
    let within = pending.take_failed_within(&[f("a")]);
    assert_eq!(within, vec![vec![2], vec![]]);
    assert_eq!(pending.failed, vec![vec![f("a"), f("b")], vec![f("c")]]);
}

/// A schema of its own, so every case of the specification's rules can
/// be driven: nullable and non-null fields, lists of either, the root.
mod spec {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use serde_json::{Value as Json, json};

    struct Query;
    struct Item(i32);

    #[Object]
    impl Item {
        async fn id(&self) -> i32 {
            self.0
        }
        /// Fails for odd items.
        async fn strict(&self) -> async_graphql::Result<i32> {
            if self.0 % 2 == 1 {
                Err("odd".into())
            } else {
                Ok(self.0)
            }
        }
        async fn lenient(&self) -> async_graphql::Result<Option<i32>> {
            Err("never".into())
        }
    }

    #[Object]
    impl Query {
        async fn secret(&self) -> async_graphql::Result<Option<String>> {
            Err("FORBIDDEN".into())
        }
        async fn required(&self) -> async_graphql::Result<String> {
            Err("broken".into())
        }
        async fn fine(&self) -> &str {
            "ok"
        }
        async fn item(&self, id: i32) -> Option<Item> {
            Some(Item(id))
        }
        async fn items(&self) -> Vec<Option<Item>> {
            (0..3).map(|i| Some(Item(i))).collect()
        }
        async fn strict_items(&self) -> Option<Vec<Item>> {
            Some((0..3).map(Item).collect())
        }
    }

    async fn run(query: &str) -> (Json, Vec<Json>) {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(super::super::FieldErrors::default())
            .finish();
        let response = schema.execute(query).await;
        let errors = response
            .errors
            .iter()
            .map(|e| serde_json::to_value(&e.path).unwrap())
            .collect();
        (serde_json::to_value(&response.data).unwrap(), errors)
    }

    #[tokio::test]
    async fn a_failed_nullable_field_is_null_not_missing() {
        let (data, errors) = run("{ secret fine x: secret }").await;
        assert_eq!(data, json!({ "secret": null, "fine": "ok", "x": null }));
        assert_eq!(errors.len(), 2);
        assert!(errors.contains(&json!(["secret"])));
        assert!(errors.contains(&json!(["x"])));
        let (data, errors) = run("{ item(id: 2) { id lenient } }").await;
        assert_eq!(data, json!({ "item": { "id": 2, "lenient": null } }));
        assert_eq!(errors, vec![json!(["item", "lenient"])]);
    }

    #[tokio::test]
    async fn a_failed_non_null_field_nulls_its_nullable_parent() {
        let (data, errors) = run("{ fine item(id: 1) { id strict } }").await;
        assert_eq!(data, json!({ "fine": "ok", "item": null }));
        assert_eq!(errors, vec![json!(["item", "strict"])]);
    }

    #[tokio::test]
    async fn in_lists_the_null_stops_at_the_nearest_nullable_level() {
        let (data, errors) = run("{ items { id strict } }").await;
        assert_eq!(
            data,
            json!({ "items": [{ "id": 0, "strict": 0 }, null, { "id": 2, "strict": 2 }] })
        );
        assert_eq!(errors, vec![json!(["items", 1, "strict"])]);
        let (data, _) = run("{ fine strictItems { strict } }").await;
        assert_eq!(data, json!({ "fine": "ok", "strictItems": null }));
    }

    #[tokio::test]
    async fn a_failed_non_null_root_field_nulls_data() {
        let (data, errors) = run("{ fine required }").await;
        assert_eq!(data, Json::Null);
        assert_eq!(errors, vec![json!(["required"])]);
    }
}
