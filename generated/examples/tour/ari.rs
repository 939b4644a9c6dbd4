//! The ARI part of the tour (filled in when the ARI client lands).

use crate::settings::Settings;
use crate::TourResult;

/// Run the ARI part.
pub async fn tour(_settings: &Settings) -> TourResult<()> {
    Ok(())
}
