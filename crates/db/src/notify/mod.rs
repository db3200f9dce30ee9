//! Notifications away from the app: what members chose, their devices,
//! the durable deliveries the notifier fans out from the activity
//! sequence, reminders, digests, calendar feeds and the deployment's own
//! keys.

pub mod calendar;
pub mod deliveries;
pub mod digests;
pub mod preferences;
pub mod push;
pub mod reminders;
pub mod secrets;
