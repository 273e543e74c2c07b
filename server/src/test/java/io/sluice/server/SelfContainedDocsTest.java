package io.sluice.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clone of the repository is all a reader has: no comment, SQL file or document may send them
 * to the design map or the services' documents that lived beside the repository, nor to the
 * project's issue tracker. The README and {@code docs/} say it in their own words.
 */
class SelfContainedDocsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Spelled apart so this file does not match itself. */
    static final List<String> OUTSIDE = List.of("DESIGN" + ".md", "../" + "shared", "seeds" + "/0", "shared" + "/seeds",
            "/work" + "/shared", "/work" + "/helpers");

    @Test
    void nothingInTheRepositoryPointsOutsideIt() throws IOException {
        assertThat(pointersOutside(ROOT)).as("cite the README or a document under docs/ instead").isEmpty();
    }

    /** A comment says why in its own words or cites the README; a clone has no issue tracker. */
    @Test
    void noSourceCitesAnIssueNumber() throws IOException {
        java.util.regex.Pattern issue = java.util.regex.Pattern.compile("(?i)\\bissue" + " \\d");
        List<String> found = new ArrayList<>();
        for (Path f : RepositoryFiles.of(ROOT)) {
            if (f.toString().endsWith(".java")) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (issue.matcher(lines.get(i)).find()) {
                        found.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertThat(found).as("say why, or cite the README or docs/, instead of an issue number").isEmpty();
    }

    /**
     * Each line of the repository at {@code root} that points outside it, as {@code path:line: text};
     * only its own files are read ({@link RepositoryFiles}), never what git ignores.
     */
    static List<String> pointersOutside(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : RepositoryFiles.of(root)) {
            if (Files.size(f) > 2_000_000) {
                continue;
            }
            String text;
            try {
                text = Files.readString(f);
            } catch (MalformedInputException e) {
                continue; // not text
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (String o : OUTSIDE) {
                    if (lines[i].contains(o)) {
                        found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines[i].trim());
                    }
                }
            }
        }
        return found;
    }
}
