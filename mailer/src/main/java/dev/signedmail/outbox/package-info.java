/**
 * The durable per-recipient outbox: audience snapshot, keyset batches of work, and the record of
 * each relay answer. The resume point is the row state, which moves only on the relay's reply.
 */
package dev.signedmail.outbox;
