package dev.signedmail.verify;

import dev.signedmail.verify.DkimResult.Status;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies every DKIM-Signature of a message (RFC 6376), in header order, on plain JCA.
 *
 * <p>Policy: RFC 8301 (rsa-sha1 is never valid: {@code fail}; RSA keys under 1024 bits:
 * {@code permerror}), RFC 8463 ed25519-sha256 (the DNS p= is the raw 32-byte key; the signature is
 * PureEdDSA over the SHA-256 of the header data). x= before the verification time and t= more than
 * {@link #CLOCK_SKEW_SECONDS} after it are {@code permerror}. A message with LF-only line ends is
 * checked as if it had CRLF, which is what it had on the wire.
 *
 * <p>Independent of our signer on purpose (see {@link DkimCanonicalizer}). Thread-safe; never throws.
 */
public final class DkimVerifier {
    /**
     * How far t= may lie after the verification time before the signature is refused. RFC 6376
     * §3.5 lets verifiers ignore signatures from the future, but senders with a wrong time zone are
     * common (real facebookmail.com mail in the corpus is 5 hours ahead), so up to a day only earns
     * a note in the reason.
     */
    public static final long CLOCK_SKEW_SECONDS = 86_400;

    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final KeyRecords keys;
    private final Instant at;

    /**
     * @param keys where public keys are looked up
     * @param at the verification time (for x= and t=)
     */
    public DkimVerifier(KeyRecords keys, Instant at) {
        this.keys = keys;
        this.at = at;
    }

    /** One result per DKIM-Signature header, top to bottom; empty when there is none. */
    public List<DkimResult> verify(byte[] message) {
        RawMessage m;
        try {
            m = RawMessage.parse(RawMessage.toCrlf(message));
        } catch (RuntimeException e) {
            return List.of();
        }
        List<DkimResult> out = new ArrayList<>();
        for (RawMessage.Field f : m.fields()) {
            if (f.name().equalsIgnoreCase("DKIM-Signature")) {
                DkimResult r;
                try {
                    r = verifyOne(m, f);
                } catch (RuntimeException e) {
                    r = new DkimResult(null, null, null, Status.PERMERROR, "cannot process the signature: " + e);
                }
                out.add(r);
            }
        }
        return out;
    }

    /** Thrown inside to end the check of one signature with a result. */
    private static final class Outcome extends Exception {
        final Status status;

        Outcome(Status status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    private DkimResult verifyOne(RawMessage m, RawMessage.Field sigField) {
        Map<String, String> tags;
        try {
            tags = tagList(sigField.raw().substring(sigField.raw().indexOf(':') + 1));
        } catch (Outcome o) {
            return new DkimResult(null, null, null, o.status, o.getMessage());
        }
        String d = tags.get("d");
        String s = tags.get("s");
        String a = tags.get("a");
        try {
            check(m, sigField, tags);
            String note = "";
            Long t = number(tags, "t");
            if (t != null && t > at.getEpochSecond() + 300) {
                note += " (t= lies " + (t - at.getEpochSecond()) / 60 + " minutes after the verification time: the signer's clock is wrong)";
            }
            if (tags.containsKey("l")) {
                note += " (but l= covers only the first " + tags.get("l") + " bytes of the body: more may have been appended)";
            }
            return new DkimResult(d, s, a, Status.PASS, "signature and body hash verify" + note);
        } catch (Outcome o) {
            return new DkimResult(d, s, a, o.status, o.getMessage());
        }
    }

    private void check(RawMessage m, RawMessage.Field sigField, Map<String, String> tags) throws Outcome {
        for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!tags.containsKey(required)) {
                throw new Outcome(Status.PERMERROR, "the signature has no " + required + "= tag");
            }
        }
        if (!tags.get("v").equals("1")) {
            throw new Outcome(Status.PERMERROR, "unknown signature version v=" + tags.get("v"));
        }
        String a = tags.get("a").toLowerCase(Locale.ROOT);
        String keyType;
        switch (a) {
            case "rsa-sha256" -> keyType = "rsa";
            case "ed25519-sha256" -> keyType = "ed25519";
            case "rsa-sha1" -> throw new Outcome(Status.FAIL, "rsa-sha1 signatures are not accepted any more (RFC 8301)");
            default -> throw new Outcome(Status.PERMERROR, "unknown signing algorithm a=" + tags.get("a"));
        }
        String d = tags.get("d").toLowerCase(Locale.ROOT);
        if (d.isEmpty() || tags.get("s").isEmpty()) {
            throw new Outcome(Status.PERMERROR, "empty d= or s= tag");
        }
        String i = tags.getOrDefault("i", "@" + d);
        int atSign = i.lastIndexOf('@');
        if (atSign < 0) {
            throw new Outcome(Status.PERMERROR, "i= is not an identity (no @): " + i);
        }
        String iDomain = i.substring(atSign + 1).toLowerCase(Locale.ROOT);
        if (!(iDomain.equals(d) || iDomain.endsWith("." + d))) {
            throw new Outcome(Status.PERMERROR, "i= domain " + iDomain + " is not within d=" + d);
        }
        if (tags.containsKey("q") && Arrays.stream(tags.get("q").split(":")).map(String::strip).noneMatch("dns/txt"::equalsIgnoreCase)) {
            throw new Outcome(Status.PERMERROR, "unknown key query method q=" + tags.get("q"));
        }
        String c = tags.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT);
        String[] cs = c.split("/", -1);
        if (cs.length > 2 || !List.of("simple", "relaxed").contains(cs[0]) || (cs.length == 2 && !List.of("simple", "relaxed").contains(cs[1]))) {
            throw new Outcome(Status.PERMERROR, "unknown canonicalisation c=" + tags.get("c"));
        }
        boolean relaxedHeaders = cs[0].equals("relaxed");
        boolean relaxedBody = cs.length == 2 && cs[1].equals("relaxed");
        List<String> h = new ArrayList<>();
        for (String n : tags.get("h").split(":", -1)) {
            String name = n.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new Outcome(Status.PERMERROR, "empty header name in h=");
            }
            h.add(name);
        }
        if (!h.contains("from")) {
            throw new Outcome(Status.PERMERROR, "h= does not include From (RFC 6376 §5.4)");
        }
        Long t = number(tags, "t");
        Long x = number(tags, "x");
        Long l = number(tags, "l");
        if (t != null && x != null && x < t) {
            throw new Outcome(Status.PERMERROR, "x= (expiry) is before t= (signing time)");
        }
        if (x != null && at.getEpochSecond() > x) {
            throw new Outcome(Status.PERMERROR, "the signature expired at " + Instant.ofEpochSecond(x) + " (x=), before " + at);
        }
        if (t != null && t > at.getEpochSecond() + CLOCK_SKEW_SECONDS) {
            throw new Outcome(Status.PERMERROR, "the signature claims to be made at " + Instant.ofEpochSecond(t)
                    + " (t=), after the verification time " + at);
        }
        byte[] bh = base64(tags.get("bh"), "bh");
        byte[] b = base64(tags.get("b"), "b");

        // The key (RFC 6376 §3.6.2, §6.1.2).
        String name = tags.get("s") + "._domainkey." + d;
        List<String> records;
        try {
            records = keys.txt(name);
        } catch (KeyRecords.TemporaryFailure e) {
            throw new Outcome(Status.TEMPERROR, "cannot look up the key " + name + " now: " + e.getMessage());
        }
        if (records.isEmpty()) {
            throw new Outcome(Status.PERMERROR, "no key published at " + name);
        }
        Outcome firstProblem = null;
        PublicKey key = null;
        for (String record : records) {
            try {
                key = publicKey(record, keyType, a, i, d, name);
                break;
            } catch (Outcome o) {
                if (firstProblem == null) {
                    firstProblem = o;
                }
            }
        }
        if (key == null) {
            throw firstProblem;
        }

        // Body hash (§3.7).
        byte[] body = DkimCanonicalizer.body(m.body(), relaxedBody);
        if (l != null) {
            if (l > body.length) {
                throw new Outcome(Status.FAIL, "the body is shorter (" + body.length + " bytes) than l=" + l + ": it was cut after signing");
            }
            body = Arrays.copyOf(body, l.intValue());
        }
        byte[] bodyHash = sha256(body);
        if (!MessageDigest.isEqual(bodyHash, bh)) {
            throw new Outcome(Status.FAIL, "body hash mismatch: the content was changed after signing");
        }

        // Header hash (§3.7, §5.4.2): each h= name takes the next instance from the bottom.
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, Integer> used = new HashMap<>();
        for (String hn : h) {
            int n = used.merge(hn, 1, Integer::sum);
            RawMessage.Field f = fromBottom(m, hn, n - 1, sigField);
            if (f != null) {
                data.writeBytes(DkimCanonicalizer.ascii(DkimCanonicalizer.header(f.raw(), relaxedHeaders)));
            }
        }
        String self = DkimCanonicalizer.header(withoutSignatureValue(sigField.raw()), relaxedHeaders);
        data.writeBytes(DkimCanonicalizer.ascii(self.substring(0, self.length() - 2)));
        boolean ok;
        try {
            if (keyType.equals("rsa")) {
                Signature sig = Signature.getInstance("SHA256withRSA");
                sig.initVerify(key);
                sig.update(data.toByteArray());
                ok = sig.verify(b);
            } else {
                Signature sig = Signature.getInstance("Ed25519");
                sig.initVerify(key);
                sig.update(sha256(data.toByteArray()));
                ok = b.length == 64 && sig.verify(b);
            }
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new Outcome(Status.FAIL, "signature mismatch: a signed header (" + String.join(", ", distinct(h))
                    + ") was changed after signing, or the key does not match");
        }
    }

    private static List<String> distinct(List<String> names) {
        return names.stream().distinct().toList();
    }

    /** The {@code index}-th field called {@code name} counted from the bottom; the signature itself never counts. */
    private static RawMessage.Field fromBottom(RawMessage m, String name, int index, RawMessage.Field self) {
        int seen = 0;
        List<RawMessage.Field> fields = m.fields();
        for (int k = fields.size() - 1; k >= 0; k--) {
            RawMessage.Field f = fields.get(k);
            if (f == self || !f.name().equalsIgnoreCase(name)) {
                continue;
            }
            if (seen == index) {
                return f;
            }
            seen++;
        }
        return null;
    }

    /** The field with the value of its b= tag removed (everything else, including folding, kept). */
    static String withoutSignatureValue(String raw) {
        int colon = raw.indexOf(':');
        StringBuilder out = new StringBuilder(raw.substring(0, colon + 1));
        String value = raw.substring(colon + 1);
        String[] parts = value.split(";", -1);
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p];
            int eq = part.indexOf('=');
            if (eq >= 0 && part.substring(0, eq).replaceAll("[ \t\r\n]", "").equals("b")) {
                part = part.substring(0, eq + 1);
            }
            out.append(part);
            if (p + 1 < parts.length) {
                out.append(';');
            }
        }
        return out.toString();
    }

    private PublicKey publicKey(String record, String keyType, String a, String i, String d, String name) throws Outcome {
        Map<String, String> k = tagList(record);
        if (k.containsKey("v") && !k.get("v").equals("DKIM1")) {
            throw new Outcome(Status.PERMERROR, "the key record at " + name + " has v=" + k.get("v") + ", not DKIM1");
        }
        String kt = k.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
        if (!kt.equals(keyType)) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " is k=" + kt + " but the signature is a=" + a);
        }
        if (k.containsKey("h") && Arrays.stream(k.get("h").split(":")).map(String::strip).noneMatch("sha256"::equalsIgnoreCase)) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " does not allow sha256 (h=" + k.get("h") + ")");
        }
        if (k.containsKey("s") && Arrays.stream(k.get("s").split(":")).map(String::strip).noneMatch(v -> v.equals("*") || v.equalsIgnoreCase("email"))) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " is not for e-mail (s=" + k.get("s") + ")");
        }
        if (k.containsKey("t") && Arrays.stream(k.get("t").split(":")).map(String::strip).anyMatch("s"::equalsIgnoreCase)) {
            String iDomain = i.substring(i.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (!iDomain.equals(d)) {
                throw new Outcome(Status.PERMERROR, "the key at " + name + " has t=s but i= is a subdomain of d=");
            }
        }
        String p = k.get("p");
        if (p == null) {
            throw new Outcome(Status.PERMERROR, "the key record at " + name + " has no p= tag");
        }
        if (p.isEmpty()) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " has been revoked (empty p=)");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " is not valid base64");
        }
        try {
            if (keyType.equals("ed25519")) {
                if (der.length != 32) {
                    throw new Outcome(Status.PERMERROR, "the ed25519 key at " + name + " is " + der.length + " bytes, not 32");
                }
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(der, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            PublicKey key;
            try {
                key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Some publish the bare PKCS#1 RSAPublicKey, as RFC 6376 §3.6.1 literally says.
                org.bouncycastle.asn1.pkcs.RSAPublicKey pk = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der);
                key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(pk.getModulus(), pk.getPublicExponent()));
            }
            BigInteger modulus = ((RSAPublicKey) key).getModulus();
            if (modulus.bitLength() < 1024) {
                throw new Outcome(Status.PERMERROR, "the RSA key at " + name + " has only " + modulus.bitLength()
                        + " bits; keys under 1024 bits are not accepted (RFC 8301)");
            }
            return key;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new Outcome(Status.PERMERROR, "the key at " + name + " cannot be decoded (defective public key)");
        }
    }

    /** RFC 6376 §3.2 tag=value list; FWS around names and values dropped, inside values removed for b/bh/p. */
    static Map<String, String> tagList(String text) throws Outcome {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : text.split(";", -1)) {
            String p = part.replace("\r\n", "").strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new Outcome(Status.PERMERROR, "malformed tag list (\"" + shorten(p) + "\" has no name=value)");
            }
            String name = p.substring(0, eq).strip();
            String value = p.substring(eq + 1).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new Outcome(Status.PERMERROR, "malformed tag name \"" + shorten(name) + "\"");
            }
            if (name.equals("b") || name.equals("bh") || name.equals("p") || name.equals("h")) {
                value = value.replaceAll("[ \t]+", "");
            }
            if (tags.putIfAbsent(name, value) != null) {
                throw new Outcome(Status.PERMERROR, "tag " + name + "= appears twice");
            }
        }
        return tags;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static Long number(Map<String, String> tags, String name) throws Outcome {
        String v = tags.get(name);
        if (v == null) {
            return null;
        }
        if (!v.matches("[0-9]{1,15}")) {
            throw new Outcome(Status.PERMERROR, name + "= is not a number: " + shorten(v));
        }
        return Long.parseLong(v);
    }

    private static byte[] base64(String v, String name) throws Outcome {
        try {
            return Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new Outcome(Status.PERMERROR, name + "= is not valid base64");
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
