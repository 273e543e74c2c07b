package io.sluice.storage.head;

import java.util.function.Consumer;

/**
 * Series id to {@link SeriesHead}, open addressing over a power-of-two table: lookups read the
 * published table without a lock and without boxing the id (a writer looks up every sample);
 * inserting a new series takes the lock and may publish a bigger table. Entries are never removed.
 */
final class SeriesMap {
    private static final class Table {
        final int[] keys;
        final SeriesHead[] values;

        Table(int capacity) {
            keys = new int[capacity];
            values = new SeriesHead[capacity];
        }
    }

    private volatile Table table = new Table(1024);
    private int size;

    SeriesHead get(int id) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int i = mix(id) & mask; ; i = (i + 1) & mask) {
            SeriesHead v = t.values[i];
            if (v == null) {
                return null;
            }
            if (t.keys[i] == id) {
                return v;
            }
        }
    }

    /** The series' head, made (and {@code onCreate} run) if it had none. */
    SeriesHead getOrCreate(int id, Runnable onCreate) {
        SeriesHead v = get(id);
        return v != null ? v : create(id, onCreate);
    }

    private synchronized SeriesHead create(int id, Runnable onCreate) {
        SeriesHead v = get(id);
        if (v != null) {
            return v;
        }
        Table t = table;
        if ((size + 1) * 2 > t.keys.length) {
            Table bigger = new Table(t.keys.length * 2);
            for (int i = 0; i < t.keys.length; i++) {
                if (t.values[i] != null) {
                    put(bigger, t.keys[i], t.values[i]);
                }
            }
            t = bigger;
        }
        v = new SeriesHead();
        // The value is written last: a reader of the same table sees either no entry or a whole one.
        put(t, id, v);
        table = t;
        size++;
        onCreate.run();
        return v;
    }

    private static void put(Table t, int id, SeriesHead v) {
        int mask = t.keys.length - 1;
        int i = mix(id) & mask;
        while (t.values[i] != null) {
            i = (i + 1) & mask;
        }
        t.keys[i] = id;
        t.values[i] = v;
    }

    void forEach(Consumer<SeriesHead> action) {
        for (SeriesHead v : table.values) {
            if (v != null) {
                action.accept(v);
            }
        }
    }

    private static int mix(int id) {
        int h = id * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
