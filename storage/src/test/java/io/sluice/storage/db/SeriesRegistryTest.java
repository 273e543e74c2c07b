package io.sluice.storage.db;

import io.sluice.codec.Allocation;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesRegistryTest {
    /** The live fan-out asks for the name of every sample's series id: no boxed id per call. */
    @Test
    void namingACachedIdAllocatesNothing() {
        SeriesRegistry r = new SeriesRegistry(10_000);
        List<SeriesKey> keys = new ArrayList<>();
        int[] ids = new int[2_000];
        for (int i = 0; i < ids.length; i++) {
            SeriesKey k = new SeriesKey().metric("m");
            k.tag("s", Integer.toString(i));
            keys.add(k.frozen());
            ids[i] = 1_000 + i; // past the JDK's cache of small boxed integers
        }
        r.cache(keys, ids);
        long[] found = {0};
        long allocated = Allocation.bytes(() -> {
            for (int round = 0; round < 10; round++) {
                for (int id : ids) {
                    found[0] += r.keyOf(id) == null ? 0 : 1;
                }
            }
        });
        assertThat(found[0]).isEqualTo(20_000);
        assertThat(allocated).as("bytes allocated naming 20,000 ids").isLessThan(16 * 1024);
        assertThat(r.keyOf(ids[5])).isSameAs(keys.get(5));
        assertThat(r.keyOf(999)).isNull();
    }
}
