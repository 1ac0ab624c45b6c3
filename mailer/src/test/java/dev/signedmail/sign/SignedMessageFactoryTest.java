package dev.signedmail.sign;

import dev.signedmail.testing.Verifiers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signedmail.Problem;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.smime.SMIMEAttributes;
import org.bouncycastle.asn1.smime.SMIMECapabilities;
import org.bouncycastle.asn1.smime.SMIMECapability;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.mail.smime.SMIMESigned;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedMessageFactoryTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static SignedMessageFactory factory;
    private static String dkimRecord;
    private static X509Certificate ca;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        SmimeKey smimeKey = TestFiles.signerKey();
        SignerCertificateCheck.check(smimeKey.certificate(), "news@example.org", Instant.now(), smimeKey.source());
        factory = new SignedMessageFactory(new SmimeSigner(smimeKey), new DkimSigner(TestFiles.dkimKey()));
        dkimRecord = Files.readString(TestFiles.keys("dkim.txt"));
        try (InputStream in = Files.newInputStream(TestFiles.keys("ca.pem"))) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static OutgoingMessage message(String subject, String fromName, String id) throws Exception {
        return new OutgoingMessage(
                new InternetAddress("news@example.org", fromName, "UTF-8"),
                new InternetAddress("reader@example.net", "Ånne Reader", "UTF-8"),
                subject,
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                id + "@example.org",
                "press.example.org",
                "https://example.org/unsubscribe?t=abc123",
                "mailto:unsubscribe@example.org?subject=unsubscribe",
                "Grüße aus Łódź.\nSecond line with trailing space \n\nFrom the press office.\n" + "x".repeat(120) + "\n",
                "<p>Grüße aus <b>Łódź</b>.</p>\n<p>" + "y".repeat(120) + "</p>\n");
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    /** The header block as (name, raw field) pairs, unfolded. */
    private static List<String> headerNames(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        String block = s.substring(0, s.indexOf("\r\n\r\n"));
        List<String> names = new ArrayList<>();
        for (String line : block.split("\r\n")) {
            if (!line.startsWith(" ") && !line.startsWith("\t")) {
                names.add(line.substring(0, line.indexOf(':')).toLowerCase());
            }
        }
        return names;
    }

    private static String dkimTag(byte[] bytes, String tag) {
        String s = new String(bytes, StandardCharsets.US_ASCII);
        String header = s.substring(0, s.indexOf("\r\nFrom:")).replace("\r\n", "").replaceAll("[ \t]+", " ");
        Matcher m = Pattern.compile("[; ]" + tag + "=([^;]*)").matcher(header);
        assertTrue(m.find(), tag + " in " + header);
        return m.group(1).replace(" ", "");
    }

    /** Verifies the S/MIME signature with Bouncy Castle and returns the signer certificate. */
    private static X509Certificate verifySmime(byte[] bytes) throws Exception {
        MimeMessage parsed = parse(bytes);
        assertTrue(parsed.getContentType().contains("micalg=sha-256"), parsed.getContentType());
        SMIMESigned signed = new SMIMESigned((MimeMultipart) parsed.getContent());
        X509Certificate cert = Verifiers.smimeSigner(signed, ca);
        assertEquals(2, signed.getCertificates().getMatches(null).size(), "signer + intermediate, no root");

        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        AttributeTable attrs = signer.getSignedAttributes();
        assertTrue(attrs.get(CMSAttributes.signingTime) != null, "signing-time");
        assertTrue(attrs.get(SMIMEAttributes.encrypKeyPref) != null, "SMIMEEncryptionKeyPreference");
        Attribute capsAttr = attrs.get(SMIMEAttributes.smimeCapabilities);
        List<ASN1ObjectIdentifier> caps = new ArrayList<>();
        for (Object c : SMIMECapabilities.getInstance(capsAttr.getAttrValues().getObjectAt(0)).getCapabilities(null)) {
            caps.add(((SMIMECapability) c).getCapabilityID());
        }
        assertEquals(List.of(SMIMECapability.aES256_CBC, SMIMECapability.aES192_CBC, SMIMECapability.aES128_CBC), caps);
        return cert;
    }

    @Test
    void nonAsciiMessageVerifiesWithBouncyCastleOpensslAndPythonDkim() throws Exception {
        String subject = "Pressemitteilung: Zoë und Łukasiewicz – „Grüße“ 🎉";
        byte[] bytes = factory.build(message(subject, "Zoë Łukasiewicz", "m1"));
        for (byte b : bytes) {
            assertTrue(b >= 0, "7-bit only");
        }

        X509Certificate cert = verifySmime(bytes);
        boolean sanHasFrom = cert.getSubjectAlternativeNames().stream()
                .anyMatch(san -> Integer.valueOf(1).equals(san.get(0)) && "news@example.org".equals(san.get(1)));
        assertTrue(sanHasFrom);

        MimeMessage parsed = parse(bytes);
        assertEquals(subject, parsed.getSubject());
        assertEquals("Zoë Łukasiewicz", ((InternetAddress) parsed.getFrom()[0]).getPersonal());
        assertEquals("<m1@example.org>", parsed.getMessageID());
        assertEquals("<press.example.org>", parsed.getHeader("List-Id")[0]);
        assertEquals("List-Unsubscribe=One-Click", parsed.getHeader("List-Unsubscribe-Post")[0]);
        assertTrue(parsed.getHeader("List-Unsubscribe")[0].replaceAll("\\s+", "")
                .equals("<https://example.org/unsubscribe?t=abc123>,<mailto:unsubscribe@example.org?subject=unsubscribe>"));

        Path file = Files.write(tmp.resolve("m1.eml"), bytes);
        Verifiers.Result r = TestFiles.run(List.of("openssl", "cms", "-verify", "-CAfile", TestFiles.keys("ca.pem").toString(),
                "-purpose", "smimesign", "-in", file.toString(), "-out", "/dev/null"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Verification successful"), r.output());

        assertTrue(TestFiles.pythonDkimVerify(bytes, dkimRecord), "python dkim");
        List<String> h = List.of(dkimTag(bytes, "h").toLowerCase().split(":"));
        assertTrue(h.contains("list-unsubscribe") && h.contains("list-unsubscribe-post") && h.contains("list-id"), h.toString());
        assertEquals(2, h.stream().filter("from"::equals).count(), h.toString());
        assertEquals("relaxed/relaxed", dkimTag(bytes, "c"));
    }

    @Test
    void signedPartCarriesTheProtectedHeadersOfRfc9788() throws Exception {
        String subject = "Straße gesperrt – „Umleitung“";
        byte[] bytes = factory.build(message(subject, "Zoë Press", "hp1"));
        MimeMessage outer = parse(bytes);
        MimeMultipart signed = (MimeMultipart) outer.getContent();
        jakarta.mail.BodyPart payload = signed.getBodyPart(0);
        assertTrue(payload.getContentType().replaceAll("\\s+", " ").matches("multipart/alternative;.*hp=\"clear\".*"),
                payload.getContentType());
        for (String name : List.of("From", "To", "Subject", "Date", "Message-ID")) {
            assertEquals(outer.getHeader(name, null), payload.getHeader(name)[0], name + " inside = outside");
        }
        assertEquals(subject, jakarta.mail.internet.MimeUtility.decodeText(payload.getHeader("Subject")[0].replaceAll("\r\n", "")));
        // a client that ignores RFC 9788 still finds the text and HTML alternatives where it expects them
        MimeMultipart alternative = (MimeMultipart) payload.getContent();
        assertEquals(2, alternative.getCount());
        assertTrue(alternative.getBodyPart(0).isMimeType("text/plain"));
        verifySmime(bytes);
    }

    @Test
    void tamperingBreaksTheSignatures() throws Exception {
        byte[] bytes = factory.build(message("Plain subject", "Press", "m2"));
        String s = new String(bytes, StandardCharsets.US_ASCII);
        assertTrue(s.contains("Second line"));
        byte[] tampered = s.replace("Second line", "Sec0nd line").getBytes(StandardCharsets.US_ASCII);
        assertFalse(TestFiles.pythonDkimVerify(tampered, dkimRecord), "python dkim must reject a changed body");
        Path file = Files.write(tmp.resolve("tampered.eml"), tampered);
        Verifiers.Result r = TestFiles.run(List.of("openssl", "cms", "-verify", "-CAfile", TestFiles.keys("ca.pem").toString(),
                "-purpose", "smimesign", "-in", file.toString(), "-out", "/dev/null"));
        assertTrue(r.exitCode() != 0, "openssl must reject a changed body: " + r.output());
        byte[] subjectChanged = s.replace("Subject: Plain subject", "Subject: Plain subjecT").getBytes(StandardCharsets.US_ASCII);
        assertFalse(TestFiles.pythonDkimVerify(subjectChanged, dkimRecord), "DKIM covers the Subject");
    }

    @Test
    void lineBreaksInSubjectAndDisplayNameNeverMakeAHeader() throws Exception {
        byte[] bytes = factory.build(message("Release\r\nBcc: victim@example.net\nX-Evil: 1", "Evil\r\nBcc: x@example.net", "m3"));
        List<String> names = headerNames(bytes);
        assertFalse(names.contains("bcc"), names.toString());
        assertFalse(names.contains("x-evil"), names.toString());
        assertEquals(List.of("dkim-signature", "from", "to", "subject", "date", "message-id", "mime-version", "list-id",
                "list-unsubscribe", "list-unsubscribe-post", "content-type"), names);
        MimeMessage parsed = parse(bytes);
        assertNull(parsed.getHeader("Bcc"));
        assertEquals("Release Bcc: victim@example.net X-Evil: 1", parsed.getSubject());
        assertEquals("Evil Bcc: x@example.net", ((InternetAddress) parsed.getFrom()[0]).getPersonal());
        assertEquals(1, parsed.getFrom().length);
        assertTrue(TestFiles.pythonDkimVerify(bytes, dkimRecord));
        verifySmime(bytes);
    }

    @Test
    void lineBreaksInStructuralValuesAreRefused() throws Exception {
        OutgoingMessage ok = message("s", "n", "m4");
        assertThrows(IllegalArgumentException.class, () -> factory.build(new OutgoingMessage(ok.from(), ok.to(), ok.subject(), ok.date(),
                "m4@example.org\r\nBcc: x@example.net", ok.listId(), ok.listUnsubscribeUrl(), ok.listUnsubscribeMailto(), ok.text(), ok.html())));
        assertThrows(IllegalArgumentException.class, () -> factory.build(new OutgoingMessage(ok.from(), ok.to(), ok.subject(), ok.date(),
                ok.messageId(), ok.listId(), "https://example.org/u\r\nBcc: x@example.net", ok.listUnsubscribeMailto(), ok.text(), ok.html())));
        assertThrows(IllegalArgumentException.class, () -> factory.build(new OutgoingMessage(ok.from(), ok.to(), ok.subject(), ok.date(),
                ok.messageId(), ok.listId(), "http://example.org/u", ok.listUnsubscribeMailto(), ok.text(), ok.html())));
        InternetAddress badTo = new InternetAddress();
        badTo.setAddress("reader@example.net\r\nBcc: x@example.net");
        assertThrows(IllegalArgumentException.class, () -> factory.build(new OutgoingMessage(ok.from(), badTo, ok.subject(), ok.date(),
                ok.messageId(), ok.listId(), ok.listUnsubscribeUrl(), ok.listUnsubscribeMailto(), ok.text(), ok.html())));
    }

    @Test
    void fromAddressMustMatchTheCertificate() throws Exception {
        OutgoingMessage ok = message("s", "n", "m5");
        Problem p = assertThrows(Problem.class, () -> factory.build(new OutgoingMessage(new InternetAddress("ceo@example.org"), ok.to(),
                ok.subject(), ok.date(), ok.messageId(), ok.listId(), ok.listUnsubscribeUrl(), ok.listUnsubscribeMailto(), ok.text(), ok.html())));
        assertTrue(p.getMessage().contains("ceo@example.org") && p.getMessage().contains("signer.p12"), p.getMessage());
    }

    @Test
    void textOnlyMessageAndParallelBuildsVerify() throws Exception {
        OutgoingMessage base = message("Parallel", "Press", "p");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String id = "p" + i + "@example.org";
                String html = i % 2 == 0 ? null : base.html();
                futures.add(pool.submit(() -> factory.build(new OutgoingMessage(base.from(), base.to(), base.subject() + " " + id,
                        base.date(), id, base.listId(), base.listUnsubscribeUrl(), null, base.text(), html))));
            }
            for (int i = 0; i < futures.size(); i++) {
                byte[] bytes = futures.get(i).get(60, TimeUnit.SECONDS);
                verifySmime(bytes);
                assertEquals("<p" + i + "@example.org>", parse(bytes).getMessageID());
                assertTrue(TestFiles.pythonDkimVerify(bytes, dkimRecord), "message " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
