/**
 * The audit log: every action on releases, operators and switches, append-only and hash-chained
 * row to row, so that an altered, removed or reordered row is found by {@code audit verify}.
 */
package dev.signedmail.audit;
