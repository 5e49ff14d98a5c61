//! The contest's clock, in milliseconds: the system clock plus an offset that only tests move
//! ([`ContestClock::advance`]), so a time limit can be passed without waiting for it. The
//! server never moves it; the programme's `--clock` does not touch it either, so a time
//! limit always runs at the pace of real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct ContestClock {
    offset_ms: Arc<AtomicI64>,
}

impl ContestClock {
    /// Milliseconds since the epoch by this clock.
    pub fn now_ms(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
            });
        system.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(by, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = ContestClock::default();
        let clone = clock.clone();
        let before = clone.now_ms();
        clock.advance(Duration::from_secs(60));
        assert!(clone.now_ms() - before >= 60_000);
    }
}
