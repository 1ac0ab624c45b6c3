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
 */
record Evidence(String recipient, String status, String diagnostic, String context, String action) {
    private static final int MAX_DIAG = 500;
    private static final java.util.Set<Reason> VAGUE = java.util.EnumSet.of(Reason.BLOCKED, Reason.SECURITYERROR,
            Reason.SYNTAXERROR, Reason.SYSTEMERROR, Reason.NETWORKERROR, Reason.UNDEFINED);
    private static final java.util.regex.Pattern ADDRESS_STATUS = java.util.regex.Pattern.compile("5\\.1\\.1|5\\.4\\.1");
    private static final java.util.regex.Pattern AFTER_DATA = java.util.regex.Pattern.compile(
            "(?i)(?:in reply to|after) (?:end of )?data\\b|>>> data\\b|smtp command\\s*:?\\s*data\\b|after end of data");

    Finding toFinding() {
        String diag = diagnostic.replaceAll("\\s+", " ").strip();
        String act = action.toLowerCase(java.util.Locale.ROOT);
        String st = StatusCodes.normalise(status);
        String fromDiag = StatusCodes.bestStatus(diag);
        String ctxStatus = StatusCodes.bestStatus(context);
        if (StatusCodes.isGeneric(st) && !fromDiag.isEmpty() && !StatusCodes.isGeneric(fromDiag)
                && (st.isEmpty() || st.charAt(0) == fromDiag.charAt(0))) {
            st = fromDiag;
        }
        if (st.isEmpty()) {
            st = !fromDiag.isEmpty() ? fromDiag : ctxStatus;
        }
        String reply = StatusCodes.firstReplyCode(diag);
        if (reply.isEmpty()) {
            reply = StatusCodes.firstReplyCode(context);
        }
        if (!reply.isEmpty() && !st.isEmpty() && reply.charAt(0) != st.charAt(0)) {
            reply = ""; // a reply code that contradicts the status is probably some other number
        }
        if (act.startsWith("delivered") || act.startsWith("relayed") || act.startsWith("expanded")
                || (st.startsWith("2") && !act.startsWith("failed"))) {
            return new Finding(recipient, st, reply, Kind.DELIVERED, Reason.DELIVERED, "", bounded(diag));
        }
        Reason reason = ReasonClassifier.fromText(diag);
        if (reason != null && VAGUE.contains(reason) && ADDRESS_STATUS.matcher(st).matches()) {
            reason = Reason.USERUNKNOWN; // "550 5.1.1 access denied": the code is more precise than the words
        }
        if (reason == null) {
            reason = ReasonClassifier.fromStatus(st);
        }
        if (reason == null) {
            reason = ReasonClassifier.fromText(context);
        }
        if (reason == null) {
            reason = ReasonClassifier.classify("", st, reply);
        }
        if (reason == Reason.USERUNKNOWN && AFTER_DATA.matcher(diag).find()) {
            reason = Reason.FILTERED; // "unknown user" only after the content was sent is a content filter speaking
        }
        if (reason == Reason.HOSTUNKNOWN && StatusCodes.temporary(st, reply)) {
            reason = Reason.NETWORKERROR; // a temporary DNS failure says nothing about the domain
        }
        if (reason == Reason.UNDEFINED && act.startsWith("delayed")) {
            reason = Reason.EXPIRED;
        }
        if (st.isEmpty() || StatusCodes.isGeneric(st) && st.startsWith("5") && diag.isEmpty()) {
            String pseudo = ReasonClassifier.pseudoStatus(reason, reply);
            if (st.isEmpty() && !pseudo.isEmpty()) {
                st = pseudo;
            }
        }
        Kind kind = ReasonClassifier.kindOf(reason, st, reply);
        return new Finding(recipient, st, reply, kind, reason, "", bounded(diag.isEmpty() ? context.replaceAll("\\s+", " ").strip() : diag));
    }

    private static String bounded(String s) {
        return s.length() > MAX_DIAG ? s.substring(0, MAX_DIAG) : s;
    }
}
