package io.sluice.server.dropin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.codec.SampleSink;
import io.sluice.server.http.BadRequest;
import io.sluice.server.http.Exchange;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** What the drop-in APIs share: JSON bodies, times, and their error wording. */
final class DropIn {
    static final ObjectMapper JSON = new ObjectMapper();

    private DropIn() {
    }

    static JsonNode body(Exchange ex) {
        try {
            JsonNode n = JSON.readTree(ex.body().toString(StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw new BadRequest("body: expected a JSON object");
            }
            return n;
        } catch (BadRequest e) {
            throw e;
        } catch (Exception e) {
            throw new BadRequest("body: malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    /** RFC 3339 text or epoch milliseconds to micros; null/missing is {@link SampleSink#NO_TIME}. */
    static long micros(JsonNode t, String field) {
        if (t == null || t.isNull() || t.isMissingNode()) {
            return SampleSink.NO_TIME;
        }
        if (t.isNumber()) {
            return Math.round(t.asDouble() * 1000);
        }
        try {
            OffsetDateTime odt = OffsetDateTime.parse(t.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return odt.toEpochSecond() * 1_000_000L + odt.getNano() / 1000;
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(field + ": '" + t.asText() + "' is not RFC 3339");
        }
    }

    static String rfc3339(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }

    static String rfc3339(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000).toString();
    }

    static Timestamp ts(long micros) {
        Timestamp t = new Timestamp(Math.floorDiv(micros, 1000));
        t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
        return t;
    }

    /**
     * A whole-number query parameter between {@code min} and {@code max} (inclusive), or
     * {@code dflt} when absent; anything else is a 400 naming the parameter.
     */
    static int intParam(Exchange ex, String name, int dflt, int min, int max) {
        String v = ex.query(name);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + ": '" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new BadRequest(name + ": must be between " + min + " and " + max);
        }
        return n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
