package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Broken input never throws; it gives no finding or a best-effort one. */
class MalformedInputTest {
    private final BounceParser parser = new BounceParser();

    private ParsedMail parse(String s) {
        return parser.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void tabNewlineTabThatBreaksJakartaInternetHeaders() {
        assertTrue(parse("\t\n\t").findings().isEmpty());
    }

    @Test
    void emptyNullAndBinaryInput() {
        assertTrue(parser.parse(new byte[0]).findings().isEmpty());
        assertTrue(parser.parse(null).findings().isEmpty());
        byte[] noise = new byte[5000];
        new java.util.Random(42).nextBytes(noise);
        parser.parse(noise); // must simply not throw
    }

    @Test
    void multipartReportWithoutBoundaryStillReadsTheDsn() {
        ParsedMail m = parse("From: MAILER-DAEMON@mx.example.net\nSubject: Returned mail\n"
                + "Content-Type: multipart/report; report-type=delivery-status\n\n"
                + "Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: user unknown\n");
        assertEquals(1, m.findings().size());
        Finding f = m.findings().get(0);
        assertEquals("gone@example.com", f.recipient());
        assertEquals(Kind.HARD, f.kind());
        assertEquals("5.1.1", f.status());
        assertEquals("550", f.replyCode());
    }

    @Test
    void brokenBase64AndUnknownCharsetAreTolerated() {
        ParsedMail m = parse("From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nSubject: Undelivered Mail\n"
                + "Content-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: base64\n\n"
                + "PGZ1bGxAZXhhbXBsZS5jb20+OiA1NTIgNS4yLjIgbWFpbGJveCBmdWxs!!!*\n");
        List<Finding> f = m.findings();
        assertEquals(1, f.size());
        assertEquals("full@example.com", f.get(0).recipient());
        assertEquals(Reason.MAILBOXFULL, f.get(0).reason());
        assertEquals(Kind.SOFT, f.get(0).kind());
    }

    @Test
    void endlessNestingAndHugeHeadersAreBounded() {
        StringBuilder b = new StringBuilder("Content-Type: multipart/mixed; boundary=x\n\n");
        for (int i = 0; i < 200; i++) {
            b.append("--x\nContent-Type: message/rfc822\n\nContent-Type: multipart/mixed; boundary=x\n\n");
        }
        b.append("Subject: ").append("a".repeat(3_000_000));
        assertFalse(parse(b.toString()).isFeedback());
    }

    @Test
    void ordinaryMailIsNone() {
        ParsedMail m = parse("From: Zoe <zoe@example.com>\nTo: news@example.org\nSubject: Thanks\n\nGreat article, "
                + "but the link to user@example.net failed for me.\n");
        assertTrue(m.findings().isEmpty());
        assertEquals("none", m.format());
    }

    @Test
    void autoReplyIsNeverABounce() {
        ParsedMail m = parse("From: Zoe <zoe@example.com>\nTo: bounces+abc123@example.org\nAuto-Submitted: auto-replied\n"
                + "Subject: Out of office\n\nI am away until Monday; your message will not be read.\n");
        assertEquals(Kind.AUTO_REPLY, m.findings().get(0).kind());
        assertEquals("zoe@example.com", m.findings().get(0).recipient());
        assertEquals("abc123", m.verpToken().orElseThrow());
    }

    @Test
    void verpTokenFromTheReturnedOriginalWhenTheBounceNamesNoAddress() {
        ParsedMail m = parse("From: MAILER-DAEMON@mx.example.net\nTo: someone@example.org\nSubject: failure notice\n"
                + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
                + "Delivery has failed: 550 5.1.1 mailbox does not exist\n--b\nContent-Type: message/rfc822\n\n"
                + "Return-Path: <bounces+Q1w2.e3-r4@news.example.org>\nFrom: news@example.org\nTo: gone@example.com\n"
                + "Subject: Road closed\n\nbody\n--b--\n");
        assertEquals("Q1w2.e3-r4", m.verpToken().orElseThrow());
        assertEquals("gone@example.com", m.findings().get(0).recipient());
        assertEquals(Kind.HARD, m.findings().get(0).kind());
    }

    @Test
    void ourSideReasonsAreFlagged() {
        assertTrue(Reason.AUTHFAILURE.ourSide());
        assertTrue(Reason.BLOCKED.ourSide());
        assertFalse(Reason.USERUNKNOWN.ourSide());
        assertFalse(Reason.MAILBOXFULL.ourSide());
    }
}
