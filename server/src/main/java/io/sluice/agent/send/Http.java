package io.sluice.agent.send;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Requests to one Sluice: its base URL, the bearer token on every request, one timeout. */
public final class Http {
    private final HttpClient client;
    private final String base;
    private final String token;
    private final Duration timeout;
    private final String userAgent;

    public Http(URI base, String token, Duration timeout, String version) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String b = base.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.token = token;
        this.timeout = timeout;
        this.userAgent = "sluice-agent/" + version;
    }

    public String url(String pathAndQuery) {
        return base + pathAndQuery;
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String pathAndQuery, String contentType, String body)
            throws IOException, InterruptedException {
        return post(pathAndQuery, contentType, body, null);
    }

    /** A POST carrying {@code Idempotency-Key: "key"} (an sf-string, as its draft defines it) unless key is null. */
    public HttpResponse<String> post(String pathAndQuery, String contentType, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(pathAndQuery).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", '"' + idempotencyKey + '"');
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(pathAndQuery))).timeout(timeout)
                .header("User-Agent", userAgent);
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
