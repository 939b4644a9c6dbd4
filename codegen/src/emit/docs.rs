//! Generated documentation: facts and links to docs.asterisk.org, never Asterisk's prose.
