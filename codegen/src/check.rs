//! `check`: regenerate in memory and list every file that differs from what is committed.
