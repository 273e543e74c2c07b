package io.sluice.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** One protocol's counters read from Sluice's {@code /-/metrics}: received, rejected, dropped. */
final class SluiceCounters {
    private SluiceCounters() {
    }

    /** {@code received}, {@code rejected} and {@code dropped} (all reasons) of {@code protocol}. */
    static Map<String, Long> read(String base, String protocol) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/-/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("received", 0L);
        m.put("rejected", 0L);
        m.put("dropped", 0L);
        String label = "protocol=\"" + protocol + "\"";
        for (String line : r.body().split("\n")) {
            if (!line.contains(label)) {
                continue;
            }
            long v = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            if (line.startsWith("sluice_protocol_received_total")) {
                m.merge("received", v, Long::sum);
            } else if (line.startsWith("sluice_protocol_rejected_total")) {
                m.merge("rejected", v, Long::sum);
            } else if (line.startsWith("sluice_protocol_dropped_total")) {
                m.merge("dropped", v, Long::sum);
            }
        }
        return m;
    }
}
