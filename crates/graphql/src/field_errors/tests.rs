//! The rules of field errors, on a schema of their own.

/// A schema of its own, so every case of the specification's rules can
/// be driven: nullable and non-null fields, lists of either, the root.
mod spec {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use serde_json::{Value as Json, json};

    struct Query;
    struct Item(i32);
    struct Deep;

    #[Object]
    impl Deep {
        async fn strict_items(&self) -> Option<Vec<Item>> {
            Some((0..3).map(Item).collect())
        }
    }

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
        async fn deep(&self) -> Deep {
            Deep
        }
    }

    async fn run(query: &str) -> (Json, Vec<Json>) {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
        let types = super::super::FieldTypes::from_sdl(&schema.sdl()).unwrap();
        let document = async_graphql::parser::parse_query(query).unwrap();
        let mut response = schema.execute(query).await;
        types.settle(&document, None, &mut response);
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
        let (data, errors) = run("{ fine deep { strictItems { strict } } }").await;
        assert_eq!(
            data,
            json!({ "fine": "ok", "deep": { "strictItems": null } })
        );
        assert_eq!(errors, vec![json!(["deep", "strictItems", 1, "strict"])]);
    }

    #[tokio::test]
    async fn an_object_whose_every_field_failed_lists_them_as_null() {
        // async-graphql makes such an object null; its fields are nullable.
        let (data, errors) = run("{ item(id: 2) { lenient other: lenient } }").await;
        assert_eq!(data, json!({ "item": { "lenient": null, "other": null } }));
        assert_eq!(errors.len(), 2);
        let (data, _) = run("{ secret }").await;
        assert_eq!(data, json!({ "secret": null }));
    }

    #[tokio::test]
    async fn aliases_and_fragments_lead_to_the_field_type() {
        let query = "query Q { a: item(id: 1) { ...F } b: item(id: 2) { ... on Item { s: strict } } \
                     c: items { ... on Item { s: strict } } } \
                     fragment F on Item { s: strict }";
        let (data, errors) = run(query).await;
        assert_eq!(
            data,
            json!({ "a": null, "b": { "s": 2 }, "c": [{ "s": 0 }, null, { "s": 2 }] })
        );
        assert_eq!(errors.len(), 2);
        // The same key on a nullable and, aliased, a non-null field.
        let (data, _) = run("{ fine item(id: 1) { strict: lenient x: strict } }").await;
        assert_eq!(data, json!({ "fine": "ok", "item": null }));
    }

    #[tokio::test]
    async fn of_several_operations_the_one_that_ran_is_followed() {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
        let types = super::super::FieldTypes::from_sdl(&schema.sdl()).unwrap();
        let query = "query A { x: secret } query B { fine x: required }";
        let document = async_graphql::parser::parse_query(query).unwrap();
        let mut response = schema
            .execute(async_graphql::Request::new(query).operation_name("B"))
            .await;
        types.settle(&document, Some("B"), &mut response);
        assert_eq!(serde_json::to_value(&response.data).unwrap(), Json::Null);
    }

    #[tokio::test]
    async fn a_failed_non_null_root_field_nulls_data() {
        let (data, errors) = run("{ fine required }").await;
        assert_eq!(data, Json::Null);
        assert_eq!(errors, vec![json!(["required"])]);
    }
}
