/**
 * Delivery: compose (render + sign) per recipient, a small pool of SMTP connections, and the
 * dispatcher that runs a release as a pipe and records every relay answer in the outbox.
 */
package dev.signedmail.send;
