package dev.signedmail.approval;

import dev.signedmail.operator.Secrets;
import dev.signedmail.release.Release;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * SHA-256 of everything that decides what subscribers read: title, summary, body, link, topic,
 * the release it retracts (a retraction goes to another audience), the template version and — only
 * when on, so that hashes approved before the mode existed stay valid — shared-body mode.
 * Fields are length-prefixed, so moving text from one field to another changes the hash.
 */
public final class ContentHash {
    private ContentHash() {
    }

    public static String of(Release r, Long retractsId, String templateVersion) {
        String encoded = Stream.of(r.title(), r.summary(), r.bodyMarkdown(), r.link(), r.topic(),
                        retractsId == null ? null : retractsId.toString(), templateVersion)
                .map(s -> s == null ? "-" : s.length() + ":" + s)
                .collect(Collectors.joining("|"));
        if (r.sharedBody()) {
            encoded += "|shared-body";
        }
        return Secrets.sha256Hex(Objects.requireNonNull(encoded).getBytes(StandardCharsets.UTF_8));
    }
}
