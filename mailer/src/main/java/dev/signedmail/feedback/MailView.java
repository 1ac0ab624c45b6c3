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
    /** Text beyond this many chars of a part is ignored by the heuristics. */
    static final int MAX_TEXT = 256 * 1024;

    /**
     * Lines that introduce an inline copy of the original message in plain-text bounces
     * ("--- Below this line is a copy of the message.", "------ This is a copy of the message,
     * including all the headers. ------", "Original message follows", "----- Unsent message below").
     */
    private static final Pattern ORIGINAL_MARKER = Pattern.compile(
            "(?im)^[ \\t>]*(?:"
                    // decorated separator lines that name the original
                    + "[-=_*]{2,}.*\\b(?:copy of|original|returned|unsent|undelivered|below this line|rfc ?822|headers? follow)"
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

    private MailView(Headers headers, String reportText, Headers original, String originalText,
                     boolean mimeReport, String reportType) {
        this.headers = headers;
        this.reportText = reportText;
        this.original = original;
        this.originalText = originalText;
        this.mimeReport = mimeReport;
        this.reportType = reportType;
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
        MailView v = new MailView(root.headers, report.toString(), original, originalText.toString(),
                Headers.mediaType(ct).equals("multipart/report"),
                Headers.param(ct, "report-type").toLowerCase(java.util.Locale.ROOT));
        v.deliveryStatus.addAll(dsn);
        v.feedbackReports.addAll(arf);
        return v;
    }

    private static boolean looksLikeMessage(String text) {
        return Pattern.compile("(?m)\\A(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|X-[\\w-]+|MIME-Version|"
                + "DKIM-Signature|Delivered-To):.*\\r?\\n(?:[ \\t].*\\r?\\n)*){3,}").matcher(text).find();
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
