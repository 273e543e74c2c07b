package io.sluice.agent.collect;

import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Telegraf's {@code disk} input: each mounted local file system's space and inodes, tagged
 * {@code path}, {@code device}, {@code fstype} and {@code mode}. Like Telegraf's defaults, memory
 * and image file systems (tmpfs, overlay, squashfs, ...) are left out. {@code free} is what
 * unprivileged users may still write and {@code used_percent} is {@code used / (used + free)},
 * as {@code df} shows it.
 */
public final class FileSystemCollector implements Collector {
    static final Set<String> IGNORED_TYPES = Set.of("tmpfs", "devtmpfs", "devfs", "iso9660", "overlay", "aufs",
            "squashfs", "ramfs", "nsfs", "autofs");

    private final FileSystem fs;

    public FileSystemCollector(FileSystem fs) {
        this.fs = fs;
    }

    @Override
    public String name() {
        return "disk";
    }

    @Override
    public void collect(Readings out) {
        for (OSFileStore s : fs.getFileStores(true)) {
            long total = s.getTotalSpace();
            if (total <= 0 || IGNORED_TYPES.contains(s.getType())) {
                continue;
            }
            long free = s.getUsableSpace();
            long used = total - s.getFreeSpace();
            String mode = s.getOptions() != null && s.getOptions().startsWith("ro") ? "ro" : "rw";
            Map<String, String> tags = new HashMap<>(); // values may be null: the point leaves those out
            tags.put("path", s.getMount());
            tags.put("device", device(s.getVolume()));
            tags.put("fstype", s.getType());
            tags.put("mode", mode);
            Readings.Point p = out.point("disk", tags)
                    .gauge("total", total)
                    .gauge("free", free)
                    .gauge("used", used)
                    .gauge("used_percent", MemoryCollector.percent(used, used + free));
            long inodes = s.getTotalInodes();
            if (inodes > 0) {
                long inodesFree = s.getFreeInodes();
                p.gauge("inodes_total", inodes)
                        .gauge("inodes_free", inodesFree)
                        .gauge("inodes_used", inodes - inodesFree)
                        .gauge("inodes_used_percent", MemoryCollector.percent(inodes - inodesFree, inodes));
            }
        }
    }

    /** {@code /dev/sda1} is tagged {@code sda1}, as Telegraf does. */
    static String device(String volume) {
        if (volume == null || volume.isEmpty()) {
            return "none";
        }
        return volume.startsWith("/dev/") ? volume.substring(5) : volume;
    }
}
