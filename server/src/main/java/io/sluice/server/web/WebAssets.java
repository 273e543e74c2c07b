package io.sluice.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The files of Sluice's web page and of Swagger UI, read from the jar once at start. Only the
 * names listed here exist: a request names a file, never a path, so nothing outside this list
 * can be reached however the name is spelt.
 */
final class WebAssets {
    /** The page's own files, under {@code web/} on the classpath (server/src/main/resources/web). */
    static final List<String> PAGE = List.of("index.html", "swagger.html", "app.css", "favicon.svg", "app.js",
            "api.js", "state.js", "explore.js", "chart.js", "live.js", "status.js", "prom.js", "swagger-init.js");

    private final Map<String, Asset> byName;

    private WebAssets(Map<String, Asset> byName) {
        this.byName = byName;
    }

    /** @throws IllegalStateException naming a file missing from the jar (a build fault: start fails) */
    static WebAssets load() {
        Map<String, Asset> m = new LinkedHashMap<>();
        for (String name : PAGE) {
            m.put(name, Asset.of(name, read("web/" + name), Asset.REVALIDATE));
        }
        // WebJars: META-INF/resources/webjars/<name>/<version>/..., the version from the jar's own pom.properties.
        String uplot = "META-INF/resources/webjars/uplot/" + version("org.webjars.npm", "uplot") + "/dist/";
        for (String name : List.of("uPlot.iife.min.js", "uPlot.min.css")) {
            m.put(name, Asset.of(name, read(uplot + name), Asset.ONE_DAY));
        }
        String swagger = "META-INF/resources/webjars/swagger-ui/" + version("org.webjars", "swagger-ui") + "/";
        for (String name : List.of("swagger-ui-bundle.js", "swagger-ui.css")) {
            m.put(name, Asset.of(name, read(swagger + name), Asset.ONE_DAY));
        }
        return new WebAssets(m);
    }

    /** The file of that name, or null. */
    Asset get(String name) {
        return byName.get(name);
    }

    private static String version(String group, String artifact) {
        Properties p = new Properties();
        try (InputStream in = stream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    static byte[] read(String resource) {
        try (InputStream in = stream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(String resource) {
        InputStream in = WebAssets.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("web asset missing from the jar: " + resource);
        }
        return in;
    }
}
