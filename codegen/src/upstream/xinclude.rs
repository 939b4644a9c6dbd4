//! `xi:include` resolution: the XPointer forms Asterisk uses, applied to a fixpoint.
