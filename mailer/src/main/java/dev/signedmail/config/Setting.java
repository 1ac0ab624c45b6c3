package dev.signedmail.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every setting the mailer reads, with its property key and default. The environment name is
 * {@code MAILER_} + the key in upper case with dots as underscores. Keep this list and
 * {@code mailer/mailer.example.properties} in step: a test checks they name the same keys.
 */
public enum Setting {
    HOME("home", "./mailer-data"),
    DB_URL("db.url", null),
    DB_USER("db.user", null),
    DB_PASSWORD_FILE("db.password.file", null),

    FROM("from", null),
    ORGANISATION("organisation", "Press Office"),
    BASE_URL("base.url", null),
    LIST_ID("list.id", null),
    UNSUBSCRIBE_MAILTO("unsubscribe.mailto", null),
    TOKEN_KEYS_FILE("token.keys.file", null),
    TEMPLATES("templates", null),
    BOUNCE_LOCAL_PART("bounce.local.part", "bounces"),
    BOUNCE_DOMAIN("bounce.domain", null),
    BOUNCE_THRESHOLD("bounce.threshold", "3"),
    BOUNCE_STALE_DAYS("bounce.stale.days", "7"),
    FEEDBACK_PROTOCOL("feedback.protocol", "imaps"),
    FEEDBACK_HOST("feedback.host", null),
    FEEDBACK_PORT("feedback.port", null),
    FEEDBACK_USER("feedback.user", null),
    FEEDBACK_PASSWORD_FILE("feedback.password.file", null),
    FEEDBACK_FOLDER("feedback.folder", "INBOX"),
    FEEDBACK_PROCESSED_FOLDER("feedback.processed.folder", "Processed"),
    FEEDBACK_UNPARSED_FOLDER("feedback.unparsed.folder", "Unparsed"),
    FEEDBACK_POLL_MINUTES("feedback.poll.minutes", "5"),

    WEB_HOST("web.host", "127.0.0.1"),
    SUBSCRIBE_TOPICS("subscribe.topics", "general"),
    WEB_PORT("web.port", "8080"),

    SMTP_HOST("smtp.host", "localhost"),
    SMTP_PORT("smtp.port", "25"),
    SMTP_USER("smtp.user", null),
    SMTP_PASSWORD_FILE("smtp.password.file", null),
    SMTP_TLS("smtp.tls", "none"),
    SMTP_CONNECTIONS("smtp.connections", "4"),
    SMTP_TIMEOUT_SECONDS("smtp.timeout.seconds", "60"),
    SMTP_CHUNKING("smtp.chunking", "true"),
    SEND_LEASE_SECONDS("send.lease.seconds", "120"),
    SEND_RETRY_BASE_SECONDS("send.retry.base.seconds", "10"),
    SEND_RETRY_MAX_SECONDS("send.retry.max.seconds", "900"),
    SEND_RETRY_MAX_AGE_HOURS("send.retry.max.age.hours", "24"),
    SEND_PATIENCE_SECONDS("send.patience.seconds", "600"),
    SEND_RATE_PER_SECOND("send.rate.per.second", "0"),
    SEND_COMMIT_DELAY_MS("send.commit.delay.ms", "2"),

    SMIME_KEYSTORE("smime.keystore", null),
    SMIME_PASSWORD_FILE("smime.password.file", null),
    SMIME_PKCS11_LABEL("smime.pkcs11.label", null),
    SMIME_CA_FILE("smime.ca.file", null),
    DKIM_KEY("dkim.key", null),
    DKIM_DOMAIN("dkim.domain", null),
    DKIM_SELECTOR("dkim.selector", null),

    SEND_HOURS("send.hours", "00:00-24:00"),
    SEND_ZONE("send.zone", null),
    SEND_BURST_LIMIT("send.burst.limit", "3"),
    SEND_BURST_WINDOW_MINUTES("send.burst.window.minutes", "60"),
    SCHEDULE_MAX_LATE_MINUTES("schedule.max.late.minutes", "60"),
    ALERTS_TO("alerts.to", null),
    DKIM_PKCS11_LABEL("dkim.pkcs11.label", null),
    DKIM_ED25519_KEY("dkim.ed25519.key", null),
    DKIM_ED25519_SELECTOR("dkim.ed25519.selector", null),
    DKIM_EXPIRY_DAYS("dkim.expiry.days", "7"),
    DKIM_PREVIOUS_SELECTORS("dkim.previous.selectors", null),
    PKCS11_CONFIG("pkcs11.config", null),
    PKCS11_PIN_FILE("pkcs11.pin.file", null),
    KEYS_CHECK_DNS("keys.check.dns", "off"),
    KEYS_WARN_DAYS("keys.warn.days", "30");

    public final String key;
    final String defaultValue;

    Setting(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    public String envName() {
        return "MAILER_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    static Optional<Setting> byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
