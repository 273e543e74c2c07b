package io.sluice.storage.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * An {@code int} key to a value, open addressing over a power-of-two table: lookups read the
 * published table without a lock and without boxing the key (the head and the live fan-out look
 * up a series id for every sample); inserting takes the lock and may publish a bigger table. A
 * value is published with release semantics after its key, so a reader that sees the value sees
 * its key and the value's own fields. Entries are never removed.
 */
public final class IntMap<V> {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private static final class Table<V> {
        final int[] keys;
        final V[] values;

        @SuppressWarnings("unchecked")
        Table(int capacity) {
            keys = new int[capacity];
            values = (V[]) new Object[capacity];
        }
    }

    private volatile Table<V> table = new Table<>(1024);
    private int size;

    /** The value of {@code key}, or null. */
    public V get(int key) {
        Table<V> t = table;
        int mask = t.keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            @SuppressWarnings("unchecked")
            V v = (V) SLOT.getAcquire(t.values, i);
            if (v == null) {
                return null;
            }
            if (t.keys[i] == key) {
                return v;
            }
        }
    }

    /** The value of {@code key}, made by {@code make} (under the lock, once) if it had none. */
    public V computeIfAbsent(int key, IntFunction<? extends V> make) {
        V v = get(key);
        return v != null ? v : insert(key, null, make);
    }

    /** Maps {@code key} to {@code value} unless it has a value; returns the value it had, or null. */
    public V putIfAbsent(int key, V value) {
        V v = get(key);
        if (v != null) {
            return v;
        }
        V in = insert(key, value, null);
        return in == value ? null : in;
    }

    public synchronized int size() {
        return size;
    }

    private synchronized V insert(int key, V value, IntFunction<? extends V> make) {
        V v = get(key);
        if (v != null) {
            return v;
        }
        Table<V> t = table;
        if ((size + 1) * 2 > t.keys.length) {
            Table<V> bigger = new Table<>(t.keys.length * 2);
            for (int i = 0; i < t.keys.length; i++) {
                if (t.values[i] != null) {
                    put(bigger, t.keys[i], t.values[i]);
                }
            }
            t = bigger;
        }
        v = value != null ? value : make.apply(key);
        // The value is written last: a reader of the same table sees either no entry or a whole one.
        put(t, key, v);
        table = t;
        size++;
        return v;
    }

    private static <V> void put(Table<V> t, int key, V v) {
        int mask = t.keys.length - 1;
        int i = mix(key) & mask;
        while (t.values[i] != null) {
            i = (i + 1) & mask;
        }
        t.keys[i] = key;
        SLOT.setRelease(t.values, i, v);
    }

    public void forEach(Consumer<? super V> action) {
        for (V v : table.values) {
            if (v != null) {
                action.accept(v);
            }
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
