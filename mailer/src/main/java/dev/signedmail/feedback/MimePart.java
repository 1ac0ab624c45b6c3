package dev.signedmail.feedback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MIME entity of a bounce, parsed leniently and with bounded work: multipart bodies are split on
 * their boundary, {@code message/rfc822} bodies are parsed as messages whose parts are marked
 * {@link #embedded()} (they are the returned original, not the report), base64 and quoted-printable
 * are decoded and text is turned into a String with the declared charset (replacement characters on
 * errors, ISO-8859-1 when the charset is unknown).
 *
 * <p>The raw message is held as an ISO-8859-1 String, so every byte maps to one char and nothing is
 * lost before the charset of each part is known.
 */
final class MimePart {
    static final int MAX_DEPTH = 6;
    static final int MAX_PARTS = 64;

    private static final Pattern HEADER_LINE = Pattern.compile("^[!-9;-~]+:");
    private static final Pattern BLANK_LINE = Pattern.compile("\r?\n\r?\n");
    private static final Pattern NOT_BASE64 = Pattern.compile("[^A-Za-z0-9+/]");

    final Headers headers;
    final String type;
    final boolean embedded;
    final List<MimePart> children = new ArrayList<>();
    private final String rawBody;

    private MimePart(Headers headers, String rawBody, boolean embedded) {
        this.headers = headers;
        String ct = headers.get("content-type");
        this.type = ct.isEmpty() ? "text/plain" : Headers.mediaType(ct);
        this.rawBody = rawBody;
        this.embedded = embedded;
    }

    boolean embedded() {
        return embedded;
    }

    /** Parses a whole message (bytes as ISO-8859-1 chars). */
    static MimePart parseMessage(String latin1) {
        int[] budget = {MAX_PARTS};
        return parse(latin1, 0, false, budget);
    }

    private static MimePart parse(String s, int depth, boolean embedded, int[] budget) {
        budget[0]--;
        int split = headerEnd(s);
        Headers h = split < 0 ? new Headers() : Headers.parse(s.substring(0, split));
        String body = split < 0 ? s : s.substring(Math.min(s.length(), bodyStart(s, split)));
        MimePart part = new MimePart(h, body, embedded);
        if (depth >= MAX_DEPTH || budget[0] <= 0) {
            return part;
        }
        if (part.type.startsWith("multipart/")) {
            String boundary = Headers.param(h.get("content-type"), "boundary");
            if (!boundary.isEmpty()) {
                for (String chunk : splitMultipart(body, boundary)) {
                    if (budget[0] <= 0) {
                        break;
                    }
                    part.children.add(parse(chunk, depth + 1, embedded, budget));
                }
            }
            if (part.children.isEmpty()) {
                // a multipart whose boundary never occurs: read its body as plain text
                return new MimePart(withoutContentType(h), body, embedded);
            }
        } else if (part.type.equals("message/rfc822") || part.type.equals("message/global")
                || part.type.equals("message/partial")) {
            String inner = new String(part.decodedBytes(), StandardCharsets.ISO_8859_1);
            part.children.add(parse(inner, depth + 1, true, budget));
        } else if (part.type.equals("text/rfc822-headers") || part.type.equals("message/rfc822-headers")
                || part.type.equals("message/global-headers")) {
            String inner = new String(part.decodedBytes(), StandardCharsets.ISO_8859_1).strip() + "\n\n";
            part.children.add(parse(inner, depth + 1, true, budget));
        }
        return part;
    }

    private static Headers withoutContentType(Headers h) {
        return Headers.parse("Content-Type: text/plain\n" + "Content-Transfer-Encoding: " + h.get("content-transfer-encoding"));
    }

    /** Index of the blank line ending the header block; -1 when the text does not start with headers. */
    private static int headerEnd(String s) {
        if (s.startsWith("\n") || s.startsWith("\r\n")) {
            return 0;
        }
        int nl = s.indexOf('\n');
        String first = nl < 0 ? s : s.substring(0, nl);
        if (!HEADER_LINE.matcher(first).find() && !first.startsWith("From ")) {
            return -1;
        }
        Matcher m = BLANK_LINE.matcher(s);
        return m.find() ? m.start() : s.length();
    }

    private static int bodyStart(String s, int headerEnd) {
        int i = headerEnd;
        int newlines = 0;
        while (i < s.length() && newlines < 2 && (s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            if (s.charAt(i) == '\n') {
                newlines++;
            }
            i++;
        }
        return i;
    }

    private static List<String> splitMultipart(String body, String boundary) {
        List<String> parts = new ArrayList<>();
        String delim = "--" + boundary;
        int pos = body.startsWith(delim) ? 0 : body.indexOf("\n" + delim);
        if (pos < 0) {
            return parts;
        }
        while (pos >= 0 && parts.size() < MAX_PARTS) {
            int lineEnd = body.indexOf('\n', pos + 1);
            String line = body.substring(body.charAt(pos) == '\n' ? pos + 1 : pos, lineEnd < 0 ? body.length() : lineEnd);
            if (line.startsWith(delim + "--") || lineEnd < 0) {
                break;
            }
            int next = body.indexOf("\n" + delim, lineEnd);
            String chunk = body.substring(lineEnd + 1, next < 0 ? body.length() : next);
            if (chunk.endsWith("\r")) {
                chunk = chunk.substring(0, chunk.length() - 1);
            }
            parts.add(chunk);
            pos = next;
        }
        return parts;
    }

    /** The body after undoing its Content-Transfer-Encoding. */
    byte[] decodedBytes() {
        String cte = headers.get("content-transfer-encoding").toLowerCase(Locale.ROOT).strip();
        byte[] raw = rawBody.getBytes(StandardCharsets.ISO_8859_1);
        try {
            if (cte.startsWith("base64")) {
                String b64 = NOT_BASE64.matcher(rawBody).replaceAll("");
                // a dangling sixth of a byte cannot be decoded; drop it instead of failing the part
                return Base64.getDecoder().decode(b64.substring(0, b64.length() - (b64.length() % 4 == 1 ? 1 : 0)));
            }
            if (cte.startsWith("quoted-printable")) {
                return decodeQuotedPrintable(raw);
            }
        } catch (IllegalArgumentException e) {
            return raw;
        }
        return raw;
    }

    static byte[] decodeQuotedPrintable(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '=' && i + 1 < in.length) {
                if (in[i + 1] == '\n') {
                    i++;
                    continue;
                }
                if (in[i + 1] == '\r' && i + 2 < in.length && in[i + 2] == '\n') {
                    i += 2;
                    continue;
                }
                if (i + 2 < in.length) {
                    int hi = Character.digit(in[i + 1], 16);
                    int lo = Character.digit(in[i + 2], 16);
                    if (hi >= 0 && lo >= 0) {
                        out.write(hi * 16 + lo);
                        i += 2;
                        continue;
                    }
                }
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** The body as text, decoded with its charset (see the class comment). */
    String text() {
        byte[] bytes = decodedBytes();
        String cs = Headers.param(headers.get("content-type"), "charset");
        String text = decode(bytes, cs);
        if (type.equals("text/html")) {
            text = htmlToText(text);
        }
        return text;
    }

    private static final String[] RAW_TEXT_ELEMENTS = {"script", "style"};

    /**
     * The text of an HTML part: script and style elements dropped, the tags that end a line (br, /p,
     * /div, /tr) made newlines, other tags spaces, the common entities decoded. One forward scan: the
     * regular expressions this replaces went over the rest of the part again for every "<" that had
     * no ">" (or "<script" no "</script>") after it, so 200 KB of "<" took minutes.
     */
    static String htmlToText(String html) {
        int n = html.length();
        StringBuilder out = new StringBuilder(n);
        boolean[] unclosed = new boolean[RAW_TEXT_ELEMENTS.length]; // no closing tag after this point
        int i = 0;
        while (i < n) {
            char c = html.charAt(i);
            if (c != '<') {
                out.append(c);
                i++;
                continue;
            }
            int gt = html.indexOf('>', i + 1);
            if (gt < 0) {
                out.append(html, i, n); // no tag closes after here
                break;
            }
            int element = rawTextElementAt(html, i + 1);
            if (element >= 0 && !unclosed[element]) {
                String close = "</" + RAW_TEXT_ELEMENTS[element] + ">";
                int end = indexOfIgnoreAsciiCase(html, close, gt + 1);
                if (end >= 0) {
                    out.append(' ');
                    i = end + close.length();
                    continue;
                }
                unclosed[element] = true; // a later search, from further on, cannot find one either
            }
            out.append(endsLine(html, i + 1, gt) ? '\n' : ' ');
            i = gt + 1;
        }
        return out.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ")
                .replace("&quot;", "\"").replace("&amp;", "&");
    }

    private static int rawTextElementAt(String s, int at) {
        for (int k = 0; k < RAW_TEXT_ELEMENTS.length; k++) {
            if (startsWithIgnoreAsciiCase(s, at, RAW_TEXT_ELEMENTS[k])) {
                return k;
            }
        }
        return -1;
    }

    /** Whether the tag s[from, to) is br (then optional whitespace and "/"), /p, /div or /tr. */
    private static boolean endsLine(String s, int from, int to) {
        for (String closing : new String[] {"/p", "/div", "/tr"}) {
            if (to - from == closing.length() && startsWithIgnoreAsciiCase(s, from, closing)) {
                return true;
            }
        }
        if (!startsWithIgnoreAsciiCase(s, from, "br")) {
            return false;
        }
        int k = from + 2;
        while (k < to && " \t\n\u000B\f\r".indexOf(s.charAt(k)) >= 0) {
            k++;
        }
        return k == to || k == to - 1 && s.charAt(k) == '/';
    }

    private static int indexOfIgnoreAsciiCase(String s, String lowerNeedle, int from) {
        for (int i = Math.max(0, from), last = s.length() - lowerNeedle.length(); i <= last; i++) {
            if (startsWithIgnoreAsciiCase(s, i, lowerNeedle)) {
                return i;
            }
        }
        return -1;
    }

    /** Case-insensitive in ASCII only, as the (?i) of java.util.regex is. */
    private static boolean startsWithIgnoreAsciiCase(String s, int at, String lowerNeedle) {
        if (at < 0 || at + lowerNeedle.length() > s.length()) {
            return false;
        }
        for (int k = 0; k < lowerNeedle.length(); k++) {
            char c = s.charAt(at + k);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerNeedle.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static String decode(byte[] bytes, String charsetName) {
        Charset cs = charset(charsetName);
        if (cs == null) {
            // not UTF-8 after all: told by the decoder's result rather than by an exception, which
            // costs a stack trace on every bounce in a legacy charset
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            CharBuffer out = CharBuffer.allocate(bytes.length);
            if (utf8.decode(ByteBuffer.wrap(bytes), out, true).isError() || utf8.flush(out).isError()) {
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            return out.flip().toString();
        }
        return new String(bytes, cs);
    }

    /** Every charset this JVM has, by canonical name and alias in lower case. */
    private static final Map<String, Charset> CHARSETS = new HashMap<>();

    static {
        for (Charset c : Charset.availableCharsets().values()) {
            CHARSETS.put(c.name().toLowerCase(Locale.ROOT), c);
            for (String alias : c.aliases()) {
                CHARSETS.putIfAbsent(alias.toLowerCase(Locale.ROOT), c);
            }
        }
    }

    /**
     * The charset of that name or alias, or null when this JVM has none. Looked up in a table made
     * once: {@code Charset.forName} asks every CharsetProvider on the class path (a ServiceLoader
     * scan) about each name it does not know, and throws, so a bounce naming an unknown charset in
     * each of its parts cost a scan per part.
     */
    static Charset charset(String name) {
        return name == null || name.isBlank() ? null : CHARSETS.get(name.strip().toLowerCase(Locale.ROOT));
    }

    /** This part and all parts below it, depth first. */
    List<MimePart> flatten() {
        List<MimePart> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(MimePart p, List<MimePart> out) {
        out.add(p);
        for (MimePart c : p.children) {
            collect(c, out);
        }
    }

    boolean isLeaf() {
        return children.isEmpty() && !type.startsWith("multipart/");
    }
}
