package dev.signedmail.sign;

import dev.signedmail.testing.Verifiers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.mail.smime.SMIMESigned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmimeSignerTest {
    @TempDir
    Path tmp;

    private static byte[] asMessage(MimeMultipart signed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("Content-Type: " + signed.getContentType() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        signed.writeTo(out);
        return out.toByteArray();
    }

    private static MimeBodyPart awkwardText() throws Exception {
        MimeBodyPart p = new MimeBodyPart();
        // bare CR, bare LF, trailing spaces, a lone dot, "From " and a long line: all things that
        // get rewritten somewhere between signing and the wire if the bytes are not fixed first
        p.setText("line one  \rline two\n.\nFrom here\r\n" + "ü".repeat(100) + "\n", "UTF-8", "plain");
        p.setHeader("Content-Type", "text/plain; charset=UTF-8");
        p.setHeader("Content-Transfer-Encoding", "quoted-printable");
        return p;
    }

    @Test
    void ecP256KeySignsWithEcdsaAndOpensslAgrees() throws Exception {
        Path key = tmp.resolve("ec.key");
        Path cert = tmp.resolve("ec.pem");
        Path p12 = tmp.resolve("ec.p12");
        Path pw = Files.writeString(tmp.resolve("pw"), "ec-test-pass\n");
        Verifiers.Result r = TestFiles.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "30", "-subj", "/CN=EC Test",
                "-addext", "subjectAltName=email:news@example.org", "-addext", "extendedKeyUsage=emailProtection",
                "-addext", "keyUsage=critical,digitalSignature"));
        assertEquals(0, r.exitCode(), r.output());
        r = TestFiles.run(List.of("openssl", "pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(),
                "-passout", "file:" + pw, "-out", p12.toString()));
        assertEquals(0, r.exitCode(), r.output());

        SmimeKey ec = SmimeKey.load(p12, pw);
        assertEquals(1, ec.chain().size(), "self-signed root is dropped only when it is not the signer");
        byte[] msg = asMessage(new SmimeSigner(ec).sign(awkwardText()));

        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(msg));
        SMIMESigned signed = new SMIMESigned((MimeMultipart) parsed.getContent());
        SignerInformation si = signed.getSignerInfos().getSigners().iterator().next();
        assertEquals("1.2.840.10045.4.3.2", si.getEncryptionAlgOID(), "ecdsa-with-SHA256");
        assertTrue(si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(new BouncyCastleProvider())
                .build(ec.certificate())));

        Path file = Files.write(tmp.resolve("ec.eml"), msg);
        r = TestFiles.run(List.of("openssl", "cms", "-verify", "-noverify", "-in", file.toString(), "-out", "/dev/null"));
        assertEquals(0, r.exitCode(), r.output());
    }

    @Test
    void rsaSignatureOverAwkwardTextVerifiesInOpenssl() throws Exception {
        byte[] msg = asMessage(new SmimeSigner(TestFiles.signerKey()).sign(awkwardText()));
        Path file = Files.write(tmp.resolve("rsa.eml"), msg);
        Path content = tmp.resolve("content.txt");
        Verifiers.Result r = TestFiles.run(List.of("openssl", "cms", "-verify", "-CAfile", TestFiles.keys("ca.pem").toString(),
                "-purpose", "smimesign", "-in", file.toString(), "-out", content.toString()));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(Files.readString(content).contains("quoted-printable"));
    }

    @Test
    void refusesContentThatIsNotSevenBit() throws Exception {
        MimeBodyPart p = new MimeBodyPart();
        p.setText("Grüße\n", "UTF-8", "plain");
        p.setHeader("Content-Type", "text/plain; charset=UTF-8");
        p.setHeader("Content-Transfer-Encoding", "8bit");
        SmimeSigner signer = new SmimeSigner(TestFiles.signerKey());
        assertThrows(IllegalArgumentException.class, () -> signer.sign(p));
    }

    /** The per-message SignedData filled into a template (RSA keys) is what Bouncy Castle and OpenSSL expect. */
    @Test
    void templateSignaturesVerifyCarryTheirOwnTimeAndDigest() throws Exception {
        SmimeKey key = SmimeKey.load(TestFiles.keys("signer.p12"), TestFiles.keys("signer.p12.password"));
        SmimeSigner signer = new SmimeSigner(key);
        assertTrue(signer.usesTemplate(), "an RSA key is signed through the template");
        for (String text : List.of("first message", "a second, longer message with other bytes")) {
            byte[] content = ("Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII);
            java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            byte[] der = signer.detachedSignature(content);
            java.time.Instant after = java.time.Instant.now();

            org.bouncycastle.cms.CMSSignedData cms = new org.bouncycastle.cms.CMSSignedData(
                    new org.bouncycastle.cms.CMSProcessableByteArray(content), der);
            SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
            assertTrue(si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(new BouncyCastleProvider())
                    .build(key.certificate())), "verifies over its own content");
            java.time.Instant signedAt = org.bouncycastle.asn1.cms.Time.getInstance(si.getSignedAttributes()
                    .get(org.bouncycastle.asn1.cms.CMSAttributes.signingTime).getAttrValues().getObjectAt(0)).getDate().toInstant();
            assertTrue(!signedAt.isBefore(before) && !signedAt.isAfter(after), signedAt + " within [" + before + ", " + after + "]");

            byte[] other = ("Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "!\r\n").getBytes(StandardCharsets.US_ASCII);
            org.bouncycastle.cms.CMSSignedData forged = new org.bouncycastle.cms.CMSSignedData(
                    new org.bouncycastle.cms.CMSProcessableByteArray(other), der);
            assertThrows(org.bouncycastle.cms.CMSSignerDigestMismatchException.class, () -> forged.getSignerInfos().getSigners()
                    .iterator().next().verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(new BouncyCastleProvider())
                            .build(key.certificate())), "the digest is this content's");

            Path c = Files.write(tmp.resolve("content"), content);
            Path d = Files.write(tmp.resolve("sig.der"), der);
            Verifiers.Result r = TestFiles.run(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", d.toString(),
                    "-content", c.toString(), "-CAfile", TestFiles.keys("ca.pem").toString(), "-purpose", "smimesign",
                    "-out", "/dev/null"));
            assertEquals(0, r.exitCode(), r.output());
        }
    }
}
