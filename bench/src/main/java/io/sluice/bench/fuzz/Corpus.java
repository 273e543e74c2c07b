package io.sluice.bench.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Golden inputs for each body Sluice reads, from its README and the drop-in services' documents:
 * what the mutator starts from.
 */
final class Corpus {
    private Corpus() {
    }

    static final List<byte[]> LINE_PROTOCOL = bytes(
            "cpu,host=a,region=eu usage_user=12.5,usage_system=3i 1732280000000000000",
            "mem,host=a used=42",
            "weather,location=us-midwest temperature=82 1465839830100400200",
            "disk,host=h1,path=/var free=1024u,used=2048u,ok=true,state=\"mounted\" 1732280000000000000",
            "esc\\,aped\\ name,tag\\=key=va\\ lue field\\ key=1.5e3,s=\"quo\\\"te\" 1",
            "# a comment\ncpu value=1\r\nnet,if=eth0 rx=10i,tx=20i",
            "m,a=1,b=2,c=3 f1=1,f2=-2.5,f3=3e-3,f4=T,f5=F,f6=\"x\"",
            "\u00fcber,t=\u00e9 v=1",
            "m value=1 1732280000",
            "m value=-0.0,i=-9223372036854775808i");

    static final List<byte[]> JSON = bytes(
            "{\"samples\":[{\"metric\":\"loss\",\"tags\":{\"run_id\":\"r1\"},\"time\":\"2026-11-22T10:00:00Z\",\"value\":0.25,\"step\":7}]}",
            "{\"metric\":\"cpu\",\"tags\":{\"host\":\"a\",\"n\":1,\"b\":true},\"time\":1732280000000,\"value\":1.5}",
            "[{\"metric\":\"a\",\"value\":1},{\"metric\":\"b\",\"value\":2,\"time\":1732280000000.5}]",
            "{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200}",
            "[{\"route\":\"/api/products\",\"method\":\"POST\",\"time\":10,\"status\":\"201\",\"timestamp\":\"2026-11-22T10:00:00.123456+02:00\"}]",
            "{\"samples\":[{\"metric\":\"x\",\"value\":1,\"tags\":null,\"step\":null,\"extra\":[1,{\"a\":2}]}],\"other\":{}}");

    static final List<byte[]> STATSD = bytes(
            "page.views:1|c", "load.time:320|ms|@0.1", "users.online:+5|g", "users.unique:alice|s",
            "api.latency:12.5|h|#env:prod,region:eu", "req:1|c|@0.5|#route:/a\nreq:2|c",
            "dist:1:2:3|d|#a:b", "_e{5,4}:title|text|#t:x", "_sc|db.ok|0|#t:x", "gauge:-3.5|g");

    /** The ML training service's batch ({@code POST /api/v1/metrics/batch}). */
    static final List<byte[]> TRAINING = bytes(
            "{\"metrics\":[{\"run_id\":\"r1\",\"metric_name\":\"loss\",\"step\":1,\"value\":0.5,"
                    + "\"time\":\"2026-11-22T10:00:00Z\",\"metadata\":{\"lr\":0.01}}]}",
            "{\"metrics\":[{\"run_id\":\"r2\",\"metric_name\":\"acc\",\"step\":2,\"value\":0.9},"
                    + "{\"run_id\":\"r2\",\"metric_name\":\"acc\",\"value\":1}]}");

    /** The fleet monitor's bodies ({@code POST /api/v1/ingest}; the server id is filled in). */
    static final List<byte[]> FLEET = bytes(
            "{\"server_id\":\"%s\",\"metrics\":[{\"metric_type\":\"cpu\",\"metric_name\":\"usage\",\"value\":42.5,"
                    + "\"labels\":{\"core\":\"0\"},\"timestamp\":\"2026-11-22T10:00:00Z\"}]}",
            "{\"server_id\":\"%s\",\"metrics\":[{\"metric_type\":\"mem\",\"metric_name\":\"used\",\"value\":1}]}");

    static final List<byte[]> SERVERS = bytes(
            "{\"hostname\":\"fuzz-host\",\"ip_address\":\"192.168.1.10\",\"os\":\"Ubuntu 22.04\","
                    + "\"labels\":{\"env\":\"prod\"},\"agent_version\":\"1.0.0\"}");

    static final List<byte[]> META = bytes("{\"unit\":\"ms\",\"description\":\"page load\"}");

    private static List<byte[]> bytes(String... s) {
        return java.util.Arrays.stream(s).map(x -> x.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
