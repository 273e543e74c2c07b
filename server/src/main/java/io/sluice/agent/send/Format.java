package io.sluice.agent.send;

import io.sluice.agent.collect.Sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

/** How samples travel to the server: the fleet API or line protocol. */
public interface Format {
    /** What is sent where, for the start-up log line. */
    String describe();

    /** Whether this format sends the sample at all (the fleet API takes no raw counters). */
    default boolean carries(Sample s) {
        return true;
    }

    /** Whether the format is ready to send (the fleet API: the host is registered). */
    boolean connected();

    /** Gets ready to send (registers the host); throws when the server cannot be reached. */
    void connect() throws IOException, InterruptedException;

    /** The server answered 404 to a write: it may not know this host any more. */
    void forget();

    /**
     * Sends one batch with an {@code Idempotency-Key}: the same key for the same samples sent
     * again, so that Sluice stores them once even while an earlier send is still in progress
     * (README "Answers"); other servers ignore it.
     */
    HttpResponse<String> send(List<Sample> batch, String idempotencyKey) throws IOException, InterruptedException;

    /** How the server names one sample: series and time, the same as {@link #stored(List)} answers. */
    String key(Sample s);

    /**
     * The keys of the samples of {@code batch} the server already holds: asked after a write
     * whose answer was lost, so that only the others are sent again.
     *
     * @throws UnsupportedOperationException when the server cannot tell (not a Sluice)
     */
    Set<String> stored(List<Sample> batch) throws IOException, InterruptedException;
}
