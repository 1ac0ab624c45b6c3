package dev.signedmail;

import dev.signedmail.approval.SendGate;
import dev.signedmail.approval.Workflow;
import dev.signedmail.audit.AuditLog;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import dev.signedmail.guard.Guardrails;
import dev.signedmail.guard.HaltSwitch;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.OperatorStore;
import dev.signedmail.outbox.OutboxStore;
import dev.signedmail.release.ReleaseStore;
import dev.signedmail.render.Renderer;
import dev.signedmail.render.Site;
import dev.signedmail.send.AlertMailer;
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
import dev.signedmail.subscriber.TokenKeys;
import dev.signedmail.subscriber.UnsubscribeTokens;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Everything one run needs, built once from the settings: the database and its stores, and — only
 * when a command composes messages — the keys (loaded once, checked once), renderer and relay.
 */
public final class MailerRuntime implements AutoCloseable {

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
            composer = new MessageComposer(settings, renderer, factory,
                    new UnsubscribeTokens(TokenKeys.load(tokenKeysFile(settings))));
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
        return new ReleaseSender(releases(), outbox(), c, relay, settings.integer(Setting.SMTP_CONNECTIONS, 1, 64), gate);
    }

    @Override
    public void close() {
        db.close();
    }
}
