package dev.signedmail.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.sign.DkimKey;
import dev.signedmail.sign.DkimSigner;
import dev.signedmail.sign.OutgoingMessage;
import dev.signedmail.sign.SignedMessageFactory;
import dev.signedmail.sign.SmimeKey;
import dev.signedmail.sign.SmimeSigner;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.mail.smime.SMIMESignedGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Messages made by our own signer (and hand-built bad ones) must get the right verdict. */
class OwnMessagesTest {
    private static final String SUMMARY = "Authentic: signed by Example Press Office <news@example.org>, content unchanged.";
    private static SignedMessageFactory factory;
    private static DkimSigner dkimSigner;
    private static KeyRecords dns;
    private static List<X509Certificate> anchors;

    @BeforeAll
    static void setUp() throws Exception {
        SmimeKey key = smimeKey("signer.p12");
        DkimKey dkimKey = DkimKey.load(Corpora.keys("dkim-private.pem"), "example.org", "demo");
        dkimSigner = new DkimSigner(dkimKey);
        factory = new SignedMessageFactory(new SmimeSigner(key), dkimSigner);
        dns = KeyRecords.of(Map.of("demo._domainkey.example.org", Files.readString(Corpora.keys("dkim.txt")).strip()));
        anchors = SmimeVerifier.readCertificates(Corpora.keys("ca.pem"));
    }

    static SignedMessageFactory factory() {
        return factory;
    }

    static SmimeKey smimeKey(String p12) {
        return SmimeKey.load(Corpora.keys(p12), Corpora.keys("signer.p12.password"));
    }

    static OutgoingMessage message(String subject) throws Exception {
        return new OutgoingMessage(
                new InternetAddress("news@example.org", "Example Press Office", "UTF-8"),
                new InternetAddress("reader@example.net", "Ånne Reader", "UTF-8"),
                subject, Instant.now().truncatedTo(ChronoUnit.SECONDS), "1.verify@example.org", "press.example.org",
                "https://example.org/unsubscribe?t=abc123", "mailto:unsubscribe@example.org?subject=unsubscribe",
                "Station Road is closed.\nDetours are signposted.\n", "<p>Station Road is <b>closed</b>.</p>\n");
    }

    static VerificationReport verify(byte[] message) {
        return verify(message, Instant.now(), anchors);
    }

    static VerificationReport verify(byte[] message, Instant at, List<X509Certificate> trusted) {
        return new MessageVerifier(trusted, dns, at).verify(message);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A message signed by hand with Bouncy Castle: {@code key}'s S/MIME signature over a text part
     * (with {@code innerHeaders} inside it, for RFC 9788), then outer headers, then our DKIM.
     */
    static byte[] handBuilt(SmimeKey key, String from, String subject, Instant signingTime, String innerHeaders) throws Exception {
        String part = "Content-Type: text/plain; charset=UTF-8" + (innerHeaders == null ? "" : "; hp=\"clear\"") + "\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + (innerHeaders == null ? "" : innerHeaders)
                + "\r\nStation Road is closed.\r\n";
        MimeBodyPart content = new MimeBodyPart(new ByteArrayInputStream(bytes(part)));
        SMIMESignedGenerator gen = new SMIMESignedGenerator();
        JcaSimpleSignerInfoGeneratorBuilder b = new JcaSimpleSignerInfoGeneratorBuilder();
        if (signingTime != null) {
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(new Attribute(CMSAttributes.signingTime, new DERSet(new Time(Date.from(signingTime)))));
            b.setSignedAttributeGenerator(new AttributeTable(v));
        }
        gen.addSignerInfoGenerator(b.build("SHA256withRSA", key.privateKey(), key.certificate()));
        gen.addCertificates(new JcaCertStore(key.chain()));
        MimeMultipart mp = gen.generate(content);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        mp.writeTo(body);
        String headers = "From: " + from + "\r\nTo: reader@example.net\r\nSubject: " + subject
                + "\r\nDate: Sat, 1 Mar 2025 10:00:00 +0000\r\nMessage-ID: <hand.1@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + mp.getContentType().replace("\r\n", "\r\n") + "\r\n\r\n";
        byte[] unsigned = (str(bytes(headers)) + body.toString(StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        return dkimSigner.sign(unsigned, Instant.now());
    }

    @Test
    void ourOwnMessageIsAuthentic() throws Exception {
        VerificationReport r = verify(factory.build(message("Road closed")));
        assertEquals(Verdict.AUTHENTIC, r.verdict(), r.toText());
        assertEquals(SUMMARY, r.summary());
        assertEquals(SmimeResult.Status.GOOD, r.smime().status());
        assertEquals(1, r.dkim().size());
        assertEquals(DkimResult.Status.PASS, r.dkim().get(0).result(), r.toText());
        assertTrue(r.toJson().contains("\"verdict\" : \"authentic\""), r.toJson());
    }

    @Test
    void lfOnlyCopyIsStillAuthentic() throws Exception {
        byte[] lf = bytes(str(factory.build(message("Road closed"))).replace("\r\n", "\n"));
        VerificationReport r = verify(lf);
        assertEquals(Verdict.AUTHENTIC, r.verdict(), r.toText());
        assertEquals(DkimResult.Status.PASS, r.dkim().get(0).result(), r.toText());
    }

    @Test
    void changedSubjectIsNotAuthentic() throws Exception {
        byte[] original = factory.build(message("Road closed"));
        assertTrue(str(original).contains("hp=\"clear\""), "RFC 9788 header protection on the signed part");
        byte[] changed = bytes(str(original).replaceFirst("Subject: Road closed", "Subject: Road open again"));
        VerificationReport r = verify(changed);
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertEquals(SmimeResult.Status.GOOD, r.smime().status(), "the content itself is unchanged");
        assertTrue(r.smime().headerProtection().present());
        assertTrue(r.summary().contains("the Subject was changed after signing"), r.summary());
        assertTrue(r.summary().contains("Road open again"), r.summary());
        assertEquals(DkimResult.Status.FAIL, r.dkim().get(0).result());
        assertTrue(r.dkim().get(0).reason().contains("signature mismatch"), r.dkim().get(0).reason());
    }

    @Test
    void resentUnderANewSubjectWithAFreshDkimSignatureIsNotAuthentic() throws Exception {
        // Someone holding a DKIM key (or the mail login) re-sends our signed release: DKIM passes,
        // only the signed copy of the Subject inside the S/MIME part gives it away.
        String original = str(factory.build(message("Road closed")));
        String withoutDkim = original.substring(original.indexOf("\r\nFrom:") + 2);
        byte[] resent = dkimSigner.sign(bytes(withoutDkim.replaceFirst("Subject: Road closed", "Subject: Evacuate now")), Instant.now());
        VerificationReport r = verify(resent);
        assertEquals(DkimResult.Status.PASS, r.dkim().get(0).result(), r.toText());
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.summary().contains("the Subject was changed after signing"), r.summary());
    }

    @Test
    void changedBodyIsNotAuthentic() throws Exception {
        String s = str(factory.build(message("Road closed")));
        assertTrue(s.contains("Detours are signposted."));
        VerificationReport r = verify(bytes(s.replace("Detours are signposted.", "Detours are not needed.")));
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertEquals(SmimeResult.Status.BAD, r.smime().status());
        assertFalse(r.smime().signatureValid());
        assertTrue(r.smime().reason().contains("changed after signing"), r.smime().reason());
        assertEquals(DkimResult.Status.FAIL, r.dkim().get(0).result());
        assertTrue(r.dkim().get(0).reason().contains("body hash"), r.dkim().get(0).reason());
    }

    @Test
    void foreignKeyIsNotAuthentic() throws Exception {
        byte[] m = handBuilt(smimeKey("other-signer.p12"), "Example Press Office <news@example.org>", "Road closed", null, null);
        VerificationReport r = verify(m);
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.smime().signatureValid());
        assertTrue(r.smime().reason().contains("news@example.org is not the signer's"), r.smime().reason());
        assertTrue(r.smime().reason().contains("other@example.net"), r.smime().reason());
        assertEquals(DkimResult.Status.PASS, r.dkim().get(0).result(), "DKIM alone cannot catch this");
    }

    @Test
    void fromOtherThanSignerIsNotAuthentic() throws Exception {
        byte[] m = handBuilt(smimeKey("signer.p12"), "Chief Constable <chief@example.org>", "Road closed", null, null);
        VerificationReport r = verify(m);
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.summary().contains("chief@example.org is not the signer's"), r.summary());
    }

    @Test
    void expiredCertificateIsNotAuthentic() throws Exception {
        byte[] m = handBuilt(smimeKey("expired-signer.p12"), "Example Press Office <news@example.org>", "Road closed", null, null);
        VerificationReport r = verify(m);
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.smime().reason().contains("expired"), r.smime().reason());
    }

    @Test
    void backdatedSigningTimeDoesNotRescueAnExpiredCertificate() throws Exception {
        Instant inValidity = Instant.parse("2020-06-01T00:00:00Z");
        byte[] m = handBuilt(smimeKey("expired-signer.p12"), "Example Press Office <news@example.org>", "Road closed", inValidity, null);
        VerificationReport now = verify(m);
        assertEquals(Verdict.NOT_AUTHENTIC, now.verdict(), now.toText());
        assertEquals(inValidity, now.smime().signingTime());
        assertTrue(now.smime().reason().contains("expired") && now.smime().reason().contains("verification time"), now.smime().reason());
        // Checked as of a moment when the leaf was valid (--at), expiry is no longer a problem, and
        // since the demo CAs are valid from 2020-01-01 (keys-example/generate.sh) the chain is complete.
        VerificationReport then = verify(m, inValidity.plusSeconds(3600), anchors);
        assertTrue(then.smime().signatureValid());
        assertEquals(SmimeResult.Status.GOOD, then.smime().status(), then.toText());
        assertTrue(then.smime().problems().stream().noneMatch(p -> p.contains("expired")), then.toText());
    }

    @Test
    void untrustedIssuerIsNotAuthentic() throws Exception {
        VerificationReport r = verify(factory.build(message("Road closed")), Instant.now(), List.of());
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.smime().signatureValid());
        assertTrue(r.smime().reason().contains("trusted"), r.smime().reason());
    }

    @Test
    void dkimAloneCannotTellAndNoSignatureCannotTell() throws Exception {
        String plain = "From: Example Press Office <news@example.org>\r\nTo: reader@example.net\r\nSubject: Hi\r\n"
                + "Date: Sat, 1 Mar 2025 10:00:00 +0000\r\nMessage-ID: <p.1@example.org>\r\n\r\nHello.\r\n";
        VerificationReport dkimOnly = verify(dkimSigner.sign(bytes(plain), Instant.now()));
        assertEquals(DkimResult.Status.PASS, dkimOnly.dkim().get(0).result());
        assertEquals(Verdict.UNKNOWN, dkimOnly.verdict(), dkimOnly.toText());
        VerificationReport none = verify(bytes(plain));
        assertEquals(Verdict.UNKNOWN, none.verdict());
        assertEquals(SmimeResult.Status.NONE, none.smime().status());
        VerificationReport tampered = verify(bytes(str(dkimSigner.sign(bytes(plain), Instant.now())).replace("Hello.", "Pay now.")));
        assertEquals(Verdict.NOT_AUTHENTIC, tampered.verdict(), tampered.toText());
    }

    @Test
    void malformedInputNeverThrows() {
        for (String s : List.of("", "\t\n\t", "\r\n", ":\r\n\r\n", "From: <\r\nContent-Type: multipart/signed; boundary=\"x\"\r\n\r\n--x\r\n--x--\r\n",
                "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n",
                "DKIM-Signature: v=1; a=rsa-sha256; b=; bh=; d=; h=; s=\r\n\r\n", "DKIM-Signature: ;;;==\r\n\r\n", "\u0000\u0001garbage")) {
            VerificationReport r = verify(bytes(s));
            assertTrue(r.verdict() != Verdict.AUTHENTIC, s);
            r.toJson();
            r.toText();
        }
    }

    @Test
    void headerProtectionMatchingIsAuthentic() throws Exception {
        String inner = "Subject: Road closed\r\nFrom: Example Press Office <news@example.org>\r\nTo: reader@example.net\r\n"
                + "Date: Sat, 1 Mar 2025 10:00:00 +0000\r\nMessage-ID: <hand.1@example.org>\r\n";
        VerificationReport r = verify(handBuilt(smimeKey("signer.p12"), "Example Press Office <news@example.org>", "Road closed", null, inner));
        assertEquals(Verdict.AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.smime().headerProtection().present());
        assertEquals("clear", r.smime().headerProtection().hp());
    }

    @Test
    void headerProtectionCatchesAChangedSubjectEvenWithAGoodDkim() throws Exception {
        // Someone with the mail login re-sends a signed release under a new Subject: DKIM passes.
        String inner = "Subject: Road closed\r\nFrom: Example Press Office <news@example.org>\r\nTo: reader@example.net\r\n"
                + "Date: Sat, 1 Mar 2025 10:00:00 +0000\r\nMessage-ID: <hand.1@example.org>\r\n";
        VerificationReport r = verify(handBuilt(smimeKey("signer.p12"), "Example Press Office <news@example.org>",
                "=?UTF-8?Q?Evacuate_now?=", null, inner));
        assertEquals(DkimResult.Status.PASS, r.dkim().get(0).result());
        assertEquals(SmimeResult.Status.GOOD, r.smime().status());
        assertEquals(Verdict.NOT_AUTHENTIC, r.verdict(), r.toText());
        assertTrue(r.summary().contains("the Subject was changed after signing"), r.summary());
        assertTrue(r.summary().contains("Evacuate now"), r.summary());
    }
}
