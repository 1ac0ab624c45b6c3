package dev.signedmail.feedback;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a diagnostic text plus status and reply codes into a {@link Reason}. The text is asked first
 * (the wording is usually more precise than the code: "550 5.1.1 mailbox full" happens), in a fixed
 * order from the most to the least specific cause; then the RFC 3463 status code; then the reply
 * code. The patterns are general phrasings seen across MTAs, not any one MTA's template.
 */
final class ReasonClassifier {
    private static final Map<Reason, Pattern> TEXT = new LinkedHashMap<>();

    private static void on(Reason r, String regex) {
        TEXT.put(r, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
    }

    static {
        on(Reason.NOTACCEPT, "null mx|does not accept (?:any )?(?:e-?)?mail|accepts no (?:e-?)?mail|not accepting (?:any )?(?:e-?)?mail"
                + "|no mx (?:record )?for|mx (?:record )?(?:points to|is) (?:localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0)"
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
                + "|(?:disabled|suspended|inactive|deactivated|locked|closed) (?:account|mailbox|user)|mailbox unavailable.*disabled"
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
                + "|not our customer|no valid recipients|recipient not (?:found|known|valid)|address (?:lookup|verification) failed"
                + "|mailbox (?:name )?not (?:allowed|found|exist)|user (?:account )?(?:is )?unavailable|no account by that name"
                + "|(?:email|e-mail) address couldn't be found|recipient(?:'s)? (?:mailbox|address) (?:is|was) (?:not|unknown|invalid)"
                + "|this user doesn't have|account (?:does not|doesn't) exist|cannot find recipient|no one by that name|delivery to the following recipient failed permanently"
                + "|sorry, no mailbox here|not listed in (?:domino|the|public)|user doesn't exist|unknown local");
        on(Reason.FILTERED, "filtered|refuses? (?:to accept|mail|messages|your mail)|does not (?:wish|want) to receive|(?:recipient|user) (?:has )?(?:blocked|rejected) "
                + "|rejected by (?:the )?recipient|not (?:authorized|allowed) to receive|cannot receive (?:mail|messages) from|only accepts mail from"
                + "|delivery not authorized|has restricted|restricted to|not (?:permitted|authorized) to (?:mail|post|send to)|denied by (?:the )?(?:recipient|user)|message (?:was )?filtered");
        on(Reason.REQUIREPTR, "reverse (?:dns|lookup|hostname)|ptr record|no ptr|cannot find your hostname|(?:ip name|hostname) lookup failed"
                + "|rdns|unresolvable|not resolve (?:your|the)|(?:has|have) no (?:reverse|ptr)");
        on(Reason.NOTCOMPLIANTRFC, "rfc ?5322|rfc ?2822|rfc ?822|not (?:rfc )?compliant|duplicate (?:header|message-id)|multiple (?:from|to|subject|date) headers|multiple addresses in (?:from|sender)");
        on(Reason.BADREPUTATION, "reputation|poor (?:sender )?(?:ip )?score|sender score");
        on(Reason.REJECTED, "after mail from|sender was rejected|sender (?:address |domain )?(?:rejected|denied|refused|invalid|unknown|verify failed|blacklisted)|(?:mail from|envelope sender|from address|sender address).{0,40}(?:rejected|refused|denied|invalid|not allowed|does not exist)"
                + "|domain of sender address|sender verification|bad sender|unknown sender|return path|invalid sender|rejected for policy");
        on(Reason.HOSTUNKNOWN, "host (?:or domain name )?(?:not found|unknown)|unknown host|domain (?:name )?(?:not found|does not exist|unknown|invalid|is invalid)"
                + "|no such domain|unrouteable mail domain|name service error|illegal host|(?:unknown|invalid|nonexistent|non-existent) domain"
                + "|host not found|domain (?:\\S+ )?(?:is not|isn't) (?:a )?(?:valid|local|hosted)|domain (?:is )?(?:not reachable|unreachable)|name or service not known"
                + "|all relevant mx records point to non-existent hosts|no such host|domain lookup failed|dns error.*(?:nxdomain|non-existent)");
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
        on(Reason.CONTENTERROR, "content (?:error|rejected)|invalid mime|mime (?:error|format)|malformed|header (?:error|line|syntax)|improper|8-?bit|bad (?:header|content)");
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
        String t = text.length() > 8192 ? text.substring(0, 8192) : text;
        for (Map.Entry<Reason, Pattern> e : TEXT.entrySet()) {
            if (e.getValue().matcher(t).find()) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The reason an RFC 3463 status code names, or null for generic or ambiguous codes. */
    static Reason fromStatus(String status) {
        if (status.isEmpty()) {
            return null;
        }
        String sd = status.substring(2);
        return switch (sd) {
            case "1.1", "1.3", "1.4", "1.0" -> Reason.USERUNKNOWN;
            case "1.2" -> Reason.HOSTUNKNOWN;
            case "1.6" -> Reason.HASMOVED;
            case "1.7", "1.8" -> Reason.REJECTED;
            case "1.10", "7.27" -> Reason.NOTACCEPT;
            case "2.1", "7.13" -> Reason.SUSPEND;
            case "2.2" -> Reason.MAILBOXFULL;
            case "2.3" -> Reason.EXCEEDLIMIT;
            case "2.0" -> Reason.FILTERED;
            case "3.1" -> Reason.SYSTEMFULL;
            case "3.2" -> Reason.NOTACCEPT;
            case "3.4" -> Reason.MESGTOOBIG;
            case "3.0", "3.5", "4.3", "2.4" -> Reason.SYSTEMERROR;
            // Microsoft answers "550 5.4.1 Recipient address rejected: Access denied" for unknown users
            case "4.1" -> status.startsWith("5") ? Reason.USERUNKNOWN : Reason.NETWORKERROR;
            case "4.2", "4.5", "4.6" -> Reason.NETWORKERROR;
            case "4.4" -> Reason.HOSTUNKNOWN;
            case "4.7" -> Reason.EXPIRED;
            case "5.1", "5.2", "5.3", "5.4", "5.6" -> Reason.SYNTAXERROR;
            case "6.0", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9" -> Reason.CONTENTERROR;
            case "7.20", "7.21", "7.22", "7.23", "7.24", "7.25x", "7.26", "7.509" -> Reason.AUTHFAILURE;
            case "7.25" -> Reason.REQUIREPTR;
            case "7.5", "7.7", "7.8", "7.10", "7.11", "7.14", "7.15", "7.16", "7.17", "7.18", "7.19" -> Reason.SECURITYERROR;
            case "7.9" -> Reason.POLICYVIOLATION;
            case "7.606", "7.511" -> Reason.BLOCKED;
            case "7.650", "7.651" -> Reason.BADREPUTATION;
            case "7.1", "7.0" -> Reason.REJECTED;
            default -> null;
        };
    }

    /** Text first, then status, then reply code; UNDEFINED when nothing is known. */
    static Reason classify(String text, String status, String replyCode) {
        Reason r = fromText(text);
        if (r != null) {
            return r;
        }
        r = fromStatus(status);
        if (r != null) {
            return r;
        }
        return switch (replyCode) {
            case "421" -> Reason.BLOCKED;
            case "450", "451" -> Reason.SYSTEMERROR;
            case "452" -> Reason.MAILBOXFULL;
            case "552" -> Reason.MAILBOXFULL;
            case "553" -> Reason.USERUNKNOWN;
            case "500", "501", "502", "503", "504" -> Reason.SYNTAXERROR;
            case "521", "556" -> Reason.NOTACCEPT;
            default -> Reason.UNDEFINED;
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
    static String pseudoStatus(Reason reason, String replyCode) {
        String detail = switch (reason) {
            case UNDEFINED -> "900";
            case ONHOLD -> "901";
            case SYNTAXERROR -> "902";
            case NORELAYING -> "909";
            case FILTERED -> "910";
            case USERUNKNOWN -> "911";
            case HOSTUNKNOWN -> "912";
            case REJECTED -> "918";
            case SUSPEND -> "921";
            case MAILBOXFULL -> "922";
            case SYSTEMERROR -> "930";
            case NOTACCEPT -> "932";
            case MESGTOOBIG -> "934";
            case NETWORKERROR -> "944";
            case EXPIRED -> "947";
            case BLOCKED -> "971";
            case REQUIREPTR -> "973";
            case SPAMDETECTED -> "980";
            default -> "";
        };
        if (detail.isEmpty()) {
            return "";
        }
        return (replyCode.startsWith("4") ? "4" : "5") + ".0." + detail;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
