package dev.signedmail.feedback;

import java.util.List;
import java.util.Optional;

/**
 * Reads one incoming message and says what it reports, trying the standards first and broad
 * heuristics last: ARF complaint (RFC 5965) → Amazon SES JSON notification → RFC 3464 DSN → auto-reply by header (RFC 3834) →
 * plain-text bounce → auto-reply by subject → nothing. Never throws on malformed input: each message
 * is parsed inside its own catch, with a raw-text view as the fallback when MIME parsing fails.
 */
public final class BounceParser {
    /** The default local part of our VERP envelope sender: {@code bounces+TOKEN@domain}. */
    public static final String DEFAULT_VERP_LOCAL_PART = "bounces";

    /**
     * At most this many recipients are read from one message. Each costs a classification of its
     * text, so a hostile report naming thousands would otherwise cost thousands of them. Ours name
     * one (one message per subscriber, VERP), and RFC 5321 4.5.3.1.8 makes 100 the number of
     * recipients per transaction a server must accept, and so what one report usually covers.
     */
    static final int MAX_RECIPIENTS = 100;

    private final Verp verp;

    public BounceParser() {
        this(DEFAULT_VERP_LOCAL_PART);
    }

    /** @param verpLocalPart the local part before "+" in our VERP envelope sender */
    public BounceParser(String verpLocalPart) {
        this.verp = new Verp(verpLocalPart);
    }

    /**
     * Parses one message (RFC 5322 bytes); an mbox holding several gives the findings of all of them.
     * Never throws; a message that is no report gives no findings.
     */
    public ParsedMail parse(byte[] message) {
        byte[] raw = message == null ? new byte[0] : message;
        List<byte[]> messages;
        try {
            messages = Mbox.split(raw);
        } catch (RuntimeException e) {
            messages = List.of(raw);
        }
        if (messages.size() == 1) {
            return parseOne(messages.get(0));
        }
        return merge(messages);
    }

    /** The findings of each message in turn (first report of a recipient wins), the first VERP token and format. */
    private ParsedMail merge(List<byte[]> messages) {
        List<Finding> findings = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Optional<String> token = Optional.empty();
        String format = "none";
        for (byte[] one : messages) {
            ParsedMail m = parseOne(one);
            for (Finding f : m.findings()) {
                if (seen.add(Addresses.key(f.recipient()))) {
                    findings.add(f);
                }
            }
            token = token.isPresent() ? token : m.verpToken();
            format = format.equals("none") ? m.format() : format;
        }
        return new ParsedMail(List.copyOf(findings), token, format);
    }

    private ParsedMail parseOne(byte[] raw) {
        try {
            return parse(MailView.of(raw));
        } catch (RuntimeException | StackOverflowError e) {
            try {
                String latin1 = new String(raw, 0, Math.min(raw.length, MailView.MAX_BYTES),
                        java.nio.charset.StandardCharsets.ISO_8859_1);
                return parse(MailView.rawText(latin1));
            } catch (RuntimeException | StackOverflowError again) {
                return new ParsedMail(List.of(), Optional.empty(), "none");
            }
        }
    }

    private ParsedMail parse(MailView v) {
        Optional<String> token = safeVerp(v);
        if (FeedbackReportReader.applies(v)) {
            return new ParsedMail(FeedbackReportReader.read(v), token, "arf");
        }
        List<Finding> ses = SesNotificationReader.read(v);
        if (!ses.isEmpty()) {
            return new ParsedMail(ses, token, "ses-json");
        }
        List<Finding> dsn = DeliveryStatusReader.read(v);
        if (!dsn.isEmpty()) {
            return new ParsedMail(dsn, token, "dsn");
        }
        boolean bounce = PlainTextBounceReader.looksLikeBounce(v);
        if (AutoReplyReader.byHeaders(v) && !bounce) {
            return new ParsedMail(AutoReplyReader.read(v), token, "auto-reply");
        }
        if (bounce) {
            List<Finding> text = PlainTextBounceReader.read(v);
            if (!text.isEmpty()) {
                return new ParsedMail(text, token, "text");
            }
        }
        if (!bounce && (AutoReplyReader.byHeaders(v) || AutoReplyReader.bySubject(v))) {
            return new ParsedMail(AutoReplyReader.read(v), token, "auto-reply");
        }
        return new ParsedMail(List.of(), token, "none");
    }

    private Optional<String> safeVerp(MailView v) {
        try {
            return verp.find(v);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
