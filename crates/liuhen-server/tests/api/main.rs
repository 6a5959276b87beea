//! Black-box tests of the HTTP interface through the router (`spawn_app`).

mod helpers;
mod log;
mod session;
