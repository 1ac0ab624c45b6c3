package dev.signedmail;

import dev.signedmail.approval.SendGate;
import dev.signedmail.approval.Workflow;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.feedback.FeedbackApplier;
import dev.signedmail.feedback.MailboxPoller;
import dev.signedmail.feedback.SuppressionPolicy;
import dev.signedmail.guard.Guardrails;
import dev.signedmail.guard.HaltSwitch;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.OperatorStore;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.outbox.RetryPolicy;
import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseFeed;
import dev.signedmail.release.ReleaseLog;
import dev.signedmail.release.ReleaseLogEntry;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;
import dev.signedmail.send.AlertMailer;
import dev.signedmail.send.ConfirmationSender;
import dev.signedmail.send.MessageComposer;
import dev.signedmail.send.SendOptions;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SmtpRelay;
import dev.signedmail.sign.DetachedSigner;
import dev.signedmail.sign.DkimKey;
import dev.signedmail.sign.KeyCheck;
import dev.signedmail.sign.KeyCustody;
import dev.signedmail.sign.SignedMessageFactory;
import dev.signedmail.sign.SignerCertificateCheck;
import dev.signedmail.sign.SmimeKey;
import dev.signedmail.sign.SmimeSigner;
import dev.signedmail.store.Database;
import dev.signedmail.subscriber.Confirmations;
import dev.signedmail.subscriber.SubscriberStore;
import dev.signedmail.subscriber.Subscriptions;
import dev.signedmail.subscriber.TokenKeys;
import dev.signedmail.subscriber.UnsubscribeTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

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
    private SmimeKey smimeKey;

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
        return "database ready (" + Database.withoutSecrets(settings.databaseUrl()) + ", " + applied
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
        return new UnsubscribeTokens(tokenKeys());
    }

    /** The HMAC keys behind every link token (unsubscribe, confirmation, VERP). */
    public TokenKeys tokenKeys() {
        return TokenKeys.load(tokenKeysFile(settings));
    }

    /** Sends the queued double opt-in e-mails (sending side: it loads the signing keys). */
    public ConfirmationSender confirmationSender() {
        return new ConfirmationSender(new Confirmations(db, tokenKeys()), composer(),
                new SmtpRelay(settings, settings.from().getAddress()));
    }

    /** Connections, leases, retry schedule and rate limit of a send, from the settings. */
    public SendOptions sendOptions() {
        return new SendOptions(settings.integer(Setting.SMTP_CONNECTIONS, 1, 64),
                Duration.ofSeconds(settings.integer(Setting.SEND_LEASE_SECONDS, 5, 3600)),
                new RetryPolicy(Duration.ofMillis((long) (settings.number(Setting.SEND_RETRY_BASE_SECONDS, 0.01, 3600) * 1000)),
                        Duration.ofSeconds(settings.integer(Setting.SEND_RETRY_MAX_SECONDS, 1, 86_400)),
                        Duration.ofHours(settings.integer(Setting.SEND_RETRY_MAX_AGE_HOURS, 1, 720))),
                Duration.ofMillis((long) (settings.number(Setting.SEND_PATIENCE_SECONDS, 0.1, 86_400) * 1000)),
                settings.number(Setting.SEND_RATE_PER_SECOND, 0, 1_000_000));
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
            KeyCustody keys = new KeyCustody(settings);
            smimeKey = keys.smimeKey();
            SignerCertificateCheck.check(smimeKey.certificate(), settings.from().getAddress(), Instant.now(), smimeKey.origin());
            List<DkimKey> dkimKeys = keys.dkimKeys();
            // the full pre-flight (`keys check`): refuse what subscribers' programs would reject, warn about the rest
            List<KeyCheck.Finding> findings = keys.check(smimeKey, dkimKeys, keys.dkimRecords(null), Instant.now());
            if (KeyCheck.refused(findings)) {
                throw new Problem("the key check refuses to send: " + findings.stream().filter(f -> f.level() == KeyCheck.Level.REFUSE)
                        .map(KeyCheck.Finding::message).collect(Collectors.joining("; ")) + " (details: `keys check`)");
            }
            findings.stream().filter(f -> f.level() == KeyCheck.Level.WARN).forEach(f -> System.err.println(f));
            SignedMessageFactory factory = new SignedMessageFactory(new SmimeSigner(smimeKey), keys.dkimSigners(dkimKeys));
            String base = settings.baseUrl();
            Renderer renderer = new Renderer(new Site(settings.required(Setting.ORGANISATION), base, base + "/verify"),
                    settings.path(Setting.TEMPLATES));
            renderer.check();
            composer = new MessageComposer(settings, renderer, factory, tokens());
        }
        return composer;
    }

    public OperatorStore operators() {
        return new OperatorStore(db);
    }

    public AuditLog audit() {
        return new AuditLog(db);
    }

    public Workflow workflow() {
        return new Workflow(db, settings);
    }

    public HaltSwitch haltSwitch() {
        return new HaltSwitch(db);
    }

    /** A sender acting for {@code actor}; every send passes the {@link SendGate} (approval, halt, guardrails). */
    public ReleaseSender sender(Actor actor) {
        MessageComposer c = composer();
        SmtpRelay relay = new SmtpRelay(settings, settings.from().getAddress());
        SendGate gate = new SendGate(db, workflow(), haltSwitch(), new Guardrails(settings, db), actor,
                () -> new AlertMailer(settings, c, relay));
        OutboxStore outbox = outbox().commitDelay(Duration.ofMillis(settings.integer(Setting.SEND_COMMIT_DELAY_MS, 0, 100)));
        return new ReleaseSender(releases(), outbox, c, relay, verp(), feedback(), sendOptions(), gate)
                .beforeFirstMessage(this::logRelease).recordStats(new dev.signedmail.store.SendStats(db));
    }

    public ReleaseLog releaseLog() {
        return new ReleaseLog(db);
    }

    /**
     * Gives {@code release} its place in the public release log (once) and republishes the signed
     * feed. Done here, on the sending side, because only this side holds the key; {@code serve}
     * hands out the stored bytes.
     */
    public synchronized ReleaseLogEntry logRelease(Release release) {
        composer();
        ReleaseLog log = releaseLog();
        // the approver (and the admin who confirmed a hold) as the workflow recorded them
        List<String> approvers = db.jdbi().withHandle(h -> h.createQuery("SELECT o.name FROM releases r"
                        + " JOIN operators o ON o.id = r.approved_by WHERE r.id = :id")
                .bind("id", release.id()).mapTo(String.class).list());
        ReleaseLogEntry e = log.append(release, approvers, Instant.now());
        List<ReleaseLogEntry> entries = log.entries();
        byte[] atom = ReleaseFeed.render(entries, settings.required(Setting.ORGANISATION), settings.baseUrl());
        log.storeFeed(atom, DetachedSigner.sign(smimeKey, atom), entries.size());
        return e;
    }

    @Override
    public void close() {
        db.close();
    }
}
