//! Nothing here: the comparison is `benches/compare.rs` (`cargo bench`). Cargo wants a library
//! or binary target in every package.
