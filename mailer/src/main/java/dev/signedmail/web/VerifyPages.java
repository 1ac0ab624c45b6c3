package dev.signedmail.web;

import dev.signedmail.release.ReleaseFeed;
import dev.signedmail.release.ReleaseLog;
import dev.signedmail.release.ReleaseLogEntry;
import dev.signedmail.verify.KeyRecords;
import dev.signedmail.verify.MessageVerifier;
import dev.signedmail.verify.ReleaseLogCheck;
import dev.signedmail.verify.VerificationReport;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public trust pages: {@code /verify} ("how to check our e-mails", linked from every message
 * footer) with a form to paste or upload a message and get the same verdict as the {@code verify}
 * command; the release log {@code /releases.atom} and its signature {@code /releases.atom.p7s}; and
 * {@code /ca.pem}, the CA certificate when it is a private one subscribers must import.
 *
 * <p>This side holds no key: the feed and its signature are bytes the sending side stored. An
 * upload is bounded ({@link #MAX_MESSAGE} bytes) and anything malformed gets a "cannot tell"
 * verdict, never an error page.
 */
final class VerifyPages {
    static final int MAX_MESSAGE = 512 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(VerifyPages.class);

    private final Pages pages;
    private final String organisation;
    private final String fromAddress;
    private final List<X509Certificate> anchors;
    private final KeyRecords dns;
    private final ReleaseLog log;
    private final Path caFile;

    /**
     * @param anchors the certificates a message must chain to (the configured CA, else the Java trust store)
     * @param caFile the private CA to offer at /ca.pem, or null when the certificate is publicly trusted
     */
    VerifyPages(Pages pages, String organisation, String fromAddress, List<X509Certificate> anchors, KeyRecords dns,
                ReleaseLog log, Path caFile) {
        this.pages = pages;
        this.organisation = organisation;
        this.fromAddress = fromAddress;
        this.anchors = List.copyOf(anchors);
        this.dns = dns;
        this.log = log;
        this.caFile = caFile;
    }

    /** Built from the settings: trust {@code smime.ca.file} when set (else the Java trust store), DKIM keys from {@code keys.check.dns} when it is a file (else live DNS). */
    static VerifyPages create(dev.signedmail.MailerRuntime rt, Pages pages) {
        var settings = rt.settings();
        Path ca = settings.path(dev.signedmail.config.Setting.SMIME_CA_FILE);
        List<X509Certificate> anchors;
        try {
            anchors = ca == null ? dev.signedmail.verify.SmimeVerifier.systemTrust() : dev.signedmail.verify.SmimeVerifier.readCertificates(ca);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new dev.signedmail.Problem("smime.ca.file " + ca + " cannot be read as certificates (" + e.getMessage() + ")", e);
        }
        String dnsSetting = settings.string(dev.signedmail.config.Setting.KEYS_CHECK_DNS);
        Path dnsFile = dnsSetting == null || dnsSetting.isBlank() || dnsSetting.equalsIgnoreCase("off") || dnsSetting.equalsIgnoreCase("live")
                ? null : settings.path(dev.signedmail.config.Setting.KEYS_CHECK_DNS);
        KeyRecords dns = dnsFile == null ? KeyRecords.liveDns() : KeyRecords.fromJson(dnsFile);
        return new VerifyPages(pages, settings.required(dev.signedmail.config.Setting.ORGANISATION), settings.from().getAddress(),
                anchors, dns, rt.releaseLog(), ca);
    }

    void register(RoutesConfig routes) {
        routes.get("/verify", ctx -> page(ctx, null, null));
        routes.post("/verify", this::check);
        routes.get("/releases.atom", ctx -> stored(ctx, 0, "application/atom+xml; charset=utf-8"));
        routes.get("/releases.atom.p7s", ctx -> stored(ctx, 1, "application/pkcs7-signature"));
        routes.get("/ca.pem", this::ca);
    }

    private void page(Context ctx, VerificationReport report, String logLine) {
        Map<String, Object> v = new HashMap<>();
        v.put("organisation", organisation);
        v.put("from", fromAddress);
        v.put("privateCa", caFile != null);
        v.put("maxKb", MAX_MESSAGE / 1024);
        v.put("report", report);
        v.put("verdict", report == null ? null : report.verdict().name().toLowerCase().replace('_', '-'));
        v.put("details", report == null ? null : report.toText());
        v.put("logLine", logLine);
        ctx.html(pages.render("verify", v));
    }

    private void check(Context ctx) {
        byte[] message;
        try {
            message = upload(ctx);
        } catch (TooLarge e) {
            ctx.status(413);
            page(ctx, null, "That message is larger than " + MAX_MESSAGE / 1024 + " KB; our releases are much smaller, so it is not one of ours as sent.");
            return;
        } catch (Exception e) {
            message = new byte[0];
        }
        if (message.length == 0) {
            ctx.status(400);
            page(ctx, null, "Paste the whole message source (\"Show original\" / \"View source\") or upload the .eml file.");
            return;
        }
        VerificationReport report = new MessageVerifier(anchors, dns, Instant.now()).verify(message);
        String logLine;
        try {
            Optional<byte[][]> feed = log.feed();
            List<ReleaseLogEntry> entries = feed.map(f -> ReleaseFeed.parse(f[0])).orElse(List.of());
            logLine = ReleaseLogCheck.describe(message, report, entries, new ArrayList<>(ReleaseFeed.chainProblems(entries)));
        } catch (RuntimeException e) {
            LOG.warn("release log lookup failed", e);
            logLine = "Release log: cannot be checked right now.";
        }
        page(ctx, report, logLine);
    }

    private static final class TooLarge extends Exception {
    }

    /** The pasted text (field "message") or the uploaded file (field "file"), at most MAX_MESSAGE bytes. */
    private static byte[] upload(Context ctx) throws IOException, TooLarge {
        if (ctx.contentLength() > MAX_MESSAGE + 64 * 1024) {
            throw new TooLarge();
        }
        if (ctx.isMultipartFormData()) {
            UploadedFile f = ctx.uploadedFile("file");
            if (f != null && f.size() > 0) {
                if (f.size() > MAX_MESSAGE) {
                    throw new TooLarge();
                }
                try (InputStream in = f.content()) {
                    return in.readNBytes(MAX_MESSAGE);
                }
            }
        }
        String pasted = ctx.formParam("message");
        if (pasted == null) {
            return new byte[0];
        }
        byte[] b = pasted.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_MESSAGE) {
            throw new TooLarge();
        }
        return b;
    }

    private void stored(Context ctx, int which, String contentType) {
        Optional<byte[][]> feed = log.feed();
        if (feed.isEmpty()) {
            ctx.status(404).result("No release has been sent yet.");
            return;
        }
        ctx.header("Cache-Control", "public, max-age=300");
        ctx.contentType(contentType).result(feed.get()[which]);
    }

    private void ca(Context ctx) throws IOException {
        if (caFile == null || !Files.isRegularFile(caFile)) {
            ctx.status(404).result("Our certificate is issued by a publicly trusted authority: there is nothing to import.");
            return;
        }
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.contentType("application/x-pem-file").result(Files.readAllBytes(caFile));
    }
}
