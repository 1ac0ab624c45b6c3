package dev.signedmail;

import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.outbox.VerpAddresses;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseFeed;
import dev.signedmail.release.ReleaseLog;
import dev.signedmail.release.ReleaseLogEntry;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;
import dev.signedmail.send.MessageComposer;
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
import dev.signedmail.subscriber.SubscriberStore;
import dev.signedmail.subscriber.TokenKeys;
import dev.signedmail.subscriber.UnsubscribeTokens;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything one run needs, built once from the settings: the database and its stores, and — only
 * when a command composes messages — the keys (loaded once, checked once), renderer and relay.
 */
public final class MailerRuntime implements AutoCloseable {

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

    public ReleaseSender sender() {
        MessageComposer c = composer();
        SmtpRelay relay = new SmtpRelay(settings, settings.from().getAddress());
        return new ReleaseSender(releases(), outbox(), c, relay, verp(), settings.integer(Setting.SMTP_CONNECTIONS, 1, 64))
                .beforeFirstMessage(this::logRelease);
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
        ReleaseLogEntry e = log.append(release, List.of(), Instant.now());
        byte[] atom = ReleaseFeed.render(log.entries(), settings.required(Setting.ORGANISATION), settings.baseUrl());
        log.storeFeed(atom, DetachedSigner.sign(smimeKey, atom));
        return e;
    }

    @Override
    public void close() {
        db.close();
    }
}
