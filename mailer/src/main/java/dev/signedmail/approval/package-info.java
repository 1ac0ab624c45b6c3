/**
 * The two-person workflow: draft → submitted → approved → (scheduled) → sending → sent, plus
 * rejected (back to draft), held (guardrails) and retracted. An approval is bound to the SHA-256 of
 * the exact content and templates; {@link dev.signedmail.approval.SendGate} re-checks it in the
 * send path itself, before the outbox is filled and before any SMTP connection.
 */
package dev.signedmail.approval;
