//! Black-box tests of the `liuhen` binary: real processes, real HTTP, real SQLite files, and
//! verification by OpenSSL and the shell.

mod browser;
mod export;
mod helpers;
mod log;
mod rebuild;
mod tamper;
mod tls;
mod upload;
