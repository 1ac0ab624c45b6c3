/**
 * Turns an outgoing release into the exact bytes we send: S/MIME-signed (so a forged message is
 * visibly not ours) and then DKIM-signed (so receivers can tie it to our domain). Keys load once
 * per run; {@link dev.signedmail.sign.SignedMessageFactory} is the one place that fixes the order.
 */
package dev.signedmail.sign;
