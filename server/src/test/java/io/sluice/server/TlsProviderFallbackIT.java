package io.sluice.server;

import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where BoringSSL does not load (another OS or architecture; here Netty's own switch
 * {@code -Dio.netty.handler.ssl.noOpenSsl=true} stands for that), a real Sluice process serves TLS
 * with the JDK's provider under {@code tls_provider = "auto"}, and refuses to start under
 * {@code "openssl"} with one line saying why (README "TLS").
 */
class TlsProviderFallbackIT {
    @TempDir
    Path dir;
    TestCerts.Issued ca;

    private ProcessBuilder sluice(Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dio.netty.handler.ssl.noOpenSsl=true",
                "-cp", System.getProperty("java.class.path"), "io.sluice.server.Main");
        for (String k : new String[] {"SLUICE_DATABASE_URL", "DATABASE_URL", "TIMESCALE_URL", "SLUICE_CONFIG",
                "SLUICE_REDIS_URL", "REDIS_URL", "PORT"}) {
            pb.environment().remove(k);
        }
        ca = TestCerts.ca("Fallback CA");
        TestCerts.Issued server = TestCerts.server(ca, "sluice-fallback", 30);
        server.writeCert(dir.resolve("cert.pem"));
        server.writeKey(dir.resolve("key.pem"));
        pb.environment().put("SLUICE_TLS_CERT", dir.resolve("cert.pem").toString());
        pb.environment().put("SLUICE_TLS_KEY", dir.resolve("key.pem").toString());
        pb.environment().putAll(env);
        return pb.directory(dir.toFile()); // no config.toml there
    }

    @Test
    void opensslWhereItDoesNotLoadIsRefusedInOneLineSayingWhy() throws Exception {
        Process p = sluice(Map.of("SLUICE_TLS_PROVIDER", "openssl")).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err).hasSize(1);
        assertThat(err.get(0)).startsWith("sluice: configuration error: tls_provider: \"openssl\", but BoringSSL"
                        + " (netty-tcnative) does not load on this machine")
                .contains("noOpenSsl").endsWith("set tls_provider = \"auto\" or \"jdk\" to use the JDK's provider");
    }

    @Test
    void autoFallsBackToTheJdkProviderAndServes() throws Exception {
        DatabaseUrl db = TestDatabase.fresh("tls_fallback");
        int port = TestServer.freeTcpPort();
        Path log = dir.resolve("sluice.log");
        Process p = sluice(Map.of("SLUICE_DATABASE_URL", db.jdbcUrl() + "?user=postgres",
                "SLUICE_HTTP_PORT", Integer.toString(port), "SLUICE_UDP_LINE_PORT", "0", "SLUICE_UDP_JSON_PORT", "0",
                "SLUICE_STATSD_PORT", "0", "SLUICE_OTLP_HTTP_PORT", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(log).contains("Sluice started") || !p.isAlive());
            String out = Files.readString(log);
            assertThat(p.isAlive()).as(out).isTrue();
            assertThat(out).contains("TLS enabled [provider=JDK, library=SunJSSE, protocols=TLSv1.3,TLSv1.2");
            HttpClient https = HttpClient.newBuilder().sslContext(TestCerts.clientTrusting(ca)).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/-/healthy"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
