//! Integration tests of proctor-math: the table-driven corpus and property tests.

mod corpus;
mod properties;
