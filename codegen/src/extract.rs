//! `extract`: build a release's raw spec folder from an Asterisk source tree.
