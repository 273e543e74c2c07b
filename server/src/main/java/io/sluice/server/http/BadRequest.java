package io.sluice.server.http;

/** Thrown by a handler for bad input; answered 400 with its message, which names the parameter. */
public final class BadRequest extends RuntimeException {
    public BadRequest(String message) {
        super(message, null, false, false);
    }
}
