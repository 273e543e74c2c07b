package io.sluice.server.live;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * Frames for the viewers of one event loop, collected by the fan-out thread during one tick and
 * delivered on that loop by its {@link Outbox}: frames are written, and each viewer is flushed
 * once. Owns one reference of each frame until it has passed it to its viewer.
 */
final class Handoff {
    private Viewer[] viewers;
    private ByteBuf[] frames;
    private int[] samples;
    int size;
    long bytes;
    private int next; // first frame not yet delivered

    Handoff(int capacity) {
        viewers = new Viewer[capacity];
        frames = new ByteBuf[capacity];
        samples = new int[capacity];
    }

    void add(Viewer v, ByteBuf frame, int count) {
        if (size == viewers.length) {
            int n = size * 2;
            viewers = Arrays.copyOf(viewers, n);
            frames = Arrays.copyOf(frames, n);
            samples = Arrays.copyOf(samples, n);
        }
        viewers[size] = v;
        frames[size] = frame;
        samples[size] = count;
        size++;
        bytes += frame.readableBytes();
    }

    /** On the event loop: every frame to its viewer, then one flush per viewer. */
    void deliver() {
        try {
            while (next < size) {
                int i = next++;
                ByteBuf f = frames[i];
                frames[i] = null;
                viewers[i].offer(f, samples[i]);
            }
        } finally {
            release(); // only if an offer threw
            for (int i = 0; i < size; i++) {
                viewers[i].flushIfWritten();
            }
        }
    }

    /** The loop refused the work: give back what was never delivered. */
    void release() {
        for (int i = next; i < size; i++) {
            if (frames[i] != null) {
                frames[i].release();
                frames[i] = null;
            }
        }
        next = size;
    }
}
