//! Versioned, checksummed weight updates from the learner to policy and reference replicas.

use proctor_models::Model;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A full copy of the policy weights as a safetensors buffer (float32, Hugging Face names).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightUpdate {
    /// Number of optimizer steps behind these weights (0 = initial weights).
    pub version: u64,
    /// Lowercase hex SHA-256 of `bytes`.
    pub checksum: String,
    /// The safetensors buffer.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for WeightUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeightUpdate")
            .field("version", &self.version)
            .field("checksum", &self.checksum)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl WeightUpdate {
    /// Snapshots `model`'s current weights as version `version`.
    pub fn from_model(model: &Model, version: u64) -> Result<Self> {
        let bytes = model.params().to_safetensors_bytes()?;
        Ok(WeightUpdate {
            version,
            checksum: sha256_hex(&bytes),
            bytes,
        })
    }

    /// Wraps an already serialised safetensors buffer, computing its checksum.
    pub fn from_bytes(version: u64, bytes: Vec<u8>) -> Self {
        WeightUpdate {
            version,
            checksum: sha256_hex(&bytes),
            bytes,
        }
    }

    /// Fails loudly when the bytes do not match the checksum (corrupted in transit).
    pub fn verify(&self) -> Result<()> {
        let found = sha256_hex(&self.bytes);
        if found == self.checksum {
            Ok(())
        } else {
            Err(Error::WeightUpdate {
                version: self.version,
                message: format!(
                    "checksum mismatch: expected {}, found {found}",
                    self.checksum
                ),
            })
        }
    }

    /// Verifies the update and overwrites `model`'s weights with it (same names and shapes required).
    pub fn apply(&self, model: &Model) -> Result<()> {
        self.verify()?;
        model
            .params()
            .load_safetensors_bytes(&self.bytes)
            .map_err(|e| Error::WeightUpdate {
                version: self.version,
                message: e.to_string(),
            })
    }
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proctor_models::candle_core::Device;

    #[test]
    fn updates_round_trip_and_corruption_fails_loudly() {
        let (source, _) = proctor_models::builtin("tiny", 1, &Device::Cpu).unwrap();
        let (target, _) = proctor_models::builtin("tiny", 2, &Device::Cpu).unwrap();
        let update = WeightUpdate::from_model(&source, 7).unwrap();
        assert_eq!(update.checksum.len(), 64);
        update.apply(&target).unwrap();
        assert_eq!(
            target.params().to_safetensors_bytes().unwrap(),
            update.bytes
        );
        let mut corrupted = update.clone();
        let middle = corrupted.bytes.len() / 2;
        corrupted.bytes[middle] ^= 1;
        let message = corrupted.apply(&target).unwrap_err().to_string();
        assert!(
            message.contains("version 7") && message.contains("checksum"),
            "{message}"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
