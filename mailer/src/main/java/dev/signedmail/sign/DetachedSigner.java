package dev.signedmail.sign;

import java.io.IOException;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * A detached CMS signature (DER, {@code .p7s}) over arbitrary bytes with the S/MIME key, e.g. the
 * release-log feed: checkable with {@code openssl cms -verify -binary -inform DER -content FILE}.
 * Signs through the JCA, so a key on a token stays there.
 */
public final class DetachedSigner {
    private DetachedSigner() {
    }

    public static byte[] sign(SmimeKey key, byte[] content) {
        try {
            String alg = key.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSimpleSignerInfoGeneratorBuilder().build(alg, key.privateKey(), key.certificate()));
            gen.addCertificates(new JcaCertStore(key.chain()));
            return gen.generate(new CMSProcessableByteArray(content), false).getEncoded("DER");
        } catch (OperatorCreationException | CMSException | IOException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot sign with " + key, e);
        }
    }
}
