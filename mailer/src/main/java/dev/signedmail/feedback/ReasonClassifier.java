package dev.signedmail.feedback;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a diagnostic text plus status and reply codes into a {@link Reason}. The text is asked first
 * (the wording is usually more precise than the code: "550 5.1.1 mailbox full" happens), in a fixed
 * order from the most to the least specific cause; then the RFC 3463 status code; then the reply
 * code. The patterns are general phrasings seen across MTAs, not any one MTA's template.
 */
final class ReasonClassifier {
    private static final Map<Reason, Wording> TEXT = new LinkedHashMap<>();
    /** Only this much of a text is read: the start of a diagnostic says what happened. */
    static final int MAX_SCAN = 8192;

    private static void on(Reason r, String regex) {
        TEXT.put(r, new Wording(regex));
    }

    /** Each reason's pattern, as one regex (for tests). */
    static Map<Reason, Pattern> patterns() {
        Map<Reason, Pattern> out = new LinkedHashMap<>();
        TEXT.forEach((r, w) -> out.put(r, w.pattern()));
        return out;
    }

    /**
     * What one text says: each reason is looked for at most once per text (the rules below ask about
     * some several times), with its {@link Wording}, which runs only the alternatives whose words the
     * text contains.
     */
    static final class Said {
        private final String text;
        private String lower;
        private final Boolean[] memo = new Boolean[Reason.values().length];

        Said(String text) {
            String t = text == null ? "" : text;
            this.text = t.length() > MAX_SCAN ? t.substring(0, MAX_SCAN) : t;
        }

        boolean says(Reason r) {
            Boolean known = memo[r.ordinal()];
            if (known == null) {
                known = match(r);
                memo[r.ordinal()] = known;
            }
            return known;
        }

        private boolean match(Reason r) {
            Wording w = TEXT.get(r);
            if (w == null || text.isEmpty()) {
                return false;
            }
            if (lower == null) {
                lower = RequiredLiterals.lower(text);
            }
            return w.in(text, lower);
        }
    }

    // No unbounded ".*" between two words: repeated, the first word made each find() go over the rest
    // of the text again. Both words of one reply line are at most 512 octets apart (RFC 5321 4.5.3.1.5).
    static {
        on(Reason.NOTACCEPT, "null mx|does not accept (?:any )?(?:e-?)?mail|accepts no (?:e-?)?mail|not accepting (?:any )?(?:e-?)?mail"
                + "|no mx (?:records? )?(?:found )?for|mx (?:record )?(?:points to|is) (?:localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0)"
                + "|(?:host|domain) (?:\\S+ )?does not receive (?:any )?mail");
        on(Reason.MAILBOXFULL, "mail ?box (?:is )?(?:full|over ?quota|exceeded|size limit)|over ?quota|quota (?:exceeded|full|exceed)"
                + "|exceeded? (?:his|her|the|their|its)? ?(?:storage|quota|mailbox)|insufficient (?:disk |system )?(?:space|storage)"
                + "|disk (?:quota|full)|(?:user|recipient|account)(?:'s)? (?:mailbox )?(?:is )?(?:over|full)|storage (?:limit|quota|full)"
                + "|not enough (?:space|storage)|mailbox has exceeded|would exceed|out of (?:disk )?space|full mailbox"
                + "|inbox is full|mailfolder is full|no space left");
        on(Reason.MESGTOOBIG, "message (?:size )?(?:is )?(?:too (?:big|large)|exceeds (?:the )?(?:maximum|fixed|size))"
                + "|(?:mail|message|email) size (?:limit )?(?:exceeds|exceeded)|exceeds? (?:the )?(?:maximum )?(?:message )?size"
                + "|size (?:limit )?exceeded|message length exceeds|too big for|larger than (?:the )?(?:maximum|allowed)");
        on(Reason.EXCEEDLIMIT, "message header size exceeds|exceeded (?:the )?(?:recipient|message) limit|too many recipients");
        on(Reason.SUSPEND, "(?:account|mailbox|user|address|recipient) (?:has been |is |was )?(?:temporarily )?(?:disabled|suspended|inactive|deactivated|locked|frozen|blocked by the administrator|expired|closed|on hold|not active)"
                + "|(?:disabled|suspended|inactive|deactivated|locked|closed) (?:account|mailbox|user)|mailbox unavailable.{0,500}disabled"
                + "|not an active|account (?:that you tried to reach )?is disabled");
        on(Reason.HASMOVED, "has (?:been )?moved|address (?:has )?changed|no longer (?:at|with|uses?) this|new (?:e-?mail )?address is");
        on(Reason.NORELAYING, "relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed|refused)|unable to relay|(?:we do not|not permitted to|cannot|can't|will not) relay"
                + "|relay not permitted|not (?:a )?(?:gateway|relay)|no relaying");
        on(Reason.AUTHFAILURE, "\\bspf\\b|\\bdkim\\b|\\bdmarc\\b|sender policy framework|authentication (?:check )?fail|unauthenticated (?:email|mail|sender)"
                + "|not authenticated|authentication checks? failed|domain.{0,30}(?:does not designate|not designated)");
        on(Reason.USERUNKNOWN, "user ?(?:name )?(?:unknown|not (?:found|known|exist|listed|local|here))|unknown (?:user|recipient|local[- ]?part|address|mailbox|e-?mail)"
                + "|no such (?:user|mailbox|recipient|address|account|local user|person|e-?mail)|(?:user|mailbox|recipient|address|account|addressee|e-?mail address) (?:does not|doesn't|did not|not) exists?"
                + "|(?:mailbox|recipient|address|user|account) (?:is )?(?:unavailable|not found|unknown|invalid|not valid)|invalid (?:recipient|mailbox|user|address|account|e-?mail)"
                + "|not a valid (?:mailbox|user|recipient|address)|unrouteable address|bad destination"
                + "|addressee unknown|(?:is|was) not a known user|undeliverable address|unknown or illegal alias|no mailbox"
                + "|(?:doesn't|does not) have an? \\S+ account|the e-?mail account that you tried to reach does not exist"
                + "|not our customer|no valid recipients|recipient address rejected(?:: access denied|\\.?\\s*$|\\.?\\s*\\(in reply to rcpt)|recipient not (?:found|known|valid)|address (?:lookup|verification) failed"
                + "|mailbox (?:name )?not (?:allowed|found|exist)|user (?:account )?(?:is )?unavailable|no account by that name"
                + "|(?:email|e-mail) address couldn't be found|recipient(?:'s)? (?:mailbox|address) (?:is|was) (?:not|unknown|invalid)"
                + "|this user doesn't have|account (?:does not|doesn't) exist|cannot find recipient|no one by that name"
                + "|sorry, no mailbox here|not listed in (?:domino|the|public)|user doesn't exist|unknown local");
        on(Reason.FILTERED, "filtered|refuses? (?:to accept|mail|messages|your mail)|does not (?:wish|want) to receive|(?:recipient|user) (?:has )?(?:blocked|rejected) "
                + "|rejected by (?:the )?recipient|not (?:authorized|allowed) to receive|cannot receive (?:mail|messages) from|only accepts mail from"
                + "|delivery not authorized|has restricted|restricted to|not (?:permitted|authorized) to (?:mail|post|send to)|denied by (?:the )?(?:recipient|user)|message (?:was )?filtered");
        on(Reason.REQUIREPTR, "reverse (?:dns|lookup|hostname)|ptr record|no ptr|cannot find your hostname|(?:ip name|hostname) lookup failed"
                + "|rdns|unresolvable|not resolve (?:your|the)|(?:has|have) no (?:reverse|ptr)");
        on(Reason.NOTCOMPLIANTRFC, "rfc ?5322|rfc ?2822|rfc ?822|not (?:rfc )?compliant|duplicate (?:header|message-id)|multiple (?:from|to|subject|date) headers|multiple addresses in (?:from|sender)");
        on(Reason.BADREPUTATION, "reputation|poor (?:sender )?(?:ip )?score|sender score");
        on(Reason.REJECTED, "after mail from|sender was rejected|sender (?:address |domain )?(?:rejected|denied|refused|invalid|unknown|verify failed|blacklisted)|(?:mail from|envelope sender|from address|sender address).{0,40}(?:rejected|refused|denied|invalid|not allowed|does not exist)"
                + "|domain of sender address|sender verification|from:? domain (?:is )?invalid|bad sender|unknown sender|return path|invalid sender|rejected for policy");
        on(Reason.HOSTUNKNOWN, "host (?:or domain name )?unknown|unknown host|domain (?:name )?(?:not found|does not exist|unknown|invalid|is invalid)"
                + "|no such domain|unrouteable mail domain|illegal host|(?:unknown|invalid|nonexistent|non-existent) domain"
                + "|host (?:\\S+ )?not found(?!,? try again)|domain (?:\\S+ )?(?:is not|isn't) (?:a )?(?:valid|local|hosted)|domain (?:is )?(?:not reachable|unreachable)|name or service not known"
                + "|all relevant mx records point to non-existent hosts|no such host|domain lookup failed|dns error.{0,500}(?:nxdomain|non-existent)");
        on(Reason.SPAMDETECTED, "spam(?!haus|cop)|junk mail|\\buce\\b|unsolicited|bulk e?mail|looks like (?:spam|bulk)|message content (?:rejected|refused)"
                + "|content rejected|rejected as spam|scored as");
        on(Reason.SPEEDING, "rate limit|rate-limit|ratelimit|too many (?:messages|mails|e-?mails)|sending rate|throttl|exceeded .{0,30}rate"
                + "|too fast|(?:message|connection) rate|slow down|temporarily deferred due to");
        on(Reason.TOOMANYCONN, "too many (?:connections|simultaneous|concurrent|sessions)|connection limit|too many smtp sessions");
        on(Reason.BLOCKED, "blocked|black ?list|block ?list|deny ?list|\\brbl\\b|dnsbl|spamhaus|spamcop|sorbs|barracuda|listed (?:in|on|at|by)"
                + "|client host .{0,60}rejected|(?:your|sender|client|connecting) (?:ip|host|server|network).{0,40}(?:rejected|refused|denied|not allowed)"
                + "|connection (?:refused|rejected|denied) .{0,40}(?:ip|host)|banned|not allowed to (?:send|connect)"
                + "|service (?:unavailable|refused).{0,40}(?:ip|client)");
        on(Reason.VIRUSDETECTED, "virus|malware|infected|trojan|worm detected");
        on(Reason.MAILERERROR, "mailer error|x-unix|command (?:failed|died)|exit (?:status|code) \\d|procmail|program exited|pipe to");
        on(Reason.SYSTEMFULL, "system (?:is )?full|(?:mail )?system (?:storage|disk) full|insufficient system storage");
        on(Reason.CONTENTERROR, "content (?:error|rejected)|invalid mime|mime (?:error|format)|malformed (?:mime|message|header|content)|header (?:error|line|syntax)|improper|8-?bit|bad (?:header|content)");
        on(Reason.SECURITYERROR, "access denied|authentication (?:is )?required|must (?:issue|use) (?:a )?starttls|tls (?:is )?required|encryption required"
                + "|smtp auth|submission requires|certificate|insecure|security (?:policy|error)|not authorized to send");
        on(Reason.EXPIRED, "expired|retry time(?:out)? (?:not reached|exceeded)|too long in (?:the )?queue|(?:could|has) not been delivered (?:for|within|after)|giving up"
                + "|retry timeout|delivery time ?out|no (?:more )?retries|has been delayed|undeliverable for|delivery (?:has )?failed after|message timed out|queue ?time|was not delivered within"
                + "|maximum (?:time|retries)|gave up|could not be delivered within");
        on(Reason.SYSTEMERROR, "system (?:error|failure|config)|internal (?:server )?error|server error|local error|configuration error|temporary (?:server |system )?(?:error|failure|problem)"
                + "|resources? (?:temporarily )?unavailable|service (?:not available|unavailable)|try again later|misconfigur");
        on(Reason.NETWORKERROR, "host not found, try again|network (?:is )?unreachable|no route to host|connection (?:timed out|refused|reset|lost)|lost connection|timed? ?out|unable to connect"
                + "|could(?:n't| not) connect|host (?:not reachable|unreachable)|too many hops|hop count|mail loop|loops back|routing loop|dns (?:error|failure|lookup)"
                + "|temporary (?:lookup|dns) failure|name server|unable to (?:reach|contact)");
        on(Reason.POLICYVIOLATION, "polic(?:y|ies)|violat|prohibited|not (?:permitted|allowed) (?:content|attachment)|attachment (?:type )?(?:not allowed|blocked|rejected)");
        on(Reason.SYNTAXERROR, "syntax error|command (?:unrecognized|not recognized|not implemented)|unrecognized command|bad sequence of commands|line too long");
    }

    private ReasonClassifier() {
    }

    /** The reason the text names, or null when no pattern fires. */
    static Reason fromText(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Said said = new Said(text);
        for (Reason r : TEXT.keySet()) {
            if (said.says(r)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The reason an RFC 3463 / IANA enhanced status code names, in the vocabulary of Sisimai's status
     * table; null for codes that name no cause (x.0.0, x.4.0, x.5.0, 4.3.0, 4.7.0 ...). A 4.x code
     * for an address error is only mapped where a temporary address error makes sense.
     */
    static Reason fromStatus(String status) {
        if (status.length() < 5) {
            return null;
        }
        boolean temp = status.startsWith("4");
        String sd = status.substring(2);
        return switch (sd) {
            case "1.0", "1.1", "1.3" -> temp ? null : Reason.USERUNKNOWN;
            case "1.2" -> temp ? null : Reason.HOSTUNKNOWN;
            case "1.4" -> temp ? null : Reason.FILTERED;
            case "1.6" -> Reason.HASMOVED;
            case "1.7", "1.8" -> Reason.REJECTED;
            case "1.9", "3.3", "3.5", "4.3" -> Reason.SYSTEMERROR;
            case "1.10", "3.2", "7.27" -> Reason.NOTACCEPT;
            case "2.0", "2.4" -> temp && sd.equals("2.0") ? null : Reason.FILTERED;
            case "2.1" -> temp ? Reason.BLOCKED : Reason.FILTERED;
            case "2.2" -> Reason.MAILBOXFULL;
            case "2.3" -> Reason.EXCEEDLIMIT;
            case "3.0" -> temp ? null : Reason.SYSTEMERROR;
            case "3.1" -> Reason.SYSTEMFULL;
            case "3.4", "7.16" -> Reason.MESGTOOBIG;
            case "4.0" -> temp ? null : Reason.NETWORKERROR;
            case "4.1", "4.7" -> temp ? Reason.EXPIRED : null;
            case "4.2", "4.6", "4.8" -> Reason.NETWORKERROR;
            case "4.4" -> temp ? Reason.NETWORKERROR : Reason.HOSTUNKNOWN;
            case "4.5" -> temp ? Reason.SYSTEMFULL : null;
            case "5.2", "5.6" -> temp ? null : Reason.SYNTAXERROR;
            case "5.3" -> temp ? Reason.SYSTEMERROR : Reason.TOOMANYCONN;
            case "5.4", "5.5" -> Reason.SYSTEMERROR;
            case "6.0", "6.1", "6.2", "6.3", "6.5", "6.6", "6.7", "6.8", "6.9" -> temp && !TEMPORARY_CONTENT.contains(sd) ? null : Reason.CONTENTERROR;
            case "7.0" -> temp ? null : Reason.SECURITYERROR;
            case "7.1", "7.2" -> temp ? Reason.BLOCKED : Reason.SECURITYERROR;
            case "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "7.10", "7.11", "7.12", "7.14", "7.15", "7.19" -> Reason.SECURITYERROR;
            case "7.13" -> Reason.SUSPEND;
            case "7.17", "7.18" -> Reason.HASMOVED;
            case "7.20", "7.21", "7.22", "7.23", "7.24", "7.26", "7.29" -> Reason.AUTHFAILURE;
            case "7.25" -> Reason.REQUIREPTR;
            case "7.28" -> Reason.SPAMDETECTED;
            default -> null;
        };
    }

    /** X.6.x details that name a content error even as a temporary (4.x) code. */
    private static final Set<String> TEMPORARY_CONTENT = Set.of("6.0", "6.2", "6.5");
    /** RFC 5321 4.2.3: the replies to a command the server could not parse. */
    private static final Set<String> SYNTAX_REPLIES = Set.of("500", "501", "502", "503", "504");

    /** Reasons a status code suggests too vaguely to stand against the text (Sisimai "retry" set). */
    private static final Set<Reason> RETRY = EnumSet.of(Reason.UNDEFINED, Reason.ONHOLD, Reason.SYSTEMERROR,
            Reason.SECURITYERROR, Reason.EXPIRED, Reason.NETWORKERROR, Reason.HOSTUNKNOWN, Reason.USERUNKNOWN);

    /**
     * Causes tried first, each by its status code or its wording: the specific mailbox and address
     * causes before the broad policy ones (Sisimai's documented order).
     */
    private static final List<Reason> FIRST_PASS = List.of(Reason.MAILBOXFULL, Reason.MESGTOOBIG, Reason.EXCEEDLIMIT,
            Reason.SUSPEND, Reason.HASMOVED, Reason.NORELAYING, Reason.AUTHFAILURE, Reason.USERUNKNOWN, Reason.FILTERED,
            Reason.REQUIREPTR, Reason.NOTCOMPLIANTRFC, Reason.BADREPUTATION, Reason.CONTENTERROR, Reason.REJECTED,
            Reason.HOSTUNKNOWN, Reason.SPAMDETECTED, Reason.SPEEDING, Reason.TOOMANYCONN, Reason.BLOCKED);

    /** Causes tried by wording only, when the status code named nothing decisive. */
    private static final List<Reason> SECOND_PASS = List.of(Reason.MAILBOXFULL, Reason.AUTHFAILURE, Reason.BADREPUTATION,
            Reason.SPEEDING, Reason.SPAMDETECTED, Reason.VIRUSDETECTED, Reason.POLICYVIOLATION, Reason.NORELAYING,
            Reason.SYSTEMERROR, Reason.NETWORKERROR, Reason.SUSPEND, Reason.CONTENTERROR, Reason.SYSTEMFULL,
            Reason.NOTACCEPT, Reason.EXPIRED, Reason.SECURITYERROR, Reason.MAILERERROR);

    /** What the X.1.x addressing codes other than 5.1.4 ("ambiguous", already filtered) name. */
    private static final Set<Reason> ADDRESS_STATUS = EnumSet.of(Reason.NOTACCEPT, Reason.HOSTUNKNOWN, Reason.HASMOVED);

    /** Wording that says "user unknown" may still really be one of these (the code 5.1.1 is often a default). */
    private static final List<Reason> NOT_REALLY_UNKNOWN = List.of(Reason.NORELAYING, Reason.BLOCKED, Reason.MAILBOXFULL,
            Reason.HASMOVED, Reason.REJECTED, Reason.NOTACCEPT);

    /** The cause the words name instead, when a "user unknown" status code is contradicted by them. */
    private static Reason vetoOfUnknown(Said text) {
        for (Reason o : NOT_REALLY_UNKNOWN) {
            if (text.says(o)) {
                return o;
            }
        }
        return null;
    }

    static boolean says(Reason r, String text) {
        return new Said(text).says(r);
    }

    /**
     * Decides the reason for one recipient.
     *
     * @param text      the recipient's diagnostic (lower priority context is the caller's business)
     * @param status    enhanced status code or ""
     * @param replyCode SMTP reply code or ""
     * @param command   the SMTP command that was refused
     * @param unixError true when the diagnostic is of type X-Unix (a local delivery program failed)
     * @return the reason, or null when neither the codes nor the text say anything
     */
    static Reason decide(String text, String status, String replyCode, SmtpCommand command, boolean unixError) {
        return decide(new Said(text), status, replyCode, command, unixError);
    }

    private static Reason decide(Said text, String status, String replyCode, SmtpCommand command, boolean unixError) {
        Reason named = fromStatus(status);
        if (!unixError) {
            for (Reason r : FIRST_PASS) {
                if (probe(r, named, text, command)) {
                    return r;
                }
            }
        }
        if (named == null || RETRY.contains(named)) {
            for (Reason r : SECOND_PASS) {
                if (text.says(r)) {
                    return r;
                }
            }
        }
        if (named == Reason.USERUNKNOWN && vetoOfUnknown(text) != null) {
            return vetoOfUnknown(text); // "5.1.0 sender rejected": the default code must not make it an address error
        }
        if (named != null) {
            return named;
        }
        if (status.length() >= 3 && status.substring(1, 3).equals(".6")) {
            return Reason.CONTENTERROR;
        }
        if (status.length() >= 3 && status.substring(1, 3).equals(".7")) {
            return Reason.SECURITYERROR;
        }
        if (unixError) {
            return Reason.MAILERERROR;
        }
        if (text.says(Reason.SYNTAXERROR) || SYNTAX_REPLIES.contains(replyCode)) {
            return Reason.SYNTAXERROR;
        }
        if (command == SmtpCommand.HELO || command == SmtpCommand.EHLO || command == SmtpCommand.CONN) {
            return Reason.BLOCKED; // refused before any address was given: the client itself is refused
        }
        return null;
    }

    /** Whether the status code or the wording points at the reason, with the command-dependent rules. */
    private static boolean probe(Reason r, Reason named, Said text, SmtpCommand command) {
        switch (r) {
            case USERUNKNOWN:
                if (named == Reason.USERUNKNOWN) {
                    return vetoOfUnknown(text) == null;
                }
                return command == SmtpCommand.RCPT && text.says(Reason.USERUNKNOWN);
            case FILTERED:
                if (named == Reason.FILTERED) {
                    return text.says(Reason.USERUNKNOWN) || text.says(Reason.FILTERED);
                }
                if (named != null && ADDRESS_STATUS.contains(named)) {
                    return false; // an X.1.x addressing status (RFC 3463) is about the address, never a content filter
                }
                // "user unknown" that was not an answer to RCPT TO: the message was read and refused by a filter
                return !command.beforeData() && (text.says(Reason.FILTERED) || text.says(Reason.USERUNKNOWN));
            case REJECTED:
                if (named == Reason.REJECTED) {
                    return true;
                }
                if (command == SmtpCommand.MAIL) {
                    return text.says(Reason.REJECTED);
                }
                if (command == SmtpCommand.DATA) {
                    return named != Reason.USERUNKNOWN && text.says(Reason.REJECTED);
                }
                return (named == null || named == Reason.SECURITYERROR || named == Reason.SYSTEMERROR) && text.says(Reason.REJECTED);
            case HOSTUNKNOWN:
                if (named == Reason.HOSTUNKNOWN) {
                    return !text.says(Reason.NETWORKERROR);
                }
                return text.says(Reason.HOSTUNKNOWN);
            default:
                return named == r || text.says(r);
        }
    }

    /** What an SMTP reply code alone suggests (RFC 5321 4.2.3), or null. */
    static Reason fromReplyCode(String replyCode) {
        return switch (replyCode) {
            case "421" -> Reason.BLOCKED;
            case "450", "451" -> Reason.SYSTEMERROR;
            case "452", "552" -> Reason.MAILBOXFULL;
            case "553" -> Reason.USERUNKNOWN;
            case "500", "501", "502", "503", "504" -> Reason.SYNTAXERROR;
            case "521", "556" -> Reason.NOTACCEPT;
            default -> null;
        };
    }

    /** The kind of finding a reason and codes make: only address errors are hard. */
    static Kind kindOf(Reason reason, String status, String replyCode) {
        return switch (reason) {
            case FEEDBACK -> Kind.COMPLAINT;
            case VACATION -> Kind.AUTO_REPLY;
            case DELIVERED -> Kind.DELIVERED;
            case NOTACCEPT -> StatusCodes.temporary(status, replyCode) ? Kind.SOFT : Kind.HARD;
            default -> reason.addressError() ? Kind.HARD : Kind.SOFT;
        };
    }

    /**
     * Sisimai reports a made-up "5.0.9xx" (or "4.0.9xx") code when a bounce carries no status; the
     * same pseudo codes are produced here so the two stay comparable.
     */
    static String pseudoStatus(Reason reason, boolean temporary) {
        String detail = switch (reason) {
            case UNDEFINED -> "900";
            case ONHOLD -> "901";
            case SYNTAXERROR -> "902";
            case NORELAYING -> "909";
            case FILTERED -> temporary ? "924" : "910";
            case USERUNKNOWN -> "911";
            case HOSTUNKNOWN -> "912";
            case HASMOVED -> "916";
            case REJECTED -> "918";
            case SUSPEND -> "921";
            case MAILBOXFULL -> "922";
            case EXCEEDLIMIT -> "923";
            case AUTHFAILURE -> "926";
            case SYSTEMERROR -> "930";
            case SYSTEMFULL -> "931";
            case NOTACCEPT -> "932";
            case MESGTOOBIG -> "934";
            case MAILERERROR -> "939";
            case NETWORKERROR -> "944";
            case TOOMANYCONN -> "945";
            case SPEEDING -> "946";
            case EXPIRED -> "947";
            case CONTENTERROR -> "960";
            case SECURITYERROR -> "970";
            case BLOCKED -> "971";
            case POLICYVIOLATION -> "972";
            case REQUIREPTR -> "973";
            case NOTCOMPLIANTRFC -> "974";
            case BADREPUTATION -> "975";
            case SPAMDETECTED -> "980";
            case VIRUSDETECTED -> "981";
            default -> "";
        };
        if (detail.isEmpty()) {
            return "";
        }
        return (temporary ? "4" : "5") + ".0." + detail;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
