/**
 * Delivery: compose (render + sign) per recipient on one signing thread per core, a small pool of
 * SMTP connections with the project's own client, and the dispatcher that runs a release as a
 * pipe and records every relay answer in the outbox.
 */
package dev.signedmail.send;
