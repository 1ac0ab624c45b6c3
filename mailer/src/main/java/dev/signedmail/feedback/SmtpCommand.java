package dev.signedmail.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which SMTP command (RFC 5321 section 4.1) the remote server was answering when it refused the
 * message, read from the report text. It matters for the reason: "user unknown" said in reply to
 * RCPT TO is an address error, while the same words after DATA (or with no command at all) come from
 * a content or recipient filter that read the message (Sisimai's "filtered").
 * <p>
 * Tell-tales, all MTA-neutral: Postfix {@code (in reply to RCPT TO command)}, Exim
 * {@code SMTP error from remote mail server after RCPT TO:<...>} / {@code after end of data},
 * Sendmail transcripts {@code >>> RCPT To:<...>} followed by {@code <<< 550 ...}, qmail
 * {@code does not like recipient}, and any upper-case
 * command word ({@code RCPT TO}, {@code MAIL FROM}, {@code DATA}, {@code HELO}, {@code EHLO}). The last
 * mention wins: a transcript lists the commands in the order they were sent and the refused one is last.
 */
enum SmtpCommand {
    CONN, HELO, EHLO, MAIL, RCPT, DATA, NONE;

    // The lookahead for the first letters of all the words comes first so that the lookbehind is not
    // tried at every position of the text.
    private static final Pattern MENTION = Pattern.compile(
            "(?=[RMDHESIdei])(?:(?<![A-Za-z0-9@._-])(RCPT TO|RCPT|MAIL FROM|MAIL|DATA|HELO|EHLO|STARTTLS)(?![A-Za-z0-9@-]|\\.[A-Za-z0-9])"
                    + "|(?i:(end of data|initial connection|does not like recipient)))");

    /** The last command the text says was refused, or NONE. */
    static SmtpCommand find(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        String t = text.length() > 8192 ? text.substring(0, 8192) : text;
        if (!mentionsACommand(t)) {
            return NONE; // most texts name none: no need to try the pattern at every position
        }
        Matcher m = MENTION.matcher(t);
        SmtpCommand last = NONE;
        while (m.find()) {
            String word = (m.group(1) != null ? m.group(1) : m.group(2)).toUpperCase(java.util.Locale.ROOT);
            if (word.equals("MAIL") && !t.regionMatches(true, m.end(), " FROM", 0, 5)) {
                continue; // a bare upper-case "MAIL" is too often just a word
            }
            last = switch (word) {
                case "RCPT TO", "RCPT", "DOES NOT LIKE RECIPIENT" -> RCPT;
                case "MAIL FROM", "MAIL" -> MAIL;
                case "HELO" -> HELO;
                case "EHLO", "STARTTLS" -> EHLO;
                case "INITIAL CONNECTION" -> CONN;
                default -> DATA;
            };
        }
        return last;
    }

    private static final String[] COMMANDS = {"RCPT", "MAIL", "DATA", "HELO", "EHLO", "STARTTLS"};
    private static final String[] PHRASES = {"end of data", "initial connection", "does not like recipient"};

    /** Whether the text contains a word {@link #MENTION} needs: a command (in upper case, as it is matched) or a phrase. */
    private static boolean mentionsACommand(String text) {
        for (String c : COMMANDS) {
            if (text.contains(c)) {
                return true;
            }
        }
        String lower = RequiredLiterals.lower(text);
        for (String p : PHRASES) {
            if (lower.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A reply that names one recipient in the form {@code <user@host>: text}, right after its reply code
     * ({@code 550 <user@host>: User unknown}, {@code 550 5.1.1 <user@host>: Recipient address rejected},
     * {@code 550: <user@host>: ...}). This is how a server answers RCPT TO: it echoes the address it
     * refuses. A reply to DATA is about the whole message (RFC 5321 3.3) and names no recipient, which is
     * why refusals after DATA read {@code 550 : User unknown} with the address left empty. The Sendmail
     * form {@code user@host... text} is not counted: filtering gateways write it after DATA as well.
     */
    private static final Pattern RECIPIENT_ECHO = Pattern.compile(
            "(?<![\\w.])[45]\\d\\d[ :-]+(?:[45]\\.\\d{1,3}\\.\\d{1,3}\\s+)?<[^<>\\s@]+@[^<>\\s]+>:");

    /** Whether the reply text echoes one recipient address the way a refusal of RCPT TO does. */
    static boolean echoesRecipient(String reply) {
        if (reply == null || reply.isEmpty()) {
            return false;
        }
        return RECIPIENT_ECHO.matcher(reply.length() > 2048 ? reply.substring(0, 2048) : reply).find();
    }

    /** Commands sent before the message itself: a refusal there cannot be about the content. */
    boolean beforeData() {
        return this == CONN || this == HELO || this == EHLO || this == MAIL || this == RCPT;
    }
}
