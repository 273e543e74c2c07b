package io.sluice.server.auth;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says whether a refusal of this peer may be logged now: at most once per peer per interval, so a
 * client retrying with a wrong token, or a scan, is a counter and an occasional line, never a
 * storm. What was not logged is counted and told with the next line.
 */
final class PeerLog {
    /** Peers remembered at most; past it the memory starts over (a few extra lines, never unbounded). */
    private static final int MAX_PEERS = 10_000;

    private final long intervalNanos;
    private final ConcurrentHashMap<InetAddress, Long> last = new ConcurrentHashMap<>();
    private final AtomicLong suppressed = new AtomicLong();

    PeerLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** @return -1 when this refusal is not to be logged, else how many were not logged since the last line */
    long admit(InetAddress peer, long now) {
        if (last.size() > MAX_PEERS) {
            last.clear();
        }
        Long before = last.get(peer);
        if (before != null && now - before < intervalNanos) {
            suppressed.incrementAndGet();
            return -1;
        }
        if (before == null ? last.putIfAbsent(peer, now) != null : !last.replace(peer, before, now)) {
            suppressed.incrementAndGet();
            return -1; // another thread logs this peer now
        }
        return suppressed.getAndSet(0);
    }
}
