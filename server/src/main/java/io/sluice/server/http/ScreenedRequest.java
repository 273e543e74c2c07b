package io.sluice.server.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.server.auth.Access;

/**
 * A request {@link RequestGate} refused on its head, passed on without its body (which is
 * dropped) so {@link HttpDispatcher} answers it in the connection's order, as it would have
 * answered the whole request, and then closes the connection ({@code Connection: close}).
 */
final class ScreenedRequest extends DefaultFullHttpRequest {
    private final Access.Decision refusal;

    /** @param refusal the credentials' refusal, or null when routing refuses it (no route, origin, target) */
    ScreenedRequest(HttpRequest head, Access.Decision refusal) {
        super(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER, head.headers().copy(),
                EmptyHttpHeaders.INSTANCE);
        this.refusal = refusal;
        // No body follows on the way in: nothing to decode, nothing to invite with 100 Continue.
        headers().remove(HttpHeaderNames.TRANSFER_ENCODING).remove(HttpHeaderNames.CONTENT_ENCODING)
                .remove(HttpHeaderNames.EXPECT).set(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }

    /** The credentials' refusal the dispatcher answers instead of checking them again; null: routing refuses it. */
    Access.Decision refusal() {
        return refusal;
    }
}
