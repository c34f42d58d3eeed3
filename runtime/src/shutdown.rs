//! Graceful shutdown: the first Ctrl-C finishes the current step, the second abandons it.

use tokio::sync::watch;

/// A shared stop request counter, raised by Ctrl-C (or by a test) and watched by the coordinator.
#[derive(Debug, Clone)]
pub struct Shutdown {
    requests: watch::Sender<u32>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            requests: watch::channel(0).0,
        }
    }
}

impl Shutdown {
    /// Asks the run to stop (again).
    pub fn request(&self) {
        self.requests.send_modify(|count| *count += 1);
    }

    /// How many stop requests arrived so far.
    pub fn requests(&self) -> u32 {
        *self.requests.borrow()
    }

    /// Resolves once at least `count` stop requests arrived.
    pub async fn wait_for(&self, count: u32) {
        let mut receiver = self.requests.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = receiver.wait_for(|requests| *requests >= count).await;
    }

    /// Turns every Ctrl-C (SIGINT) into a stop request, telling the user what happens next.
    /// Must be called inside an actix system.
    pub fn listen_for_ctrl_c(&self) {
        let shutdown = self.clone();
        actix_rt::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                shutdown.request();
                if shutdown.requests() == 1 {
                    eprintln!(
                        "\nproctor: stopping after the current step (Ctrl-C again to abandon it)"
                    );
                } else {
                    eprintln!("\nproctor: abandoning the current step");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn waiters_see_requests_made_before_and_after_they_wait() {
        let shutdown = Shutdown::default();
        shutdown.request();
        shutdown.wait_for(1).await;
        let waiter = {
            let shutdown = shutdown.clone();
            actix_rt::spawn(async move { shutdown.wait_for(2).await })
        };
        shutdown.request();
        waiter.await.expect("waiter finished");
        assert_eq!(shutdown.requests(), 2);
    }
}
