package io.sluice.server.live;

import io.sluice.storage.query.SeriesScope;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a subscription wants: some metrics (none: any), each sample's tags containing every given
 * tag and value and every {@code present} key, and optionally one sample in {@code every}. Two equal filters of the same style share one group.
 */
public record Filter(Set<String> metrics, Map<String, String> tags, Set<String> present, int every) {
    public Filter(Set<String> metrics, Map<String, String> tags, int every) {
        this(metrics, tags, Set.of(), every);
    }

    public Filter {
        metrics = Set.copyOf(new TreeSet<>(metrics));
        tags = Map.copyOf(new TreeMap<>(tags));
        present = Set.copyOf(present);
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1");
        }
    }

    /** This filter with a reader's scope imposed: a tenant's viewer sees only its own series (README "Tenants"). */
    Filter within(SeriesScope scope) {
        return scope.unrestricted() ? this : new Filter(metrics, scope.narrow(tags), present, every);
    }

    boolean matches(Map<String, String> sampleTags) {
        for (String k : present) {
            if (!sampleTags.containsKey(k)) {
                return false;
            }
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (!t.getValue().equals(sampleTags.get(t.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
