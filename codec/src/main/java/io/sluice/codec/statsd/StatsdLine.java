package io.sluice.codec.statsd;

import io.sluice.codec.SeriesKey;

import java.util.Arrays;

/**
 * One StatsD line as {@link StatsdParser} read it: the name (dots made underscores), the tags,
 * and each {@code values|type} group with its rate and values, in arrays reused from line to line.
 * Set members stay in the parsed buffer, as ranges. Not thread-safe.
 */
final class StatsdLine {
    /** Tags from the line; one more, {@code metric_type}, is added to each series. */
    static final int MAX_TAGS = SeriesKey.MAX_TAGS - 1;
    private static final byte[] METRIC_TYPE = {'m', 'e', 't', 'r', 'i', 'c', '_', 't', 'y', 'p', 'e'};

    byte[] scratch = new byte[1024];
    private int scratchLen;
    private int nameOff, nameLen;
    private final int[] tagKeyOff = new int[MAX_TAGS], tagKeyLen = new int[MAX_TAGS];
    private final int[] tagValOff = new int[MAX_TAGS], tagValLen = new int[MAX_TAGS];
    int tagCount;

    private StatsdType[] groupType = new StatsdType[8];
    private int[] groupFrom = new int[8], groupTo = new int[8];
    private double[] groupRate = new double[8];
    private int groups;
    private double[] values = new double[32];
    private boolean[] relative = new boolean[32];
    private int[] memberOff = new int[32], memberLen = new int[32];
    private int valueCount;

    void clear() {
        scratchLen = 0;
        tagCount = 0;
        groups = 0;
        valueCount = 0;
    }

    /** Copies the name, each '.' made '_' as Telegraf's default template joins a bucket's parts. */
    int name(byte[] buf, int s, int e) {
        nameOff = append(buf, s, e - s);
        nameLen = e - s;
        for (int i = nameOff; i < nameOff + nameLen; i++) {
            if (scratch[i] == '.') {
                scratch[i] = '_';
            }
        }
        return nameOff;
    }

    /** Copies bytes into the line's scratch; returns their offset there. */
    int append(byte[] src, int off, int len) {
        if (scratchLen + len > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + len));
        }
        System.arraycopy(src, off, scratch, scratchLen, len);
        int at = scratchLen;
        scratchLen += len;
        return at;
    }

    /** A tag whose key and value are already in scratch; the caller checked {@link #MAX_TAGS}. */
    void tag(int kOff, int kLen, int vOff, int vLen) {
        tagKeyOff[tagCount] = kOff;
        tagKeyLen[tagCount] = kLen;
        tagValOff[tagCount] = vOff;
        tagValLen[tagCount++] = vLen;
    }

    int group(StatsdType type) {
        if (groups == groupType.length) {
            int n = groups * 2;
            groupType = Arrays.copyOf(groupType, n);
            groupFrom = Arrays.copyOf(groupFrom, n);
            groupTo = Arrays.copyOf(groupTo, n);
            groupRate = Arrays.copyOf(groupRate, n);
        }
        groupType[groups] = type;
        groupFrom[groups] = valueCount;
        groupTo[groups] = valueCount;
        groupRate[groups] = 1;
        return groups++;
    }

    void rate(int group, double rate) {
        groupRate[group] = rate;
    }

    /** A value of the last group; signed gauge values change the gauge rather than set it. */
    void value(double v, boolean isRelative) {
        int i = nextValue();
        values[i] = v;
        relative[i] = isRelative;
    }

    /** A set member of the last group: {@code [off, off+len)} of the parsed buffer. */
    void member(int off, int len) {
        int i = nextValue();
        memberOff[i] = off;
        memberLen[i] = len;
    }

    private int nextValue() {
        if (valueCount == values.length) {
            int n = valueCount * 2;
            values = Arrays.copyOf(values, n);
            relative = Arrays.copyOf(relative, n);
            memberOff = Arrays.copyOf(memberOff, n);
            memberLen = Arrays.copyOf(memberLen, n);
        }
        groupTo[groups - 1] = valueCount + 1;
        return valueCount++;
    }

    /** Gives every value to the sink, each group's under its series key; returns how many. */
    int emit(SeriesKey key, byte[] buf, StatsdSink sink) {
        for (int g = 0; g < groups; g++) {
            StatsdType type = groupType[g];
            key.reset().metric(scratch, nameOff, nameLen);
            for (int t = 0; t < tagCount; t++) {
                key.tag(scratch, tagKeyOff[t], tagKeyLen[t], scratch, tagValOff[t], tagValLen[t]);
            }
            // Last, so the series' type is always the one sent (Telegraf adds it the same way).
            byte[] tv = type.tagBytes();
            key.tag(METRIC_TYPE, 0, METRIC_TYPE.length, tv, 0, tv.length);
            for (int v = groupFrom[g]; v < groupTo[g]; v++) {
                if (type == StatsdType.SET) {
                    sink.setMember(key, buf, memberOff[v], memberLen[v]);
                } else {
                    sink.metric(key, type, values[v], groupRate[g], relative[v]);
                }
            }
        }
        return valueCount;
    }
}
