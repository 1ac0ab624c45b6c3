package dev.signedmail.sign;

import dev.signedmail.Problem;
import jakarta.mail.Address;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the final, signed bytes of one message. This is THE place that fixes the order of
 * operations, because each signature only survives if nothing after it changes the bytes it covers:
 * <ol>
 *   <li>build the MIME body: multipart/alternative of text/plain and text/html, both UTF-8,
 *       quoted-printable, CRLF (7-bit, so no relay re-encodes it), with RFC 9788 header
 *       protection: the protected header fields copied onto it and {@code hp="clear"} on its
 *       Content-Type, so the S/MIME signature covers them too;</li>
 *   <li>S/MIME-sign those exact bytes (detached CMS) and wrap them with the signature in a
 *       multipart/signed; those bytes are final;</li>
 *   <li>put the top-level headers on (From, To, Subject, Date, Message-ID — byte-identical to the
 *       protected copies — MIME-Version, List-Id, List-Unsubscribe, List-Unsubscribe-Post),
 *       RFC 2047-encoded where non-ASCII; DKIM covers them all;</li>
 *   <li>join headers and body with CRLF line ends; the body bytes from step 2 are copied verbatim;</li>
 *   <li>DKIM-sign those bytes (the body hash once for all DKIM keys). Nothing touches the bytes after this.</li>
 * </ol>
 * The bytes are written directly, not through Jakarta Mail's object model: nothing is serialised,
 * re-parsed and serialised again, so what is hashed is by construction what is sent.
 *
 * <p>Shared-body mode ({@link #sharedBody}, {@link #build(OutgoingMessage, SharedBody)}) does steps
 * 1–2 and the DKIM body hash once for a whole release; per recipient only steps 3–5 run, over the
 * headers. Its body carries nothing per subscriber, so it protects only the header fields that are
 * the same for everyone (From, Subject, Date); To and Message-ID stay outside, covered by DKIM.
 *
 * <p>Header values never contain line breaks: CR, LF and other control characters in the subject
 * and display names become a space (a release title pasted with a newline is a typo, not an
 * attack, but must never start a new header); in structural values (addresses, ids, URLs) they are
 * refused. Thread-safe: built once per run from the two signers, which are thread-safe.
 */
public final class SignedMessageFactory {
    private static final DateTimeFormatter RFC5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final byte[] CRLF = {'\r', '\n'};

    private final SmimeSigner smime;
    private final List<DkimSigner> dkim;
    private final Set<String> certificateAddresses;

    public SignedMessageFactory(SmimeSigner smime, DkimSigner dkim) {
        this(smime, List.of(dkim));
    }

    /**
     * @param dkim one or more DKIM signers, applied in this order (each new signature goes on top,
     *     so the last one is the first a receiver sees); receivers ignore algorithms they do not know
     */
    public SignedMessageFactory(SmimeSigner smime, List<DkimSigner> dkim) {
        if (dkim.isEmpty()) {
            throw new IllegalArgumentException("at least one DKIM signer");
        }
        this.smime = smime;
        this.dkim = List.copyOf(dkim);
        this.certificateAddresses = emailAddresses(smime.key().certificate());
    }

    /**
     * A body S/MIME-signed once for many recipients, with its DKIM body hash: the text and HTML carry
     * nothing per subscriber, and only From, Subject and Date are protected inside it.
     */
    public static final class SharedBody {
        private final String subject;
        /** The From and Subject values as protected inside the body, encoded once. */
        private final String fromField;
        private final String subjectField;
        private final Instant date;
        private final Body body;

        private SharedBody(String subject, String fromField, String subjectField, Instant date, Body body) {
            this.subject = subject;
            this.fromField = fromField;
            this.subjectField = subjectField;
            this.date = date;
            this.body = body;
        }

        /** The Subject of every message built on it (protected inside the signature). */
        public String subject() {
            return subject;
        }

        /** The Date of every message built on it (protected inside the signature). */
        public Instant date() {
            return date;
        }

        /** The signed body's size in bytes, the same in every message built on it. */
        public int size() {
            return body.bytes.length;
        }
    }

    /** The signed MIME entity that follows the top-level headers, and its DKIM body hash. */
    private record Body(String contentType, byte[] bytes, byte[] dkimBodyHash) {
    }

    /** The complete message, CRLF line ends, ready for SMTP DATA exactly as it is. */
    public byte[] build(OutgoingMessage m) {
        Headers h = headers(m);
        require(m.text() != null, "text");
        Body body = signedBody(List.of(h.from, h.to, h.subject, h.date, h.messageId), m.text(), m.html());
        return finish(h, body);
    }

    /** Steps 1–2 and the DKIM body hash, once for every message of a shared-body release. */
    public SharedBody sharedBody(InternetAddress from, String subject, Instant date, String text, String html) {
        require(text != null, "text");
        require(date != null, "date");
        InternetAddress cleanFrom = checkFrom(from);
        String s = subject == null ? "" : subject;
        String[] fromField = fromField(cleanFrom);
        String[] subjectField = subjectField(s);
        Body body = signedBody(List.of(fromField, subjectField, dateField(date)), text, html);
        return new SharedBody(s, fromField[1], subjectField[1], date, body);
    }

    /**
     * Steps 3–5 for one recipient of a shared body: {@code m}'s From, Subject and Date must be the
     * body's (they are protected inside it); its text and html are not used.
     */
    public byte[] build(OutgoingMessage m, SharedBody shared) {
        Headers h = headers(m);
        require(h.from[1].equals(shared.fromField), "from (the shared body's)");
        require(h.subject[1].equals(shared.subjectField), "subject (the shared body's)");
        require(m.date().equals(shared.date), "date (the shared body's)");
        return finish(h, shared.body);
    }

    /** The checked, encoded top-level header values of one message. */
    private record Headers(String[] from, String[] to, String[] subject, String[] date, String[] messageId,
                           String listId, String unsubscribeUrl, String unsubscribeMailto, Instant when) {
    }

    private Headers headers(OutgoingMessage m) {
        InternetAddress from = checkFrom(m.from());
        InternetAddress to = cleanAddress(m.to(), "to");
        require(m.date() != null, "date");
        String messageId = structural(m.messageId(), "messageId");
        require(messageId.contains("@") && !messageId.contains("<") && !messageId.contains(">")
                && !messageId.contains(" "), "messageId (id@domain, no angle brackets)");
        String unsubscribeUrl = structural(m.listUnsubscribeUrl(), "listUnsubscribeUrl");
        require(unsubscribeUrl.startsWith("https://") && noSpaceOrBracket(unsubscribeUrl),
                "listUnsubscribeUrl (an https:// URL)");
        String unsubscribeMailto = m.listUnsubscribeMailto() == null ? null
                : structural(m.listUnsubscribeMailto(), "listUnsubscribeMailto");
        require(unsubscribeMailto == null || (unsubscribeMailto.startsWith("mailto:") && noSpaceOrBracket(unsubscribeMailto)),
                "listUnsubscribeMailto (a mailto: URI)");
        String listId = m.listId() == null ? null : structural(m.listId(), "listId");
        require(listId == null || noSpaceOrBracket(listId), "listId (without angle brackets)");
        return new Headers(fromField(from), new String[] {"To", InternetAddress.toString(new Address[] {to}, 4)},
                subjectField(m.subject() == null ? "" : m.subject()), dateField(m.date()),
                new String[] {"Message-ID", "<" + messageId + ">"}, listId, unsubscribeUrl, unsubscribeMailto, m.date());
    }

    private InternetAddress checkFrom(InternetAddress raw) {
        InternetAddress from = cleanAddress(raw, "from");
        String fromAddress = from.getAddress().toLowerCase(Locale.ROOT);
        if (!certificateAddresses.contains(fromAddress)) {
            throw new Problem("From address " + from.getAddress() + " is not in the S/MIME certificate of "
                    + smime.key().origin() + " (it names " + certificateAddresses + "): use that address or a matching certificate");
        }
        String fromDomain = fromAddress.substring(fromAddress.lastIndexOf('@') + 1);
        for (DkimSigner d : dkim) {
            String dkimDomain = d.key().domain();
            if (!(fromDomain.equals(dkimDomain) || fromDomain.endsWith("." + dkimDomain))) {
                throw new Problem("From domain " + fromDomain + " is not covered by DKIM domain " + dkimDomain
                        + ", so DMARC would fail: set MAILER_DKIM_DOMAIN to " + fromDomain);
            }
        }
        return from;
    }

    // The header fields that RFC 9788 protects, encoded once and used inside and outside.
    private static String[] fromField(InternetAddress from) {
        return new String[] {"From", InternetAddress.toString(new Address[] {from}, 6)};
    }

    private static String[] subjectField(String subject) {
        try {
            return new String[] {"Subject", MimeUtility.fold(9, MimeUtility.encodeText(oneLine(subject), "UTF-8", null))};
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] dateField(Instant date) {
        return new String[] {"Date", RFC5322_DATE.format(date)};
    }

    /**
     * Steps 1–2: the MIME entity carrying the protected fields (RFC 9788 §2 for a signed-only
     * message: copies of the fields and {@code hp="clear"} — no confidentiality, nothing hidden;
     * clients that do not know RFC 9788 ignore headers on a body part and show the outer ones, which
     * are identical), then the detached signature over exactly those bytes, in a multipart/signed.
     */
    private Body signedBody(List<String[]> protectedFields, String text, String html) {
        MimeWriter entity = new MimeWriter(text.length() * 2 + (html == null ? 0 : html.length() * 2) + 1024);
        String alternative = boundary("alt");
        if (html == null) {
            entity.line("Content-Type: text/plain; charset=UTF-8; hp=\"clear\"");
            entity.line("Content-Transfer-Encoding: quoted-printable");
        } else {
            entity.line("Content-Type: multipart/alternative;");
            entity.line(" boundary=\"" + alternative + "\"; hp=\"clear\"");
        }
        for (String[] f : protectedFields) {
            entity.line(f[0] + ": " + f[1]);
        }
        entity.line("");
        if (html == null) {
            entity.bytes(QuotedPrintable.encode(text));
        } else {
            textPart(entity, alternative, "plain", text);
            textPart(entity, alternative, "html", html);
            entity.line("--" + alternative + "--");
        }
        byte[] content = entity.toByteArray();
        byte[] signature = smime.detachedSignature(content);

        String signed = boundary("sig");
        MimeWriter body = new MimeWriter(content.length + signature.length * 2 + 512);
        body.line("--" + signed);
        body.bytes(content);
        body.bytes(CRLF);
        body.line("--" + signed);
        body.line("Content-Type: application/pkcs7-signature; name=smime.p7s; smime-type=signed-data");
        body.line("Content-Transfer-Encoding: base64");
        body.line("Content-Disposition: attachment; filename=\"smime.p7s\"");
        body.line("Content-Description: S/MIME Cryptographic Signature");
        body.line("");
        body.line(Base64.getMimeEncoder().encodeToString(signature)); // 76-character lines, CRLF
        body.line("--" + signed + "--");
        byte[] bytes = body.toByteArray();
        String contentType = "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n"
                + " boundary=\"" + signed + "\"";
        return new Body(contentType, bytes, DkimSigner.relaxedBodyHash(bytes, 0));
    }

    private static void textPart(MimeWriter w, String boundary, String subtype, String content) {
        w.line("--" + boundary);
        w.line("Content-Type: text/" + subtype + "; charset=UTF-8");
        w.line("Content-Transfer-Encoding: quoted-printable");
        w.line("");
        w.bytes(QuotedPrintable.encode(content));
        w.bytes(CRLF);
    }

    /**
     * A boundary that cannot occur in the parts: they are quoted-printable (where "=_" never
     * appears) and base64 (which has neither '=' followed by '_' nor '_').
     */
    private static String boundary(String kind) {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return "=_" + kind + "_" + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }

    /** Steps 3–5: the top-level headers on the signed body, then the DKIM signatures. */
    private byte[] finish(Headers h, Body body) {
        StringBuilder s = new StringBuilder(1024);
        for (String[] f : List.of(h.from, h.to, h.subject, h.date, h.messageId)) {
            s.append(f[0]).append(": ").append(f[1]).append("\r\n");
        }
        s.append("MIME-Version: 1.0\r\n");
        if (h.listId != null) {
            s.append("List-Id: <").append(h.listId).append(">\r\n");
        }
        s.append("List-Unsubscribe: <").append(h.unsubscribeUrl).append(">");
        if (h.unsubscribeMailto != null) {
            s.append(",\r\n <").append(h.unsubscribeMailto).append(">");
        }
        s.append("\r\n");
        s.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        s.append("Content-Type: ").append(body.contentType).append("\r\n");
        s.append("\r\n");
        byte[] head = s.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + body.bytes.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(body.bytes, 0, bytes, head.length, body.bytes.length);
        for (DkimSigner d : dkim) {
            bytes = d.sign(bytes, h.when, body.dkimBodyHash);
        }
        return bytes;
    }

    /** A growable byte buffer for ASCII header lines (each ended with CRLF) and encoded parts. */
    private static final class MimeWriter {
        private byte[] buf;
        private int size;

        MimeWriter(int capacity) {
            buf = new byte[capacity];
        }

        void line(String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                char c = ascii.charAt(i);
                if (c > 127) {
                    throw new IllegalArgumentException("non-ASCII in a MIME header: " + ascii);
                }
                put((byte) c);
            }
            put((byte) '\r');
            put((byte) '\n');
        }

        void bytes(byte[] b) {
            if (size + b.length > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
            }
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        private void put(byte b) {
            if (size == buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2 + 16);
            }
            buf[size++] = b;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, size);
        }
    }

    /** Display names and subject: control characters (CR, LF, ...) become one space. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ws = Character.isISOControl(c) || c == ' ' || c == '\u2028' || c == '\u2029';
            if (ws) {
                if (!space) {
                    b.append(' ');
                }
                space = true;
            } else {
                b.append(c);
                space = false;
            }
        }
        return b.toString().strip();
    }

    private static InternetAddress cleanAddress(InternetAddress a, String field) {
        require(a != null, field);
        String address = structural(a.getAddress(), field);
        require(address.chars().allMatch(c -> c > 32 && c < 127), field + " (an ASCII e-mail address)");
        try {
            InternetAddress clean = new InternetAddress(address, a.getPersonal() == null ? null : oneLine(a.getPersonal()), "UTF-8");
            clean.validate();
            return clean;
        } catch (AddressException | UnsupportedEncodingException e) {
            throw new Problem("OutgoingMessage." + field + " is not a valid e-mail address: " + address, e);
        }
    }

    /** Values that must be exactly as given: a line break there is an error, not something to repair. */
    private static String structural(String value, String field) {
        require(value != null && !value.isBlank(), field);
        require(value.chars().noneMatch(Character::isISOControl), field + " without line breaks or control characters");
        return value.strip();
    }

    private static boolean noSpaceOrBracket(String s) {
        return s.chars().noneMatch(c -> c == ' ' || c == '<' || c == '>' || c == ',' || c > 126);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("OutgoingMessage needs a valid " + what);
        }
    }

    private static Set<String> emailAddresses(X509Certificate cert) {
        Set<String> out = new TreeSet<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? new ArrayList<List<?>>() : sans) {
                if (Integer.valueOf(1).equals(san.get(0)) && san.get(1) instanceof String s) {
                    out.add(s.toLowerCase(Locale.ROOT));
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
