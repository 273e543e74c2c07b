package io.sluice.agent.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;

/**
 * What became of one write, judged from the answer (README "Answers"): how many samples of the
 * batch, from its start, the server holds or will hold, and what to do with the rest.
 *
 * @param done     samples of the batch, from its start, that are stored or refused for good
 * @param rejected samples the server refused (400)
 */
record Outcome(Kind kind, int done, int rejected, String detail) {
    enum Kind {
        /** Stored (2xx): the first {@code done} samples are settled. */
        STORED,
        /** 400: the server refused some samples and stored the others; none is sent again. */
        REJECTED,
        /** 413: the batch is too large for the server; send it in smaller pieces. */
        TOO_LARGE,
        /** Nothing was stored (no connection, 401, Sluice's 503, ...): send the batch again later. */
        NOT_STORED,
        /** 404: nothing was stored; the fleet API does not know this host (any more): register again. */
        NOT_FOUND,
        /**
         * 409: an earlier send of these samples, with the same Idempotency-Key, is still in
         * progress at Sluice; nothing of this one was stored. Send them again later with the same
         * key: the answer then says how that earlier send ended.
         */
        IN_PROGRESS,
        /** The answer was lost (timeout, connection cut, 5xx): ask the server what it holds first. */
        UNCERTAIN
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static Outcome of(HttpResponse<String> r, int size) {
        int status = r.statusCode();
        String detail = status + " " + brief(r.body());
        if (status / 100 == 2) {
            return new Outcome(Kind.STORED, size, 0, detail);
        }
        if (status == 400) {
            JsonNode rejected = body(r).path("rejected");
            return new Outcome(Kind.REJECTED, size, rejected.isInt() ? rejected.asInt() : size, detail);
        }
        if (status == 413) {
            return new Outcome(Kind.TOO_LARGE, 0, 0, detail);
        }
        if (status == 503 && body(r).path("queued").asInt(-1) == 0) {
            // Sluice's own 503 (README "Answers"): nothing of the request was queued or stored, so
            // it is sent again as it is, without asking first. Any other 503 (a proxy's) says nothing.
            return new Outcome(Kind.NOT_STORED, 0, 0, detail);
        }
        if (status == 404) {
            return new Outcome(Kind.NOT_FOUND, 0, 0, detail);
        }
        if (status == 409) {
            return new Outcome(Kind.IN_PROGRESS, 0, 0, detail);
        }
        return new Outcome(status / 100 == 4 ? Kind.NOT_STORED : Kind.UNCERTAIN, 0, 0, detail);
    }

    static Outcome of(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return new Outcome(Kind.NOT_STORED, 0, 0, "cannot connect: " + e);
            }
        }
        return new Outcome(Kind.UNCERTAIN, 0, 0, e.toString());
    }

    private static JsonNode body(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /** The first line of an answer, at most 200 characters, for a log line. */
    static String brief(String body) {
        if (body == null) {
            return "";
        }
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
