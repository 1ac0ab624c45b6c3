package dev.signedmail.feedback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounces without a machine-readable report (Postfix, Exim "This message was created automatically
 * by mail delivery software", Sendmail, qmail "Hi. This is the qmail-send program", Exchange NDRs,
 * provider templates ...), read by general patterns instead of one template per MTA:
 * <ol>
 *   <li>the message must look like a bounce (null or daemon sender, a bounce subject, or failure
 *       wording in the text);</li>
 *   <li>recipients are the addresses in the report text, except the bounce's own sender and
 *       addressee and the original's sender, that have failure wording or an SMTP reply / enhanced
 *       status code within a few lines ({@code \b[245]\d\d\b}, {@code \b[245]\.\d{1,3}\.\d{1,3}\b});</li>
 *   <li>the lines from each recipient to the next one are its diagnostic.</li>
 * </ol>
 * When the text names nobody, {@code X-Failed-Recipients} and then the returned original's To are used.
 */
final class PlainTextBounceReader {
    static final int MAX_LINES = 3000;

    private static final Wording DAEMON_FROM = new Wording(
            "mailer[-_ ]?daemon|postmaster|mail delivery|delivery (?:subsystem|status|notification)|mail ?administrator|"
                    + "system administrator|\\bmta\\b|administrator|mail ?system|bounce|returned|noreply|no-reply|mailer\\b|daemon");
    private static final Wording BOUNCE_SUBJECT = new Wording(
            "undeliver|undelivered|delivery (?:status|failure|failed|notification|report|problem|has failed)|returned (?:mail|to sender)"
                    + "|failure notice|mail delivery|could not be delivered|not delivered|non[- ]?delivery|delivery error|bounce|failed|failure|"
                    + "rejected|warning: |nondeliverable|error|message status|notification|mail system error|permanent|delayed|problem");
    static final Wording FAILURE_TEXT = new Wording(
            "fail|error|unknown|invalid|reject|refus|denied|not (?:found|exist|deliver|accept|reach|valid|allowed|permitted)|undeliver"
                    + "|unable|couldn't|could not|cannot|can't|permanent|temporar|bounce|block|full|quota|disabled|suspend|expire"
                    + "|no such|does not|doesn't|problem|unavailable|unreachable|unrouteable|too (?:large|big|many)|giving up|gave up"
                    + "|timed? ?out|deferred|delayed|not be delivered|spam|policy|over ?quota|inactive|no mailbox|mailbox");
    private static final Pattern SPACE = Pattern.compile("\\s");
    private static final Pattern CODE = Pattern.compile("(?=[245])(?<![\\w.])(?:[245]\\.\\d{1,3}\\.\\d{1,3}|[245][0-5]\\d)(?![\\w.]*\\.\\d|\\w)");
    private static final Wording BOUNCE_TEXT = new Wording(
            "could not be delivered|couldn't be delivered|undeliverable|delivery (?:to .{0,80})?(?:has )?failed|permanent (?:error|failure|fatal)"
                    + "|not be delivered|unable to deliver|delivery status notification|failed recipient|message was not delivered|returned mail"
                    + "|wasn't able to deliver|was not able to deliver|following (?:address|recipient)|mail delivery|delivery problem|delivery error"
                    + "|did not reach|couldn't deliver|could not deliver|not delivered|user unknown|delivery has failed|permanently rejected");

    /**
     * A line that is just one word, optionally in angle brackets and followed by a colon; with an
     * address in it ({@link #listed}), a bounce listing its failed recipients. Possessive: the form
     * "\\s*<?[^\\s<>]+@[^\\s<>]+>?:?\\s*" it replaces tried every "@" of a long word as the split point.
     */
    private static final Pattern ONE_WORD = Pattern.compile("\\s*+<?([^\\s<>]++)>?:?\\s*+");

    private PlainTextBounceReader() {
    }

    static boolean looksLikeBounce(MailView v) {
        Headers h = v.headers;
        String from = h.get("from");
        boolean nullSender = SPACE.matcher(h.get("return-path")).replaceAll("").equals("<>");
        boolean daemon = DAEMON_FROM.in(from);
        boolean subject = BOUNCE_SUBJECT.in(h.decoded("subject"));
        boolean text = BOUNCE_TEXT.in(v.reportText);
        boolean failed = !h.get("x-failed-recipients").isEmpty();
        // RFC 5321 4.5.5: notifications go out with a null reverse-path, so null sender + bounce subject is enough
        return failed || v.reportType.equals("delivery-status") || ((nullSender || daemon || subject) && (text || subject && (daemon || nullSender)))
                || (text && (nullSender || daemon || subject));
    }

    /** Whether the line is one address alone: "user@host", "<user@host>:" (a word with an "@" inside). */
    static boolean listed(String line) {
        Matcher m = ONE_WORD.matcher(line);
        if (!m.matches()) {
            return false;
        }
        String word = m.group(1);
        int at = word.indexOf('@', 1);
        return at > 0 && at < word.length() - 1;
    }

    static List<Finding> read(MailView v) {
        Set<String> exclude = excluded(v);
        String[] lines = TextBlocks.LINE_BREAK.split(v.reportText, MAX_LINES + 1);
        int n = Math.min(lines.length, MAX_LINES);
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        Map<String, String> asWritten = new HashMap<>();
        // one more than reported, so that the last reported recipient's entry still ends where the next begins
        for (int i = 0; i < n && firstLine.size() <= BounceParser.MAX_RECIPIENTS; i++) {
            List<String> addresses = Addresses.all(lines[i]);
            if (addresses.isEmpty()) {
                continue;
            }
            // both depend on the line only: worked out once per line, not once per address on it
            boolean listed = listed(lines[i]);
            Boolean failureNearby = null;
            for (String a : addresses) {
                if (firstLine.size() > BounceParser.MAX_RECIPIENTS) {
                    break;
                }
                String key = Addresses.key(a);
                if ((exclude.contains(key) && !listed) || Addresses.isDaemon(a) || firstLine.containsKey(key)) {
                    continue;
                }
                if (failureNearby == null) {
                    // an address alone on its line is usually listed under a heading a few lines up
                    String window = TextBlocks.join(lines, Math.max(0, i - (listed ? 6 : 2)), Math.min(n, i + 6));
                    failureNearby = FAILURE_TEXT.in(window) || CODE.matcher(window).find();
                }
                if (failureNearby) {
                    firstLine.put(key, i);
                    asWritten.put(key, a);
                }
            }
        }
        List<Evidence> found = new ArrayList<>();
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(firstLine.entrySet());
        for (int k = 0; k < Math.min(entries.size(), BounceParser.MAX_RECIPIENTS); k++) {
            int start = entries.get(k).getValue();
            int next = k + 1 < entries.size() ? entries.get(k + 1).getValue() : n;
            int end = Math.min(n, Math.max(start + 1, Math.min(next, start + 12)));
            if (next == start) {
                end = Math.min(n, start + 6);
            }
            String own = TextBlocks.join(lines, start, end);
            String before = TextBlocks.join(lines, Math.max(0, start - 4), start);
            String address = asWritten.get(entries.get(k).getKey());
            found.add(new Evidence(address, "", own, before + "\n" + cap(v.reportText), ""));
        }
        if (found.isEmpty()) {
            List<String> fallback = Addresses.all(v.headers.get("x-failed-recipients"));
            if (fallback.isEmpty()) {
                fallback = Addresses.all(v.original.get("to"));
            }
            for (String a : fallback.subList(0, Math.min(fallback.size(), BounceParser.MAX_RECIPIENTS))) {
                found.add(new Evidence(a, "", v.reportBlocks().around(a), cap(v.reportText), ""));
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Evidence e : found) {
            out.add(e.toFinding());
        }
        return out;
    }

    private static String cap(String s) {
        return s.length() > TextBlocks.MAX_CONTEXT ? s.substring(0, TextBlocks.MAX_CONTEXT) : s;
    }

    /** The bounce's own parties and the original's sender: never the failed recipient. */
    private static Set<String> excluded(MailView v) {
        Set<String> out = new HashSet<>();
        for (String h : new String[] {"from", "to", "cc", "reply-to", "return-path", "sender", "delivered-to", "x-original-to", "errors-to"}) {
            for (String value : v.headers.all(h)) {
                Addresses.all(value).forEach(a -> out.add(Addresses.key(a)));
            }
        }
        for (String h : new String[] {"from", "return-path", "sender", "reply-to"}) {
            Addresses.all(v.original.get(h)).forEach(a -> out.add(Addresses.key(a)));
        }
        return out;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
