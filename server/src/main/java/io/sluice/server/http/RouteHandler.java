package io.sluice.server.http;

/**
 * Handles one matched request. It may answer now or later (from any thread) through the
 * exchange; the request body is released when {@code handle} returns, so read it before.
 */
@FunctionalInterface
public interface RouteHandler {
    void handle(Exchange ex) throws Exception;
}
