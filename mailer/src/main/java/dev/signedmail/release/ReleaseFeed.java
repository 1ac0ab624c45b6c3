package dev.signedmail.release;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The release log as a public Atom feed ({@code /releases.atom}), newest first, one entry per
 * release with its sequence number, content hash, approvers, send time and the hash chain, in our
 * own namespace so feed readers show title and summary and tools can check the chain.
 *
 * <p>Anyone holding the feed can check that no entry was removed or slipped in ({@link #chainProblems}):
 * entry N carries the hash of entry N-1 and its own hash over all its fields. The detached CMS
 * signature beside it ({@code /releases.atom.p7s}) proves the feed is the press office's.
 */
public final class ReleaseFeed {
    public static final String NS = "urn:signedmail:release-log:1";
    private static final Pattern MESSAGE_ID = Pattern.compile("^<?release-(\\d+)\\.");

    private ReleaseFeed() {
    }

    /** The Atom document (UTF-8) for {@code entries} in any order. */
    public static byte[] render(List<ReleaseLogEntry> entries, String organisation, String baseUrl) {
        List<ReleaseLogEntry> newest = new ArrayList<>(entries);
        newest.sort((a, b) -> Long.compare(b.seq(), a.seq()));
        String updated = newest.isEmpty() ? "1970-01-01T00:00:00Z" : iso(newest.get(0).sentAt());
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:sm=\"").append(NS).append("\">\n");
        x.append("  <id>").append(esc(baseUrl)).append("/releases.atom</id>\n");
        x.append("  <title>").append(esc(organisation)).append(": release log</title>\n");
        x.append("  <subtitle>Every release we sent, numbered and hash-chained; signature: releases.atom.p7s</subtitle>\n");
        x.append("  <link rel=\"self\" href=\"").append(esc(baseUrl)).append("/releases.atom\"/>\n");
        x.append("  <author><name>").append(esc(organisation)).append("</name></author>\n");
        x.append("  <updated>").append(updated).append("</updated>\n");
        for (ReleaseLogEntry e : newest) {
            x.append("  <entry>\n");
            x.append("    <id>").append(esc(baseUrl)).append("/releases.atom#").append(e.seq()).append("</id>\n");
            x.append("    <title>Release #").append(e.seq()).append(": ").append(esc(e.title())).append("</title>\n");
            x.append("    <updated>").append(iso(e.sentAt())).append("</updated>\n");
            x.append("    <summary>Sent ").append(iso(e.sentAt())).append("; content sha-256 ").append(e.contentHash())
                    .append(e.approvers().isEmpty() ? "" : "; approved by " + esc(String.join(", ", e.approvers()))).append("</summary>\n");
            x.append("    <sm:sequence>").append(e.seq()).append("</sm:sequence>\n");
            x.append("    <sm:release>").append(e.releaseId()).append("</sm:release>\n");
            x.append("    <sm:subject>").append(esc(e.title())).append("</sm:subject>\n");
            x.append("    <sm:contentHash>").append(e.contentHash()).append("</sm:contentHash>\n");
            for (String a : e.approvers()) {
                x.append("    <sm:approvedBy>").append(esc(a)).append("</sm:approvedBy>\n");
            }
            x.append("    <sm:sent>").append(iso(e.sentAt())).append("</sm:sent>\n");
            x.append("    <sm:previousHash>").append(e.previousHash()).append("</sm:previousHash>\n");
            x.append("    <sm:entryHash>").append(e.entryHash()).append("</sm:entryHash>\n");
            x.append("  </entry>\n");
        }
        x.append("</feed>\n");
        return x.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the entries back (oldest first); throws IllegalArgumentException when it is not our feed. */
    public static List<ReleaseLogEntry> parse(byte[] atom) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            // a feed is data from outside: no DTDs, no external entities
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(atom));
            NodeList entries = d.getElementsByTagNameNS("http://www.w3.org/2005/Atom", "entry");
            List<ReleaseLogEntry> out = new ArrayList<>();
            for (int i = 0; i < entries.getLength(); i++) {
                Element e = (Element) entries.item(i);
                NodeList appr = e.getElementsByTagNameNS(NS, "approvedBy");
                List<String> approvers = new ArrayList<>();
                for (int k = 0; k < appr.getLength(); k++) {
                    approvers.add(appr.item(k).getTextContent());
                }
                out.add(new ReleaseLogEntry(Long.parseLong(text(e, "sequence")), Long.parseLong(text(e, "release")),
                        text(e, "contentHash"), text(e, "subject"), approvers, Instant.parse(text(e, "sent")),
                        text(e, "previousHash"), text(e, "entryHash")));
            }
            out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            return out;
        } catch (Exception e) {
            throw new IllegalArgumentException("not a release log feed: " + e.getMessage(), e);
        }
    }

    /** What is wrong with the chain: gaps, reordering, an entry changed, removed or inserted. Empty = intact. */
    public static List<String> chainProblems(List<ReleaseLogEntry> oldestFirst) {
        List<String> problems = new ArrayList<>();
        String previous = ReleaseLogEntry.GENESIS;
        long expected = 1;
        for (ReleaseLogEntry e : oldestFirst) {
            if (e.seq() != expected) {
                problems.add("entry #" + e.seq() + " follows #" + (expected - 1) + ": entries are missing or duplicated");
            }
            if (!e.previousHash().equals(previous)) {
                problems.add("entry #" + e.seq() + " does not chain to the entry before it (removed or inserted entry)");
            }
            if (!e.computeHash().equals(e.entryHash())) {
                problems.add("entry #" + e.seq() + " was changed after it was logged (its hash does not match its fields)");
            }
            previous = e.entryHash();
            expected = e.seq() + 1;
        }
        return problems;
    }

    /** The release id in one of our Message-IDs ({@code <release-ID.…@domain>}), if it is one. */
    public static Optional<Long> releaseIdOf(String messageId) {
        if (messageId == null) {
            return Optional.empty();
        }
        Matcher m = MESSAGE_ID.matcher(messageId.strip());
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The entry for {@code releaseId}, or empty. */
    public static Optional<ReleaseLogEntry> find(List<ReleaseLogEntry> entries, long releaseId) {
        return entries.stream().filter(e -> e.releaseId() == releaseId).findFirst();
    }

    private static String text(Element e, String name) {
        NodeList n = e.getElementsByTagNameNS(NS, name);
        if (n.getLength() != 1) {
            throw new IllegalArgumentException("entry without exactly one sm:" + name);
        }
        return n.item(0).getTextContent().strip();
    }

    private static String iso(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t.getEpochSecond()));
    }

    private static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c);
            }
        }
        return b.toString();
    }

    static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.split(","));
    }
}
