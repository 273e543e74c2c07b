package io.sluice.agent.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs every collector once an interval. A collector that throws is skipped for that interval,
 * its partial readings dropped; its first failure is logged, later ones only counted, until it
 * works again (logged once too).
 */
public final class CollectorSet {
    private static final Logger LOG = LoggerFactory.getLogger(CollectorSet.class);

    private final List<Collector> collectors;
    private final boolean[] failing;
    private volatile long failures;

    public CollectorSet(List<Collector> collectors) {
        this.collectors = List.copyOf(collectors);
        this.failing = new boolean[collectors.size()];
    }

    /** Readings of all collectors at {@code timeMs}. */
    public List<Sample> collect(long timeMs) {
        List<Sample> all = new ArrayList<>();
        List<Sample> one = new ArrayList<>();
        for (int i = 0; i < collectors.size(); i++) {
            Collector c = collectors.get(i);
            one.clear();
            try {
                c.collect(new Readings(one, timeMs));
            } catch (Exception | LinkageError e) {
                failures++;
                if (!failing[i]) {
                    failing[i] = true;
                    LOG.warn("collector failed; skipped until it works again [collector={}, error={}]", c.name(), e.toString());
                }
                continue;
            }
            if (failing[i]) {
                failing[i] = false;
                LOG.info("collector works again [collector={}]", c.name());
            }
            all.addAll(one);
        }
        return all;
    }

    /** Collector runs that failed since start. */
    public long failures() {
        return failures;
    }

    public String names() {
        return collectors.stream().map(Collector::name).collect(Collectors.joining(","));
    }
}
