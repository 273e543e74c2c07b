package io.sluice.bench;

import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.LineProtocolParser;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The peers scenario's parts: the bodies it sends, how it finds processes and adds up their CPU. */
class PeersScenarioTest {
    @Test
    void bodiesHoldEveryRowOnceAsValidLineProtocolWithEveryKeyNew() {
        long base = 1_764_000_000_000_000_000L;
        List<byte[]> bodies = LineBodies.build("m", 10_501, 1_000, 7, base);
        assertThat(bodies).hasSize(11);
        Set<String> keys = new HashSet<>();
        long[] lines = {0};
        SampleSink sink = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                assertThat(keys.add(key.frozen() + "@" + timeMicros)).isTrue();
                lines[0]++;
            }

            @Override
            public void error(ParseError error) {
                throw new AssertionError(error.toString());
            }
        };
        for (byte[] b : bodies) {
            new LineProtocolParser().parse(b, 0, b.length, sink);
        }
        assertThat(lines[0]).isEqualTo(10_501);
        assertThat(keys).contains("m{host=h0}@" + base / 1000, "m{host=h0}@" + (base / 1000 + 10_500), "m{host=h6}@" + (base / 1000 + 10_499));
    }

    @Test
    void findsTheProcessListeningOnAPortAndItsCpuNeverGoesBackwards() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(ProcessCpu.listening(s.getLocalPort())).hasValue(ProcessHandle.current().pid());
        }
        Map<Long, Long> before = ProcessCpu.tree(ProcessHandle.current().pid());
        long spin = 0;
        for (long t0 = System.nanoTime(); System.nanoTime() - t0 < 50_000_000L; ) {
            spin++;
        }
        assertThat(spin).isPositive();
        assertThat(ProcessCpu.used(before, ProcessCpu.tree(ProcessHandle.current().pid()))).isPositive();
    }

    @Test
    void aProcessThatEndedBetweenTwoReadingsCountsAsZeroAtTheEndNotNegative() {
        assertThat(ProcessCpu.used(Map.of(1L, 100L, 2L, 50L), Map.of(1L, 180L))).isEqualTo(30L);
        assertThat(ProcessCpu.used(Map.of(1L, 100L), Map.of(1L, 90L))).isZero();
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(PeersScenario.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(PeersScenario.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    }

    @Test
    void warmUpPassesComeFirstAndTheCountedRoundsAreNumberedFromOne() {
        assertThat(List.of(PeersScenario.label(0, 2), PeersScenario.label(1, 2), PeersScenario.label(2, 2), PeersScenario.label(4, 2)))
                .containsExactly("warm-up 1", "warm-up 2", "round 1", "round 3");
        assertThat(PeersScenario.label(0, 0)).isEqualTo("round 1");
    }
}
