package io.sluice.server;

import com.google.protobuf.CodedOutputStream;
import io.sluice.server.StoredRows.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remote write over real HTTP: golden 1.0 and 2.0 requests encoded with protobuf-java and
 * compressed with snappy-java as Prometheus does, and the malformed ones, oversized ones and
 * bombs a receiver must refuse without losing anything else.
 */
class RemoteWriteIT {
    private static final String V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    private static TestServer s;
    private final HttpClient http = HttpClient.newHttpClient();
    private final long now = System.currentTimeMillis();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("remotewrite", Map.of("max_body_bytes", "1MiB"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** A 1.0 TimeSeries: labels as name, value pairs; one sample. */
    private static byte[] series(double value, long ms, String... labels) throws IOException {
        return message(out -> {
            for (int i = 0; i < labels.length; i += 2) {
                String n = labels[i];
                String v = labels[i + 1];
                out.writeByteArray(1, message(l -> {
                    l.writeString(1, n);
                    l.writeString(2, v);
                }));
            }
            out.writeByteArray(2, message(smp -> {
                smp.writeDouble(1, value);
                smp.writeInt64(2, ms);
            }));
        });
    }

    @Test
    void v1IsStoredAnd204() throws Exception {
        byte[] body = message(out -> {
            out.writeByteArray(1, series(1.5, now, "__name__", "rw_v1", "job", "api", "instance", "a:9100"));
            out.writeByteArray(1, series(Double.longBitsToDouble(0x7ff0000000000002L), now, "__name__", "rw_v1", "job", "stale"));
        });
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", "snappy", Snappy.compress(body));
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue(RemoteWriteHeaders.SAMPLES)).isEmpty(); // 1.0: no written counts
        List<Row> rows = StoredRows.withPrefix(s.db, "rw_v1");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).tags()).isEqualTo(Map.of("job", "api", "instance", "a:9100"));
        assertThat(rows.get(0).timeMicros()).isEqualTo(now * 1000);
        assertThat(s.metric("sluice_protocol_skipped_total", "protocol", "prometheus", "what", "stale_marker")).isEqualTo(1);
    }

    @Test
    void v2IsStoredWithTheWrittenCountsAndPushIsTheSame() throws Exception {
        byte[] body = message(out -> {
            for (String sym : new String[]{"", "__name__", "rw_v2", "code", "200"}) {
                out.writeString(4, sym);
            }
            out.writeByteArray(5, message(ts -> {
                ts.writeByteArray(1, message(refs -> {
                    for (int ref : new int[]{1, 2, 3, 4}) {
                        refs.writeUInt32NoTag(ref);
                    }
                }));
                ts.writeByteArray(2, message(smp -> {
                    smp.writeDouble(1, 7);
                    smp.writeInt64(2, now);
                }));
                ts.writeByteArray(4, message(ex -> ex.writeDouble(2, 1))); // an exemplar: counted, not stored
            }));
        });
        HttpResponse<String> r = post("/api/v1/push", V2, "snappy", Snappy.compress(body));
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue(RemoteWriteHeaders.SAMPLES)).hasValue("1");
        assertThat(r.headers().firstValue(RemoteWriteHeaders.HISTOGRAMS)).hasValue("0");
        assertThat(r.headers().firstValue(RemoteWriteHeaders.EXEMPLARS)).hasValue("0");
        assertThat(StoredRows.value(StoredRows.withPrefix(s.db, "rw_v2"), "rw_v2", Map.of("code", "200"))).isEqualTo(7);
    }

    @Test
    void invalidSamplesAre400NamingThemAndTheOthersAreStored() throws Exception {
        byte[] body = message(out -> {
            out.writeByteArray(1, series(1, now, "__name__", "rw_partial", "i", "1"));
            out.writeByteArray(1, series(2, now, "job", "no-name"));
            out.writeByteArray(1, series(3, 1_000, "__name__", "rw_partial", "i", "old")); // 1970: refused
            out.writeByteArray(1, series(4, now, "__name__", "rw_partial", "i", "4"));
        });
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", "snappy", Snappy.compress(body));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body()).startsWith("partial write: 2 line(s) or sample(s) rejected, 2 sample(s) stored; first: line 2")
                .contains("no __name__ label");
        assertThat(StoredRows.withPrefix(s.db, "rw_partial")).extracting(Row::value).containsExactlyInAnyOrder(1.0, 4.0);
    }

    @Test
    void unsupportedMessagesAndEncodingsAre415() throws Exception {
        byte[] ok = Snappy.compress(message(out -> out.writeByteArray(1, series(1, now, "__name__", "rw_415"))));
        assertThat(post("/api/v1/write", "application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy", ok)
                .statusCode()).isEqualTo(415);
        HttpResponse<String> json = post("/api/v1/write", "application/json", "snappy", ok);
        assertThat(json.statusCode()).isEqualTo(415);
        assertThat(json.body()).contains("application/x-protobuf");
        assertThat(post("/api/v1/write", "application/x-protobuf", "zstd", ok).statusCode()).isEqualTo(415);
        // Snappy belongs to remote write: elsewhere it is 415, never read as plain text.
        assertThat(post("/write", "text/plain", "snappy", ok).statusCode()).isEqualTo(415);
        assertThat(StoredRows.withPrefix(s.db, "rw_415")).isEmpty();
    }

    @Test
    void brokenBodiesAre400AndStoreNothing() throws Exception {
        byte[] good = message(out -> {
            out.writeByteArray(1, series(1, now, "__name__", "rw_broken"));
            out.writeByteArray(1, series(2, now, "__name__", "rw_broken", "b", "2"));
        });
        byte[] truncated = Snappy.compress(Arrays.copyOf(good, good.length - 3)); // valid snappy, cut protobuf
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", "snappy", truncated);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("could not decode the body: ").contains("prometheus.WriteRequest");
        HttpResponse<String> notSnappy = post("/api/v1/write", "application/x-protobuf", "snappy", good);
        assertThat(notSnappy.statusCode()).isEqualTo(400);
        assertThat(notSnappy.body()).contains("snappy");
        assertThat(StoredRows.withPrefix(s.db, "rw_broken")).as("nothing of a broken body is stored").isEmpty();
    }

    @Test
    void aSnappyBombIsRefusedFromItsHeaderAndAnOversizedBodyFromItsLength() throws Exception {
        byte[] bomb = Snappy.compress(new byte[4 << 20]); // 4 MiB of zeros in ~200 KiB; the limit is 1 MiB
        assertThat(bomb.length).isLessThan(1 << 20);
        HttpResponse<String> r = post("/api/v1/write", "application/x-protobuf", "snappy", bomb);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("declares 4194304 bytes").contains("max_body_bytes");
        HttpResponse<String> big = post("/api/v1/write", "application/x-protobuf", "snappy", new byte[(1 << 20) + 1]);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(s.get("/-/healthy").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodySentInPiecesIsReadWhole() throws Exception {
        byte[] body = Snappy.compress(message(out -> {
            for (int i = 0; i < 200; i++) {
                out.writeByteArray(1, series(i, now, "__name__", "rw_split", "i", Integer.toString(i)));
            }
        }));
        byte[] head = ("POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\n"
                + "Content-Encoding: snappy\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket sock = new Socket("127.0.0.1", s.server.httpPort())) {
            OutputStream out = sock.getOutputStream();
            out.write(head);
            for (int i = 0; i < body.length; i += 7) {
                out.write(body, i, Math.min(7, body.length - i));
                out.flush();
            }
            String answer = new String(sock.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 204");
        }
        assertThat(StoredRows.withPrefix(s.db, "rw_split")).hasSize(200);
    }

    private HttpResponse<String> post(String path, String type, String encoding, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.httpPort() + path))
                .header("Content-Type", type).header("Content-Encoding", encoding)
                .header("X-Prometheus-Remote-Write-Version", "0.1.0").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static final class RemoteWriteHeaders {
        static final String SAMPLES = "X-Prometheus-Remote-Write-Samples-Written";
        static final String HISTOGRAMS = "X-Prometheus-Remote-Write-Histograms-Written";
        static final String EXEMPLARS = "X-Prometheus-Remote-Write-Exemplars-Written";
    }
}
