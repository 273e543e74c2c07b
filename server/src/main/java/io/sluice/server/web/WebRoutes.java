package io.sluice.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.server.auth.Scope;
import io.sluice.server.http.Exchange;
import io.sluice.server.http.Router;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Sluice's own web page ({@code /}), its files ({@code /assets/{file}}), the OpenAPI document of
 * every route ({@code /openapi.json}, kept in {@code openapi.yaml} beside the code) and Swagger UI
 * on it ({@code /swagger}). Everything is in memory from start; answers carry an ETag, and a
 * gzip copy goes to browsers that accept it. README "Open the web page".
 */
public final class WebRoutes {
    /**
     * Pages load scripts, styles and data from Sluice alone; the live chart needs its WebSocket.
     * Inline styles are allowed because uPlot and Swagger UI position elements with them.
     */
    static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:;"
            + " style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    private static final byte[] NONE = new byte[0];

    private final WebAssets assets;
    private final JsonNode openApiDoc;
    private volatile Asset openApi;

    private WebRoutes(WebAssets assets, JsonNode openApiDoc) {
        this.assets = assets;
        this.openApiDoc = openApiDoc;
    }

    /** Reads every file once; fails if one is missing from the jar or the OpenAPI text is not valid YAML. */
    public static WebRoutes load() {
        return new WebRoutes(WebAssets.load(), openApiDoc());
    }

    /** {@code openapi.yaml} (written by hand, next to the routes), read as the JSON that clients and Swagger UI read. */
    static JsonNode openApiDoc() {
        try {
            return new YAMLMapper().readTree(WebAssets.read("openapi.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml is not valid YAML", e);
        }
    }

    /**
     * The page, its files and the API document are open (README "Tokens and scopes"): they are
     * the same for everyone and hold no data; the page's own calls to the API carry a token.
     */
    public void register(Router router) {
        router.get("/", Scope.OPEN, ex -> page(ex, "index.html"));
        router.get("/swagger", Scope.OPEN, ex -> page(ex, "swagger.html"));
        router.get("/assets/{file}", Scope.OPEN, ex -> {
            Asset a = assets.get(ex.pathParam("file"));
            if (a == null) {
                ex.error(HttpResponseStatus.NOT_FOUND, "not found", "no such file: /assets/" + ex.pathParam("file"));
            } else {
                serve(ex, a);
            }
        });
        router.get("/openapi.json", Scope.OPEN, ex -> serve(ex, openApi(router)));
    }

    /**
     * The document with each route's scope from the route table (README "Tokens and scopes"),
     * made at the first request, when every route is registered.
     */
    private Asset openApi(Router router) {
        Asset a = openApi;
        if (a == null) {
            synchronized (this) {
                if (openApi == null) {
                    try {
                        openApi = Asset.of("openapi.json", Exchange.JSON.writeValueAsBytes(
                                OpenApiSecurity.apply(openApiDoc, router.entries())), Asset.REVALIDATE);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                a = openApi;
            }
        }
        return a;
    }

    private void page(Exchange ex, String name) {
        ex.header("Content-Security-Policy", CSP);
        ex.header("Referrer-Policy", "no-referrer");
        serve(ex, assets.get(name));
    }

    private static void serve(Exchange ex, Asset a) {
        ex.header(HttpHeaderNames.ETAG, a.etag());
        ex.header(HttpHeaderNames.CACHE_CONTROL, a.cacheControl());
        ex.header("X-Content-Type-Options", "nosniff");
        if (a.gzip() != null) {
            ex.header(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
        if (Conditional.matches(ex.request().headers().get(HttpHeaderNames.IF_NONE_MATCH), a.etag())) {
            ex.bytes(HttpResponseStatus.NOT_MODIFIED, null, NONE);
        } else if (a.gzip() != null && Conditional.acceptsGzip(ex.request().headers().get(HttpHeaderNames.ACCEPT_ENCODING))) {
            // With Content-Encoding set, the pipeline's compressor leaves the body as it is.
            ex.header(HttpHeaderNames.CONTENT_ENCODING, "gzip");
            ex.bytes(HttpResponseStatus.OK, a.contentType(), a.gzip());
        } else {
            ex.bytes(HttpResponseStatus.OK, a.contentType(), a.identity());
        }
    }
}
