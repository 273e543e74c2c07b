package io.sluice.server;

import io.sluice.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page on the README's first command: Sluice with no database_url, so on its own embedded
 * PostgreSQL (the other page tests give Sluice a database URL, as with an external server).
 */
class WebPageEmbeddedIT {
    @Test
    void onTheEmbeddedDefaultAMetricIsFoundChartedAndTheDatabaseIsUp(@TempDir Path dir) throws Exception {
        int port = TestServer.freeTcpPort();
        // A free port for the embedded PostgreSQL rather than its fixed default: builds run side by side here.
        Map<String, String> env = Map.of("SLUICE_DATA_DIR", dir.toString(), "SLUICE_HTTP_PORT", Integer.toString(port),
                "SLUICE_EMBEDDED_PG_PORT", Integer.toString(TestServer.freeTcpPort()),
                "SLUICE_UDP_LINE_PORT", "0", "SLUICE_UDP_JSON_PORT", "0", "SLUICE_WRITER_LINGER", "0ms",
                "SLUICE_STATSD_PORT", "0", "SLUICE_OTLP_HTTP_PORT", "0");
        try (SluiceServer server = SluiceServer.start(ConfigLoader.load(null, false, env));
             Browser b = Browser.start(1280, 900)) {
            assertThat(server.embeddedDatabase()).isNotNull();
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> w = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/write"))
                    .POST(HttpRequest.BodyPublishers.ofString("embedded_temp,room=a value=21.5\nembedded_temp,room=b value=19\n"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(w.statusCode()).isEqualTo(204);

            b.open(base + "/");
            b.find("#search").sendKeys("embedded", Keys.ENTER);
            await().atMost(Duration.ofSeconds(20)).until(() -> "2".equals(b.find("#chart-info").getAttribute("data-points")));
            assertThat(b.find("#chart-info").getText()).contains("source raw").contains("2 series");

            b.open(base + "/?view=status");
            String db = "const e = document.querySelector('#cards [data-key=database] strong'); return e ? e.textContent : null";
            await().atMost(Duration.ofSeconds(20)).until(() -> "up".equals(b.js(db)));
            assertThat(Browser.errors(b.console())).as("errors in the browser console").isEmpty();
        }
    }
}
