package io.sluice.server.dropin;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.server.http.Exchange;

/** Serialises answers once, so the same bytes are cached and sent; with the mapper that sends them. */
public final class Answers {
    private Answers() {
    }

    public static byte[] json(Object body) {
        try {
            return Exchange.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not serialisable", e);
        }
    }
}
