package io.sluice.server.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of something (connections, live viewers) are open in total and per peer address, with
 * a cap on each. {@link #admit} counts one in or says which cap refused it; {@link #release}
 * counts it out. Addresses with nothing open are forgotten, so the map holds only live peers.
 */
public final class AddressLimit {
    /** Why {@link #admit} refused; null when it admitted. */
    public enum Refusal {
        TOTAL, PER_ADDRESS
    }

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** @param maxTotal 0 for no total cap */
    public AddressLimit(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal <= 0 ? Integer.MAX_VALUE : maxTotal;
        this.maxPerAddress = maxPerAddress <= 0 ? Integer.MAX_VALUE : maxPerAddress;
    }

    public Refusal admit(InetAddress a) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Refusal.TOTAL;
        }
        boolean[] over = new boolean[1];
        perAddress.compute(a, (k, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() >= maxPerAddress) {
                over[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (over[0]) {
            total.decrementAndGet();
            return Refusal.PER_ADDRESS;
        }
        return null;
    }

    public void release(InetAddress a) {
        perAddress.computeIfPresent(a, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        total.decrementAndGet();
    }

    public int total() {
        return total.get();
    }

    public int of(InetAddress a) {
        AtomicInteger n = perAddress.get(a);
        return n == null ? 0 : n.get();
    }
}
