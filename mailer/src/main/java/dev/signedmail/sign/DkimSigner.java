package dev.signedmail.sign;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Adds a DKIM-Signature (RFC 6376, relaxed/relaxed; rsa-sha256 or RFC 8463 ed25519-sha256 by
 * the key) to a finished message.
 *
 * <p>From, Subject and List-Unsubscribe are oversigned (listed once more in h= than they occur), so
 * nobody can add a second one that some client would show instead. An {@code x=} expiry limits
 * how long a copy of a message can be replayed with a passing DKIM signature; the S/MIME
 * signature, not DKIM, is what proves a release later.
 *
 * <p>Our own rather than Simple Java Mail's DKIM support, because that one cannot put
 * List-Unsubscribe-Post into h= (which Gmail and Yahoo require for one-click unsubscribe), cannot
 * oversign From, takes the key only as bytes (so no HSM later) and re-parses and re-serialises the
 * whole message, which would break our S/MIME signature. This class works on the final bytes and
 * changes nothing but prepending one header.
 *
 * <p>Thread-safe: all state is immutable; digests and {@link java.security.Signature}s are created per call.
 */
public final class DkimSigner {
    /** What we sign when present, in this order; {@link #OVERSIGNED} ones also when absent. */
    public static final List<String> DEFAULT_HEADERS = List.of(
            "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
            "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post");

    /** Listed once more than they occur (RFC 6376 §8.15): none can be added after signing. */
    public static final List<String> OVERSIGNED = List.of("from", "subject", "list-unsubscribe");

    private static final int MAX_LINE = 78;
    private static final java.util.regex.Pattern WSP_RUN = java.util.regex.Pattern.compile("[ \t]+");
    private static final byte[] CRLF = {'\r', '\n'};

    private final DkimKey key;
    private final List<String> headerNames;
    private final Duration expiry;

    /**
     * @param headerNames header names to sign when present (each instance is signed); must include
     *     From, which is listed once more than it occurs so that no From can be added later.
     */
    public DkimSigner(DkimKey key, List<String> headerNames) {
        this(key, headerNames, null);
    }

    /**
     * @param expiry how long after t= the signature stays valid (the x= tag); null or zero for no x=
     */
    public DkimSigner(DkimKey key, List<String> headerNames, Duration expiry) {
        this.key = key;
        if (expiry != null && expiry.isNegative()) {
            throw new IllegalArgumentException("negative DKIM expiry");
        }
        this.expiry = expiry == null || expiry.isZero() ? null : expiry;
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (String n : headerNames) {
            if (n == null || n.isEmpty() || !n.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw new IllegalArgumentException("not a header name: " + n);
            }
            names.add(n.toLowerCase(Locale.ROOT));
        }
        if (!names.contains("from")) {
            throw new IllegalArgumentException("DKIM must sign From (RFC 6376 §5.4)");
        }
        this.headerNames = List.copyOf(names);
    }

    public DkimSigner(DkimKey key) {
        this(key, DEFAULT_HEADERS);
    }

    public DkimSigner(DkimKey key, Duration expiry) {
        this(key, DEFAULT_HEADERS, expiry);
    }

    public DkimKey key() {
        return key;
    }

    /**
     * Returns {@code message} with a DKIM-Signature header prepended, all other bytes unchanged.
     *
     * @param message a complete message with CRLF line endings, as it will be sent
     * @param when the t= timestamp
     */
    public byte[] sign(byte[] message, Instant when) {
        return sign(message, when, null);
    }

    /**
     * As {@link #sign(byte[], Instant)}, with the body hash already known ({@link #relaxedBodyHash}):
     * a body shared by many messages, or signed by several keys, is canonicalised and hashed once.
     *
     * @param bodyHash the SHA-256 of the relaxed-canonical body of {@code message}, or null to compute it
     */
    public byte[] sign(byte[] message, Instant when, byte[] bodyHash) {
        Parsed p = Parsed.of(message, bodyHash);
        // h=: each present name as often as it occurs, oversigned ones once more (RFC 6376 §5.4.2, §8.15).
        List<String> h = new ArrayList<>();
        for (String name : headerNames) {
            int count = p.count(name);
            int times = OVERSIGNED.contains(name) ? count + 1 : count;
            for (int i = 0; i < times; i++) {
                h.add(name);
            }
        }
        List<Map.Entry<String, String>> tags = new ArrayList<>(List.of(
                Map.entry("v", "1"),
                Map.entry("a", key.algorithm().tag()),
                Map.entry("c", "relaxed/relaxed"),
                Map.entry("d", key.domain()),
                Map.entry("s", key.selector()),
                Map.entry("t", Long.toString(when.getEpochSecond()))));
        if (expiry != null) {
            tags.add(Map.entry("x", Long.toString(when.getEpochSecond() + expiry.toSeconds())));
        }
        tags.add(Map.entry("h", String.join(":", h)));
        return prepend(signatureHeader(p, tags), message);
    }

    /**
     * Signs with exactly the given tags (in order, before bh= and b=); h= is taken as given, names
     * separated by ':' with optional spaces. Package-private so known-answer tests can reproduce a
     * published signature; production code goes through {@link #sign(byte[], Instant)}.
     */
    byte[] signWithTags(byte[] message, List<Map.Entry<String, String>> tags) {
        return prepend(signatureHeader(Parsed.of(message, null), tags), message);
    }

    private String signatureHeader(Parsed p, List<Map.Entry<String, String>> tags) {
        String bh = Base64.getEncoder().encodeToString(p.bodyHash);
        Folder f = new Folder("DKIM-Signature:");
        List<String> h = null;
        for (Map.Entry<String, String> t : tags) {
            String name = t.getKey();
            String value = t.getValue();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf(';') >= 0) {
                throw new IllegalArgumentException("bad DKIM tag value for " + name + ": " + value);
            }
            if (name.equals("h")) {
                h = new ArrayList<>();
                for (String n : value.split(":")) {
                    h.add(n.trim().toLowerCase(Locale.ROOT));
                }
                // fold points after each ':' (FWS is allowed there, RFC 6376 §3.5)
                String[] parts = value.split("(?<=:)");
                parts[parts.length - 1] += ";";
                f.atomsSplitOnSpace("h=" + parts[0], true);
                for (int i = 1; i < parts.length; i++) {
                    f.atomsSplitOnSpace(parts[i], false);
                }
            } else {
                f.atomsSplitOnSpace(name + "=" + value + ";", true);
            }
        }
        if (h == null) {
            throw new IllegalArgumentException("no h= tag");
        }
        f.atom("bh=" + bh + ";", true);
        f.newLine();
        f.append("b=");
        String unsigned = f.text();

        ByteArrayOutputStream input = new ByteArrayOutputStream();
        Map<String, Integer> used = new HashMap<>();
        for (String name : h) {
            int u = used.merge(name, 1, Integer::sum);
            String raw = p.instanceFromBottom(name, u - 1);
            if (raw != null) { // a name listed more often than it occurs signs "nothing" (oversigning)
                input.writeBytes(relaxedHeader(raw).getBytes(StandardCharsets.ISO_8859_1));
                input.writeBytes(CRLF);
            }
        }
        input.writeBytes(relaxedHeader(unsigned).getBytes(StandardCharsets.ISO_8859_1));
        byte[] sig;
        try {
            sig = key.algorithm().sign(key.privateKey(), input.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DKIM signing with " + key + " failed", e);
        }
        String b = Base64.getEncoder().encodeToString(sig);
        StringBuilder out = new StringBuilder(unsigned);
        int col = f.column();
        for (int i = 0; i < b.length(); ) {
            int room = MAX_LINE - col;
            if (room <= 0) {
                out.append("\r\n ");
                col = 1;
                continue;
            }
            int n = Math.min(room, b.length() - i);
            out.append(b, i, i + n);
            col += n;
            i += n;
        }
        out.append("\r\n");
        return out.toString();
    }

    private static byte[] prepend(String header, byte[] message) {
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + message.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(message, 0, out, h.length, message.length);
        return out;
    }

    /** RFC 6376 §3.4.2: lowercase name, unfold, WSP runs to one SP, trim, no WSP around the colon. */
    static String relaxedHeader(String raw) {
        int colon = raw.indexOf(':');
        String name = trimWsp(raw.substring(0, colon)).toLowerCase(Locale.ROOT);
        String value = trimWsp(WSP_RUN.matcher(raw.substring(colon + 1).replace("\r\n", "")).replaceAll(" "));
        return name + ":" + value;
    }

    /** Trims only SP and HT: String.strip() would also eat control characters, which DKIM keeps. */
    private static String trimWsp(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
            b++;
        }
        while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
            e--;
        }
        return s.substring(b, e);
    }

    /** RFC 6376 §3.4.4, as bytes (for tests and small inputs). */
    static byte[] relaxedBody(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        relaxedBody(body, 0, body.length, out::write);
        return out.toByteArray();
    }

    /**
     * The bh= value: SHA-256 of the relaxed-canonical body {@code message[from..message.length)}.
     * Public so that a body shared by many messages is hashed once ({@link #sign(byte[], Instant, byte[])}).
     */
    public static byte[] relaxedBodyHash(byte[] message, int from) {
        MessageDigest sha = sha256();
        relaxedBody(message, from, message.length, sha::update);
        return sha.digest();
    }

    private interface Sink {
        void write(byte[] b, int off, int len);
    }

    /**
     * RFC 6376 §3.4.4 in one pass without copying lines: runs of SP/HT become one SP, SP/HT at a
     * line end is dropped, empty lines at the end are dropped, a non-empty body ends in CRLF.
     */
    private static void relaxedBody(byte[] b, int from, int to, Sink sink) {
        byte[] chunk = new byte[8192];
        int n = 0;
        int pendingEmptyLines = 0;
        boolean inWsp = false;
        boolean lineHasContent = false;
        int i = from;
        while (i < to) {
            byte c = b[i];
            boolean lineEnd = c == '\r' && i + 1 < to && b[i + 1] == '\n';
            if (lineEnd || (c != ' ' && c != '\t')) {
                if (n > chunk.length - 8) {
                    sink.write(chunk, 0, n);
                    n = 0;
                }
            }
            if (lineEnd) {
                if (lineHasContent) {
                    chunk[n++] = '\r';
                    chunk[n++] = '\n';
                } else {
                    pendingEmptyLines++;
                }
                inWsp = false; // trailing WSP is dropped by never writing it
                lineHasContent = false;
                i += 2;
                continue;
            }
            if (c == ' ' || c == '\t') {
                inWsp = true;
            } else {
                if (!lineHasContent) {
                    for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                        if (n > chunk.length - 8) {
                            sink.write(chunk, 0, n);
                            n = 0;
                        }
                        chunk[n++] = '\r';
                        chunk[n++] = '\n';
                    }
                    lineHasContent = true;
                }
                if (inWsp) {
                    chunk[n++] = ' ';
                    inWsp = false;
                }
                chunk[n++] = c;
            }
            i++;
        }
        if (lineHasContent) { // the last line had no CRLF: canonical form ends every non-empty line with one
            chunk[n++] = '\r';
            chunk[n++] = '\n';
        }
        if (n > 0) {
            sink.write(chunk, 0, n);
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    /** Header block split into fields (raw text, folding kept) and the body's hash. */
    private record Parsed(List<String> fields, byte[] bodyHash) {
        static Parsed of(byte[] message, byte[] knownBodyHash) {
            List<String> fields = new ArrayList<>();
            int i = 0;
            StringBuilder current = null;
            while (true) {
                int end = indexOfCrlf(message, i);
                if (end < 0) {
                    throw new IllegalArgumentException("message has no CRLF-terminated header block");
                }
                for (int k = i; k < end; k++) {
                    if (message[k] == '\n' || message[k] == '\r') {
                        throw new IllegalArgumentException("bare CR or LF in header block at byte " + k);
                    }
                }
                String line = new String(message, i, end - i, StandardCharsets.ISO_8859_1);
                i = end + 2;
                if (line.isEmpty()) {
                    break;
                }
                if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    if (current == null) {
                        throw new IllegalArgumentException("message starts with a continuation line");
                    }
                    current.append("\r\n").append(line);
                } else {
                    if (line.indexOf(':') < 0) {
                        throw new IllegalArgumentException("header line without a colon: " + line);
                    }
                    if (current != null) {
                        fields.add(current.toString());
                    }
                    current = new StringBuilder(line);
                }
            }
            if (current != null) {
                fields.add(current.toString());
            }
            return new Parsed(fields, knownBodyHash != null ? knownBodyHash : relaxedBodyHash(message, i));
        }

        private static String nameOf(String field) {
            return trimWsp(field.substring(0, field.indexOf(':'))).toLowerCase(Locale.ROOT);
        }

        int count(String lowerName) {
            int n = 0;
            for (String f : fields) {
                if (nameOf(f).equals(lowerName)) {
                    n++;
                }
            }
            return n;
        }

        /** The {@code index}-th instance of the header counted from the bottom, or null. */
        String instanceFromBottom(String lowerName, int index) {
            int seen = 0;
            for (int k = fields.size() - 1; k >= 0; k--) {
                if (nameOf(fields.get(k)).equals(lowerName)) {
                    if (seen == index) {
                        return fields.get(k);
                    }
                    seen++;
                }
            }
            return null;
        }
    }

    /** Greedy folding of a header into lines of at most 78 characters (plus CRLF). */
    private static final class Folder {
        private final StringBuilder sb;
        private int column;

        Folder(String start) {
            sb = new StringBuilder(start);
            column = start.length();
        }

        void atomsSplitOnSpace(String text, boolean spaceBefore) {
            String[] words = text.split(" ");
            for (int i = 0; i < words.length; i++) {
                if (!words[i].isEmpty()) {
                    atom(words[i], spaceBefore || i > 0);
                }
            }
        }

        void atom(String atom, boolean spaceBefore) {
            int need = (spaceBefore ? 1 : 0) + atom.length();
            if (column + need > MAX_LINE && column > 1) {
                newLine();
                sb.append(atom);
                column += atom.length();
            } else {
                if (spaceBefore) {
                    sb.append(' ');
                }
                sb.append(atom);
                column += need;
            }
        }

        void append(String s) {
            sb.append(s);
            column += s.length();
        }

        void newLine() {
            sb.append("\r\n ");
            column = 1;
        }

        int column() {
            return column;
        }

        String text() {
            return sb.toString();
        }
    }
}
