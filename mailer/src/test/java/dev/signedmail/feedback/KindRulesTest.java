package dev.signedmail.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The general rules that decide hard vs soft when the SMTP command is not stated. */
class KindRulesTest {
    private static ParsedMail dsn(String diagnostic, String status, boolean remoteMta) {
        String mail = "From: MAILER-DAEMON@example.org\r\nTo: bounces@example.net\r\nSubject: failure\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
                + "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
                + "Final-Recipient: rfc822; u@example.com\r\nAction: failed\r\nStatus: " + status + "\r\n"
                + (remoteMta ? "Remote-MTA: dns; mx.example.com\r\n" : "")
                + "Diagnostic-Code: smtp; " + diagnostic + "\r\n--b--\r\n";
        return new BounceParser().parse(mail.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void echoedRecipientMeansRcptTo() {
        assertTrue(SmtpCommand.echoesRecipient("550 <u@example.com>: User unknown"));
        assertTrue(SmtpCommand.echoesRecipient("550: <u@example.com>: User unknown"));
        assertFalse(SmtpCommand.echoesRecipient("550 : User unknown"));
        assertFalse(SmtpCommand.echoesRecipient("550 u@example.com... No such user"));
        assertEquals(Kind.HARD, dsn("550 <u@example.com>: User unknown", "5.0.0", true).findings().get(0).kind());
        assertEquals(Kind.SOFT, dsn("550 : User unknown", "5.0.0", true).findings().get(0).kind());
    }

    @Test
    void noRemoteMtaMeansLocalLookup() {
        assertEquals(Kind.HARD, dsn("550 Requested action not taken: mailbox unavailable", "5.5.0", false).findings().get(0).kind());
        // a status that names a cause is not overruled
        assertEquals(Kind.SOFT, dsn("550 5.2.1 mailbox disabled, user unknown", "5.2.1", false).findings().get(0).kind());
    }

    @Test
    void addressingStatusIsNeverFiltered() {
        ParsedMail m = dsn("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found", "5.1.10", true);
        assertEquals(Kind.HARD, m.findings().get(0).kind());
    }

    @Test
    void mboxGivesEveryMessage() {
        String one = "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\n" + "From: MAILER-DAEMON@example.org\nSubject: x\n\nbody\n\n";
        String two = "From MAILER-DAEMON  Fri Apr 30 23:34:45 2015\n" + "From: MAILER-DAEMON@example.org\nSubject: y\n\nbody\n";
        List<byte[]> parts = Mbox.split((one + two).getBytes(StandardCharsets.US_ASCII));
        assertEquals(2, parts.size());
        assertEquals(1, Mbox.split("From: a@b\n\nFrom x Thu Apr 29 23:34:45 2015\n".getBytes(StandardCharsets.US_ASCII)).size());
    }
}
