//! Integration tests, one binary (ripgrep's layout): each module covers one area of behaviour.

mod batch;
mod cli;
mod http;
mod minutes;
mod util;
