//! Black-box tests of the HTTP interface through the router (`spawn_app`).

mod approvals;
mod archive;
mod av;
mod cases;
mod concurrency;
mod described;
mod devices;
mod documents;
mod helpers;
mod log;
mod matrix;
mod openapi;
mod privacy;
mod publication;
mod session;
mod ui;
mod uploads;
mod web;
