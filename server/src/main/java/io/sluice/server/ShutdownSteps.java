package io.sluice.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Shutdown as named steps run in order, each bounded (README "Shutdown"): a step runs on a thread
 * of its own and is waited for at most its bound, and never past the deadline of the whole
 * shutdown less what later steps have reserved. A step that overruns is logged and left behind
 * (its thread is a daemon), so whatever hangs (an event loop, a pool, a stuck database) the
 * process still ends in bounded time.
 */
final class ShutdownSteps {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSteps.class);

    /** One step's work. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final long deadlineNanos;

    /** @param total the most the whole shutdown may take from now */
    ShutdownSteps(Duration total) {
        this.deadlineNanos = System.nanoTime() + total.toNanos();
    }

    /**
     * Runs {@code step} and waits for it at most {@code bound}, and at most until the deadline
     * less {@code reserve} (kept for the steps after it).
     *
     * @return true when the step ended in time (a step that threw ended too: the throw is logged)
     */
    boolean run(String name, Duration bound, Duration reserve, Step step) {
        long left = deadlineNanos - reserve.toNanos() - System.nanoTime();
        long waitMs = Math.max(0, Math.min(bound.toMillis(), left / 1_000_000));
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (Exception | Error e) {
                log.warn("shutdown step failed, going on [step={}, error={}]", name, e.toString(), e);
            }
        }, "sluice-shutdown-" + name);
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, waitMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.error("shutdown step did not end in time; going on without it [step={}, waitedMs={}]", name, waitMs);
            return false;
        }
        return true;
    }

    /** As {@link #run(String, Duration, Duration, Step)} with nothing reserved. */
    boolean run(String name, Duration bound, Step step) {
        return run(name, bound, Duration.ZERO, step);
    }
}
