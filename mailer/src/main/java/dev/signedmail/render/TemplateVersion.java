package dev.signedmail.render;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * SHA-256 over the templates a {@link Renderer} with this override folder would use (the override
 * file where there is one, else the built-in one), so that an approval covers the wording around
 * the release as well as the release: changing a template after approval voids the approval.
 */
public final class TemplateVersion {
    /** Every built-in template file, relative to {@code templates/}. */
    static final List<String> BUILT_IN = List.of("news.html", "news.txt", "fragments/header.html",
            "fragments/footer.html", "fragments/footer.txt");

    private TemplateVersion() {
    }

    public static String of(Path overrideFolder) {
        TreeSet<String> names = new TreeSet<>(BUILT_IN);
        Path folder = overrideFolder == null ? null : overrideFolder.toAbsolutePath().normalize();
        if (folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.walk(folder)) {
                files.filter(Files::isRegularFile).forEach(f -> names.add(folder.relativize(f).toString().replace('\\', '/')));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String name : names) {
                byte[] content = read(folder, name);
                d.update((name + "\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
                d.update(content);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path folder, String name) {
        try {
            if (folder != null && Files.isRegularFile(folder.resolve(name))) {
                return Files.readAllBytes(folder.resolve(name));
            }
            try (InputStream in = TemplateVersion.class.getClassLoader().getResourceAsStream("templates/" + name)) {
                return in == null ? new byte[0] : in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
