package io.sluice.agent.collect;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class CollectorSetTest {
    /** Reads one value, or fails half-way through its readings while {@code broken} is set. */
    private static Collector flaky(String name, AtomicBoolean broken) {
        return new Collector() {
            public String name() {
                return name;
            }

            public void collect(Readings out) throws Exception {
                Readings.Point p = out.point(name, Map.of()).gauge("a", 1);
                if (broken.get()) {
                    throw new java.io.IOException("device gone");
                }
                p.gauge("b", 2);
            }
        };
    }

    @Test
    void aFailingCollectorIsSkippedWithItsPartialReadingsAndTheOthersGoOn() {
        AtomicBoolean broken = new AtomicBoolean(true);
        CollectorSet set = new CollectorSet(List.of(flaky("mem", new AtomicBoolean()), flaky("gpu", broken)));
        List<Sample> first = set.collect(1_000);
        assertThat(first).extracting(s -> s.measurement() + "." + s.field()).containsExactly("mem.a", "mem.b");
        assertThat(first).allSatisfy(s -> assertThat(s.timeMs()).isEqualTo(1_000));
        set.collect(2_000);
        assertThat(set.failures()).isEqualTo(2);
        broken.set(false);
        assertThat(set.collect(3_000)).extracting(s -> s.measurement() + "." + s.field())
                .containsExactly("mem.a", "mem.b", "gpu.a", "gpu.b");
        assertThat(set.names()).isEqualTo("mem,gpu");
    }

    @Test
    void aTagWithoutAValueIsLeftOut() {
        List<Sample> out = new java.util.ArrayList<>();
        java.util.HashMap<String, String> tags = new java.util.HashMap<>();
        tags.put("path", "/");
        tags.put("device", "");
        tags.put("fstype", null);
        new Readings(out, 0).point("disk", tags).gauge("total", 1).gauge("bad", Double.NaN);
        assertThat(out).singleElement().satisfies(s -> assertThat(s.tags()).isEqualTo(Map.of("path", "/")));
    }
}
