package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * influxdb-client-js's browser build ({@code @influxdata/influxdb-client-browser} 1.35.0, fetched
 * with npm into {@code target/npm}, never committed) unchanged in a real headless Chromium, on a
 * page served from another origin (a second port) that {@code cors_allowed_origins} allows: the
 * client writes with a token through the CORS preflight, the page reads back with InfluxQL on
 * {@code /query} (preflighted too), the rows are in PostgreSQL, and neither the console nor
 * Sluice's log holds an error.
 */
class BrowserInfluxClientIT {
    private static final String PACKAGE = "@influxdata/influxdb-client-browser";
    private static final String VERSION = "1.35.0";
    /** The registry's dist.integrity of that version's tarball. */
    private static final String INTEGRITY =
            "sha512-qcQK/d+JVEBBkXmN0DFoFSTPZpA+L+oC5GqVWxeJuJEjo7WsbldEeJQGPeftMBnGeMI+fFGoCPYGB/VX1kQoSw==";
    private static final String TOKEN = "browser-client-secret-0123456789";

    /** The page: the library as a script, and what the test runs in it. */
    private static final String PAGE = """
            <!doctype html><html><head><meta charset="utf-8"><title>influxdb-client-js</title>
            <script src="/influxdb.js"></script></head><body>
            <script>
            window.writeAndRead = async function (url, token, start) {
              const api = new influxdb.InfluxDB({url, token}).getWriteApi('my-org', 'browser', 'ms', {flushInterval: 0});
              api.useDefaultTags({source: 'browser'});
              for (let i = 0; i < 20; i++) {
                api.writePoint(new influxdb.Point('js_temp').tag('room', i % 2 ? 'a' : 'b')
                    .floatField('value', i).intField('n', 1).timestamp(start + i * 1000));
              }
              await api.close();
              const q = 'SELECT count("value"), max("value") FROM "js_temp" WHERE time >= ' + start + 'ms GROUP BY "room"';
              const r = await fetch(url + '/query?db=browser&epoch=ms&q=' + encodeURIComponent(q),
                  {headers: {Authorization: 'Token ' + token}});
              return {status: r.status, body: await r.text()};
            };
            </script></body></html>
            """;

    @Test
    void theBrowserBuildWritesWithATokenAcrossOriginsAndReadsBack(@TempDir Path dir) throws Exception {
        assumeTrue(Browser.CHROMIUM.canExecute() && Browser.CHROMEDRIVER.canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        String[] why = new String[1];
        Path library = NpmPackage.file(PACKAGE, VERSION, INTEGRITY, "dist/influxdb.js", why);
        assumeTrue(library != null, () -> why[0]);
        byte[] script = Files.readAllBytes(library);

        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", ex -> serve(ex, ex.getRequestURI().getPath().equals("/influxdb.js")
                ? script : PAGE.getBytes(StandardCharsets.UTF_8),
                ex.getRequestURI().getPath().equals("/influxdb.js") ? "text/javascript" : "text/html; charset=utf-8"));
        site.start();
        String origin = "http://127.0.0.1:" + site.getAddress().getPort();
        Path tokens = dir.resolve("tokens.toml");
        Files.writeString(tokens, "[[token]]\nname = \"browser\"\nsecret = \"" + TOKEN + "\"\nscopes = [\"read\", \"write\"]\n");
        try (TestServer s = TestServer.start("browser_client", Map.of("auth_tokens_file", tokens.toString(),
                "cors_allowed_origins", origin));
             LogCapture logs = new LogCapture(); Browser b = Browser.start(800, 600)) {
            b.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
            b.open(origin + "/");
            long start = (System.currentTimeMillis() / 1000 - 60) * 1000;
            String sluice = "http://127.0.0.1:" + s.server.httpPort();
            @SuppressWarnings("unchecked")
            Map<String, Object> answer = (Map<String, Object>) b.driver.executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "window.writeAndRead(arguments[0], arguments[1], arguments[2])"
                            + ".then(done, e => done({error: String(e && (e.stack || e.message) || e)}));",
                    sluice, TOKEN, start);
            assertThat(answer).as("what the page got").doesNotContainKey("error");
            assertThat(((Number) answer.get("status")).intValue()).as(String.valueOf(answer.get("body"))).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree((String) answer.get("body"));
            JsonNode series = body.at("/results/0/series");
            assertThat(series).hasSize(2);
            assertThat(series.get(0).get("tags").toString()).isEqualTo("{\"room\":\"a\"}");
            assertThat(series.get(0).at("/values/0/1").asInt()).isEqualTo(10);
            assertThat(series.get(0).at("/values/0/2").asDouble()).isEqualTo(19.0);
            assertThat(series.get(1).at("/values/0/2").asDouble()).isEqualTo(18.0);

            List<StoredRows.Row> rows = StoredRows.withPrefix(s.db, "js_temp");
            assertThat(rows.stream().filter(r -> r.metric().equals("js_temp"))).hasSize(20)
                    .allSatisfy(r -> assertThat(r.tags()).containsEntry("source", "browser"));
            assertThat(rows.stream().filter(r -> r.metric().equals("js_temp_n"))).hasSize(20);
            assertThat(Browser.errors(b.console())).as("errors in the browser console").isEmpty();
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
                    .as("Sluice's warnings and errors").isEmpty();
        } finally {
            site.stop(0);
        }
    }

    private static void serve(HttpExchange ex, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
