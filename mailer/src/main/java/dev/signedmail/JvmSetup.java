package dev.signedmail;

import dev.signedmail.sign.CryptoProviders;

/**
 * What every mailer JVM sets up once before composing or checking a message (from
 * {@link MailerRuntime} and the command line; idempotent).
 */
public final class JvmSetup {
    private static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    private JvmSetup() {
    }

    public static void apply() {
        CryptoProviders.install();
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader scan of the whole class
        // path for every body part it creates, reads or writes (measured: about half of the time of
        // composing a message). Naming the implementation makes that one Class.forName.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }
}
