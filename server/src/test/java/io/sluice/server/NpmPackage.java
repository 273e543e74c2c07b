package io.sluice.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A file out of a package of the npm registry, fetched with the npm client (a client library that
 * has no Maven artifact, for a test to run unchanged), kept under {@code target/npm} and never
 * committed. The tarball must match the registry's {@code dist.integrity} given.
 */
final class NpmPackage {
    private static final Path DIR = Path.of("target", "npm");

    private NpmPackage() {
    }

    /**
     * {@code file} (a path inside the package, such as {@code dist/x.js}) of {@code name@version};
     * null with the reason in {@code why[0]} when npm or the registry cannot give it.
     */
    static Path file(String name, String version, String integrity, String file, String[] why) throws Exception {
        String base = name.replace("@", "").replace('/', '-') + "-" + version;
        Path tgz = DIR.resolve(base + ".tgz");
        Path out = DIR.resolve(base).resolve(file);
        if (Files.isRegularFile(out)) {
            return out;
        }
        Files.createDirectories(DIR);
        if (!Files.isRegularFile(tgz)) {
            String error = run(DIR, "npm", "pack", "--silent", name + "@" + version);
            if (error != null) {
                why[0] = "npm pack " + name + "@" + version + " failed (needs npm and its registry): " + error;
                return null;
            }
        }
        String sha = "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(tgz)));
        if (!sha.equals(integrity)) {
            Files.delete(tgz);
            throw new IllegalStateException(tgz + " is not " + name + "@" + version + ": " + sha + " != " + integrity);
        }
        Files.createDirectories(DIR.resolve(base));
        String error = run(DIR.resolve(base), "tar", "-xzf", tgz.toAbsolutePath().toString(), "--strip-components=1", "package/" + file);
        if (error != null) {
            throw new IllegalStateException("tar could not unpack " + file + " from " + tgz + ": " + error);
        }
        return out;
    }

    /** Runs a command in {@code dir}; null when it exits 0, else what it printed. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "no answer in 180 s";
        }
        String printed = new String(p.getInputStream().readAllBytes());
        return p.exitValue() == 0 ? null : printed.strip();
    }
}
