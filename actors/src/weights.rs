//! The weight store: where the learner publishes versioned, checksummed weights and policy
//! replicas (including ones restarted later) fetch the version they must generate with.

use proctor_runtime::RoleError;
use std::sync::{Arc, RwLock};

/// One published weights version.
#[derive(Debug, Clone)]
pub struct PublishedWeights {
    /// Monotonic version (0 = the initial weights every replica loads itself).
    pub version: u64,
    /// Checksum of `bytes`, verified by every receiver.
    pub checksum: u64,
    /// The weights as safetensors bytes.
    pub bytes: Arc<Vec<u8>>,
}

/// Shared, versioned weights; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct WeightStore {
    latest: Arc<RwLock<Option<PublishedWeights>>>,
}

impl WeightStore {
    /// Publishes a new version; versions must increase.
    pub fn publish(&self, version: u64, bytes: Vec<u8>) -> Result<PublishedWeights, RoleError> {
        let published = PublishedWeights {
            version,
            checksum: checksum(&bytes),
            bytes: Arc::new(bytes),
        };
        let mut latest = self
            .latest
            .write()
            .map_err(|_| RoleError::fatal("the weight store lock is poisoned"))?;
        if let Some(current) = latest.as_ref()
            && current.version >= version
        {
            return Err(RoleError::fatal(format!(
                "weights version {version} published after version {}",
                current.version
            )));
        }
        *latest = Some(published.clone());
        Ok(published)
    }

    /// The newest version, if any was published.
    pub fn latest(&self) -> Option<PublishedWeights> {
        self.latest.read().ok().and_then(|latest| latest.clone())
    }

    /// The newest version if it is at least `version`, with its checksum verified.
    pub fn fetch_at_least(&self, version: u64) -> Result<PublishedWeights, RoleError> {
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
        if checksum(&published.bytes) != published.checksum {
            return Err(RoleError::retryable(format!(
                "weights version {} failed its checksum",
                published.version
            )));
        }
        Ok(published)
    }
}

impl WeightStore {
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

/// 64-bit FNV-1a: detects corruption of weights in transit (not an adversarial hash).
pub fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_only_move_forward_and_stale_requests_fail() {
        let store = WeightStore::default();
        assert!(store.fetch_at_least(1).is_err());
        store.publish(1, vec![1, 2, 3]).unwrap();
        assert!(store.publish(1, vec![4]).is_err());
        store.publish(2, vec![4, 5]).unwrap();
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
    fn checksum_changes_with_any_byte() {
        assert_ne!(checksum(&[0, 1, 2]), checksum(&[0, 1, 3]));
        assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
    }
}
