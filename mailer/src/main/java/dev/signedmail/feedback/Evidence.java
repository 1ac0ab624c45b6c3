package dev.signedmail.feedback;

/**
 * What a reader found about one recipient before classification, and the one place that turns it
 * into a {@link Finding}: the status code comes from the machine-readable field when it is specific,
 * else from the diagnostic text; the reply code from the diagnostic text; the reason from the
 * diagnostic text, then the surrounding human-readable text, then the codes.
 *
 * @param recipient  failed address
 * @param status     status from a DSN Status field, or ""
 * @param diagnostic the recipient's own diagnostic (DSN Diagnostic-Code or the lines next to it)
 * @param context    wider human-readable text of the report, used when the diagnostic says nothing
 * @param action     DSN Action ("failed", "delayed", "delivered", ...) or ""
 * @param diagnosticType DSN Diagnostic-Code type ("smtp", "x-unix") or ""
 * @param noRemoteMta true only for a DSN recipient block without a Remote-MTA field: RFC 3464 2.3.5
 *                   requires that field whenever the failure came from relaying over SMTP, so without
 *                   it the reporting MTA failed the delivery itself (local delivery, its own directory)
 */
record Evidence(String recipient, String status, String diagnostic, String context, String action, String diagnosticType,
                boolean noRemoteMta) {
    private static final int MAX_DIAG = 500;
    /**
     * Only this much of the diagnostic and of the context is read (the classifier reads no more
     * either). A server's reply line is at most 512 octets (RFC 5321 4.5.3.1.5); a longer diagnostic
     * is a hostile one, and each recipient's would otherwise be read in full.
     */
    static final int MAX_SCAN = ReasonClassifier.MAX_SCAN;
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");
    /** Wording of a report that is only a warning: the message is still queued and will be retried. */
    private static final Wording STILL_TRYING = new Wording(
            "temporary failure|will be retried|will (?:continue to )?(?:retry|try again)|still (?:being )?(?:trying|retrying)"
                    + "|retry timeout exceeded|\\bdeferred\\b|delivery (?:is |has been )?delayed|has been delayed|has been postponed"
                    + "|(?:has|have) not yet been delivered|(?:delivery attempts|we) will continue|will continue to (?:try|retry|attempt)");

    Evidence(String recipient, String status, String diagnostic, String context, String action) {
        this(recipient, status, diagnostic, context, action, "", false);
    }

    Finding toFinding() {
        // whitespace is collapsed before the cut, so a few times MAX_SCAN are read raw
        String diag = scanned(WHITESPACE.matcher(diagnostic.substring(0, Math.min(diagnostic.length(), 4 * MAX_SCAN))).replaceAll(" ").strip());
        String context = scanned(this.context);
        String act = action.toLowerCase(java.util.Locale.ROOT);
        String field = StatusCodes.normalise(status);
        String reply0 = StatusCodes.firstReplyCode(diag);
        String st = StatusCodes.prefer(field, statusInText(diag, field), reply0);
        if (st.isEmpty()) {
            st = StatusCodes.bestStatus(context);
        }
        char cls = st.isEmpty() ? (act.startsWith("delayed") ? '4' : '5') : st.charAt(0);
        String reply = StatusCodes.firstReplyCode(diag, cls);
        if (reply.isEmpty()) {
            reply = StatusCodes.firstReplyCode(context, cls);
        }
        if (!reply.isEmpty() && !st.isEmpty() && reply.charAt(0) != st.charAt(0)) {
            reply = ""; // a reply code that contradicts the status is probably some other number
        }
        if (act.startsWith("delivered") || act.startsWith("relayed") || act.startsWith("expanded")
                || (st.startsWith("2") && !act.startsWith("failed"))) {
            return new Finding(recipient, st, reply, Kind.DELIVERED, Reason.DELIVERED, "", bounded(diag));
        }
        SmtpCommand command = SmtpCommand.find(diag);
        if (command == SmtpCommand.NONE) {
            command = SmtpCommand.find(context.length() > 1500 ? context.substring(0, 1500) : context);
        }
        if (command == SmtpCommand.NONE && ReasonClassifier.fromStatus(st) == null && (SmtpCommand.echoesRecipient(diag) || noRemoteMta)) {
            // the reply echoes the refused recipient, so it answered RCPT TO (see SmtpCommand); or no remote
            // server was involved, so no remote filter read the message: the address itself was looked up.
            // Either way "user unknown" is an address error. A status code that names a cause is not overruled.
            command = SmtpCommand.RCPT;
        }
        boolean unix = diagnosticType.toLowerCase(java.util.Locale.ROOT).startsWith("x-unix");
        Reason reason = ReasonClassifier.decide(diag, st, reply, command, unix);
        if (reason == null) {
            reason = ReasonClassifier.decide(context, "", reply, command, unix);
        }
        if (reason == null) {
            reason = ReasonClassifier.fromReplyCode(reply);
        }
        if (reason == null) {
            reason = act.startsWith("delayed") ? Reason.EXPIRED : Reason.UNDEFINED;
        }
        if (reason == Reason.HOSTUNKNOWN && StatusCodes.temporary(st, reply)) {
            reason = Reason.NETWORKERROR; // a temporary DNS failure says nothing about the domain
        }
        if (st.isEmpty()) {
            boolean temporary = reply.startsWith("4") || reply.isEmpty()
                    && (act.startsWith("delayed") || STILL_TRYING.in(diag.isEmpty() ? context : diag));
            st = ReasonClassifier.pseudoStatus(reason, temporary);
        }
        Kind kind = ReasonClassifier.kindOf(reason, st, reply);
        return new Finding(recipient, st, reply, kind, reason, "", bounded(diag.isEmpty() ? WHITESPACE.matcher(context).replaceAll(" ").strip() : diag));
    }

    /**
     * The status code the remote server's own words carry: the first specific one that differs from
     * the DSN field (a summary such as 4.4.7 is often followed by the code of the actual failure).
     */
    private static String statusInText(String diag, String field) {
        java.util.List<String> codes = StatusCodes.allStatuses(diag);
        for (String code : codes) {
            // x.y.0 and x.0.z are "other" codes: a fully specific one quoted later says more
            if (!code.equals(field) && !code.startsWith("2") && !code.contains(".0")) {
                return code;
            }
        }
        for (String code : codes) {
            if (!code.equals(field) && !code.startsWith("2") && !StatusCodes.isGeneric(code)) {
                return code;
            }
        }
        return StatusCodes.bestStatus(diag);
    }

    private static String scanned(String s) {
        return s.length() > MAX_SCAN ? s.substring(0, MAX_SCAN) : s;
    }

    private static String bounded(String s) {
        return s.length() > MAX_DIAG ? s.substring(0, MAX_DIAG) : s;
    }
}
