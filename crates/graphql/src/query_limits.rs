//! Query limits, checked on the parsed document before validation and
//! execution (so a refused document runs no SQL): depth, aliases, and a
//! worst-case node budget computed from `first` arguments. Refusals are
//! QUERY_LIMIT. `operation.rs` checks them.
//!
//! async-graphql's own `limit_depth` counts introspection fields, which
//! would break GraphiQL's introspection query (depth about 15), hence this.

use std::collections::HashSet;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use async_graphql_value::Value;

use crate::error::{Code, coded};
use crate::objects::pagination::DEFAULT_PAGE;

/// Deepest nesting of fields, leaves included, introspection exempt.
pub const MAX_DEPTH: usize = 10;
/// Aliased fields in one document.
pub const MAX_ALIASES: usize = 30;
/// Worst-case fields resolved: each field counts once per object its list
/// ancestors may return (`first`, or the default page size).
pub const MAX_NODES: u64 = 50_000;

/// Fields that return a connection (or, for `breakdown`, a list of flat
/// rows) and take `first` (default 20 when omitted). A test checks this
/// against the schema.
pub const CONNECTION_FIELDS: &[&str] = &[
    "events",
    "attendees",
    "members",
    "joinRequests",
    "groups",
    "rsvps",
    "friends",
    "friendRequests",
    "feed",
    "reports",
    "moderationLog",
    "breakdown",
];

fn refuse(message: String) -> ServerError {
    coded(message, Code::QueryLimit)
}

/// Checks every operation of the document.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    let mut walker = Walker {
        fragments: &doc.fragments,
        variables,
        aliases: 0,
        nodes: 0,
        stack: HashSet::new(),
    };
    for (_, op) in doc.operations.iter() {
        let depth = walker.walk(&op.node.selection_set.node, 1)?;
        if depth > MAX_DEPTH {
            return Err(refuse(format!(
                "the query is {depth} levels deep; at most {MAX_DEPTH}"
            )));
        }
    }
    if walker.aliases > MAX_ALIASES {
        return Err(refuse(format!(
            "the query uses {} aliases; at most {MAX_ALIASES}",
            walker.aliases
        )));
    }
    if walker.nodes > MAX_NODES {
        return Err(refuse(format!(
            "the query may resolve {} fields; at most {MAX_NODES}: ask for smaller pages",
            walker.nodes
        )));
    }
    Ok(())
}

struct Walker<'a> {
    fragments: &'a std::collections::HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
    aliases: usize,
    nodes: u64,
    /// Fragments being expanded on the current path: a cycle (refused by
    /// validation later) must not loop here.
    stack: HashSet<&'a str>,
}

impl<'a> Walker<'a> {
    /// The depth below this selection set (1 for leaves only), counting
    /// aliases and worst-case nodes with `mult` objects above.
    fn walk(&mut self, set: &'a SelectionSet, mult: u64) -> ServerResult<usize> {
        let mut deepest = 0;
        for item in &set.items {
            let depth = match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.as_str();
                    if name.starts_with("__") {
                        continue; // introspection is exempt
                    }
                    if f.alias.is_some() {
                        self.aliases += 1;
                    }
                    let page = if CONNECTION_FIELDS.contains(&name) {
                        self.first(f).unwrap_or(DEFAULT_PAGE as u64)
                    } else {
                        1
                    };
                    let here = mult.saturating_mul(page.max(1));
                    self.nodes = self.nodes.saturating_add(here);
                    if self.nodes > MAX_NODES.saturating_mul(4) {
                        // Far past the budget: stop walking a huge document.
                        return Err(refuse(format!(
                            "the query may resolve more than {MAX_NODES} fields"
                        )));
                    }
                    1 + self.walk(&f.selection_set.node, here)?
                }
                Selection::InlineFragment(i) => self.walk(&i.node.selection_set.node, mult)?,
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    match self.fragments.get(&s.node.fragment_name.node) {
                        Some(def) if self.stack.insert(name) => {
                            let d = self.walk(&def.node.selection_set.node, mult)?;
                            self.stack.remove(name);
                            d
                        }
                        _ => 0,
                    }
                }
            };
            deepest = deepest.max(depth);
        }
        Ok(deepest)
    }

    /// The `first` argument of a field, literal or variable.
    fn first(&self, f: &async_graphql::parser::types::Field) -> Option<u64> {
        let (_, value) = f
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == "first")?;
        let number = match &value.node {
            Value::Number(n) => n.as_u64(),
            Value::Variable(v) => match self.variables.get(v) {
                Some(async_graphql::Value::Number(n)) => n.as_u64(),
                _ => None,
            },
            _ => None,
        };
        // Out-of-range values are refused later with BAD_USER_INPUT.
        number.map(|n| n.min(1_000))
    }
}
