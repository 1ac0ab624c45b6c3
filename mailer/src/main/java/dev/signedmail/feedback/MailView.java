package dev.signedmail.feedback;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounce as the readers see it: the top headers, the human-readable report text (with any inline
 * copy of the original message cut off), the machine-readable report parts, and the headers of the
 * returned original message. Built from {@link MimePart}; when MIME parsing fails, a raw-text view
 * of the whole message is used instead.
 */
final class MailView {
    /** Input beyond this many bytes is ignored: bounded work per message. */
    static final int MAX_BYTES = 2 * 1024 * 1024;
    /**
     * Text beyond this many chars of a part, and of the report text as a whole, is ignored by the
     * heuristics. The human-readable part of a bounce (RFC 3464 2.1) explains the failure in a few
     * lines per recipient: the longest in the shared corpora is 6.3 KB. Every reported recipient is
     * looked up in this text, so it is bounded to keep a hostile report's cost linear in its size.
     */
    static final int MAX_TEXT = 64 * 1024;

    /**
     * Lines that introduce an inline copy of the original message in plain-text bounces
     * ("--- Below this line is a copy of the message.", "------ This is a copy of the message,
     * including all the headers. ------", "Original message follows", "----- Unsent message below").
     */
    private static final Pattern ORIGINAL_MARKER = Pattern.compile(
            "(?im)^[ \\t>]*+(?:"
                    // decorated separator lines that name the original; possessive, because a line of
                    // 200 KB of dashes otherwise tried every split between the run and the rest: quadratic
                    + "[-=_*]{2,}+.*\\b(?:copy of|original|returned|unsent|undelivered|below this line|rfc ?822|headers? follow)"
                    + "[^\\n]*"
                    // plain phrase lines
                    + "|(?:original message follows|below this line is a copy of the message|unsent message below"
                    + "|(?:a |the )?copy of (?:the |your )?(?:original )?message[^\\n]{0,40}(?:follows|below|attached)"
                    + "|(?:the )?(?:original )?message headers? follows?)[.:]?[ \\t]*"
                    + "|content-type:\\s*(?:message|text)/rfc822(?:-headers)?[^\\n]*)\\r?$");

    final Headers headers;
    final String reportText;
    final List<String> deliveryStatus = new ArrayList<>();
    final List<String> feedbackReports = new ArrayList<>();
    final Headers original;
    final String originalText;
    final boolean mimeReport;
    final String reportType;
    private TextBlocks reportBlocks;

    private MailView(Headers headers, String reportText, Headers original, String originalText,
                     boolean mimeReport, String reportType) {
        this.headers = headers;
        this.reportText = reportText;
        this.original = original;
        this.originalText = originalText;
        this.mimeReport = mimeReport;
        this.reportType = reportType;
    }

    /** The report text as lines, split once for all the recipients looked up in it. */
    TextBlocks reportBlocks() {
        if (reportBlocks == null) {
            reportBlocks = new TextBlocks(reportText);
        }
        return reportBlocks;
    }

    static MailView of(byte[] raw) {
        String latin1 = new String(raw, 0, Math.min(raw.length, MAX_BYTES), StandardCharsets.ISO_8859_1);
        try {
            return fromMime(MimePart.parseMessage(latin1));
        } catch (RuntimeException | StackOverflowError e) {
            return rawText(latin1);
        }
    }

    /** The fallback when MIME parsing fails: headers if they can be read, the rest as one text. */
    static MailView rawText(String latin1) {
        Headers h;
        try {
            int end = latin1.indexOf("\n\n");
            h = Headers.parse(end < 0 ? latin1 : latin1.substring(0, end));
        } catch (RuntimeException e) {
            h = new Headers();
        }
        String text = MimePart.decode(latin1.getBytes(StandardCharsets.ISO_8859_1), "");
        String[] cut = cutOriginal(cap(text));
        return new MailView(h, cut[0], originalHeadersFromText(cut[1]), cut[1], false, "");
    }

    private static MailView fromMime(MimePart root) {
        StringBuilder report = new StringBuilder();
        StringBuilder originalText = new StringBuilder();
        Headers original = null;
        List<String> dsn = new ArrayList<>();
        List<String> arf = new ArrayList<>();
        boolean sawPlain = false;
        for (MimePart p : root.flatten()) {
            if (p.embedded) {
                if (original == null && !p.headers.isEmpty()) {
                    original = p.headers;
                }
                continue;
            }
            if (p.type.equals("message/rfc822") || p.type.endsWith("rfc822-headers") || p.type.equals("message/global")) {
                continue;
            }
            if (!p.isLeaf()) {
                continue;
            }
            switch (p.type) {
                case "message/delivery-status", "message/global-delivery-status" -> dsn.add(cap(p.text()));
                case "message/feedback-report" -> arf.add(cap(p.text()));
                default -> {
                    if (p.type.startsWith("text/") || p.type.equals("message/disposition-notification")) {
                        boolean html = p.type.equals("text/html");
                        if (html && sawPlain) {
                            continue; // the plain alternative already said it
                        }
                        sawPlain |= !html;
                        String text = cap(p.text());
                        // the original may have been attached as text/plain rather than message/rfc822
                        String[] cut = p == root ? cutOriginal(text) : new String[] {text, ""};
                        if (p != root && looksLikeMessage(text) && report.length() > 0) {
                            originalText.append(text).append('\n');
                            if (original == null) {
                                original = originalHeadersFromText(text);
                            }
                            continue;
                        }
                        if (p != root) {
                            cut = cutOriginal(text);
                        }
                        report.append(cut[0]).append('\n');
                        originalText.append(cut[1]);
                    }
                }
            }
        }
        if (original == null) {
            original = originalHeadersFromText(originalText.toString());
        }
        String ct = root.headers.get("content-type");
        MailView v = new MailView(root.headers, cap(report.toString()), original, originalText.toString(),
                Headers.mediaType(ct).equals("multipart/report"),
                Headers.param(ct, "report-type").toLowerCase(java.util.Locale.ROOT));
        v.deliveryStatus.addAll(dsn);
        v.feedbackReports.addAll(arf);
        return v;
    }

    /** A field name that starts a header block of a returned message. */
    private static final Pattern MESSAGE_FIELD = Pattern.compile(
            "(?:Return-Path|Received|From|To|Subject|Date|Message-ID|X-[\\w-]+|MIME-Version|DKIM-Signature|Delivered-To):.*");

    /**
     * Whether the text starts with at least three header fields of a message (each with its folded
     * continuation lines). A scan line by line: the regular expression it replaces recursed once per
     * continuation line and overflowed the stack on a part of some ten thousand folded lines.
     */
    static boolean looksLikeMessage(String text) {
        int fields = 0;
        int pos = 0;
        while (fields < 3) {
            int nl = text.indexOf('\n', pos);
            if (nl < 0) {
                return false; // every counted line must end in a newline
            }
            int end = nl > pos && text.charAt(nl - 1) == '\r' ? nl - 1 : nl;
            char first = end > pos ? text.charAt(pos) : '\n';
            if (first == ' ' || first == '\t') {
                if (fields == 0 || !isLineContent(text, pos, end)) {
                    return false;
                }
            } else if (MESSAGE_FIELD.matcher(text).region(pos, end).matches()) {
                fields++;
            } else {
                return false;
            }
            pos = nl + 1;
        }
        return true;
    }

    /** True when text[from, to) has none of the line terminators regex "." stops at. */
    private static boolean isLineContent(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return false;
            }
        }
        return true;
    }

    static String cap(String s) {
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    }

    /** Splits plain text at the first marker of an inline original message: {report, original}. */
    static String[] cutOriginal(String text) {
        Matcher m = ORIGINAL_MARKER.matcher(text);
        if (m.find() && m.start() > 0) {
            return new String[] {text.substring(0, m.start()), text.substring(m.start())};
        }
        return new String[] {text, ""};
    }

    /** Finds a header block in the text of an inline original message. */
    static Headers originalHeadersFromText(String text) {
        if (text.isEmpty()) {
            return new Headers();
        }
        Matcher m = Pattern.compile("(?m)^(?:Return-Path|Received|From|To|Subject|Date|Message-Id|Delivered-To):")
                .matcher(text);
        if (!m.find()) {
            return new Headers();
        }
        String rest = text.substring(m.start());
        int end = rest.indexOf("\n\n");
        int endCr = rest.indexOf("\r\n\r\n");
        int e = end < 0 ? endCr : (endCr < 0 ? end : Math.min(end, endCr));
        return Headers.parse(e < 0 ? rest : rest.substring(0, e));
    }
}
