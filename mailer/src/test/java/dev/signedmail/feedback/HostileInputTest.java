package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounces built to make the parser slow or make it give up: each one once took minutes, or overflowed
 * the stack so that the message came out unread. Each test asserts what the parser must still find;
 * the 10 s timeout (on 1 MB inputs that now take milliseconds) only guards against a hang.
 */
class HostileInputTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);
    private static final int MB = 1024 * 1024;
    private static final String BOUNCE_HEADERS = "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            + "To: bounces+tok1@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\nReturn-Path: <>\r\n";
    private static final String FAILURE = "This is the mail system. Your message could not be delivered.\r\n\r\n"
            + "<gone@example.com>: host mx.example.com said: 550 5.1.1 <gone@example.com>: User unknown "
            + "(in reply to RCPT TO command)\r\n";

    private final BounceParser parser = new BounceParser();

    private ParsedMail parse(String message) {
        byte[] raw = message.getBytes(StandardCharsets.ISO_8859_1);
        return assertTimeoutPreemptively(HANG_GUARD, () -> parser.parse(raw));
    }

    private static void assertGoneIsAnUnknownUser(ParsedMail m) {
        Finding f = m.findings().stream().filter(x -> x.recipient().equals("gone@example.com")).findFirst()
                .orElseThrow(() -> new AssertionError("gone@example.com not found in " + m.findings()));
        assertEquals(Kind.HARD, f.kind());
        assertEquals(Reason.USERUNKNOWN, f.reason());
        assertEquals("5.1.1", f.status());
    }

    @Test
    void hostileBounceIsParsedInLinearTime() {
        // a line of dashes is how an inline original is announced; a 1 MB one was tried at every split
        assertGoneIsAnUnknownUser(parse(BOUNCE_HEADERS + "\r\n" + FAILURE + "-".repeat(MB)));
        // the same with "=" (a quoted-printable body of "=" decodes to itself)
        assertGoneIsAnUnknownUser(parse(BOUNCE_HEADERS + "\r\n" + FAILURE + "=".repeat(MB)));
        // and lines of them
        assertGoneIsAnUnknownUser(parse(BOUNCE_HEADERS + "\r\n" + FAILURE + ("*".repeat(4000) + "\n").repeat(MB / 4000)));
    }

    @Test
    void hostileHtmlBounceIsParsedInLinearTime() {
        // "<" with no ">" after it, and "<script" with no "</script>": each was searched for to the end again
        for (String junk : List.of("<".repeat(MB), "<script".repeat(MB / 7), "<style>".repeat(MB / 7), "<a".repeat(MB / 2))) {
            ParsedMail m = parse(BOUNCE_HEADERS + "Content-Type: text/html\r\n\r\n<p>" + FAILURE.replace("<gone", "&lt;gone")
                    .replace("com>", "com&gt;") + "</p>" + junk);
            assertGoneIsAnUnknownUser(m);
        }
    }

    @Test
    void htmlIsReadAsBeforeWithoutRegularExpressions() {
        assertEquals("  hello\nworld\n  a & b < c  ", MimePart.htmlToText(
                "<SCRIPT type=x>var a = '<p>';</Script> hello<br/>world<BR >  a &amp; b &lt; c <style>p{}</style>"));
        assertEquals("x\ny\nz\n ", MimePart.htmlToText("x</p>y</DIV>z</tr><br class=x>"));
        assertEquals(" unclosed  tail", MimePart.htmlToText("<script>unclosed<b> tail"));
        assertEquals("a < b", MimePart.htmlToText("a < b"));
    }

    @Test
    void thousandsOfRecipientsAreCutAtTheLimitOfOneReport() {
        StringBuilder dsn = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            dsn.append("Final-Recipient: rfc822; u").append(i).append("@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n");
        }
        ParsedMail m = parse(BOUNCE_HEADERS + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\n" + "Delivery to the following recipients failed.\r\n".repeat(2000)
                + "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" + dsn + "--b--\r\n");
        assertEquals("dsn", m.format());
        assertEquals(BounceParser.MAX_RECIPIENTS, m.findings().size());
        assertEquals("u0@example.com", m.findings().get(0).recipient());
        assertEquals(Reason.USERUNKNOWN, m.findings().get(0).reason());

        StringBuilder line = new StringBuilder("Delivery failed for: ");
        for (int i = 0; i < 50_000; i++) {
            line.append('u').append(i).append("@example.com ");
        }
        ParsedMail text = parse(BOUNCE_HEADERS + "\r\n" + line + "\r\n550 5.1.1 user unknown\r\n");
        assertEquals("text", text.format());
        assertEquals(BounceParser.MAX_RECIPIENTS, text.findings().size());
        assertEquals("u0@example.com", text.findings().get(0).recipient());
    }

    @Test
    void longDottedWordsNoLongerOverflowTheStack() {
        // "a.a.a...@" recursed once per atom in the address pattern; the overflow made the whole bounce unreadable
        String atoms = "a.".repeat(200_000) + "a@example.com";
        String labels = "x@" + "a.".repeat(200_000) + "com";
        assertGoneIsAnUnknownUser(parse(BOUNCE_HEADERS + "\r\n" + FAILURE + "\r\n" + atoms + "\r\n" + labels + "\r\n"));
        assertEquals(List.of("a.b.c@example.com"), Addresses.all("x " + atoms + " a.b.c@example.com " + labels));
        // the RFC 5321 limits themselves still pass: 32 atoms in 64 octets, 127 labels in a domain
        assertEquals(1, Addresses.all("a.".repeat(31) + "a@" + "b.".repeat(126) + "com").size());
    }

    @Test
    void aReturnedMessageOfManyFoldedLinesIsStillRecognised() {
        // the check "is this text part the returned message?" recursed once per folded header line
        ParsedMail m = parse(BOUNCE_HEADERS + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\n" + FAILURE
                + "--b\r\nContent-Type: text/plain\r\n\r\nReceived: from x\r\n" + " by y\r\n".repeat(8_000)
                + "From: news@example.org\r\nTo: gone@example.com\r\nSubject: hi\r\n\r\nbody\r\n--b--\r\n");
        assertGoneIsAnUnknownUser(m);
        assertEquals(1, m.findings().size(), "the returned message's headers are not read as the report");
        assertTrue(MailView.looksLikeMessage("Received: from x\r\n" + " by y\r\n".repeat(100_000)
                + "From: a@example.org\nTo: b@example.com\n"));
        assertFalse(MailView.looksLikeMessage("From: a@example.org\nTo: b@example.com\n")); // two fields only
        assertFalse(MailView.looksLikeMessage(" folded\nFrom: a\nTo: b\nSubject: c\n"));  // starts mid-field
    }

    @Test
    void aSubjectOfThousandsOfEncodedWordsIsDecodedQuickly() {
        // Jakarta Mail's decodeText looked its decoders up through a ServiceLoader for every word: 0.4 ms each
        String subject = "=?utf-8?q?Undelivered_Mail?= ".repeat(30_000);
        ParsedMail m = parse(BOUNCE_HEADERS.replace("Subject: Undelivered Mail Returned to Sender", "Subject: " + subject)
                + "\r\n" + FAILURE);
        assertGoneIsAnUnknownUser(m);
        assertEquals("caféé x ?", Headers.decodeWords("=?UTF-8?Q?caf=C3=A9?= =?utf-8?B?w6k=?= x ?"));
        assertEquals("a b=?x-unknown?q?c?=", Headers.decodeWords("=?iso-8859-1*en?q?a_b?==?x-unknown?q?c?="));
        assertEquals("=?utf-8?q?bad=Z?=", Headers.decodeWords("=?utf-8?q?bad=Z?="));
    }

    @Test
    void aSubjectFoldedThousandsOfTimesNoLongerStopsThePoll() {
        // reading the Subject of an unsubscribe request recursed once per folded line; the overflow escaped
        // `feedback poll`, and the message, still in the mailbox, failed every later poll the same way
        String token = "A".repeat(24);
        byte[] raw = ("From: zoe@example.com\r\nSubject: unsubscribe" + "\r\n ".repeat(20_000) + token
                + "\r\nTo: unsubscribe@example.org\r\n\r\nbye\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(token, assertTimeoutPreemptively(HANG_GUARD, () -> MailboxPoller.unsubscribeToken(raw)));
        assertEquals(token, MailboxPoller.unsubscribeToken(("Subject: unsubscribe\r\n\t" + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertEquals(null, MailboxPoller.unsubscribeToken(("Subject: unsubscribe\r\nX: " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theReportTextIsBounded() {
        MailView v = MailView.of((BOUNCE_HEADERS + "\r\n" + "x".repeat(MB)).getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(v.reportText.length() <= MailView.MAX_TEXT + 1, "report text " + v.reportText.length());
        String[] lines = new String[] {"a".repeat(MB), "b".repeat(MB)};
        assertTrue(TextBlocks.join(lines, 0, 2).length() <= TextBlocks.MAX_JOIN + 2);
    }
}
