/**
 * Reads what comes back after a send: delivery status notifications (RFC 3464 and the common
 * non-standard bounce formats), feedback-loop complaints (ARF, RFC 5965/6591) and auto-replies
 * (RFC 3834), and turns each into per-recipient {@link dev.signedmail.feedback.Finding}s with a
 * kind, a reason and whether the cause is on our side. Parsing only: nothing here touches the database.
 */
package dev.signedmail.feedback;
