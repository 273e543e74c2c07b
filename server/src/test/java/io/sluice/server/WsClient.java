package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that queues every text message it receives. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean reading;
    final WebSocket ws;

    /** @param reading false for a viewer that never reads after connecting (a slow viewer) */
    WsClient(int port, String path, boolean reading) throws Exception {
        this(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + path), reading);
    }

    /** Any URI ({@code wss://} with a client that trusts the server), e.g. with {@code ?token=}. */
    WsClient(HttpClient client, URI uri, boolean reading) throws Exception {
        this.reading = reading;
        this.ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, this).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1); // a slow viewer asks for nothing: the JDK then stops reading the socket
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    /** A paused viewer starts reading again. */
    void resume() {
        reading = true;
        ws.request(1);
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** The next message matching, skipping others; fails after the timeout. */
    JsonNode next(Predicate<JsonNode> p, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            JsonNode m = messages.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (m != null && p.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no matching message within " + timeoutMs + " ms");
    }

    /** How long a message that is due is waited for: generous, the build machine is shared. */
    static final long PATIENCE_MS = 30_000;

    JsonNode next(String type) throws InterruptedException {
        return next(m -> type.equals(m.path("type").asText()), PATIENCE_MS);
    }

    /** Every message received within the time. */
    List<JsonNode> drain(long ms) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            JsonNode m = messages.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() {
        ws.abort();
    }
}
