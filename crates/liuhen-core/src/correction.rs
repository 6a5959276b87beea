//! Corrections of recorded dates, shared by the kinds of case: a new event names the
//! original value, the reason and the approver; the corrected dates keep the procedure's order;
//! the deadlines counted from a date follow it, since every kind computes them from its dates.

use crate::rules::{R_133, Violation};
use crate::time::Timestamp;

/// A date corrected: which one, from what, to what, why, and on whose approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateCorrection<A> {
    pub anchor: A,
    pub from: Timestamp,
    pub to: Timestamp,
    pub reason: String,
    pub approved_by: String,
}

impl<A> DateCorrection<A> {
    pub fn new(anchor: A, from: Timestamp, to: Timestamp, reason: &str, approved_by: &str) -> DateCorrection<A> {
        DateCorrection { anchor, from, to, reason: reason.to_string(), approved_by: approved_by.to_string() }
    }
}

/// R-133 for moving a date from `from` to `to`, given the case's dates in procedural order
/// with the corrected one already replaced (`None` where a step has not happened).
pub fn check(
    from: Timestamp,
    to: Timestamp,
    reason: &str,
    approved_by: &str,
    ordered: &[Option<Timestamp>],
    label: &str,
) -> Vec<Violation> {
    let mut found = Vec::new();
    if reason.trim().is_empty() {
        found.push(R_133.violated("reason", "未载明更正理由"));
    }
    if approved_by.trim().is_empty() {
        found.push(R_133.violated("approved_by", "更正未经批准"));
    }
    if to == from {
        found.push(R_133.violated("to", "更正后的日期与原记录相同"));
    }
    let known: Vec<Timestamp> = ordered.iter().flatten().copied().collect();
    if known.windows(2).any(|w| w[0] > w[1]) {
        found.push(R_133.violated("to", format!("更正后的{label}与其他环节的先后顺序矛盾")));
    }
    found
}

/// Declares a kind's correctable dates: an enum in procedural order with its API code and its
/// Chinese label, and `parse` back from the code.
#[macro_export]
macro_rules! anchors {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
            pub fn parse(s: &str) -> Option<$name> {
                [$($name::$variant),+].into_iter().find(|a| a.code() == s)
            }
        }
    };
}
