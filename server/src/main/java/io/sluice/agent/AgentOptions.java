package io.sluice.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What {@code sluice agent} was asked to do (README "Watch a machine").
 *
 * @param to         the Sluice's base URL, {@code http://host:8080}
 * @param hostname   the name the host is registered and tagged under; null: the machine's own
 * @param token      sent as {@code Authorization: Bearer}; null or empty: none
 * @param buffer     samples held at most while the server cannot take them
 * @param timeout    how long one request may take
 * @param maxBackoff the longest wait between retries
 */
public record AgentOptions(URI to, Duration interval, Map<String, String> tags, String token, Format format,
                           int buffer, String hostname, Duration timeout, Duration maxBackoff) {
    public enum Format { fleet, line }

    public AgentOptions {
        tags = Map.copyOf(tags);
    }
}
