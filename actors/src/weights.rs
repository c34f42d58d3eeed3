//! The weight store: where the learner publishes versioned, checksummed weights and policy
//! replicas (including ones restarted later) fetch the version they must generate with.

use proctor_learner::WeightUpdate;
use proctor_runtime::RoleError;
use std::sync::{Arc, RwLock};

/// Shared, versioned weights (the newest [`WeightUpdate`]); cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct WeightStore {
    latest: Arc<RwLock<Option<Arc<WeightUpdate>>>>,
}

impl WeightStore {
    /// Publishes a new version; versions must increase. The checksum is verified by every
    /// receiver ([`Self::fetch_at_least`]), not here: the producer has just computed it.
    pub fn publish(&self, update: WeightUpdate) -> Result<Arc<WeightUpdate>, RoleError> {
        let update = Arc::new(update);
        let mut latest = self
            .latest
            .write()
            .map_err(|_| RoleError::fatal("the weight store lock is poisoned"))?;
        if let Some(current) = latest.as_ref()
            && current.version >= update.version
        {
            return Err(RoleError::fatal(format!(
                "weights version {} published after version {}",
                update.version, current.version
            )));
        }
        *latest = Some(update.clone());
        Ok(update)
    }

    /// The newest version, if any was published.
    pub fn latest(&self) -> Option<Arc<WeightUpdate>> {
        self.latest.read().ok().and_then(|latest| latest.clone())
    }

    /// The newest version if it is at least `version`, with its checksum verified.
    pub fn fetch_at_least(&self, version: u64) -> Result<Arc<WeightUpdate>, RoleError> {
        let published = self.latest().ok_or_else(|| {
            RoleError::fatal(format!(
                "weights version {version} requested but none was published"
            ))
        })?;
        if published.version < version {
            return Err(RoleError::fatal(format!(
                "weights version {version} requested but the newest published is {}",
                published.version
            )));
        }
        published
            .verify()
            .map_err(|error| RoleError::retryable(error.to_string()))?;
        Ok(published)
    }

    /// Loads the newest published weights (at least `version`) into `params`, checksum verified;
    /// returns the version loaded.
    pub fn load_into(
        &self,
        version: u64,
        params: &proctor_models::Params,
    ) -> Result<u64, RoleError> {
        let published = self.fetch_at_least(version)?;
        params
            .load_safetensors_bytes(&published.bytes)
            .map_err(|error| {
                RoleError::fatal(format!(
                    "cannot load weights version {}: {error}",
                    published.version
                ))
            })?;
        Ok(published.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(version: u64, bytes: &[u8]) -> WeightUpdate {
        WeightUpdate::from_bytes(version, bytes.to_vec())
    }

    #[test]
    fn versions_only_move_forward_and_stale_requests_fail() {
        let store = WeightStore::default();
        assert!(store.fetch_at_least(1).is_err());
        store.publish(update(1, &[1, 2, 3])).unwrap();
        assert!(store.publish(update(1, &[4])).is_err());
        store.publish(update(2, &[4, 5])).unwrap();
        let fetched = store.fetch_at_least(1).unwrap();
        assert_eq!(
            (fetched.version, fetched.bytes.as_slice()),
            (2, &[4u8, 5][..])
        );
        assert!(
            store
                .fetch_at_least(3)
                .unwrap_err()
                .message
                .contains("newest published is 2")
        );
    }

    #[test]
    fn a_corrupted_update_is_refused_by_receivers_naming_its_version() {
        let store = WeightStore::default();
        let mut corrupted = update(4, &[1, 2, 3]);
        corrupted.bytes[0] ^= 1;
        store.publish(corrupted).unwrap();
        let error = store.fetch_at_least(4).unwrap_err();
        assert!(
            error.message.contains("version 4") && error.message.contains("checksum"),
            "{}",
            error.message
        );
        assert!(error.retryable, "a receiver may retry a corrupted transfer");
    }
}
