package dev.signedmail.cli;

import dev.signedmail.Problem;
import dev.signedmail.verify.DkimVerifier;
import dev.signedmail.verify.KeyRecords;
import dev.signedmail.verify.MessageVerifier;
import dev.signedmail.verify.SmimeVerifier;
import dev.signedmail.verify.VerificationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code verify FILE.eml}: the subscriber's check. Exit 0 authentic, 1 not authentic, 2 cannot tell
 * (which includes an unreadable input file or a usage error: in neither case do we know).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check that a received message is authentic: S/MIME signature (trusted, valid, signer = From)"
                + " and DKIM signatures.", "Exit codes: 0 authentic, 1 NOT authentic, 2 cannot tell."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The message (.eml); '-' or none reads standard input.")
    String file;

    @Option(names = "--trust", paramLabel = "CA.pem", description = "Trusted certificate authority (PEM or DER; repeatable)."
            + " Default: the Java runtime's trust store.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--crl", paramLabel = "CRL", description = "Certificate revocation list (repeatable); revocation is checked only when given.")
    List<Path> crls = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "RECORDS.json", description = "Use these TXT records instead of live DNS:"
            + " a JSON object {\"selector._domainkey.domain\": \"v=DKIM1; …\"}.")
    Path dns;

    @Option(names = "--at", paramLabel = "TIME", description = "Verify as of this moment: unix seconds or ISO-8601 (default: now).")
    String at;

    @Option(names = "--log", paramLabel = "releases.atom", description = "The press office's release log (from serve's"
            + " /releases.atom); its signature FILE.p7s is checked when present. Says whether the message is in the log.")
    Path log;

    @Option(names = "--json", description = "Print one JSON object instead of sentences.")
    boolean json;

    @Override
    public Integer call() {
        try {
            Instant when = at == null ? Instant.now() : parseTime(at);
            List<X509Certificate> anchors = new ArrayList<>();
            for (Path p : trust) {
                try {
                    anchors.addAll(SmimeVerifier.readCertificates(p));
                } catch (IOException | GeneralSecurityException e) {
                    throw new Problem("cannot read trusted certificate " + p + " (" + e.getMessage() + "): give a PEM or DER certificate");
                }
            }
            if (trust.isEmpty()) {
                anchors.addAll(SmimeVerifier.systemTrust());
            }
            List<X509CRL> crlList = new ArrayList<>();
            for (Path p : crls) {
                try (InputStream in = Files.newInputStream(p)) {
                    for (var c : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                        crlList.add((X509CRL) c);
                    }
                } catch (IOException | GeneralSecurityException e) {
                    throw new Problem("cannot read CRL " + p + " (" + e.getMessage() + ")");
                }
            }
            KeyRecords keys = dns == null ? KeyRecords.liveDns() : KeyRecords.fromJson(dns);
            byte[] message;
            try {
                message = file == null || file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                throw new Problem("cannot read " + (file == null ? "standard input" : file) + ": " + e.getMessage());
            }
            VerificationReport report = new MessageVerifier(new SmimeVerifier(anchors, crlList, when), new DkimVerifier(keys, when)).verify(message);
            String logLine = log == null ? null : releaseLogLine(message, report, anchors, crlList, when);
            if (json) {
                System.out.println(logLine == null ? report.toJson() : withReleaseLog(report.toJson(), logLine));
            } else {
                System.out.print(report.toText());
                if (logLine != null) {
                    System.out.println(logLine);
                }
            }
            System.out.flush();
            return report.verdict().exitCode();
        } catch (Problem p) {
            System.err.println("error: " + p.getMessage());
            return 2;
        }
    }

    /** The report's JSON with a "release_log" sentence added. */
    private static String withReleaseLog(String reportJson, String logLine) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(reportJson);
            o.put("release_log", logLine);
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("our own JSON cannot be read back", e);
        }
    }

    private String releaseLogLine(byte[] message, VerificationReport report, List<X509Certificate> anchors, List<X509CRL> crls,
                                  Instant when) {
        byte[] atom;
        try {
            atom = Files.readAllBytes(log);
        } catch (IOException e) {
            throw new Problem("cannot read the release log " + log + ": " + e.getMessage());
        }
        List<dev.signedmail.release.ReleaseLogEntry> entries;
        try {
            entries = dev.signedmail.release.ReleaseFeed.parse(atom);
        } catch (IllegalArgumentException e) {
            throw new Problem(log + " is not our release log (" + e.getMessage() + "): download /releases.atom again");
        }
        List<String> trouble = new ArrayList<>(dev.signedmail.release.ReleaseFeed.chainProblems(entries));
        Path sig = Path.of(log + ".p7s");
        if (Files.isRegularFile(sig)) {
            try {
                dev.signedmail.verify.SmimeResult r = new SmimeVerifier(anchors, crls, when).verifyCms(Files.readAllBytes(sig), atom, report.from());
                if (r.status() != dev.signedmail.verify.SmimeResult.Status.GOOD) {
                    trouble.add("its signature " + sig.getFileName() + " is not valid: " + r.reason());
                }
            } catch (IOException e) {
                trouble.add("its signature " + sig + " cannot be read");
            }
        } else {
            trouble.add("no signature " + sig.getFileName() + " beside it, so the log itself is unproven");
        }
        return dev.signedmail.verify.ReleaseLogCheck.describe(message, report, entries, trouble);
    }

    static Instant parseTime(String s) {
        String t = s.strip();
        try {
            if (t.matches("-?[0-9]{1,15}")) {
                return Instant.ofEpochSecond(Long.parseLong(t));
            }
            if (t.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                return Instant.parse(t + "T00:00:00Z");
            }
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(t).toInstant();
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Problem("--at " + s + " is not a time: give unix seconds (1667843664) or ISO-8601 (2022-11-07T17:54:24Z)");
        }
    }
}
