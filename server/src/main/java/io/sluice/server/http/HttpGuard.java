package io.sluice.server.http;

import io.sluice.server.auth.Access;
import io.sluice.server.auth.Origins;
import io.sluice.server.net.AddressLimit;
import io.sluice.server.net.ConnectionClock;
import io.sluice.server.net.Tls;
import io.sluice.storage.metrics.Counter;


/**
 * What protects the HTTP port (README "Trust"): who may do what ({@link Access}), which pages may
 * call ({@link Origins}), TLS when configured, how many connections and from where, each
 * connection's deadlines, and how many request-body bytes all of them may hold at once.
 *
 * @param tls          null for plain HTTP
 * @param refusedTotal connections refused for {@code max_connections}
 * @param refusedPerIp connections refused for {@code max_connections_per_ip}
 * @param bodies       request-body bytes held at once, by all connections ({@code http_body_budget})
 */
public record HttpGuard(Access access, Origins origins, Tls tls, AddressLimit connections,
                        ConnectionClock.Settings clock, Counter refusedTotal, Counter refusedPerIp, BodyBudget bodies) {
}
