//! A small element tree over quick-xml events, enough for XPointer resolution.
