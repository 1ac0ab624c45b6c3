/**
 * Unattended sending: {@code run-due} sends approved releases whose scheduled time has come. Safe
 * to start every minute and to overlap: a lease row in the database lets one run work at a time.
 */
package dev.signedmail.cron;
