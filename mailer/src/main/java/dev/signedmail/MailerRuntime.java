package dev.signedmail;

import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.feedback.FeedbackApplier;
import dev.signedmail.feedback.MailboxPoller;
import dev.signedmail.feedback.SuppressionPolicy;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;
import dev.signedmail.send.MessageComposer;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SmtpRelay;
import dev.signedmail.sign.DkimKey;
import dev.signedmail.sign.DkimSigner;
import dev.signedmail.sign.SignedMessageFactory;
import dev.signedmail.sign.SignerCertificateCheck;
import dev.signedmail.sign.SmimeKey;
import dev.signedmail.sign.SmimeSigner;
import dev.signedmail.store.Database;
import dev.signedmail.subscriber.SubscriberStore;
import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.subscriber.TokenKeys;
import dev.signedmail.subscriber.UnsubscribeTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Everything one run needs, built once from the settings: the database and its stores, and — only
 * when a command composes messages — the keys (loaded once, checked once), renderer and relay.
 */
public final class MailerRuntime implements AutoCloseable {
    static {
        JvmSetup.apply(); // native crypto provider first when it loads; Jakarta Mail without per-part lookups
    }

    private final Settings settings;
    private final Database db;
    private MessageComposer composer;

    private MailerRuntime(Settings settings, Database db) {
        this.settings = settings;
        this.db = db;
    }

    public static MailerRuntime open(Settings settings) {
        return new MailerRuntime(settings, Database.open(settings));
    }

    /** Creates or migrates the database and the token keys; says what it did. */
    public static String init(Settings settings) {
        int applied = Database.init(settings);
        boolean created = TokenKeys.createIfMissing(tokenKeysFile(settings));
        return "database ready (" + settings.databaseUrl().replaceAll(";.*", "") + ", " + applied
                + " migration(s) applied)" + (created ? "; created unsubscribe-link keys in " + tokenKeysFile(settings) : "");
    }

    static Path tokenKeysFile(Settings settings) {
        Path p = settings.path(Setting.TOKEN_KEYS_FILE);
        return p != null ? p : settings.home().resolve("secrets").resolve("token.keys");
    }

    public Settings settings() {
        return settings;
    }

    public Database db() {
        return db;
    }

    public SubscriberStore subscribers() {
        return new SubscriberStore(db);
    }

    public ReleaseStore releases() {
        return new ReleaseStore(db);
    }

    public OutboxStore outbox() {
        return new OutboxStore(db);
    }

    /** The keys behind unsubscribe links (no signing keys involved). */
    public UnsubscribeTokens tokens() {
        return new UnsubscribeTokens(TokenKeys.load(tokenKeysFile(settings)));
    }

    /** Applies bounces, complaints and refusals to subscribers. */
    public FeedbackApplier feedback() {
        return new FeedbackApplier(db, verp(), new SuppressionPolicy(settings.number(Setting.BOUNCE_THRESHOLD, 0.5, 100),
                Duration.ofDays(settings.integer(Setting.BOUNCE_STALE_DAYS, 1, 365))));
    }

    /** Reads the bounce mailbox. */
    public MailboxPoller poller() {
        return new MailboxPoller(settings, feedback(), tokens(), new Subscriptions(db));
    }

    /** Envelope senders that tie each bounce to its outbox row. */
    public VerpAddresses verp() {
        String domain = settings.string(Setting.BOUNCE_DOMAIN);
        return new VerpAddresses(TokenKeys.load(tokenKeysFile(settings)).all(), settings.required(Setting.BOUNCE_LOCAL_PART),
                domain == null || domain.isBlank() ? settings.fromDomain() : domain);
    }

    /** Loads keys and templates once, refusing a bad certificate or key before anything is sent. */
    public synchronized MessageComposer composer() {
        if (composer == null) {
            Path keystore = settings.requiredPath(Setting.SMIME_KEYSTORE);
            SmimeKey smimeKey = SmimeKey.load(keystore, settings.requiredPath(Setting.SMIME_PASSWORD_FILE));
            SignerCertificateCheck.check(smimeKey.certificate(), settings.from().getAddress(), Instant.now(), keystore);
            DkimKey dkimKey = DkimKey.load(settings.requiredPath(Setting.DKIM_KEY),
                    settings.required(Setting.DKIM_DOMAIN), settings.required(Setting.DKIM_SELECTOR));
            SignedMessageFactory factory = new SignedMessageFactory(new SmimeSigner(smimeKey), new DkimSigner(dkimKey));
            String base = settings.baseUrl();
            Renderer renderer = new Renderer(new Site(settings.required(Setting.ORGANISATION), base, base + "/verify"),
                    settings.path(Setting.TEMPLATES));
            renderer.check();
            composer = new MessageComposer(settings, renderer, factory, tokens());
        }
        return composer;
    }

    public ReleaseSender sender() {
        MessageComposer c = composer();
        SmtpRelay relay = new SmtpRelay(settings, settings.from().getAddress());
        return new ReleaseSender(releases(), outbox(), c, relay, verp(), feedback(),
                settings.integer(Setting.SMTP_CONNECTIONS, 1, 64));
    }

    @Override
    public void close() {
        db.close();
    }
}
