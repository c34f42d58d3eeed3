//! Restart policy: how often a role may crash within a window, and how long to wait between restarts.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Limits on restarting one role, from its topology `supervision` table.
#[derive(Debug, Clone, PartialEq)]
pub struct RestartPolicy {
    /// Restarts allowed within `window` before the role is declared failed.
    pub max_restarts: u32,
    /// Sliding window over which restarts are counted.
    pub window: Duration,
    /// Delay before the first restart; doubles with each restart still inside the window.
    pub backoff: Duration,
    /// Cap on the restart delay.
    pub backoff_max: Duration,
    /// A request unanswered after this long is declared hung.
    pub request_timeout: Duration,
    /// Attempts per request before it is declared poisonous.
    pub max_attempts: u32,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            max_restarts: 3,
            window: Duration::from_secs(300),
            backoff: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            request_timeout: Duration::from_secs(600),
            max_attempts: 3,
        }
    }
}

impl From<&proctor_topology::Supervision> for RestartPolicy {
    fn from(supervision: &proctor_topology::Supervision) -> Self {
        Self {
            max_restarts: supervision.max_restarts,
            window: Duration::from_secs(supervision.window_s),
            backoff: Duration::from_millis(supervision.backoff_ms),
            backoff_max: Duration::from_millis(supervision.backoff_max_ms),
            request_timeout: Duration::from_secs(supervision.request_timeout_s),
            max_attempts: supervision.max_attempts,
        }
    }
}

/// The restarts of one role inside the policy's sliding window.
#[derive(Debug, Default)]
pub(crate) struct RestartHistory {
    recent: VecDeque<Instant>,
}

/// What to do after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RestartDecision {
    /// Restart after this delay.
    After(Duration),
    /// Too many restarts within the window: give up on the role.
    GiveUp {
        /// Restarts counted inside the window, including this one.
        restarts: usize,
    },
}

impl RestartHistory {
    /// Records a crash at `now` and decides whether and when to restart.
    pub(crate) fn on_crash(&mut self, policy: &RestartPolicy, now: Instant) -> RestartDecision {
        while let Some(oldest) = self.recent.front() {
            if now.duration_since(*oldest) > policy.window {
                self.recent.pop_front();
            } else {
                break;
            }
        }
        self.recent.push_back(now);
        let restarts = self.recent.len();
        if restarts > policy.max_restarts as usize {
            return RestartDecision::GiveUp { restarts };
        }
        let doublings = u32::try_from(restarts - 1).unwrap_or(u32::MAX).min(20);
        let delay = policy
            .backoff
            .saturating_mul(1u32 << doublings)
            .min(policy.backoff_max);
        RestartDecision::After(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RestartPolicy {
        RestartPolicy {
            max_restarts: 3,
            window: Duration::from_secs(10),
            backoff: Duration::from_millis(100),
            backoff_max: Duration::from_millis(300),
            ..RestartPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_then_caps_then_gives_up() {
        let mut history = RestartHistory::default();
        let start = Instant::now();
        let decisions: Vec<RestartDecision> = (0..4)
            .map(|second| history.on_crash(&policy(), start + Duration::from_secs(second)))
            .collect();
        assert_eq!(
            decisions,
            vec![
                RestartDecision::After(Duration::from_millis(100)),
                RestartDecision::After(Duration::from_millis(200)),
                RestartDecision::After(Duration::from_millis(300)),
                RestartDecision::GiveUp { restarts: 4 },
            ]
        );
    }

    #[test]
    fn crashes_outside_the_window_are_forgotten() {
        let mut history = RestartHistory::default();
        let start = Instant::now();
        for minute in 0..10 {
            let decision = history.on_crash(&policy(), start + Duration::from_secs(60 * minute));
            assert_eq!(decision, RestartDecision::After(Duration::from_millis(100)));
        }
    }
}
