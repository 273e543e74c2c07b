package io.sluice.agent.collect;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** NVIDIA GPUs through {@code nvidia-smi}; on a machine without it the agent has no GPU collector. */
public final class GpuCollector implements Collector {
    private static final long TIMEOUT_SECONDS = 5;

    private final Path binary;

    private GpuCollector(Path binary) {
        this.binary = binary;
    }

    /** A collector when {@code nvidia-smi} is on the PATH, else none. */
    public static Optional<Collector> find(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            for (String name : new String[] {"nvidia-smi", "nvidia-smi.exe"}) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(new GpuCollector(p));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public void collect(Readings out) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder(binary.toString(), "--query-gpu=" + NvidiaSmiCsv.QUERY,
                "--format=csv,noheader,nounits").redirectErrorStream(true).start();
        try {
            // A few lines per GPU: the pipe buffer holds them, so reading after the wait cannot block it.
            if (!proc.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException(binary + " did not answer within " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (proc.exitValue() != 0) {
                throw new IOException(binary + " exited " + proc.exitValue() + ": " + text.strip().lines().findFirst().orElse(""));
            }
            int bad = NvidiaSmiCsv.parse(text, out);
            if (bad > 0) {
                throw new IOException(binary + " answered " + bad + " line(s) not in the expected form: "
                        + text.strip().lines().findFirst().orElse(""));
            }
        } finally {
            proc.destroyForcibly();
        }
    }
}
