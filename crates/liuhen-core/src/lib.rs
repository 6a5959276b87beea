//! The enforcement domain of liuhen, with no I/O: officers, cases and their state machines, the
//! compliance rules of the 办法 and the laws behind it, and deadlines in working days, calendar
//! days and hours.
//!
//! Commands take the current state and return the event to record (plus any FLAG defects) or a
//! typed refusal naming each failed rule with its article. Time and identifiers are arguments;
//! this crate knows nothing of the log, the store or HTTP.

#![forbid(unsafe_code)]

pub mod agency;
pub mod archive;
pub mod av;
pub mod calendar;
pub mod coercion;
pub mod correction;
pub mod device;
pub mod document;
pub mod entrustment;
pub mod evidence;
pub mod execution;
pub mod inspection;
pub mod licence;
pub mod matter;
pub mod officer;
pub mod party;
pub mod party_access;
pub mod penalty;
pub mod rules;
pub mod service;
pub mod summary;
pub mod time;

#[cfg(test)]
mod tests;
