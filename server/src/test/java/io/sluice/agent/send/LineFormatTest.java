package io.sluice.agent.send;

import io.sluice.agent.collect.Readings;
import io.sluice.agent.collect.Sample;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LineFormatTest {
    private final LineFormat format = new LineFormat(new Http(URI.create("http://127.0.0.1:1"), null,
            Duration.ofSeconds(1), "test"), "web 1", Map.of("dc", "eu,west"));

    @Test
    void onePointIsOneLineTaggedWithHostAndTheAgentsTagsCountersAsIntegers() {
        List<Sample> s = new ArrayList<>();
        Readings r = new Readings(s, 1_700_000_000_123L);
        r.point("net", Map.of("interface", "eth0")).counter("bytes_recv", 123_456_789_012L)
                .gauge("bytes_recv_per_sec", 2048.5);
        r.point("mem", Map.of()).gauge("used_percent", 42.25).gauge("total", 2.5e10);
        assertThat(format.encode(s)).isEqualTo("""
                net,dc=eu\\,west,host=web\\ 1,interface=eth0 bytes_recv=123456789012i,bytes_recv_per_sec=2048.5 1700000000123
                mem,dc=eu\\,west,host=web\\ 1 used_percent=42.25,total=2.5E10 1700000000123
                """);
    }

    @Test
    void aSampleKeyIsTheMetricSluiceStoresWithAllItsTags() {
        Sample s = new Sample("cpu", Map.of("cpu", "cpu0"), "usage_user", 1, Sample.Kind.GAUGE, 5);
        assertThat(LineFormat.metric(s)).isEqualTo("cpu_usage_user");
        assertThat(format.key(s)).isEqualTo("cpu_usage_user\u0000{cpu=cpu0, dc=eu,west, host=web 1}\u00005");
    }
}
