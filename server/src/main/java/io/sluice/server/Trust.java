package io.sluice.server;

import io.sluice.server.auth.Access;
import io.sluice.server.auth.Origins;
import io.sluice.server.auth.TokenFile;
import io.sluice.server.auth.TokenStore;
import io.sluice.server.config.Config;
import io.sluice.server.http.BodyBudget;
import io.sluice.server.http.HttpGuard;
import io.sluice.server.net.AddressLimit;
import io.sluice.server.net.AllowList;
import io.sluice.server.net.ConnectionClock;
import io.sluice.server.net.SourceFilter;
import io.sluice.server.net.Tls;
import io.sluice.server.net.TlsProviders;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sluice's trust settings put together from the configuration (README "Trust"): the token file,
 * TLS, origins, connection and viewer caps, UDP allow lists, and the thread that notices a
 * changed token file or certificate.
 */
final class Trust implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Trust.class);
    /** How often the token file and the TLS files are looked at. */
    static final long RELOAD_SECONDS = 2;
    private static final String REFUSED = "sluice_http_connections_refused_total";
    private static final String REFUSED_HELP =
            "HTTP connections refused, by reason (max_connections, max_connections_per_ip, plain_http_on_tls).";
    private static final String CLOSED = "sluice_http_connections_closed_total";
    private static final String CLOSED_HELP = "HTTP connections Sluice closed for a deadline, by reason.";

    private final Config cfg;
    private final Metrics metrics;
    private final TokenStore tokens;
    private final Tls tls;
    private final HttpGuard guard;
    private final AddressLimit viewers;
    private ScheduledExecutorService reloader;

    private Trust(Config cfg, Metrics metrics, TokenStore tokens, Tls tls, boolean loopback) {
        this.cfg = cfg;
        this.metrics = metrics;
        this.tokens = tokens;
        this.tls = tls;
        this.guard = new HttpGuard(new Access(tokens, loopback && !cfg.authOff(), metrics),
                new Origins(cfg.corsAllowedOrigins()), tls, new AddressLimit(cfg.maxConnections(), cfg.maxConnectionsPerIp()),
                new ConnectionClock.Settings(cfg.httpHeaderTimeout().toNanos(), cfg.httpIdleTimeout().toNanos(),
                        cfg.httpBodyMinRate(), metrics.counter(CLOSED, CLOSED_HELP, "reason", "header_timeout"),
                        metrics.counter(CLOSED, CLOSED_HELP, "reason", "body_too_slow"),
                        metrics.counter(CLOSED, CLOSED_HELP, "reason", "idle_timeout")),
                metrics.counter(REFUSED, REFUSED_HELP, "reason", "max_connections"),
                metrics.counter(REFUSED, REFUSED_HELP, "reason", "max_connections_per_ip"),
                new BodyBudget(BodyBudget.capacity(cfg.httpBodyBudget(), cfg.maxBodyBytes()), metrics));
        this.viewers = new AddressLimit(0, cfg.liveMaxViewersPerIp());
    }

    /**
     * Reads the token file and the TLS files; start-up fails with a message naming the key when
     * one cannot be used.
     */
    static Trust start(Config cfg, Metrics metrics) throws IOException {
        boolean loopback = InetAddress.getByName(cfg.bindAddress()).isLoopbackAddress();
        TokenStore tokens = null;
        if (cfg.authOff()) {
            log.warn("auth = \"off\": every request is served without a token{} [bindAddress={}]",
                    loopback ? "" : ", from any address that reaches this one", cfg.bindAddress());
        } else if (cfg.authTokensFile() != null) {
            try {
                tokens = TokenStore.load(Path.of(cfg.authTokensFile()), metrics);
            } catch (TokenFile.Invalid e) {
                throw new IOException("auth_tokens_file " + cfg.authTokensFile() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException("auth_tokens_file " + cfg.authTokensFile() + ": cannot be read (" + e + ")", e);
            }
        } else {
            log.info("no auth_tokens_file: listening on loopback only, every local request allowed [bindAddress={}]",
                    cfg.bindAddress());
        }
        Tls tls = null;
        if (cfg.tlsCert() != null) {
            tls = Tls.load(Path.of(cfg.tlsCert()), Path.of(cfg.tlsKey()),
                    cfg.tlsClientCa() == null ? null : Path.of(cfg.tlsClientCa()),
                    metrics.counter(REFUSED, REFUSED_HELP, "reason", "plain_http_on_tls"),
                    TlsProviders.choose(cfg.tlsProvider()));
        }
        Trust t = new Trust(cfg, metrics, tokens, tls, loopback);
        t.watch();
        return t;
    }

    private void watch() {
        if (tokens == null && tls == null) {
            return;
        }
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "sluice-reload");
            th.setDaemon(true);
            return th;
        });
        reloader.scheduleWithFixedDelay(() -> {
            try {
                if (tokens != null) {
                    tokens.reloadIfChanged();
                }
                if (tls != null) {
                    tls.reloadIfChanged();
                }
            } catch (RuntimeException e) {
                log.error("reloading the token file or TLS files failed; the ones in force stay", e);
            }
        }, RELOAD_SECONDS, RELOAD_SECONDS, TimeUnit.SECONDS);
    }

    HttpGuard http() {
        return guard;
    }

    AddressLimit viewers() {
        return viewers;
    }

    boolean tls() {
        return tls != null;
    }

    /** The TLS implementation serving the HTTP port ({@code OPENSSL} or {@code JDK}), or null without TLS. */
    String tlsProvider() {
        return tls == null ? null : tls.provider().name();
    }

    /**
     * The first handler of a listener that carries no token (UDP, StatsD's TCP): what comes from
     * outside {@code <protocol>_allow} (else {@code udp_allow}, else loopback) is dropped and counted.
     */
    SourceFilter sourceFilter(String protocol, String transport) {
        List<String> cidrs = cfg.sourceAllow(protocol);
        AllowList allow = cidrs == null ? AllowList.LOOPBACK : AllowList.parse(cidrs);
        log.info("sources allowed [protocol={}, transport={}, allow={}]", protocol, transport, allow);
        return new SourceFilter(allow, transport, metrics);
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
