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
        jsonLogsIfAsked();
        CryptoProviders.install();
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader scan of the whole class
        // path for every body part it creates, reads or writes (measured: about half of the time of
        // composing a message). Naming the implementation makes that one Class.forName.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /**
     * MAILER_LOG_FORMAT=json switches the log to one JSON object a line (logback's JsonEncoder),
     * for log collectors. Read from the environment, not the config file: logging starts first.
     */
    private static void jsonLogsIfAsked() {
        if (!"json".equalsIgnoreCase(System.getenv("MAILER_LOG_FORMAT"))) {
            return;
        }
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            java.net.URL config = JvmSetup.class.getClassLoader().getResource("logback-json.xml");
            try {
                ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
                joran.setContext(context);
                context.reset();
                joran.doConfigure(config);
            } catch (ch.qos.logback.core.joran.spi.JoranException e) {
                System.err.println("warning: MAILER_LOG_FORMAT=json could not be applied: " + e.getMessage());
            }
        }
    }
}
