//! [`CheckBudget`]: how long one media check may run and how much it may decode, set on the
//! command line and turned into `pavilion-media`'s [`CheckLimits`] when a check starts.

use std::time::Duration;

use pavilion_media::{CheckLimits, MediaError};

/// The time and decoded-data allowance of every media check (uploads, catalogue files, logos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckBudget {
    /// Wall-clock time one check may take before it stops with `time_limit`.
    pub timeout: Duration,
    /// Bytes one check may decompress or decode.
    pub max_decoded_bytes: u64,
}

impl CheckBudget {
    /// Ten seconds and `pavilion-media`'s default 64 MiB of decoded data.
    pub const DEFAULT: CheckBudget = CheckBudget {
        timeout: Duration::from_secs(10),
        max_decoded_bytes: CheckLimits::DEFAULT_MAX_DECODED_BYTES,
    };

    /// The limits of a check that starts now.
    pub fn start(&self) -> CheckLimits {
        CheckLimits {
            max_decoded_bytes: self.max_decoded_bytes,
            ..CheckLimits::with_timeout(self.timeout)
        }
    }

    /// The sentence for a refusal: a time limit names the allowance, so the exhibitor knows
    /// the file (not the network) was at fault; every other refusal keeps its own sentence.
    pub fn describe(&self, error: &MediaError) -> String {
        match error {
            MediaError::TimeLimit => format!(
                "checking the file took longer than the {} s Pavilion allows each file; send a simpler or smaller file",
                self.timeout.as_secs_f32()
            ),
            other => other.to_string(),
        }
    }
}

impl Default for CheckBudget {
    fn default() -> Self {
        CheckBudget::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_limit_names_the_allowance() {
        let budget = CheckBudget {
            timeout: Duration::from_secs(3),
            ..CheckBudget::DEFAULT
        };
        let message = budget.describe(&MediaError::TimeLimit);
        assert!(message.contains("3 s"), "{message}");
        let limits = budget.start();
        assert!(limits.deadline.is_some());
        assert_eq!(limits.max_decoded_bytes, budget.max_decoded_bytes);
    }
}
