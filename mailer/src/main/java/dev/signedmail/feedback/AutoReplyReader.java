package dev.signedmail.feedback;

import java.util.List;
import java.util.Locale;

/**
 * Automatic replies: out-of-office, vacation and autoresponder messages. They never count as bounces;
 * the finding names the address that replied (the subscriber who is away). Recognised by RFC 3834
 * {@code Auto-Submitted: auto-replied}, the de-facto headers {@code X-Autoreply}, {@code X-Autorespond},
 * {@code Precedence: auto_reply} and Exchange's {@code X-MS-Exchange-Inbox-Rules-Loop}, or by a
 * subject such as "Automatic reply:", "Out of Office", "Away until ...", "Vacation".
 */
final class AutoReplyReader {
    private static final Wording SUBJECT = new Wording(
            "auto(?:matic)?[ -]?(?:reply|response|responder|antwort)|out of (?:the )?office|\\bvacation\\b|\\baway (?:until|from)"
                    + "|abwesenheit|\\babsence\\b|r[ée]ponse automatique|automatische antwort|respuesta autom[aá]tica|i am away|i'm away|on leave");

    private AutoReplyReader() {
    }

    /** Header evidence (RFC 3834 and de-facto headers). */
    static boolean byHeaders(MailView v) {
        Headers h = v.headers;
        String auto = h.get("auto-submitted").toLowerCase(Locale.ROOT);
        return auto.startsWith("auto-replied") || !h.get("x-autoreply").isEmpty() || !h.get("x-autorespond").isEmpty()
                || h.get("precedence").toLowerCase(Locale.ROOT).contains("auto_reply")
                || !h.get("x-ms-exchange-inbox-rules-loop").isEmpty() || !h.get("x-autoreply-from").isEmpty();
    }

    static boolean bySubject(MailView v) {
        return SUBJECT.in(v.headers.decoded("subject"));
    }

    static List<Finding> read(MailView v) {
        String from = Addresses.first(v.headers.get("from"));
        if (from.isEmpty()) {
            from = Addresses.first(v.headers.get("reply-to"));
        }
        return List.of(new Finding(from, "", "", Kind.AUTO_REPLY, Reason.VACATION, "",
                "Subject: " + v.headers.decoded("subject")));
    }
}
