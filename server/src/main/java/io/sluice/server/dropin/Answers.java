package io.sluice.server.dropin;

import com.fasterxml.jackson.core.JsonProcessingException;

/** Serialises answers once, so the same bytes are cached and sent. */
public final class Answers {
    private Answers() {
    }

    public static byte[] json(Object body) {
        try {
            return DropIn.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not serialisable", e);
        }
    }
}
