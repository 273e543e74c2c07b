package io.sluice.server.auth;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The principals of one version of the token file. A presented secret is hashed and compared
 * with every token's SHA-256 by {@link MessageDigest#isEqual} (constant time for equal lengths),
 * all of them every time, so neither the comparison nor the loop tells how close a guess came.
 */
public final class Tokens {
    private final List<Token> entries;
    private final byte[][] digests;
    private final Principal[] bySecret;
    private final Map<String, Principal> byName = new HashMap<>();
    private final Map<String, Principal> byCertSubject = new HashMap<>();
    private final Principal anonymous;
    private final Token anonymousEntry;

    /**
     * @param previous the version before (its rate limits carry over for tokens whose limits did
     *                 not change), or null
     */
    public Tokens(TokenFile.Contents contents, Tokens previous) {
        this.entries = contents.tokens();
        List<byte[]> d = new ArrayList<>();
        List<Principal> p = new ArrayList<>();
        for (Token t : entries) {
            Principal before = previous == null ? null : previous.byName.get(t.name());
            Token beforeEntry = previous == null ? null : previous.entry(t.name());
            Principal principal = Principal.of(t, t.sha256() != null ? Principal.Kind.TOKEN : Principal.Kind.CERTIFICATE,
                    before, beforeEntry);
            byName.put(t.name(), principal);
            if (t.sha256() != null) {
                d.add(t.sha256());
                p.add(principal);
            }
            if (t.certSubject() != null) {
                byCertSubject.put(t.certSubject(), principal);
            }
        }
        this.digests = d.toArray(new byte[0][]);
        this.bySecret = p.toArray(new Principal[0]);
        this.anonymousEntry = contents.anonymous();
        this.anonymous = anonymousEntry == null ? null : Principal.of(anonymousEntry, Principal.Kind.ANONYMOUS,
                previous == null ? null : previous.anonymous, previous == null ? null : previous.anonymousEntry);
    }

    /** The principal whose secret this is, or null. */
    public Principal bySecret(String secret) {
        byte[] presented = TokenFile.sha256(secret);
        Principal found = null;
        for (int i = 0; i < digests.length; i++) {
            if (MessageDigest.isEqual(presented, digests[i])) {
                found = bySecret[i];
            }
        }
        return found;
    }

    /** The principal a client certificate with this canonical subject stands for, or null. */
    public Principal byCertSubject(String canonicalSubject) {
        return byCertSubject.get(canonicalSubject);
    }

    /** What requests without credentials may do, or null when they may do nothing. */
    public Principal anonymous() {
        return anonymous;
    }

    public List<Token> entries() {
        return entries;
    }

    public Token anonymousEntry() {
        return anonymousEntry;
    }

    private Token entry(String name) {
        for (Token t : entries) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
