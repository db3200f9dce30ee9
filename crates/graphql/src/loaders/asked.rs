//! What the query asks of a connection's nodes, read from the look-ahead
//! once: the fields, and the connections nested in them with their
//! arguments.

use async_graphql::{Context, Lookahead, SelectionField, Value};

/// The fields the query asks of the nodes of a connection (through
/// aliases and fragments, as `nodes_ask` sees them), read once for a page
/// that has many questions about them.
pub struct NodeFields<'a> {
    names: Vec<&'a str>,
    /// The nodes' selections, where nested connections are asked.
    nodes: Vec<SelectionField<'a>>,
}

impl<'a> NodeFields<'a> {
    /// The nodes of the connection being resolved.
    pub fn of(ctx: &'a Context<'_>) -> Self {
        Self::at(ctx.look_ahead().field("edges").field("node"))
    }

    /// Each node's `relation` (the event of an RSVP).
    pub fn of_relation(ctx: &'a Context<'_>, relation: &str) -> Self {
        Self::at(
            ctx.look_ahead()
                .field("edges")
                .field("node")
                .field(relation),
        )
    }

    /// The nodes of a nested connection, asked by these selections of it
    /// (aliases asking the same page).
    pub fn of_selections(selections: &[SelectionField<'a>]) -> Self {
        match Lookahead::try_from(selections) {
            Ok(asked) => Self::at(asked.field("edges").field("node")),
            Err(()) => Self {
                names: Vec::new(),
                nodes: Vec::new(),
            },
        }
    }

    fn at(asked: Lookahead<'a>) -> Self {
        let nodes = asked.selection_fields();
        let names = nodes
            .iter()
            .flat_map(|node| node.selection_set().map(|f| f.name()))
            .collect();
        Self { names, nodes }
    }

    /// Whether the nodes are asked `field`.
    pub fn has(&self, field: &str) -> bool {
        self.names.contains(&field)
    }

    /// Whether the nodes are asked any of `fields`.
    pub fn any(&self, fields: &[&str]) -> bool {
        fields.iter().any(|f| self.has(f))
    }

    /// Each way the nodes are asked the connection `field` (aliases may
    /// ask it with other arguments), with the selection that asks it.
    pub fn nested(&self, field: &str) -> Vec<(PageArgs, SelectionField<'a>)> {
        let Ok(nodes) = Lookahead::try_from(&self.nodes[..]) else {
            return Vec::new();
        };
        nodes
            .field(field)
            .selection_fields()
            .into_iter()
            .filter_map(|f| Some((PageArgs::of(&f)?, f)))
            .collect()
    }
}

/// `first` and `after` as the query gives them to a nested connection:
/// each item's field gets the same ones, so they and the item name a page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
}

impl PageArgs {
    /// The arguments of one selection of the field, variables applied;
    /// None where they are not a page's (the field's own resolver then
    /// reports the error).
    fn of(field: &SelectionField<'_>) -> Option<Self> {
        let mut args = PageArgs {
            first: None,
            after: None,
        };
        for (name, value) in field.arguments().ok()? {
            match (name.as_str(), value) {
                (_, Value::Null) => {}
                ("first", Value::Number(n)) => {
                    args.first = Some(i32::try_from(n.as_i64()?).ok()?);
                }
                ("after", Value::String(s)) => args.after = Some(s),
                _ => return None,
            }
        }
        Some(args)
    }
}

/// Whether one selection of a nested connection asks `field` of its
/// nodes (as `nodes_ask` tells the connection's own resolver).
pub fn selection_nodes_ask(selection: SelectionField<'_>, field: &str) -> bool {
    Lookahead::from(selection)
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}
