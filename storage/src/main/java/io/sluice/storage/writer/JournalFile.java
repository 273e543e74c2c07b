package io.sluice.storage.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * One writer's journal file for {@code write_ack = local} (README, "What an answer guarantees"):
 * records appended and synced ({@code fdatasync}) before the batch they hold is acknowledged, in
 * segments of {@link LocalJournal#segmentBytes} named {@code w<writer>-<segment>.journal}. Only
 * its writer appends; the flusher deletes segments it has wholly written ({@link #release}).
 *
 * <p>A record: the payload's length (4 bytes), the CRC32C of the place and the payload (4), the
 * record's place (8: its start as a {@link LocalJournal#position}, writer, segment and offset),
 * then the payload ({@link JournalPayload}); big-endian. The place is the sequence: it follows on
 * from record to record, and a segment begun in a recycled or zero-filled file
 * ({@link LocalJournal#takeSpare}) holds no other bytes that name it (as PostgreSQL's WAL pages
 * carry their own address). A record that fails to reach the disk is cut away again before its
 * batch is answered, so a recovery never finds a record nobody was told is stored.
 */
final class JournalFile {
    static final int HEADER = 16;

    private final LocalJournal journal;
    private final int writer;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    /** The segment being appended to; read by the flusher's {@link #release}. */
    private volatile long segment;
    private long size;
    /** Where the records of the segments before the current one end; guarded by {@code this}. */
    private final TreeMap<Long, Long> ends = new TreeMap<>();
    /** The flusher's newest committed mark in this journal ({@link #release}). */
    private long writtenSegment = -1;
    private long writtenPosition = -1;
    /** The oldest segment that may still exist. */
    private long oldest;
    /** Whether a spare was asked for in this segment. */
    private boolean spareAsked;
    /** Why this journal takes no more records (a failed record could not be cut away), or null. */
    private volatile String broken;

    JournalFile(LocalJournal journal, int writer, long firstSegment) {
        this.journal = journal;
        this.writer = writer;
        this.segment = firstSegment - 1;
        this.oldest = firstSegment;
    }

    /**
     * Appends a record holding {@code payload[0 .. length)} and syncs it to the disk.
     *
     * @return the record's end as a journal position ({@link LocalJournal#position})
     * @throws IOException nothing of the record is left in the file (it was cut away and synced
     *                     again), unless {@link #broken()} says otherwise: then no record is
     *                     taken any more
     */
    long append(byte[] payload, int length) throws IOException {
        if (broken != null) {
            throw new IOException("the journal takes no more records: " + broken);
        }
        if (channel == null || size >= journal.segmentBytes()) {
            rotate();
        }
        long start = size;
        crc.reset();
        header.clear();
        header.putInt(length).putInt(0).putLong(LocalJournal.position(writer, segment, start));
        crc.update(header.array(), 8, 8);
        crc.update(payload, 0, length);
        header.putInt(4, (int) crc.getValue());
        header.flip();
        try {
            ByteBuffer body = ByteBuffer.wrap(payload, 0, length);
            long at = start;
            while (header.hasRemaining()) {
                at += channel.write(header, at);
            }
            while (body.hasRemaining()) {
                at += channel.write(body, at);
            }
            channel.force(false);
        } catch (IOException e) {
            cutBack(start, e);
            throw e;
        }
        size = start + HEADER + length;
        if (!spareAsked && size >= journal.segmentBytes() / 2) {
            // Half through: unless a released segment has become the spare by now, have one zero-filled.
            spareAsked = true;
            journal.requestSpare(writer);
        }
        return LocalJournal.position(writer, segment, size);
    }

    /** After a failed append: the record's bytes away, synced; failing that, no more records. */
    private void cutBack(long start, IOException cause) {
        try {
            channel.truncate(start);
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            broken = "a record that failed to be written (" + cause + ") could not be cut away (" + e + ")";
            cause.addSuppressed(e);
        }
    }

    /** Why this journal takes no more records, or null while it does. */
    String broken() {
        return broken;
    }

    /**
     * Begins the next segment: in the writer's spare when one is ready (its blocks allocated, so a
     * sync commits no new size), else in a new file.
     */
    private void rotate() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            synchronized (this) {
                ends.put(segment, size);
            }
        }
        long next = segment + 1;
        if (next > LocalJournal.MAX_SEGMENT) {
            throw new IOException("journal segment numbers exhausted for writer " + writer);
        }
        Path p = journal.segmentPath(writer, next);
        if (journal.takeSpare(writer, p)) {
            channel = FileChannel.open(p, StandardOpenOption.WRITE);
        } else {
            channel = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            journal.segmentsGrown.inc();
            journal.requestSpare(writer);
        }
        // The new file's name must survive a crash too, or its records would be lost with it.
        journal.syncDirectory();
        segment = next;
        size = 0;
        spareAsked = false;
    }

    /**
     * The flusher has written this journal up to {@code markSegment}/{@code markPosition}:
     * recycles or deletes the segments wholly written (never the one being appended to).
     */
    synchronized void release(long markSegment, long markPosition) {
        if (markSegment > writtenSegment || (markSegment == writtenSegment && markPosition > writtenPosition)) {
            writtenSegment = markSegment;
            writtenPosition = markPosition;
        }
        long current = segment;
        Long end = ends.get(markSegment);
        long last = markSegment < current && end != null && markPosition >= end ? markSegment : markSegment - 1;
        last = Math.min(last, current - 1);
        for (; oldest <= last; oldest++) {
            ends.remove(oldest);
            journal.recycle(writer, oldest);
        }
    }

    /**
     * At a clean stop, once the writer has stopped: when the flusher's committed mark covers every
     * record of the segment being appended to, deletes it and any older one left, so the journal
     * holds nothing already in the database. Otherwise a start against another database (a new
     * {@code database_url}, or one recreated) would write those records into it again, the marks
     * living in the database.
     *
     * @return the segments deleted
     */
    synchronized int deleteIfWritten() {
        if (channel == null || writtenSegment != segment || writtenPosition < size) {
            return 0;
        }
        close();
        int n = 0;
        for (; oldest <= segment; oldest++) {
            ends.remove(oldest);
            journal.delete(writer, oldest);
            n++;
        }
        return n;
    }

    void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // synced record by record already
            }
            channel = null;
        }
    }
}
