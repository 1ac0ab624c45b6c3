package dev.signedmail.feedback;

import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.subscriber.UnsubscribeTokens;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the bounce mailbox over IMAP, IMAPS, POP3 or POP3S and handles each message once: a
 * {@code mailto:} unsubscribe request, a bounce / complaint / auto-reply, or something else, which
 * is kept aside for a person (IMAP: the unparsed folder; POP3: a file in the data folder) — never
 * lost. Handled messages move to the processed folder (IMAP) or are deleted (POP3), only after the
 * database has recorded them, so a crash in between leaves the message to be seen again and the
 * database's record makes the second sight a no-op.
 */
public final class MailboxPoller {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxPoller.class);
    /** Bounded work per run; the rest waits for the next run. */
    private static final int MAX_MESSAGES = 5_000;
    private static final Pattern SUBJECT = Pattern.compile("(?im)^Subject:[ \\t]*");
    private static final Pattern FOLD = Pattern.compile("\\r?\\n[ \\t]+");
    private static final Pattern UNSUBSCRIBE = Pattern.compile("(?i)^\\s*unsubscribe\\s+([A-Za-z0-9_-]{20,})\\s*$");

    /** What one run did. */
    public record Summary(int read, int applied, int alreadyHandled, int unsubscribes, int keptAside, int errors) {
        public String describe() {
            return String.format("feedback poll: %d message(s) read: %d bounce/complaint/auto-reply applied, %d unsubscribe"
                    + " request(s), %d already handled, %d kept aside (no bounce), %d left in the mailbox after an error",
                    read, applied, unsubscribes, alreadyHandled, keptAside, errors);
        }
    }

    private final Settings settings;
    private final BounceParser parser;
    private final FeedbackApplier applier;
    private final UnsubscribeTokens tokens;
    private final Subscriptions subscriptions;
    private final Path asideFolder;

    public MailboxPoller(Settings settings, FeedbackApplier applier, UnsubscribeTokens tokens, Subscriptions subscriptions) {
        this.settings = settings;
        this.parser = new BounceParser(settings.required(Setting.BOUNCE_LOCAL_PART));
        this.applier = applier;
        this.tokens = tokens;
        this.subscriptions = subscriptions;
        this.asideFolder = settings.home().resolve("feedback").resolve("unparsed");
    }

    public boolean configured() {
        String host = settings.string(Setting.FEEDBACK_HOST);
        return host != null && !host.isBlank();
    }

    public Summary poll() {
        if (!configured()) {
            throw new Problem("no bounce mailbox configured: set feedback.host (MAILER_FEEDBACK_HOST), feedback.user and"
                    + " feedback.password.file");
        }
        String protocol = settings.required(Setting.FEEDBACK_PROTOCOL).toLowerCase(Locale.ROOT);
        if (!protocol.matches("imaps?|pop3s?")) {
            throw new Problem("feedback.protocol = '" + protocol + "' must be imap, imaps, pop3 or pop3s");
        }
        boolean imap = protocol.startsWith("imap");
        String host = settings.required(Setting.FEEDBACK_HOST);
        String portText = settings.string(Setting.FEEDBACK_PORT);
        int port = portText == null || portText.isBlank() ? -1 : settings.integer(Setting.FEEDBACK_PORT, 1, 65535);
        Properties p = new Properties();
        p.put("mail." + protocol + ".connectiontimeout", "30000");
        p.put("mail." + protocol + ".timeout", "60000");
        if (protocol.endsWith("s")) {
            p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        Session session = Session.getInstance(p);
        int read = 0, applied = 0, already = 0, unsubscribes = 0, aside = 0, errors = 0;
        try (Store store = session.getStore(protocol)) {
            store.connect(host, port, settings.string(Setting.FEEDBACK_USER), settings.secretFromFile(Setting.FEEDBACK_PASSWORD_FILE));
            Folder inbox = store.getFolder(imap ? settings.required(Setting.FEEDBACK_FOLDER) : "INBOX");
            inbox.open(Folder.READ_WRITE);
            Folder processed = imap ? ensureFolder(store, settings.required(Setting.FEEDBACK_PROCESSED_FOLDER)) : null;
            Folder unparsed = imap ? ensureFolder(store, settings.required(Setting.FEEDBACK_UNPARSED_FOLDER)) : null;
            try {
                int count = Math.min(inbox.getMessageCount(), MAX_MESSAGES);
                for (int i = 1; i <= count; i++) {
                    Message m = inbox.getMessage(i);
                    read++;
                    byte[] raw;
                    try {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        m.writeTo(out);
                        raw = out.toByteArray();
                    } catch (IOException | MessagingException | RuntimeException e) {
                        errors++;
                        LOG.warn("feedback poll: message {} could not be read ({}); it stays in the mailbox", i, e.toString());
                        continue;
                    }
                    String key = sha256(raw);
                    Handled h = handle(raw, key);
                    switch (h) {
                        case APPLIED -> applied++;
                        case ALREADY -> already++;
                        case UNSUBSCRIBE -> unsubscribes++;
                        case ASIDE -> aside++;
                    }
                    if (h == Handled.ASIDE) {
                        if (imap) {
                            inbox.copyMessages(new Message[] {m}, unparsed);
                        } else {
                            keepAside(raw, key);
                        }
                        LOG.info("feedback poll: message {} is no bounce, complaint or unsubscribe request; kept aside", i);
                    } else if (imap) {
                        inbox.copyMessages(new Message[] {m}, processed);
                    }
                    m.setFlag(Flags.Flag.DELETED, true);
                }
            } finally {
                inbox.close(true);
            }
        } catch (MessagingException e) {
            throw new Problem("cannot read the bounce mailbox " + protocol + "://" + host + (port > 0 ? ":" + port : "")
                    + ": " + e.getMessage() + " (check feedback.host, feedback.port, feedback.user, feedback.password.file)", e);
        }
        if (errors == 0) {
            new dev.signedmail.store.Heartbeats(applier.database()).beat("feedback-poll");
        }
        return new Summary(read, applied, already, unsubscribes, aside, errors);
    }

    private enum Handled { APPLIED, ALREADY, UNSUBSCRIBE, ASIDE }

    private Handled handle(byte[] raw, String key) {
        String token = unsubscribeToken(raw);
        if (token != null) {
            var claim = tokens.verify(token);
            if (claim.isPresent()) {
                if (applier.markHandled(key, "unsubscribe")) {
                    subscriptions.unsubscribeAll(claim.get().subscriberId(), "mailto");
                    return Handled.UNSUBSCRIBE;
                }
                return Handled.ALREADY;
            }
        }
        ParsedMail parsed;
        try {
            parsed = parser.parse(raw);
        } catch (RuntimeException e) {
            // the parser is built not to throw; if it ever does, the message is kept, not lost
            LOG.warn("feedback poll: parser failed on a message ({}); kept aside", e.toString());
            parsed = null;
        }
        if (parsed == null || parsed.findings().isEmpty()) {
            return applier.markHandled(key, "unparsed") ? Handled.ASIDE : Handled.ALREADY;
        }
        return applier.applyOnce(parsed, key, "mailbox") ? Handled.APPLIED : Handled.ALREADY;
    }

    /** The token of a {@code mailto:} unsubscribe request: Subject "unsubscribe TOKEN" (see the List-Unsubscribe header). */
    static String unsubscribeToken(byte[] raw) {
        String text = new String(raw, 0, Math.min(raw.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        Matcher s = SUBJECT.matcher(head);
        if (!s.find()) {
            return null;
        }
        Matcher u = UNSUBSCRIBE.matcher(FOLD.matcher(head.substring(s.end(), fieldEnd(head, s.end()))).replaceAll(" "));
        return u.matches() ? u.group(1) : null;
    }

    /**
     * Where the header field whose value starts at {@code from} ends: at the end of its last folded
     * line (RFC 5322 2.2.3: a line break followed by a space or tab continues the field). A scan: as
     * the regular expression "(?:\\r?\\n[ \\t].*)*" it recursed once per folded line, and a Subject
     * folded some ten thousand times overflowed the stack and failed every later poll of the mailbox.
     */
    static int fieldEnd(String head, int from) {
        int end = lineEnd(head, from);
        while (true) {
            int next = end < head.length() && head.charAt(end) == '\r' ? end + 1 : end;
            if (next + 1 < head.length() && head.charAt(next) == '\n'
                    && (head.charAt(next + 1) == ' ' || head.charAt(next + 1) == '\t')) {
                end = lineEnd(head, next + 1);
            } else {
                return end;
            }
        }
    }

    /** The first line terminator (as regex "." knows them) at or after from, or the end of the text. */
    private static int lineEnd(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return i;
            }
        }
        return s.length();
    }

    private static Folder ensureFolder(Store store, String name) throws MessagingException {
        Folder f = store.getFolder(name);
        if (!f.exists() && !f.create(Folder.HOLDS_MESSAGES)) {
            throw new MessagingException("cannot create folder " + name);
        }
        return f;
    }

    private void keepAside(byte[] raw, String key) {
        try {
            Files.createDirectories(asideFolder);
            Path f = asideFolder.resolve(key + ".eml");
            if (!Files.exists(f)) {
                Files.write(f, raw);
            }
        } catch (IOException e) {
            throw new Problem("cannot keep an unparsed message in " + asideFolder + ": " + e.getMessage()
                    + " (the message stays in the mailbox)");
        }
    }

    static String sha256(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
