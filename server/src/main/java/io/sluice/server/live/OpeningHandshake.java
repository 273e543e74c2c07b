package io.sluice.server.live;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Base64;

/**
 * What RFC 6455 §4.2.1 asks a server to check in a client's opening handshake before it answers
 * 101, so a request that is not one gets a clear 4xx instead of a half-made WebSocket. Netty's
 * handshaker checks the headers' presence only: it accepts an empty {@code Sec-WebSocket-Key}.
 */
final class OpeningHandshake {
    static final String VERSION = "13";
    private static final int KEY_BYTES = 16;

    /** Why a request cannot be upgraded: the status to answer and a sentence for the client. */
    record Refusal(HttpResponseStatus status, String message) {
    }

    private OpeningHandshake() {
    }

    /** @return null when the request is an acceptable opening handshake */
    static Refusal check(HttpRequest req) {
        HttpHeaders h = req.headers();
        if (!"websocket".equalsIgnoreCase(trim(h.get(HttpHeaderNames.UPGRADE)))) {
            // Not a WebSocket request at all (a browser or curl): §4.2.2 says upgrade.
            return new Refusal(HttpResponseStatus.UPGRADE_REQUIRED,
                    "this path is a WebSocket endpoint: connect with a WebSocket client (RFC 6455)");
        }
        if (!h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "Connection: must include the token Upgrade (RFC 6455 §4.2.1, item 4)");
        }
        if (!VERSION.equals(trim(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)))) {
            // §4.4: answer the versions this server speaks (the caller adds the header).
            return new Refusal(HttpResponseStatus.UPGRADE_REQUIRED,
                    "Sec-WebSocket-Version: only version 13 is supported (RFC 6455 §4.4)");
        }
        String key = trim(h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY));
        if (key == null || key.isEmpty()) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "Sec-WebSocket-Key: required, 16 random bytes in base64 (RFC 6455 §4.2.1, item 5)");
        }
        if (decodedLength(key) != KEY_BYTES) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "Sec-WebSocket-Key: must be 16 bytes in base64, 24 characters (RFC 6455 §4.2.1, item 5)");
        }
        return null;
    }

    private static int decodedLength(String key) {
        try {
            return Base64.getDecoder().decode(key).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
