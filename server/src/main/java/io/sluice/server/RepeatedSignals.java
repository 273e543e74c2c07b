package io.sluice.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The JVM runs its shutdown once and ignores SIGTERM and SIGINT while it runs, without a word.
 * This says so when one comes again, with what is still on its way to the database, so that nobody
 * sends SIGKILL believing Sluice hung (that would lose what the ring holds; README "Shutdown"). The
 * first signal goes to the JVM's own handler: shutdown hooks, then exit status 128 + signal.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}, kept by JEP 260 until a supported
 * replacement exists) is the only way to see a repeated signal; javac warns about it here only.
 */
final class RepeatedSignals {
    private static final Logger log = LoggerFactory.getLogger(RepeatedSignals.class);

    private RepeatedSignals() {
    }

    static void watch(SluiceServer server) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal signal = new Signal(name);
                SignalHandler[] jvms = new SignalHandler[1];
                jvms[0] = Signal.handle(signal, sig -> {
                    if (!server.closing()) {
                        jvms[0].handle(sig);
                        return;
                    }
                    log.warn("SIG{} again: shutdown is already under way and ends within its limit; SIGKILL now would"
                            + " lose what is not yet written [ringSlotsLeft={}, limitMs={}]", name,
                            server.metrics().value("sluice_ring_occupancy"), server.shutdownLimit().toMillis());
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("cannot watch SIG{} (the JVM reserves it, e.g. -Xrs) [error={}]", name, e.toString());
            }
        }
    }
}
