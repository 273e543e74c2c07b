package io.sluice.server.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.sluice.storage.query.SeriesScope;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code auth_tokens_file} (README "Tokens and scopes"): one {@code [[token]]} table per
 * token and an optional {@code [anonymous]} table. Every problem is reported at once, naming the
 * entry and the key; no message ever quotes a secret, not even a malformed file's text.
 */
public final class TokenFile {
    /** Shorter secrets are refused: a token is a password that no one types. */
    public static final int MIN_SECRET_CHARS = 16;
    private static final Set<String> TOKEN_KEYS = Set.of("name", "secret", "secret_sha256", "client_cert_subject",
            "scopes", "tenant_tags", "samples_per_second", "requests_per_second");
    private static final Set<String> ANONYMOUS_KEYS = Set.of("scopes", "tenant_tags", "samples_per_second",
            "requests_per_second");
    // Without the source in error locations: a parse error must not echo a secret.
    private static final TomlMapper TOML = TomlMapper.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    /** What the file grants: its tokens and the anonymous entry (null when there is none). */
    public record Contents(List<Token> tokens, Token anonymous) {
        public Contents {
            tokens = List.copyOf(tokens);
        }
    }

    /** The file's problems, one line each. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems), null, false, false);
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private TokenFile() {
    }

    public static Contents parse(byte[] toml) throws Invalid {
        Map<String, Object> doc;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = TOML.readValue(toml, Map.class);
            doc = d == null ? Map.of() : d;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new Invalid(List.of("not valid TOML" + (at != null && at.getLineNr() > 0
                    ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "")));
        } catch (IOException e) {
            throw new Invalid(List.of("not readable: " + e.getClass().getSimpleName()));
        }
        List<String> problems = new ArrayList<>();
        for (String k : doc.keySet()) {
            if (!k.equals("token") && !k.equals("anonymous")) {
                problems.add("unknown table or key '" + k + "' (expected [[token]] and [anonymous])");
            }
        }
        List<Token> tokens = new ArrayList<>();
        Object list = doc.get("token");
        if (list != null && !(list instanceof List<?>)) {
            problems.add("token: write each token as a [[token]] table");
        } else if (list != null) {
            int i = 0;
            for (Object entry : (List<?>) list) {
                i++;
                if (!(entry instanceof Map<?, ?> m)) {
                    problems.add("token #" + i + ": not a table");
                    continue;
                }
                Token t = token(i, m, problems);
                if (t != null) {
                    tokens.add(t);
                }
            }
        }
        Token anonymous = null;
        Object anon = doc.get("anonymous");
        if (anon instanceof Map<?, ?> m) {
            anonymous = entry("anonymous", "anonymous", m, ANONYMOUS_KEYS, null, null, problems);
        } else if (anon != null) {
            problems.add("anonymous: write it as an [anonymous] table");
        }
        unique(tokens, problems);
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return new Contents(tokens, anonymous);
    }

    private static Token token(int i, Map<?, ?> m, List<String> problems) {
        Object name = m.get("name");
        String where = "token #" + i + (name instanceof String s ? " (" + s + ")" : "");
        if (!(name instanceof String s) || s.isBlank()) {
            problems.add(where + ": name: required, a non-empty string");
            return null;
        }
        byte[] digest = null;
        Object secret = m.get("secret");
        Object sha = m.get("secret_sha256");
        Object subject = m.get("client_cert_subject");
        if (secret != null && sha != null) {
            problems.add(where + ": give secret or secret_sha256, not both");
        } else if (secret != null) {
            if (!(secret instanceof String sec) || sec.length() < MIN_SECRET_CHARS) {
                problems.add(where + ": secret: must be a string of at least " + MIN_SECRET_CHARS + " characters");
            } else {
                digest = sha256(sec);
            }
        } else if (sha != null) {
            if (sha instanceof String h && h.matches("[0-9a-fA-F]{64}")) {
                digest = HexFormat.of().parseHex(h);
                if (MessageDigest.isEqual(digest, sha256(""))) {
                    problems.add(where + ": secret_sha256: is the hash of an empty secret");
                    digest = null;
                }
            } else {
                problems.add(where + ": secret_sha256: must be 64 hexadecimal digits (sha256sum of the secret)");
            }
        } else if (subject == null) {
            problems.add(where + ": give secret, secret_sha256 or client_cert_subject");
        }
        String canonical = null;
        if (subject != null) {
            try {
                canonical = subject((String) subject);
            } catch (ClassCastException | IllegalArgumentException e) {
                problems.add(where + ": client_cert_subject: not an X.500 name like \"CN=agent-1,O=Example\"");
            }
        }
        return entry(where, s, m, TOKEN_KEYS, digest, canonical, problems);
    }

    private static Token entry(String where, String name, Map<?, ?> m, Set<String> known, byte[] digest,
                               String certSubject, List<String> problems) {
        int before = problems.size();
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                problems.add(where + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Object s = m.get("scopes");
        if (!(s instanceof List<?> l) || l.isEmpty()) {
            problems.add(where + ": scopes: required, a list of \"read\", \"write\" and \"admin\"");
        } else {
            for (Object o : l) {
                Scope sc = o instanceof String str ? Scope.grantable(str) : null;
                if (sc == null) {
                    problems.add(where + ": scopes: '" + o + "' is not one of read, write, admin");
                } else {
                    scopes.add(sc);
                }
            }
        }
        Map<String, String> tenant = tenantTags(where, m.get("tenant_tags"), problems);
        double samples = rate(where, "samples_per_second", m.get("samples_per_second"), problems);
        double requests = rate(where, "requests_per_second", m.get("requests_per_second"), problems);
        if (problems.size() > before) {
            return null;
        }
        return new Token(name, digest, certSubject, scopes, tenant, samples, requests);
    }

    private static Map<String, String> tenantTags(String where, Object v, List<String> problems) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (v == null) {
            return tags;
        }
        if (!(v instanceof Map<?, ?> m)) {
            problems.add(where + ": tenant_tags: must be a table such as { tenant = \"a\" }");
            return tags;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof String val) || k.isEmpty() || val.isEmpty()
                    || k.indexOf('\0') >= 0 || val.indexOf('\0') >= 0 || k.length() > 256 || val.length() > 1024) {
                problems.add(where + ": tenant_tags." + k + ": must be a non-empty string (at most 1024 characters)");
            } else {
                tags.put(k, val);
            }
        }
        try {
            SeriesScope.of(tags);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": tenant_tags: " + e.getMessage());
        }
        return tags;
    }

    private static double rate(String where, String key, Object v, List<String> problems) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        problems.add(where + ": " + key + ": must be a positive number");
        return 0;
    }

    private static void unique(List<Token> tokens, List<String> problems) {
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        Set<String> subjects = new HashSet<>();
        for (Token t : tokens) {
            if (!names.add(t.name())) {
                problems.add("token " + t.name() + ": the name is used twice");
            }
            if (t.sha256() != null && !digests.add(HexFormat.of().formatHex(t.sha256()))) {
                problems.add("token " + t.name() + ": the same secret as another token");
            }
            if (t.certSubject() != null && !subjects.add(t.certSubject())) {
                problems.add("token " + t.name() + ": client_cert_subject is used by another token");
            }
        }
    }

    /** A subject in the one form comparisons use (RFC 2253, canonical: case and spacing folded). */
    public static String subject(String x500) {
        return new X500Principal(x500).getName(X500Principal.CANONICAL);
    }

    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
