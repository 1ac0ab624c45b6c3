/**
 * The subscriber side: checks that a received message really comes from the press office and is
 * unchanged. {@link dev.signedmail.verify.MessageVerifier} combines the S/MIME check
 * ({@link dev.signedmail.verify.SmimeVerifier}: signature, chain to the given trust anchors,
 * validity at signing and verification time, key usage, signer = From, no SHA-1/MD5, RFC 9788
 * header protection) and the DKIM check ({@link dev.signedmail.verify.DkimVerifier}: RFC 6376,
 * RFC 8301, RFC 8463, written independently of our signer) into one
 * {@link dev.signedmail.verify.Verdict}. Nothing here throws on malformed mail: every problem
 * becomes a result with a plain-language reason.
 */
package dev.signedmail.verify;
