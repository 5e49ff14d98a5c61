//! [`CheckLimits`]: the wall-clock deadline and the decoded-data allowance every check runs
//! under, and the [`Meter`] the checks consult cooperatively inside their loops.

use std::time::{Duration, Instant};

use crate::MediaError;

/// How long a check may run and how much decoded data it may produce.
///
/// Every check is linear in the size of its input, so these limits are a second line of
/// defence: a check that reaches either stops and returns [`MediaError::TimeLimit`] or
/// [`MediaError::MemoryLimit`], freeing its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLimits {
    /// When the check must give up; `None` for no deadline.
    pub deadline: Option<Instant>,
    /// The most bytes the check may produce by decompressing or decoding parts of the file
    /// (PDF streams, embedded images), counted over the whole check.
    pub max_decoded_bytes: u64,
}

impl CheckLimits {
    /// What [`CheckLimits::default`] allows to be decoded: 64 MiB.
    pub const DEFAULT_MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

    /// No deadline and the default decoded-data allowance.
    pub const fn unbounded_time() -> CheckLimits {
        CheckLimits {
            deadline: None,
            max_decoded_bytes: Self::DEFAULT_MAX_DECODED_BYTES,
        }
    }

    /// The default allowance with a deadline `timeout` from now.
    pub fn with_timeout(timeout: Duration) -> CheckLimits {
        CheckLimits {
            deadline: Instant::now().checked_add(timeout),
            ..CheckLimits::unbounded_time()
        }
    }
}

impl Default for CheckLimits {
    fn default() -> Self {
        CheckLimits::unbounded_time()
    }
}

/// How many [`Meter::tick`]s pass between two looks at the clock.
const TICKS_PER_CLOCK_READ: u32 = 4096;

/// Counts work and decoded bytes against a [`CheckLimits`].
#[derive(Debug)]
pub(crate) struct Meter {
    limits: CheckLimits,
    ticks: u32,
    decoded: u64,
}

impl Meter {
    pub(crate) fn new(limits: &CheckLimits) -> Meter {
        Meter {
            limits: *limits,
            ticks: 0,
            decoded: 0,
        }
    }

    /// Counts one step of work; every few thousand steps, checks the deadline.
    #[inline]
    pub(crate) fn tick(&mut self) -> Result<(), MediaError> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(TICKS_PER_CLOCK_READ) {
            self.check_clock()
        } else {
            Ok(())
        }
    }

    /// Checks the deadline now.
    pub(crate) fn check_clock(&self) -> Result<(), MediaError> {
        match self.limits.deadline {
            Some(deadline) if Instant::now() >= deadline => Err(MediaError::TimeLimit),
            _ => Ok(()),
        }
    }

    /// Counts `bytes` more of decoded data; refuses once the allowance is exceeded.
    pub(crate) fn charge(&mut self, bytes: u64) -> Result<(), MediaError> {
        self.decoded = self.decoded.saturating_add(bytes);
        if self.decoded > self.limits.max_decoded_bytes {
            return Err(MediaError::MemoryLimit {
                limit: self.limits.max_decoded_bytes,
            });
        }
        self.tick()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_deadline_stops_the_meter() {
        let limits = CheckLimits {
            deadline: Some(Instant::now()),
            ..CheckLimits::default()
        };
        let mut meter = Meter::new(&limits);
        let stopped = (0..TICKS_PER_CLOCK_READ).try_for_each(|_| meter.tick());
        assert_eq!(stopped, Err(MediaError::TimeLimit));
    }

    #[test]
    fn decoded_bytes_are_counted_over_the_whole_check() {
        let limits = CheckLimits {
            deadline: None,
            max_decoded_bytes: 100,
        };
        let mut meter = Meter::new(&limits);
        meter.charge(60).unwrap();
        assert_eq!(
            meter.charge(41),
            Err(MediaError::MemoryLimit { limit: 100 })
        );
    }
}
