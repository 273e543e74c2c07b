package io.sluice.storage.writer;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory of the writers' journal files for {@code write_ack = local} (README, "What an
 * answer guarantees"): {@code <data_dir>/journal/}, holding an exclusive lock file (a second
 * process on the same directory refuses to start), the journal's id ({@code id}, a random UUID
 * made once: it names this journal's marks in {@code sluice_journal_marks}), and one
 * {@link JournalFile} a writer.
 *
 * <p>A journal position names the end of a record: writer (7 bits), segment (28) and byte offset
 * in it (28) in one long, ordered as the records are within a writer's journal.
 *
 * <p>Spares (README, "What an answer guarantees"): an {@code fdatasync} of a write that grows a
 * file must also commit its new size, one of a write over blocks already allocated need not, so
 * each writer keeps one spare file of a segment's size ({@code w<writer>.spare}) that its next
 * segment is renamed from: a segment the flusher has released (recycled), else one a background
 * thread has zero-filled ahead. Either may hold bytes past what is written into it anew; every
 * record carries its own position ({@link JournalFile}), so a recovery tells them from records.
 */
public final class LocalJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalJournal.class);
    static final long MAX_SEGMENT = (1L << 28) - 1;
    /** A segment and its last record must end below 2^28 bytes (positions keep 28 bits for it). */
    static final long MAX_SEGMENT_BYTES = 128L << 20;
    static final int MAX_WRITERS = 128;
    private static final Pattern SEGMENT = Pattern.compile("w(\\d{1,3})-(\\d{12})\\.journal");

    private final Path dir;
    private final long segmentBytes;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<JournalFile> files = new ArrayList<>();
    /** Writers' journals begin at this segment number: past every segment and mark of earlier starts. */
    private volatile long firstSegment;
    /** By writer, guarded by {@code this}: its spare file is there, whole and synced / being zero-filled. */
    private final boolean[] spareReady = new boolean[MAX_WRITERS];
    private final boolean[] sparePreparing = new boolean[MAX_WRITERS];
    private final boolean[] spareRecycled = new boolean[MAX_WRITERS];
    /** Zero-fills spares, off the writers' path; null until {@link #startSpares}, or after close. */
    private ExecutorService preparer;
    private boolean closed;
    final Counter segmentsRecycled;
    final Counter segmentsZeroed;
    final Counter segmentsGrown;

    private LocalJournal(Path dir, long segmentBytes, UUID id, FileChannel lockChannel, FileLock lock, Metrics metrics) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.id = id;
        this.lockChannel = lockChannel;
        this.lock = lock;
        String name = "sluice_journal_local_segments_total";
        String help = "Segments begun by the writers' journal files (write_ack = local), by what they were made from:"
                + " a released segment (recycled) or a zero-filled spare, both already allocated, or a new file grown"
                + " record by record (no spare was ready; each sync then also commits the file's size).";
        segmentsRecycled = metrics.counter(name, help, "from", "recycled");
        segmentsZeroed = metrics.counter(name, help, "from", "zeroed");
        segmentsGrown = metrics.counter(name, help, "from", "new");
    }

    /**
     * Opens (making it when missing) the journal directory and takes its lock.
     *
     * @throws IOException with a message naming the directory when another process holds it
     */
    public static LocalJournal open(Path dir, long segmentBytes, Metrics metrics) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("the journal directory " + dir.toAbsolutePath() + " is in use by another Sluice process"
                    + " (write_ack = local needs a data_dir of its own for every process)");
        }
        try {
            UUID id = readOrMakeId(dir);
            deleteSpares(dir);
            return new LocalJournal(dir, segmentBytes, id, ch, lock, metrics);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Spares left by an earlier start go: one may hold records of segment numbers this start's
     * journal could reach again (the marks of another database), which must never be read as its own.
     */
    private static void deleteSpares(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".spare") || name.endsWith(".spare.tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static UUID readOrMakeId(Path dir) throws IOException {
        Path file = dir.resolve("id");
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new IOException("the journal id file " + file.toAbsolutePath() + " does not hold a UUID: '" + text + "'");
            }
        }
        UUID id = UUID.randomUUID();
        Path tmp = dir.resolve("id.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
        return id;
    }

    /** This journal's id: its marks in {@code sluice_journal_marks} carry it. */
    public UUID id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    long segmentBytes() {
        return segmentBytes;
    }

    /** The end of a record as one long: ordered as records are within writer {@code writer}'s journal. */
    static long position(int writer, long segment, long offset) {
        return ((long) writer << 56) | (segment << 28) | offset;
    }

    static int writerOf(long position) {
        return (int) (position >>> 56);
    }

    static long segmentOf(long position) {
        return (position >>> 28) & MAX_SEGMENT;
    }

    static long offsetOf(long position) {
        return position & ((1L << 28) - 1);
    }

    Path segmentPath(int writer, long segment) {
        return dir.resolve(String.format("w%d-%012d.journal", writer, segment));
    }

    private Path sparePath(int writer) {
        return dir.resolve("w" + writer + ".spare");
    }

    /**
     * From now on spares are made (after the recovery, before the writers run): a writer's first
     * segment is a new file, and asks for the spare its next one is begun in.
     */
    public synchronized void startSpares() {
        if (closed || preparer != null) {
            return;
        }
        preparer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "journal-spares");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Has a spare zero-filled for {@code writer} unless it has one or one is on its way: when a
     * writer had to begin a segment in a new file, and when it is half through a segment and no
     * released one has become its spare.
     */
    void requestSpare(int writer) {
        synchronized (this) {
            if (closed || preparer == null || spareReady[writer] || sparePreparing[writer]) {
                return;
            }
            sparePreparing[writer] = true;
            preparer.execute(() -> zeroFill(writer));
        }
    }

    /** Writes a segment's size of zeros to a new file and syncs it, then makes it the writer's spare. */
    private void zeroFill(int writer) {
        Path tmp = dir.resolve("w" + writer + ".spare.tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(segmentBytes, 1 << 20));
                for (long at = 0; at < segmentBytes; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), segmentBytes - at));
                    while (zeros.hasRemaining()) {
                        at += ch.write(zeros, at);
                    }
                }
                ch.force(true);
            }
            synchronized (this) {
                sparePreparing[writer] = false;
                if (!closed && !spareReady[writer]) {
                    Files.move(tmp, sparePath(writer), StandardCopyOption.ATOMIC_MOVE);
                    spareReady[writer] = true;
                    spareRecycled[writer] = false;
                    return;
                }
            }
            Files.deleteIfExists(tmp); // a released segment became the spare meanwhile
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                sparePreparing[writer] = false;
                if (closed) {
                    return; // stopped by close
                }
            }
            log.warn("journal spare not prepared; the writer's next segment grows as it is written"
                    + " [writer={}, file={}, error={}]", writer, tmp, e.toString());
        }
    }

    /**
     * Renames the writer's spare to {@code segment}'s name when it has one ready (its blocks
     * allocated).
     *
     * @return whether the segment's file is there now (else the caller makes a new one)
     */
    boolean takeSpare(int writer, Path segment) {
        boolean taken = false;
        synchronized (this) {
            if (spareReady[writer]) {
                spareReady[writer] = false;
                try {
                    Files.move(sparePath(writer), segment, StandardCopyOption.ATOMIC_MOVE);
                    taken = true;
                    (spareRecycled[writer] ? segmentsRecycled : segmentsZeroed).inc();
                } catch (IOException e) {
                    log.warn("journal spare not taken; the segment is made anew [writer={}, file={}, error={}]", writer,
                            segment, e.toString());
                }
            }
        }
        return taken;
    }

    /**
     * A segment the flusher has wholly written: it becomes the writer's spare unless that is one
     * recycled already (its blocks are allocated, and its records' positions name it, never a later
     * segment; it replaces a zero-filled spare, which cost a segment's writing to make), else it is
     * deleted. Its name need not be synced: a crash that brings it back finds it below the mark.
     */
    void recycle(int writer, long segment) {
        Path p = segmentPath(writer, segment);
        synchronized (this) {
            if (!closed && preparer != null && !(spareReady[writer] && spareRecycled[writer])) {
                try {
                    if (Files.size(p) >= segmentBytes) {
                        Files.move(p, sparePath(writer), StandardCopyOption.ATOMIC_MOVE);
                        spareReady[writer] = true;
                        spareRecycled[writer] = true;
                        return;
                    }
                } catch (IOException e) {
                    log.debug("journal segment not recycled, deleted [file={}, error={}]", p, e.toString());
                }
            }
        }
        delete(writer, segment);
    }

    /** Segments on disk, by writer, each writer's in order. */
    TreeMap<Integer, List<Long>> segments() throws IOException {
        TreeMap<Integer, List<Long>> found = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    found.computeIfAbsent(Integer.parseInt(m.group(1)), w -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
                }
            }
        }
        found.values().forEach(l -> l.sort(null));
        return found;
    }

    /** Set by the recovery: what writers' journals begin at. */
    void beginAt(long segment) {
        firstSegment = segment;
    }

    /** Opens writer {@code writer}'s journal for appending, in a new segment. */
    synchronized JournalFile writer(int writer) {
        if (writer >= MAX_WRITERS) {
            throw new IllegalArgumentException("at most " + MAX_WRITERS + " writers keep a local journal, not " + (writer + 1));
        }
        while (files.size() <= writer) {
            files.add(null);
        }
        JournalFile f = new JournalFile(this, writer, firstSegment);
        files.set(writer, f);
        return f;
    }

    /** The flusher wrote up to these positions (one a writer at most): deletes what is wholly written. */
    void written(long[] marks, int n) {
        for (int i = 0; i < n; i++) {
            int w = writerOf(marks[i]);
            JournalFile f;
            synchronized (this) {
                f = w < files.size() ? files.get(w) : null;
            }
            if (f != null) {
                f.release(segmentOf(marks[i]), offsetOf(marks[i]));
            }
        }
    }

    void delete(int writer, long segment) {
        try {
            Files.deleteIfExists(segmentPath(writer, segment));
        } catch (IOException e) {
            log.warn("journal segment not deleted; it is written already and deleted at a later try or start"
                    + " [file={}, error={}]", segmentPath(writer, segment), e.toString());
        }
    }

    /** Makes the directory's entries (a new or removed file) durable (fsync of the directory). */
    void syncDirectory() throws IOException {
        syncDirectory(dir);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** What reading a segment found. */
    record Record(long end, byte[] payload) {
    }

    /**
     * Why reading a segment stopped before the file's end.
     *
     * @param torn a record at its place was cut short or failed its CRC (cut away); else the bytes
     *             there are no record of this place (zeros, or a record of an earlier segment the
     *             file was recycled from): the segment's records end there
     */
    record Stop(boolean torn, String what) {
    }

    /**
     * Reads the records of a segment from {@code from}, handing each whole one to {@code sink}.
     * A record counts only where its header names its own position (writer, segment, offset):
     * bytes past the last one written into a recycled or zero-filled file never do. A record at
     * its place that is short or fails its CRC is cut away (and synced). Segments written before
     * records carried their position (a sequence number below 2^28 in the first) are read by CRC alone.
     *
     * @return null when the segment was read to the file's end, else where and why it stopped
     */
    Stop read(int writer, long segment, long from, java.util.function.Consumer<Record> sink) throws IOException {
        Path p = segmentPath(writer, segment);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long length = ch.size();
            boolean legacy = legacy(ch, length);
            InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch.position(from)), 1 << 20);
            long at = from;
            byte[] head = new byte[JournalFile.HEADER];
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            while (at < length) {
                String bad = null;
                byte[] payload = null;
                if (length - at < JournalFile.HEADER || in.readNBytes(head, 0, JournalFile.HEADER) < JournalFile.HEADER) {
                    bad = "a record header cut short";
                } else {
                    ByteBuffer h = ByteBuffer.wrap(head);
                    int n = h.getInt(0);
                    int sum = h.getInt(4);
                    long place = h.getLong(8);
                    if (!legacy && n == 0 && sum == 0 && place == 0) {
                        return new Stop(false, "zeros from offset " + at + " of " + p.getFileName());
                    }
                    if (!legacy && place != position(writer, segment, at)) {
                        return new Stop(false, "no record of this place at offset " + at + " of " + p.getFileName()
                                + " (bytes of the segment it was recycled from)");
                    }
                    if (n < 0 || n > length - at - JournalFile.HEADER) {
                        bad = "a record cut short (length " + n + ", " + (length - at - JournalFile.HEADER) + " bytes left)";
                    } else {
                        payload = in.readNBytes(n);
                        crc.reset();
                        crc.update(head, 8, 8);
                        crc.update(payload, 0, payload.length);
                        if (payload.length < n) {
                            bad = "a record cut short";
                        } else if ((int) crc.getValue() != sum) {
                            bad = "a record failing its CRC32C";
                        }
                    }
                }
                if (bad != null) {
                    // Never acknowledged: its batch was answered only once the whole record was synced.
                    ch.truncate(at);
                    ch.force(false);
                    return new Stop(true, bad + " at offset " + at + " of " + p.getFileName() + " (" + (length - at)
                            + " bytes cut away)");
                }
                at += JournalFile.HEADER + payload.length;
                sink.accept(new Record(position(writer, segment, at), payload));
            }
            return null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Whether a segment was written before records carried their position: its first record's
     * sequence number (counted from 0 at each start) is below 2^28, where a position's is not
     * (segments are numbered from 1). Never a zero-filled or recycled file: those are this start's.
     */
    private static boolean legacy(FileChannel ch, long length) throws IOException {
        if (length < JournalFile.HEADER) {
            return false;
        }
        ByteBuffer h = ByteBuffer.allocate(JournalFile.HEADER);
        while (h.hasRemaining() && ch.read(h, h.position()) >= 0) {
            // a plain file: read until the header is whole
        }
        return h.getInt(0) > 0 && h.getLong(8) >= 0 && h.getLong(8) < (1L << 28);
    }

    /**
     * A clean stop: deletes each writer's segments the flusher has wholly written (none of them
     * is needed by a next start, whatever database it finds), then {@link #close()}s. Only once
     * the writers have stopped.
     */
    public void closeWritten() {
        int deleted = 0;
        List<JournalFile> open;
        synchronized (this) {
            open = new ArrayList<>(files);
        }
        for (JournalFile f : open) {
            if (f != null) {
                deleted += f.deleteIfWritten();
            }
        }
        if (deleted > 0) {
            try {
                syncDirectory();
            } catch (IOException e) {
                log.warn("journal directory not synced after deleting written segments [dir={}, error={}]", dir, e.toString());
            }
        }
        log.info("journal closed [dir={}, writtenSegmentsDeleted={}]", dir, deleted);
        close();
    }

    /** Releases the lock; the files stay (for the next start). */
    @Override
    public void close() {
        ExecutorService p;
        synchronized (this) {
            closed = true;
            p = preparer;
            preparer = null;
        }
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeFiles();
    }

    private synchronized void closeFiles() {
        files.forEach(f -> {
            if (f != null) {
                f.close();
            }
        });
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("journal lock not released cleanly [dir={}, error={}]", dir, e.toString());
        }
    }
}
