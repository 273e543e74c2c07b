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

    @Test
    void namesLineProtocolCannotCarryAreCleanedNotFatal() {
        // A mount point with a newline, an interface with a tab, a Windows drive: collected as
        // the platform names them; the encoder refuses each, and a refused batch stopped sending.
        List<Sample> s = new ArrayList<>();
        Readings r = new Readings(s, 1_700_000_000_000L);
        r.point("disk", Map.of("path", "/mnt/a\nb", "device", "sd\u007fa")).gauge("used_percent", 1);
        r.point("net", Map.of("interface", "eth\t0")).gauge("bytes_recv_per_sec", 2);
        r.point("disk", Map.of("path", "C:\\", "mode", "\\\\")).gauge("used_percent", 3);
        assertThat(format.encode(s)).isEqualTo("""
                disk,dc=eu\\,west,device=sd_a,host=web\\ 1,path=/mnt/a_b used_percent=1.0 1700000000000
                net,dc=eu\\,west,host=web\\ 1,interface=eth_0 bytes_recv_per_sec=2.0 1700000000000
                disk,dc=eu\\,west,host=web\\ 1,path=C: used_percent=3.0 1700000000000
                """);
        assertThat(format.cleanedNames()).isEqualTo(5);
        // The key asked of the server after a lost answer names the series as it was stored.
        assertThat(format.key(s.get(1))).isEqualTo("net_bytes_recv_per_sec\u0000{dc=eu,west, host=web 1, interface=eth_0}"
                + "\u00001700000000000");
        assertThat(format.cleanedNames()).as("counted when written, not when asked about").isEqualTo(5);
    }

    @Test
    void aLineTheEncoderStillRefusesIsSkippedAndCountedAndTheRestIsSent() {
        List<Sample> s = List.of(new Sample("#comment", Map.of(), "value", 1, Sample.Kind.GAUGE, 7),
                new Sample("mem", Map.of(), "used_percent", 2, Sample.Kind.GAUGE, 7));
        assertThat(format.encode(s)).isEqualTo("mem,dc=eu\\,west,host=web\\ 1 used_percent=2.0 7\n");
        assertThat(format.skippedLines()).isEqualTo(1);
    }
}
