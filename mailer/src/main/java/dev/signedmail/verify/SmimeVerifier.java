package dev.signedmail.verify;

import dev.signedmail.verify.SmimeResult.HeaderProtection;
import dev.signedmail.verify.SmimeResult.Status;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAParams;
import java.security.interfaces.DSAPublicKey;
import java.security.spec.DSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.Store;

/**
 * Checks the S/MIME signature of a message: detached {@code multipart/signed} or opaque
 * {@code application/pkcs7-mime; smime-type=signed-data}, at the top or inside a multipart.
 *
 * <p>A signature is {@code good} only when all of these hold, checked in this order (the first
 * failure is the reason):
 * <ol>
 *   <li>the signature verifies over the content (else: the content was changed);</li>
 *   <li>the digest is not SHA-1 or MD5 (mail clients such as Thunderbird refuse them, RFC 8551 §2.1);</li>
 *   <li>the signer certificate is in the message and valid at the claimed signing time <em>and</em>
 *       at the verification time: the signing-time attribute is chosen by the signer, so a backdated
 *       signature from an expired or stolen-then-expired key must not pass on its word alone (the
 *       Bouncy Castle 1.85 change of the same kind);</li>
 *   <li>it chains to one of the trust anchors (PKIX at the verification time; revocation is checked
 *       only when CRLs are given);</li>
 *   <li>keyUsage, if present, allows digitalSignature or nonRepudiation; extendedKeyUsage, if
 *       present, contains emailProtection or anyExtendedKeyUsage. A certificate without
 *       extendedKeyUsage is accepted, as RFC 8550 §4.4.4 says ("if the extension is present");</li>
 *   <li>the From address is an rfc822Name of the certificate (or, legacy, its subject emailAddress),
 *       compared case-insensitively (RFC 8550 §3).</li>
 * </ol>
 * Several signers: any signature that does not verify makes the message bad; otherwise it is good
 * when one signer passes everything. Thread-safe; never throws on a malformed message.
 */
public final class SmimeVerifier {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final int MAX_DEPTH = 8;
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String ANY_EKU = "2.5.29.37.0";
    private static final Set<String> WEAK_DIGESTS = Set.of(
            "1.3.14.3.2.26", // SHA-1
            "1.2.840.113549.2.5", // MD5
            "1.2.840.113549.2.2"); // MD2
    private static final Set<String> WEAK_SIGNATURES = Set.of(
            "1.2.840.113549.1.1.5", // sha1WithRSAEncryption
            "1.2.840.113549.1.1.4", // md5WithRSAEncryption
            "1.2.840.10040.4.3", // dsa-with-sha1
            "1.2.840.10045.4.1"); // ecdsa-with-SHA1

    private final Set<TrustAnchor> anchors;
    private final List<X509CRL> crls;
    private final Instant at;

    /**
     * @param trusted the trust anchors (root or intermediate certificates); empty trusts nothing
     * @param crls revocation lists; revocation is checked only when this is not empty
     * @param at the verification time
     */
    public SmimeVerifier(Collection<X509Certificate> trusted, Collection<X509CRL> crls, Instant at) {
        Set<TrustAnchor> a = new HashSet<>();
        for (X509Certificate c : trusted) {
            a.add(new TrustAnchor(c, null));
        }
        this.anchors = Set.copyOf(a);
        this.crls = List.copyOf(crls);
        this.at = at;
    }

    /** The JDK's default trust store (cacerts), for when no --trust is given. */
    public static List<X509Certificate> systemTrust() {
        Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(cacerts)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(in, null);
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.getCertificate(alias) instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            return List.of();
        }
        return out;
    }

    /** Reads all PEM or DER certificates in a file. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        }
    }

    /** Checks a whole message (any line ends). */
    public SmimeResult verify(byte[] message) {
        try {
            RawMessage m = RawMessage.parse(RawMessage.toCrlf(message));
            String from = m.first("From");
            return find(m, m, from, 0);
        } catch (RuntimeException e) {
            return SmimeResult.none("the message cannot be read as MIME (" + e.getClass().getSimpleName() + ")");
        }
    }

    private SmimeResult find(RawMessage outer, RawMessage entity, String from, int depth) {
        ContentType ct = contentType(entity);
        if (ct == null) {
            return SmimeResult.none("the message is not S/MIME-signed");
        }
        String base = ct.getBaseType().toLowerCase(Locale.ROOT);
        if (base.equals("multipart/signed")) {
            String boundary = ct.getParameter("boundary");
            String protocol = ct.getParameter("protocol");
            if (protocol != null && !protocol.toLowerCase(Locale.ROOT).matches("application/(x-)?pkcs7-signature")) {
                return SmimeResult.none("the message is signed with " + protocol + ", not S/MIME");
            }
            List<byte[]> parts = boundary == null ? List.of() : MimeParts.split(entity.body(), boundary);
            if (parts.size() != 2) {
                return bad("the signed message is damaged: multipart/signed needs exactly two parts, found " + parts.size());
            }
            RawMessage sigPart = RawMessage.parse(parts.get(1));
            byte[] cms = decode(sigPart);
            return verifyCms(cms, parts.get(0), outer, from);
        }
        if (base.matches("application/(x-)?pkcs7-mime")) {
            String type = ct.getParameter("smime-type");
            if (type != null && !type.equalsIgnoreCase("signed-data")) {
                return SmimeResult.none("the message is encrypted (" + type + "): decrypt it first to check its signature");
            }
            byte[] cms = decode(entity);
            try {
                ContentInfo ci = ContentInfo.getInstance(cms);
                if (!CMSObjectIdentifiers.signedData.equals(ci.getContentType())) {
                    return SmimeResult.none("the message is encrypted: decrypt it first to check its signature");
                }
            } catch (RuntimeException e) {
                return bad("the S/MIME data is damaged and cannot be read");
            }
            return verifyCms(cms, null, outer, from);
        }
        if (base.startsWith("multipart/") && depth < MAX_DEPTH && ct.getParameter("boundary") != null) {
            for (byte[] part : MimeParts.split(entity.body(), ct.getParameter("boundary"))) {
                SmimeResult r = find(outer, RawMessage.parse(part), from, depth + 1);
                if (r.status() != Status.NONE || r.reason().contains("encrypted")) {
                    return r.nested();
                }
            }
        }
        return SmimeResult.none("the message is not S/MIME-signed");
    }

    static ContentType contentType(RawMessage entity) {
        String v = entity.first("Content-Type");
        if (v == null) {
            return null;
        }
        try {
            return new ContentType(v);
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] decode(RawMessage part) {
        String cte = part.first("Content-Transfer-Encoding");
        if (cte != null && cte.strip().equalsIgnoreCase("base64")) {
            return Base64.getMimeDecoder().decode(part.body());
        }
        return part.body();
    }

    /**
     * Checks CMS SignedData.
     *
     * @param cms the DER (or BER) ContentInfo
     * @param detachedContent the signed bytes of a detached signature (CRLF), or null for encapsulated content
     * @param fromAddress the From header value the signer must match, or null to skip that check
     */
    public SmimeResult verifyCms(byte[] cms, byte[] detachedContent, String fromAddress) {
        try {
            if (!CMSObjectIdentifiers.signedData.equals(ContentInfo.getInstance(cms).getContentType())) {
                return SmimeResult.none("the data is not signed but encrypted or otherwise wrapped ("
                        + ContentInfo.getInstance(cms).getContentType() + "): decrypt it first to check a signature");
            }
            return verifyCms(cms, detachedContent, null, fromAddress);
        } catch (RuntimeException e) {
            return bad("the S/MIME signature cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private SmimeResult verifyCms(byte[] cms, byte[] detachedContent, RawMessage outer, String fromHeader) {
        CMSSignedData sd;
        byte[] content;
        try {
            if (detachedContent != null) {
                sd = new CMSSignedData(new CMSProcessableByteArray(detachedContent), cms);
                content = detachedContent;
            } else {
                sd = new CMSSignedData(cms);
                Object c = sd.getSignedContent() == null ? null : sd.getSignedContent().getContent();
                content = c instanceof byte[] b ? b : null;
            }
        } catch (Exception e) {
            return bad("the S/MIME signature is damaged and cannot be read");
        }
        HeaderProtection hp = content == null || outer == null ? HeaderProtection.ABSENT
                : HeaderProtectionCheck.check(outer, RawMessage.parse(RawMessage.toCrlf(content)));
        Collection<SignerInformation> signers = sd.getSignerInfos().getSigners();
        if (signers.isEmpty()) {
            return new SmimeResult(Status.BAD, "the S/MIME signature has no signer", null, false, null,
                    List.of("no signer"), hp, true);
        }
        @SuppressWarnings("unchecked")
        Store<X509CertificateHolder> certStore = sd.getCertificates();
        List<X509Certificate> bundled = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BC);
        for (X509CertificateHolder h : certStore.getMatches(null)) {
            try {
                bundled.add(conv.getCertificate(h));
            } catch (Exception e) {
                // an unreadable extra certificate is ignored; the signer's is checked below
            }
        }
        String from = null;
        String fromProblem = null;
        if (fromHeader != null) {
            try {
                InternetAddress[] a = InternetAddress.parseHeader(fromHeader, false);
                if (a.length == 1) {
                    from = a[0].getAddress();
                } else {
                    fromProblem = "the From header holds " + a.length + " addresses";
                }
            } catch (Exception e) {
                fromProblem = "the From header cannot be read";
            }
        } else if (outer != null) {
            fromProblem = "the message has no From header";
        }

        SmimeResult best = null;
        for (SignerInformation si : signers) {
            SmimeResult r = checkSigner(si, certStore, conv, bundled, from, fromProblem, hp);
            if (!r.signatureValid()) {
                return r; // a signature that does not verify spoils the message, whoever else signed
            }
            if (best == null || (best.status() != Status.GOOD && r.status() == Status.GOOD)) {
                best = r;
            }
        }
        return best;
    }

    private SmimeResult checkSigner(SignerInformation si, Store<X509CertificateHolder> certStore, JcaX509CertificateConverter conv,
                                    List<X509Certificate> bundled, String from, String fromProblem, HeaderProtection hp) {
        Instant signingTime = signingTime(si);
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = certStore.getMatches(si.getSID());
        if (matches.isEmpty()) {
            return new SmimeResult(Status.BAD, "the signer's certificate is not in the message, so the signature cannot be checked",
                    null, false, signingTime, List.of("signer certificate missing"), hp, true);
        }
        X509Certificate cert;
        try {
            cert = conv.getCertificate(matches.iterator().next());
        } catch (Exception e) {
            return new SmimeResult(Status.BAD, "the signer's certificate cannot be read", null, false, signingTime,
                    List.of("signer certificate unreadable"), hp, true);
        }
        List<String> addresses = addresses(cert);
        String signer = displayName(cert, addresses);
        // 1. The math. Built from the public key, not the certificate, so that Bouncy Castle does not
        // judge validity by the signer-chosen signing time; we do that ourselves below.
        boolean valid;
        try {
            PublicKey key = inheritDsaParameters(cert, bundled);
            valid = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(key));
        } catch (Exception e) {
            valid = false;
        }
        if (!valid) {
            return new SmimeResult(Status.BAD, "the signature does not match the content: the message was changed after signing",
                    signer, false, signingTime, List.of("signature does not verify"), hp, true);
        }
        List<String> problems = new ArrayList<>();
        // 2. Algorithms.
        if (WEAK_DIGESTS.contains(si.getDigestAlgOID()) || WEAK_SIGNATURES.contains(si.getEncryptionAlgOID())) {
            problems.add("it is signed with " + digestName(si.getDigestAlgOID())
                    + ", which is no longer accepted as secure (mail clients show such signatures as invalid)");
        }
        // 3. Validity at the claimed signing time and now.
        if (signingTime != null) {
            validity(cert, signingTime, "at the claimed signing time", problems);
        }
        validity(cert, at, "at the verification time", problems);
        // 4. Chain.
        String chainProblem = chain(cert, bundled);
        if (chainProblem != null) {
            problems.add(chainProblem);
        }
        // 5. Usage.
        boolean[] ku = cert.getKeyUsage();
        if (ku != null && !(ku[0] || (ku.length > 1 && ku[1]))) {
            problems.add("the certificate is not allowed for signatures (keyUsage lacks digitalSignature and nonRepudiation)");
        }
        try {
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku != null && !eku.contains(EMAIL_PROTECTION) && !eku.contains(ANY_EKU)) {
                problems.add("the certificate is not issued for e-mail (extendedKeyUsage lacks emailProtection)");
            }
        } catch (CertificateParsingException e) {
            problems.add("the certificate's extendedKeyUsage cannot be read");
        }
        // 6. Signer = From.
        if (fromProblem != null) {
            problems.add(fromProblem);
        } else if (from != null && addresses.stream().noneMatch(a -> a.equalsIgnoreCase(from))) {
            problems.add("the From address " + from + " is not the signer's (the certificate is for "
                    + (addresses.isEmpty() ? "no e-mail address" : String.join(", ", addresses)) + ")");
        }
        if (problems.isEmpty()) {
            return new SmimeResult(Status.GOOD, "valid signature by a trusted certificate for " + String.join(", ", addresses),
                    signer, true, signingTime, List.of(), hp, true);
        }
        return new SmimeResult(Status.BAD, problems.get(0), signer, true, signingTime, List.copyOf(problems), hp, true);
    }

    private static String digestName(String oid) {
        return switch (oid) {
            case "1.3.14.3.2.26" -> "SHA-1";
            case "1.2.840.113549.2.5" -> "MD5";
            case "1.2.840.113549.2.2" -> "MD2";
            default -> "a SHA-1 based algorithm";
        };
    }

    private static void validity(X509Certificate cert, Instant when, String label, List<String> problems) {
        try {
            cert.checkValidity(Date.from(when));
        } catch (CertificateExpiredException e) {
            problems.add("the signer's certificate expired on " + cert.getNotAfter().toInstant() + " (" + label + " " + when + ")");
        } catch (CertificateNotYetValidException e) {
            problems.add("the signer's certificate was not yet valid " + label + " " + when
                    + " (valid from " + cert.getNotBefore().toInstant() + ")");
        }
    }

    private String chain(X509Certificate cert, List<X509Certificate> bundled) {
        if (anchors.isEmpty()) {
            return "no trusted certificate authority was given to check the signer's certificate against";
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(cert);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setDate(Date.from(at));
            List<Object> stores = new ArrayList<>(bundled);
            stores.add(cert);
            stores.addAll(crls);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(stores)));
            params.setRevocationEnabled(!crls.isEmpty());
            CertPathBuilder.getInstance("PKIX").build(params);
            return null;
        } catch (CertPathBuilderException e) {
            String detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            return "the signer's certificate is not issued by a trusted authority" + detail;
        } catch (GeneralSecurityException e) {
            return "the certificate chain cannot be checked (" + e.getMessage() + ")";
        }
    }

    /** DSA certificates may inherit p, q, g from their issuer (RFC 3279 §2.3.2; RFC 4134's Diane). */
    private PublicKey inheritDsaParameters(X509Certificate cert, List<X509Certificate> bundled) throws GeneralSecurityException {
        PublicKey key = cert.getPublicKey();
        if (key instanceof DSAPublicKey dsa && dsa.getParams() == null) {
            List<X509Certificate> candidates = new ArrayList<>(bundled);
            anchors.forEach(a -> candidates.add(a.getTrustedCert()));
            for (X509Certificate issuer : candidates) {
                if (issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                        && issuer.getPublicKey() instanceof DSAPublicKey ik && ik.getParams() != null) {
                    DSAParams p = ik.getParams();
                    return KeyFactory.getInstance("DSA").generatePublic(new DSAPublicKeySpec(dsa.getY(), p.getP(), p.getQ(), p.getG()));
                }
            }
        }
        return key;
    }

    private static Instant signingTime(SignerInformation si) {
        try {
            AttributeTable t = si.getSignedAttributes();
            Attribute a = t == null ? null : t.get(CMSAttributes.signingTime);
            if (a == null || a.getAttrValues().size() != 1) {
                return null;
            }
            return Time.getInstance(a.getAttrValues().getObjectAt(0)).getDate().toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** rfc822Name subjectAltNames, then emailAddress attributes of the subject. */
    static List<String> addresses(X509Certificate cert) {
        Set<String> out = new LinkedHashSet<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(1).equals(san.get(0)) && san.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall through to the subject
        }
        try {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            for (RDN rdn : subject.getRDNs(BCStyle.EmailAddress)) {
                out.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
            }
        } catch (RuntimeException e) {
            // no subject addresses
        }
        return List.copyOf(out);
    }

    private static String displayName(X509Certificate cert, List<String> addresses) {
        String cn = null;
        try {
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            RDN[] rdns = subject.getRDNs(BCStyle.CN);
            if (rdns.length > 0) {
                cn = IETFUtils.valueToString(rdns[0].getFirst().getValue());
            }
        } catch (RuntimeException e) {
            // no CN
        }
        if (addresses.isEmpty()) {
            return cn == null ? cert.getSubjectX500Principal().getName() : cn;
        }
        return cn == null || cn.equalsIgnoreCase(addresses.get(0)) ? addresses.get(0) : cn + " <" + addresses.get(0) + ">";
    }

    private static SmimeResult bad(String reason) {
        return new SmimeResult(Status.BAD, reason, null, false, null, List.of(reason), HeaderProtection.ABSENT, true);
    }
}
