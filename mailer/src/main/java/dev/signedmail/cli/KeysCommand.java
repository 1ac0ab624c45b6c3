package dev.signedmail.cli;

import dev.signedmail.config.Settings;
import dev.signedmail.sign.DkimKey;
import dev.signedmail.sign.KeyCheck;
import dev.signedmail.sign.KeyCustody;
import dev.signedmail.sign.SmimeKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code keys check} and {@code keys dns-record}: the signing keys, checked before anyone relies on them. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Check the signing keys; print the DKIM DNS records.",
        subcommands = {KeysCommand.Check.class, KeysCommand.DnsRecord.class})
final class KeysCommand {
    @ParentCommand
    Main main;

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Pre-flight of the signing keys (also run before every send): certificate validity (warn within"
                    + " keys.warn.days, refuse when expired), subjectAltName = From, EKU emailProtection, chain to smime.ca.file,"
                    + " RSA >= 2048 and no SHA-1, and each DKIM key against its published TXT record.",
                    "Exit 0 = nothing refused (warnings allowed), 1 = a send would be refused."})
    static final class Check implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Option(names = "--dns", paramLabel = "live|off|FILE",
                description = "Where to read the DKIM TXT records: live DNS (default), off, or a JSON file {\"name\": \"record\"}.")
        String dns = "live";

        @Option(names = "--at", paramLabel = "TIME", description = "Check as of this time (ISO-8601 or unix seconds; default now).")
        String at;

        @Override
        public Integer call() {
            Settings settings = keys.main.settings();
            KeyCustody custody = new KeyCustody(settings);
            SmimeKey smime = custody.smimeKey();
            List<DkimKey> dkim = custody.dkimKeys();
            Instant when = at == null ? Instant.now() : VerifyCommand.parseTime(at);
            List<KeyCheck.Finding> findings = custody.check(smime, dkim, custody.dkimRecords(dns), when);
            findings.forEach(System.out::println);
            for (String old : custody.previousSelectors()) {
                System.out.println("ok: retired selector " + old + "._domainkey." + dkim.get(0).domain()
                        + " stays published until mail signed with it is no longer checked (dkim.previous.selectors)");
            }
            boolean refused = KeyCheck.refused(findings);
            System.out.println(refused ? "keys check: a send would be REFUSED" : "keys check: ok");
            return refused ? 1 : 0;
        }
    }

    @Command(name = "dns-record", mixinStandardHelpOptions = true,
            description = "Print the DKIM TXT record of every active key (rsa, ed25519) in zone-file form.")
    static final class DnsRecord implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Override
        public Integer call() {
            KeyCustody custody = new KeyCustody(keys.main.settings());
            List<DkimKey> dkim = custody.dkimKeys();
            for (DkimKey k : dkim) {
                System.out.println(k.dnsName() + ".  IN TXT  " + quoted(k.publicKeyRecord()));
            }
            for (String old : custody.previousSelectors()) {
                System.out.println("; keep published (retired key, dkim.previous.selectors): " + old + "._domainkey." + dkim.get(0).domain());
            }
            return 0;
        }

        /** Splits into quoted character-strings of at most 255 bytes, as DNS requires. */
        static String quoted(String record) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < record.length(); i += 255) {
                out.append(i == 0 ? "" : " ").append('"').append(record, i, Math.min(record.length(), i + 255)).append('"');
            }
            return out.toString();
        }
    }
}
