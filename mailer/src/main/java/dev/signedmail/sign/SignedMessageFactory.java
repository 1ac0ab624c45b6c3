package dev.signedmail.sign;

import dev.signedmail.Problem;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the final, signed bytes of one message. This is THE place that fixes the order of
 * operations, because each signature only survives if nothing after it changes the bytes it covers:
 * <ol>
 *   <li>build the MIME body: multipart/alternative of text/plain and text/html, both UTF-8,
 *       quoted-printable, CRLF (7-bit, so no relay re-encodes it), with RFC 9788 header
 *       protection: From, To, Subject, Date and Message-ID copied onto it and {@code hp="clear"}
 *       on its Content-Type, so the S/MIME signature covers them too;</li>
 *   <li>S/MIME-sign it: detached multipart/signed becomes the top-level body, serialised once,
 *       and those bytes are final;</li>
 *   <li>put the top-level headers on (From, To, Subject, Date, Message-ID — byte-identical to the
 *       protected copies — MIME-Version, List-Id, List-Unsubscribe, List-Unsubscribe-Post),
 *       RFC 2047-encoded where non-ASCII; DKIM covers them all;</li>
 *   <li>serialise to bytes with CRLF line ends; the body bytes from step 2 are copied verbatim;</li>
 *   <li>DKIM-sign those bytes. Nothing touches the bytes after this.</li>
 * </ol>
 *
 * <p>Header values never contain line breaks: CR, LF and other control characters in the subject
 * and display names become a space (a release title pasted with a newline is a typo, not an
 * attack, but must never start a new header); in structural values (addresses, ids, URLs) they are
 * refused. Thread-safe: built once per run from the two signers, which are thread-safe.
 */
public final class SignedMessageFactory {
    private static final DateTimeFormatter RFC5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final SmimeSigner smime;
    private final List<DkimSigner> dkim;
    private final Set<String> certificateAddresses;
    private final Session session = Session.getInstance(new Properties());

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

    /** The complete message, CRLF line ends, ready for SMTP DATA exactly as it is. */
    public byte[] build(OutgoingMessage m) {
        InternetAddress from = cleanAddress(m.from(), "from");
        InternetAddress to = cleanAddress(m.to(), "to");
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
        require(m.date() != null, "date");
        require(m.text() != null, "text");
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
        try {
            // The header fields that RFC 9788 protects, encoded once and used inside and outside.
            List<String[]> protectedFields = List.of(
                    new String[] {"From", InternetAddress.toString(new Address[] {from}, 6)},
                    new String[] {"To", InternetAddress.toString(new Address[] {to}, 4)},
                    new String[] {"Subject", MimeUtility.fold(9,
                            MimeUtility.encodeText(oneLine(m.subject() == null ? "" : m.subject()), "UTF-8", null))},
                    new String[] {"Date", RFC5322_DATE.format(m.date())},
                    new String[] {"Message-ID", "<" + messageId + ">"});
            // 1. The MIME body, carrying the protected header fields (RFC 9788 header protection).
            MimeBodyPart body = protectHeaders(body(m.text(), m.html()), protectedFields);
            // 2. S/MIME-sign it; writing it once computes the signature and fixes the bytes.
            MimeMultipart signed = smime.sign(body);
            ByteArrayOutputStream signedBytes = new ByteArrayOutputStream();
            signed.writeTo(signedBytes);
            // 3. The top-level headers: the same protected fields, then the list headers.
            StringBuilder h = new StringBuilder();
            for (String[] f : protectedFields) {
                h.append(f[0]).append(": ").append(f[1]).append("\r\n");
            }
            h.append("MIME-Version: 1.0\r\n");
            if (listId != null) {
                h.append("List-Id: <").append(listId).append(">\r\n");
            }
            h.append("List-Unsubscribe: <").append(unsubscribeUrl).append(">");
            if (unsubscribeMailto != null) {
                h.append(",\r\n <").append(unsubscribeMailto).append(">");
            }
            h.append("\r\n");
            h.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
            h.append("Content-Type: ").append(MimeUtility.fold(14, signed.getContentType())).append("\r\n");
            h.append("\r\n");
            // 4. Serialise. The parsed message is "saved": writeTo copies headers and body verbatim.
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
            signedBytes.writeTo(raw);
            MimeMessage message = new FixedIdMessage(session, raw.toByteArray(), messageId);
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.size() + 1024);
            message.writeTo(out);
            // 5. DKIM-sign the bytes (each signer adds one header on top); they are final after this.
            byte[] bytes = out.toByteArray();
            for (DkimSigner d : dkim) {
                bytes = d.sign(bytes, m.date());
            }
            return bytes;
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot build message " + messageId, e);
        }
    }

    private static MimeBodyPart body(String text, String html) throws MessagingException {
        MimeBodyPart plain = textPart(text, "plain");
        if (html == null) {
            return plain;
        }
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(plain);
        alternative.addBodyPart(textPart(html, "html"));
        MimeBodyPart part = new MimeBodyPart();
        part.setContent(alternative);
        // set explicitly: Jakarta only fills these in updateHeaders(), which would run too late
        part.setHeader("Content-Type", alternative.getContentType());
        return part;
    }

    /**
     * RFC 9788 §2 for a signed-only message: the cryptographic payload (the part S/MIME signs)
     * carries copies of the protected header fields and {@code hp="clear"} on its Content-Type (no
     * confidentiality, nothing hidden). Clients that do not know RFC 9788 ignore headers on a body
     * part and show the outer ones, which are identical, so they display the message as before;
     * verifiers that know it can tell a changed outer Subject from the signed one.
     */
    static MimeBodyPart protectHeaders(MimeBodyPart part, List<String[]> fields) throws MessagingException {
        part.setHeader("Content-Type", MimeUtility.fold(14, part.getHeader("Content-Type", null) + "; hp=\"clear\""));
        for (String[] f : fields) {
            part.setHeader(f[0], f[1]);
        }
        return part;
    }

    private static MimeBodyPart textPart(String content, String subtype) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setText(content.replaceAll("\r\n|\r|\n", "\r\n"), "UTF-8", subtype);
        p.setHeader("Content-Type", "text/" + subtype + "; charset=UTF-8");
        p.setHeader("Content-Transfer-Encoding", "quoted-printable");
        return p;
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

    /**
     * A parsed message keeps its bytes; this subclass also keeps its Message-ID should anyone call
     * saveChanges() on it (Transport.send does), which would otherwise replace it and break DKIM.
     */
    static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, byte[] bytes, String messageId) throws MessagingException {
            super(session, new ByteArrayInputStream(bytes));
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", "<" + messageId + ">");
        }
    }
}
