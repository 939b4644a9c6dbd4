//! `stats`: counts of one release's manifest, as NOTES.md §3 counts them.
