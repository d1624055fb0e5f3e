//! Reports: pure functions from a finished result to bytes.
