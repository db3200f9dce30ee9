//! The committed schema.graphql is what the code generates, and it holds
#![allow(clippy::unwrap_used)]
//! every type, field, argument and enum value of ../shared/contract.graphql
//! with the same nullability.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn committed_schema_is_current() {
    let path = repo_root().join("schema.graphql");
    let generated = cortege_graphql::schema_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.graphql is stale: run `cargo run --bin cortege -- export-schema --out schema.graphql`"
    );
}

/// Everything a schema declares, flattened: "Type", "Type.field: T",
/// "Type.field(arg: T)", "Enum.VALUE", "Union|Member", "Type implements I".
fn items(sdl: &str) -> BTreeMap<String, Option<bool>> {
    let doc = parse_schema(sdl).expect("schema parses");
    let mut out = BTreeMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = t.node;
        let name = t.name.node.to_string();
        out.insert(name.clone(), None);
        match t.kind {
            TypeKind::Scalar => {}
            TypeKind::Object(o) => {
                for i in o.implements {
                    out.insert(format!("{name} implements {}", i.node), None);
                }
                for f in o.fields {
                    let f = f.node;
                    out.insert(format!("{name}.{}: {}", f.name.node, f.ty.node), None);
                    for a in f.arguments {
                        let a = a.node;
                        // Value: whether the argument may be omitted.
                        let optional = a.ty.node.nullable || a.default_value.is_some();
                        out.insert(
                            format!("{name}.{}({}: {})", f.name.node, a.name.node, a.ty.node),
                            Some(optional),
                        );
                    }
                }
            }
            TypeKind::Interface(o) => {
                for f in o.fields {
                    let f = f.node;
                    out.insert(format!("{name}.{}: {}", f.name.node, f.ty.node), None);
                }
            }
            TypeKind::Union(u) => {
                for m in u.members {
                    out.insert(format!("{name}|{}", m.node), None);
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values {
                    out.insert(format!("{name}.{}", v.node.value.node), None);
                }
            }
            TypeKind::InputObject(i) => {
                for f in i.fields {
                    let f = f.node;
                    let optional = f.ty.node.nullable || f.default_value.is_some();
                    out.insert(
                        format!("{name}.{}: {}", f.name.node, f.ty.node),
                        Some(optional),
                    );
                }
            }
        }
    }
    out
}

/// What later issues will build: the contract's items not implemented yet,
/// by prefix. It must shrink to nothing; an entry that is implemented fails
/// the test so it is removed.
const NOT_YET: &[&str] = &[];

fn allowed_missing(item: &str) -> Option<&'static str> {
    NOT_YET.iter().copied().find(|prefix| {
        item == *prefix
            || item.starts_with(&format!("{prefix}."))
            || item.starts_with(&format!("{prefix}|"))
            || item.starts_with(&format!("{prefix} "))
            || item.starts_with(&format!("{prefix}:"))
            || item.starts_with(&format!("{prefix}("))
    })
}

/// Whether the contract's required input field `item` ("Input.f: T!")
/// is here as the same field made nullable ("Input.f: T").
fn relaxed_input_field(
    item: &str,
    optional: Option<bool>,
    ours: &BTreeMap<String, Option<bool>>,
) -> bool {
    optional == Some(false)
        && !item.contains('(')
        && item
            .strip_suffix('!')
            .is_some_and(|nullable| ours.get(nullable) == Some(&Some(true)))
}

#[test]
fn only_input_fields_may_be_relaxed() {
    let ours: BTreeMap<String, Option<bool>> = [
        ("CreateEventInput.location: GeoPointInput", Some(true)),
        ("Event.location: GeoPoint", None),
        ("Query.event(id: ID)", Some(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert!(relaxed_input_field(
        "CreateEventInput.location: GeoPointInput!",
        Some(false),
        &ours
    ));
    assert!(!relaxed_input_field(
        "Event.location: GeoPoint!",
        None,
        &ours
    ));
    assert!(!relaxed_input_field(
        "Query.event(id: ID!)",
        Some(false),
        &ours
    ));
    assert!(!relaxed_input_field(
        "CreateEventInput.title: String!",
        Some(false),
        &ours
    ));
}

#[test]
fn schema_contains_the_contract() {
    let contract_path = repo_root().join("../shared/contract.graphql");
    let contract = std::fs::read_to_string(&contract_path)
        .expect("../shared/contract.graphql beside the repository");
    let ours = items(&cortege_graphql::schema_sdl());
    let theirs = items(&contract);

    let mut missing = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (item, optional) in &theirs {
        match ours.get(item) {
            // An input field or argument the contract makes optional must
            // stay optional here.
            Some(o) if optional.unwrap_or(false) && !o.unwrap_or(true) => {
                missing.push(format!("{item} (must be optional)"));
            }
            Some(_) => {}
            // An input field may be relaxed from non-null to nullable
            // (every client's value still fits); nothing else may change.
            None if relaxed_input_field(item, *optional, &ours) => {}
            None => match allowed_missing(item) {
                Some(prefix) => {
                    used.insert(prefix);
                }
                None => missing.push(item.clone()),
            },
        }
    }
    assert!(
        missing.is_empty(),
        "the schema lacks contract items:\n{}",
        missing.join("\n")
    );
    let stale: Vec<&&str> = NOT_YET.iter().filter(|p| !used.contains(**p)).collect();
    assert!(
        stale.is_empty(),
        "implemented now, remove from NOT_YET: {stale:?}"
    );

    // Arguments and input fields we add must be optional, or old clients break.
    for (item, optional) in &ours {
        if optional == &Some(false) && !theirs.contains_key(item) {
            let owner = item.split(['.', '(']).next().unwrap_or_default();
            let is_new_owner = !theirs.contains_key(owner);
            let field_is_new = item.contains('(')
                && !theirs
                    .keys()
                    .any(|k| k.starts_with(item.split('(').next().unwrap_or_default()));
            assert!(
                is_new_owner || field_is_new,
                "{item} is required but not in the contract"
            );
        }
    }
}
