package dev.signedmail.feedback;

import java.util.Locale;

/**
 * Why a message did not arrive, in the vocabulary of the Sisimai project (its README lists the same
 * names), so results can be compared with that corpus. Each reason knows whether it is a permanent
 * address error (only those make a hard bounce) and whether its cause is on the sending side: then
 * operators are alerted and the subscriber is not penalised.
 */
public enum Reason {
    USERUNKNOWN(true, false),
    HOSTUNKNOWN(true, false),
    HASMOVED(true, false),
    /** The domain accepts no mail (null MX, RFC 7505); hard unless reported as temporary. */
    NOTACCEPT(true, false),
    MAILBOXFULL(false, false),
    SUSPEND(false, false),
    EXCEEDLIMIT(false, false),
    MESGTOOBIG(false, false),
    FILTERED(false, false),
    REJECTED(false, false),
    EXPIRED(false, false),
    NETWORKERROR(false, false),
    SYSTEMERROR(false, false),
    SYSTEMFULL(false, false),
    MAILERERROR(false, false),
    TOOMANYCONN(false, true),
    ONHOLD(false, false),
    BLOCKED(false, true),
    SPAMDETECTED(false, true),
    VIRUSDETECTED(false, true),
    CONTENTERROR(false, true),
    POLICYVIOLATION(false, true),
    AUTHFAILURE(false, true),
    BADREPUTATION(false, true),
    SPEEDING(false, true),
    SECURITYERROR(false, true),
    NORELAYING(false, true),
    REQUIREPTR(false, true),
    NOTCOMPLIANTRFC(false, true),
    SYNTAXERROR(false, true),
    UNDEFINED(false, false),
    FEEDBACK(false, false),
    VACATION(false, false),
    DELIVERED(false, false);

    private final boolean addressError;
    private final boolean ourSide;

    Reason(boolean addressError, boolean ourSide) {
        this.addressError = addressError;
        this.ourSide = ourSide;
    }

    /** True for the permanent address errors that make a hard bounce (see {@link Kind#HARD}). */
    public boolean addressError() {
        return addressError;
    }

    /**
     * True when the cause is on the sending side (our IP, DNS, authentication, rate or content) rather
     * than the subscriber's address: alert an operator, do not count it against the subscriber.
     */
    public boolean ourSide() {
        return ourSide;
    }

    /** Lower-case name as in the Sisimai vocabulary ({@code userunknown}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
