package dev.signedmail.sign;

import dev.signedmail.Problem;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.smime.SMIMECapabilitiesAttribute;
import org.bouncycastle.asn1.smime.SMIMECapability;
import org.bouncycastle.asn1.smime.SMIMECapabilityVector;
import org.bouncycastle.asn1.smime.SMIMEEncryptionKeyPreferenceAttribute;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.mail.smime.SMIMEException;
import org.bouncycastle.mail.smime.SMIMESignedGenerator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Store;

/**
 * Wraps a MIME body in a detached multipart/signed S/MIME signature (RFC 8551).
 *
 * <p>Detached (not opaque application/pkcs7-mime) so subscribers whose client cannot check S/MIME
 * still read the message. Built once per run from a loaded {@link SmimeKey}; {@link #sign} builds a
 * fresh generator and content signer per call, because Bouncy Castle's are not thread-safe.
 *
 * <p>The classic failure is a signature over bytes that differ from what is sent (Jakarta Mail
 * re-encoding a part or changing line ends while writing). So the content is first serialised and
 * re-parsed: a parsed part writes back its stored bytes verbatim, and the bytes hashed are checked
 * to be 7-bit with CRLF line ends, which no relay has a reason to touch.
 */
public final class SmimeSigner {
    private final SmimeKey key;
    /** The key as the fastest provider holds it (converted once, not on every signature). */
    private final java.security.PrivateKey signingKey;
    private final String signatureAlgorithm;
    private final AttributeTable signedAttributes;
    private final Store<?> certificates;
    /**
     * One generator per thread: building one parses the certificate and sets up the signature
     * (a tenth of the cost of a message), and Bouncy Castle's generators are not thread-safe. The
     * signing time is taken afresh on every generate().
     */
    private final ThreadLocal<CMSSignedDataGenerator> generators = ThreadLocal.withInitial(this::newGenerator);
    /** For RSA keys: the SignedData filled in per message ({@link CmsTemplate}); null where it does not apply. */
    private final CmsTemplate template;
    private final ThreadLocal<java.security.Signature> templateSigners;

    public SmimeSigner(SmimeKey key) {
        this.key = key;
        this.signingKey = CryptoProviders.preferred(key.privateKey());
        this.signatureAlgorithm = signatureAlgorithm(key);
        X509Certificate cert = key.certificate();
        // Tell receivers how to encrypt replies to us: AES only, strongest first (no RC2/3DES).
        SMIMECapabilityVector caps = new SMIMECapabilityVector();
        caps.addCapability(SMIMECapability.aES256_CBC);
        caps.addCapability(SMIMECapability.aES192_CBC);
        caps.addCapability(SMIMECapability.aES128_CBC);
        ASN1EncodableVector attrs = new ASN1EncodableVector();
        attrs.add(new SMIMECapabilitiesAttribute(caps));
        attrs.add(new SMIMEEncryptionKeyPreferenceAttribute(new IssuerAndSerialNumber(
                X500Name.getInstance(cert.getIssuerX500Principal().getEncoded()), cert.getSerialNumber())));
        this.signedAttributes = new AttributeTable(attrs);
        try {
            this.certificates = new JcaCertStore(key.chain());
        } catch (CertificateEncodingException e) {
            throw new Problem("S/MIME certificate in " + key.origin() + " cannot be encoded: re-export the keystore", e);
        }
        this.template = signatureAlgorithm.endsWith("withRSA") ? buildTemplate() : null;
        this.templateSigners = ThreadLocal.withInitial(() -> {
            try {
                return CmsTemplate.signer(signatureAlgorithm, signingKey);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("S/MIME signing with " + key + " failed", e);
            }
        });
    }

    /** Bouncy Castle builds the SignedData once, at a fixed signing time; {@link CmsTemplate} finds the fields. */
    private CmsTemplate buildTemplate() {
        try {
            AttributeTable withTime = signedAttributes.add(org.bouncycastle.asn1.cms.CMSAttributes.signingTime,
                    new org.bouncycastle.asn1.cms.Time(java.util.Date.from(CmsTemplate.TEMPLATE_TIME)));
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
                    .setSignedAttributeGenerator(withTime)
                    .build(signatureAlgorithm, signingKey, key.certificate()));
            gen.addCertificates(certificates);
            byte[] content = "Content-Type: text/plain\r\n\r\ntemplate\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] der = gen.generate(new CMSProcessableByteArray(content), false).getEncoded(ASN1Encoding.DER);
            return CmsTemplate.of(der, content);
        } catch (OperatorCreationException | CertificateEncodingException | CMSException | IOException | RuntimeException e) {
            return null; // Bouncy Castle builds every signature instead
        }
    }

    private static String signatureAlgorithm(SmimeKey key) {
        String alg = key.privateKey().getAlgorithm();
        if (alg.equals("RSA")) {
            return "SHA256withRSA";
        }
        if (alg.equals("EC") || alg.equals("ECDSA")) {
            if (key.certificate().getPublicKey() instanceof ECPublicKey ec) {
                ECNamedCurveParameterSpec p256 = ECNamedCurveTable.getParameterSpec("P-256");
                if (ec.getParams().getCurve().getField().getFieldSize() == 256
                        && ec.getParams().getOrder().equals(p256.getN())) {
                    return "SHA256withECDSA";
                }
            }
            throw new Problem("S/MIME key in " + key.origin() + " is an EC key on a curve other than P-256:"
                    + " use an RSA or P-256 certificate");
        }
        throw new Problem("S/MIME key in " + key.origin() + " is a " + alg + " key: use an RSA or EC P-256 certificate");
    }

    /**
     * Returns a multipart/signed (micalg=sha-256) holding {@code content} and the signature.
     *
     * @param content a body whose parts already carry a 7-bit Content-Transfer-Encoding
     *     (quoted-printable or base64); it is not modified
     */
    public MimeMultipart sign(MimeBodyPart content) {
        try {
            MimeBodyPart frozen = freeze(content);
            SMIMESignedGenerator gen = new SMIMESignedGenerator();
            // no provider named: the JCA picks the one that accepts the key, so a PKCS#11 key is
            // used by SunPKCS11 inside the token and never read out
            gen.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
                    .setSignedAttributeGenerator(signedAttributes)
                    .build(signatureAlgorithm, signingKey, key.certificate()));
            gen.addCertificates(certificates);
            return gen.generate(frozen);
        } catch (OperatorCreationException | CertificateEncodingException | SMIMEException e) {
            throw new IllegalStateException("S/MIME signing with " + key + " failed", e);
        }
    }

    /**
     * The detached CMS SignedData (DER) over {@code content}, the exact bytes of the MIME entity
     * that goes first in a multipart/signed: its header fields, blank line and body, CRLF line
     * ends, 7-bit. The caller puts them there unchanged; the signature's micalg is sha-256.
     */
    public byte[] detachedSignature(byte[] content) {
        check7bitCrlf(content);
        java.time.Instant now = java.time.Instant.now();
        if (template != null && CmsTemplate.usable(now)) {
            try {
                return template.fill(java.security.MessageDigest.getInstance("SHA-256").digest(content), now,
                        templateSigners.get());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("S/MIME signing with " + key + " failed", e);
            }
        }
        try {
            return generators.get().generate(new CMSProcessableByteArray(content), false).getEncoded(ASN1Encoding.DER);
        } catch (CMSException | IOException e) {
            throw new IllegalStateException("S/MIME signing with " + key + " failed", e);
        }
    }

    private CMSSignedDataGenerator newGenerator() {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder()
                    .setSignedAttributeGenerator(signedAttributes)
                    .build(signatureAlgorithm, signingKey, key.certificate()));
            gen.addCertificates(certificates);
            return gen;
        } catch (OperatorCreationException | CertificateEncodingException | CMSException e) {
            throw new IllegalStateException("S/MIME signing with " + key + " failed", e);
        }
    }

    private static void check7bitCrlf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean crlfOk = c == '\r' ? i + 1 < bytes.length && bytes[i + 1] == '\n'
                    : c != '\n' || (i > 0 && bytes[i - 1] == '\r');
            if (c > 127 || c == 0 || !crlfOk) {
                throw new IllegalArgumentException("content to sign is not 7-bit with CRLF line ends at byte " + i
                        + ": give every leaf part Content-Transfer-Encoding quoted-printable or base64");
            }
        }
    }

    /** Serialises and re-parses the part so that it is written back exactly as it will be hashed. */
    static MimeBodyPart freeze(MimeBodyPart content) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            content.writeTo(out);
            byte[] bytes = out.toByteArray();
            check7bitCrlf(bytes);
            return new MimeBodyPart(new ByteArrayInputStream(bytes));
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot serialise the content to sign", e);
        }
    }

    public SmimeKey key() {
        return key;
    }

    /** Whether signatures are filled into a template (RSA keys) rather than built by Bouncy Castle. */
    boolean usesTemplate() {
        return template != null;
    }
}
